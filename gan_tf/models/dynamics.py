"""Update schedules and stabilisers: who moves when, and from which point.

  GAN (gan.py)           alternating: d_steps updates of D, then g_steps updates of G, on every batch
                         (Goodfellow et al. 2014, Algorithm 1: "k steps of D per step of G").
  FixedGeneratorGAN      only D moves (G frozen): D fits the optimal discriminator of a fixed G.
  ParityAlternatingGAN   EE-559 lecture 10.1's minimal GAN: batch t updates G if t is even, D if t is odd.
  SimultaneousGAN        both gradients taken at the same point (theta, psi), then one update of each:
                             psi <- psi - h grad_psi L_D(theta, psi),  theta <- theta - h grad_theta L_G(theta, psi).
  ConsensusGAN           simultaneous, with each player's gradient g_i replaced by g_i + gamma grad_i (0.5 ||g||^2),
                         g = (grad_psi L_D, grad_theta L_G) over both players (Mescheder et al. 2017, "The Numerics
                         of GANs", https://arxiv.org/abs/1705.10461; the paper: gamma = 10, RMSProp 1e-4).
  InstanceNoiseGAN       D sees x + e and G(z) + e, e ~ N(0, s(t)^2), s annealed linearly to 0 (Sonderby et al. 2016,
                         https://arxiv.org/abs/1610.04490, Appendix; and the authors' blog post
                         https://www.inference.vc/instance-noise-a-trick-for-stabilising-gan-training/).

Every variant keeps the GAN's hooks (`compute_discriminator_loss`, `compute_generator_loss`) and its loss scaling
(`GAN._scaled_for_update`), so mixed precision and `tf.distribute` keep working, and they compose by inheritance:
`class NoisySimultaneousGAN(InstanceNoiseGAN, SimultaneousGAN)` adds noise to simultaneous updates.
"""

import keras
import tensorflow as tf

from gan_tf import checks
from gan_tf.models import gan as gan_module


def require_one_step_each(model):
    """ValueError unless `model.d_steps == model.g_steps == 1` (for schedules of one update per player)."""
    if model.d_steps != 1 or model.g_steps != 1:
        raise ValueError(
            f"{type(model).__name__} makes one update per player per step: d_steps and g_steps must be 1, "
            f"got d_steps={model.d_steps}, g_steps={model.g_steps}."
        )


@keras.saving.register_keras_serializable(package="gan_tf")
class ParityAlternatingGAN(gan_module.GAN):
    """EE-559 lecture 10.1: `if t % 2 == 0: update G else: update D`, one update per batch.

    `batch_index` counts batches over the whole training (it is saved with the model). The trackers of a
    player are updated only on the batches that compute its loss.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require_one_step_each(self)
        self.batch_index = keras.Variable(0, dtype="int64", trainable=False, name="batch_index")

    def batch_update(self, real):
        self._build_optimizers()  # outside the tf.cond: no variable may be created in a branch
        update_generator = tf.equal(self.batch_index % 2, 0)
        tf.cond(update_generator, lambda: self._generator_batch(real), lambda: self._discriminator_batch(real))
        self.batch_index.assign_add(1)
        return self.metric_results()

    def trained_batches(self):
        """Every batch updates one player: D's plus G's optimizer iterations."""
        return self.d_optimizer.iterations + self.g_optimizer.iterations

    def _generator_batch(self, real):
        g_loss = self.generator_step(real)
        self.update_generator_trackers(g_loss)
        return g_loss

    def _discriminator_batch(self, real):
        d_loss, real_logits, fake_logits = self.discriminator_step(real)
        self.update_discriminator_trackers(d_loss, real_logits, fake_logits)
        return d_loss


@keras.saving.register_keras_serializable(package="gan_tf")
class SimultaneousGAN(gan_module.GAN):
    """Both players' gradients at the same point, then one update each (simultaneous gradient descent).

    Unlike `GAN`, D's update does not change the point at which G's gradient is taken: both losses are
    computed on one forward pass (one z), both gradients are computed, and only then applied.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require_one_step_each(self)

    def batch_update(self, real):
        latent = self.sample_latent(tf.shape(real)[0])
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake = self.generator(latent, training=True)
            d_loss, real_logits, fake_logits = self.compute_discriminator_loss(real, fake)
            g_loss, _ = self.compute_generator_loss(real, fake)
            d_scaled = self._scaled_for_update(self.d_optimizer, d_loss)
            g_scaled = self._scaled_for_update(self.g_optimizer, g_loss)
        self._apply_both(d_tape.gradient(d_scaled, self.discriminator.trainable_variables),
                         g_tape.gradient(g_scaled, self.generator.trainable_variables))
        return self.update_trackers(d_loss, g_loss, real_logits, fake_logits)

    def _apply_both(self, d_gradients, g_gradients):
        """Apply gradients that were both computed before either player moved."""
        self.d_optimizer.apply(d_gradients, self.discriminator.trainable_variables)
        self.g_optimizer.apply(g_gradients, self.generator.trainable_variables)


@keras.saving.register_keras_serializable(package="gan_tf")
class FixedGeneratorGAN(gan_module.GAN):
    """Trains only the discriminator against a frozen generator: fitting D towards the optimal
    D*(x) = p(x) / (p(x) + p_g(x)) (Goodfellow et al. 2014, Prop. 1; EE-559 lecture 10.1)."""

    def batch_update(self, real):
        for _ in range(self.d_steps):
            d_loss, real_logits, fake_logits = self.discriminator_step(real)
        g_loss, _ = self.compute_generator_loss(real, self.generator(self.sample_latent(tf.shape(real)[0])))
        return self.update_trackers(d_loss, g_loss, real_logits, fake_logits)

    def trained_batches(self):
        """`d_optimizer.iterations // d_steps` (G never moves)."""
        return self.d_optimizer.iterations // self.d_steps


