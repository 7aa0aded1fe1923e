"""The Normal-distribution and optimal-discriminator reproductions: a --smoke run writes every promised file."""

import json

from conftest import load_script
from tensorboard.backend.event_processing import event_accumulator

EXPECTED_FILES = [
    "fig1_p_real_on_real.png", "fig2_p_real_on_fake.png", "fig3_g_mean.png", "fig4_g_stddev.png",
    "fig5_real_data.png", "fig7_training.gif", "fig7_montage.png", "config.json", "metrics.json",
]


def test_smoke_run_writes_every_output(tmp_path, capsys):
    script = load_script("reproductions/strakhov2018_normal.py")
    script.main(["--smoke", "--out-dir", str(tmp_path)])
    for name in EXPECTED_FILES:
        assert (tmp_path / name).stat().st_size > 0, name
    assert len(list(tmp_path.glob("fig6_fake_data_*.png"))) == len(script.RUNS)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert set(metrics) == set(script.RUNS) | {"fig7_animation", "claims"}
    claims = {claim["name"]: claim for claim in metrics["claims"]}
    assert len(claims) == 5 * len(script.RUNS) + 2
    assert claims["plain: final G/mean"]["measured"] == metrics["plain"]["final_mean"]
    assert claims["plain: final G/mean"]["passed"] == (
        abs(metrics["plain"]["final_mean"] - 2.0) <= script.MEAN_TOLERANCE)
    assert {"final_mean", "final_stddev", "final_p_real_on_real", "final_p_real_on_fake"} <= set(metrics["plain"])
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["smoke"] is True and config["steps"] == script.SMOKE_STEPS
    for run in script.RUNS:  # TensorBoard's runs "<run>", "<run>/real", "<run>/fake", named as in the figures
        logs = tmp_path / "tensorboard" / run
        assert {"G/mean", "loss/d", "data/samples/real_and_fake"} <= tensor_tags(logs)
        assert tensor_tags(logs / "real") == tensor_tags(logs / "fake") == {"D/mean_output", "D/output", "data/samples"}
    assert "Fig 7 run on N(7, 1.5)" in capsys.readouterr().out


def tensor_tags(log_dir):
    accumulator = event_accumulator.EventAccumulator(str(log_dir))
    accumulator.Reload()
    return set(accumulator.Tags()["tensors"])


def test_optimal_discriminator_smoke_run(tmp_path):
    script = load_script("reproductions/fleuret_ee559_optimal_discriminator.py")
    script.main(["--smoke", "--out-dir", str(tmp_path)])
    for name in ("optimal_discriminator.png", "config.json", "metrics.json"):
        assert (tmp_path / name).stat().st_size > 0, name
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    claims = metrics.pop("claims")
    assert set(metrics) == set(script.PANELS)
    assert all(0.0 <= row["mean_abs_error"] <= row["max_abs_error"] <= 1.0 for row in metrics.values())
    assert [claim["measured"] for claim in claims] == [row[key] for row in metrics.values()
                                                       for key in ("mean_abs_error", "max_abs_error")]
