"""Update schedules (parity, simultaneous), consensus optimization, instance noise, probes."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import losses, measurements, models, networks
from gan_tf.models import dynamics

BATCH = 8


def tiny_gan(model_class, seed=0, learning_rate=0.1, **kwargs):
    keras.utils.set_random_seed(seed)
    generator = networks.mlp_generator([4], latent_dim=2, output_dim=1)
    discriminator = networks.mlp_discriminator([4])
    model = model_class(generator, discriminator, latent_dim=2, seed=seed, **kwargs)
    model.compile(keras.optimizers.SGD(learning_rate), keras.optimizers.SGD(learning_rate), loss="minimax")
    return model


def weights(network):
    return [variable.numpy().copy() for variable in network.trainable_variables]


def changed(before, network):
    return any(not np.array_equal(old, new.numpy()) for old, new in zip(before, network.trainable_variables))


REAL = tf.constant(np.linspace(-1.0, 1.0, BATCH, dtype=np.float32)[:, None])


def test_parity_schedule_updates_g_on_even_batches_and_d_on_odd_ones():
    model = tiny_gan(models.ParityAlternatingGAN)
    for batch in range(4):
        g_before, d_before = weights(model.generator), weights(model.discriminator)
        model.fit(tf.data.Dataset.from_tensors(REAL), epochs=1, verbose=0)
        assert changed(g_before, model.generator) == (batch % 2 == 0)
        assert changed(d_before, model.discriminator) == (batch % 2 == 1)
    assert int(model.batch_index.numpy()) == 4


def hand_gradients(model, latent):
    """(grad_psi L_D, grad_theta L_G) at the model's current weights, by hand."""
    with tf.GradientTape(persistent=True) as tape:
        fake = model.generator(latent, training=True)
        d_loss = losses.minimax_discriminator_loss(model.discriminator(REAL), model.discriminator(fake))
        g_loss = losses.minimax_generator_loss(model.discriminator(fake))
    return (tape.gradient(d_loss, model.discriminator.trainable_variables),
            tape.gradient(g_loss, model.generator.trainable_variables))


def sgd(network, gradients, learning_rate):
    return [w - learning_rate * g for w, g in zip(weights(network), gradients)]


def test_simultaneous_update_equals_both_gradients_taken_first_by_hand():
    learning_rate = 1.0
    trained, by_hand = tiny_gan(models.SimultaneousGAN, learning_rate=learning_rate), tiny_gan(models.GAN)
    latent = by_hand.sample_latent(BATCH)  # same seed: same init and the same z as the model's step
    d_gradients, g_gradients = hand_gradients(by_hand, latent)
    d_expected = sgd(by_hand.discriminator, d_gradients, learning_rate)
    g_expected = sgd(by_hand.generator, g_gradients, learning_rate)
    trained.train_step(REAL)
    for expected, network in ((d_expected, trained.discriminator), (g_expected, trained.generator)):
        for value, variable in zip(expected, network.trainable_variables):
            np.testing.assert_allclose(variable.numpy(), value, rtol=1e-5, atol=1e-6)
    # the check can fail: G's gradient taken after D's update (same z) lands elsewhere
    for variable, value in zip(by_hand.discriminator.trainable_variables, d_expected):
        variable.assign(value)
    g_sequential = sgd(by_hand.generator, hand_gradients(by_hand, latent)[1], learning_rate)
    assert max(np.abs(a - b).max() for a, b in zip(g_sequential, g_expected)) > 1e-3


class QuadraticGame(models.ConsensusGAN):
    """L_D = x^T A y, L_G = -x^T A y on the kernels x (G, flattened [6]) and y (D, flattened [3])."""

    matrix = tf.constant(np.random.default_rng(0).standard_normal((6, 3)), tf.float32)

    def bilinear(self):
        x = tf.reshape(self.generator.trainable_variables[0], [6])
        y = tf.reshape(self.discriminator.trainable_variables[0], [3])
        return tf.tensordot(x, tf.linalg.matvec(self.matrix, y), 1)

    def compute_discriminator_loss(self, real, fake):
        return self.bilinear(), self.discriminator(real), self.discriminator(fake)

    def compute_generator_loss(self, real, fake):
        return -self.bilinear(), self.discriminator(fake)


