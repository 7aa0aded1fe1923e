"""`models.LazyR1GAN` on a linear D, where grad_x D(x) = w for every x: the penalty is ||w||^2, added with weight
k gamma / 2 on every k-th D update only, and it adds k gamma w to w's gradient."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import gan_tf
from gan_tf import models

DIM, LATENT, BATCH = 3, 2, 8


def make_gan(cls=models.LazyR1GAN, learning_rate=0.1, **kwargs):
    keras.utils.set_random_seed(0)
    latent = keras.Input((LATENT,))
    generator = keras.Model(latent, keras.layers.Dense(DIM)(latent))
    samples = keras.Input((DIM,))
    discriminator = keras.Model(samples, keras.layers.Dense(1, bias_initializer="ones")(samples))
    gan = cls(generator, discriminator, LATENT, seed=0, **kwargs)
    gan.compile(d_optimizer=keras.optimizers.SGD(learning_rate), g_optimizer=keras.optimizers.SGD(learning_rate))
    return gan


def real_batch():
    return np.random.default_rng(0).normal(size=(BATCH, DIM)).astype(np.float32)


def kernel(gan):
    return np.array(gan.discriminator.trainable_variables[0])


def test_the_penalty_is_added_with_weight_k_gamma_over_2_on_every_kth_step_only():
    gan = make_gan(r1_gamma=3.0, r1_every=4)
    plain = make_gan(cls=gan_tf.GAN)
    real, fake = real_batch(), real_batch()[::-1]
    squared_norm = float(np.sum(kernel(gan) ** 2))
    for iterations, expected in ((0, 4 * 3.0 / 2 * squared_norm), (1, 0.0), (3, 0.0), (8, 4 * 3.0 / 2 * squared_norm)):
        gan.d_optimizer.iterations.assign(iterations)
        loss, _, _ = gan.compute_discriminator_loss(real, fake)
        base, _, _ = plain.compute_discriminator_loss(real, fake)
        assert float(loss) - float(base) == pytest.approx(expected, rel=1e-5, abs=1e-6), iterations


def test_a_penalised_step_adds_k_gamma_w_to_the_kernel_gradient():
    gan, plain = make_gan(r1_gamma=0.5, r1_every=2), make_gan(cls=gan_tf.GAN)
    before = kernel(gan)
    gan.discriminator_step(real_batch())  # iterations 0: penalised; the same z (same seed) in both models
    plain.discriminator_step(real_batch())
    # SGD: w1 - w1_plain = -lr * k * gamma * w0
    np.testing.assert_allclose(kernel(gan) - kernel(plain), -0.1 * 2 * 0.5 * before, rtol=1e-4, atol=1e-7)


def test_jit_compiled_training_tracks_the_penalty_on_due_steps_only():
    gan = make_gan(learning_rate=0.0, r1_gamma=1.0, r1_every=2)  # lr 0: w stays, every due penalty is ||w||^2
    data = tf.data.Dataset.from_tensors(real_batch()).repeat()
    gan.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0), jit_compile=True)
    history = gan.fit(data, steps_per_epoch=3, epochs=1, verbose=0)  # steps 0 and 2 are due
    assert history.history["r1_penalty"][-1] == pytest.approx(float(np.sum(kernel(gan) ** 2)), rel=1e-5)
    assert int(gan.d_optimizer.iterations) == 3


def test_config_round_trip_and_bad_options(tmp_path):
    gan = make_gan(r1_gamma=2.0, r1_every=8)
    assert (gan.get_config()["r1_gamma"], gan.get_config()["r1_every"]) == (2.0, 8)
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    assert (loaded.r1_gamma, loaded.r1_every) == (2.0, 8)
    with pytest.raises(ValueError, match="r1_gamma"):
        make_gan(r1_gamma=-1.0)
    with pytest.raises(ValueError, match="r1_every"):
        make_gan(r1_every=0)


def test_composes_with_augmentation_by_inheritance():
    class AugmentedR1GAN(models.LazyR1GAN, models.AugmentedGAN):
        pass

    keras.utils.set_random_seed(0)
    latent = keras.Input((LATENT,))
    generator = keras.Model(latent, keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64)(latent)))
    images = keras.Input((8, 8, 1))
    discriminator = keras.Model(images, keras.layers.Dense(1)(keras.layers.Flatten()(images)))
    gan = AugmentedR1GAN(generator, discriminator, LATENT, r1_gamma=1.0, r1_every=1, policies=["translation"])
    gan.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0))
    real = np.random.default_rng(1).uniform(-1, 1, (BATCH, 8, 8, 1)).astype(np.float32)
    history = gan.fit(tf.data.Dataset.from_tensors(real).repeat(), steps_per_epoch=2, epochs=1, verbose=0)
    w = np.array(gan.discriminator.trainable_variables[0])
    assert history.history["r1_penalty"][-1] == pytest.approx(float(np.sum(w**2)), rel=1e-5)
    assert "augment_probability" in history.history
