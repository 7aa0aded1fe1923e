"""The algorithms: `keras.Model` subclasses that train a generator against a discriminator."""

from gan_tf.models.gan import GAN, FixedGeneratorGAN  # noqa: F401
from gan_tf.models.feature_matching import FeatureMatchingGAN  # noqa: F401
