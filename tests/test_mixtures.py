"""The blog's claims about its mixture experiments (Figs 8-21) as assertions over several seeds.

Default tests use shortened runs and few seeds; the `slow` tests measure the rates over more seeds at
the reproductions' lengths and print them. Seeds are 0, 1, 2, ... in order, never chosen. Where a claim
holds only for some seeds, the test asserts the measured rate with a margin; the measurements (on this
machine, TF 2.21 CPU) are in the comments and in the reproductions' docstrings.
"""

import functools

import numpy as np
import pytest

from gan_tf import distributions, networks
from gan_tf.reproduction import toy1d

SYMMETRIC = ([-2.5, 2.5], [1.0, 1.0])   # Figs 8-13 and 16-19
NEAR = ([-2.0, 4.0], [1.0, 1.5])        # Figs 14 and 20
FAR = ([-2.0, 5.0], [1.0, 1.5])         # Fig 15
LINEAR_SETTINGS = toy1d.Settings(every_n_steps=100, probe_size=512)          # the blog's set-up, few probes
MLP_SETTINGS = toy1d.Settings(d_learning_rate=0.001, g_learning_rate=0.002,  # as strakhov2018_mixture_mlp.py
                              every_n_steps=500, probe_size=512)
mlp_generator = functools.partial(networks.mlp_generator, [256, 256])


def train(mixture, steps, seed, generator=networks.linear_generator, discriminator="plain",
          settings=LINEAR_SETTINGS):
    """Final scalars (last 3 probes) and the mixture measures of 5000 samples of the final generator."""
    means, stddevs = mixture
    run = toy1d.train_run(distributions.mixture(means, stddevs), generator,
                          toy1d.DISCRIMINATOR_VARIANTS[discriminator], steps, seed, settings, verbose=0)
    return toy1d.mixture_summary(run, means, stddevs, sample_count=5000, seed=0, window=3)


def covers_both_modes(report, share=0.3):
    return min(report["mass_near_mode_0"], report["mass_near_mode_1"]) >= share


def rate(reports, claim):
    holds = [bool(claim(report)) for report in reports]
    print(f"\n{claim.__name__}: holds in {sum(holds)} of {len(holds)} seeds: {holds}")
    return float(np.mean(holds))


# ---- default suite: shortened runs (1000 steps; the reproductions run 2000) ----------------------------
# Measured with `train` over seeds 0-7 at 1000 steps on this machine: every claim below held
# for all 8 seeds; the thresholds sit between the measured range and the target's own value.

def test_linear_generator_spreads_one_bell_over_symmetric_modes():
    """Figs 8-11: G's mean near 0, its stddev grown from 1 to cover both modes, D never fooled."""
    for seed in (0, 1):
        report = train(SYMMETRIC, 1000, seed)
        assert abs(report["final_mean"]) < 1.25, report        # nearer 0 than +-2.5; measured |mean| <= 0.87
        assert report["final_stddev"] > 2.0, report            # measured 2.45-2.85 (the data: 2.69)
        assert report["final_p_real_on_real"] > 0.52, report   # measured 0.554-0.583
        assert report["final_p_real_on_fake"] < 0.48, report   # measured 0.429-0.452
        assert report["gap_mass"] > 0.08, report               # measured 0.110-0.174 (the data: 2.1%)


def test_linear_generator_averages_near_modes():
    """Fig 14: one bell between the modes, with much mass in the gap."""
    for seed in (0, 1):
        report = train(NEAR, 1000, seed)
        assert report["gap_mass"] > 0.06, report               # measured 0.098-0.114 (the data: 2.0%)
        assert min(report["mass_near_mode_0"], report["mass_near_mode_1"]) > 0.1, report  # measured >= 0.196


def test_linear_generator_collapses_onto_the_left_mode_when_modes_are_far():
    """Fig 15: under 10% of the mass within 2 stddevs of the right mode, most of it on the left one."""
    for seed in (0, 1):
        report = train(FAR, 1000, seed)
        assert report["mass_near_mode_1"] < 0.1, report        # measured <= 0.001
        assert report["mass_near_mode_0"] > 0.6, report        # measured 0.912-0.972


# ---- slow: rates over more seeds at the reproductions' lengths -------------------------------------------

@pytest.mark.slow
def test_rate_linear_averaging_and_collapse():
    averaging = [train(NEAR, 2000, seed) for seed in range(10)]
    collapse = [train(FAR, 2000, seed) for seed in range(10)]

    def averages(report):
        return report["gap_mass"] > 0.06

    def collapses_left(report):
        return report["mass_near_mode_1"] < 0.1 and report["mass_near_mode_0"] > 0.6

    # Measured on this machine: 10 of 10 seeds average (gap mass 0.06+), 10 of 10 collapse.
    assert rate(averaging, averages) >= 0.8
    assert rate(collapse, collapses_left) >= 0.8


@pytest.mark.slow
def test_rate_mlp_generator_covers_both_modes():
    """Figs 16-19: at least 30% of the mass on each mode, in most runs (the runs stay unstable)."""
    regularized = [train(SYMMETRIC, 10000, seed, mlp_generator, "L2 5e-4 + dropout 0.5", MLP_SETTINGS)
                   for seed in range(8)]  # about 12 minutes for the 16 runs
    plain = [train(SYMMETRIC, 10000, seed, mlp_generator, "plain", MLP_SETTINGS) for seed in range(8)]
    # Measured on this machine (10000 steps, seeds 0-7): L2 + dropout 7 of 8 (seed 0 failed), plain 5 of 8
    # (seeds 2, 4, 6 failed). The blog's "the most regularized model is best" fits 7 vs 5 but 8 seeds
    # cannot separate them, so only each rate is asserted, one or two seeds below the measurement.
    assert rate(regularized, covers_both_modes) >= 0.6
    assert rate(plain, covers_both_modes) >= 0.35
