"""GAN losses: pure functions of discriminator logits.

Convention, fixed here and never flipped: real = 1, fake = 0. Every function takes logits in (-inf, inf)
(never probabilities), works in float32 whatever the input dtype, and returns a scalar mean over the batch,
so that `[4]` and `[2, 2]` shaped logits give the same value. Names follow `<family>_generator_loss` and
`<family>_discriminator_loss` (as in TF-GAN's `losses_impl.py`).

`sigmoid` and `log` are never composed directly: log(sigmoid(l)) = -softplus(-l) and
log(1 - sigmoid(l)) = -softplus(l), which stay finite and exact for logits of +-100.

A model picks a family by name through `get(name)`; a new family is a pair of functions plus one entry
in `FAMILIES`, with no change to any `train_step`.
"""

import collections

import tensorflow as tf


def _float32(tensor):
    return tf.cast(tensor, tf.float32)


# --------------------------------------------------------------------------------------------------
# Minimax (saturating) GAN loss.
# Goodfellow et al. 2014, "Generative Adversarial Networks", https://arxiv.org/abs/1406.2661
# --------------------------------------------------------------------------------------------------


def minimax_discriminator_loss(real_logits, fake_logits):
    """Cross-entropy of the discriminator with labels real = 1, fake = 0.

    L_D = -E[log sigmoid(D(x))] - E[log(1 - sigmoid(D(G(z))))]
        = E[softplus(-D(x))] + E[softplus(D(G(z)))]

    Args:
      real_logits: D's logits on real samples, any shape.
      fake_logits: D's logits on generated samples, any shape.
    Returns:
      Scalar float32: the sum of the two batch means (as TF-GAN's code and Strakhov 2018's do:
      M. Strakhov, "Generative Adversarial Networks", 2018, github.com/Monnoroch/generative).
    """
    real_term = tf.reduce_mean(tf.nn.softplus(-_float32(real_logits)))  # -log sigmoid(D(x))
    fake_term = tf.reduce_mean(tf.nn.softplus(_float32(fake_logits)))  # -log(1 - sigmoid(D(G(z))))
    return real_term + fake_term


def minimax_generator_loss(fake_logits):
    """The saturating generator loss of the original minimax game.

    L_G = E[log(1 - sigmoid(D(G(z))))] = -E[softplus(D(G(z)))]

    Its gradient vanishes when D confidently rejects fakes (logits << 0): that is the saturation the
    non-saturating loss fixes.
    """
    return -tf.reduce_mean(tf.nn.softplus(_float32(fake_logits)))


# --------------------------------------------------------------------------------------------------
# Non-saturating GAN loss (same discriminator loss, generator maximises log D(G(z))).
# Goodfellow et al. 2014, Section 3, https://arxiv.org/abs/1406.2661
# --------------------------------------------------------------------------------------------------


def non_saturating_discriminator_loss(real_logits, fake_logits):
    """Identical to `minimax_discriminator_loss`: only the generator's objective changes."""
    return minimax_discriminator_loss(real_logits, fake_logits)


def non_saturating_generator_loss(fake_logits):
    """L_G = -E[log sigmoid(D(G(z)))] = E[softplus(-D(G(z)))]."""
    return tf.reduce_mean(tf.nn.softplus(-_float32(fake_logits)))


# --------------------------------------------------------------------------------------------------
# Feature matching.
# Salimans et al. 2016, "Improved Techniques for Training GANs", https://arxiv.org/abs/1606.03498
# --------------------------------------------------------------------------------------------------


def feature_matching_loss(real_features, fake_features):
    """Squared distance between the batch means of an intermediate discriminator layer.

    L = || E_x[f(x)] - E_z[f(G(z))] ||^2, summed over all feature dimensions.

    Args:
      real_features, fake_features: `[batch, ...]` activations of the same layer; the batch sizes may differ.
    """
    real_mean = tf.reduce_mean(_float32(real_features), axis=0)
    fake_mean = tf.reduce_mean(_float32(fake_features), axis=0)
    return tf.reduce_sum(tf.square(real_mean - fake_mean))


# --------------------------------------------------------------------------------------------------
# Wasserstein losses (the critic's logits are unbounded scores, not probabilities).
# Arjovsky, Chintala, Bottou 2017, "Wasserstein GAN", https://arxiv.org/abs/1701.07875
# --------------------------------------------------------------------------------------------------


def wasserstein_discriminator_loss(real_logits, fake_logits):
    """The critic maximises E[D(x)] - E[D(G(z))], the dual estimate of W1 (with D 1-Lipschitz):

    L_D = E[D(G(z))] - E[D(x)]
    """
    return tf.reduce_mean(_float32(fake_logits)) - tf.reduce_mean(_float32(real_logits))


def wasserstein_generator_loss(fake_logits):
    """L_G = -E[D(G(z))]."""
    return -tf.reduce_mean(_float32(fake_logits))


# --------------------------------------------------------------------------------------------------
# Hinge loss.
# Lim and Ye 2017, "Geometric GAN", https://arxiv.org/abs/1705.02894 (as used by SN-GAN and BigGAN)
# --------------------------------------------------------------------------------------------------


def hinge_discriminator_loss(real_logits, fake_logits):
    """L_D = E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]."""
    real_term = tf.reduce_mean(tf.nn.relu(1.0 - _float32(real_logits)))
    fake_term = tf.reduce_mean(tf.nn.relu(1.0 + _float32(fake_logits)))
    return real_term + fake_term


def hinge_generator_loss(fake_logits):
    """L_G = -E[D(G(z))] (the same as Wasserstein's)."""
    return -tf.reduce_mean(_float32(fake_logits))


# --------------------------------------------------------------------------------------------------
# Least squares GAN loss (a-b-c coding with a = 0 for fake, b = c = 1 for real).
# Mao et al. 2017, "Least Squares Generative Adversarial Networks", https://arxiv.org/abs/1611.04076
# --------------------------------------------------------------------------------------------------


def least_squares_discriminator_loss(real_logits, fake_logits):
    """L_D = 0.5 E[(D(x) - 1)^2] + 0.5 E[D(G(z))^2]; D's output is used as is (no sigmoid)."""
    real_term = 0.5 * tf.reduce_mean(tf.square(_float32(real_logits) - 1.0))
    fake_term = 0.5 * tf.reduce_mean(tf.square(_float32(fake_logits)))
    return real_term + fake_term


def least_squares_generator_loss(fake_logits):
    """L_G = 0.5 E[(D(G(z)) - 1)^2]."""
    return 0.5 * tf.reduce_mean(tf.square(_float32(fake_logits) - 1.0))


# --------------------------------------------------------------------------------------------------
# Registry: name -> (generator loss, discriminator loss).
# --------------------------------------------------------------------------------------------------

LossFamily = collections.namedtuple("LossFamily", ["generator_loss", "discriminator_loss"])

FAMILIES = {
    "minimax": LossFamily(minimax_generator_loss, minimax_discriminator_loss),
    "non_saturating": LossFamily(non_saturating_generator_loss, non_saturating_discriminator_loss),
    "wasserstein": LossFamily(wasserstein_generator_loss, wasserstein_discriminator_loss),
    "hinge": LossFamily(hinge_generator_loss, hinge_discriminator_loss),
    "least_squares": LossFamily(least_squares_generator_loss, least_squares_discriminator_loss),
}


def get(name):
    """The `LossFamily` registered under `name`; a ValueError lists the known names otherwise."""
    if not isinstance(name, str) or name not in FAMILIES:
        raise ValueError(f"Unknown loss {name!r}: expected one of {sorted(FAMILIES)} (a name).")
    return FAMILIES[name]
