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

import contextlib

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks, networks

HISTOGRAM_NAMES = ("real_data", "fake_data", "d_real", "d_fake")


def observe(model, real, seed_generator):
    """One probe of `model` on the real batch `real`: (scalars, samples), both dicts of NumPy values."""
    fake = model.generator(model.sample_latent(tf.shape(real)[0], seed=seed_generator), training=False)
    real_logits = model.discriminator(real, training=False)
    fake_logits = model.discriminator(fake, training=False)
    family = model.loss_family
    d_loss = model.discriminator_loss_from_logits(real_logits, fake_logits)
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


def write_summaries(scalars, histograms):
    """Write scalars and histograms (dicts name -> value) to the default summary writer at its step."""
    for name, value in scalars.items():
        tf.summary.scalar(name, value)
    for name, values in histograms.items():
        tf.summary.histogram(name, values)


class ProbeCallback(keras.callbacks.Callback):
    """Base class: calls `self.record(step, scalars, samples)` at step 0 and every `every_n_steps` steps."""

    def __init__(self, real_data, every_n_steps=10, seed=0):
        super().__init__()
        checks.positive_integer("every_n_steps", every_n_steps)
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
            write_summaries(scalars, {name: samples[name] for name in HISTOGRAM_NAMES})

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


# --------------------------------------------------------------------------------------------------
# Images (DCGAN): the TensorBoard views of S. Shekkizhar's write-up "Difficulties training a Generative Adversarial
# Network" (https://github.com/shekkizh/neuralnetworks.thought-experiments, Generative Models/GAN), from the
# training graph as there: D and G run in training
# mode (batch statistics), then the BatchNorm moving statistics are restored, so a probe changes nothing.
# Scalars: d_loss (the family's), d_loss_real = E[softplus(-D(x))], d_loss_fake = E[softplus(D(G(z)))], g_loss
# (adversarial term), p_real_on_*, first-layer gradient norms, loss scales. Histograms: IMAGE_HISTOGRAM_NAMES.
# --------------------------------------------------------------------------------------------------

IMAGE_HISTOGRAM_NAMES = ("d_real", "d_fake", "D/first_layer_weights", "D/first_layer_gradients",
                         "G/first_layer_weights", "G/first_layer_gradients")


def observe_images(model, real, latent):
    """One probe of an image GAN on the real batch `real` and latent batch `latent`: (scalars, samples)."""
    with _restoring(model.discriminator.non_trainable_variables + model.generator.non_trainable_variables):
        d_terms, d_gradient = _first_layer_gradient(model.discriminator, model.d_optimizer,
                                                    lambda: _discriminator_terms(model, real, latent))
        g_terms, g_gradient = _first_layer_gradient(model.generator, model.g_optimizer,
                                                    lambda: _generator_terms(model, latent))
    scalars = {**d_terms, **g_terms,
               "D/first_layer_gradient_norm": tf.norm(d_gradient), "G/first_layer_gradient_norm": tf.norm(g_gradient),
               **loss_scales(model)}
    samples = {"d_real": scalars.pop("d_real"), "d_fake": scalars.pop("d_fake"),
               "D/first_layer_weights": networks.first_weight_layer(model.discriminator).kernel,
               "D/first_layer_gradients": d_gradient,
               "G/first_layer_weights": networks.first_weight_layer(model.generator).kernel,
               "G/first_layer_gradients": g_gradient}
    return _to_numpy(scalars), _to_numpy(samples)


def loss_scales(model):
    """{"loss_scale/d": .., "loss_scale/g": ..} for optimizers that are `LossScaleOptimizer`s, else {}."""
    scales = {}
    for name, optimizer in (("d", model.d_optimizer), ("g", model.g_optimizer)):
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer) and hasattr(optimizer, "dynamic_scale"):
            scales[f"loss_scale/{name}"] = tf.convert_to_tensor(optimizer.dynamic_scale)
    return scales


def _discriminator_terms(model, real, latent):
    fake = model.generator(latent, training=True)
    real_logits = tf.cast(model.discriminator(real, training=True), tf.float32)
    fake_logits = tf.cast(model.discriminator(fake, training=True), tf.float32)
    loss = model.loss_family.discriminator_loss(real_logits, fake_logits)
    terms = {"d_loss": loss, "d_loss_real": tf.reduce_mean(tf.nn.softplus(-real_logits)),
             "d_loss_fake": tf.reduce_mean(tf.nn.softplus(fake_logits)),
             "p_real_on_real": tf.reduce_mean(tf.sigmoid(real_logits)),
             "p_real_on_fake": tf.reduce_mean(tf.sigmoid(fake_logits)),
             "d_real": tf.sigmoid(real_logits), "d_fake": tf.sigmoid(fake_logits)}
    return loss, terms


