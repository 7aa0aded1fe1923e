"""Class-conditional GANs, trained with `fit` on a dataset of `(samples, integer labels)` batches.

  ConditionalGAN   G(z, y) and D(x, y): both networks receive the one-hot label as a second input
                   (Mirza and Osindero 2014, "Conditional Generative Adversarial Nets",
                   https://arxiv.org/abs/1411.1784).
  ACGAN            G(z, y) and D(x) -> (source logit, class logits): D also classifies, and both players add the
                   class cross-entropy L_C to their loss (Odena, Olah, Shlens 2016, "Conditional Image Synthesis with
                   Auxiliary Classifier GANs", https://arxiv.org/abs/1610.09585, Sec. 3):
                       L_D = L_S(D) + class_weight * (CE(y, C(x)) + CE(y, C(G(z, y))))
                       L_G = L_S(G) + class_weight * CE(y, C(G(z, y)))

Fakes are generated with the labels of the real batch (the same class distribution as the data), so one
`train_step` compares real and fake samples class by class. `generate(n, labels=...)` picks the classes.
"""

import keras
import numpy as np
import tensorflow as tf

from gan_tf.models import gan as gan_module


@keras.saving.register_keras_serializable(package="gan_tf")
class ConditionalGAN(gan_module.GAN):
    """Args (besides `GAN`'s):
      num_classes: K >= 2. The generator is called as `generator([z, one_hot(y)])`, the discriminator as
        `discriminator([x, one_hot(y)])` (one logit per sample).
    """

    def __init__(self, generator, discriminator, latent_dim, num_classes, **kwargs):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}.")
        self.num_classes = num_classes

    def one_hot(self, labels):
        return tf.one_hot(tf.cast(tf.reshape(labels, [-1]), tf.int32), self.num_classes)

    def generate_fake(self, labels, latent=None, training=True):
        latent = self.sample_latent(tf.shape(labels)[0]) if latent is None else latent
        return self.generator([latent, self.one_hot(labels)], training=training)

    def discriminate(self, samples, labels):
        """(source logits `[batch, 1]`, class logits or None)."""
        return self.discriminator([samples, self.one_hot(labels)], training=True), None

    def class_loss(self, labels, class_logits):
        return tf.constant(0.0)

    def compute_discriminator_loss(self, real, fake):
        """`real` and `fake` are `(samples, labels)` pairs. Returns (loss, real_logits, fake_logits)."""
        real_logits, real_classes = self.discriminate(*real)
        fake_logits, fake_classes = self.discriminate(*fake)
        loss = self.discriminator_loss_from_logits(real_logits, fake_logits)
        loss += self.class_loss(real[1], real_classes) + self.class_loss(fake[1], fake_classes)
        return loss, real_logits, fake_logits

    def compute_generator_loss(self, real, fake):
        del real
        fake_logits, fake_classes = self.discriminate(*fake)
        return self.loss_family.generator_loss(fake_logits) + self.class_loss(fake[1], fake_classes), fake_logits

    def discriminator_step(self, real):
        fake = (self.generate_fake(real[1]), real[1])
        with tf.GradientTape() as tape:
            loss, real_logits, fake_logits = self.compute_discriminator_loss(real, fake)
            scaled_loss = gan_module._scale_for_update(self.d_optimizer, loss)
        gan_module._minimize(self.d_optimizer, tape, scaled_loss, self.discriminator.trainable_variables)
        return loss, real_logits, fake_logits

    def generator_step(self, real):
        latent = self.sample_latent(tf.shape(real[1])[0])
        with tf.GradientTape() as tape:
            fake = (self.generate_fake(real[1], latent), real[1])
            loss, _ = self.compute_generator_loss(real, fake)
            scaled_loss = gan_module._scale_for_update(self.g_optimizer, loss)
        gan_module._minimize(self.g_optimizer, tape, scaled_loss, self.generator.trainable_variables)
        return loss

    def generate(self, n, labels=None, seed=None, batch_size=1024):
        """`n` samples of the classes `labels` (an int for one class, `n` ints, or None for 0, 1, ..., K-1, 0, ...)."""
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}.")
        labels = self._labels_for(int(n), labels)
        latent = self.sample_latent(int(n), seed=seed)
        chunks = [keras.ops.convert_to_numpy(self.generate_fake(labels[start:start + batch_size],
                                                                latent[start:start + batch_size], training=False))
                  for start in range(0, int(n), batch_size)]
        return np.concatenate(chunks, axis=0)

    def _labels_for(self, n, labels):
        if labels is None:
            return np.arange(n) % self.num_classes
        labels = np.full(n, labels) if np.ndim(labels) == 0 else np.asarray(labels)
        valid = labels.shape == (n,) and np.issubdtype(labels.dtype, np.integer)
        if not valid or labels.min() < 0 or labels.max() >= self.num_classes:
            raise ValueError(f"labels must be None, one class or {n} classes, integers in [0, {self.num_classes}), "
                             f"got {labels!r}.")
        return labels.astype(np.int32)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}


@keras.saving.register_keras_serializable(package="gan_tf")
class ACGAN(ConditionalGAN):
    """AC-GAN: `discriminator(x)` returns `[source logit [batch, 1], class logits [batch, K]]`.

    Args (besides `ConditionalGAN`'s):
      class_weight: weight of the class cross-entropy in both players' losses (1 in the paper).
    """

    def __init__(self, *args, class_weight=1.0, **kwargs):
        super().__init__(*args, **kwargs)
        if not class_weight >= 0:
            raise ValueError(f"class_weight must be >= 0, got {class_weight!r}.")
        self.class_weight = float(class_weight)

    def discriminate(self, samples, labels):
        source_logits, class_logits = self.discriminator(samples, training=True)
        return source_logits, class_logits

    def class_loss(self, labels, class_logits):
        cross_entropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.cast(tf.reshape(labels, [-1]), tf.int32), logits=tf.cast(class_logits, tf.float32))
        return self.class_weight * tf.reduce_mean(cross_entropy)

    def get_config(self):
        return {**super().get_config(), "class_weight": self.class_weight}
