"""Shared test set-up: quiet TensorFlow, CPU only, small helpers."""

import importlib.util
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]


def load_script(relative_path):
    """Import a script of the repository (e.g. a reproduction) as a module, without running it."""
    path = REPOSITORY / relative_path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def repository():
    return REPOSITORY
