"""Each training-dynamics reproduction runs with --smoke and writes every output it promises.

The scripts run in this process (one TensorFlow import for all of them) through their `main(argv)`.
"""

import importlib.util
import json
import pathlib

import pytest

REPRODUCTIONS = pathlib.Path(__file__).resolve().parent.parent / "reproductions"

OUTPUTS = {
    "fleuret_ee559_minimal_gan": ["samples_over_training.png", "saturation.png"],
    "fleuret_ee559_jsd_identity": ["jsd_identity.png"],
    "mescheder2018_dirac_gan": ["trajectories.png", "distance.png"],
    "mescheder2017_ring_consensus": ["samples_over_training.png", "modes.png"],
    "popov2018_jsd_instance_noise": ["instance_noise.png"],
}

TENSORBOARD_RUNS = {  # runs whose real and fake samples go to the sibling TensorBoard runs <run>/real, <run>/fake
    "fleuret_ee559_minimal_gan": ["minimax seed 0", "non_saturating seed 0"],
    "popov2018_jsd_instance_noise": ["no noise seed 0", "instance noise seed 0"],
}


def load(stem):
    spec = importlib.util.spec_from_file_location(stem, REPRODUCTIONS / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("stem", sorted(OUTPUTS))
def test_smoke_run_writes_every_output(stem, tmp_path, capsys):
    module = load(stem)
    for field in ("Source:", "Command:", "Outputs:", "Expected:", "Runtime:"):
        assert field in module.__doc__, f"{stem}'s docstring lacks {field!r}"
    module.main(["--smoke", "--out-dir", str(tmp_path)])
    for name in OUTPUTS[stem] + ["config.json", "metrics.json"]:
        assert (tmp_path / name).is_file() and (tmp_path / name).stat().st_size > 0, f"{stem} did not write {name}"
    assert json.loads((tmp_path / "config.json").read_text())["smoke"] is True
    assert json.loads((tmp_path / "metrics.json").read_text())
    assert capsys.readouterr().out.strip(), f"{stem} printed no table"
    for run in TENSORBOARD_RUNS.get(stem, []):
        for side in ("real", "fake"):
            assert list((tmp_path / "tensorboard" / run / side).glob("events.out.tfevents.*")), f"{stem}: {run}/{side}"
