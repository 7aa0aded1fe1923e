"""The generator of a `gan-tf train` run folder, rebuilt from its config.json and its latest or best checkpoint:
what `gan-tf sample` draws from and `gan-tf export` writes (`gan_tf.images.export`)."""

import dataclasses
import pathlib
import warnings

import tensorflow as tf

from gan_tf import plotting
from gan_tf.images import best_checkpoint, checkpointing, recipes, recovery, run_config, run_folder, training

CHECKPOINTS = ("latest", "best")  # what sampling and export can load


def load_generator(run_dir, checkpoint="latest"):
    """The GAN with the generator (and generator average, if the run keeps one: `generate` samples it) of the
    newest checkpoint of `run_dir` that restores (float32), or with `checkpoint="best"` of its best/ (a missing
    one: FileNotFoundError), and the run's config.

    Needs neither the training data nor generator.keras (the channels are in config.json); a damaged newer
    checkpoint is skipped with a warning, and the folder is left as it is."""
    run_dir = pathlib.Path(run_dir)
    if checkpoint not in CHECKPOINTS:
        raise ValueError(f"checkpoint (--checkpoint) must be one of {CHECKPOINTS}, got {checkpoint!r}.")
    saved = run_config.read(run_dir)
    if saved is None:
        raise FileNotFoundError(f"{str(run_dir)!r} is not a run directory: it has no config.json.")
    settings = {name: value for name, value in saved.items() if name not in run_config.RUN_FIELDS}
    unknown = sorted(set(settings) - {field.name for field in dataclasses.fields(training.TrainConfig)})
    if unknown:
        raise run_folder.RunFolderError(f"{str(run_dir / run_config.CONFIG_FILE)!r} holds settings this gan_tf does "
                                        f"not know: {unknown} (written by a newer version?).")
    config = training.TrainConfig(**settings)
    gan = recipes.build_gan(dataclasses.replace(config, precision="float32", jit_compile=False), saved["channels"],
                            len(saved.get("class_names") or ()), saved.get("class_shares"))
    if checkpoint == "best":
        best_checkpoint.restore(tf.train.Checkpoint(**checkpointing.generator_state(gan)), run_dir)
        return gan, config
    restored = recovery.restore_newest(tf.train.Checkpoint(**checkpointing.generator_state(gan)),
                                       run_dir / "checkpoints", partial=True, write=False)
    if restored is None:
        raise FileNotFoundError(f"{str(run_dir / 'checkpoints')!r} holds no checkpoint yet: train first.")
    for line in restored.report()[1:]:
        warnings.warn(f"{run_dir}: {line}", stacklevel=2)
    return gan, config


def sample(run_dir, n=64, out="grid.png", seed=0, columns=None, classes=None, checkpoint="latest"):
    """Draw `n` images from the run's generator (its average when the run keeps one) of its latest or its best
    checkpoint (`checkpoint`: "latest" or "best") into the PNG grid `out`; returns the images. `classes` (a
    conditional run's): class names, image i of class `classes[i % len]` (default: every class in turn; for k-means
    classes, `gan-tf train --pseudo-classes`, classes drawn by their shares)."""
    labels = run_config.class_labels(run_dir, classes, n)  # checked before the generator is rebuilt
    gan, _ = load_generator(run_dir, checkpoint)
    images = gan.generate(n, seed=seed) if labels is None else gan.generate(n, labels=labels, seed=seed)
    plotting.save_image_grid(images, out, columns)
    return images
