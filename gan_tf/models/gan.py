"""The GAN algorithm as a `keras.Model`: networks in the constructor, optimizers and loss in `compile`.

    for each batch of real samples x:
        repeat d_steps times:   minimise L_D(D(x), D(G(z)))  + D's regularization losses   over D's weights
        repeat g_steps times:   minimise L_G(D(G(z)))                                     over G's weights

Variants are small subclasses that override one hook:
  `sample_latent`               the latent distribution,
  `compute_discriminator_loss`  e.g. add a gradient penalty or instance noise,
  `compute_generator_loss`      e.g. add feature matching,
  `make_fake`                   how a fake batch is made from the real batch and z (e.g. with the real labels),
  `discriminator_step` / `generator_step` / `batch_update`   e.g. other update schedules.

Keras calls `train_step`, which runs `batch_update` on one real batch (or on each of a stack of batches, see
`compile`); subclasses override `batch_update`, not `train_step`.

Mixed precision and `tf.distribute` are handled in one place, `_scaled_for_update`: each optimizer scales its own
loss (`LossScaleOptimizer.scale_loss` under `mixed_float16`; a no-op otherwise) and a per-replica mean loss
is divided by the number of replicas, because Keras sums gradients across replicas.
"""

import inspect

import keras
import tensorflow as tf

from gan_tf import checks, ema, losses
from gan_tf.models import input_checks, replicas, sampling

LATENT_DISTRIBUTIONS = ("normal", "uniform")


