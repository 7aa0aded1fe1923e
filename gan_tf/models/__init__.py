"""The algorithms: `keras.Model` subclasses that train a generator against a discriminator."""

from gan_tf.models.gan import GAN, FixedGeneratorGAN  # noqa: F401
from gan_tf.models.dynamics import (  # noqa: F401
    ConsensusGAN,
    InstanceNoiseGAN,
    ParityAlternatingGAN,
    SimultaneousGAN,
)
