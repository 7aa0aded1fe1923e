"""Observing training dynamics: the generator's gradient norm, D's confidence on fakes, sample snapshots.

Probes run on a fixed real batch and fixed latent vectors, so that successive measurements differ only by
training. `DynamicsProbe` measures at the start of training and at the end of every epoch: pass
`steps_per_epoch` = the probing interval to `fit`.
"""

import keras
import numpy as np
import tensorflow as tf

from gan_tf import losses


def generator_gradient_norm(model, real, latent, loss=None):
    """(||grad_theta L_G||, mean D(G(z))) at the current weights, without any update.

    Args:
      model: a `gan_tf.models.GAN` (its `compute_generator_loss` hook is used, instance noise included).
      real, latent: a real batch and latent vectors `[batch, latent_dim]`.
      loss: a name in `gan_tf.losses.FAMILIES` to use that family's generator loss on D's logits instead
        of the model's hook (e.g. to compare "minimax" and "non_saturating" at the same point).
    Returns:
      Two Python floats: the global norm over G's trainable weights and the mean probability "real" that D
      gives to the fakes.
    """
    variables = model.generator.trainable_variables
    with tf.GradientTape() as tape:
        fake = model.generator(latent, training=True)
        if loss is None:
            generator_loss, fake_logits = model.compute_generator_loss(real, fake)
        else:
            fake_logits = model.discriminator(fake, training=True)
            generator_loss = losses.get(loss).generator_loss(fake_logits)
    norm = tf.linalg.global_norm(tape.gradient(generator_loss, variables))
    confidence = tf.reduce_mean(tf.sigmoid(tf.cast(fake_logits, tf.float32)))
    return float(norm), float(confidence)


class DynamicsProbe(keras.callbacks.Callback):
    """Records, at step 0 and after every epoch: the step, G's gradient norm, mean D(G(z)) and G(z).

    Args:
      real: a fixed real batch (array or tensor) for the generator loss hook.
      latent: fixed latent vectors; the same z are used at every probe.
      keep_samples: whether to store the generated samples G(latent) at each probe.
    """

    def __init__(self, real, latent, keep_samples=True):
        super().__init__()
        self.real = tf.convert_to_tensor(real, tf.float32)
        self.latent = tf.convert_to_tensor(latent, tf.float32)
        self.keep_samples = keep_samples
        self.step = 0
        self.records = {"step": [], "generator_gradient_norm": [], "p_real_on_fake": [], "samples": []}

    def on_train_begin(self, logs=None):
        if not self.records["step"]:
            self._record()

    def on_epoch_end(self, epoch, logs=None):
        self.step += self.params["steps"]
        self._record()

    def _record(self):
        norm, confidence = generator_gradient_norm(self.model, self.real, self.latent)
        self.records["step"].append(self.step)
        self.records["generator_gradient_norm"].append(norm)
        self.records["p_real_on_fake"].append(confidence)
        if self.keep_samples:
            samples = self.model.generator(self.latent, training=False)
            self.records["samples"].append(keras.ops.convert_to_numpy(samples))

    def arrays(self):
        """The records as NumPy arrays (samples: `[num_probes, batch, dim]`, or empty)."""
        return {name: np.asarray(values) for name, values in self.records.items()}
