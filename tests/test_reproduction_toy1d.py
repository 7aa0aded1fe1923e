"""gan_tf.reproduction.toy1d: run names, animation frames, D by region (no training); one tiny labelled run."""

import types

import numpy as np
import pytest

from gan_tf import distributions, networks, plotting
from gan_tf.reproduction import script, toy1d


def fake_recorder(grid, discriminator_rows, means=(), stddevs=(), fake_samples=()):
    """A stand-in for a `callbacks.MemorySink` of `measurements.LossesAndSamples(..., grid)`: what toy1d reads."""
    del grid  # D(x) rows are recorded on it; the callers pass it to toy1d
    steps = [10 * index for index in range(len(discriminator_rows))]
    return types.SimpleNamespace(steps=steps, scalars={"G/mean": list(means), "G/stddev": list(stddevs)},
                                 samples={"fake_data": list(fake_samples),
                                          "d_on_grid": [np.asarray(row) for row in discriminator_rows]})


def test_file_names_of_the_four_discriminators_are_safe_and_distinct():
    names = [script.safe_file_name(name) for name in toy1d.DISCRIMINATOR_VARIANTS]
    assert names == ["plain", "l2_5e_4", "dropout_0_5", "l2_5e_4___dropout_0_5"]


def test_discriminator_by_region_averages_the_last_row():
    grid = np.arange(-5.0, 5.0, 0.5)
    last = np.where(grid < 0, 0.2, 0.8)   # D = 0.2 left of 0, 0.8 right of it
    recorder = fake_recorder(grid, [np.zeros_like(grid), last])
    # Modes N(-3, 0.5) and N(3, 0.5): windows [-4, -2] and [2, 4]; the gap (-2, 2) holds 0.2s and 0.8s.
    regions = toy1d.discriminator_by_region(recorder, grid, [-3.0, 3.0], [0.5, 0.5])
    assert regions["final_d_near_mode_0"] == pytest.approx(0.2)
    assert regions["final_d_near_mode_1"] == pytest.approx(0.8)
    assert regions["final_d_in_gap"] == pytest.approx(np.mean(last[(grid > -2) & (grid < 2)]))


def test_frames_carry_normalised_generator_densities():
    grid = np.arange(-10.0, 10.0, 0.1)
    rows = [np.full(grid.size, 0.5)] * 2
    linear = toy1d.linear_generator_frames(fake_recorder(grid, rows, means=[0.0, 1.0], stddevs=[1.0, 2.0]), grid)
    samples = [np.random.default_rng(seed).normal(0.0, 1.0, 1024) for seed in (0, 1)]
    sampled = toy1d.sampled_generator_frames(fake_recorder(grid, rows, fake_samples=samples), grid)
    for frame in linear + sampled:
        assert np.sum(frame["generator_density"]) * 0.1 == pytest.approx(1.0, abs=0.01)
    assert [frame["step"] for frame in linear] == [0, 10]


def test_frames_need_a_recorded_grid():
    with pytest.raises(ValueError, match="grid"):
        toy1d.linear_generator_frames(fake_recorder([0.0], []), [0.0])


def test_exponential_moving_average_is_debiased_like_tensorboard():
    # s_1 = 0.5 * 0 -> 0 / (1 - 0.5); s_2 = 0.5 * 0 + 0.5 * 1 = 0.5 -> 0.5 / (1 - 0.25) = 2/3.
    np.testing.assert_allclose(plotting.exponential_moving_average([0.0, 1.0], 0.5), [0.0, 2 / 3])
    np.testing.assert_allclose(plotting.exponential_moving_average([0.3] * 5, 0.9), [0.3] * 5)


def test_a_labelled_run_prints_its_label_on_every_progress_line(capsys):
    toy1d.train_run(distributions.normal(2.0, 3.0), networks.linear_generator, toy1d.DISCRIMINATOR_VARIANTS["plain"],
                    steps=40, seed=0, settings=toy1d.Settings(discriminator_hidden=(8,), probe_size=16),
                    label="discriminator: plain")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  ")[0] for line in lines] == [f"[discriminator: plain] step {step}/40"
                                                        for step in (10, 20, 30, 40)]
    assert "d_loss" in lines[-1] and "g_loss" in lines[-1]


def test_runs_trained_side_by_side_equal_runs_trained_alone():
    """`train_runs` (threads) against `train_run` one after another: the same probes, to the last bit, for runs
    with dropout (a seeded random op in every step) and different seeds."""
    settings = toy1d.Settings(discriminator_hidden=(8,), probe_size=16)
    jobs = {name: dict(real_distribution=distributions.normal(2.0, 3.0), build_generator=networks.linear_generator,
                       discriminator_options=toy1d.DISCRIMINATOR_VARIANTS[variant], steps=30, seed=seed,
                       settings=settings, verbose=0)
            for name, variant, seed in (("a", "dropout 0.5", 0), ("b", "L2 5e-4 + dropout 0.5", 1),
                                        ("c", "dropout 0.5", 2))}
    together = toy1d.train_runs(jobs)
    for name, arguments in jobs.items():
        alone = toy1d.train_run(**arguments).recorder
        assert together[name].recorder.scalars == alone.scalars, name
        np.testing.assert_array_equal(together[name].recorder.samples["fake_data"][-1], alone.samples["fake_data"][-1])
    assert together["a"].recorder.scalars != together["c"].recorder.scalars  # the seeds matter
