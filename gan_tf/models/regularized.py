"""Lazy R1: the zero-centred gradient penalty on real data, computed every `r1_every` D steps only.

R1 (Mescheder, Geiger, Nowozin 2018, "Which Training Methods for GANs do actually Converge?",
https://arxiv.org/abs/1801.04406, Eq. 9) adds (gamma / 2) E_x~data[||grad_x D(x)||^2] to D's loss. StyleGAN2
(Karras, Laine, Aittala, Hellsten, Lehtinen, Aila 2020, "Analyzing and Improving the Image Quality of StyleGAN",
https://arxiv.org/abs/1912.04958, Sec. 3.1 "Lazy regularization") computes it once every k = 16 minibatches and
multiplies it by k, so that its average strength is unchanged at 1/k of its cost:
    L_D(step) = L_D + [step mod k = 0] * k * (gamma / 2) * E_x[||grad_x D(x)||^2],   step = D updates so far.
The condition is a `tf.cond` on the D optimizer's update count, so the step compiles once (XLA) and the second
derivative is only computed on the steps that need it.
"""

import keras
import tensorflow as tf

from gan_tf import checks, penalties
from gan_tf.models import gan as gan_module


@keras.saving.register_keras_serializable(package="gan_tf")
class LazyR1GAN(gan_module.GAN):
    """A GAN whose D loss adds StyleGAN2's lazy R1 penalty on the real batch (see the module docstring).

    Args (besides `GAN`'s):
      r1_gamma: gamma >= 0 (StyleGAN2-ADA: 0.01 to 100 with the resolution; 10 for FFHQ at 1024 px).
      r1_every: k, D updates between two penalties (16; 1 is plain R1).
    Combine with another variant by inheritance, e.g. `class AugmentedR1GAN(LazyR1GAN, AugmentedGAN)`: the penalty
    is then taken on the real images as they are, before augmentation. Unconditional samples only.
    """

    def __init__(self, *args, r1_gamma=10.0, r1_every=16, **kwargs):
        super().__init__(*args, **kwargs)
        self.r1_gamma = checks.non_negative_number("r1_gamma", r1_gamma)
        self.r1_every = checks.positive_integer("r1_every", r1_every)
        self.r1_penalty_tracker = keras.metrics.Mean(name="r1_penalty")

    @property
    def metrics(self):
        return super().metrics + [self.r1_penalty_tracker]

    def compute_discriminator_loss(self, real, fake):
        loss, real_logits, fake_logits = super().compute_discriminator_loss(real, fake)
        due = tf.equal(tf.math.floormod(self.d_optimizer.iterations, self.r1_every), 0)
        penalty = tf.cond(due, lambda: penalties.r1_penalty(self.discriminator, real), lambda: tf.constant(0.0))
        self.r1_penalty_tracker.update_state(penalty, sample_weight=tf.cast(due, tf.float32))  # due steps only
        return loss + (self.r1_every * self.r1_gamma / 2.0) * penalty, real_logits, fake_logits

    def get_config(self):
        return {**super().get_config(), "r1_gamma": self.r1_gamma, "r1_every": self.r1_every}
