"""Sampling from a `GAN` (in chunks, from its generator average if it keeps one) and updating that average.

The recurrence and its decay (StyleGAN2-ADA's half-life and ramp) are `gan_tf.ema`'s; this module feeds it from
a GAN's training state and swaps the averaged weights into the generator for sampling.
"""

import contextlib

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks


def global_batch_size(real):
    """Images in one real batch over all replicas (a per-replica batch times the replicas in sync)."""
    per_replica = tf.shape(tf.nest.flatten(real)[0])[0]
    return per_replica * tf.distribute.get_strategy().num_replicas_in_sync


def update(gan, real):
    """One step of the average after the batch `real` was trained on. As StyleGAN2-ADA, the ramp reads the
    images seen *before* this batch, so the first update copies the weights (beta = 0)."""
    batch = tf.cast(global_batch_size(real), tf.float32)
    images_before = tf.cast(tf.maximum(gan.trained_batches() - 1, 0), tf.float32) * batch
    return gan.generator_average.update(gan.generator, images_before, batch)


@contextlib.contextmanager
def averaged_weights(generator, average):
    """Within the block, `generator`'s trainable weights are `average`'s (a `ema.GeneratorAverage`, or None for
    the generator as it is); restored on exit, even after an exception."""
    if average is None:
        yield generator
        return
    raw = [keras.ops.convert_to_numpy(weight) for weight in generator.trainable_weights]
    try:
        for weight, averaged in zip(generator.trainable_weights, average.variables):
            weight.assign(averaged.value)
        yield generator
    finally:
        for weight, value in zip(generator.trainable_weights, raw):
            weight.assign(np.asarray(value))


def generate_like(gan, real, n, seed, batch_size, average=True):
    """`gan.make_fake(real rows, z rows, training=False)`'s samples for `n` z, `batch_size` at a time, as NumPy.

    `real`: what `make_fake` reads of a real batch, n rows (None for `GAN`; `(None, labels)` for
    `ConditionalGAN`). `average`: from the generator average when the GAN keeps one (else the raw generator)."""
    n, batch_size = checks.positive_integer("n", n), checks.positive_integer("batch_size", batch_size)
    latent = gan.sample_latent(n, seed=seed)
    chunks = []
    with averaged_weights(gan.generator, gan.generator_average if average else None):
        for start in range(0, n, batch_size):
            rows = slice(start, start + batch_size)
            real_rows = None if real is None else tuple(None if part is None else part[rows] for part in real)
            fake = gan.make_fake(real_rows, latent[rows], training=False)
            chunks.append(keras.ops.convert_to_numpy(tf.nest.flatten(fake)[0]))
    return np.concatenate(chunks, axis=0)
