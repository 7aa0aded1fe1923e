"""Train a DCGAN on images, resumably: what `gan-tf train` and `gan-tf sample` run.

A run directory holds:
  config.json            the run's settings; rerunning with different ones is refused (ValueError)
  checkpoints/           tf.train.CheckpointManager (last 3), written atomically (`gan_tf.images.checkpointing`): G, D,
                         both optimizers (Adam slots, step counts and, under mixed_float16, the loss scales),
                         the seed generator's state and the epoch
  tensorboard/           the write-up's views (`observation.ImageGANViews` in a `callbacks.TensorBoardSink`)
  samples/epoch_NNN.png  the fixed-noise grid after each epoch
  generator.keras        the latest generator (written to a temporary file, then renamed)

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

Distribution: `strategy` names a `tf.distribute` strategy (`gan_tf.images.strategies`); `batch_size` is the global
batch; `sync_batch_norm` computes batch-norm statistics over the global batch.
"""

import contextlib
import dataclasses
import json
import pathlib

import keras
import numpy as np
import tensorflow as tf

from gan_tf import callbacks, models, networks, plotting
from gan_tf.images import checkpointing, datasets, observation, strategies

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
    jit_compile: bool = True           # XLA (CPU: faster for small images, slower at 64x64; see benchmarks)
    strategy: str = "default"          # see gan_tf.images.strategies
    sync_batch_norm: bool = False      # batch-norm statistics over all replicas
    deterministic: bool = False        # TF op determinism: a resumed run matches an uninterrupted one

    def __post_init__(self):
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {sorted(ARCHITECTURES)}, got {self.architecture!r}.")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {self.precision!r}.")
        if self.image_size not in networks.DCGAN_SIZES:
            raise ValueError(f"image_size must be one of {networks.DCGAN_SIZES}, got {self.image_size!r}.")
        if self.latent_distribution not in models.gan.LATENT_DISTRIBUTIONS:
            raise ValueError(f"latent_distribution must be one of {models.gan.LATENT_DISTRIBUTIONS}, "
                             f"got {self.latent_distribution!r}.")
        if self.strategy not in strategies.STRATEGIES:
            raise ValueError(f"strategy must be one of {strategies.STRATEGIES}, got {self.strategy!r}.")
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
    """The compiled GAN of `config` for images with `channels` channels (call inside `dtype_policy` and the
    strategy's scope)."""
    keras.utils.set_random_seed(config.seed)
    make_generator, make_discriminator = ARCHITECTURES[config.architecture]
    width = {"filters": config.filters} if config.architecture == "radford" else {"depths": _writeup_depths(config)}
    shared = dict(image_size=config.image_size, channels=channels, stddev=config.init_stddev,
                  synchronized_batch_norm=config.sync_batch_norm)
    generator = make_generator(latent_dim=config.latent_dim, **shared, **width)
    width = width if config.architecture == "radford" else {"depths": tuple(reversed(width["depths"]))}
    discriminator = make_discriminator(**shared, **width)
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


def train(config, run_dir, verbose=1, extra_callbacks=()):
    """Train (or resume) the run in `run_dir`; returns the GAN (its `history` too). `extra_callbacks` (e.g. a
    `callbacks.Probe`) are added to the run's own."""
    run_dir = pathlib.Path(run_dir)
    _check_or_write_config(config, run_dir)
    if config.deterministic:
        tf.config.experimental.enable_op_determinism()
    strategy = strategies.make_strategy(config.strategy)
    chief = strategies.is_chief(strategy)
    with dtype_policy(config.precision), strategy.scope():
        gan = build_gan(config, _channels(config))
        epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        # Every multi-worker worker must save (collectively); only the chief's checkpoints are the run's.
        directory = run_dir / "checkpoints" if chief else run_dir / "workers" / strategies.worker_name(strategy)
        manager = tf.train.CheckpointManager(checkpointing.checkpoint_of(gan, epoch), directory, CHECKPOINTS_KEPT)
    latest = tf.train.latest_checkpoint(str(run_dir / "checkpoints"))
    if latest:
        manager.checkpoint.restore(latest).assert_existing_objects_matched()
        print(f"{run_dir}: resuming from {latest} (epoch {int(epoch.numpy())}).")
    start = int(epoch.numpy())
    if start >= config.epochs:
        print(f"{run_dir}: already trained for {start} epochs (asked {config.epochs}); nothing to do.")
        return gan
    data, steps = training_stream(config, start)
    monitors = [callbacks.StopOnNonFiniteLoss(),
                checkpointing.CheckpointSaver(manager, epoch, run_dir, seed=config.seed, write_files=chief),
                *extra_callbacks]
    if chief:
        views = observation.ImageGANViews(_data(config, config.seed + 10_000), seed=config.seed)
        tensorboard = callbacks.TensorBoardSink(run_dir / "tensorboard")
        monitors.insert(1, callbacks.Probe(views, tensorboard, config.every_n_steps))
    with dtype_policy(config.precision):
        try:
            gan.fit(data, epochs=config.epochs, initial_epoch=start, steps_per_epoch=steps, callbacks=monitors,
                    verbose=verbose)
        except tf.errors.InvalidArgumentError:
            _name_corrupt_image(config)
            raise
    return gan


def _name_corrupt_image(config):
    """TF's image decoder fails without naming the file: decode a folder's every file to raise a ValueError
    that names the corrupt one (nothing happens for other data or other errors)."""
    if pathlib.Path(config.data).is_dir():
        datasets.scan_image_folder(config.data, verify=True)


def training_stream(config, start_epoch=0):
    """(endless dataset, steps per epoch): the run's batches from epoch `start_epoch` on, the same batches in
    the same order whether or not the run was interrupted before (see the module docstring)."""
    data = _data(config, config.seed)
    steps = config.steps_per_epoch or int(data.cardinality())
    if steps < 1:
        raise ValueError(f"Cannot count the batches of {config.data!r}: pass steps_per_epoch.")
    return data.repeat().skip(start_epoch * steps), steps


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
    gan = build_gan(dataclasses.replace(config, precision="float32", jit_compile=False), _channels(config, run_dir))
    tf.train.Checkpoint(generator=gan.generator).restore(latest).expect_partial()
    return gan, config


def sample(run_dir, n=64, out="grid.png", seed=0, columns=None):
    """Draw `n` images from the run's generator into the PNG grid `out`; returns the images."""
    gan, _ = load_generator(run_dir)
    images = gan.generate(n, seed=seed)
    plotting.save_image_grid(images, out, columns)
    return images


def _data(config, seed):
    return datasets.from_spec(config.data, config.image_size, config.batch_size, seed, config.data_dir)


def _channels(config, run_dir=None):
    """The images' channels: from the run's saved generator when there is one (the data may be gone), else
    from the data."""
    saved = pathlib.Path(run_dir) / "generator.keras" if run_dir else None
    if saved and saved.is_file():
        return int(keras.saving.load_model(saved, compile=False).output_shape[-1])
    return int(_data(config, config.seed).element_spec.shape[-1])


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
    checkpointing.atomic_write(path, lambda temporary: temporary.write_text(json.dumps(wanted, indent=2) + "\n"))
