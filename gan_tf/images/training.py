"""Train a GAN on images, resumably: what `gan-tf train` runs (the GAN: `recipes`; a finished run's generator:
`run_generator`).

A run directory holds:
  config.json            the run's settings, the resolved data path, its fingerprint and the images' channels
                         (`gan_tf.images.run_config`), written once the run starts; rerunning with other settings
                         or on changed data is refused (ValueError), a damaged one is an error naming it
  clusters.json          with `pseudo_classes`: one k-means class per training image (`gan_tf.images.pseudo_classes`)
  checkpoints/           tf.train.CheckpointManager (last 3), written atomically (`gan_tf.images.checkpointing`): G, D,
                         both optimizers (Adam slots, step counts and, under mixed_float16, the loss scales),
                         the seed generator's state, the epoch, and when the run has them the generator average
                         (EMA), ADA's probability and running sums and the instance noise's step; restored from
                         the newest one that reads in full (`gan_tf.images.recovery`: a damaged list file or newest
                         checkpoint is skipped, said so, and kept in checkpoints/damaged/)
  tensorboard/<name>/    the write-up's views (`observation.ImageGANViews` in a `callbacks.TensorBoardSink`) and
                         with `eval_every` the samples' quality by `eval_measure` (`gan_tf.images.evaluation`: SWD,
                         FID or KID, under quality/); <name> is the run folder's name, so `tensorboard --logdir
                         <run>/tensorboard` shows the runs "<name>", "<name>/real" and "<name>/fake"
  best/                  with `eval_every`: the generator (and its average) at the best evaluation so far, and
                         best.json (step, epoch, measure, value), written atomically (`gan_tf.images.best_checkpoint`);
                         a resumed run keeps it until a better value; `sample(..., checkpoint="best")` and
                         `export.export_run(..., checkpoint="best")` use it
  samples/epoch_NNN.png  the fixed-noise grid after each epoch (of the generator average, when the run keeps one)
  generator.keras        the latest generator, or its average (written to a temporary file, then renamed); sampling
                         and export use the checkpoint, not this file
  .lock                  one writer at a time (`gan_tf.images.run_folder.lock`); a killed writer's temporary
                         files are removed on the next start

Every setting and the data are checked before anything is written: a failed start leaves no folder behind.

Exact resume: a run killed at any point (even SIGKILL) and rerun with the same command restores the latest
checkpoint and continues from its epoch. The training data is one seeded stream of batches (pass after pass
over the data, each pass reshuffled by tf.data from the run's seed); a resumed run skips the batches already
consumed, so it sees the same batches in the same order as an uninterrupted run. With `deterministic=True`
(TF's op determinism) the resumed run then matches the uninterrupted one exactly (tested on CPU). A checkpoint
is written after every epoch: `steps_per_epoch` sets how often. Skipping costs one pass through the input
pipeline per skipped batch (cheap for cached data; for data larger than the cache it re-reads the files).

A non-finite loss stops training with `callbacks.NonFiniteLossError` naming the step, before the epoch's
checkpoint (float32); under mixed_float16 a step with non-finite gradients is skipped by the loss-scale
optimizer and counted (`d_skipped_updates`, `g_skipped_updates` in the history and TensorBoard).

Mixed precision: `precision="mixed_float16"` sets Keras' global dtype policy while the networks are built
(heads stay float32, see `gan_tf.networks`) and wraps both optimizers in `LossScaleOptimizer` (Keras'
`auto_scale_loss` would wrap only `model.optimizer`, which a GAN does not use); "mixed_bfloat16" needs no
loss scaling. The policy in force before is restored afterwards.

Class-conditional runs (`conditional=True`, `gan-tf train --conditional`): the data is "digits" (classes "0" to
"9") or a folder whose subfolders are the classes (sorted names; every image inside one, refused by name
otherwise: `image_files.scan_classes`), batches are (images, labels), the GAN is a `models.ConditionalGAN` with the
networks of `gan_tf.conditional_networks` (`recipes`), and config.json keeps `class_names` (label i is
class_names[i]); a rerun whose classes changed is refused naming both lists. The epoch grids and TensorBoard's
fixed-noise grid show class i mod K in image i; `sample(..., classes=[NAME, ...])` draws the named classes.

Classes without labels (`pseudo_classes=K`, `gan-tf train --pseudo-classes K`): the images of "digits" or a folder
are clustered by k-means into K classes before training (`gan_tf.images.pseudo_classes`), and the run trains the
conditional GAN above on them. clusters.json keeps one label per image (a resumed run reuses them), config.json the
clusters' names and shares; the generator draws the clusters by their shares when no class is asked (the epoch
grids, the quality measure, `sample` and `export`'s sampling.json), so the run samples like an unconditional one.
On the digits this lifts the classifier score from 8.7 to 9.4-9.5 (benchmarks/README.md, "With classes").

Distribution: `strategy` names a `tf.distribute` strategy (`gan_tf.images.strategies`); `batch_size` is the global
batch; `sync_batch_norm` computes batch-norm statistics over the global batch.
"""

