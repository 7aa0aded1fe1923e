"""The GAN model: who updates what, regularization, dropout, fit options, sampling, save/load."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import gan_tf
from gan_tf import distributions, losses, networks


def make_gan(l2=0.0, dropout=0.0, seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    gan = gan_tf.GAN(networks.linear_generator(), networks.mlp_discriminator([16, 16], l2=l2, dropout=dropout),
                     latent_dim=1, seed=seed, **kwargs)
    gan.compile(d_optimizer=keras.optimizers.Adam(0.01), g_optimizer=keras.optimizers.Adam(0.02))
    return gan


def weights(model):
    return [np.array(variable) for variable in model.weights]


def changed(before, after):
    return [not np.array_equal(a, b) for a, b in zip(before, after)]


def real_batch(size=32):
    return tf.random.normal([size, 1], 2.0, 3.0, seed=1)


def test_discriminator_step_updates_only_the_discriminator():
    gan = make_gan()
    generator_before, discriminator_before = weights(gan.generator), weights(gan.discriminator)
    gan.discriminator_step(real_batch())
    assert not any(changed(generator_before, weights(gan.generator)))
    assert all(changed(discriminator_before, weights(gan.discriminator)))


def test_generator_step_updates_only_the_generator():
    gan = make_gan()
    generator_before, discriminator_before = weights(gan.generator), weights(gan.discriminator)
    gan.generator_step(real_batch())
    assert all(changed(generator_before, weights(gan.generator)))
    assert not any(changed(discriminator_before, weights(gan.discriminator)))


def test_l2_adds_exactly_its_term_to_the_discriminator_loss():
    coefficient = 0.01
    gan = make_gan(l2=coefficient)
    real, fake = real_batch(), gan.generator(tf.random.normal([32, 1], seed=2))
    loss, real_logits, fake_logits = gan.compute_discriminator_loss(real, fake)
    kernels = [layer.kernel for layer in gan.discriminator.layers if hasattr(layer, "kernel")]
    penalty = coefficient * sum(float(tf.reduce_sum(tf.square(kernel))) for kernel in kernels)
    assert len(kernels) == 3 and penalty > 1e-3
    adversarial = float(losses.non_saturating_discriminator_loss(real_logits, fake_logits))
    assert float(loss) == pytest.approx(adversarial + penalty, rel=1e-5)


def test_dropout_is_active_in_training_only():
    gan = make_gan(dropout=0.5)
    real, fake = real_batch(256), gan.generator(tf.random.normal([256, 1], seed=2))
    first, second = (float(gan.compute_discriminator_loss(real, fake)[0]) for _ in range(2))
    assert first != second  # training=True inside the loss: a new dropout mask each call
    samples = tf.linspace(-5.0, 5.0, 11)[:, None]
    inference = [np.array(gan.discriminator(samples, training=False)) for _ in range(2)]
    np.testing.assert_array_equal(*inference)


@pytest.mark.parametrize("d_steps, g_steps", [(1, 1), (2, 3)])
def test_fit_with_steps_per_execution_and_xla(d_steps, g_steps):
    gan = make_gan(d_steps=d_steps, g_steps=g_steps)
    gan.compile(d_optimizer=keras.optimizers.Adam(0.01), g_optimizer=keras.optimizers.Adam(0.02),
                steps_per_execution=5, jit_compile=True)
    data = distributions.sample_dataset(distributions.normal(2.0, 3.0), 32, seed=0)
    history = gan.fit(data, steps_per_epoch=10, epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "p_real_on_real", "p_real_on_fake"}
    assert all(np.isfinite(values[-1]) for values in history.history.values())
    assert int(gan.d_optimizer.iterations) == 10 * d_steps
    assert int(gan.g_optimizer.iterations) == 10 * g_steps


def test_generate_shape_and_seed():
    gan = make_gan()
    assert gan.generate(10000).shape == (10000, 1)
    np.testing.assert_array_equal(gan.generate(7, seed=3), gan.generate(7, seed=3))
    assert not np.array_equal(gan.generate(7, seed=3), gan.generate(7, seed=4))


def test_uniform_latent_is_in_range():
    gan = make_gan(latent_distribution="uniform")
    latent = np.array(gan.sample_latent(5000))
    assert latent.min() >= -1.0 and latent.max() <= 1.0 and latent.std() == pytest.approx(1 / np.sqrt(3), rel=0.05)


def test_save_load_round_trip(tmp_path):
    gan = make_gan(l2=1e-3, d_steps=2)
    data = distributions.sample_dataset(distributions.normal(2.0, 3.0), 32, seed=0)
    gan.fit(data, steps_per_epoch=20, epochs=1, verbose=0)
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    np.testing.assert_array_equal(loaded.generate(100, seed=5), gan.generate(100, seed=5))
    samples = tf.linspace(-5.0, 5.0, 11)[:, None]
    np.testing.assert_array_equal(loaded.discriminator(samples), gan.discriminator(samples))
    assert (loaded.d_steps, loaded.loss_name) == (2, "non_saturating")
    assert int(loaded.d_optimizer.iterations) == 40
    for saved, restored in zip(gan.d_optimizer.variables, loaded.d_optimizer.variables):
        np.testing.assert_array_equal(saved, restored)


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(latent_dim=3), "latent_dim=3 does not match"),
        (dict(d_steps=0), "d_steps must be a positive integer, got 0"),
        (dict(latent_distribution="cauchy"), "latent_distribution must be one of"),
    ],
)
def test_bad_constructor_arguments(arguments, message):
    options = dict(generator=networks.linear_generator(), discriminator=networks.mlp_discriminator([4]), latent_dim=1)
    options.update(arguments)
    with pytest.raises(ValueError, match=message):
        gan_tf.GAN(**options)


def test_unknown_loss_name():
    with pytest.raises(ValueError, match="Unknown loss 'hinj'"):
        make_gan().compile(d_optimizer=keras.optimizers.Adam(), g_optimizer=keras.optimizers.Adam(), loss="hinj")