def consensus_loss(gradients):
    """0.5 * ||g||^2 summed over every tensor of every player (None entries, unconnected variables, skipped)."""
    present = [tf.cast(gradient, tf.float32) for gradient in gradients if gradient is not None]
    return 0.5 * tf.add_n([tf.reduce_sum(tf.square(gradient)) for gradient in present])


@keras.saving.register_keras_serializable(package="gan_tf")
class ConsensusGAN(SimultaneousGAN):
    """Consensus optimization: each player descends its own loss + gamma * 0.5 ||g||^2 (simultaneously).

    g = (grad_psi L_D, grad_theta L_G) is computed on an inner tape; the outer tapes differentiate
    L_i + gamma * 0.5 ||g||^2, whose gradient is g_i + gamma * J^T g restricted to player i: the paper's
    v - gamma grad L in descent form. Cost: one extra Hessian-vector product per step (about 3x a plain step).

    Under `mixed_float16` the inner gradients are taken of the unscaled losses (they may underflow in half
    precision); under `tf.distribute` ||g||^2 is that of each replica's gradient, not of the all-reduced one.

    Args:
      gamma: weight of the consensus term, >= 0 (0 gives `SimultaneousGAN`).
    """

    def __init__(self, *args, gamma=10.0, **kwargs):
        super().__init__(*args, **kwargs)
        if not gamma >= 0:
            raise ValueError(f"gamma must be >= 0, got {gamma!r}.")
        self.gamma = float(gamma)
        self.consensus_tracker = keras.metrics.Mean(name="consensus_loss")

    @property
    def metrics(self):
        return super().metrics + [self.consensus_tracker]

    def batch_update(self, real):
        latent = self.sample_latent(tf.shape(real)[0])
        d_variables, g_variables = self.discriminator.trainable_variables, self.generator.trainable_variables
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            with tf.GradientTape(persistent=True) as inner_tape:
                fake = self.generator(latent, training=True)
                d_loss, real_logits, fake_logits = self.compute_discriminator_loss(real, fake)
                g_loss, _ = self.compute_generator_loss(real, fake)
            gradients = inner_tape.gradient(d_loss, d_variables) + inner_tape.gradient(g_loss, g_variables)
            regularizer = consensus_loss(gradients)
            d_scaled = self._scaled_for_update(self.d_optimizer, d_loss + self.gamma * regularizer)
            g_scaled = self._scaled_for_update(self.g_optimizer, g_loss + self.gamma * regularizer)
        self._apply_both(d_tape.gradient(d_scaled, d_variables), g_tape.gradient(g_scaled, g_variables))
        self.consensus_tracker.update_state(regularizer)
        return self.update_trackers(d_loss, g_loss, real_logits, fake_logits)

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma}


def annealed_stddev(step, initial_stddev, anneal_steps):
    """s(t) = initial_stddev * max(0, 1 - t / anneal_steps); `anneal_steps=None` keeps it constant."""
    step = tf.cast(step, tf.float32)
    if anneal_steps is None:
        return tf.ones_like(step) * initial_stddev
    return initial_stddev * tf.maximum(0.0, 1.0 - step / float(anneal_steps))


@keras.saving.register_keras_serializable(package="gan_tf")
class InstanceNoiseGAN(gan_module.GAN):
    """Gaussian instance noise on both inputs of D, for D's and G's losses, with an annealed stddev.

    D sees real + e and fake + e', e, e' ~ N(0, s(t)^2) independently per sample, where t counts training steps
    (calls of `batch_update`, saved as `noise_step`) and s follows `annealed_stddev`. Noise makes the two
    distributions overlap, so D cannot become perfect and G keeps a gradient (the slides' JSD problem).
    Annealed from s(0) = 1 over half of the run, it makes a GAN cover all 25 modes of PacGAN's 2-D grid in every
    seed, where the same GAN without noise keeps 14-19 (`reproductions/pacgan_ring_grid.py`).

    Args:
      initial_stddev: s(0) > 0.
      anneal_steps: steps until s reaches 0 (linear decay), or None for constant noise.
    """

    def __init__(self, *args, initial_stddev=1.0, anneal_steps=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not initial_stddev > 0:
            raise ValueError(f"initial_stddev must be > 0, got {initial_stddev!r}.")
        anneal_steps = checks.optional_positive_integer("anneal_steps", anneal_steps)
        self.initial_stddev = float(initial_stddev)
        self.anneal_steps = anneal_steps
        self.noise_step = keras.Variable(0, dtype="int64", trainable=False, aggregation="only_first_replica",
                                         name="noise_step")
        self.noise_stddev_tracker = keras.metrics.Mean(name="noise_stddev")

    @property
    def metrics(self):
        return super().metrics + [self.noise_stddev_tracker]

    def noise_stddev(self):
        """s(t) at the current step, a float32 scalar tensor."""
        return annealed_stddev(self.noise_step.value, self.initial_stddev, self.anneal_steps)

    def add_noise(self, samples):
        noise = keras.random.normal(tf.shape(samples), seed=self.seed_generator)
        return samples + tf.cast(self.noise_stddev() * noise, samples.dtype)

    def compute_discriminator_loss(self, real, fake):
        return super().compute_discriminator_loss(self.add_noise(real), self.add_noise(fake))

    def compute_generator_loss(self, real, fake):
        return super().compute_generator_loss(real, self.add_noise(fake))

    def batch_update(self, real):
        self.noise_stddev_tracker.update_state(self.noise_stddev())
        logs = super().batch_update(real)
        self.noise_step.assign_add(1)
        return logs

    def get_config(self):
        return {**super().get_config(), "initial_stddev": self.initial_stddev, "anneal_steps": self.anneal_steps}
