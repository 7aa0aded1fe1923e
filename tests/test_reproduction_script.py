"""gan_tf.reproduction.script: the flags, JSON files, table and figure files every reproduction script shares."""

import json
import math
import pathlib

import matplotlib.pyplot as plt
import numpy as np
import pytest

from gan_tf.reproduction import script


def test_default_flags_and_output_folder(tmp_path):
    arguments = script.parse_arguments("reproductions/some_experiment.py", "doc", [])
    assert arguments.out_dir == pathlib.Path("outputs/some_experiment") and arguments.smoke is False
    smoke = script.parse_arguments("reproductions/some_experiment.py", "doc", ["--smoke"])
    assert smoke.out_dir == pathlib.Path("outputs/some_experiment/smoke")  # never over a full run
    chosen = script.parse_arguments("x.py", "doc", ["--smoke", "--out-dir", str(tmp_path)])
    assert chosen.out_dir == tmp_path
    assert not hasattr(arguments, "seed") and not hasattr(arguments, "seeds")
    arguments, out_dir = script.start("x.py", "doc", ["--out-dir", str(tmp_path / "a" / "b")])
    assert out_dir == tmp_path / "a" / "b" and out_dir.is_dir()


def test_seeds_count_from_the_base_seed_and_smoke_keeps_one():
    arguments = script.parse_arguments("x.py", "doc", ["--seed", "2", "--seeds", "3"], seed=0, seeds=5)
    assert script.run_seeds(arguments) == [2, 3, 4]
    smoke = script.parse_arguments("x.py", "doc", ["--smoke", "--seed", "7"], seed=0, seeds=5)
    assert script.run_seeds(smoke) == [7]
    with pytest.raises(SystemExit):
        script.parse_arguments("x.py", "doc", ["--seeds", "0"], seed=0, seeds=5)


def test_a_script_adds_its_own_flags():
    def add_arguments(parser):
        parser.add_argument("--steps", type=int, default=10)

    arguments = script.parse_arguments("x.py", "doc", ["--steps", "4"], add_arguments=add_arguments)
    assert arguments.steps == 4


def test_write_json_converts_numpy_values_and_names_non_finite_floats(tmp_path):
    path = tmp_path / "x.json"
    script.write_json(path, {"a": np.float32(0.5), "b": np.arange(2), "c": None, "d": (1, 2.5),
                             "e": [math.nan, np.float64(np.inf), -math.inf], 3: {"f": np.int64(4)}})
    assert json.loads(path.read_text()) == {"a": 0.5, "b": [0, 1], "c": None, "d": [1, 2.5],
                                            "e": ["nan", "inf", "-inf"], "3": {"f": 4}}
    assert list(json.loads(path.read_text())) == ["a", "b", "c", "d", "e", "3"]  # insertion order


def test_print_table_aligns_columns_and_rounds_floats(capsys):
    script.print_table([{"run": "plain", "x": 0.123456}, {"run": "L2 5e-4", "x": 2}], ["run", ("x", "value")],
                       digits=3)
    assert capsys.readouterr().out.splitlines() == ["run      value", "plain    0.123", "L2 5e-4  2    "]


def test_save_figure_writes_titles_and_closes(tmp_path):
    figure, axis = plt.subplots()
    axis.plot([0, 1], [0, 1])
    script.save_figure(figure, tmp_path / "line.png", title="a line")
    assert (tmp_path / "line.png").stat().st_size > 0
    assert figure.get_suptitle() == "a line"
    assert not plt.fignum_exists(figure.number)


def test_smoke_runs_mark_every_figure_and_table_and_full_runs_do_not(capsys):
    script.parse_arguments("x.py", "doc", ["--smoke"])
    try:
        figure = plt.figure()
        assert [text.get_text() for text in figure.texts] == [script.SMOKE_MARK]
        plt.close(figure)
        script.print_table([{"a": 1}], ["a"])
        assert capsys.readouterr().out.splitlines()[0] == f"[{script.SMOKE_MARK}]"
    finally:
        script.parse_arguments("x.py", "doc", [])
    figure = plt.figure()
    assert figure.texts == []
    plt.close(figure)
    script.print_table([{"a": 1}], ["a"])
    assert capsys.readouterr().out.splitlines() == ["a", "1"]


def test_a_claim_passes_inside_its_tolerance_inclusive_and_fails_outside_or_when_missing():
    assert script.claim("mean", 2.5, 2.0, 0.5)["passed"] is True  # the ends count (exact in binary)
    assert not script.claim("mean", 2.5001, 2.0, 0.5)["passed"] and not script.claim("m", 1.4999, 2, 0.5)["passed"]
    assert script.claim("mean", 2.05, 2.0, 0.1) == {"name": "mean", "measured": 2.05, "expected": 2.0,
                                                    "tolerance": 0.1, "low": 1.9, "high": 2.1, "passed": True}
    assert script.claim("modes", np.int64(8), 8, 0)["passed"] is True
    assert script.claim("modes", 7, 8, 0)["passed"] is False
    assert script.claim("modes", None, 8, 0)["passed"] is False
    assert math.isnan(script.claim("modes", None, 8, 0)["measured"])
    assert script.claim("gap", math.nan, 0, 1)["passed"] is False
    assert script.claim_range("step", 150, 150, 350)["passed"] and script.claim_range("step", 350, 150, 350)["passed"]
    assert script.claim_range("step", 351, 150, 350) == {"name": "step", "measured": 351.0, "expected": 250.0,
                                                         "tolerance": 100.0, "low": 150.0, "high": 350.0,
                                                         "passed": False}
    with pytest.raises(ValueError, match="tolerance must be >= 0"):
        script.claim("x", 1, 1, -0.1)
    with pytest.raises(ValueError, match="low <= high"):
        script.claim_range("x", 1, 2, 1)


def test_claims_print_as_a_table_of_pass_and_fail(capsys):
    script.print_claims([script.claim("a", 1.0, 1.0, 0.5), script.claim("b", 3.0, 1.0, 0.5)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["claim", "measured", "from", "to", "result"]
    assert lines[1].split() == ["a", "1", "0.5", "1.5", "pass"] and lines[2].split() == ["b", "3", "0.5", "1.5", "FAIL"]


def test_a_table_without_rows_prints_its_header(capsys):
    script.print_claims([])
    assert capsys.readouterr().out.split() == ["claim", "measured", "from", "to", "result"]


def test_a_stated_range_holds_what_rounds_into_it():
    low, high = script.stated_range("0.003", "0.006")
    assert (low, high) == pytest.approx((0.0025, 0.0065), abs=1e-15)
    assert script.stated_range("6.3", "12") == pytest.approx((6.25, 12.5))
    assert script.claim_range("ratio", 0.00634, *script.stated_range("0.003", "0.006"))["passed"]
    assert not script.claim_range("ratio", 0.0066, *script.stated_range("0.003", "0.006"))["passed"]
    assert script.stated_range("-1.93", "-1.92") == pytest.approx((-1.935, -1.915))
    with pytest.raises(ValueError, match="plain decimal"):
        script.stated_range("0", "4e-16")
