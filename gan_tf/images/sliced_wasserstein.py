"""Sliced Wasserstein distance on Laplacian-pyramid patches: an image-quality measure needing no network weights.

From "Progressive Growing of GANs for Improved Quality, Stability, and Variation" (Karras, Aila, Laine,
Lehtinen 2018, https://arxiv.org/abs/1710.10196, Sec. 5 and the authors' `metrics/sliced_wasserstein.py`):
  1. each image's Laplacian pyramid, from its resolution down to 16x16 (5x5 binomial filter, mirror borders,
     as OpenCV's pyrDown / pyrUp);
  2. per level, 128 random 7x7 patches per image, each patch flattened to a descriptor;
  3. per level and per set, each channel of the descriptors normalised to zero mean and unit stddev;
  4. the sliced Wasserstein distance between the real and fake descriptors: 4 x 128 random unit directions,
     the descriptors projected on each, sorted, and the mean absolute difference of the sorted projections.
Reported, as in the paper, x 1e3 per level (finest first) and their mean. Small is better: the finest level
compares fine detail (edges, noise), the coarsest the colours and large shapes.

Unlike ProGAN, both sets draw their patch positions from the same seeded stream, so a set against itself scores
exactly 0; the directions come from the same `seed` too, so two calls with one seed are repeatable.
"""

import numpy as np
import scipy.ndimage

PATCH_SIZE = 7
PATCHES_PER_IMAGE = 128
DIRECTION_REPEATS = 4
DIRECTIONS_PER_REPEAT = 128
COARSEST_RESOLUTION = 16
BINOMIAL_FILTER = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]).astype(np.float64) / 256.0


def sliced_wasserstein_distances(real_images, fake_images, seed=0):
    """{"level_<resolution>": SWD x 1e3, ..., "mean": their mean} between two equal-sized image sets.

    Args:
      real_images, fake_images: `[n, H, W, C]` arrays with the same shape, square, H >= 16 (any value range:
        the descriptors are normalised per set).
      seed: seeds the patch positions (the same for both sets) and the projection directions.
    """
    real_images = _as_images(real_images, "real_images")
    fake_images = _as_images(fake_images, "fake_images")
    if real_images.shape != fake_images.shape:
        raise ValueError(f"real_images and fake_images must have the same shape (the distance sorts projections "
                         f"of equal-sized sets), got {real_images.shape} and {fake_images.shape}.")
    levels = pyramid_levels(real_images.shape[1])
    real_pyramid = laplacian_pyramid(real_images, levels)
    fake_pyramid = laplacian_pyramid(fake_images, levels)
    distances = {}
    for level, (real, fake) in enumerate(zip(real_pyramid, fake_pyramid)):
        real_descriptors = normalized(patch_descriptors(real, np.random.default_rng([seed, level])))
        fake_descriptors = normalized(patch_descriptors(fake, np.random.default_rng([seed, level])))
        distance = sliced_wasserstein(real_descriptors, fake_descriptors, np.random.default_rng([seed, level, 1]))
        distances[f"level_{real.shape[1]}"] = 1e3 * distance
    distances["mean"] = float(np.mean(list(distances.values())))
    return distances


def pyramid_levels(resolution):
    """How many levels halve `resolution` down to 16: 64 -> 3 (64, 32, 16)."""
    levels = 0
    while resolution >= COARSEST_RESOLUTION:
        levels, resolution = levels + 1, resolution // 2
    return levels


def laplacian_pyramid(images, levels):
    """`levels` arrays `[n, H / 2^k, W / 2^k, C]`: band-pass details at each scale, the last one low-pass."""
    pyramid = [np.asarray(images, np.float64)]
    for _ in range(1, levels):
        pyramid.append(pyramid_down(pyramid[-1]))
        pyramid[-2] = pyramid[-2] - pyramid_up(pyramid[-1])
    return pyramid


def pyramid_down(images):
    """Blur with the 5x5 binomial filter (mirror borders), keep every second pixel (OpenCV's pyrDown)."""
    return _blur(images)[:, ::2, ::2, :]


def pyramid_up(images):
    """Insert zeros between pixels, blur with 4x the filter (OpenCV's pyrUp)."""
    count, height, width, channels = images.shape
    spread = np.zeros((count, 2 * height, 2 * width, channels), images.dtype)
    spread[:, ::2, ::2, :] = images
    return 4.0 * _blur(spread)


def patch_descriptors(images, rng, patch_size=PATCH_SIZE, patches_per_image=PATCHES_PER_IMAGE):
    """`[n * patches_per_image, patch_size, patch_size, C]` patches at uniformly random positions."""
    count, height, width, _ = images.shape
    half = patch_size // 2
    image_index = np.repeat(np.arange(count), patches_per_image)
    rows = rng.integers(half, height - half, size=image_index.size)
    columns = rng.integers(half, width - half, size=image_index.size)
    offsets = np.arange(-half, half + 1)
    row_grid = (rows[:, None] + offsets[None, :])[:, :, None]
    column_grid = (columns[:, None] + offsets[None, :])[:, None, :]
    return images[image_index[:, None, None], row_grid, column_grid]


def normalized(descriptors):
    """Each channel to zero mean, unit stddev over all patches and positions; flattened to `[patches, d]`, float32
    (as ProGAN's)."""
    mean = descriptors.mean(axis=(0, 1, 2), keepdims=True)
    stddev = descriptors.std(axis=(0, 1, 2), keepdims=True)
    return ((descriptors - mean) / np.maximum(stddev, 1e-12)).reshape(len(descriptors), -1).astype(np.float32)


def sliced_wasserstein(a, b, rng, repeats=DIRECTION_REPEATS, directions=DIRECTIONS_PER_REPEAT):
    """Mean over random unit directions of W1 between the 1-D projections of `a` and `b` (`[n, d]` each)."""
    results = []
    for _ in range(repeats):
        units = rng.standard_normal((a.shape[1], directions))
        units /= np.linalg.norm(units, axis=0, keepdims=True)
        projections_a, projections_b = units.T @ a.T, units.T @ b.T  # [directions, n]: rows sort fast
        results.append(np.mean(np.abs(np.sort(projections_a, axis=1) - np.sort(projections_b, axis=1))))
    return float(np.mean(results))


def _blur(images):
    return scipy.ndimage.convolve(images, BINOMIAL_FILTER[None, :, :, None], mode="mirror")


def _as_images(images, name):
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1] != images.shape[2] or images.shape[1] < COARSEST_RESOLUTION:
        raise ValueError(f"{name} must be square images [n, H, H, C] with H >= {COARSEST_RESOLUTION}, "
                         f"got shape {images.shape}.")
    return images
