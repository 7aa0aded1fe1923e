"""PacGAN: the discriminator judges m samples at once, all real or all generated.

Lin, Khetan, Fanti, Oh 2018, "PacGAN: The power of two samples in generative adversarial networks",
https://arxiv.org/abs/1712.04086, Sec. 3: a batch of n samples `[n, d]` becomes n / m packs `[n / m, m * d]`
(m independent samples concatenated), so a collapsed generator, whose m samples look alike, is easy to spot.
Only the discriminator's input changes: build it with input size m * d. The batch size must be a multiple of m.
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
