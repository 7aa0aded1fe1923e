"""Regularizers of the discriminator (critic): gradient penalties and weight clipping.

The penalties return the unweighted term; the caller multiplies by the paper's constant with the paper's
symbol, e.g. `gp_weight * gradient_penalty(...)` (WGAN-GP: lambda = 10) or `(gamma / 2) * r1_penalty(...)`.
Gradients are taken with respect to the critic's *input*, per sample, and norms use an epsilon inside the
square root so that the gradient of the penalty stays finite where the input gradient is exactly zero.
"""

import keras
import tensorflow as tf

from gan_tf import checks

NORM_EPSILON = 1e-12  # inside sqrt(sum g^2 + eps): d sqrt(u)/du is infinite at u = 0


def _input_gradients(critic, inputs):
    """(per-sample gradient of sum D(x) w.r.t. x, flattened to `[batch, -1]`) in float32."""
    inputs = tf.convert_to_tensor(inputs)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        total_score = tf.reduce_sum(tf.cast(critic(inputs, training=True), tf.float32))
    gradients = tape.gradient(total_score, inputs)
    return tf.reshape(tf.cast(gradients, tf.float32), [tf.shape(inputs)[0], -1])


# --------------------------------------------------------------------------------------------------
# Gradient penalty.
# Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", https://arxiv.org/abs/1704.00028, Alg. 1
# --------------------------------------------------------------------------------------------------


def interpolate(real, fake, seed=None):
    """x_hat = alpha x + (1 - alpha) x_tilde with one alpha ~ U[0, 1] per sample (not per coordinate)."""
    real = tf.convert_to_tensor(real)
    fake = tf.cast(fake, real.dtype)
    alpha_shape = tf.concat([tf.shape(real)[:1], tf.ones([tf.rank(real) - 1], tf.int32)], axis=0)
    alpha = tf.cast(keras.random.uniform(alpha_shape, 0.0, 1.0, seed=seed), real.dtype)
    return alpha * real + (1.0 - alpha) * fake


def gradient_penalty(critic, real, fake, target=1.0, seed=None):
    """E_x_hat[(||grad_x_hat D(x_hat)||_2 - target)^2] at random interpolates (see `interpolate`).

    Args:
      critic: a callable (Keras model) mapping `[batch, ...]` samples to scores `[batch, 1]`.
      real, fake: samples of the same shape.
      target: the norm the gradient is pushed towards (1 in WGAN-GP; 0 gives the "zero-centred" variant).
      seed: a `keras.random.SeedGenerator` or an int for alpha (None: Keras' global seed).
    Returns:
      Scalar float32, without the weight lambda (`gp_weight`), which the caller applies.
    """
    if not target >= 0:
        raise ValueError(f"target must be a norm >= 0, got {target!r}.")
    gradients = _input_gradients(critic, interpolate(real, fake, seed=seed))
    norms = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=1) + NORM_EPSILON)
    return tf.reduce_mean(tf.square(norms - target))


# --------------------------------------------------------------------------------------------------
# R1 penalty.
# Mescheder, Geiger, Nowozin 2018, "Which Training Methods for GANs do actually Converge?",
# https://arxiv.org/abs/1801.04406, Eq. 9: R1 = (gamma / 2) E_x[||grad_x D(x)||^2] on real data.
# --------------------------------------------------------------------------------------------------


def r1_penalty(critic, real):
    """E_x[||grad_x D(x)||^2] on real samples (the caller multiplies by gamma / 2)."""
    gradients = _input_gradients(critic, real)
    return tf.reduce_mean(tf.reduce_sum(tf.square(gradients), axis=1))


# --------------------------------------------------------------------------------------------------
# Weight clipping.
# Arjovsky, Chintala, Bottou 2017, "Wasserstein GAN", https://arxiv.org/abs/1701.07875, Alg. 1 (c = 0.01)
# --------------------------------------------------------------------------------------------------


def check_clip_value(clip_value):
    return checks.positive_number("clip_value", clip_value)


def clip_weights(variables, clip_value):
    """w <- clip(w, -c, c) for every variable in `variables` (in place); c = `clip_value` > 0."""
    clip_value = check_clip_value(clip_value)
    for variable in variables:
        variable.assign(keras.ops.clip(variable, -clip_value, clip_value))
