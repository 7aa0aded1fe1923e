"""Measures of a generator and closed forms to compare a trained discriminator against (NumPy / tfp)."""

import numpy as np
import tensorflow as tf


def optimal_discriminator(real_distribution, fake_distribution, x):
    """D*(x) = p(x) / (p(x) + p_g(x)) for densities with `log_prob` (Goodfellow et al. 2014, Prop. 1).

    Computed as sigmoid(log p(x) - log p_g(x)), which stays exact where both densities underflow.
    Args:
      real_distribution, fake_distribution: tfp distributions with event shape [d].
      x: points `[n, d]`.
    Returns:
      NumPy array `[n]` of probabilities.
    """
    x = tf.convert_to_tensor(x, tf.float32)
    log_ratio = real_distribution.log_prob(x) - fake_distribution.log_prob(x)
    return tf.sigmoid(log_ratio).numpy()


def density(distribution, grid):
    """The density of a 1-D tfp distribution (event shape [1]) on the points `grid` `[n]`."""
    points = tf.reshape(tf.convert_to_tensor(grid, tf.float32), [-1, 1])
    return tf.exp(distribution.log_prob(points)).numpy()


def kernel_density(samples, grid, bandwidth=None):
    """Gaussian kernel density estimate of 1-D `samples` on `grid`; Silverman's bandwidth by default."""
    samples = np.asarray(samples, dtype=np.float64).reshape(-1)
    grid = np.asarray(grid, dtype=np.float64).reshape(-1)
    if samples.size < 2:
        raise ValueError(f"samples must hold at least 2 values, got {samples.size}.")
    if bandwidth is None:
        spread = min(samples.std(), np.subtract(*np.percentile(samples, [75, 25])) / 1.349) or samples.std()
        bandwidth = 0.9 * max(spread, 1e-3) * samples.size ** (-0.2)
    offsets = (grid[:, None] - samples[None, :]) / bandwidth
    return np.exp(-0.5 * offsets**2).sum(axis=1) / (samples.size * bandwidth * np.sqrt(2.0 * np.pi))


# --------------------------------------------------------------------------------------------------
# Mode coverage of 2-D mixtures (PacGAN protocol).
# Lin et al. 2018, "PacGAN", https://arxiv.org/abs/1712.04086, Sec. 5.1 (after VEEGAN, Srivastava et al. 2017):
# 2,500 samples; a sample is high quality if within 3 standard deviations of its nearest mode; a mode is
# captured if it has at least one high-quality sample; reverse KL = KL(generated mode histogram || uniform).
# --------------------------------------------------------------------------------------------------

PACGAN_NUM_SAMPLES = 2500


def nearest_modes(samples, centres):
    """(index of the nearest centre, distance to it) for each sample: two arrays `[n]`."""
    samples = np.asarray(samples, np.float64)
    centres = np.asarray(centres, np.float64)
    if samples.ndim != 2 or centres.ndim != 2 or samples.shape[1] != centres.shape[1]:
        raise ValueError(f"samples [n, d] and centres [k, d] must agree in d, got {samples.shape} and {centres.shape}.")
    distances = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=-1)
    return distances.argmin(axis=1), distances.min(axis=1)


def mode_histogram(samples, centres, radius):
    """Counts of samples within `radius` of their nearest centre, per centre `[k]`, and the fraction of such
    (high-quality) samples."""
    if not radius > 0:
        raise ValueError(f"radius must be > 0, got {radius!r}.")
    nearest, distance = nearest_modes(samples, centres)
    high_quality = distance <= radius
    return np.bincount(nearest[high_quality], minlength=len(centres)), float(high_quality.mean())


def reverse_kl_to_uniform(counts):
    """KL(p || uniform) = sum_k p_k ln(p_k K) of the histogram `counts` over K modes (0 ln 0 = 0); NaN if empty."""
    counts = np.asarray(counts, np.float64)
    if counts.sum() == 0:
        return float("nan")
    probabilities = counts / counts.sum()
    present = probabilities > 0
    return float(np.sum(probabilities[present] * np.log(probabilities[present] * len(counts))))


def mode_coverage(samples, centres, stddev, num_stddevs=3.0, min_samples=1):
    """The PacGAN metrics of `samples` `[n, d]` of a mixture with `centres` `[k, d]` and component `stddev`.

    Returns a dict: "modes" (modes with >= `min_samples` high-quality samples), "high_quality" (fraction of
    samples within `num_stddevs` * stddev of their nearest centre) and "reverse_kl" (of the histogram of
    high-quality samples over modes against uniform). PacGAN: num_stddevs = 3, min_samples = 1, n = 2,500.
    """
    if not stddev > 0 or not num_stddevs > 0:
        raise ValueError(f"stddev and num_stddevs must be > 0, got {stddev!r} and {num_stddevs!r}.")
    if isinstance(min_samples, bool) or not isinstance(min_samples, int) or min_samples < 1:
        raise ValueError(f"min_samples must be an integer >= 1, got {min_samples!r}.")
    counts, high_quality = mode_histogram(samples, centres, num_stddevs * stddev)
    return {"modes": int(np.sum(counts >= min_samples)), "high_quality": high_quality,
            "reverse_kl": reverse_kl_to_uniform(counts)}
