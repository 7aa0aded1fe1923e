"""Measures of a generator and closed forms to compare a trained discriminator against (NumPy / tfp).

  optimal_discriminator, density, kernel_density    closed forms and density estimates on a grid
  mode_mass, gap_mass, wasserstein_1d, histogram_jsd, mixture_report
                                                    how a 1-D generator covers a mixture of normals
  normal_mixture_cdf, normal_mixture_quantile       the exact target for the two measures above
  mode_coverage, nearest_modes, mode_histogram, reverse_kl_to_uniform
                                                    PacGAN's protocol for 2-D mixtures (modes, % high quality)

Strakhov 2018: M. Strakhov, "Generative Adversarial Networks" (2018),
https://monnoroch.github.io/posts/2018/04/03/generative-adversarial-networks.html.
"""

import numpy as np
import tensorflow as tf

from gan_tf import checks


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


def kernel_density(samples, grid, bandwidth=None, minimum_bandwidth=0.0):
    """Gaussian kernel density estimate of 1-D `samples` on `grid`; Silverman's bandwidth by default, raised
    to `minimum_bandwidth` (e.g. the grid spacing, so that a generator collapsed to a point stays visible)."""
    samples = np.asarray(samples, dtype=np.float64).reshape(-1)
    grid = np.asarray(grid, dtype=np.float64).reshape(-1)
    if samples.size < 2:
        raise ValueError(f"samples must hold at least 2 values, got {samples.size}.")
    if bandwidth is None:
        spread = min(samples.std(), np.subtract(*np.percentile(samples, [75, 25])) / 1.349) or samples.std()
        bandwidth = max(0.9 * max(spread, 1e-3) * samples.size ** (-0.2), minimum_bandwidth)
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
    checks.positive_integer("min_samples", min_samples)
    counts, high_quality = mode_histogram(samples, centres, num_stddevs * stddev)
    return {"modes": int(np.sum(counts >= min_samples)), "high_quality": high_quality,
            "reverse_kl": reverse_kl_to_uniform(counts)}


# ---- measures of a 1-D generator against a mixture of normals (Strakhov 2018, Figs 8-21) -------------------
# All take plain NumPy samples (any shape, flattened) and return Python floats.


def mode_mass(samples, mean, stddev, width=2.0):
    """Share of samples near one mode: mean over i of [ |x_i - mean| <= width * stddev ]."""
    samples = _flat_samples(samples, "samples")
    checks.positive_number("stddev", stddev)
    checks.positive_number("width", width)
    return float(np.mean(np.abs(samples - mean) <= width * stddev))


def gap_mass(samples, means, stddevs, width=2.0):
    """Share of samples in the gap between the modes: strictly between the lowest and the highest mean and
    farther than `width` stddevs from every mode,
        mean over i of [ min(means) < x_i < max(means)  and  |x_i - m_k| > width * s_k for every k ].
    A generator that averages two modes puts much mass here; the target itself puts little
    (0.5 N(-2, 1) + 0.5 N(4, 1.5): 2.0%; the Gaussian N(1.5, 3) that averages it: 12.5%)."""
    samples = _flat_samples(samples, "samples")
    means, stddevs = _check_components(means, stddevs)
    checks.positive_number("width", width)
    between = (samples > means.min()) & (samples < means.max())
    far = np.all(np.abs(samples[:, None] - means[None, :]) > width * stddevs[None, :], axis=1)
    return float(np.mean(between & far))


def wasserstein_1d(samples, reference, points_per_sample=16):
    """The 1-D Wasserstein-1 distance W1 = integral over x of |F(x) - G(x)| = integral over u in (0, 1) of
    |F^-1(u) - G^-1(u)|, between the empirical distribution of `samples` and `reference`:
      - `reference` a 1-D array of samples: exact, as the area between the two empirical CDFs (summed
        over the intervals between consecutive pooled values, where both CDFs are constant);
      - `reference` a callable quantile function G^-1 (vectorised over u, e.g. `normal_mixture_quantile`):
        the quantile form, the midpoint rule with `points_per_sample` points in each interval
        ((i - 1) / n, i / n] on which the empirical quantile is the i-th smallest sample.
    """
    samples = np.sort(_flat_samples(samples, "samples"))
    if callable(reference):
        checks.positive_integer("points_per_sample", points_per_sample)
        total = samples.size * points_per_sample
        levels = (np.arange(total) + 0.5) / total
        return float(np.mean(np.abs(np.repeat(samples, points_per_sample) - reference(levels))))
    reference = np.sort(_flat_samples(reference, "reference"))
    pooled = np.sort(np.concatenate([samples, reference]))
    cdf_samples = np.searchsorted(samples, pooled[:-1], side="right") / samples.size
    cdf_reference = np.searchsorted(reference, pooled[:-1], side="right") / reference.size
    return float(np.sum(np.abs(cdf_samples - cdf_reference) * np.diff(pooled)))


