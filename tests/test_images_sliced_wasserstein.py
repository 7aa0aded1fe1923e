"""`gan_tf.images.sliced_wasserstein`: the pyramid is exact, a set against itself scores 0, blur and noise raise
the distance step by step, and two halves of one data set sit far below a degraded copy."""

import numpy as np
import pytest
import scipy.ndimage

from gan_tf.images import datasets, sliced_wasserstein


@pytest.fixture(scope="module")
def digits32():
    images, _ = datasets.digits_arrays("all")
    return datasets.upscale_digits(images[..., None], 32).numpy()  # [1797, 32, 32, 1] in [-1, 1]


def test_pyramid_levels_halve_down_to_16():
    assert [sliced_wasserstein.pyramid_levels(size) for size in (16, 32, 64, 128)] == [1, 2, 3, 4]


def test_a_constant_image_has_no_detail_bands_and_keeps_its_value_at_the_coarsest_level():
    pyramid = sliced_wasserstein.laplacian_pyramid(np.full((2, 32, 32, 3), 0.7), 2)
    np.testing.assert_allclose(pyramid[0], 0.0, atol=1e-12)
    np.testing.assert_allclose(pyramid[1], 0.7, atol=1e-12)


def test_the_pyramid_collapses_back_to_the_image():
    images = np.random.default_rng(0).uniform(-1, 1, (3, 64, 64, 2))
    pyramid = sliced_wasserstein.laplacian_pyramid(images, 3)
    assert [level.shape[1] for level in pyramid] == [64, 32, 16]
    rebuilt = pyramid[-1]
    for band in reversed(pyramid[:-1]):
        rebuilt = band + sliced_wasserstein.pyramid_up(rebuilt)
    np.testing.assert_allclose(rebuilt, images, atol=1e-12)


def test_patches_are_the_pixels_around_their_centres():
    images = np.arange(2 * 16 * 16).reshape(2, 16, 16, 1).astype(np.float64)
    patches = sliced_wasserstein.patch_descriptors(images, np.random.default_rng(1), patches_per_image=5)
    assert patches.shape == (10, 7, 7, 1)
    for patch in patches:  # consecutive rows differ by 16, consecutive columns by 1
        np.testing.assert_array_equal(np.diff(patch[..., 0], axis=0), 16)
        np.testing.assert_array_equal(np.diff(patch[..., 0], axis=1), 1)


def test_one_dimensional_sliced_wasserstein_is_the_mean_shift():
    # In 1-D every unit direction is +-1, and W1 between a set and its shift by c is |c|.
    a = np.random.default_rng(2).normal(size=(500, 1))
    assert sliced_wasserstein.sliced_wasserstein(a, a + 0.3, np.random.default_rng(3)) == pytest.approx(0.3)


def test_a_set_against_itself_scores_zero(digits32):
    distances = sliced_wasserstein.sliced_wasserstein_distances(digits32[:200], digits32[:200])
    assert distances == {"level_32": 0.0, "level_16": 0.0, "mean": 0.0}


def test_blur_and_noise_raise_the_distance_step_by_step(digits32):
    real, rng = digits32[:300], np.random.default_rng(4)

    def score(images):
        return sliced_wasserstein.sliced_wasserstein_distances(real, images)["mean"]

    halves = score(digits32[300:600])
    blurred = [score(scipy.ndimage.gaussian_filter(real, (0, sigma, sigma, 0))) for sigma in (0.5, 1.0, 2.0)]
    noisy = [score(real + rng.normal(scale=scale, size=real.shape)) for scale in (0.05, 0.2, 0.5)]
    assert blurred == sorted(blurred) and noisy == sorted(noisy)
    assert 2 * halves < min(blurred[2], noisy[1])  # measured: halves 30, blur sigma 2: 85, noise 0.2: 93


def test_sets_of_other_shapes_are_refused_by_name():
    with pytest.raises(ValueError, match="same shape"):
        sliced_wasserstein.sliced_wasserstein_distances(np.zeros((4, 16, 16, 1)), np.zeros((5, 16, 16, 1)))
    with pytest.raises(ValueError, match="fake_images must be square images"):
        sliced_wasserstein.sliced_wasserstein_distances(np.zeros((4, 16, 16, 1)), np.zeros((4, 8, 8, 1)))
