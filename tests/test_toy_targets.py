"""Toy GANs reach their targets: the blog's Normal fit and the optimal discriminator.

Tolerances come from measurements (2026-11, CPU, the set-ups below):
- Normal fit, 1500 steps, final-window (last 500 steps) averages over seeds 0-7: |mean - 2| <= 0.08,
  |stddev - 3| <= 0.06. The test allows 0.2 for both (2.5x the worst seed).
- Optimal discriminator, 1500 steps of D only, seeds 0-3: mean |D - D*| on x in [-2, 3] <= 0.015, max <= 0.07.
  The test allows 0.03 and 0.12; the untrained D is off by more than 0.1 on average.
"""

import keras
import numpy as np
import pytest

import gan_tf
from gan_tf import distributions, metrics, networks


def fit_normal(seed, steps=1500, chunk=50):
    keras.utils.set_random_seed(seed)
    gan = gan_tf.GAN(networks.linear_generator(), networks.mlp_discriminator([256, 256]), latent_dim=1, seed=seed)
    gan.compile(d_optimizer=keras.optimizers.Adam(0.01), g_optimizer=keras.optimizers.Adam(0.02),
                steps_per_execution=chunk, jit_compile=True)
    layer = networks.location_scale_layer(gan.generator)
    trace = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: trace.append((float(layer.mean[0]), float(layer.stddev[0]))))
    data = distributions.sample_dataset(distributions.normal(2.0, 3.0), 32, seed=seed)
    gan.fit(data, steps_per_epoch=chunk, epochs=steps // chunk, callbacks=[record], verbose=0)
    return np.mean(trace[-10:], axis=0)


@pytest.mark.parametrize("seed", [11, 12])
def test_linear_generator_fits_the_normal(seed):
    mean, stddev = fit_normal(seed)
    assert mean == pytest.approx(2.0, abs=0.2)
    assert stddev == pytest.approx(3.0, abs=0.2)


def test_trained_discriminator_approaches_the_optimal_one():
    keras.utils.set_random_seed(5)
    generator = networks.linear_generator(mean=1.0, stddev=2.0)  # frozen
    layer = networks.location_scale_layer(generator)
    gan = gan_tf.models.FixedGeneratorGAN(generator, networks.mlp_discriminator([64, 64]), latent_dim=1, seed=5)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3),
                steps_per_execution=100, jit_compile=True)
    real = distributions.normal(0.0, 1.0)
    grid = np.linspace(-2.0, 3.0, 51, dtype=np.float32)[:, None]
    optimal = metrics.optimal_discriminator(real, distributions.normal(1.0, 2.0), grid)

    def probability():
        return keras.ops.convert_to_numpy(keras.ops.sigmoid(gan.discriminator(grid))).ravel()

    assert np.abs(probability() - optimal).mean() > 0.1
    gan.fit(distributions.sample_dataset(real, 256, seed=5), steps_per_epoch=1500, epochs=1, verbose=0)
    error = np.abs(probability() - optimal)
    assert error.mean() < 0.03 and error.max() < 0.12
    np.testing.assert_array_equal(np.array(layer.location), [1.0])  # G untouched


def test_optimal_discriminator_closed_form():
    # Equal densities give 1/2; N(0, 1) vs N(1, 1) at x = 0.5 (the midpoint) gives 1/2, at x = 0 gives
    # sigmoid(log p - log q) = sigmoid(0.5).
    real, fake = distributions.normal(0.0, 1.0), distributions.normal(1.0, 1.0)
    x = np.array([[0.5], [0.0]], dtype=np.float32)
    np.testing.assert_allclose(metrics.optimal_discriminator(real, fake, x), [0.5, 1 / (1 + np.exp(-0.5))], rtol=1e-6)
    np.testing.assert_allclose(metrics.optimal_discriminator(real, real, x), [0.5, 0.5])
