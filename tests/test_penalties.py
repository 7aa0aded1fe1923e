"""Penalties against closed forms: a linear critic D(x) = w.x has grad_x D = w everywhere."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import penalties


def linear_critic(weights):
    """D(x) = w.x (no bias), a Keras model, so that ||grad_x D|| = ||w|| at every x."""
    inputs = keras.Input(shape=(len(weights),))
    layer = keras.layers.Dense(1, use_bias=False, kernel_initializer=keras.initializers.Constant(0.0))
    model = keras.Model(inputs, layer(inputs))
    layer.kernel.assign(np.asarray(weights, np.float32).reshape(-1, 1))
    return model


@pytest.mark.parametrize("weights", [[2.0, 2.0, 2.0, 2.0], [3.0, 4.0], [0.6, 0.8], [0.1, -0.2, 0.3]])
def test_gradient_penalty_of_a_linear_critic_is_lambda_times_norm_minus_one_squared(weights):
    gp_weight = 10.0  # lambda of WGAN-GP, applied by the caller
    rng = np.random.default_rng(0)
    real = rng.normal(size=(16, len(weights))).astype(np.float32)
    fake = rng.normal(size=(16, len(weights))).astype(np.float32)
    penalty = gp_weight * float(penalties.gradient_penalty(linear_critic(weights), real, fake, seed=1))
    expected = gp_weight * (np.linalg.norm(weights) - 1.0) ** 2
    assert penalty == pytest.approx(expected, rel=1e-5, abs=1e-6)  # TF-GAN's case [2,2,2,2]: 10 * 9 = 90


def test_gradient_penalty_has_a_finite_gradient_where_the_input_gradient_is_zero():
    critic = linear_critic([0.0, 0.0])
    with tf.GradientTape() as tape:
        penalty = penalties.gradient_penalty(critic, np.ones((4, 2), np.float32), np.zeros((4, 2), np.float32))
    gradient = tape.gradient(penalty, critic.trainable_variables)[0]
    assert float(penalty) == pytest.approx(1.0, abs=1e-5)  # (0 - 1)^2
    assert np.all(np.isfinite(gradient.numpy()))


def test_interpolation_weight_is_uniform_per_sample():
    real, fake = np.ones((20_000, 3), np.float32), np.zeros((20_000, 3), np.float32)
    mixed = penalties.interpolate(real, fake, seed=3).numpy()
    assert np.allclose(mixed, mixed[:, :1])  # one alpha per sample, shared by its coordinates
    alpha = mixed[:, 0]
    assert alpha.min() >= 0.0 and alpha.max() <= 1.0
    # U[0, 1]: mean 1/2, variance 1/12; standard errors with n = 20,000: 0.002 and 0.0006 (N(0, 1) would fail).
    assert alpha.mean() == pytest.approx(0.5, abs=0.01)
    assert alpha.var() == pytest.approx(1.0 / 12.0, abs=0.003)


def test_r1_penalty_of_a_linear_critic_is_the_squared_norm():
    critic = linear_critic([3.0, 4.0])
    assert float(penalties.r1_penalty(critic, np.zeros((5, 2), np.float32))) == pytest.approx(25.0, rel=1e-6)


def test_clip_weights_keeps_every_weight_in_range():
    variables = [tf.Variable([[-3.0, 0.004], [0.2, -0.009]]), tf.Variable([0.5, -0.5, 0.0])]
    penalties.clip_weights(variables, 0.01)
    assert np.allclose(variables[0].numpy(), [[-0.01, 0.004], [0.01, -0.009]])
    assert np.allclose(variables[1].numpy(), [0.01, -0.01, 0.0])


@pytest.mark.parametrize("clip_value", [0.0, -0.01, "0.01", None, True])
def test_clip_weights_rejects_bad_clip_values(clip_value):
    with pytest.raises(ValueError, match="clip_value"):
        penalties.clip_weights([tf.Variable([1.0])], clip_value)