import contextlib
import dataclasses
import pathlib

import keras
import tensorflow as tf

from gan_tf import callbacks, checks, models, networks
from gan_tf.images import (
    best_checkpoint,
    checkpointing,
    datasets,
    evaluation,
    observation,
    pseudo_classes,
    recipes,
    recovery,
    run_config,
    run_folder,
    strategies,
)

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
CHECKPOINTS_KEPT = 3


@dataclasses.dataclass
class TrainConfig:
    """Settings of a run (the defaults are Radford et al.'s: Adam 2e-4, beta1 0.5, batch 64, z of 100)."""

    data: str                          # "digits", an image folder, or a TFDS name
    epochs: int = 25
    image_size: int = 64
    batch_size: int = 64
    architecture: str = "radford"      # or "dense_dcgan", "residual" (recipes.ARCHITECTURES)
    filters: int = 64                  # ngf = ndf (radford); the smallest depth (dense_dcgan); the width (residual)
    latent_dim: int = 100
    latent_distribution: str = "normal"
    init_stddev: float = 0.02
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    d_steps: int = 1
    g_steps: int = 1                   # the write-up: 2
    feature_matching: float = 0.0      # > 0: the write-up's pairwise feature matching with this weight
    loss: str = "non_saturating"       # a name in gan_tf.losses.FAMILIES
    ema_half_life: float = 0.0         # > 0: sample a moving average of G (half-life in images; gan_tf.ema)
    augment: str = "none"              # "diffaugment" or "ada": D sees augmented images (models.AugmentedGAN)
    r1_gamma: float = 0.0              # > 0: lazy R1 penalty on real images (models.LazyR1GAN) ...
    r1_every: int = 16                 # ... every r1_every D steps
    spectral_norm: bool = False        # spectral normalisation of D (architecture "residual")
    gradient_penalty: float = 0.0      # > 0: WGAN-GP's penalty weight lambda, d_steps critic steps (models.WGANGP)
    instance_noise: float = 0.0        # > 0: stddev of Gaussian noise on D's inputs (models.InstanceNoiseGAN) ...
    instance_noise_steps: int = 0      # ... annealed linearly to 0 over this many batches (0: constant)
    packing: int = 1                   # > 1: D judges packs of this many images (PacGAN, models.packing)
    generator_resolution: int = 0      # > 0: G's images pass through this size (gan_tf.low_resolution; digits: 8)
    precision: str = "float32"
    seed: int = 0
    data_dir: str = "data"
    steps_per_epoch: int = 0           # 0: one pass over the data
    every_n_steps: int = 100           # TensorBoard probe period
    eval_every: int = 0                # > 0: sliced Wasserstein distance of samples to real images in TensorBoard
    eval_measure: str = "swd"          # ... or "fid", "kid" (gan_tf.images.evaluation); the best kept in best/
    jit_compile: bool | None = None    # XLA; None: chosen for the machine (`recipes.jit_compile_of`)
    strategy: str = "default"          # see gan_tf.images.strategies
    sync_batch_norm: bool = False      # batch-norm statistics over all replicas
    deterministic: bool = False        # TF op determinism: a resumed run matches an uninterrupted one
    skip_invalid: bool = False         # skip (and count) image files that cannot be used instead of stopping
    conditional: bool = False          # class-conditional (the data's classes; see the module docstring)
    pseudo_classes: int = 0            # >= 2: conditional on this many k-means clusters of the images (no labels)

    def __post_init__(self):
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {self.precision!r}.")
        if self.image_size not in networks.DCGAN_SIZES:
            raise ValueError(f"image_size must be one of {networks.DCGAN_SIZES}, got {self.image_size!r}.")
        if self.latent_distribution not in models.gan.LATENT_DISTRIBUTIONS:
            raise ValueError(f"latent_distribution must be one of {models.gan.LATENT_DISTRIBUTIONS}, "
                             f"got {self.latent_distribution!r}.")
        if self.strategy not in strategies.STRATEGIES:
            raise ValueError(f"strategy must be one of {strategies.STRATEGIES}, got {self.strategy!r}.")
        if self.eval_measure not in evaluation.MEASURES:
            raise ValueError(f"eval_measure must be one of {evaluation.MEASURES}, got {self.eval_measure!r}.")
        for name in ("epochs", "batch_size", "latent_dim", "every_n_steps"):
            checks.positive_integer(name, getattr(self, name))
        run_config.check_numbers(self)
        recipes.check(self)


