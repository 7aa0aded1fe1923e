"""Divergences between 1-D densities by numerical integration, and the GAN value of a discriminator.

EE-559 lecture 10.1 (and the "what could go wrong?" slides): with D*(x) = p(x) / (p(x) + q(x)),

    V(D, G) = E_p[log D(x)] + E_q[log(1 - D(x))]  <=  V(D*, G) = 2 JSD(p, q) - log 4,

where p is the data density and q the generator's. Densities are NumPy arrays of their values on a sorted
grid; integrals use the trapezoidal rule, so the grid must cover both supports finely (the error is
measured in tests/test_analysis_dirac.py and tests/test_models_dynamics.py). Everything is in nats: 0 <= JSD <= log 2.
"""

import numpy as np


def _check_grid(grid, *densities):
    grid = np.asarray(grid, dtype=np.float64)
    if grid.ndim != 1 or len(grid) < 3 or np.any(np.diff(grid) <= 0):
        raise ValueError(f"grid must be a strictly increasing 1-D array of at least 3 points, got shape {grid.shape}.")
    for density in densities:
        if np.shape(density) != grid.shape or np.any(np.asarray(density) < 0):
            raise ValueError(f"densities must be non-negative arrays of the grid's shape {grid.shape}.")
    return grid


def _plogp_over(p, m):
    """p log(p / m), with 0 log 0 = 0."""
    p, m = np.asarray(p, np.float64), np.asarray(m, np.float64)
    ratio = np.divide(p, m, out=np.ones_like(p), where=p > 0)
    return p * np.log(ratio)


def kullback_leibler(p, q, grid):
    """KL(p || q) = integral of p log(p / q); infinite where p > 0 = q."""
    grid = _check_grid(grid, p, q)
    if np.any((np.asarray(p) > 0) & (np.asarray(q) == 0)):
        return np.inf
    return float(np.trapezoid(_plogp_over(p, q), grid))


def jensen_shannon(p, q, grid):
    """JSD(p, q) = 0.5 KL(p || m) + 0.5 KL(q || m), m = (p + q) / 2, in nats."""
    grid = _check_grid(grid, p, q)
    mixture = 0.5 * (np.asarray(p, np.float64) + np.asarray(q, np.float64))
    integrand = 0.5 * _plogp_over(p, mixture) + 0.5 * _plogp_over(q, mixture)
    return float(np.trapezoid(integrand, grid))


def optimal_logits(p, q):
    """log p - log q: the logit of D*(x) = p / (p + q) (+-inf where one density vanishes, 0 where both do)."""
    p, q = np.asarray(p, np.float64), np.asarray(q, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        logits = np.log(p) - np.log(q)
    return np.where((p == 0) & (q == 0), 0.0, logits)


def gan_value(p, q, logits, grid):
    """V(D, G) = integral of p log sigmoid(l) + q log(1 - sigmoid(l)), l = D's logits on the grid.

    log sigmoid(l) = -softplus(-l) and log(1 - sigmoid(l)) = -softplus(l); terms with zero density count 0
    even where l = +-inf (as for `optimal_logits` of non-overlapping densities).
    """
    grid = _check_grid(grid, p, q)
    logits = np.asarray(logits, np.float64)
    if logits.shape != grid.shape:
        raise ValueError(f"logits must have the grid's shape {grid.shape}, got {logits.shape}.")
    p, q = np.asarray(p, np.float64), np.asarray(q, np.float64)
    with np.errstate(invalid="ignore"):  # 0 * inf where a density vanishes: masked out below
        real_term = np.where(p > 0, -p * np.logaddexp(0.0, -logits), 0.0)
        fake_term = np.where(q > 0, -q * np.logaddexp(0.0, logits), 0.0)
    return float(np.trapezoid(real_term + fake_term, grid))


def normal_density(grid, mean, stddev):
    """N(mean, stddev^2) on the grid."""
    if not stddev > 0:
        raise ValueError(f"stddev must be > 0, got {stddev!r}.")
    grid = np.asarray(grid, np.float64)
    return np.exp(-0.5 * ((grid - mean) / stddev) ** 2) / (stddev * np.sqrt(2.0 * np.pi))
