"""The algorithms: `keras.Model` subclasses that train a generator against a discriminator."""

from gan_tf.models.augmented import AugmentedConditionalGAN, AugmentedGAN  # noqa: F401
from gan_tf.models.conditional import ACGAN, ConditionalGAN  # noqa: F401
from gan_tf.models.dynamics import (  # noqa: F401
    ConsensusGAN,
    FixedGeneratorGAN,
    InstanceNoiseGAN,
    ParityAlternatingGAN,
    SimultaneousGAN,
)
from gan_tf.models.feature_matching import FeatureMatchingGAN  # noqa: F401
from gan_tf.models.gan import GAN  # noqa: F401
from gan_tf.models.packing import PacGAN  # noqa: F401
from gan_tf.models.regularized import LazyR1GAN  # noqa: F401
from gan_tf.models.unrolled import UnrolledGAN  # noqa: F401
from gan_tf.models.wgan import WGAN, WGANGP  # noqa: F401
