"""`gan_tf.residual_networks`: shapes, float32 heads, Keras' spectral normalisation bounding D's layers, and a
`.keras` round trip."""

import keras
import numpy as np
import pytest

from gan_tf import residual_networks


@pytest.mark.parametrize("size", [16, 32, 64])
def test_shapes_from_latent_to_logit(size):
    generator = residual_networks.residual_generator(latent_dim=16, image_size=size, channels=3, width=8)
    discriminator = residual_networks.residual_discriminator(image_size=size, channels=3, width=8)
    images = generator(np.random.default_rng(0).normal(size=(2, 16)).astype("float32"))
    assert images.shape == (2, size, size, 3) and np.all(np.abs(images) <= 1)
    assert discriminator(images).shape == (2, 1)


def test_heads_stay_float32_under_mixed_precision():
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        generator = residual_networks.residual_generator(latent_dim=8, image_size=16, width=8)
        discriminator = residual_networks.residual_discriminator(image_size=16, width=8)
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    assert generator.outputs[0].dtype == "float32" and discriminator.outputs[0].dtype == "float32"
    assert generator.get_layer("up_0_conv_0").compute_dtype == "float16"


def test_spectral_normalization_brings_every_layer_of_d_to_norm_one():
    keras.utils.set_random_seed(0)
    discriminator = residual_networks.residual_discriminator(image_size=16, channels=1, width=8)
    images = np.random.default_rng(1).normal(size=(4, 16, 16, 1)).astype("float32")
    for _ in range(100):  # Keras' wrapper: one power iteration per training call, then kernel <- kernel / sigma
        discriminator(images, training=True)
    wrapped = [layer for layer in discriminator.layers if isinstance(layer, keras.layers.SpectralNormalization)]
    bare = [layer.name for layer in discriminator.layers
            if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
    assert len(wrapped) == 8 and not bare  # first block 3, two 8x8 blocks 2 each, the logit 1
    for layer in wrapped:
        kernel = keras.ops.convert_to_numpy(layer.layer.kernel)
        assert np.linalg.norm(kernel.reshape(-1, kernel.shape[-1]), 2) == pytest.approx(1.0, abs=0.02)


def test_without_spectral_norm_there_is_no_wrapper():
    discriminator = residual_networks.residual_discriminator(image_size=16, width=8, spectral_norm=False)
    assert not any(isinstance(layer, keras.layers.SpectralNormalization) for layer in discriminator.layers)


def test_keras_round_trip(tmp_path):
    discriminator = residual_networks.residual_discriminator(image_size=16, channels=1, width=8)
    images = np.random.default_rng(2).normal(size=(3, 16, 16, 1)).astype("float32")
    discriminator.save(tmp_path / "d.keras")
    loaded = keras.saving.load_model(tmp_path / "d.keras")
    np.testing.assert_allclose(loaded(images), discriminator(images), atol=1e-5)


def test_bad_sizes_are_refused_by_name():
    with pytest.raises(ValueError, match="image_size must be 16, 32, 64 or 128"):
        residual_networks.residual_generator(image_size=48)
    with pytest.raises(ValueError, match="width must be a positive integer"):
        residual_networks.residual_discriminator(width=True)