def histogram_jsd(samples, reference, edges):
    """A histogram estimate of the Jensen-Shannon divergence (natural log, so between 0 and ln 2 = 0.693):
        JSD = 1/2 KL(P || M) + 1/2 KL(Q || M),  M = (P + Q) / 2,  KL(P || M) = sum_k P_k ln(P_k / M_k),
    with 0 ln 0 = 0. P holds the shares of `samples` in the bins of `edges` (increasing) plus the two
    overflow bins below edges[0] and above edges[-1]; Q the same for `reference`, a 1-D array of samples or
    a callable CDF (e.g. `normal_mixture_cdf`), whose bin probabilities are then exact.
    """
    edges = np.asarray(edges, dtype=np.float64).reshape(-1)
    if edges.size == 0 or np.any(np.diff(edges) <= 0):
        raise ValueError(f"edges must be one or more increasing values, got {edges.tolist()[:5]}.")
    shares = _bin_shares(_flat_samples(samples, "samples"), edges)
    if callable(reference):
        reference_shares = np.diff(np.concatenate([[0.0], reference(edges), [1.0]]))
    else:
        reference_shares = _bin_shares(_flat_samples(reference, "reference"), edges)
    middle = 0.5 * (shares + reference_shares)
    return float(0.5 * _kl_terms(shares, middle) + 0.5 * _kl_terms(reference_shares, middle))


def normal_mixture_cdf(means, stddevs, weights=None):
    """The CDF x -> sum_k w_k Phi((x - m_k) / s_k) of a mixture of normals, as a vectorised NumPy function."""
    means, stddevs = _check_components(means, stddevs)
    weights = _check_weights(weights, means.size)

    def cdf(x):
        x = np.asarray(x, dtype=np.float64)
        standardized = (x[..., None] - means) / stddevs
        return np.sum(weights * _standard_normal_cdf(standardized), axis=-1)

    return cdf


def normal_mixture_quantile(means, stddevs, weights=None, resolution=200_001):
    """The quantile function u -> F^-1(u) of a mixture of normals, as a vectorised NumPy function.

    F is tabulated on `resolution` points spanning every mean +- 10 stddevs and inverted by linear
    interpolation (error below 1e-3 stddev wherever the density is not negligible).
    """
    means, stddevs = _check_components(means, stddevs)
    grid = np.linspace((means - 10 * stddevs).min(), (means + 10 * stddevs).max(), resolution)
    table = normal_mixture_cdf(means, stddevs, weights)(grid)
    keep = np.concatenate([[True], np.diff(table) > 0])  # np.interp needs increasing abscissae

    def quantile(levels):
        return np.interp(np.asarray(levels, dtype=np.float64), table[keep], grid[keep])

    return quantile


def mixture_report(samples, means, stddevs, weights=None, width=2.0, bins=60):
    """Every measure above for 1-D generated `samples` against a mixture of normals, as a dict:
    `mass_near_mode_<k>` (modes in the given order), `gap_mass`, `wasserstein` (vs the exact quantiles)
    and `jsd` (`bins` bins spanning every mean +- 4 stddevs, plus the two overflow bins)."""
    means, stddevs = _check_components(means, stddevs)
    report = {f"mass_near_mode_{index}": mode_mass(samples, mean, stddev, width)
              for index, (mean, stddev) in enumerate(zip(means, stddevs))}
    report["gap_mass"] = gap_mass(samples, means, stddevs, width)
    report["wasserstein"] = wasserstein_1d(samples, normal_mixture_quantile(means, stddevs, weights))
    edges = np.linspace((means - 4 * stddevs).min(), (means + 4 * stddevs).max(), bins + 1)
    report["jsd"] = histogram_jsd(samples, normal_mixture_cdf(means, stddevs, weights), edges)
    return report


def _standard_normal_cdf(z):
    """Phi(z) = erfc(-z / sqrt 2) / 2, with the Chebyshev erfc of Numerical Recipes (relative error < 1.2e-7)."""
    x = -np.asarray(z, dtype=np.float64) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.5 * np.abs(x))
    coefficients = (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
                    0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277)
    polynomial = np.zeros_like(t)
    for coefficient in reversed(coefficients):
        polynomial = polynomial * t + coefficient
    erfc = t * np.exp(-x * x + polynomial)
    return 0.5 * np.where(x >= 0, erfc, 2.0 - erfc)


def _bin_shares(samples, edges):
    inner = np.histogram(samples, bins=edges)[0]
    outer = [np.sum(samples < edges[0]), np.sum(samples > edges[-1])]
    return np.concatenate([[outer[0]], inner, [outer[1]]]) / samples.size


def _kl_terms(shares, middle):
    positive = shares > 0
    return np.sum(shares[positive] * np.log(shares[positive] / middle[positive]))


def _flat_samples(values, name):
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be a non-empty array of finite numbers, got {values.size} values.")
    return values


def _check_components(means, stddevs):
    means = np.asarray(means, dtype=np.float64).reshape(-1)
    stddevs = np.asarray(stddevs, dtype=np.float64).reshape(-1)
    if means.size == 0 or means.shape != stddevs.shape:
        raise ValueError(
            f"means and stddevs must be non-empty lists of one length, got {means.size} and {stddevs.size}.")
    if np.any(~(stddevs > 0)):
        raise ValueError(f"stddevs must all be > 0, got {stddevs.tolist()}.")
    return means, stddevs


def _check_weights(weights, count):
    weights = np.full(count, 1.0 / count) if weights is None else np.asarray(weights, dtype=np.float64)
    if weights.shape != (count,) or np.any(weights < 0) or abs(weights.sum() - 1.0) > 1e-6:
        raise ValueError(
            f"weights must be {count} non-negative numbers summing to 1, got {np.ravel(weights).tolist()}.")
    return weights

