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
