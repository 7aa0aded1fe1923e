"""GAN training under tf.distribute.MirroredStrategy on two logical CPU devices (see distributed_step.py)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPOSITORY


@pytest.fixture(scope="module")
def results():
    environment = dict(os.environ, PYTHONPATH=str(REPOSITORY), TF_CPP_MIN_LOG_LEVEL="2")
    completed = subprocess.run([sys.executable, str(REPOSITORY / "tests" / "distributed_step.py")],
                               capture_output=True, text=True, env=environment, timeout=600)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULTS ")]
    assert completed.returncode == 0 and lines, completed.stderr[-3000:]
    return json.loads(lines[0][len("RESULTS "):])


def flat(weights):
    return np.concatenate([np.ravel(weight) for weight in weights])


def test_two_replicas_equal_one_replica_on_the_same_global_batch(results):
    np.testing.assert_allclose(flat(results["two_replicas"]), flat(results["one_replica"]), rtol=1e-5, atol=1e-6)


def test_the_comparison_detects_a_missing_division_by_replicas(results):
    # Keras sums gradients across replicas: without the division the step is twice as large.
    difference = np.abs(flat(results["two_replicas_unscaled"]) - flat(results["one_replica"])).max()
    assert difference > 1e-3


def test_replicas_draw_different_latents(results):
    first, second = results["replica_latents"]
    assert not np.allclose(first, second)
