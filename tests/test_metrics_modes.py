"""PacGAN's mode-coverage metrics on hand-made sample sets."""

import math

import numpy as np
import pytest

from gan_tf import distributions, metrics

RING_CENTRES = distributions.ring_of_gaussians(8, 1.0, 0.01).components_distribution.mean().numpy()
STDDEV = 0.01


def test_samples_on_every_mode_score_all_modes_all_high_quality_zero_kl():
    samples = np.repeat(RING_CENTRES, 10, axis=0)
    scores = metrics.mode_coverage(samples, RING_CENTRES, STDDEV)
    assert scores == {"modes": 8, "high_quality": 1.0, "reverse_kl": pytest.approx(0.0, abs=1e-12)}


def test_one_mode_only_has_reverse_kl_ln_8():
    samples = RING_CENTRES[3] + np.full((50, 2), 0.5 * STDDEV)
    scores = metrics.mode_coverage(samples, RING_CENTRES, STDDEV)
    assert scores["modes"] == 1 and scores["high_quality"] == 1.0
    assert scores["reverse_kl"] == pytest.approx(math.log(8.0), rel=1e-12)


def test_points_off_the_modes_are_not_high_quality():
    samples = 0.5 * RING_CENTRES  # halfway to the centre: 0.5 from every mode, 50 stddevs
    scores = metrics.mode_coverage(samples, RING_CENTRES, STDDEV)
    assert scores["modes"] == 0 and scores["high_quality"] == 0.0 and math.isnan(scores["reverse_kl"])


def test_the_threshold_is_three_stddevs():
    direction = np.array([[1.0, 0.0]])
    inside = RING_CENTRES[:1] + 2.99 * STDDEV * direction
    outside = RING_CENTRES[:1] + 3.01 * STDDEV * direction
    assert metrics.mode_coverage(inside, RING_CENTRES, STDDEV)["high_quality"] == 1.0
    assert metrics.mode_coverage(outside, RING_CENTRES, STDDEV)["high_quality"] == 0.0


def test_two_modes_in_proportion_three_to_one_give_the_closed_form_kl():
    samples = np.concatenate([np.repeat(RING_CENTRES[:1], 30, 0), np.repeat(RING_CENTRES[1:2], 10, 0),
                              np.full((10, 2), 5.0)])  # 10 far-away samples count against high quality only
    scores = metrics.mode_coverage(samples, RING_CENTRES, STDDEV)
    expected = 0.75 * math.log(0.75 * 8) + 0.25 * math.log(0.25 * 8)
    assert scores["modes"] == 2 and scores["high_quality"] == pytest.approx(0.8)
    assert scores["reverse_kl"] == pytest.approx(expected, rel=1e-12)


def test_true_samples_score_near_the_perfect_sampler():
    # A perfect sampler puts 1 - exp(-9 / 2) = 98.89% within 3 stddevs in 2-D. Measured on 2,500 samples of the
    # grid (seeds 0-4): 98.4-99.2%, rev KL 0.0035-0.0083; the binomial standard error of the fraction is 0.2%.
    grid = distributions.grid_of_gaussians()
    samples = grid.sample(metrics.PACGAN_NUM_SAMPLES, seed=1).numpy()
    scores = metrics.mode_coverage(samples, grid.components_distribution.mean().numpy(), 0.05)
    assert scores["modes"] == 25
    assert scores["high_quality"] == pytest.approx(1 - math.exp(-4.5), abs=0.01)
    assert scores["reverse_kl"] < 0.02


def test_grid_centres_are_pacgans():
    centres = distributions.grid_of_gaussians().components_distribution.mean().numpy()
    expected = {(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)}
    assert {tuple(point) for point in centres.astype(int).tolist()} == expected and len(centres) == 25


@pytest.mark.parametrize("arguments, name", [((0.0,), "stddev"), ((0.01, 3.0, 0), "min_samples")])
def test_bad_arguments_raise(arguments, name):
    with pytest.raises(ValueError, match=name):
        metrics.mode_coverage(RING_CENTRES, RING_CENTRES, *arguments)
