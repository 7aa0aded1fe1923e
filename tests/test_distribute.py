"""GAN training under tf.distribute: MirroredStrategy on two logical CPU devices (see distributed_step.py) and
MultiWorkerMirroredStrategy on two local processes."""

import json
import os
import socket
import subprocess
import sys

import conftest
import numpy as np
import pytest
import tensorflow as tf
from conftest import REPOSITORY


@pytest.fixture(scope="module")
def results():
    return conftest.worker_results("distributed_step.py")


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


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("localhost", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def test_gan_tf_train_on_two_workers_keeps_them_in_step(tmp_path):
    # MultiWorkerMirroredStrategy, two processes on this machine: the same command, each with its TF_CONFIG.
    cluster = {"worker": [f"localhost:{port}" for port in free_ports(2)]}
    command = [sys.executable, "-m", "gan_tf.cli", "train", "--data", "digits", "--out", str(tmp_path / "run"),
               "--strategy", "multi_worker", "--recipe", "dcgan", "--image-size", "16", "--filters", "4",
               "--batch-size", "8", "--steps-per-epoch", "3", "--epochs", "2", "--no-xla", "--every-n-steps", "100",
               "--sync-batch-norm"]
    workers = []
    for index in range(2):
        tf_config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        environment = dict(os.environ, PYTHONPATH=str(REPOSITORY), TF_CPP_MIN_LOG_LEVEL="2", TF_CONFIG=tf_config)
        workers.append(subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True))
    outputs = [worker.communicate(timeout=600)[0] for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    chief = tf.train.load_checkpoint(str(tmp_path / "run" / "checkpoints"))
    other = tf.train.load_checkpoint(str(tmp_path / "run" / "workers" / "worker_1"))
    assert int(chief.get_tensor("epoch/.ATTRIBUTES/VARIABLE_VALUE")) == 2
    names = [name for name in chief.get_variable_to_shape_map() if name.startswith(("generator/", "discriminator/"))]
    assert any("moving_mean" in name for name in names)  # (each worker's own without --sync-batch-norm)
    for name in names:  # synchronous training and batch statistics: both workers hold the same variables
        np.testing.assert_array_equal(chief.get_tensor(name), other.get_tensor(name), err_msg=name)
    assert (tmp_path / "run" / "samples" / "epoch_002.png").is_file()