@contextlib.contextmanager
def dtype_policy(name):
    """Keras' global dtype policy set to `name` inside the block, restored after."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def train(config, run_dir, verbose=1, extra_callbacks=()):
    """Train (or resume) the run in `run_dir`; returns the GAN (its `history` too). `extra_callbacks` (e.g. a
    `callbacks.Probe`) are added to the run's own. Every setting and the data are checked before anything
    is written; the run folder is locked (`run_folder.lock`) while training."""
    run_dir = pathlib.Path(run_dir)
    config = dataclasses.replace(config, data=run_config.resolve_data(config.data),
                                 data_dir=str(pathlib.Path(config.data_dir).resolve()),
                                 jit_compile=recipes.jit_compile_of(config))
    if config.eval_every:
        evaluation.check_available(config.eval_measure, config.data)  # e.g. the InceptionV3 weights file
    if config.deterministic:
        tf.config.experimental.enable_op_determinism()
    strategy = strategies.make_strategy(config.strategy)  # before any TF op: multi-worker collectives need that
    keras.utils.set_random_seed(config.seed)  # before the data: tf.data's shuffle seeds depend on the global one
    saved_labels = pseudo_classes.read_labels(run_dir) if config.pseudo_classes else None
    source = _open(config, config.seed, saved_labels)
    steps = _steps_per_epoch(config, source)
    created = not run_dir.exists()
    try:
        lock_name = run_folder.lock_name(config.strategy)
        with run_folder.lock(run_dir, lock_name):
            if lock_name == run_folder.LOCK_FILE:  # the chief's: the other workers of its run leave the files alone
                run_folder.remove_temporaries(run_dir)
            saved = run_config.read(run_dir)
            wanted = {**dataclasses.asdict(config), "channels": 1 if config.data == "digits" else 3,
                      "data_fingerprint": source.fingerprint}
            if config.conditional or config.pseudo_classes:
                wanted["class_names"] = source.class_names
            if config.pseudo_classes:
                wanted["class_shares"] = pseudo_classes.class_shares(source.labels, config.pseudo_classes).tolist()
            changed = run_config.differences(saved or {}, wanted)
            if changed:
                flags = ", ".join(filter(None, map(run_config.flag_of, changed)))
                raise ValueError(f"{str(run_dir)!r} holds a run with other settings (saved, asked): {changed}"
                                 f"{f' (flags: {flags})' if flags else ''}. Use another --out, or the same settings "
                                 "to resume (--epochs, --eval-every, --eval-measure, --xla and --skip-invalid may "
                                 "change).")
            if verbose:
                print("\n".join(datasets.describe(source, config, steps)))
            return _train_locked(config, run_dir, wanted, source, strategy, verbose, extra_callbacks)
    except BaseException:
        if created:
            run_folder.remove_if_unused(run_dir)
        raise


def _train_locked(config, run_dir, wanted, source, strategy, verbose, extra_callbacks):
    chief = strategies.is_chief(strategy)
    with dtype_policy(config.precision), strategy.scope():
        gan = recipes.build_gan(config, wanted["channels"], len(wanted.get("class_names") or ()),
                                wanted.get("class_shares"))
        epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        checkpoint = checkpointing.checkpoint_of(gan, epoch)
        restored = recovery.restore_newest(checkpoint, run_dir / "checkpoints", write=chief)
        # Every multi-worker worker must save (collectively); only the chief's checkpoints are the run's.
        directory = run_dir / "checkpoints" if chief else run_dir / "workers" / strategies.worker_name(strategy)
        manager = tf.train.CheckpointManager(checkpoint, directory, CHECKPOINTS_KEPT)
    if restored:
        print(f"{run_dir}: resuming from {restored.prefix} (epoch {int(epoch.numpy())}).")
        for line in restored.report()[1:]:
            print(f"{run_dir}: {line}")
    if chief:
        if config.pseudo_classes:  # first the labels: a config.json never names clusters that were not kept
            pseudo_classes.write_labels(run_dir, source)
        run_config.write(run_dir, wanted)
    start = int(epoch.numpy())
    if start >= config.epochs:
        print(f"{run_dir}: already trained for {start} epochs (asked {config.epochs}); nothing to do.")
        return gan
    data, steps = training_stream(config, start, source.dataset)
    monitors = [callbacks.StopOnNonFiniteLoss(),
                checkpointing.CheckpointSaver(manager, epoch, run_dir, seed=config.seed, write_files=chief),
                *extra_callbacks]
    if chief:
        clusters = (source.keys, source.labels)  # the run's k-means classes, if any: the same for every stream
        views = observation.ImageGANViews(_open(config, config.seed + 10_000, clusters).dataset, seed=config.seed)
        tensorboard = callbacks.TensorBoardSink(run_dir / "tensorboard" / callbacks.run_name(run_dir.resolve().name))
        monitors.insert(1, callbacks.Probe(views, tensorboard, config.every_n_steps))
        if config.eval_every:
            real = _open(config, config.seed + 20_000, clusters).dataset
            quality = evaluation.measurement(config.eval_measure, real, config.data, config.image_size,
                                             seed=config.seed)
            best = best_checkpoint.BestKeeper(gan, run_dir, config.eval_measure, steps, verbose=bool(verbose))
            monitors.insert(2, callbacks.Probe(quality, [tensorboard, best], config.eval_every))
    with dtype_policy(config.precision):
        try:
            gan.fit(data, epochs=config.epochs, initial_epoch=start, steps_per_epoch=steps, callbacks=monitors,
                    verbose=verbose)
        except tf.errors.InvalidArgumentError:
            _name_corrupt_image(config)
            raise
    if verbose and chief:
        print(f"{run_dir}: checkpoints in {run_dir / 'checkpoints'}, sample grids in {run_dir / 'samples'}, "
              f"TensorBoard logs in {run_dir / 'tensorboard'} (tensorboard --logdir {run_dir / 'tensorboard'}).")
    return gan


def _name_corrupt_image(config):
    """TF's image decoder fails without naming the file: decode a folder's every file to raise a ValueError
    that names the corrupt one (nothing happens for other data or other errors)."""
    if pathlib.Path(config.data).is_dir():
        datasets.scan_image_folder(config.data, verify=True)


def training_stream(config, start_epoch=0, data=None):
    """(endless dataset, steps per epoch): the run's batches from epoch `start_epoch` on, the same batches in
    the same order whether or not the run was interrupted before (see the module docstring). `data`: the
    run's pipeline when already built."""
    data = data or _open(config, config.seed).dataset
    steps = config.steps_per_epoch or int(data.cardinality())
    if steps < 1:
        raise ValueError(f"Cannot count the batches of {config.data!r}: pass steps_per_epoch (--steps-per-epoch).")
    return data.repeat().skip(start_epoch * steps), steps


def _open(config, seed, clusters=None):
    """The run's `datasets.Source` with the shuffle seed `seed`. With `pseudo_classes`, `clusters`: the (keys,
    labels) to use (`pseudo_classes.read_labels`'; None: the images are clustered)."""
    if config.pseudo_classes:
        return pseudo_classes.open_spec(config.data, config.pseudo_classes, config.image_size, config.batch_size,
                                        seed, config.skip_invalid, clusters)
    return datasets.open_spec(config.data, config.image_size, config.batch_size, seed, config.data_dir,
                              skip_invalid=config.skip_invalid, conditional=config.conditional)


def _steps_per_epoch(config, source):
    """Batches per epoch, checked against the data before anything is written."""
    full_batches = source.count // config.batch_size
    if config.steps_per_epoch == 0 and full_batches < 1:
        raise ValueError(f"batch_size (--batch-size) {config.batch_size} is larger than the {source.count} images "
                         f"of {config.data!r}.")
    return config.steps_per_epoch or full_batches

