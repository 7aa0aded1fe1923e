"""Image sets made offline from what scikit-learn bundles, for measuring image GANs without a download.

  digits_subset           a seeded fraction of the 8x8 digits, upscaled (small-data experiments: 10% = 180 images)
  digits_held_out         the digits of the same split that `digits_subset` leaves out (to score generalisation)
  stacked_digits          three random digits in the R, G, B channels: 1,000 modes (Stacked MNIST, as in
                          VEEGAN, Srivastava et al. 2017, https://arxiv.org/abs/1705.07761, and PacGAN, Lin et al.
                          2018, https://arxiv.org/abs/1712.04086, with scikit-learn's digits for MNIST)
  stacked_digit_modes     modes a set of stacked digits covers (each channel read by the digits classifier) and
                          the KL divergence of its mode distribution from the uniform one
  photo_crops             random square crops of scikit-learn's two sample photos (china.jpg, flower.jpg), colour

All return float32 images `[n, size, size, channels]` in [-1, 1], as the pipelines of `datasets` do.
"""

import numpy as np

from gan_tf.images import datasets, quality

STACKED_MODES = 1000


def digits_subset(fraction, image_size=32, seed=0, split="all"):
    """(images `[n, size, size, 1]`, labels) of a seeded random `fraction` of the digits of `split`."""
    images, labels = datasets.digits_arrays(split)
    chosen = _subset_indices(fraction, len(images), seed)
    return _upscaled(images[chosen], image_size), labels[chosen]


def digits_held_out(fraction, image_size=32, seed=0, split="all"):
    """(images, labels) of the digits of `split` that `digits_subset(fraction, image_size, seed, split)` omits."""
    images, labels = datasets.digits_arrays(split)
    left_out = np.setdiff1d(np.arange(len(images)), _subset_indices(fraction, len(images), seed))
    return _upscaled(images[left_out], image_size), labels[left_out]


def stacked_digits(count, image_size=32, seed=0, split="all"):
    """(images `[count, size, size, 3]`, modes `[count]` in [0, 1000)): channel c holds a digit drawn uniformly
    at random from `split`; the mode is 100 * label_R + 10 * label_G + label_B."""
    images, labels = datasets.digits_arrays(split)
    picks = np.random.default_rng(seed).integers(0, len(images), size=(count, 3))
    channels = [_upscaled(images[picks[:, channel]], image_size)[..., 0] for channel in range(3)]
    modes = 100 * labels[picks[:, 0]] + 10 * labels[picks[:, 1]] + labels[picks[:, 2]]
    return np.stack(channels, axis=-1), modes


def stacked_digit_modes(classifier, images):
    """{"modes": distinct modes among the classified images, "kl_to_uniform": KL(p_modes || uniform), "counts"}.

    Each channel is read on its own by `classifier` (from `quality.train_digits_classifier`), as VEEGAN and
    PacGAN count Stacked-MNIST modes with a pretrained MNIST classifier. KL uses the empirical mode shares p:
    sum_m p_m log(p_m * 1000) (0 for a perfect uniform cover, log 1000 = 6.91 for a single mode).
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"images must be stacked digits [n, height, width, 3], got shape {images.shape}.")
    labels = [classifier.predict(quality.to_digit_inputs(images[..., channel:channel + 1])) for channel in range(3)]
    modes = 100 * labels[0] + 10 * labels[1] + labels[2]
    counts = np.bincount(modes, minlength=STACKED_MODES)
    shares = counts[counts > 0] / len(modes)
    return {"modes": int(np.count_nonzero(counts)),
            "kl_to_uniform": float(np.sum(shares * np.log(shares * STACKED_MODES))),
            "counts": counts}


def photo_crops(count, size=32, seed=0):
    """`count` random `size` x `size` crops (uniform over both photos and positions) of the two sample photos."""
    import sklearn.datasets  # noqa: PLC0415  (scikit-learn is only needed for these data sets)

    photos = sklearn.datasets.load_sample_images().images  # two uint8 arrays [427, 640, 3]
    rng = np.random.default_rng(seed)
    which = rng.integers(0, len(photos), size=count)
    crops = np.empty((count, size, size, 3), np.float32)
    for index, photo in enumerate(which):
        height, width, _ = photos[photo].shape
        top, left = rng.integers(0, height - size + 1), rng.integers(0, width - size + 1)
        crops[index] = photos[photo][top:top + size, left:left + size]
    return crops / 127.5 - 1.0


def _subset_indices(fraction, count, seed):
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}.")
    return np.sort(np.random.default_rng(seed).permutation(count)[: max(1, round(fraction * count))])


def _upscaled(images, image_size):
    return datasets.upscale_digits(images[..., None], image_size).numpy()
