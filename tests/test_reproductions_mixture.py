"""Each 1-D reproduction runs end to end with --smoke (in-process) and writes every promised file."""

import importlib.util
import json
import pathlib

from gan_tf.reproduction import script, toy1d

REPRODUCTIONS = pathlib.Path(__file__).resolve().parent.parent / "reproductions"
RUN_NAMES = list(toy1d.DISCRIMINATOR_VARIANTS)
MIXTURE_KEYS = {"final_p_real_on_real", "final_p_real_on_fake", "mass_near_mode_0", "mass_near_mode_1",
                "gap_mass", "wasserstein", "jsd"}
ANIMATION_KEYS = MIXTURE_KEYS | {"final_d_near_mode_0", "final_d_near_mode_1", "final_d_in_gap"}


def run_script(name, out_dir):
    specification = importlib.util.spec_from_file_location(name, REPRODUCTIONS / f"{name}.py")
    module = importlib.util.module_from_spec(specification)
    specification.loader.exec_module(module)
    module.main(["--smoke", "--out-dir", str(out_dir)])
    return json.loads((out_dir / "metrics.json").read_text()), json.loads((out_dir / "config.json").read_text())


def fake_histograms(number):
    return [f"fig{number}_fake_data_{index}_{script.safe_file_name(run)}.png" for index, run in enumerate(RUN_NAMES)]


def assert_files(out_dir, names):
    missing = [name for name in names if not (out_dir / name).is_file()]
    assert not missing, f"missing outputs: {missing}"
    for run in RUN_NAMES:
        assert list((out_dir / "tensorboard" / run / "fake").glob("events.out.tfevents.*")), run


def test_mixture_linear_smoke(tmp_path):
    results, config = run_script("strakhov2018_mixture_linear", tmp_path)
    assert_files(tmp_path, [
        "fig8_p_real_on_real.png", "fig9_p_real_on_fake.png", "fig10_g_mean.png", "fig11_g_stddev.png",
        "fig12_real_data.png", *fake_histograms(13), "fig14_training.gif", "fig14_montage.png",
        "fig15_training.gif", "fig15_montage.png", "config.json", "metrics.json"])
    assert set(results) == set(RUN_NAMES) | {"fig14_animation", "fig15_animation", "claims"}
    assert {claim["name"]: claim["measured"] for claim in results["claims"]}["Fig 15 (collapse): final G/mean"] == (
        results["fig15_animation"]["final_mean"])
    for run in RUN_NAMES:
        assert MIXTURE_KEYS | {"final_mean", "final_stddev"} <= set(results[run]), run
    for animation in ("fig14_animation", "fig15_animation"):
        assert ANIMATION_KEYS | {"final_mean", "final_stddev"} <= set(results[animation]), animation
    assert config["smoke"] is True and config["steps"] == 60


def test_mixture_mlp_smoke(tmp_path):
    results, config = run_script("strakhov2018_mixture_mlp", tmp_path)
    assert_files(tmp_path, [
        "fig16_p_real_on_real.png", "fig17_p_real_on_fake.png", "fig18_real_data.png", *fake_histograms(19),
        "fig20_training.gif", "fig20_montage.png", "fig21_training.gif", "fig21_montage.png",
        "config.json", "metrics.json"])
    assert set(results) == set(RUN_NAMES) | {"fig20_animation", "fig21_animation", "claims"}
    assert len(results["claims"]) == 2 * len(RUN_NAMES) + 2 * (len(RUN_NAMES) - 1) + 4
    for run in RUN_NAMES:
        assert MIXTURE_KEYS <= set(results[run]), run
    for animation in ("fig20_animation", "fig21_animation"):
        assert ANIMATION_KEYS <= set(results[animation]), animation
    assert config["smoke"] is True and config["generator_hidden"] == [256, 256]


def test_normal_smoke(tmp_path):
    """The refactored Normal reproduction (Figs 1-7) still writes its files and keys."""
    results, _ = run_script("strakhov2018_normal", tmp_path)
    assert_files(tmp_path, [
        "fig1_p_real_on_real.png", "fig2_p_real_on_fake.png", "fig3_g_mean.png", "fig4_g_stddev.png",
        "fig5_real_data.png", *fake_histograms(6), "fig7_training.gif", "fig7_montage.png"])
    assert {"final_mean", "final_stddev", "final_max_abs_d_minus_half"} <= set(results["fig7_animation"])
    for run in RUN_NAMES:
        assert {"final_mean", "final_stddev", "first_step_mean_within_0.1"} <= set(results[run]), run
