"""`tf.distribute` strategies by name, for `gan-tf train --strategy NAME` (one code path for all of them).

  default        no distribution: the current device (one GPU if there is one, else the CPU).
  mirrored       synchronous data parallelism over the local GPUs, or over the logical CPU devices when there
                 is no GPU (one replica on a plain CPU; tests split the CPU into two logical devices).
  multi_worker   MultiWorkerMirroredStrategy: the same on several machines; each worker runs the same command
                 with its own TF_CONFIG (the cluster and its index), see the README.
  tpu            TPUStrategy on the TPU named by the TPU_NAME environment variable ("" = a local TPU VM).

The GAN needs nothing per strategy: `fit`'s batch is the global batch, split across replicas; each replica's
mean loss is divided by the number of replicas before the gradients are summed (`gan_tf.models.gan`);
Keras' metrics sum their totals and counts across replicas; each replica draws its own z. Batch norm uses
each replica's share of the batch unless the networks are built with `synchronized_batch_norm=True`
(`gan-tf train --sync-batch-norm`). Train one distributed model per process: TF reuses collective keys
across strategies, so a second model in the same process can abort with "Shape mismatch in the collective
instance" (tensorflow/tensorflow#62790; tests/distributed_step.py shows TF's own test workaround).
"""

import os

import tensorflow as tf

STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")


def make_strategy(name):
    """The `tf.distribute.Strategy` called `name` (one of `STRATEGIES`)."""
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy(local_devices())
    if name == "multi_worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "tpu":
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=os.environ.get("TPU_NAME", ""))
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    raise ValueError(f"strategy must be one of {STRATEGIES}, got {name!r}.")


def local_devices():
    """The local GPUs' names, or every logical CPU device's when there is no GPU."""
    gpus = tf.config.list_logical_devices("GPU")
    return [device.name for device in (gpus or tf.config.list_logical_devices("CPU"))]


def is_chief(strategy):
    """Whether this process writes the run's files: always, except on the non-chief workers of a multi-worker
    strategy (the chief is task "chief", or worker 0 when the cluster names no chief)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    return resolver.task_type == "worker" and resolver.task_id == 0 and "chief" not in resolver.cluster_spec().jobs


def worker_name(strategy):
    """"chief", or e.g. "worker_1" for a non-chief worker (its scratch folder's name)."""
    if is_chief(strategy):
        return "chief"
    return f"{strategy.cluster_resolver.task_type}_{strategy.cluster_resolver.task_id}"
