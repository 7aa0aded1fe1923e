"""`low_resolution.generator_through`: G's images in the subspace of upscaled small images, every one reachable."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import low_resolution, networks
from gan_tf.images import datasets


def upscaling_basis(size=32, small=8):
    """`[small * small, size * size]`: the loader's upscaling of each one-pixel small image (the subspace's span)."""
    pixels = np.eye(small * small, dtype=np.float32).reshape(-1, small, small, 1)
    return tf.image.resize(pixels, (size, size), antialias=True).numpy().reshape(small * small, -1)


def off_subspace_share(images, basis):
    """The share of the images' squared norm outside the span of `basis` (least squares)."""
    flat = images.reshape(len(images), -1).astype(np.float64)
    coefficients, *_ = np.linalg.lstsq(basis.T.astype(np.float64), flat.T, rcond=None)
    residual = flat.T - basis.T.astype(np.float64) @ coefficients
    return float((residual ** 2).sum() / (flat ** 2).sum())


def test_generated_images_lie_where_upscaled_digits_lie_and_plain_ones_do_not():
    keras.utils.set_random_seed(0)
    plain = networks.dcgan_generator(latent_dim=8, image_size=32, channels=1, filters=4)
    through = low_resolution.generator_through(plain, 8)
    latent = np.random.default_rng(0).normal(size=(16, 8)).astype(np.float32)
    basis = upscaling_basis()
    digits = datasets.upscale_digits(datasets.digits_arrays("test")[0][:16, ..., None], 32).numpy()
    assert off_subspace_share(digits, basis) < 1e-10  # the check itself: real digits are in the span
    assert off_subspace_share(through(latent).numpy(), basis) < 1e-10
    assert off_subspace_share(plain(latent).numpy(), basis) > 0.05  # ... and an unconstrained G's images are not
    assert through.name == plain.name and through.layers[-1].name == "low_resolution"


def test_every_upscaled_small_image_is_reachable():
    """The loader's image of x is the layers' output for x enlarged by pixel repetition."""
    small = np.random.default_rng(1).uniform(0, 16, size=(5, 8, 8, 1)).astype(np.float32)
    repeated = np.repeat(np.repeat(datasets.upscale_digits(small, 8).numpy(), 4, axis=1), 4, axis=2)
    identity = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Identity()])
    through = low_resolution.generator_through(identity, 8)
    np.testing.assert_allclose(through(repeated).numpy(), datasets.upscale_digits(small, 32).numpy(), atol=1e-5)


def test_the_generator_stays_float32_under_mixed_precision_and_compiles_with_xla():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        generator = low_resolution.generator_through(
            networks.dcgan_generator(latent_dim=8, image_size=16, channels=3, filters=4), 4)
        images = tf.function(generator, jit_compile=True)(tf.zeros((2, 8)))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert images.dtype == tf.float32 and images.shape == (2, 16, 16, 3)


@pytest.mark.parametrize("resolution, message", [
    (32, "must divide the generator's image size and be below it"),
    (12, "must divide the generator's image size and be below it"),
    (0, "resolution must be a positive integer"),
])
def test_bad_resolutions_are_refused(resolution, message):
    generator = networks.dcgan_generator(latent_dim=8, image_size=32, channels=1, filters=4)
    with pytest.raises(ValueError, match=message):
        low_resolution.generator_through(generator, resolution)
