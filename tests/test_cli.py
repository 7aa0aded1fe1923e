"""The `gan-tf` command: its commands, and user errors answered in one line before TensorFlow is imported."""

import os
import re
import subprocess
import sys

import pytest
from conftest import REPOSITORY

from gan_tf import cli


def test_list_shows_each_script_source_figures_and_runtime_on_one_line(capsys):
    cli.main(["list"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(list((REPOSITORY / "reproductions").glob("*.py")))
    normal = next(line for line in lines if line.startswith("strakhov2018_normal "))
    assert "[Generative Adversarial Networks]" in normal and "8 figures" in normal and "--smoke" in normal
    assert "[EE-559 lecture 10.1]" in next(line for line in lines if line.startswith("fleuret_ee559_jsd_identity "))
    assert "[The papers]" in next(line for line in lines if line.startswith("pacgan_ring_grid "))


def test_list_and_reproduce_all_import_no_tensorflow():
    code = ("import sys; from gan_tf.cli import reproduce_commands; from gan_tf import cli; cli.main(['list']); "
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPOSITORY)
    assert result.stdout.splitlines()[-1] == "False False"


def test_a_reader_that_leaves_early_gets_no_error_line():
    """`gan-tf list | head -1`: the pipe's reader is gone before gan-tf writes (Python then raises BrokenPipeError,
    an OSError, which must not be reported as the user's mistake)."""
    process = subprocess.Popen([sys.executable, "-m", "gan_tf.cli", "list"], cwd=REPOSITORY, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    process.stdout.close()
    error = process.stderr.read()
    assert process.wait() == 1 and error == ""


def test_reproduce_needs_a_name_or_all_not_both(capsys):
    status, line = error_line(capsys, ["reproduce"])
    assert status == 2 and "a script NAME (see gan-tf list) or --all" in line
    status, line = error_line(capsys, ["reproduce", "--all", "strakhov2018_normal"])
    assert status == 2 and "give no NAME" in line


def test_unknown_reproduction_names_the_choices(capsys):
    status, line = error_line(capsys, ["reproduce", "nope"])
    assert status == 2 and "No reproduction named 'nope'" in line and "strakhov2018_normal" in line


def test_a_command_is_required(capsys):
    status, line = error_line(capsys, [])
    assert status == 2 and "required: command" in line


# ---- one line, fast --------------------------------------------------------------------------------------------------

def error_line(capsys, argv):
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gan-tf: error: "), lines
    return stopped.value.code, lines[0]


@pytest.mark.parametrize("argv, message", [
    (["trian"], "invalid choice: 'trian'"),
    (["train", "--data", "digits"], "the following arguments are required: --out"),
    (["train", "--data", "digits", "--out", "r", "--batch-size", "-1"], "--batch-size: must be a positive integer"),
    (["train", "--data", "digits", "--out", "r", "--seed", "-3"], r"--seed: must be an integer in \[0, 2\*\*32\)"),
    (["train", "--data", "digits", "--out", "r", "--feature-matching", "nan"], "--feature-matching: must be a finite"),
    (["train", "--data", "digits", "--out", "r", "--feature-matching", "-0.1"], "--feature-matching: must be a finite"),
    (["train", "--data", "digits", "--out", "r", "--steps-per-epoch", "-1"],
     "--steps-per-epoch: must be a non-negative integer"),
    (["train", "--data", "digits", "--out", "r", "--image-size", "48"], "--image-size: invalid choice: 48"),
    (["train", "--data", "digits", "--out", "r", "--epochs", "two"], "--epochs: must be an integer, got 'two'"),
    (["train", "--data", "/nonexistent", "--out", "r"], "--data '/nonexistent': no such folder"),
    (["train", "--data", "./my_imagse/", "--out", "r"], "--data './my_imagse/': no such folder"),
    (["sample", "--run", "r", "--n", "0"], "--n: must be a positive integer"),
    (["train", "--data", "digits", "--out", "r", "--recipe", "fancy"], "--recipe: invalid choice: 'fancy'"),
    (["train", "--data", "digits", "--out", "r", "--augment", "flip"], "--augment: invalid choice: 'flip'"),
    (["train", "--data", "digits", "--out", "r", "--loss", "hinged"], "--loss: invalid choice: 'hinged'"),
    (["train", "--data", "digits", "--out", "r", "--architecture", "resnet"], "--architecture: invalid choice"),
    (["train", "--data", "digits", "--out", "r", "--ema", "-1"], "--ema: must be a finite number >= 0"),
    (["train", "--data", "digits", "--out", "r", "--r1", "inf"], "--r1: must be a finite number >= 0"),
    (["train", "--data", "digits", "--out", "r", "--r1-every", "0"], "--r1-every: must be a positive integer"),
    (["train", "--data", "digits", "--out", "r", "--eval-every", "-2"], "--eval-every: must be a non-negative integer"),
    (["train", "--data", "digits", "--out", "r", "--spectral-norm", "yes"], "unrecognized arguments: yes"),
    (["train", "--data", "digits", "--out", "r", "--epoch", "3"], r"unrecognized arguments: --epoch 3 \(did you mean "
                                                                  r"--epochs\?\)"),  # not an abbreviation of --epochs
    (["sample", "--run", "/nowhere"], "--run '/nowhere' is not a run directory: it has no config.json"),
    (["export", "--run", "/nowhere", "--out", "x"], "--run '/nowhere' is not a run directory"),
])
def test_a_user_error_is_one_line_and_exit_status_2(capsys, argv, message):
    status, line = error_line(capsys, argv)
    assert status == 2
    assert re.search(message, line), line


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(FileNotFoundError, match="no config.json"):
        cli.main(["--debug", "sample", "--run", str(tmp_path / "nowhere")])
    with pytest.raises(FileNotFoundError, match="no config.json"):
        cli.main(["sample", "--run", str(tmp_path / "nowhere"), "--debug"])
    with pytest.raises(FileNotFoundError, match="neither 'digits', an existing folder, nor a TFDS"):
        cli.main(["--debug", "train", "--data", "no_such_tfds_name", "--out", str(tmp_path / "run")])
    assert not (tmp_path / "run").exists()


def test_flags_are_checked_before_tensorflow_is_imported(tmp_path):
    program = ("import sys\nfrom gan_tf import cli\ntry:\n    cli.main(sys.argv[1:])\nexcept SystemExit as stop:\n"
               "    print(stop.code, 'tensorflow' in sys.modules)\n")
    for argv in (["--help"], ["train", "--data", "/nonexistent", "--out", str(tmp_path / "x")],
                 ["sample", "--run", str(tmp_path / "nowhere")],
                 ["train", "--data", "digits", "--out", str(tmp_path / "x"), "--seed", "x"]):
        result = subprocess.run([sys.executable, "-c", program, *argv], capture_output=True, text=True, timeout=60,
                                env=dict(os.environ, PYTHONPATH=str(REPOSITORY)))
        assert result.stdout.strip().splitlines()[-1].endswith("False"), (argv, result.stdout, result.stderr)
    assert not (tmp_path / "x").exists()


def test_the_cli_choices_are_the_librarys():
    from gan_tf import ema, losses, models, networks  # noqa: PLC0415
    from gan_tf.images import choices, strategies, training  # noqa: PLC0415

    assert choices.IMAGE_SIZES == networks.DCGAN_SIZES and choices.LOSSES == tuple(losses.FAMILIES)
    defaults = training.TrainConfig(data="digits")
    assert {name: getattr(defaults, name) for name in choices.RECIPES["dcgan"]} == choices.RECIPES["dcgan"]
    assert choices.LATENT_DISTRIBUTIONS == tuple(models.gan.LATENT_DISTRIBUTIONS)
    assert choices.STRATEGIES == strategies.STRATEGIES and choices.EMA_HALF_LIFE == ema.HALF_LIFE_IMAGES
