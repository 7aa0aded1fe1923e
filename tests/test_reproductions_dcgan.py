"""Each DCGAN reproduction runs with --smoke and writes its figures, config.json and metrics.json."""

import importlib.util
import json
import math
import pathlib

import pytest

REPRODUCTIONS = pathlib.Path(__file__).resolve().parents[1] / "reproductions"


def load(name):
    spec = importlib.util.spec_from_file_location(name, REPRODUCTIONS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_smoke(name, out_dir, *extra):
    load(name).main(["--smoke", "--out-dir", str(out_dir), *extra])
    return json.loads((out_dir / "metrics.json").read_text()), json.loads((out_dir / "config.json").read_text())


def test_dcgan_digits_smoke(tmp_path):
    metrics, config = run_smoke("dcgan_digits", tmp_path)
    for figure in ("samples.png", "real.png", "samples_over_training.png", "losses.png", "d_predictions.png",
                   "first_layer.png", "run/generator.keras"):
        assert (tmp_path / figure).is_file(), figure
    assert config["smoke"] and metrics["steps"] == 4
    assert metrics["real_held_out"]["classifier_inception_score"] == pytest.approx(9.35, abs=0.25)
    generated = metrics["generated"]
    assert 1.0 <= generated["classifier_inception_score"] <= 10.0 and 1 <= generated["classes_covered"] <= 10


def test_dcgan_latent_walks_smoke(tmp_path):
    metrics, _ = run_smoke("dcgan_latent_walks", tmp_path)
    for figure in ("random.png", "walk_dim_25.png", "walk_dim_50.png", "walk_dim_75.png", "interpolations.png"):
        assert (tmp_path / figure).is_file(), figure
    for name in ("walk_dim_25", "walk_dim_50", "walk_dim_75", "interpolations"):
        assert 0.0 < metrics[name]["max_step_share"] <= 1.0
        assert 0.0 <= metrics[name]["rows_whose_ends_differ_in_digit"] <= 1.0


def test_dcgan_latent_walks_without_a_run_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="dcgan_digits.py first"):
        load("dcgan_latent_walks").main(["--run", str(tmp_path / "none"), "--out-dir", str(tmp_path / "out")])


def test_dcgan_bad_init_smoke(tmp_path):
    metrics, config = run_smoke("dcgan_bad_init", tmp_path)
    claims = metrics.pop("claims")
    assert set(metrics) == {"stddev_0.2", "stddev_0.02"} and config["stddevs"] == [0.2, 0.02]
    assert {claim["name"]: claim["measured"] for claim in claims}["stddev 0.2: final_p_real_on_real"] == metrics[
        "stddev_0.2"]["final_p_real_on_real"]
    for row in metrics.values():
        assert 0.0 < row["final_p_real_on_real"] < 1.0 and math.isfinite(row["d_first_layer_gradient_norm_final"])
    assert (tmp_path / "stddev_0.2_d_predictions.png").is_file()
    assert (tmp_path / "first_layer_gradient_norms.png").is_file()


def test_dcgan_writeup_smoke_on_mock_celeba(tmp_path):
    load("dcgan_writeup_celeba_flowers").main(["--dataset", "celeba", "--smoke", "--out-dir", str(tmp_path),
                                               "--data-dir", str(tmp_path / "data")])
    out = tmp_path / "celeba"
    assert {"losses.png", "d_predictions.png", "first_layer.png", "samples.png"} <= {p.name for p in out.iterdir()}
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps"] == 2 and all(math.isfinite(value) for value in metrics.values())
    assert (out / "run" / "samples" / "epoch_001.png").is_file()


def test_dcgan_writeup_without_data_says_where_the_files_go(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"downloads/manual.*flower_photos.tgz"):
        load("dcgan_writeup_celeba_flowers").main(["--dataset", "flowers", "--out-dir", str(tmp_path),
                                                   "--data-dir", str(tmp_path / "data")])
