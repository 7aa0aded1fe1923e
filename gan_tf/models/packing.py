"""PacGAN: the discriminator judges m samples at once, all real or all generated.

Lin, Khetan, Fanti, Oh 2018, "PacGAN: The power of two samples in generative adversarial networks",
https://arxiv.org/abs/1712.04086, Sec. 3: a batch of n samples `[n, d]` becomes n / m packs `[n / m, m * d]`
(m independent samples concatenated), so a collapsed generator, whose m samples look alike, is easy to spot.
Only the discriminator's input changes: build it with input size m * d. The batch size must be a multiple of m.

Images: `pack_images` stacks m images along the channel axis, `[n, h, w, c]` -> `[n / m, h, w, m * c]`, as the
authors' image experiments do (fjxmlzn/PacGAN, stacked_MNIST_experiments: `tf.concat(G_sep, 3)`, c_dim = 3 * m), and
`packed_discriminator(D, m)` is a D for unpacked images that packs them first: any GAN (augmentation, penalties,
instance noise) then trains a PacGAN without a subclass, its D judging n / m packs per batch of n images.
Deviation: the authors' code draws m times as many images per step (a batch of packs); here a batch of n images is
n / m packs.
"""

import keras
import tensorflow as tf

from gan_tf import checks
from gan_tf.models import gan as gan_module


def pack(samples, packing):
    """`[n, ...]` -> `[n / packing, packing * prod(...)]`: consecutive samples concatenated."""
    samples = tf.convert_to_tensor(samples)
    size = samples.shape[0]
    if size is not None and size % packing:
        raise ValueError(f"the batch size ({size}) must be a multiple of packing ({packing}).")
    flat = tf.reshape(samples, [tf.shape(samples)[0], -1])
    return tf.reshape(flat, [-1, packing * flat.shape[-1]])


def pack_images(images, packing):
    """`[n, h, w, c]` -> `[n / packing, h, w, packing * c]`: each pack holds `packing` consecutive images, the
    first image's channels first."""
    images = tf.convert_to_tensor(images)
    size, height, width, channels = images.shape
    if size is not None and size % packing:
        raise ValueError(f"the batch size ({size}) must be a multiple of packing ({packing}).")
    grouped = tf.reshape(images, [-1, packing, height, width, channels])
    return tf.reshape(tf.transpose(grouped, [0, 2, 3, 1, 4]), [-1, height, width, packing * channels])


@keras.saving.register_keras_serializable(package="gan_tf")
class ImagePacking(keras.layers.Layer):
    """`pack_images` as a layer (no weights)."""

    def __init__(self, packing, **kwargs):
        super().__init__(**kwargs)
        self.packing = checks.positive_integer("packing", packing)

    def call(self, images):
        return pack_images(images, self.packing)

    def compute_output_shape(self, input_shape):
        size, height, width, channels = input_shape
        return (None if size is None else size // self.packing, height, width, self.packing * channels)

    def get_config(self):
        return {**super().get_config(), "packing": self.packing}


def packed_discriminator(discriminator, packing):
    """A model of images `[n, h, w, c]` -> `[n / packing, 1]`: `discriminator` (which takes `packing * c` channels)
    on the packs of `pack_images`. Its weights are `discriminator`'s."""
    checks.positive_integer("packing", packing)
    height, width, channels = discriminator.input_shape[1:]
    if channels % packing:
        raise ValueError(f"the discriminator's input channels ({channels}) must be a multiple of packing ({packing}).")
    images = keras.Input(shape=(height, width, channels // packing), name="images")
    logits = discriminator(ImagePacking(packing, name="packing")(images))
    return keras.Model(images, logits, name=f"{discriminator.name}_packed_{packing}")


@keras.saving.register_keras_serializable(package="gan_tf")
class PacGAN(gan_module.GAN):
    """A GAN whose discriminator sees packs of `packing` samples (PacGAN-m; `packing=1` is the plain GAN).

    Args:
      packing: m >= 1. The discriminator must take inputs of size m * (sample size).
    """

    def __init__(self, *args, packing=2, **kwargs):
        super().__init__(*args, **kwargs)
        self.packing = checks.positive_integer("packing", packing)

    def compute_discriminator_loss(self, real, fake):
        return super().compute_discriminator_loss(pack(real, self.packing), pack(fake, self.packing))

    def compute_generator_loss(self, real, fake):
        return super().compute_generator_loss(real, pack(fake, self.packing))

    def get_config(self):
        return {**super().get_config(), "packing": self.packing}
