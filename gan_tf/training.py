"""Train a DCGAN on images, resumably: what `gan-tf train` and `gan-tf sample` run.

A run directory holds:
  config.json            the run's settings; rerunning with different ones is refused (ValueError)
  checkpoints/           tf.train.CheckpointManager (last 3): G, D, both optimizers (Adam slots and, under
                         mixed_float16, the loss scales), the seed generator's state and the epoch. TF writes
                         each checkpoint to temporary files and renames them, and rewrites the index file
                         `checkpoints/checkpoint` atomically once the checkpoint is complete: an interrupted
                         save leaves the previous checkpoint as the latest.
  tensorboard/           the write-up's views (`callbacks.ImageTensorBoard`)
  samples/epoch_NNN.png  the fixed-noise grid after each epoch
  generator.keras        the latest generator (written to a temporary file, then renamed)
Rerunning the same command restores the latest checkpoint and continues from its epoch; the data order of a
resumed epoch comes from seed + epoch.

Mixed precision: `precision="mixed_float16"` sets Keras' global dtype policy while the networks are built
(heads stay float32, see `gan_tf.networks`) and wraps both optimizers in `LossScaleOptimizer` (Keras'
`auto_scale_loss` would wrap only `model.optimizer`, which a GAN does not use); "mixed_bfloat16" needs no
loss scaling. The policy in force before is restored afterwards.
"""

import contextlib
import dataclasses
import json
import os
import pathlib

import keras
import numpy as np
import tensorflow as tf

from gan_tf import callbacks, datasets, models, networks, plotting

ARCHITECTURES = {"radford": (networks.dcgan_generator, networks.dcgan_discriminator),
                 "writeup": (networks.writeup_generator, networks.writeup_discriminator)}
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
CHECKPOINTS_KEPT = 3


@dataclasses.dataclass
class TrainConfig:
    """Settings of a run (the defaults are Radford et al.'s: Adam 2e-4, beta1 0.5, batch 64, z of 100)."""

    data: str                          # "digits", an image folder, or a TFDS name
    epochs: int = 25
    image_size: int = 64
    batch_size: int = 64
    architecture: str = "radford"      # or "writeup"
    filters: int = 64                  # ngf = ndf (radford); the smallest depth (writeup)
    latent_dim: int = 100
    latent_distribution: str = "normal"
    init_stddev: float = 0.02
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    d_steps: int = 1
    g_steps: int = 1                   # the write-up: 2
    feature_matching: float = 0.0      # > 0: the write-up's pairwise feature matching with this weight
    precision: str = "float32"
    seed: int = 0
    data_dir: str = "data"
    steps_per_epoch: int = 0           # 0: one pass over the data
    every_n_steps: int = 100           # TensorBoard probe period
    jit_compile: bool = True           # XLA: ~2x faster on CPU too

    def __post_init__(self):
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {sorted(ARCHITECTURES)}, got {self.architecture!r}.")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {self.precision!r}.")
        for name in ("epochs", "batch_size", "latent_dim", "every_n_steps"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)!r}.")


@contextlib.contextmanager
def dtype_policy(name):
    """Keras' global dtype policy set to `name` inside the block, restored after."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def build_gan(config, channels):
    """The compiled GAN of `config` for images with `channels` channels (call inside `dtype_policy`)."""
    keras.utils.set_random_seed(config.seed)
    make_generator, make_discriminator = ARCHITECTURES[config.architecture]
    width = {"filters": config.filters} if config.architecture == "radford" else {"depths": _writeup_depths(config)}
    generator = make_generator(latent_dim=config.latent_dim, image_size=config.image_size, channels=channels,
                               stddev=config.init_stddev, **width)
    width = width if config.architecture == "radford" else {"depths": tuple(reversed(width["depths"]))}
    discriminator = make_discriminator(image_size=config.image_size, channels=channels, stddev=config.init_stddev,
                                       **width)
    options = dict(d_steps=config.d_steps, g_steps=config.g_steps, seed=config.seed,
                   latent_distribution=config.latent_distribution)
    if config.feature_matching > 0:
        gan = models.FeatureMatchingGAN(generator, discriminator, config.latent_dim,
                                        weight=config.feature_matching, **options)
    else:
        gan = models.GAN(generator, discriminator, config.latent_dim, **options)
    gan.compile(d_optimizer=make_optimizer(config), g_optimizer=make_optimizer(config),
                jit_compile=config.jit_compile)
    gan.d_optimizer.build(discriminator.trainable_variables)
    gan.g_optimizer.build(generator.trainable_variables)
    return gan


def make_optimizer(config):
    """Adam(learning_rate, beta_1), loss-scaled under mixed_float16."""
    optimizer = keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1)
    if config.precision == "mixed_float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def checkpoint_of(gan, epoch):
    """Everything a resumed run needs (the SeedGenerator is not trackable: its state variable is)."""
    return tf.train.Checkpoint(generator=gan.generator, discriminator=gan.discriminator,
                               d_optimizer=gan.d_optimizer, g_optimizer=gan.g_optimizer,
                               seed_state=gan.seed_generator.state, epoch=epoch)


def train(config, run_dir, verbose=1, extra_callbacks=()):
    """Train (or resume) the run in `run_dir`; returns the GAN (its `history` too). `extra_callbacks` (e.g. a
    `callbacks.ImageRecorder`) are added to the run's own."""
    run_dir = pathlib.Path(run_dir)
    _check_or_write_config(config, run_dir)
    with dtype_policy(config.precision):
        channels = _channels(config)
        gan = build_gan(config, channels)
        epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        manager = tf.train.CheckpointManager(checkpoint_of(gan, epoch), run_dir / "checkpoints", CHECKPOINTS_KEPT)
        if manager.latest_checkpoint:
            manager.checkpoint.restore(manager.latest_checkpoint).assert_existing_objects_matched()
        start = int(epoch.numpy())
        if start >= config.epochs:
            print(f"{run_dir}: already trained for {start} epochs (asked {config.epochs}); nothing to do.")
            return gan
        data, steps = _data(config, seed=config.seed + start)
        monitors = [callbacks.ImageTensorBoard(run_dir / "tensorboard", _data(config, config.seed + 10_000)[0],
                                               config.every_n_steps, seed=config.seed, initial_step=start * steps),
                    EpochSaver(manager, epoch, run_dir, seed=config.seed), *extra_callbacks]
        gan.fit(data, epochs=config.epochs, initial_epoch=start, steps_per_epoch=steps, callbacks=monitors,
                verbose=verbose, shuffle=False)
    return gan


