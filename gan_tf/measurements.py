"""What a `callbacks.Probe` measures on a GAN while it trains.

A measurement is an object with `measure(model) -> Observation`; the probe calls it outside `train_step` (so
it works when that is XLA-compiled) and hands the observation to its sinks (`gan_tf.callbacks`).

  Observation              scalars (name -> number), samples (name -> array; histograms), images (name -> batch),
                           and where TensorBoard shows each (`Placement`: a tag, a run)
  Placement                (tag, run, per_coordinate): where `callbacks.TensorBoardSink` writes one named value
  LossesAndSamples         the toy GANs' view: losses, D's probabilities, a linear G's parameters, the samples
  GeneratorGradient        ||grad_theta L_G|| and mean D(G(z)) on a fixed real batch and fixed z; G(z)
  GeneratedSamples         fixed real samples and G's samples from a fixed seed (`model.generate`), nothing else
  generator_gradient_norm  the same two numbers at the model's current weights, without a callback
  generator_parameters     {"G/mean", "G/stddev"} of a linear generator
  RealBatches              a probe's real batches, read endlessly from a `tf.data.Dataset`
The image GANs' measurement (the write-up's views) is `gan_tf.images.observation.ImageGANViews`.
"""

import types
import typing

import keras
import numpy as np
import tensorflow as tf

from gan_tf import losses, networks


class Placement(typing.NamedTuple):
    """Where `callbacks.TensorBoardSink` writes one named value of an observation: under `tag` in the run `run`
    (a sub-folder of its log folder; "" is the log folder itself). Real and fake versions of one quantity share
    a tag in the sibling runs "real" and "fake", so that TensorBoard puts their cards side by side and overlays
    their scalars on one chart. With `per_coordinate`, a sample `[n, d]` (d > 1) becomes d histograms
    `<tag>/x0`, `<tag>/x1`, ... instead of one histogram of all its numbers pooled."""

    tag: str
    run: str = ""
    per_coordinate: bool = False


class Observation(typing.NamedTuple):
    """One probe: `scalars` (name -> number), `samples` (name -> array; TensorBoard draws histograms of them)
    and `images` (name -> a batch `[n, height, width, channels]` in [-1, 1]; TensorBoard shows one grid each).
    `placements` (name -> `Placement`) says where TensorBoard shows a value; a name without one is written
    under its own name in the main run. A `callbacks.MemorySink` keeps the names."""

    scalars: dict
    samples: dict
    images: dict
    placements: dict = types.MappingProxyType({})


class RealBatches:
    """The probe's real batches: `next()` returns the next batch of `real_data` (a `tf.data.Dataset` of
    batches), repeated endlessly; iteration starts at the first call and continues across `fit` calls."""

    def __init__(self, real_data):
        if not isinstance(real_data, tf.data.Dataset):
            raise ValueError(f"real_data must be a tf.data.Dataset of real batches, got {type(real_data).__name__}.")
        self.real_data = real_data
        self._iterator = None

    def next(self):
        if self._iterator is None:
            self._iterator = iter(self.real_data.repeat())
        return next(self._iterator)


class LossesAndSamples:
    """The toy GANs' view, on a fresh real batch of `real_data` and as many generated samples per probe.

    z is drawn from the measurement's own `keras.random.SeedGenerator(seed)` (the training random stream is
    untouched); D runs in inference mode (dropout off). Scalars: `d_loss` (the model's
    `discriminator_loss_from_logits`, D's regularization losses included), `g_loss`, `p_real_on_real`,
    `p_real_on_fake` (mean sigmoid of D), and `G/mean`, `G/stddev` for a linear generator. Samples:
    `real_data`, `fake_data`, `d_real`, `d_fake` (D's probabilities), and with `grid` (x values of a 1-D GAN)
    `d_on_grid`: D(x) on them (for training animations). In TensorBoard (`PLACEMENTS`): "loss/d", "loss/g";
    "D/mean_output" in the runs "real" and "fake" (the two probabilities on one chart); "data/samples" (per
    coordinate for a 2-D target) and "D/output" histograms in the runs "real" and "fake"; G's parameters as named.
    """

    PLACEMENTS = types.MappingProxyType({
        "d_loss": Placement("loss/d"), "g_loss": Placement("loss/g"),
        "p_real_on_real": Placement("D/mean_output", "real"), "p_real_on_fake": Placement("D/mean_output", "fake"),
        "real_data": Placement("data/samples", "real", per_coordinate=True),
        "fake_data": Placement("data/samples", "fake", per_coordinate=True),
        "d_real": Placement("D/output", "real"), "d_fake": Placement("D/output", "fake"),
        "d_on_grid": Placement("D/output_on_grid")})

    def __init__(self, real_data, seed=0, grid=None):
        self.real_batches = RealBatches(real_data)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.grid = None if grid is None else np.asarray(grid, dtype=np.float32).reshape(-1, 1)
        self._measured = tf.function(self._tensors)  # one graph call per probe, not ~50 eager Keras ops

    def measure(self, model):
        scalars, samples = self._measured(model, self.real_batches.next())
        return Observation({**to_numpy(scalars), **generator_parameters(model.generator)}, to_numpy(samples), {},
                           self.PLACEMENTS)

    def _tensors(self, model, real):
        fake = model.generator(model.sample_latent(tf.shape(real)[0], seed=self.seed_generator), training=False)
        real_logits = model.discriminator(real, training=False)
        fake_logits = model.discriminator(fake, training=False)
        d_real = tf.sigmoid(tf.cast(real_logits, tf.float32))
        d_fake = tf.sigmoid(tf.cast(fake_logits, tf.float32))
        scalars = {"d_loss": model.discriminator_loss_from_logits(real_logits, fake_logits),
                   "g_loss": model.loss_family.generator_loss(fake_logits),
                   "p_real_on_real": tf.reduce_mean(d_real),
                   "p_real_on_fake": tf.reduce_mean(d_fake)}
        samples = {"real_data": real, "fake_data": fake, "d_real": d_real, "d_fake": d_fake}
        if self.grid is not None:
            samples["d_on_grid"] = tf.reshape(tf.sigmoid(model.discriminator(self.grid, training=False)), [-1])
        return scalars, samples


