"""Unrolled GAN: the generator's loss is measured against the discriminator k updates ahead.

Metz, Poole, Pfau, Sohl-Dickstein 2016, "Unrolled Generative Adversarial Networks", https://arxiv.org/abs/1611.02163,
Eq. 6-7:

    psi_0 = psi,   psi_{k+1} = psi_k - eta * grad_psi L_D(theta, psi_k)
    L_G^unrolled(theta) = L_G(D_{psi_K}(G_theta(z)))      (K = `unrolling_steps`)

and G descends the gradient of L_G^unrolled *through* the K updates (second order: the updates depend on theta
through G(z)). D itself is updated as in `GAN` (one ordinary step), so the unrolled copies are only used for G.

Deviation: the unrolled updates are plain gradient descent with step `unrolling_learning_rate`; the authors'
code replayed the discriminator's own optimizer (Adam) update. The K updates reuse G's batch of fakes and the
real batch. Cost: about K + 1 discriminator forward/backward passes per generator step, differentiated twice.
"""

import keras
import tensorflow as tf

from gan_tf import checks
from gan_tf.models import gan as gan_module


@keras.saving.register_keras_serializable(package="gan_tf")
class UnrolledGAN(gan_module.GAN):
    """Args:
      unrolling_steps: K >= 1 (the paper's 2-D mixture used 5; K = 0 would be the plain GAN).
      unrolling_learning_rate: eta > 0 of the unrolled gradient-descent updates of D. Keep it near the size of D's
        own steps: on PacGAN's ring with D trained by Adam(1e-3), eta = 1e-3 captured all 8 modes while 1e-2
        and 1e-1 collapsed (reproductions/pacgan_ring_grid.py, seed 0).
    """

    def __init__(self, *args, unrolling_steps=5, unrolling_learning_rate=1e-3, **kwargs):
        super().__init__(*args, **kwargs)
        if not unrolling_learning_rate > 0:
            raise ValueError(f"unrolling_learning_rate must be > 0, got {unrolling_learning_rate!r}.")
        self.unrolling_steps = checks.positive_integer("unrolling_steps", unrolling_steps)
        self.unrolling_learning_rate = float(unrolling_learning_rate)

    def discriminator_logits_at(self, weights, samples):
        """D's logits with its trainable weights replaced by the tensors `weights` (differentiable in them)."""
        non_trainable = [variable.value for variable in self.discriminator.non_trainable_variables]
        logits, _ = self.discriminator.stateless_call(weights, non_trainable, samples, training=True)
        return logits

    def unrolled_weights(self, real, fake):
        """psi_K after K gradient-descent steps on L_D from the current weights (see the module docstring)."""
        weights = [tf.convert_to_tensor(variable.value) for variable in self.discriminator.trainable_variables]
        for _ in range(self.unrolling_steps):
            with tf.GradientTape() as tape:
                tape.watch(weights)
                loss = self.loss_family.discriminator_loss(self.discriminator_logits_at(weights, real),
                                                           self.discriminator_logits_at(weights, fake))
            gradients = tape.gradient(loss, weights)
            weights = [weight - self.unrolling_learning_rate * tf.cast(gradient, weight.dtype)
                       for weight, gradient in zip(weights, gradients)]
        return weights

    def compute_generator_loss(self, real, fake):
        fake_logits = self.discriminator_logits_at(self.unrolled_weights(real, fake), fake)
        return self.loss_family.generator_loss(fake_logits), fake_logits

    def get_config(self):
        return {**super().get_config(), "unrolling_steps": self.unrolling_steps,
                "unrolling_learning_rate": self.unrolling_learning_rate}