def quadratic_game(gamma, learning_rate):
    keras.utils.set_random_seed(3)
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, use_bias=False)])
    discriminator = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, use_bias=False)])
    model = QuadraticGame(generator, discriminator, latent_dim=2, gamma=gamma, seed=0)
    model.compile(keras.optimizers.SGD(learning_rate), keras.optimizers.SGD(learning_rate))
    return model


def test_consensus_extra_term_equals_its_definition_on_a_quadratic_game():
    gamma, learning_rate = 0.7, 0.01
    plain, consensus = quadratic_game(0.0, learning_rate), quadratic_game(gamma, learning_rate)
    x = consensus.generator.trainable_variables[0].numpy().reshape(6)
    y = consensus.discriminator.trainable_variables[0].numpy().reshape(3)
    matrix = QuadraticGame.matrix.numpy()
    real = tf.zeros([4, 3])
    plain.train_step(real)
    logs = consensus.train_step(real)
    # L = 0.5 (||A^T x||^2 + ||A y||^2): grad_y L = A^T A y, grad_x L = A A^T x
    expected_d = gamma * matrix.T @ matrix @ y
    expected_g = gamma * matrix @ matrix.T @ x
    for network, expected in ((consensus.discriminator, expected_d), (consensus.generator, expected_g)):
        other = plain.discriminator if network is consensus.discriminator else plain.generator
        extra = (other.trainable_variables[0].numpy() - network.trainable_variables[0].numpy()) / learning_rate
        np.testing.assert_allclose(extra.reshape(-1), expected, rtol=1e-4, atol=1e-5)
    half_squared_norm = 0.5 * (np.sum((matrix.T @ x) ** 2) + np.sum((matrix @ y) ** 2))
    assert float(logs["consensus_loss"]) == pytest.approx(half_squared_norm, rel=1e-5)


def test_consensus_loss_skips_unconnected_gradients():
    gradients = [tf.constant([3.0, 4.0]), None, tf.constant([[1.0]])]
    assert float(dynamics.consensus_loss(gradients)) == pytest.approx(0.5 * (25.0 + 1.0))


@pytest.mark.parametrize("step, expected", [(0, 2.0), (5, 1.0), (10, 0.0), (25, 0.0)])
def test_annealed_stddev_is_linear_then_zero(step, expected):
    assert float(dynamics.annealed_stddev(step, 2.0, 10)) == pytest.approx(expected)
    assert float(dynamics.annealed_stddev(step, 2.0, None)) == pytest.approx(2.0)


