"""The discriminator sees augmented images: DiffAugment at a fixed probability, or ADA's adaptive one.

Zhao et al. 2020 ("Differentiable Augmentation for Data-Efficient GAN Training", https://arxiv.org/abs/2006.10738)
augment every image D sees, real and fake, in D's step and in G's step (see `gan_tf.augment`); Karras et al. 2020
("Training Generative Adversarial Networks with Limited Data", https://arxiv.org/abs/2006.06676) apply each
transform with a probability p adjusted every `ada_interval` D steps from r_t = E[sign(D(x_real))]:
    p <- clip(p + sign(r_t - target) * images / speed_images, 0, 1)         (target 0.6, speed 500k images)
p and the heuristic's running sums are model variables (checkpointed with the model, resumed exactly); under
`tf.distribute` the sums are added over replicas, so every replica takes the same p.

`AugmentedConditionalGAN` does the same for a conditional GAN (`conditional.ConditionalGAN`): D sees the augmented
images beside their labels, which are left as they are (the DiffAugment paper's class-conditional BigGAN runs).
"""

import keras
import tensorflow as tf

from gan_tf import augment, checks
from gan_tf.models import conditional, replicas
from gan_tf.models import gan as gan_module


@keras.saving.register_keras_serializable(package="gan_tf")
class AugmentedGAN(gan_module.GAN):
    """A GAN whose D sees `augment.diff_augment`ed real and fake images.

    Args (besides `GAN`'s):
      policies: names in `augment.POLICIES` (DiffAugment: all three).
      probability: each image gets each policy with this probability (DiffAugment: 1); ADA's start value.
      ada_target: None (fixed probability) or ADA's target for r_t (0.6).
      ada_interval: D steps between two updates of p (ADA: 4).
      ada_speed_images: images for p to move from 0 to 1 (ADA: 500k).
      same_augmentation: real and fake batches of one D step get the same transforms (one seed for both).
    """

    def __init__(self, *args, policies=augment.POLICIES, probability=1.0, ada_target=None, ada_interval=4,
                 ada_speed_images=500_000, same_augmentation=False, **kwargs):
        super().__init__(*args, **kwargs)
        augment.check_policies(policies)
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"probability must be in [0, 1], got {probability!r}.")
        if ada_target is not None and not -1.0 < ada_target < 1.0:
            raise ValueError(f"ada_target must be None or in (-1, 1) (E[sign(D(real))]), got {ada_target!r}.")
        self.policies, self.probability = tuple(policies), float(probability)
        self.ada_target, self.same_augmentation = ada_target, bool(same_augmentation)
        self.ada_interval = checks.positive_integer("ada_interval", ada_interval)
        self.ada_speed_images = checks.positive_integer("ada_speed_images", ada_speed_images)
        self.augment_probability = _state(self.probability, "augment_probability")
        self.overfitting_sum, self.overfitting_images, self.d_steps_taken = (
            _state(0.0, "overfitting_sum"), _state(0.0, "overfitting_images"), _state(0.0, "d_steps_taken"))
        self.augment_probability_tracker = keras.metrics.Mean(name="augment_probability")
        self.overfitting_tracker = keras.metrics.Mean(name="overfitting_heuristic")

    @property
    def metrics(self):
        return super().metrics + [self.augment_probability_tracker, self.overfitting_tracker]

    def augment(self, samples, seed=None):
        """`samples` augmented with a fresh seed (or `seed`), at the current probability."""
        seed = replicas.replica_seed(self.seed_generator) if seed is None else seed
        return augment.diff_augment(samples, seed, self.policies, self.augment_probability.value)

    def judge(self, samples, seed=None):
        """D's logits of `samples` augmented (with `seed`, else a fresh one)."""
        return self.discriminator(self.augment(samples, seed), training=True)

    def compute_discriminator_loss(self, real, fake):
        seed = replicas.replica_seed(self.seed_generator) if self.same_augmentation else None
        real_logits, fake_logits = self.judge(real, seed), self.judge(fake, seed)
        if self.ada_target is not None:
            self.adapt_probability(real_logits)
        self.augment_probability_tracker.update_state(self.augment_probability.value)
        return self.discriminator_loss_from_logits(real_logits, fake_logits), real_logits, fake_logits

    def compute_generator_loss(self, real, fake):
        del real
        fake_logits = self.judge(fake)
        return self.loss_family.generator_loss(fake_logits), fake_logits

    def adapt_probability(self, real_logits):
        """Adds this step's signs of D(real) to the running sums; every `ada_interval` D steps, ADA's update."""
        signs = tf.reduce_sum(tf.sign(tf.cast(real_logits, tf.float32)))
        images = tf.cast(tf.shape(real_logits)[0], tf.float32)
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            signs, images = context.all_reduce(tf.distribute.ReduceOp.SUM, [signs, images])
        total, seen = self.overfitting_sum.value + signs, self.overfitting_images.value + images
        self.d_steps_taken.assign(self.d_steps_taken.value + 1.0)
        due = tf.equal(tf.math.floormod(self.d_steps_taken.value, float(self.ada_interval)), 0.0)
        overfitting = total / seen
        moved = augment.adapt_probability(self.augment_probability.value, overfitting, seen, self.ada_target,
                                          self.ada_speed_images)
        self.augment_probability.assign(tf.where(due, moved, self.augment_probability.value))
        self.overfitting_sum.assign(tf.where(due, 0.0, total))
        self.overfitting_images.assign(tf.where(due, 0.0, seen))
        self.overfitting_tracker.update_state(overfitting)

    def get_config(self):
        return {**super().get_config(), "policies": list(self.policies), "probability": self.probability,
                "ada_target": self.ada_target, "ada_interval": self.ada_interval,
                "ada_speed_images": self.ada_speed_images, "same_augmentation": self.same_augmentation}


@keras.saving.register_keras_serializable(package="gan_tf")
class AugmentedConditionalGAN(AugmentedGAN, conditional.ConditionalGAN):
    """`AugmentedGAN` for `(images, labels)`: D(augment(x), y), the labels untouched. Args: both classes'
    (`num_classes`, `class_shares` as keywords)."""

    def judge(self, samples, seed=None):
        images, labels = samples
        return self.discriminate(self.augment(images, seed), labels)[0]


def _state(value, name):
    return keras.Variable(value, dtype="float32", trainable=False, aggregation="only_first_replica", name=name)
