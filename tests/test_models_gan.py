"""The GAN model: who updates what, regularization, dropout, fit options, sampling, save/load."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import gan_tf
from gan_tf import distributions, losses, models, networks


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
        (dict(share_fake_batch=1), "share_fake_batch must be True or False, got 1"),
        (dict(share_fake_batch=True, d_steps=2), "share_fake_batch=True needs d_steps=1 and g_steps=1, got 2 and 1"),
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


class SameLatentInBothUpdates(gan_tf.GAN):
    """A plain GAN (G forward twice per batch) whose G update gets the D update's z instead of a fresh one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending_latent = []

    def sample_latent(self, batch_size, seed=None):
        if self.pending_latent:
            return self.pending_latent.pop()
        latent = super().sample_latent(batch_size, seed)
        self.pending_latent.append(latent)
        return latent


def small_dcgan(gan_class=gan_tf.GAN, **kwargs):
    keras.utils.set_random_seed(3)
    gan = gan_class(networks.dcgan_generator(8, 16, channels=1, filters=4), networks.dcgan_discriminator(16, 1, 4),
                    latent_dim=8, seed=3, **kwargs)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2, beta_1=0.5), g_optimizer=keras.optimizers.Adam(1e-2, 0.5))
    return gan


def test_sharing_the_fake_batch_trains_as_giving_the_g_update_the_d_updates_latent():
    """One G forward per batch (recorded on G's tape during the D update, scored by the updated D) gives the same
    trainable weights and losses as recomputing G(z) with the same z; a fresh z (the default) does not."""
    images = tf.random.stateless_uniform([4, 16, 16, 16, 1], [7, 0], -1.0, 1.0)
    trained = {}
    for name, gan in (("shared", small_dcgan(share_fake_batch=True)), ("same z", small_dcgan(SameLatentInBothUpdates)),
                      ("fresh z", small_dcgan())):
        history = gan.fit(tf.data.Dataset.from_tensor_slices(images), epochs=1, verbose=0)
        trained[name] = ([np.array(v) for v in gan.trainable_variables], history.history)
    for shared, same in zip(trained["shared"][0], trained["same z"][0]):
        np.testing.assert_allclose(shared, same, rtol=1e-5, atol=1e-6)
    for key in ("d_loss", "g_loss"):
        assert trained["shared"][1][key] == pytest.approx(trained["same z"][1][key], rel=1e-5)
    assert not np.allclose(trained["shared"][0][0], trained["fresh z"][0][0], atol=1e-4)


def test_sharing_the_fake_batch_runs_the_generator_once_per_batch():
    calls = []

    class CountingGAN(gan_tf.GAN):
        def make_fake(self, real, latent, training=True):
            calls.append(latent)
            return super().make_fake(real, latent, training)

    for share, expected in ((True, 1), (False, 2)):
        calls.clear()
        small_dcgan(CountingGAN, share_fake_batch=share).batch_update(tf.zeros([4, 16, 16, 1]))
        assert len(calls) == expected


def test_sharing_the_fake_batch_is_refused_by_variants_with_their_own_schedule():
    generator, discriminator = networks.linear_generator(), networks.mlp_discriminator([4])
    with pytest.raises(ValueError, match="not supported by SimultaneousGAN, which overrides batch_update"):
        models.SimultaneousGAN(generator, discriminator, latent_dim=1, share_fake_batch=True)