def test_instance_noise_stddev_follows_its_schedule_during_fit():
    model = tiny_gan(models.InstanceNoiseGAN, initial_stddev=2.0, anneal_steps=10)
    history = model.fit(tf.data.Dataset.from_tensors(REAL).repeat(), epochs=1, steps_per_epoch=7, verbose=0)
    assert float(model.noise_stddev()) == pytest.approx(2.0 * (1 - 7 / 10))
    schedule = [2.0 * (1 - step / 10) for step in range(7)]  # s(t) used at steps t = 0..6
    assert history.history["noise_stddev"][-1] == pytest.approx(np.mean(schedule), rel=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_instance_noise_reaches_both_inputs_of_d_with_the_scheduled_stddev(seed):
    identity = keras.Sequential([keras.Input((1,)), keras.layers.Identity()])  # logit = input
    model = models.InstanceNoiseGAN(networks.linear_generator(1), identity, latent_dim=1, initial_stddev=1.5,
                                    anneal_steps=4, seed=seed)
    model.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    model.noise_step.assign(1)  # s = 1.5 * 3 / 4
    zeros = tf.zeros([20_000, 1])
    _, real_logits, fake_logits = model.compute_discriminator_loss(zeros, zeros)
    _, generator_logits = model.compute_generator_loss(zeros, zeros)
    for logits in (real_logits, fake_logits, generator_logits):
        # the sample stddev of n = 20000 normals has relative standard error 1 / sqrt(2 n) = 0.5%
        assert float(tf.math.reduce_std(logits)) == pytest.approx(1.125, rel=0.02)
    assert abs(float(tf.reduce_mean(real_logits - fake_logits))) < 0.05  # independent draws, mean 0


def test_generator_gradient_norm_is_d_or_one_minus_d_for_a_constant_generator():
    generator = networks.linear_generator(1)
    networks.location_scale_layer(generator).location.assign([-3.0])
    networks.location_scale_layer(generator).scale.assign([0.0])  # G(z) = -3; d|a|/da = 0 at a = 0
    identity = keras.Sequential([keras.Input((1,)), keras.layers.Identity()])
    model = models.GAN(generator, identity, latent_dim=1)
    latent, real = tf.ones([5, 1]), tf.zeros([5, 1])
    saturating, confidence = measurements.generator_gradient_norm(model, real, latent, loss="minimax")
    non_saturating, _ = measurements.generator_gradient_norm(model, real, latent, loss="non_saturating")
    sigmoid = 1 / (1 + np.exp(3.0))
    assert confidence == pytest.approx(sigmoid)  # D(G(z)) = sigmoid(-3) = 0.0474
    assert saturating == pytest.approx(sigmoid, rel=1e-5)  # |d/db log(1 - sigmoid(b))| = sigmoid(b)
    assert non_saturating == pytest.approx(1 - sigmoid, rel=1e-5)  # |d/db log sigmoid(b)| = 1 - sigmoid(b)


@pytest.mark.parametrize(
    "model_class, kwargs, message",
    [
        (models.SimultaneousGAN, dict(d_steps=2), "d_steps"),
        (models.ParityAlternatingGAN, dict(g_steps=3), "g_steps"),
        (models.ConsensusGAN, dict(gamma=-1.0), "gamma"),
        (models.InstanceNoiseGAN, dict(initial_stddev=0.0), "initial_stddev"),
        (models.InstanceNoiseGAN, dict(anneal_steps=0), "anneal_steps"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(model_class, kwargs, message):
    with pytest.raises(ValueError, match=message):
        model_class(networks.linear_generator(1), networks.mlp_discriminator([2]), latent_dim=1, **kwargs)


def test_new_options_survive_a_config_round_trip():
    consensus = models.ConsensusGAN(networks.linear_generator(1), networks.mlp_discriminator([2]), 1, gamma=3.0)
    noisy = models.InstanceNoiseGAN(networks.linear_generator(1), networks.mlp_discriminator([2]), 1,
                                    initial_stddev=0.5, anneal_steps=100)
    assert models.ConsensusGAN.from_config(consensus.get_config()).gamma == 3.0
    restored = models.InstanceNoiseGAN.from_config(noisy.get_config())
    assert (restored.initial_stddev, restored.anneal_steps) == (0.5, 100)


def test_variants_compose_by_inheritance():
    class NoisySimultaneousGAN(models.InstanceNoiseGAN, models.SimultaneousGAN):
        pass

    model = tiny_gan(NoisySimultaneousGAN, initial_stddev=1.0, anneal_steps=2)
    logs = model.fit(tf.data.Dataset.from_tensors(REAL).repeat(), epochs=1, steps_per_epoch=3, verbose=0).history
    assert int(model.noise_step.numpy()) == 3 and np.isfinite(logs["d_loss"][-1])


@pytest.fixture
def mixed_precision():
    keras.config.set_dtype_policy("mixed_float16")
    yield
    keras.config.set_dtype_policy("float32")


@pytest.mark.parametrize(
    "model_class, kwargs, updates",
    [
        (models.ParityAlternatingGAN, {}, (2, 2)),  # 4 batches: G, D, G, D
        (models.SimultaneousGAN, {}, (4, 4)),
        (models.ConsensusGAN, {"gamma": 1.0}, (4, 4)),
        (models.InstanceNoiseGAN, {"initial_stddev": 1.0, "anneal_steps": 2}, (4, 4)),
    ],
)
def test_variants_train_under_mixed_precision_with_loss_scaling(mixed_precision, model_class, kwargs, updates):
    model = model_class(networks.mlp_generator([4], 2, 1), networks.mlp_discriminator([4]), 2, seed=0, **kwargs)
    model.compile(keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(1e-3)),
                  keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(1e-3)))
    logs = model.fit(tf.data.Dataset.from_tensors(REAL).repeat(), epochs=1, steps_per_epoch=4, verbose=0).history
    assert all(np.isfinite(values[-1]) for values in logs.values())
    assert (int(model.d_optimizer.iterations.numpy()), int(model.g_optimizer.iterations.numpy())) == updates