class EpochSaver(keras.callbacks.Callback):
    """After each epoch: the checkpoint, the fixed-noise grid samples/epoch_NNN.png, generator.keras."""

    def __init__(self, manager, epoch, run_dir, seed=0, grid_size=64):
        super().__init__()
        self.manager, self.epoch, self.run_dir = manager, epoch, pathlib.Path(run_dir)
        self.seed, self.grid_size = seed, grid_size

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.assign(epoch + 1)
        self.manager.save(checkpoint_number=epoch + 1)
        (self.run_dir / "samples").mkdir(exist_ok=True)
        images = self.model.generate(self.grid_size, seed=self.seed)
        _atomic(self.run_dir / "samples" / f"epoch_{epoch + 1:03d}.png",
                lambda path: plotting.save_image_grid(images, path))
        _atomic(self.run_dir / "generator.keras", self.model.generator.save, suffix=".keras")


def load_generator(run_dir):
    """The generator of the latest checkpoint in `run_dir` (float32), and the run's config."""
    run_dir = pathlib.Path(run_dir)
    config_path = run_dir / "config.json"
    if not config_path.is_file():
        raise FileNotFoundError(f"{str(run_dir)!r} is not a run directory: it has no config.json.")
    config = TrainConfig(**json.loads(config_path.read_text()))
    latest = tf.train.latest_checkpoint(str(run_dir / "checkpoints"))
    if latest is None:
        raise FileNotFoundError(f"{str(run_dir / 'checkpoints')!r} holds no checkpoint yet: train first.")
    gan = build_gan(dataclasses.replace(config, precision="float32", jit_compile=False), _channels(config))
    tf.train.Checkpoint(generator=gan.generator).restore(latest).expect_partial()
    return gan, config


def sample(run_dir, n=64, out="grid.png", seed=0, columns=None):
    """Draw `n` images from the run's generator into the PNG grid `out`; returns the images."""
    gan, _ = load_generator(run_dir)
    images = gan.generate(n, seed=seed)
    plotting.save_image_grid(images, out, columns)
    return images


def _data(config, seed):
    data = datasets.from_spec(config.data, config.image_size, config.batch_size, seed, config.data_dir)
    if config.steps_per_epoch:
        return data.repeat(), config.steps_per_epoch
    steps = int(data.cardinality())
    if steps < 1:
        raise ValueError(f"Cannot count the batches of {config.data!r}: pass steps_per_epoch.")
    return data, steps


def _channels(config):
    return int(_data(config, config.seed)[0].element_spec.shape[-1])


def _writeup_depths(config):
    blocks = int(np.log2(config.image_size // 4))
    return tuple(config.filters * 2 ** index for index in reversed(range(blocks)))


def _check_or_write_config(config, run_dir):
    path = run_dir / "config.json"
    wanted = dataclasses.asdict(config)
    if path.is_file():
        saved = json.loads(path.read_text())
        changed = {key: (saved.get(key), value) for key, value in wanted.items()
                   if key != "epochs" and saved.get(key) != value}
        if changed:
            raise ValueError(f"{str(run_dir)!r} holds a run with other settings (saved, asked): {changed}. "
                             "Use another --out, or the same settings to resume (only --epochs may change).")
    run_dir.mkdir(parents=True, exist_ok=True)
    _atomic(path, lambda temporary: temporary.write_text(json.dumps(wanted, indent=2) + "\n"))


def _atomic(path, write, suffix=""):
    """`write(temporary_path)` then rename onto `path`: readers never see a half-written file."""
    temporary = path.with_name(f".{path.stem}.tmp{suffix or path.suffix}")
    write(temporary)
    os.replace(temporary, path)
