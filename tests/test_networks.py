"""DCGAN builders: Radford's (PyTorch reference) and the dense-ended variant (Shekkizhar's write-up)."""

import keras
import numpy as np
import pytest

from gan_tf import networks


def layers_of(model, kind):
    return [layer for layer in model.layers if isinstance(layer, kind)]


def trainable_count(model):
    return sum(int(np.prod(weight.shape)) for weight in model.trainable_weights)


def test_radford_64_matches_the_pytorch_reference_layer_by_layer():
    generator, discriminator = networks.dcgan_generator(), networks.dcgan_discriminator()
    g_depths, d_depths = [100, 512, 256, 128, 64, 3], [3, 64, 128, 256, 512, 1]
    # PyTorch: bias-free 4x4 (transposed) convs, BN (gamma, beta) after all but G's output and D's first/last.
    g_expected = sum(16 * a * b for a, b in zip(g_depths, g_depths[1:])) + 2 * sum(g_depths[1:-1])
    d_expected = sum(16 * a * b for a, b in zip(d_depths, d_depths[1:])) + 2 * sum(d_depths[2:-1])
    assert (trainable_count(generator), trainable_count(discriminator)) == (g_expected, d_expected)
    assert generator.output_shape == (None, 64, 64, 3) and discriminator.output_shape == (None, 1)
    convolutions = layers_of(generator, keras.layers.Conv2DTranspose) + layers_of(discriminator, keras.layers.Conv2D)
    assert all(layer.kernel_size == (4, 4) and not layer.use_bias for layer in convolutions)
    assert [layer.strides for layer in layers_of(generator, keras.layers.Conv2DTranspose)] == [(1, 1)] + [(2, 2)] * 4


def test_radford_discriminator_has_no_batch_norm_on_its_first_layer():
    discriminator = networks.dcgan_discriminator(image_size=32, channels=1)
    names = [layer.name for layer in discriminator.layers]
    assert names.index("conv_0") + 1 == names.index("conv_0_lrelu")
    assert [layer.name for layer in layers_of(discriminator, keras.layers.BatchNormalization)] == [
        "conv_1_bn", "conv_2_bn"]
    assert all(layer.negative_slope == pytest.approx(0.2) for layer in layers_of(discriminator, keras.layers.LeakyReLU))


@pytest.mark.parametrize("stddev", [0.02, 0.2])
def test_initial_weights_and_batch_norm_gammas_follow_radford(stddev):
    generator = networks.dcgan_generator(stddev=stddev)
    kernel = generator.get_layer("deconv_1").kernel.numpy()  # 2M weights: sample stddev within 0.5%
    assert abs(kernel.mean()) < 0.01 * stddev and kernel.std() == pytest.approx(stddev, rel=5e-3)
    gammas = np.concatenate([layer.gamma.numpy() for layer in layers_of(generator, keras.layers.BatchNormalization)])
    assert gammas.mean() == pytest.approx(1.0, abs=3e-3) and gammas.std() == pytest.approx(0.02, rel=0.1)


def test_dense_dcgan_variant_dense_projection_5x5_kernels_and_batch_norm_decay():
    generator, discriminator = networks.dense_dcgan_generator(), networks.dense_dcgan_discriminator()
    assert generator.get_layer("projection").kernel.shape == (100, 4 * 4 * 512)
    deconvs = layers_of(generator, keras.layers.Conv2DTranspose)
    assert [layer.filters for layer in deconvs] == [256, 128, 64, 3]
    assert [layer.filters for layer in layers_of(discriminator, keras.layers.Conv2D)] == [64, 128, 256, 512]
    kernels = {layer.kernel_size for layer in deconvs + layers_of(discriminator, keras.layers.Conv2D)}
    assert kernels == {(5, 5)}
    norms = [*layers_of(generator, keras.layers.BatchNormalization),
             *layers_of(discriminator, keras.layers.BatchNormalization)]
    assert {(layer.momentum, layer.epsilon) for layer in norms} == {(0.9, 1e-5)}
    assert discriminator.get_layer("features").output.shape == (None, 4, 4, 512)
    assert isinstance(discriminator.get_layer("logits"), keras.layers.Dense)


@pytest.mark.parametrize("builders", [(networks.dcgan_generator, networks.dcgan_discriminator),
                                      (networks.dense_dcgan_generator, networks.dense_dcgan_discriminator)])
def test_32x32_outputs_are_float32_images_in_range_and_one_logit(builders):
    generator = builders[0](image_size=32, channels=1)
    discriminator = builders[1](image_size=32, channels=1)
    images = generator(np.random.default_rng(0).uniform(-1, 1, (5, 100)).astype("float32"), training=False)
    assert images.shape == (5, 32, 32, 1) and images.dtype == "float32"
    assert float(keras.ops.max(keras.ops.abs(images))) <= 1.0
    logits = discriminator(images, training=False)
    assert logits.shape == (5, 1) and logits.dtype == "float32"


def test_feature_extractor_shares_the_discriminator_weights():
    discriminator = networks.dcgan_discriminator(image_size=16, channels=1, filters=4)
    extractor = networks.feature_extractor(discriminator)
    images = np.random.default_rng(1).uniform(-1, 1, (3, 16, 16, 1)).astype("float32")
    logits, features = extractor(images, training=False)
    np.testing.assert_allclose(logits, discriminator(images, training=False), rtol=1e-6)
    assert features.shape == (3, 4, 4, 8)
    kernel = discriminator.get_layer("conv_0").kernel
    kernel.assign(kernel * 2.0)
    assert not np.allclose(extractor(images, training=False)[1], features)


def test_first_weight_layer_is_d_first_conv_and_g_projection():
    discriminator = networks.dense_dcgan_discriminator(image_size=16, depths=(8, 16))
    generator = networks.dense_dcgan_generator(image_size=16, depths=(16, 8))
    assert networks.first_weight_layer(discriminator).name == "conv_0"
    assert networks.first_weight_layer(generator).name == "projection"


@pytest.mark.parametrize("call, message", [
    (lambda: networks.dcgan_generator(image_size=48), "image_size must be one of"),
    (lambda: networks.dense_dcgan_generator(image_size=32, depths=(512, 256)), "depths must be 3 positive integers"),
    (lambda: networks.dcgan_discriminator(stddev=0.0), "stddev"),
    (lambda: networks.feature_extractor(networks.mlp_discriminator([4]), "features"), "has no layer 'features'"),
])
def test_bad_arguments_raise_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
