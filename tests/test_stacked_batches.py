"""`GAN.compile(stacked_batches=True)`: K updates per Keras step, the same training as one batch per step."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import gan_tf
from gan_tf import distributions, networks

BATCHES = np.random.default_rng(0).normal(2.0, 3.0, size=(6, 16, 1)).astype(np.float32)


def trained(model_class, stacked, jit_compile=False):
    keras.utils.set_random_seed(0)
    gan = model_class(networks.linear_generator(), networks.mlp_discriminator([8]), latent_dim=1, seed=0)
    gan.compile(keras.optimizers.Adam(0.01), keras.optimizers.Adam(0.02), stacked_batches=stacked,
                jit_compile=jit_compile)
    data = BATCHES.reshape(2, 3, 16, 1) if stacked else BATCHES
    history = gan.fit(tf.data.Dataset.from_tensor_slices(data), epochs=1, verbose=0)
    return gan, history.history


@pytest.mark.parametrize("model_class", [gan_tf.GAN, gan_tf.models.ParityAlternatingGAN])
def test_stacked_batches_train_exactly_as_one_batch_per_step(model_class):
    plain, plain_history = trained(model_class, stacked=False)
    stacked, stacked_history = trained(model_class, stacked=True)
    untrained = model_class(networks.linear_generator(), networks.mlp_discriminator([8]), latent_dim=1)
    assert int(stacked.g_optimizer.iterations.numpy()) == int(plain.g_optimizer.iterations.numpy()) > 0
    for name in ("generator", "discriminator"):
        for a, b in zip(getattr(plain, name).weights, getattr(stacked, name).weights):
            np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-5, atol=1e-6)
    assert not np.allclose(stacked.generator.weights[0].numpy(), untrained.generator.weights[0].numpy())
    for name, values in plain_history.items():  # the trackers average over all 6 updates in both
        assert stacked_history[name][-1] == pytest.approx(values[-1], rel=1e-5), name


def test_stacked_batches_under_xla_and_from_sample_dataset():
    keras.utils.set_random_seed(1)
    gan = gan_tf.GAN(networks.linear_generator(), networks.mlp_discriminator([8]), latent_dim=1, seed=1)
    gan.compile(keras.optimizers.Adam(0.01), keras.optimizers.Adam(0.02), stacked_batches=True, jit_compile=True)
    data = distributions.sample_dataset(distributions.normal(2.0, 3.0), 32, seed=1, stack=25)
    assert tuple(data.element_spec.shape) == (25, 32, 1)
    gan.fit(data, steps_per_epoch=4, epochs=1, verbose=0)
    assert int(gan.d_optimizer.iterations.numpy()) == 100


def test_stacked_compile_config_round_trips_and_shapes_are_checked(tmp_path):
    gan, _ = trained(gan_tf.GAN, stacked=True)
    path = tmp_path / "gan.keras"
    gan.save(path)
    assert keras.saving.load_model(path).stacked_batches
    with pytest.raises(ValueError, match=r"real batches have shape \(3, 16, 1\)"):
        gan.compile(keras.optimizers.Adam(), keras.optimizers.Adam())  # unstacked again
        gan.fit(tf.data.Dataset.from_tensor_slices(BATCHES.reshape(2, 3, 16, 1)), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="stack must be None or a positive integer"):
        distributions.sample_dataset(distributions.normal(0.0, 1.0), 8, stack=0)


def test_a_stacked_sample_dataset_holds_the_unstacked_batches_in_order():
    """`stack=K` groups the unstacked stream K batches at a time: a stacked run trains on the same data."""
    mixture = distributions.mixture([-1.0, 2.0], [0.5, 1.0])
    plain = list(distributions.sample_dataset(mixture, 8, seed=3).take(6).as_numpy_iterator())
    stacked = list(distributions.sample_dataset(mixture, 8, seed=3, stack=3).take(2).as_numpy_iterator())
    assert stacked[0].shape == (3, 8, 1)
    np.testing.assert_array_equal(np.concatenate(stacked), np.stack(plain))
    assert not np.array_equal(plain[0], plain[1])
