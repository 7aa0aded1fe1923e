"""The write-up's TensorBoard views of an image GAN (DCGAN), as a measurement for `gan_tf.callbacks.Probe`.

`ImageGANViews(real_data, seed, grid_size)` measures, on a fresh real batch of `real_data` and as many latent
vectors from its own seed, the training graph as it runs: D and G in training mode (batch statistics), after
which the BatchNorm moving statistics and D's variables (spectral normalisation rewrites D's kernels in training
mode) are restored, so that a probe changes nothing. Scalars: d_loss (the
model's `discriminator_loss_from_logits`), d_loss_real = E[softplus(-D(x))], d_loss_fake = E[softplus(D(G(z)))],
g_loss (adversarial term), p_real_on_real, p_real_on_fake, first-layer gradient norms of D and G, loss
scales, and for an `AugmentedGAN` "augment/probability" (ADA's p). Samples (histograms): `IMAGE_HISTOGRAM_NAMES`.
Images: "real_samples", the probe's first `grid_size` real images, "fixed_noise_samples", G (inference mode)
on `grid_size` fixed latent vectors, the same at every probe, and with a generator average (EMA)
"fixed_noise_samples/average", the averaged G on the same vectors. In TensorBoard (`PLACEMENTS`) the losses sit
under "loss/" (D's two terms as "loss/d_term" in the runs "real" and "fake", on one chart), D's mean
probabilities under "D/mean_output" and its outputs under "D/output" in the runs "real" and "fake", the grids
under "data/" side by side ("data/real_samples", "data/fixed_noise_samples", ".../average"). `SampleQuality`
measures the samples' sliced Wasserstein distance to real images (`gan-tf train --eval-every N`).

    callbacks.Probe(observation.ImageGANViews(probe_data), callbacks.TensorBoardSink(log_dir), every_n_steps=100)
"""

import contextlib

import keras
import numpy as np
import tensorflow as tf

from gan_tf import measurements, models, networks
from gan_tf.images import sliced_wasserstein
from gan_tf.models import sampling

QUALITY_IMAGES = 512  # real images and samples compared by `SampleQuality` (ProGAN's SWD used 16k)
IMAGE_HISTOGRAM_NAMES = ("d_real", "d_fake", "D/first_layer_weights", "D/first_layer_gradients",
                         "G/first_layer_weights", "G/first_layer_gradients")
PLACEMENTS = {"d_loss": measurements.Placement("loss/d"), "g_loss": measurements.Placement("loss/g"),
              "d_loss_real": measurements.Placement("loss/d_term", "real"),
              "d_loss_fake": measurements.Placement("loss/d_term", "fake"),
              "p_real_on_real": measurements.Placement("D/mean_output", "real"),
              "p_real_on_fake": measurements.Placement("D/mean_output", "fake"),
              "d_real": measurements.Placement("D/output", "real"),
              "d_fake": measurements.Placement("D/output", "fake"),
              "real_samples": measurements.Placement("data/real_samples"),
              "fixed_noise_samples": measurements.Placement("data/fixed_noise_samples"),
              "fixed_noise_samples/average": measurements.Placement("data/fixed_noise_samples/average")}


class ImageGANViews:
    """The write-up's views (see the module docstring): `measure(model) -> measurements.Observation`."""

    def __init__(self, real_data, seed=0, grid_size=64):
        self.real_batches = measurements.RealBatches(real_data)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.grid_seed, self.grid_size = seed, grid_size
        self.grid_latent = None

    def measure(self, model):
        if self.grid_latent is None:
            self.grid_latent = model.sample_latent(self.grid_size, seed=keras.random.SeedGenerator(self.grid_seed))
        real = self.real_batches.next()
        real_images = tf.nest.flatten(real)[0]  # (images, labels) in a conditional run
        latent = model.sample_latent(tf.shape(real_images)[0], seed=self.seed_generator)
        scalars, samples = observe_images(model, real, latent)
        images = {"real_samples": keras.ops.convert_to_numpy(real_images[: self.grid_size]),
                  "fixed_noise_samples": _fixed_noise_images(model, self.grid_latent)}
        if model.generator_average is not None:
            with sampling.averaged_weights(model.generator, model.generator_average):
                images["fixed_noise_samples/average"] = _fixed_noise_images(model, self.grid_latent)
        if isinstance(model, models.AugmentedGAN):
            scalars["augment/probability"] = float(model.augment_probability.numpy())
        return measurements.Observation(scalars, samples, images, PLACEMENTS)


