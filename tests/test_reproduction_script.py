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
