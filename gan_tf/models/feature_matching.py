"""Feature matching: the generator also matches D's intermediate features on real and generated images.

Salimans et al. 2016, "Improved Techniques for Training GANs", https://arxiv.org/abs/1606.03498, Section 3.1:
    L_G = || E_x[f(x)] - E_z[f(G(z))] ||^2                                   ("batch_mean" form)
S. Shekkizhar's write-up "Difficulties training a Generative Adversarial Network"
(https://github.com/shekkizh/neuralnetworks.thought-experiments, Generative Models/GAN; code:
github.com/shekkizh/TensorflowProjects) found that alone ineffective and added it to the usual generator loss,
pairing the i-th real image with the i-th generated one (TF's l2_loss(t) = sum(t^2) / 2):
    L_G = BCE(D(G(z)), 1) + 0.1 * l2_loss(f(x) - f(G(z))) / (64 * 64)       ("pairwise" form)
Here f is the activation of D's layer `feature_layer` (the last conv block in `gan_tf.networks`' DCGANs),
both in training mode as in the generator step; f(x) is a constant for G (no gradient flows into D).

The weight may follow a schedule over generator updates: any `keras.optimizers.schedules` object, e.g.
`PolynomialDecay(0.0, decay_steps, end_learning_rate=0.1)` ramps it from 0 to 0.1, so that the adversarial
term dominates early (what Shekkizhar wanted). It is called with `g_optimizer.iterations`.
"""

import keras
import tensorflow as tf

from gan_tf import losses, networks
from gan_tf.models import gan

FORMS = ("pairwise", "batch_mean")
PAIRWISE_WEIGHT = 0.1               # the pairwise form's constant weight, as in Shekkizhar's code
PAIRWISE_NORMALIZER = 64.0 * 64.0   # the pairwise term divided by the image area of 64x64 images, as there


def pairwise_feature_distance(real_features, fake_features):
    """l2_loss(f_real - f_fake) = sum over the batch and features of (f_real - f_fake)^2 / 2 (same batch size)."""
    difference = tf.cast(real_features, tf.float32) - tf.cast(fake_features, tf.float32)
    return 0.5 * tf.reduce_sum(tf.square(difference))


@keras.saving.register_keras_serializable(package="gan_tf")
class FeatureMatchingGAN(gan.GAN):
    """A `GAN` whose generator loss adds (or is) a feature-matching term on D's layer `feature_layer`.

    Args (besides `GAN`'s):
      feature_layer: name of the layer of D whose activations are matched.
      form: "pairwise" (Shekkizhar's code) or "batch_mean" (Salimans et al.).
      weight: float >= 0, or a `keras.optimizers.schedules.LearningRateSchedule` of the generator step.
      normalizer: the matching term is divided by it (Shekkizhar: 64 * 64; Salimans et al.: 1).
      adversarial: keep the loss family's generator loss (True, Shekkizhar) or use the matching term
        alone (False, Salimans et al.).
    """

    def __init__(self, generator, discriminator, latent_dim, feature_layer=networks.FEATURES_LAYER,
                 form="pairwise", weight=PAIRWISE_WEIGHT, normalizer=PAIRWISE_NORMALIZER, adversarial=True, **kwargs):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        if form not in FORMS:
            raise ValueError(f"form must be one of {FORMS}, got {form!r}.")
        if not isinstance(weight, keras.optimizers.schedules.LearningRateSchedule) and not float(weight) >= 0.0:
            raise ValueError(f"weight must be >= 0 or a keras schedule, got {weight!r}.")
        if not float(normalizer) > 0.0:
            raise ValueError(f"normalizer must be > 0, got {normalizer!r}.")
        self.feature_layer = feature_layer
        self.form = form
        self.weight = weight
        self.normalizer = float(normalizer)
        self.adversarial = bool(adversarial)
        self.discriminator_with_features = networks.feature_extractor(discriminator, feature_layer)
        self.matching_tracker = keras.metrics.Mean(name="feature_matching")
        self.weight_tracker = keras.metrics.Mean(name="feature_weight")

    @property
    def metrics(self):
        return super().metrics + [self.matching_tracker, self.weight_tracker]

    def feature_weight(self):
        """The matching weight at the current generator step (float32 scalar)."""
        if isinstance(self.weight, keras.optimizers.schedules.LearningRateSchedule):
            return tf.cast(self.weight(self.g_optimizer.iterations), tf.float32)
        return tf.constant(float(self.weight), tf.float32)

    def feature_distance(self, real_features, fake_features):
        """The matching term before weighting: the form's distance divided by `normalizer`."""
        if self.form == "pairwise":
            distance = pairwise_feature_distance(real_features, fake_features)
        else:
            distance = losses.feature_matching_loss(real_features, fake_features)
        return distance / self.normalizer

    def compute_generator_loss(self, real, fake):
        """(adversarial + weight * matching, fake_logits); the trackers record the matching term and weight."""
        _, real_features = self.discriminator_with_features(real, training=True)
        fake_logits, fake_features = self.discriminator_with_features(fake, training=True)
        matching = self.feature_distance(tf.stop_gradient(real_features), fake_features)
        weight = self.feature_weight()
        loss = weight * matching
        if self.adversarial:
            loss += self.loss_family.generator_loss(fake_logits)
        self.matching_tracker.update_state(matching)
        self.weight_tracker.update_state(weight)
        return loss, fake_logits

    def get_config(self):
        config = super().get_config()
        weight = self.weight
        if isinstance(weight, keras.optimizers.schedules.LearningRateSchedule):
            weight = keras.saving.serialize_keras_object(weight)
        config.update(feature_layer=self.feature_layer, form=self.form, weight=weight,
                      normalizer=self.normalizer, adversarial=self.adversarial)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("weight"), dict):
            config["weight"] = keras.saving.deserialize_keras_object(config["weight"])
        return super().from_config(config)
