"""Wasserstein GANs: a critic instead of a classifier, kept (roughly) 1-Lipschitz.

  WGAN     weight clipping after every critic update, w in [-c, c] (Arjovsky, Chintala, Bottou 2017,
           https://arxiv.org/abs/1701.07875, Algorithm 1: c = 0.01, RMSProp 5e-5, n_critic = 5, batch 64).
           As the authors' code (martinarjovsky/WassersteinGAN, main.py), the critic makes many more updates
           (`warmup_n_critic` = 100 there) during the first 25 generator iterations and on every 500th one,
           so that it stays close to optimal.
  WGANGP   gradient penalty lambda E[(||grad D(x_hat)|| - 1)^2] at random interpolates instead of clipping
           (Gulrajani et al. 2017, https://arxiv.org/abs/1704.00028, Algorithm 1: lambda = 10, n_critic = 5,
           Adam(1e-4, beta_1 = 0, beta_2 = 0.9)).

Both default to the "wasserstein" loss family of `gan_tf.losses`. Deviation from both papers: every critic
update of one `train_step` reuses the same real batch (as `GAN` does for d_steps); each draws a new z.
"""

import keras
import tensorflow as tf

from gan_tf import checks, penalties
from gan_tf.models import dynamics
from gan_tf.models import gan as gan_module

# The papers' optimizers, for convenience: `WGAN_LEARNING_RATE` with RMSProp, WGAN-GP's Adam settings.
WGAN_LEARNING_RATE = 5e-5
WGANGP_ADAM = {"learning_rate": 1e-4, "beta_1": 0.0, "beta_2": 0.9}


def critic_steps_for(generator_iteration, n_critic=5, warmup_n_critic=100, warmup_generator_steps=25,
                     warmup_every=500):
    """Critic updates before generator update number `generator_iteration` (counted from 0).

    `warmup_n_critic` if generator_iteration < warmup_generator_steps or generator_iteration % warmup_every == 0,
    `n_critic` otherwise. Works on Python ints and on int64 tensors.
    """
    warm = (generator_iteration < warmup_generator_steps) | (generator_iteration % warmup_every == 0)
    if isinstance(warm, tf.Tensor):
        return tf.where(warm, tf.constant(warmup_n_critic, tf.int64), tf.constant(n_critic, tf.int64))
    return warmup_n_critic if warm else n_critic


@keras.saving.register_keras_serializable(package="gan_tf")
class WGAN(gan_module.GAN):
    """WGAN with weight clipping and the reference code's critic schedule (see `critic_steps_for`).

    One `train_step` = the scheduled number of critic updates (each followed by clipping every trainable
    critic weight to [-clip_value, clip_value]), then one generator update. `generator_iterations` and
    `critic_iterations` count updates over the whole training (saved with the model).

    Args:
      clip_value: c > 0 (0.01 in the paper).
      n_critic: critic updates per generator update (5).
      warmup_n_critic, warmup_generator_steps, warmup_every: the schedule (100, 25, 500 in the reference code;
        `warmup_n_critic=n_critic` switches it off).
    """

    def __init__(self, *args, clip_value=0.01, n_critic=5, warmup_n_critic=100, warmup_generator_steps=25,
                 warmup_every=500, **kwargs):
        super().__init__(*args, **kwargs)
        dynamics.require_one_step_each(self)
        self.clip_value = penalties.check_clip_value(clip_value)
        self.n_critic = checks.positive_integer("n_critic", n_critic)
        self.warmup_n_critic = checks.positive_integer("warmup_n_critic", warmup_n_critic)
        self.warmup_generator_steps = checks.positive_integer("warmup_generator_steps", warmup_generator_steps)
        self.warmup_every = checks.positive_integer("warmup_every", warmup_every)
        self.generator_iterations = keras.Variable(0, dtype="int64", trainable=False, name="generator_iterations")
        self.critic_iterations = keras.Variable(0, dtype="int64", trainable=False, name="critic_iterations")

    def compile(self, d_optimizer, g_optimizer, loss="wasserstein", **kwargs):
        super().compile(d_optimizer, g_optimizer, loss=loss, **kwargs)

    def critic_steps(self):
        """The number of critic updates of the next `train_step` (an int64 tensor)."""
        return critic_steps_for(self.generator_iterations.value, self.n_critic, self.warmup_n_critic,
                                self.warmup_generator_steps, self.warmup_every)

    def clipped_critic_step(self, real):
        outputs = self.discriminator_step(real)
        penalties.clip_weights(self.discriminator.trainable_variables, self.clip_value)
        self.critic_iterations.assign_add(1)
        return outputs

    def batch_update(self, real):
        self._build_optimizers()  # outside the while loop: no variable may be created inside
        num_steps = self.critic_steps()
        first = self.clipped_critic_step(real)

        def body(step, d_loss, real_logits, fake_logits):
            return (step + 1, *self.clipped_critic_step(real))

        _, d_loss, real_logits, fake_logits = tf.while_loop(
            lambda step, *_: step < num_steps, body, (tf.constant(1, tf.int64), *first))
        g_loss = self.generator_step(real)
        self.generator_iterations.assign_add(1)
        return self.update_trackers(d_loss, g_loss, real_logits, fake_logits)

    def get_config(self):
        return {**super().get_config(), "clip_value": self.clip_value, "n_critic": self.n_critic,
                "warmup_n_critic": self.warmup_n_critic, "warmup_generator_steps": self.warmup_generator_steps,
                "warmup_every": self.warmup_every}


@keras.saving.register_keras_serializable(package="gan_tf")
class WGANGP(gan_module.GAN):
    """WGAN-GP: L_D = E[D(G(z))] - E[D(x)] + gp_weight * E[(||grad D(x_hat)||_2 - 1)^2], n_critic updates of D
    per update of G (one alpha ~ U[0, 1] per sample, see `gan_tf.penalties.gradient_penalty`).

    Args:
      gp_weight: lambda >= 0 (10 in the paper).
      n_critic: critic updates per generator update (5); it replaces `d_steps`.
    """

    def __init__(self, *args, gp_weight=10.0, n_critic=5, **kwargs):
        if "d_steps" in kwargs:
            raise ValueError("WGANGP sets d_steps from n_critic; pass n_critic instead of d_steps.")
        super().__init__(*args, d_steps=checks.positive_integer("n_critic", n_critic), **kwargs)
        if isinstance(gp_weight, bool) or not isinstance(gp_weight, (int, float)) or not gp_weight >= 0:
            raise ValueError(f"gp_weight (lambda) must be a number >= 0, got {gp_weight!r}.")
        self.gp_weight = float(gp_weight)
        self.n_critic = self.d_steps
        self.gradient_penalty_tracker = keras.metrics.Mean(name="gradient_penalty")

    def compile(self, d_optimizer, g_optimizer, loss="wasserstein", **kwargs):
        super().compile(d_optimizer, g_optimizer, loss=loss, **kwargs)

    @property
    def metrics(self):
        return super().metrics + [self.gradient_penalty_tracker]

    def compute_discriminator_loss(self, real, fake):
        loss, real_logits, fake_logits = super().compute_discriminator_loss(real, fake)
        penalty = penalties.gradient_penalty(self.discriminator, real, fake, seed=self.seed_generator)
        self.gradient_penalty_tracker.update_state(penalty)
        return loss + self.gp_weight * penalty, real_logits, fake_logits

    def get_config(self):
        config = {**super().get_config(), "gp_weight": self.gp_weight, "n_critic": self.n_critic}
        del config["d_steps"]
        return config