@keras.saving.register_keras_serializable(package="gan_tf")
class GAN(keras.Model):
    """An unconditional GAN trained with `fit` on a dataset of real batches `[batch, ...]`.

    Args:
      generator: a Keras model mapping `[batch, latent_dim]` to samples.
      discriminator: a Keras model mapping samples to one logit per sample `[batch, 1]`.
      latent_dim: size of z.
      d_steps, g_steps: discriminator then generator updates per batch (the same real batch is reused
        for every discriminator update).
      latent_distribution: "normal" (N(0, 1)) or "uniform" (U(-1, 1)) for z.
      seed: seed of the model's `keras.random.SeedGenerator` (z for training and `generate`).
      ema_half_life, ema_rampup: None, or keep a moving average of G's weights (`ema.GeneratorAverage`: half-life
        in images, ramp), updated after each `batch_update` (of any variant) and sampled by `generate`.
      share_fake_batch: the G update reuses the D update's z and G's forward pass (recorded on G's tape), then
        scores it with the updated D, as PyTorch's DCGAN example does: G runs forward once per batch instead of
        twice (about 10% of a DCGAN step on CPU). The same training as drawing the G update's z equal to the D
        update's (tested), not as a fresh z; G's batch-norm moving statistics are updated once per batch instead
        of twice. Needs d_steps = g_steps = 1 and GAN's own `batch_update` and step hooks.
    """

    def __init__(self, generator, discriminator, latent_dim, d_steps=1, g_steps=1,
                 latent_distribution="normal", seed=None, ema_half_life=None, ema_rampup=ema.RAMPUP,
                 share_fake_batch=False, **kwargs):
        super().__init__(**kwargs)
        latent_dim = input_checks.latent_dim_matches(generator, latent_dim)
        input_checks.discriminator_output(discriminator)
        d_steps, g_steps = checks.positive_integer("d_steps", d_steps), checks.positive_integer("g_steps", g_steps)
        if latent_distribution not in LATENT_DISTRIBUTIONS:
            raise ValueError(f"latent_distribution must be one of {LATENT_DISTRIBUTIONS}, got {latent_distribution!r}.")
        self.generator, self.discriminator, self.latent_dim = generator, discriminator, latent_dim
        self.d_steps, self.g_steps, self.latent_distribution = d_steps, g_steps, latent_distribution
        self.seed, self.seed_generator = seed, keras.random.SeedGenerator(seed)
        self.share_fake_batch = input_checks.fake_batch_sharing(type(self), GAN, share_fake_batch, d_steps, g_steps)
        self.stacked_batches = False
        self.ema_half_life, self.ema_rampup = ema_half_life, ema_rampup
        self.generator_average = None if ema_half_life is None else ema.GeneratorAverage(generator, ema_half_life,
                                                                                         ema_rampup)
        self.average_variables = [] if ema_half_life is None else self.generator_average.variables  # tracked
        self.d_loss_tracker, self.g_loss_tracker = keras.metrics.Mean(name="d_loss"), keras.metrics.Mean(name="g_loss")
        self.p_real_on_real_tracker = keras.metrics.Mean(name="p_real_on_real")
        self.p_real_on_fake_tracker = keras.metrics.Mean(name="p_real_on_fake")
        # Nothing to build here: the GAN owns no weights but its networks' (and the seed state).
        self.built = generator.built and discriminator.built

    def compile(self, d_optimizer, g_optimizer, loss="non_saturating", stacked_batches=False, **kwargs):
        """Set both optimizers and the loss family (a name in `gan_tf.losses.FAMILIES`).

        stacked_batches: every element of the training data holds K real batches `[K, batch, ...]` (e.g.
          `distributions.sample_dataset(..., stack=K)`) and one Keras step runs `batch_update` on each in turn,
          in one program (one XLA launch with `jit_compile=True`): Keras' per-step cost (~0.5-1 ms on CPU) is
          paid once per K updates, which is what limits small GANs. `steps_per_epoch` and callbacks count
          elements; the trackers still average over every update. The optimizers are built here (no variable
          may be created inside the loop).
        Other keyword arguments (`steps_per_execution`, `jit_compile`, ...) go to `keras.Model.compile`.
        Under `mixed_float16`, pass `keras.optimizers.LossScaleOptimizer`s: Keras' `auto_scale_loss` only
        wraps `self.optimizer`, which a GAN does not use.
        """
        super().compile(optimizer=None, **kwargs)
        self.loss_family = losses.get(loss)
        self.loss_name = loss
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.stacked_batches = bool(stacked_batches)
        if self.stacked_batches:
            self._build_optimizers()

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.p_real_on_real_tracker, self.p_real_on_fake_tracker]

    # ----------------------------------------------------------------------------------------------
    # Hooks
    # ----------------------------------------------------------------------------------------------

    def sample_latent(self, batch_size, seed=None):
        """z of shape `[batch_size, latent_dim]`.

        `seed` is None (the model's seed generator), a `keras.random.SeedGenerator` or an int (the same z on
        every call). Under `tf.distribute` each replica folds its replica id into the seed: a SeedGenerator
        alone hands every replica the same numbers, which would repeat one replica's fakes N times.
        """
        shape = (batch_size, self.latent_dim)
        stateless_seed = replicas.replica_seed(self.seed_generator if seed is None else seed)
        if self.latent_distribution == "uniform":
            return tf.random.stateless_uniform(shape, stateless_seed, minval=-1.0, maxval=1.0)
        return tf.random.stateless_normal(shape, stateless_seed)

    def compute_discriminator_loss(self, real, fake):
        """(loss, real_logits, fake_logits); the loss includes D's regularization losses (e.g. L2)."""
        real_logits = self.discriminator(real, training=True)
        fake_logits = self.discriminator(fake, training=True)
        return self.discriminator_loss_from_logits(real_logits, fake_logits), real_logits, fake_logits

    def discriminator_loss_from_logits(self, real_logits, fake_logits):
        """The loss family's D loss plus D's regularization losses (e.g. `kernel_regularizer`), float32."""
        loss = self.loss_family.discriminator_loss(real_logits, fake_logits)
        if self.discriminator.losses:
            loss += tf.add_n([tf.cast(term, tf.float32) for term in self.discriminator.losses])
        return loss

    def compute_generator_loss(self, real, fake):
        """(loss, fake_logits). `real` is unused here; feature matching needs it."""
        del real
        fake_logits = self.discriminator(fake, training=True)
        return self.loss_family.generator_loss(fake_logits), fake_logits

    def make_fake(self, real, latent, training=True):
        """A fake batch from z `latent`, to set against the real batch `real`: here G(z) (`real` is unused;
        `ConditionalGAN` returns `(G(z, y), y)` with the real labels y)."""
        del real
        return self.generator(latent, training=training)

    def discriminator_step(self, real, fake=None):
        """One update of D (G's weights are not touched) against `fake` (None: a fresh fake batch). Returns
        (loss, real_logits, fake_logits)."""
        fake = self.make_fake(real, self.sample_latent(_batch_size(real))) if fake is None else fake
        with tf.GradientTape() as tape:
            loss, real_logits, fake_logits = self.compute_discriminator_loss(real, fake)
            scaled_loss = self._scaled_for_update(self.d_optimizer, loss)
        self._minimize(self.d_optimizer, tape, scaled_loss, self.discriminator.trainable_variables)
        return loss, real_logits, fake_logits

    def generator_step(self, real, shared=None):
        """One update of G (D's weights are not touched). Returns the generator loss. `shared`: None (a fresh
        fake batch), or (tape, fake) where `tape` recorded G's forward pass making `fake` (`share_fake_batch`)."""
        if shared is None:
            latent = self.sample_latent(_batch_size(real))
            tape = tf.GradientTape()
            with tape:
                fake = self.make_fake(real, latent)
        else:
            tape, fake = shared
        with tape:
            loss, _ = self.compute_generator_loss(real, fake)
            scaled_loss = self._scaled_for_update(self.g_optimizer, loss)
        self._minimize(self.g_optimizer, tape, scaled_loss, self.generator.trainable_variables)
        return loss

    def train_step(self, data):
        """Keras' step: `batch_update` on the batch, or on each batch of a stack (`compile(stacked_batches=True)`)."""
        if not self.stacked_batches:
            return self.update_on_batch(data)
        self._update_on_each_batch(data)
        return self.metric_results()

    def update_on_batch(self, real):
        """`batch_update(real)`, then one step of the generator average (if any). Returns the trackers."""
        logs = self.batch_update(real)
        if self.generator_average is not None:
            sampling.update(self, real)
        return logs

    def batch_update(self, real):
        """One training update on one real batch: d_steps updates of D, then g_steps of G. Returns the trackers."""
        if self.share_fake_batch:
            generator_tape = tf.GradientTape()
            with generator_tape:
                fake = self.make_fake(real, self.sample_latent(_batch_size(real)))
            d_loss, real_logits, fake_logits = self.discriminator_step(real, fake)
            g_loss = self.generator_step(real, shared=(generator_tape, fake))
            return self.update_trackers(d_loss, g_loss, real_logits, fake_logits)
        for _ in range(self.d_steps):
            d_loss, real_logits, fake_logits = self.discriminator_step(real)
        for _ in range(self.g_steps):
            g_loss = self.generator_step(real)
        return self.update_trackers(d_loss, g_loss, real_logits, fake_logits)

    def update_discriminator_trackers(self, d_loss, real_logits, fake_logits):
        self.d_loss_tracker.update_state(d_loss)
        self.p_real_on_real_tracker.update_state(tf.sigmoid(tf.cast(real_logits, tf.float32)))
        self.p_real_on_fake_tracker.update_state(tf.sigmoid(tf.cast(fake_logits, tf.float32)))

    def update_generator_trackers(self, g_loss):
        self.g_loss_tracker.update_state(g_loss)

    def update_trackers(self, d_loss, g_loss, real_logits, fake_logits):
        """Both players' trackers (`update_*_trackers`); returns `metric_results()`."""
        self.update_discriminator_trackers(d_loss, real_logits, fake_logits)
        self.update_generator_trackers(g_loss)
        return self.metric_results()

    def metric_results(self):
        """The trackers' values, as `train_step` returns them (Keras' metrics are summed over replicas)."""
        return {metric.name: replicas.multi_worker_safe(metric.result()) for metric in self.metrics}

    def trained_batches(self):
        """Real batches trained on so far (an integer tensor; `int()` of it in eager code): `g_optimizer.iterations
        // g_steps`, so it goes on over several `fit` calls and after a restored checkpoint. A stack of K batches
        (`stacked_batches=True`) counts K; an update a `LossScaleOptimizer` skipped does not count."""
        return self.g_optimizer.iterations // self.g_steps

    def fit(self, *args, **kwargs):
        """`keras.Model.fit` (same arguments), after `check_training_data`. A `tf.data.Dataset` is shuffled (or
        not) by its own pipeline: for one, `shuffle` is False whatever was passed (Keras ignores it there, and
        would warn on every call)."""
        arguments = inspect.signature(keras.Model.fit).bind(self, *args, **kwargs).arguments
        del arguments["self"]
        self.check_training_data(arguments.get("x"), arguments.get("y"))
        if isinstance(arguments.get("x"), tf.data.Dataset):
            arguments["shuffle"] = False
        if self.generator.built and self.discriminator.built:
            # Slots created inside the first step fail under MirroredStrategy (Adam, TF 2.21 / Keras 3.15: "You must
            # feed a value for placeholder tensor .../cond/Placeholder"): create them first, in the model's strategy.
            with self.distribute_strategy.scope():
                self._build_optimizers()
        return super().fit(**arguments)

    def check_training_data(self, x, y=None):
        """ValueError for data an unconditional GAN cannot train on: labels (`y`, (samples, labels) or dicts),
        integer samples, or batches not shaped like G's samples; a warning for float arrays far outside [-1, 1]
        when G ends in tanh."""
        input_checks.unconditional_training_data(self.generator, x, y, stacked=self.stacked_batches)

    # ----------------------------------------------------------------------------------------------
    # Sampling
    # ----------------------------------------------------------------------------------------------

    def generate(self, n, seed=None, batch_size=1024, average=True):
        """`n` samples from the generator in inference mode, as a NumPy array `[n, ...]`.

        With an integer `seed` the latent vectors (and so the samples) are the same on every call. With a generator
        average (`ema_half_life`), samples come from the averaged weights unless `average=False` (the raw G).
        """
        return self._generate_like(None, n, seed, batch_size, average)

    def _generate_like(self, real, n, seed, batch_size, average=True):
        return sampling.generate_like(self, real, n, seed, batch_size, average)

    # ----------------------------------------------------------------------------------------------
    # Updates: loss scaling (mixed precision, tf.distribute) and minimization, for every subclass
    # ----------------------------------------------------------------------------------------------

    def _scaled_for_update(self, optimizer, loss):
        """The loss whose gradient `optimizer` should apply (see the module docstring)."""
        replica_count = tf.distribute.get_strategy().num_replicas_in_sync
        if replica_count > 1:
            loss = loss / replica_count
        return optimizer.scale_loss(loss)

    def _minimize(self, optimizer, tape, scaled_loss, variables):
        gradients = tape.gradient(scaled_loss, variables)
        optimizer.apply(gradients, variables)  # a LossScaleOptimizer unscales, and skips non-finite steps

    def _build_optimizers(self):
        """Create optimizer slots outside any graph loop or `tf.cond` (no variable may be created inside)."""
        for optimizer, network in ((self.d_optimizer, self.discriminator), (self.g_optimizer, self.generator)):
            if not optimizer.built:
                optimizer.build(network.trainable_variables)

    def _update_on_each_batch(self, stacked):
        """`batch_update` on each batch of `stacked` `[K, batch, ...]`, in a graph loop."""
        def body(index):
            self.update_on_batch(tf.nest.map_structure(lambda tensor: tensor[index], stacked))
            return index + 1

        count = tf.shape(tf.nest.flatten(stacked)[0])[0]
        tf.while_loop(lambda index: index < count, body, [tf.constant(0)])

    # ----------------------------------------------------------------------------------------------
    # Serialization (`.keras` round trip, optimizer state included)
    # ----------------------------------------------------------------------------------------------

    def get_config(self):
        serialize = keras.saving.serialize_keras_object
        return {"name": self.name, "generator": serialize(self.generator),
                "discriminator": serialize(self.discriminator), "latent_dim": self.latent_dim, "d_steps": self.d_steps,
                "g_steps": self.g_steps, "latent_distribution": self.latent_distribution, "seed": self.seed,
                "ema_half_life": self.ema_half_life, "ema_rampup": self.ema_rampup,
                "share_fake_batch": self.share_fake_batch}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    def get_compile_config(self):
        serialize = keras.saving.serialize_keras_object
        return {"d_optimizer": serialize(self.d_optimizer), "g_optimizer": serialize(self.g_optimizer),
                "loss": self.loss_name, "stacked_batches": self.stacked_batches}

    def compile_from_config(self, config):
        deserialize = keras.saving.deserialize_keras_object
        self.compile(d_optimizer=deserialize(config["d_optimizer"]), g_optimizer=deserialize(config["g_optimizer"]),
                     loss=config["loss"], stacked_batches=config.get("stacked_batches", False))
        self._build_optimizers()  # optimizers receive their saved slots only once built


def _batch_size(real):
    """The number of samples in a real batch (of samples, or of (samples, labels) pairs)."""
    return tf.shape(tf.nest.flatten(real)[0])[0]

