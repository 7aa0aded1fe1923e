"""FeatureMatchingGAN: the write-up's pairwise form, Salimans' batch-mean form, weight schedules, round trip."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import losses, models, networks


def tiny_gan(**options):
    keras.utils.set_random_seed(0)
    generator = networks.dcgan_generator(latent_dim=8, image_size=16, channels=1, filters=4)
    discriminator = networks.dcgan_discriminator(image_size=16, channels=1, filters=4)
    gan = models.FeatureMatchingGAN(generator, discriminator, latent_dim=8, seed=0, **options)
    gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    return gan


def images(count, seed):
    return np.random.default_rng(seed).uniform(-1, 1, (count, 16, 16, 1)).astype("float32")


def features_and_logits(gan, batch):
    logits, features = gan.discriminator_with_features(batch, training=True)
    return np.asarray(logits, np.float64), np.asarray(features, np.float64)


def test_pairwise_form_is_bce_plus_writeup_l2_loss_over_64x64():
    gan = tiny_gan()
    real, fake = images(6, 1), images(6, 2)
    loss, _ = gan.compute_generator_loss(real, fake)
    _, real_features = features_and_logits(gan, real)
    fake_logits, fake_features = features_and_logits(gan, fake)
    bce = np.mean(np.log1p(np.exp(-fake_logits)))  # -log sigmoid(l)
    matching = 0.5 * np.sum((real_features - fake_features) ** 2) / (64 * 64)
    assert float(loss) == pytest.approx(bce + 0.1 * matching, rel=1e-5)


def test_batch_mean_form_ignores_the_pairing_and_pairwise_does_not():
    real, fake = images(6, 1), images(6, 2)
    permuted = fake[::-1].copy()
    for form, invariant in (("batch_mean", True), ("pairwise", False)):
        gan = tiny_gan(form=form, normalizer=1.0, weight=1.0, adversarial=False)
        first = float(gan.compute_generator_loss(real, fake)[0])
        second = float(gan.compute_generator_loss(real, permuted)[0])
        assert (first == pytest.approx(second, rel=1e-5)) == invariant
    _, real_features = features_and_logits(gan, real)
    _, fake_features = features_and_logits(gan, fake)
    salimans = tiny_gan(form="batch_mean", normalizer=1.0, weight=1.0, adversarial=False)
    expected = float(losses.feature_matching_loss(real_features, fake_features))
    assert float(salimans.compute_generator_loss(real, fake)[0]) == pytest.approx(expected, rel=1e-5)


def test_weight_schedule_follows_generator_updates():
    schedule = keras.optimizers.schedules.PolynomialDecay(0.0, decay_steps=10, end_learning_rate=0.1)
    gan = tiny_gan(weight=schedule)
    assert float(gan.feature_weight()) == 0.0
    data = tf.data.Dataset.from_tensor_slices(images(8, 3)).batch(4, drop_remainder=True).repeat()
    history = gan.fit(data, steps_per_epoch=3, epochs=1, verbose=0, shuffle=False)
    assert int(gan.g_optimizer.iterations) == 3
    assert float(gan.feature_weight()) == pytest.approx(0.03)
    assert history.history["feature_weight"][0] == pytest.approx(np.mean([0.0, 0.01, 0.02]), abs=1e-6)
    assert np.isfinite(history.history["feature_matching"][0])


def test_generator_step_moves_g_only_and_matching_pulls_features_together():
    gan = tiny_gan(form="batch_mean", normalizer=1.0, weight=1.0, adversarial=False)
    gan.g_optimizer.learning_rate.assign(0.01)
    real = images(16, 4)
    d_before = [weight.numpy().copy() for weight in gan.discriminator.trainable_weights]
    latent = gan.sample_latent(16, seed=7)
    start = float(gan.compute_generator_loss(real, gan.generator(latent, training=True))[0])
    for _ in range(20):
        gan.generator_step(real)
    end = float(gan.compute_generator_loss(real, gan.generator(latent, training=True))[0])
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(d_before, gan.discriminator.trainable_weights))
    assert end < 0.5 * start


def test_config_round_trip_keeps_the_schedule_and_form():
    schedule = keras.optimizers.schedules.PolynomialDecay(0.0, decay_steps=100, end_learning_rate=0.1)
    gan = tiny_gan(weight=schedule, form="batch_mean", normalizer=2.0, adversarial=False, g_steps=2)
    clone = models.FeatureMatchingGAN.from_config(gan.get_config())
    assert (clone.form, clone.normalizer, clone.adversarial, clone.g_steps) == ("batch_mean", 2.0, False, 2)
    assert float(clone.weight(50)) == pytest.approx(float(schedule(50)))


@pytest.mark.parametrize("options, message", [
    (dict(form="cosine"), "form must be one of"),
    (dict(weight=-0.1), "weight must be >= 0"),
    (dict(normalizer=0.0), "normalizer must be > 0"),
    (dict(feature_layer="conv_9"), "has no layer 'conv_9'"),
])
def test_bad_arguments_raise(options, message):
    with pytest.raises(ValueError, match=message):
        tiny_gan(**options)
