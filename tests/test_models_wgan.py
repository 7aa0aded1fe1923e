"""Wasserstein, hinge and least-squares losses; WGAN's clipping and critic schedule; WGAN-GP's critic loss."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import distributions, losses, models, networks
from gan_tf.models import wgan

REAL = [-5.0, 1.4, 12.5, 2.7]  # TF-GAN's hand-checkable logits (losses_impl_test.py)
FAKE = [10.0, 4.4, -5.5, 3.6]


@pytest.mark.parametrize("name, generator_expected, discriminator_expected", [
    ("wasserstein", -3.125, 3.125 - 2.9),  # -mean(fake); mean(fake) - mean(real) = 0.225
    # hinge D: mean(relu(1 - real)) = (6 + 0 + 0 + 0) / 4, mean(relu(1 + fake)) = (11 + 5.4 + 0 + 4.6) / 4
    ("hinge", -3.125, 1.5 + 5.25),
    # least squares: 0.5 mean((fake - 1)^2) = 0.5 (81 + 11.56 + 42.25 + 6.76) / 4
    ("least_squares", 0.5 * (81 + 11.56 + 42.25 + 6.76) / 4,
     0.5 * (36 + 0.16 + 132.25 + 2.89) / 4 + 0.5 * (100 + 19.36 + 30.25 + 12.96) / 4),
])
def test_hand_checked_values(name, generator_expected, discriminator_expected):
    family = losses.get(name)
    assert float(family.generator_loss(tf.constant(FAKE))) == pytest.approx(generator_expected, rel=1e-6)
    assert float(family.discriminator_loss(tf.constant(REAL), tf.constant(FAKE))) == pytest.approx(
        discriminator_expected, rel=1e-6)
    patches = float(family.generator_loss(tf.reshape(tf.constant(FAKE), [2, 2])))
    assert patches == pytest.approx(generator_expected, rel=1e-6)


def test_unknown_loss_name_is_a_value_error():
    with pytest.raises(ValueError, match="wasserstein"):
        losses.get("wasserstien")


def test_critic_schedule_of_the_reference_code():
    counts = [wgan.critic_steps_for(iteration) for iteration in range(1002)]
    assert counts[:25] == [100] * 25 and counts[25:500] == [5] * 475
    assert counts[500] == 100 and counts[501:1000] == [5] * 499 and counts[1000] == 100
    tensor = wgan.critic_steps_for(tf.constant([0, 24, 25, 499, 500], tf.int64), warmup_n_critic=25)
    assert tensor.numpy().tolist() == [25, 25, 5, 5, 25]


def small_wgan(**kwargs):
    generator = networks.mlp_generator([8], latent_dim=2, output_dim=2)
    critic = networks.mlp_discriminator([8], input_dim=2)
    model = models.WGAN(generator, critic, 2, seed=0, **kwargs)
    model.compile(keras.optimizers.RMSprop(wgan.WGAN_LEARNING_RATE), keras.optimizers.RMSprop(wgan.WGAN_LEARNING_RATE))
    return model


def test_wgan_counts_critic_steps_and_keeps_every_critic_weight_clipped():
    # WGAN's schedule (Arjovsky et al. 2017): 25 critic steps early on and every 500th step
    model = small_wgan(warmup_n_critic=25)
    dataset = distributions.sample_dataset(distributions.ring_of_gaussians(), 16, seed=0)
    model.fit(dataset, epochs=1, steps_per_epoch=27, verbose=0)
    assert int(model.generator_iterations.numpy()) == 27
    assert int(model.critic_iterations.numpy()) == 25 * 25 + 2 * 5
    model.generator_iterations.assign(499)  # generator steps 499 (5 critic steps) and 500 (25)
    model.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)
    assert int(model.critic_iterations.numpy()) == 25 * 25 + 2 * 5 + 5 + 25
    for variable in model.discriminator.trainable_variables:
        values = variable.numpy()
        assert np.all(np.abs(values) <= 0.01 + 1e-9), variable.path
    assert max(np.abs(variable.numpy()).max() for variable in model.discriminator.trainable_variables) > 0.009


@pytest.mark.parametrize("keyword, value", [("clip_value", 0.0), ("n_critic", 0), ("warmup_every", 1.5)])
def test_wgan_rejects_bad_arguments(keyword, value):
    with pytest.raises(ValueError, match=keyword):
        small_wgan(**{keyword: value})


def test_wgan_gp_critic_loss_is_wasserstein_plus_lambda_times_penalty():
    # A linear critic D(x) = w.x with |w| = 5: the penalty is (5 - 1)^2 = 16 at every interpolate.
    generator = networks.mlp_generator([4], latent_dim=2, output_dim=2)
    inputs = keras.Input(shape=(2,))
    dense = keras.layers.Dense(1, use_bias=False)
    critic = keras.Model(inputs, dense(inputs))
    dense.kernel.assign([[3.0], [4.0]])
    model = models.WGANGP(generator, critic, 2, gp_weight=10.0, n_critic=5, seed=0)
    model.compile(keras.optimizers.Adam(**wgan.WGANGP_ADAM), keras.optimizers.Adam(**wgan.WGANGP_ADAM))
    real, fake = np.ones((8, 2), np.float32), np.zeros((8, 2), np.float32)
    loss, real_logits, fake_logits = model.compute_discriminator_loss(real, fake)
    assert float(loss) == pytest.approx(0.0 - 7.0 + 10.0 * 16.0, rel=1e-5)
    assert model.d_steps == 5 and "d_steps" not in model.get_config()