class SampleQuality:
    """`measure(model)`: the sliced Wasserstein distance (`sliced_wasserstein`, x 1e3, per pyramid level and their
    mean) between the first `count` images of `real_data` and as many samples of the model (of its generator
    average when it keeps one) from fixed latent vectors, as scalars "quality/swd_<level>", "quality/swd_mean"."""

    def __init__(self, real_data, count=QUALITY_IMAGES, seed=0):
        self.real_data, self.count, self.seed = real_data, count, seed
        self.real = None

    def measure(self, model):
        if self.real is None:
            self.real = first_images(self.real_data, self.count)
        fake = model.generate(len(self.real), seed=self.seed)
        distances = sliced_wasserstein.sliced_wasserstein_distances(self.real, fake, seed=self.seed)
        return measurements.Observation({f"quality/swd_{name}": value for name, value in distances.items()}, {}, {})


def first_images(real_data, count):
    """The first `count` images of a dataset of batches (all of them when it holds fewer), as one array."""
    batches, found = [], 0
    for batch in real_data:
        batches.append(keras.ops.convert_to_numpy(tf.nest.flatten(batch)[0]))  # the images of (images, labels)
        found += len(batches[-1])
        if found >= count:
            break
    return np.concatenate(batches)[:count]


def observe_images(model, real, latent):
    """One probe of an image GAN on the real batch `real` and latent batch `latent`: (scalars, samples)."""
    # D's every variable: Keras' SpectralNormalization rewrites the kernels it wraps in training mode
    with _restoring(model.discriminator.variables + model.generator.non_trainable_variables):
        d_terms, d_gradient = _first_layer_gradient(model.discriminator, model.d_optimizer,
                                                    lambda: _discriminator_terms(model, real, latent))
        g_terms, g_gradient = _first_layer_gradient(model.generator, model.g_optimizer,
                                                    lambda: _generator_terms(model, real, latent))
    scalars = {**d_terms, **g_terms,
               "D/first_layer_gradient_norm": tf.norm(d_gradient), "G/first_layer_gradient_norm": tf.norm(g_gradient),
               **loss_scales(model)}
    samples = {"d_real": scalars.pop("d_real"), "d_fake": scalars.pop("d_fake"),
               "D/first_layer_weights": networks.first_weight_layer(model.discriminator).kernel,
               "D/first_layer_gradients": d_gradient,
               "G/first_layer_weights": networks.first_weight_layer(model.generator).kernel,
               "G/first_layer_gradients": g_gradient}
    return measurements.to_numpy(scalars), measurements.to_numpy(samples)


def loss_scales(model):
    """{"loss_scale/d": .., "loss_scale/g": ..} for optimizers that are `LossScaleOptimizer`s, else {}."""
    scales = {}
    for name, optimizer in (("d", model.d_optimizer), ("g", model.g_optimizer)):
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer) and hasattr(optimizer, "dynamic_scale"):
            scales[f"loss_scale/{name}"] = tf.convert_to_tensor(optimizer.dynamic_scale)
    return scales


def _discriminator_terms(model, real, latent):
    fake = model.make_fake(real, latent, training=True)
    real_logits = tf.cast(_discriminate(model, real), tf.float32)
    fake_logits = tf.cast(_discriminate(model, fake), tf.float32)
    loss = model.discriminator_loss_from_logits(real_logits, fake_logits)
    terms = {"d_loss": loss, "d_loss_real": tf.reduce_mean(tf.nn.softplus(-real_logits)),
             "d_loss_fake": tf.reduce_mean(tf.nn.softplus(fake_logits)),
             "p_real_on_real": tf.reduce_mean(tf.sigmoid(real_logits)),
             "p_real_on_fake": tf.reduce_mean(tf.sigmoid(fake_logits)),
             "d_real": tf.sigmoid(real_logits), "d_fake": tf.sigmoid(fake_logits)}
    return loss, terms


def _generator_terms(model, real, latent):
    loss = model.loss_family.generator_loss(_discriminate(model, model.make_fake(real, latent, training=True)))
    return loss, {"g_loss": loss}


def _discriminate(model, samples):
    """D's logits in training mode: of images, or of a conditional GAN's (images, labels)."""
    if isinstance(model, models.ConditionalGAN):
        return model.discriminate(*samples)[0]
    return model.discriminator(samples, training=True)


def _fixed_noise_images(model, latent):
    """G (inference mode) on `latent`; a conditional GAN's row i of class i mod K."""
    real = None
    if isinstance(model, models.ConditionalGAN):
        real = (None, np.arange(int(latent.shape[0])) % model.num_classes)
    return keras.ops.convert_to_numpy(tf.nest.flatten(model.make_fake(real, latent, training=False))[0])


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
    """Puts `variables` (BN moving statistics, D's weights) back to their values on entry."""
    values = [variable.numpy() for variable in variables]
    yield
    for variable, value in zip(variables, values):
        variable.assign(value)
