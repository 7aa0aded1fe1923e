"""Shared test set-up: quiet TensorFlow, CPU only, the CPU path `gan-tf` chooses (`gan_tf.cpu_path`: oneDNN on
where it is faster, set before any test imports TensorFlow), small helpers."""

import importlib.util
import json
import os
import pathlib
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import pytest

from gan_tf import cpu_path

cpu_path.configure()

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
# `gan-tf train` flags of a run of a few seconds: the dcgan recipe, 16 px, 4 filters, 3 steps of 4 images an epoch,
# probes every 2 steps
TINY_TRAIN_FLAGS = ["--recipe", "dcgan", "--image-size", "16", "--filters", "4", "--batch-size", "4",
                    "--steps-per-epoch", "3", "--every-n-steps", "2", "--no-xla"]


def load_script(relative_path):
    """Import a script of the repository (e.g. a reproduction) as a module, without running it."""
    path = REPOSITORY / relative_path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def event_tags(log_dir):
    """{tag: [steps]} of the TensorBoard event files in `log_dir`."""
    import tensorflow as tf  # noqa: PLC0415  (only the tests that read event files pay for the import here)

    tags = {}
    for path in log_dir.glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append(event.step)
    return tags


def worker_results(script_name):
    """Runs tests/<script_name> in a fresh Python (its own TensorFlow, e.g. with two logical CPUs for
    tf.distribute) and returns the JSON it prints after "RESULTS "."""
    environment = dict(os.environ, PYTHONPATH=str(REPOSITORY), TF_CPP_MIN_LOG_LEVEL="2")
    completed = subprocess.run([sys.executable, str(REPOSITORY / "tests" / script_name)],
                               capture_output=True, text=True, env=environment, timeout=600)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULTS ")]
    assert completed.returncode == 0 and lines, completed.stderr[-3000:]
    return json.loads(lines[0][len("RESULTS "):])


@pytest.fixture
def repository():
    return REPOSITORY
