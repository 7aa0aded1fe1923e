"""`tf.distribute` details of a GAN's step: a latent seed distinct per replica, and step outputs that a
multi-worker strategy can reduce."""

import keras
import numpy as np
import tensorflow as tf


def replica_seed(seed):
    """A stateless int32 seed [2], drawn as `keras.random` does, and distinct per replica."""
    if isinstance(seed, keras.random.SeedGenerator):
        seed = seed.next()
    elif isinstance(seed, (int, np.integer)):
        seed = tf.constant([int(seed), 0], tf.int64)
    else:
        raise ValueError(f"seed must be None, an int or a keras.random.SeedGenerator, got {type(seed).__name__}.")
    seed = tf.cast(tf.math.floormod(tf.cast(seed, tf.int64), tf.int32.max - 1), tf.int32)  # XLA wants int32
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return seed
    return tf.random.experimental.stateless_fold_in(seed, context.replica_id_in_sync_group)


def multi_worker_safe(value):
    """Keras 3 reduces the outputs of a multi-worker step with `strategy.reduce(MEAN, value, axis=0)`, which
    fails on a scalar (tensorflow/tensorflow#72388): there each replica returns its value as shape [1]."""
    strategy = tf.distribute.get_strategy()
    # Keras' own test for that code path (private, as Keras uses it).
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and strategy.extended._in_multi_worker_mode():
        return tf.reshape(value, [1])
    return value
