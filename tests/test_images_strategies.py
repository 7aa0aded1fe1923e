"""`gan_tf.images.strategies`: names, the chief of a multi-worker cluster (read from TF_CONFIG)."""

import json

import pytest
import tensorflow as tf

from gan_tf.images import strategies


class FakeStrategy:
    """What `is_chief` reads of a MultiWorkerMirroredStrategy: its cluster resolver, here built from TF_CONFIG."""

    def __init__(self, cluster, task_type, task_id, monkeypatch):
        tf_config = {"cluster": cluster, "task": {"type": task_type, "index": task_id}}
        monkeypatch.setenv("TF_CONFIG", json.dumps(tf_config))
        self.cluster_resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()


WORKERS = {"worker": ["localhost:1", "localhost:2"]}


@pytest.mark.parametrize("cluster, task_type, task_id, chief, name", [
    (WORKERS, "worker", 0, True, "chief"),             # no chief job: worker 0 is the chief
    (WORKERS, "worker", 1, False, "worker_1"),
    ({"chief": ["localhost:0"], **WORKERS}, "chief", 0, True, "chief"),
    ({"chief": ["localhost:0"], **WORKERS}, "worker", 0, False, "worker_0"),
])
def test_only_the_chief_writes_the_run_files(cluster, task_type, task_id, chief, name, monkeypatch):
    strategy = FakeStrategy(cluster, task_type, task_id, monkeypatch)
    assert strategies.is_chief(strategy) is chief
    assert strategies.worker_name(strategy) == name


def test_without_distribution_the_process_is_the_chief():
    assert strategies.is_chief(strategies.make_strategy("default"))


def test_mirrored_on_one_cpu_is_one_replica():
    assert strategies.make_strategy("mirrored").num_replicas_in_sync == len(tf.config.list_logical_devices("CPU"))


def test_unknown_strategy_names_the_choices():
    with pytest.raises(ValueError, match="strategy must be one of .*mirrored.*'gpus'"):
        strategies.make_strategy("gpus")
