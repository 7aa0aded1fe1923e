"""Watching a GAN train: TensorBoard summaries and an in-memory recorder of the same series.

Both callbacks look at the model every `every_n_steps` training steps, *outside* `train_step` (so they
work when it is XLA-compiled, where `tf.summary` ops cannot run), on a probe:
  - a fresh batch of real samples taken from `real_data` (a `tf.data.Dataset` of batches),
  - as many generated samples, from the callback's own seed (the training random stream is untouched),
  - D evaluated in inference mode (dropout off).
From the probe they compute the scalars `d_loss` (with D's regularization losses), `g_loss`,
`p_real_on_real`, `p_real_on_fake` (mean sigmoid of D), `G/mean` and `G/stddev` for a linear generator,
and the samples `real_data`, `fake_data`, `d_real`, `d_fake` (D's probabilities) behind the histograms.
The step is counted from the start of `fit` (with `steps_per_execution=k`, observations fall on the first
batch end at or after each multiple of `every_n_steps`).
"""

import keras
import numpy as np
import tensorflow as tf

from gan_tf import networks

HISTOGRAM_NAMES = ("real_data", "fake_data", "d_real", "d_fake")


def observe(model, real, seed_generator):
    """One probe of `model` on the real batch `real`: (scalars, samples), both dicts of NumPy values."""
    fake = model.generator(model.sample_latent(tf.shape(real)[0], seed=seed_generator), training=False)
    real_logits = model.discriminator(real, training=False)
    fake_logits = model.discriminator(fake, training=False)
    family = model.loss_family
    d_loss = family.discriminator_loss(real_logits, fake_logits)
    if model.discriminator.losses:
        d_loss += tf.add_n([tf.cast(term, tf.float32) for term in model.discriminator.losses])
    d_real = tf.sigmoid(tf.cast(real_logits, tf.float32))
    d_fake = tf.sigmoid(tf.cast(fake_logits, tf.float32))
    scalars = {
        "d_loss": d_loss,
        "g_loss": family.generator_loss(fake_logits),
        "p_real_on_real": tf.reduce_mean(d_real),
        "p_real_on_fake": tf.reduce_mean(d_fake),
        **generator_parameters(model.generator),
    }
    samples = {"real_data": real, "fake_data": fake, "d_real": d_real, "d_fake": d_fake}
    return _to_numpy(scalars), _to_numpy(samples)


def generator_parameters(generator):
    """{"G/mean": .., "G/stddev": ..} for a linear generator (per coordinate when dim > 1), else {}."""
    layer = networks.location_scale_layer(generator)
    if layer is None:
        return {}
    means = keras.ops.convert_to_numpy(layer.mean)
    stddevs = keras.ops.convert_to_numpy(layer.stddev)
    if means.size == 1:
        return {"G/mean": means[0], "G/stddev": stddevs[0]}
    parameters = {f"G/mean_{index}": value for index, value in enumerate(means)}
    parameters.update({f"G/stddev_{index}": value for index, value in enumerate(stddevs)})
    return parameters


class ProbeCallback(keras.callbacks.Callback):
    """Base class: calls `self.record(step, scalars, samples)` at step 0 and every `every_n_steps` steps."""

    def __init__(self, real_data, every_n_steps=10, seed=0):
        super().__init__()
        if not isinstance(every_n_steps, int) or every_n_steps < 1:
            raise ValueError(f"every_n_steps must be a positive integer, got {every_n_steps!r}.")
        if not isinstance(real_data, tf.data.Dataset):
            raise ValueError(f"real_data must be a tf.data.Dataset of real batches, got {type(real_data).__name__}.")
        self.real_data = real_data
        self.every_n_steps = every_n_steps
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._real_batches = None
        self._epoch = 0
        self._last_bucket = -1

    def on_train_begin(self, logs=None):
        self._real_batches = iter(self.real_data.repeat())
        self._probe(step=0)
        self._last_bucket = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        step = self._epoch * (self.params.get("steps") or 0) + batch + 1
        bucket = step // self.every_n_steps
        if bucket > self._last_bucket:
            self._last_bucket = bucket
            self._probe(step)

    def _probe(self, step):
        scalars, samples = observe(self.model, next(self._real_batches), self.seed_generator)
        self.record(step, scalars, samples)

    def record(self, step, scalars, samples):
        raise NotImplementedError


class TensorBoardMonitor(ProbeCallback):
    """Writes the probe's scalars and histograms to a TensorBoard event file in `log_dir`."""

    def __init__(self, log_dir, real_data, every_n_steps=10, seed=0):
        super().__init__(real_data, every_n_steps, seed)
        self.log_dir = str(log_dir)
        self._writer = None

    def on_train_begin(self, logs=None):
        self._writer = tf.summary.create_file_writer(self.log_dir)
        super().on_train_begin(logs)

    def record(self, step, scalars, samples):
        with self._writer.as_default(step=step):
            for name, value in scalars.items():
                tf.summary.scalar(name, value)
            for name in HISTOGRAM_NAMES:
                tf.summary.histogram(name, samples[name])

    def on_train_end(self, logs=None):
        self._writer.flush()


class Recorder(ProbeCallback):
    """Keeps the probe's series in memory for plotting.

    Attributes:
      steps: list of steps observed.
      scalars: name -> list of floats (one per step).
      samples: name -> list of flattened NumPy arrays (one per step), for histograms over steps.
      discriminator_on_grid: if `grid` (a 1-D array of x values) is given, a list of D(x) probabilities on
        it, one per step (for training animations of 1-D GANs).
    """

    def __init__(self, real_data, every_n_steps=10, seed=0, grid=None):
        super().__init__(real_data, every_n_steps, seed)
        self.grid = None if grid is None else np.asarray(grid, dtype=np.float32).reshape(-1, 1)
        self.steps, self.scalars, self.samples, self.discriminator_on_grid = [], {}, {}, []

    def record(self, step, scalars, samples):
        self.steps.append(step)
        for name, value in scalars.items():
            self.scalars.setdefault(name, []).append(float(value))
        for name, value in samples.items():
            self.samples.setdefault(name, []).append(np.asarray(value).reshape(-1))
        if self.grid is not None:
            logits = self.model.discriminator(self.grid, training=False)
            self.discriminator_on_grid.append(keras.ops.convert_to_numpy(tf.sigmoid(logits)).reshape(-1))

    def final(self, name, window=10):
        """Mean of the last `window` recorded values of the scalar `name`."""
        values = self.scalars[name]
        return float(np.mean(values[-window:]))


def _to_numpy(tensors):
    return {name: keras.ops.convert_to_numpy(value) for name, value in tensors.items()}
