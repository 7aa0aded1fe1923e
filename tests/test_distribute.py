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


def flat(run):
    return np.concatenate([np.ravel(weight) for weight in run["weights"]])


def test_two_replicas_equal_one_replica_on_the_same_global_batch(results):
    np.testing.assert_allclose(flat(results["two_replicas"]), flat(results["one_replica"]), rtol=1e-5, atol=1e-6)


def test_the_comparison_detects_a_missing_division_by_replicas(results):
    # Keras sums gradients across replicas: without the division the step is twice as large.
    difference = np.abs(flat(results["two_replicas_unscaled"]) - flat(results["one_replica"])).max()
    assert difference > 1e-3


def test_metrics_are_reduced_over_replicas(results):
    # d_loss, g_loss and the mean probabilities of two replicas' halves equal one replica's whole batch.
    one, two = results["one_replica"]["logs"], results["two_replicas"]["logs"]
    assert set(one) == {"d_loss", "g_loss", "p_real_on_real", "p_real_on_fake"}
    for name in one:
        assert two[name] == pytest.approx(one[name], rel=1e-5), name


def test_synchronized_batch_norm_makes_two_replicas_equal_one(results):
    # The DCGAN normalizes by batch statistics: over the global batch when synchronized, per replica otherwise.
    np.testing.assert_allclose(flat(results["bn_two_replicas_sync"]), flat(results["bn_one_replica_sync"]),
                               rtol=1e-4, atol=1e-5)
    for name in ("d_loss", "g_loss"):
        assert results["bn_two_replicas_sync"]["logs"][name] == pytest.approx(
            results["bn_one_replica_sync"]["logs"][name], rel=1e-5)
    local = np.abs(flat(results["bn_two_replicas_local"]) - flat(results["bn_one_replica_local"])).max()
    assert local > 1e-3


def test_gan_tf_train_runs_under_a_mirrored_strategy(results):
    run = results["training_run"]
    assert run["replicas"] == 2 and run["checkpoint"] and np.isfinite(run["d_loss"])


def test_replicas_draw_different_latents(results):
    first, second = results["replica_latents"]
    assert not np.allclose(first, second)
