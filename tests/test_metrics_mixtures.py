"""The mixture measures of gan_tf.metrics on hand-made sample sets whose answers are known exactly."""

import math

import numpy as np
import pytest
import scipy.stats

from gan_tf import metrics


def test_mode_mass_counts_samples_within_two_stddevs():
    # |x + 2| <= 2 * 0.5 holds for -3, -2 and -1 (boundaries included), not for 0 and 5.
    assert metrics.mode_mass([-3.0, -2.0, -1.0, 0.0, 5.0], mean=-2.0, stddev=0.5) == pytest.approx(3 / 5)


def test_gap_mass_counts_samples_between_the_mode_windows():
    # Modes N(-2, 1) and N(4, 1.5): the windows are [-4, 0] and [1, 7], so the gap is (0, 1).
    samples = [-2.0, 0.0, 0.5, 0.7, 1.0, 4.0, 9.0, -9.0]
    assert metrics.gap_mass(samples, means=[-2.0, 4.0], stddevs=[1.0, 1.5]) == pytest.approx(2 / 8)


def test_gap_mass_is_zero_when_the_windows_overlap():
    assert metrics.gap_mass(np.linspace(-1, 1, 11), means=[-1.0, 1.0], stddevs=[1.0, 1.0]) == 0.0


@pytest.mark.parametrize("samples, reference, expected", [
    ([0.0, 1.0, 2.0], [1.0, 2.0, 3.0], 1.0),     # a shift by 1
    ([0.0, 0.0], [1.0, 3.0], 2.0),               # half the mass moves by 1, half by 3
    ([0.0], [0.0, 2.0], 1.0),                    # unequal sizes: half the mass moves by 2
    ([5.0, -1.0, 2.0], [2.0, 5.0, -1.0], 0.0),   # the same set in another order
])
def test_wasserstein_between_samples_is_exact(samples, reference, expected):
    assert metrics.wasserstein_1d(samples, reference) == pytest.approx(expected, abs=1e-12)


def test_wasserstein_between_samples_matches_scipy():
    generator = np.random.default_rng(0)
    samples, reference = generator.normal(0, 1, 300), generator.normal(1, 2, 500)
    expected = scipy.stats.wasserstein_distance(samples, reference)
    assert metrics.wasserstein_1d(samples, reference) == pytest.approx(expected, rel=1e-12)


def test_wasserstein_to_a_distribution_uses_its_quantiles():
    # W1(point mass at 0, N(0, 1)) = E|Z| = sqrt(2 / pi); measured error of the midpoint rule: 1e-5.
    quantile = metrics.normal_mixture_quantile([0.0], [1.0])
    assert metrics.wasserstein_1d(np.zeros(1000), quantile) == pytest.approx(math.sqrt(2 / math.pi), abs=1e-4)
    # The exact quantiles of N(1, 1) at the midpoints (i - 1/2) / n are W1 ~ 1 from N(0, 1).
    shifted = 1.0 + scipy.stats.norm.ppf((np.arange(2000) + 0.5) / 2000)
    assert metrics.wasserstein_1d(shifted, quantile) == pytest.approx(1.0, abs=1e-3)


def test_normal_mixture_cdf_and_quantile_match_scipy():
    x = np.linspace(-8, 10, 97)
    expected = 0.3 * scipy.stats.norm.cdf(x, -2, 1) + 0.7 * scipy.stats.norm.cdf(x, 4, 1.5)
    cdf = metrics.normal_mixture_cdf([-2.0, 4.0], [1.0, 1.5], weights=[0.3, 0.7])
    np.testing.assert_allclose(cdf(x), expected, atol=1e-7)
    quantile = metrics.normal_mixture_quantile([-2.0, 4.0], [1.0, 1.5], weights=[0.3, 0.7])
    levels = np.linspace(0.001, 0.999, 51)
    np.testing.assert_allclose(cdf(quantile(levels)), levels, atol=1e-5)


def test_histogram_jsd_of_identical_and_disjoint_samples():
    edges = np.linspace(-1, 3, 5)
    assert metrics.histogram_jsd([0.5, 1.5, 2.5], [2.5, 1.5, 0.5], edges) == pytest.approx(0.0)
    assert metrics.histogram_jsd([0.5, 0.6], [2.5, 2.6], edges) == pytest.approx(math.log(2.0))


def test_histogram_jsd_by_hand_and_with_overflow_bins():
    # P = (1, 0), Q = (1/2, 1/2), M = (3/4, 1/4): JSD = 1/2 ln(4/3) + 1/2 (1/2 ln(2/3) + 1/2 ln 2).
    expected = 0.5 * math.log(4 / 3) + 0.25 * math.log(2 / 3) + 0.25 * math.log(2.0)
    assert metrics.histogram_jsd([0.5, 0.5], [0.5, 1.5], [0.0, 1.0, 2.0]) == pytest.approx(expected)
    # The same answer when Q's second half lies beyond the last edge (the overflow bin).
    assert metrics.histogram_jsd([0.5, 0.5], [0.5, 7.0], [0.0, 1.0]) == pytest.approx(expected)


def test_histogram_jsd_against_a_cdf_uses_exact_bin_probabilities():
    # Against N(0, 1) cut at 0: P = (1, 0) for samples below 0 and Q = (1/2, 1/2), as above.
    expected = 0.5 * math.log(4 / 3) + 0.25 * math.log(2 / 3) + 0.25 * math.log(2.0)
    cdf = metrics.normal_mixture_cdf([0.0], [1.0])
    assert metrics.histogram_jsd([-1.0, -2.0], cdf, [0.0]) == pytest.approx(expected, abs=1e-6)


def test_mixture_report_tells_averaging_from_collapse():
    generator = np.random.default_rng(1)
    averaged = generator.normal(1.5, 3.0, 20000)    # the blog's Fig 14 ending
    collapsed = generator.normal(-1.3, 1.7, 20000)  # the blog's Fig 15 ending
    averaging = metrics.mixture_report(averaged, [-2.0, 4.0], [1.0, 1.5])
    collapse = metrics.mixture_report(collapsed, [-2.0, 5.0], [1.0, 1.5])
    # Exact values from the normal CDF: 12.5% in the gap (0, 1); 2.6% in [2, 8], near the right mode
    # (binomial sampling stddevs with 20000 samples: 0.23% and 0.11%).
    assert averaging["gap_mass"] == pytest.approx(0.125, abs=0.01)
    assert collapse["mass_near_mode_1"] == pytest.approx(0.026, abs=0.005)
    assert set(averaging) == {"mass_near_mode_0", "mass_near_mode_1", "gap_mass", "wasserstein", "jsd"}


@pytest.mark.parametrize("call, message", [
    (lambda: metrics.mode_mass([1.0], 0.0, 0.0), "stddev"),
    (lambda: metrics.mode_mass([], 0.0, 1.0), "samples"),
    (lambda: metrics.gap_mass([1.0], [0.0, 1.0], [1.0]), "means and stddevs"),
    (lambda: metrics.wasserstein_1d([1.0], [np.nan]), "reference"),
    (lambda: metrics.histogram_jsd([1.0], [1.0], [1.0, 0.0]), "edges"),
    (lambda: metrics.normal_mixture_cdf([0.0, 1.0], [1.0, 1.0], weights=[0.5, 0.6]), "weights"),
])
def test_bad_input_raises_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