class GeneratorGradient:
    """`generator_gradient_norm` on a fixed real batch `real` and fixed latent vectors `latent` (the same at
    every probe, so that successive values differ only by training): scalars `generator_gradient_norm` and
    `p_real_on_fake`, and with `keep_samples` the samples `fake_data` = G(latent) in inference mode and
    `real_data` = `real`. In TensorBoard: "G/gradient_norm", "D/mean_output" (run "fake"), "data/samples" (runs
    "real" and "fake", per coordinate)."""

    PLACEMENTS = types.MappingProxyType({
        "generator_gradient_norm": Placement("G/gradient_norm"),
        "p_real_on_fake": LossesAndSamples.PLACEMENTS["p_real_on_fake"],
        "real_data": LossesAndSamples.PLACEMENTS["real_data"],
        "fake_data": LossesAndSamples.PLACEMENTS["fake_data"]})

    def __init__(self, real, latent, keep_samples=True):
        self.real = tf.convert_to_tensor(real, tf.float32)
        self.latent = tf.convert_to_tensor(latent, tf.float32)
        self.keep_samples = keep_samples

    def measure(self, model):
        norm, confidence = generator_gradient_norm(model, self.real, self.latent)
        samples = {}
        if self.keep_samples:
            samples["real_data"] = keras.ops.convert_to_numpy(self.real)
            samples["fake_data"] = keras.ops.convert_to_numpy(model.generator(self.latent, training=False))
        return Observation({"generator_gradient_norm": norm, "p_real_on_fake": confidence}, samples, {},
                           self.PLACEMENTS)


class GeneratedSamples:
    """Samples only: `real_data` = `real` (fixed) and `fake_data` = `model.generate(len(real), seed=seed)`, the
    same z at every probe (an integer seed: the training random stream is untouched), for any GAN with
    `generate` (a conditional GAN's labels run 0, 1, ..., K-1 in turn; a packed GAN's samples one by one). In
    TensorBoard: "data/samples" in the runs "real" and "fake" (per coordinate), and their picture."""

    PLACEMENTS = types.MappingProxyType({"real_data": LossesAndSamples.PLACEMENTS["real_data"],
                                         "fake_data": LossesAndSamples.PLACEMENTS["fake_data"]})

    def __init__(self, real, seed=0):
        self.real = np.asarray(real, dtype=np.float32)
        if self.real.ndim < 2 or not len(self.real):
            raise ValueError(f"real must be a batch of samples [n, ...] with n >= 1, got shape {self.real.shape}.")
        self.seed = seed

    def measure(self, model):
        samples = {"real_data": self.real, "fake_data": model.generate(len(self.real), seed=self.seed)}
        return Observation({}, samples, {}, self.PLACEMENTS)


def generator_gradient_norm(model, real, latent, loss=None):
    """(||grad_theta L_G||, mean D(G(z))) at the current weights, without any update.

    Args:
      model: a `gan_tf.models.GAN`. Its `compute_generator_loss` hook is used as in training, instance noise
        included (which draws from the model's seed generator).
      real, latent: a real batch and latent vectors `[batch, latent_dim]`.
      loss: a name in `gan_tf.losses.FAMILIES` to use that family's generator loss on D's logits instead
        of the model's hook (e.g. to compare "minimax" and "non_saturating" at the same point).
    Returns:
      Two Python floats: the global norm over G's trainable weights and the mean probability "real" that D
      gives to the fakes.
    """
    variables = model.generator.trainable_variables
    with tf.GradientTape() as tape:
        fake = model.generator(latent, training=True)
        if loss is None:
            generator_loss, fake_logits = model.compute_generator_loss(real, fake)
        else:
            fake_logits = model.discriminator(fake, training=True)
            generator_loss = losses.get(loss).generator_loss(fake_logits)
    norm = tf.linalg.global_norm(tape.gradient(generator_loss, variables))
    confidence = tf.reduce_mean(tf.sigmoid(tf.cast(fake_logits, tf.float32)))
    return float(norm), float(confidence)


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


def to_numpy(tensors):
    """{name: NumPy value} of a dict of tensors."""
    return {name: keras.ops.convert_to_numpy(value) for name, value in tensors.items()}
