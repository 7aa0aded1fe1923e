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
`batch_update` compares real and fake samples class by class. `generate(n, labels=...)` picks the classes; a model
given `class_shares` (each class's share of the data) draws them by those shares when no labels are asked, so that
it samples like an unconditional generator of the data (e.g. with k-means clusters as classes: the self-conditioned
GAN, `gan_tf.images.pseudo_classes`).
"""

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks
from gan_tf.models import gan as gan_module
from gan_tf.models import input_checks


@keras.saving.register_keras_serializable(package="gan_tf")
class ConditionalGAN(gan_module.GAN):
    """Args (besides `GAN`'s):
      num_classes: K >= 2. The generator is called as `generator([z, one_hot(y)])`, the discriminator as
        `discriminator([x, one_hot(y)])` (one logit per sample).
      class_shares: None, or K non-negative numbers summing to 1 (within 1e-6): `generate` without labels then
        draws each sample's class independently with these probabilities (seeded by its `seed`).
    """

    def __init__(self, generator, discriminator, latent_dim, num_classes, class_shares=None, **kwargs):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        self.num_classes = checks.integer_at_least("num_classes", num_classes, 2)
        self.class_shares = None if class_shares is None else checked_shares(class_shares, self.num_classes)

    def one_hot(self, labels):
        return tf.one_hot(tf.cast(tf.reshape(labels, [-1]), tf.int32), self.num_classes)

    def make_fake(self, real, latent, training=True):
        """`(G(z, y), y)`: fakes of the real batch's classes y (`real` is `(samples, labels)`)."""
        labels = real[1]
        return self.generator([latent, self.one_hot(labels)], training=training), labels

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

    def check_training_data(self, x, y=None):
        """ValueError unless the data are `(samples, labels)` batches with integer labels in [0, num_classes).

        Checked here, before any step: a tf.data.Dataset's element spec (a pair, integer labels) and, for arrays
        `fit(x, y)`, the labels' values. The label values of a dataset are only seen inside the training graph
        and are not checked there (`tf.one_hot` maps an out-of-range label to a zero vector)."""
        input_checks.class_label_spec(x if y is None else (x, y), self.num_classes)
        input_checks.real_batches(self.generator, x, stacked=self.stacked_batches)

    def generate(self, n, labels=None, seed=None, batch_size=1024, average=True):
        """`n` samples of the classes `labels` (an int for one class, `n` ints, or None: classes drawn by
        `class_shares` when the model has them, else 0, 1, ..., K-1, 0, ...); `average` as `GAN.generate`."""
        n = checks.positive_integer("n", n)
        return self._generate_like((None, self._labels_for(n, labels, seed)), n, seed, batch_size, average)

    def _labels_for(self, n, labels, seed=None):
        if labels is None and self.class_shares is not None:
            return draw_classes(self.class_shares, n, seed)
        if labels is None:
            return np.arange(n) % self.num_classes
        labels = np.full(n, labels) if np.ndim(labels) == 0 else np.asarray(labels)
        if labels.shape != (n,):
            raise ValueError(f"labels must be None, one class or {n} classes, got shape {labels.shape}.")
        input_checks.class_labels(labels, self.num_classes)
        return labels.astype(np.int32)

    def get_config(self):
        shares = None if self.class_shares is None else self.class_shares.tolist()
        return {**super().get_config(), "num_classes": self.num_classes, "class_shares": shares}


def checked_shares(shares, num_classes):
    """float64 `[num_classes]`: `shares` checked to be that many non-negative numbers summing to 1 (within 1e-6)."""
    shares = np.asarray(shares, dtype=np.float64)
    if shares.shape != (num_classes,) or np.any(~np.isfinite(shares)) or np.any(shares < 0) \
            or abs(shares.sum() - 1.0) > 1e-6:
        raise ValueError(f"class_shares must be {num_classes} non-negative numbers summing to 1, got "
                         f"{shares.reshape(-1).tolist()[:10]} (shape {shares.shape}, sum {shares.sum():.6g}).")
    return shares / shares.sum()


def draw_classes(shares, n, seed=None):
    """int32 `[n]`: classes drawn independently, class k with probability `shares[k]`; the same draws for the same
    integer `seed`."""
    return np.random.default_rng(seed).choice(len(shares), n, p=shares).astype(np.int32)


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
