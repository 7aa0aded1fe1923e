"""`GAN(ema_half_life=...)`: the generator average follows StyleGAN2-ADA's recurrence step by step, in every
variant and in stacked steps; `generate` samples it; it is saved and restored."""


import conftest
import keras
import numpy as np
import pytest
import tensorflow as tf

import gan_tf
from gan_tf import models, networks

BATCH = 8


def make_gan(cls=gan_tf.GAN, **kwargs):
    keras.utils.set_random_seed(0)
    gan = cls(networks.mlp_generator([4], latent_dim=2), networks.mlp_discriminator([8]), latent_dim=2, seed=0,
              **kwargs)
    gan.compile(d_optimizer=keras.optimizers.Adam(0.05), g_optimizer=keras.optimizers.Adam(0.05),
                loss="non_saturating" if cls is gan_tf.GAN else "wasserstein")
    return gan


def real_batch(step):
    return np.random.default_rng(step).normal(2.0, 1.0, (BATCH, 1)).astype(np.float32)


def train(gan, batch):
    """One Keras step on `batch` (`train_on_batch` would pass (x, None, None) to `train_step`)."""
    gan.fit(tf.data.Dataset.from_tensors(batch), epochs=1, verbose=0)


def by_hand_betas(steps, half_life, rampup):
    """beta_t = 0.5^(B / min(half_life, (t - 1) B rampup)): images seen before update t."""
    return [0.0 if t == 1 else 0.5 ** (BATCH / min(half_life, (t - 1) * BATCH * rampup)) for t in range(1, steps + 1)]


def test_by_hand_betas_of_the_test():
    # half-life 16 images, ramp 0.5, batch 8: min(16, 4) = 4 -> 0.5^2; min(16, 8) -> 0.5; then min(16, 16) -> 0.5^0.5.
    assert by_hand_betas(4, 16, 0.5) == pytest.approx([0.0, 0.25, 0.5, 0.5 ** (8 / 12)])


@pytest.mark.parametrize("cls", [gan_tf.GAN, models.WGANGP])
def test_average_equals_the_recurrence_over_the_generator_weights_after_each_step(cls):
    gan = make_gan(cls, ema_half_life=16, ema_rampup=0.5)
    steps = 6
    expected = [np.array(weight) for weight in gan.generator.trainable_weights]
    for step, beta in enumerate(by_hand_betas(steps, 16, 0.5)):
        train(gan, real_batch(step))
        expected = [beta * old + (1 - beta) * np.array(weight)
                    for old, weight in zip(expected, gan.generator.trainable_weights)]
    for variable, value in zip(gan.generator_average.variables, expected):
        np.testing.assert_allclose(np.array(variable), value, rtol=1e-5, atol=1e-6)
    # the average lags the weights: it is not simply the last weights
    last = [np.array(weight) for weight in gan.generator.trainable_weights]
    assert max(np.abs(a - b).max() for a, b in zip(expected, last)) > 1e-3


def test_stacked_steps_update_the_average_after_every_batch():
    gan = make_gan(ema_half_life=16, ema_rampup=0.5)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.05), g_optimizer=keras.optimizers.SGD(0.05),
                stacked_batches=True)
    reference = make_gan(ema_half_life=16, ema_rampup=0.5)
    reference.compile(d_optimizer=keras.optimizers.SGD(0.05), g_optimizer=keras.optimizers.SGD(0.05))
    batches = np.stack([real_batch(step) for step in range(3)])
    train(gan, batches)
    for step in range(3):
        train(reference, batches[step])
    for ours, theirs in zip(gan.generator_average.variables + gan.generator.trainable_weights,
                            reference.generator_average.variables + reference.generator.trainable_weights):
        np.testing.assert_allclose(np.array(ours), np.array(theirs), rtol=1e-5, atol=1e-6)


def test_generate_samples_the_average_unless_asked_for_the_raw_generator():
    gan = make_gan(ema_half_life=16, ema_rampup=None)
    for step in range(5):
        train(gan, real_batch(step))
    raw_weights = [np.array(weight) for weight in gan.generator.trainable_weights]
    latent = gan.sample_latent(10, seed=3)
    averaged = gan.generate(10, seed=3)
    raw = gan.generate(10, seed=3, average=False)
    np.testing.assert_allclose(raw, gan.generator(latent).numpy(), rtol=1e-6)
    copy = keras.models.clone_model(gan.generator)  # an independent averaged generator: the clone's weights
    copy.set_weights(gan.generator.get_weights())
    for target, variable in zip(copy.trainable_weights, gan.generator_average.variables):
        target.assign(variable.value)
    np.testing.assert_allclose(averaged, copy(latent).numpy(), rtol=1e-5, atol=1e-6)
    assert np.abs(averaged - raw).max() > 1e-4
    for weight, value in zip(gan.generator.trainable_weights, raw_weights):  # restored after sampling
        np.testing.assert_array_equal(np.array(weight), value)


def test_without_a_half_life_there_is_no_average():
    gan = make_gan()
    assert gan.generator_average is None and gan.get_config()["ema_half_life"] is None
    train(gan, real_batch(0))
    np.testing.assert_array_equal(gan.generate(4, seed=1), gan.generate(4, seed=1, average=False))


def test_a_keras_round_trip_keeps_the_average(tmp_path):
    gan = make_gan(ema_half_life=16, ema_rampup=0.5)
    for step in range(3):
        train(gan, real_batch(step))
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    assert (loaded.ema_half_life, loaded.ema_rampup) == (16, 0.5)
    for ours, theirs in zip(gan.generator_average.variables, loaded.generator_average.variables):
        np.testing.assert_array_equal(np.array(ours), np.array(theirs))
    np.testing.assert_allclose(loaded.generate(6, seed=2), gan.generate(6, seed=2), rtol=1e-6)


@pytest.mark.parametrize("half_life", [0, -5.0])
def test_a_half_life_must_be_positive(half_life):
    with pytest.raises(ValueError, match="half_life"):
        make_gan(ema_half_life=half_life)


def test_jit_compiled_training_updates_the_average():
    gan = make_gan(ema_half_life=16, ema_rampup=0.5)
    gan.compile(d_optimizer=keras.optimizers.Adam(0.05), g_optimizer=keras.optimizers.Adam(0.05), jit_compile=True)
    gan.fit(tf.data.Dataset.from_tensor_slices(np.concatenate([real_batch(s) for s in range(4)])).batch(BATCH),
            epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 4
    assert not np.allclose(np.array(gan.generator_average.variables[0]), np.array(gan.generator.trainable_weights[0]))


def test_under_a_mirrored_strategy_the_average_counts_the_global_batch(repository):
    # Two replicas of 4 images: beta must use the global batch of 8 (the same by-hand betas as one replica).
    results = conftest.worker_results("distributed_average.py")
    assert results["replicas"] == 2
    expected = [np.array(weight) for weight in results["weights"][0]]
    for beta, after in zip(by_hand_betas(5, 16, 0.5), results["weights"][1:]):
        expected = [beta * old + (1 - beta) * np.array(weight) for old, weight in zip(expected, after)]
    for variable, value in zip(results["average"], expected):
        np.testing.assert_allclose(variable, value, rtol=1e-5, atol=1e-6)
