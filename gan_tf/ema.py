"""An exponential moving average of the generator's weights, with StyleGAN2's warm-up ramp.

Samples from averaged weights are smoother and better than from the last weights (Yazici et al. 2019, "The
Unusual Effectiveness of Averaging in GAN Training", https://arxiv.org/abs/1806.04498); every recent image GAN
(ProGAN, StyleGAN2-ADA, BigGAN) samples from such an average. After each generator update:
    w_avg <- beta * w_avg + (1 - beta) * w,
    beta = 0.5 ** (batch_size / max(half_life_images, 1e-8)),
    half_life_images = min(half_life, images_seen * rampup)       (StyleGAN2-ADA's ema_kimg and ema_rampup)
so the old average loses half its weight every `half_life` images, and early in training (while the weights
move fast) the half-life is a fraction `rampup` of the images seen so far. With `rampup=None` it is constant.
Non-trainable weights (batch-norm statistics) are not averaged: the averaged generator uses the generator's own.
"""

import keras
import tensorflow as tf

HALF_LIFE_IMAGES = 10_000  # StyleGAN2-ADA: ema_kimg = 10 at batch 32
RAMPUP = 0.05  # StyleGAN2-ADA's ema_rampup for small data sets


def decay(images_seen, batch_size, half_life=HALF_LIFE_IMAGES, rampup=RAMPUP):
    """beta for one update after `images_seen` images (a float or a tensor); see the module docstring."""
    half_life = tf.cast(half_life, tf.float32)
    if rampup is not None:
        half_life = tf.minimum(half_life, tf.cast(images_seen, tf.float32) * rampup)
    return tf.pow(0.5, tf.cast(batch_size, tf.float32) / tf.maximum(half_life, 1e-8))


class GeneratorAverage:
    """The averaged trainable weights of `generator` as variables (checkpoint them with `variables`; sample them
    with `gan_tf.models.sampling.averaged_weights`).

    Under `tf.distribute` the variables are updated in replica context from weights that are the same on every
    replica (after a synchronised update), so only the first replica's assignment is kept.
    """

    def __init__(self, generator, half_life=HALF_LIFE_IMAGES, rampup=RAMPUP):
        if not half_life > 0:
            raise ValueError(f"half_life must be a positive number of images, got {half_life!r}.")
        if rampup is not None and not 0 < rampup <= 1:
            raise ValueError(f"rampup must be None or in (0, 1], got {rampup!r}.")
        self.half_life, self.rampup = half_life, rampup
        self.variables = [
            keras.Variable(keras.ops.convert_to_numpy(weight), trainable=False, aggregation="only_first_replica",
                           name=f"average_{index}")
            for index, weight in enumerate(generator.trainable_weights)]

    def update(self, generator, images_seen, batch_size):
        """One step of the recurrence with the generator's current weights; returns beta."""
        beta = decay(images_seen, batch_size, self.half_life, self.rampup)
        for average, weight in zip(self.variables, generator.trainable_weights):
            value = tf.cast(weight.value, average.dtype)
            average.assign(value + tf.cast(beta, average.dtype) * (average.value - value))
        return beta