def _generator_terms(model, latent):
    loss = model.loss_family.generator_loss(model.discriminator(model.generator(latent, training=True), training=True))
    return loss, {"g_loss": loss}


def _first_layer_gradient(network, optimizer, compute):
    """(terms, gradient of the loss for the kernel of `network`'s first layer), unscaled like an update."""
    kernel = networks.first_weight_layer(network).kernel
    with tf.GradientTape() as tape:
        loss, terms = compute()
        scaled = optimizer.scale_loss(loss)
    scale = tf.cast(optimizer.scale_loss(tf.constant(1.0)), tf.float32)  # 1 without a LossScaleOptimizer
    return terms, tf.cast(tape.gradient(scaled, kernel), tf.float32) / scale


@contextlib.contextmanager
def _restoring(variables):
    """Puts `variables` (BN moving statistics) back to their values on entry."""
    values = [variable.numpy() for variable in variables]
    yield
    for variable, value in zip(variables, values):
        variable.assign(value)


class ImageProbeCallback(ProbeCallback):
    """Base class for image GANs: `record(step, scalars, samples)` with `observe_images`' probe, plus
    samples["grid"]: G (inference mode) on `grid_size` fixed latent vectors, the same at every probe.

    `initial_step` numbers the first probe when training resumes (a `fit` with `initial_epoch`).
    """

    def __init__(self, real_data, every_n_steps=100, seed=0, grid_size=64, initial_step=0):
        super().__init__(real_data, every_n_steps, seed)
        self.grid_size = grid_size
        self.grid_seed = seed
        self.initial_step = initial_step
        self.grid_latent = None

    def on_train_begin(self, logs=None):
        self._real_batches = iter(self.real_data.repeat())
        self.grid_latent = self.model.sample_latent(self.grid_size, seed=keras.random.SeedGenerator(self.grid_seed))
        self._probe(step=self.initial_step)
        self._last_bucket = self.initial_step // self.every_n_steps

    def on_train_batch_end(self, batch, logs=None):
        steps = self.params.get("steps") or 0
        step = self._epoch * steps + batch + 1
        if step // self.every_n_steps > self._last_bucket:
            self._last_bucket = step // self.every_n_steps
            self._probe(step)

    def _probe(self, step):
        real = next(self._real_batches)
        latent = self.model.sample_latent(tf.shape(real)[0], seed=self.seed_generator)
        scalars, samples = observe_images(self.model, real, latent)
        samples["grid"] = keras.ops.convert_to_numpy(self.model.generator(self.grid_latent, training=False))
        self.record(step, scalars, samples)


class ImageTensorBoard(ImageProbeCallback):
    """The TensorBoard views of Shekkizhar's write-up: scalars, histograms, the fixed-noise image grid in `log_dir`."""

    def __init__(self, log_dir, real_data, every_n_steps=100, seed=0, grid_size=64, initial_step=0):
        super().__init__(real_data, every_n_steps, seed, grid_size, initial_step)
        self.log_dir = str(log_dir)
        self._writer = None

    def on_train_begin(self, logs=None):
        self._writer = tf.summary.create_file_writer(self.log_dir)
        super().on_train_begin(logs)

    def record(self, step, scalars, samples):
        from gan_tf import plotting  # noqa: PLC0415  (matplotlib only when images are written)

        with self._writer.as_default(step=step):
            write_summaries(scalars, {name: samples[name] for name in IMAGE_HISTOGRAM_NAMES})
            tf.summary.image("fixed_noise_samples", plotting.images_to_grid(samples["grid"])[None])

    def on_train_end(self, logs=None):
        self._writer.flush()


class ImageRecorder(ImageProbeCallback):
    """Keeps the image probe in memory: `steps`, `scalars` (name -> list), `samples` (name -> list of at most
    `max_values` fixed-position values per probe) and `grids` (the fixed-noise images of each probe)."""

    def __init__(self, real_data, every_n_steps=100, seed=0, grid_size=64, max_values=4096):
        super().__init__(real_data, every_n_steps, seed, grid_size)
        self.max_values = max_values
        self.steps, self.scalars, self.samples, self.grids = [], {}, {}, []

    def record(self, step, scalars, samples):
        self.steps.append(step)
        self.grids.append(samples["grid"])
        for name, value in scalars.items():
            self.scalars.setdefault(name, []).append(float(value))
        for name in IMAGE_HISTOGRAM_NAMES:
            values = np.asarray(samples[name]).reshape(-1)
            stride = max(1, len(values) // self.max_values)
            self.samples.setdefault(name, []).append(values[::stride][: self.max_values])

    def final(self, name, window=5):
        """Mean of the last `window` recorded values of the scalar `name`."""
        return float(np.mean(self.scalars[name][-window:]))
