"""The GAN algorithm as a `keras.Model`: networks in the constructor, optimizers and loss in `compile`.

    for each batch of real samples x:
        repeat d_steps times:   minimise L_D(D(x), D(G(z)))  + D's regularization losses   over D's weights
        repeat g_steps times:   minimise L_G(D(G(z)))                                     over G's weights

Variants are small subclasses that override one hook:
  `sample_latent`               the latent distribution,
  `compute_discriminator_loss`  e.g. add a gradient penalty or instance noise,
  `compute_generator_loss`      e.g. add feature matching,
  `discriminator_step` / `generator_step` / `train_step`   e.g. other update schedules.

Mixed precision and `tf.distribute` are handled in one place, `_minimize`: each optimizer scales its own
loss (`LossScaleOptimizer.scale_loss` under `mixed_float16`; a no-op otherwise) and a per-replica mean loss
is divided by the number of replicas, because Keras sums gradients across replicas.
"""

import functools

import keras
import numpy as np
import tensorflow as tf

from gan_tf import losses

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
    """

    def __init__(self, generator, discriminator, latent_dim, d_steps=1, g_steps=1,
                 latent_distribution="normal", seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_latent_dim(generator, latent_dim)
        _check_discriminator_output(discriminator)
        for name, value in (("d_steps", d_steps), ("g_steps", g_steps)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")
        if latent_distribution not in LATENT_DISTRIBUTIONS:
            raise ValueError(f"latent_distribution must be one of {LATENT_DISTRIBUTIONS}, got {latent_distribution!r}.")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.d_steps = d_steps
        self.g_steps = g_steps
        self.latent_distribution = latent_distribution
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.p_real_on_real_tracker = keras.metrics.Mean(name="p_real_on_real")
        self.p_real_on_fake_tracker = keras.metrics.Mean(name="p_real_on_fake")
        # Nothing to build here: the GAN owns no weights but its networks' (and the seed state).
        self.built = generator.built and discriminator.built

    def compile(self, d_optimizer, g_optimizer, loss="non_saturating", stacked_batches=False, **kwargs):
        """Set both optimizers and the loss family (a name in `gan_tf.losses.FAMILIES`).

        stacked_batches: every element of the training data holds K real batches `[K, batch, ...]` (e.g.
          `distributions.sample_dataset(..., stack=K)`) and one Keras step runs `train_step` on each in turn,
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
        self.__dict__.pop("train_step", None)  # an earlier stacked compile's
        if self.stacked_batches:
            _build_optimizer(self.d_optimizer, self.discriminator)
            _build_optimizer(self.g_optimizer, self.generator)
            self.train_step = functools.partial(_train_on_stacked_batches, self, type(self).train_step)

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
        stateless_seed = _replica_seed(self.seed_generator if seed is None else seed)
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

    def discriminator_step(self, real):
        """One update of D (G's weights are not touched). Returns (loss, real_logits, fake_logits)."""
        fake = self.generator(self.sample_latent(tf.shape(real)[0]), training=True)
        with tf.GradientTape() as tape:
            loss, real_logits, fake_logits = self.compute_discriminator_loss(real, fake)
            scaled_loss = _scale_for_update(self.d_optimizer, loss)
        _minimize(self.d_optimizer, tape, scaled_loss, self.discriminator.trainable_variables)
        return loss, real_logits, fake_logits

    def generator_step(self, real):
        """One update of G (D's weights are not touched). Returns the generator loss."""
        latent = self.sample_latent(tf.shape(real)[0])
        with tf.GradientTape() as tape:
            fake = self.generator(latent, training=True)
            loss, _ = self.compute_generator_loss(real, fake)
            scaled_loss = _scale_for_update(self.g_optimizer, loss)
        _minimize(self.g_optimizer, tape, scaled_loss, self.generator.trainable_variables)
        return loss

    def train_step(self, real):
        for _ in range(self.d_steps):
            d_loss, real_logits, fake_logits = self.discriminator_step(real)
        for _ in range(self.g_steps):
            g_loss = self.generator_step(real)
        return self.update_trackers(d_loss, g_loss, real_logits, fake_logits)

    def update_trackers(self, d_loss, g_loss, real_logits, fake_logits):
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.p_real_on_real_tracker.update_state(tf.sigmoid(tf.cast(real_logits, tf.float32)))
        self.p_real_on_fake_tracker.update_state(tf.sigmoid(tf.cast(fake_logits, tf.float32)))
        return self.metric_results()

    def metric_results(self):
        """The trackers' values, as `train_step` returns them (Keras' metrics are summed over replicas)."""
        return {metric.name: _multi_worker_safe(metric.result()) for metric in self.metrics}

    def trained_batches(self):
        """Training steps done so far (real batches trained on), a Python int: `g_optimizer.iterations //
        g_steps`. Read from the optimizer, it continues over several `fit` calls and after a restored
        checkpoint. One Keras step counts K batches with `stacked_batches=True` (stacks of K); an update that a
        `LossScaleOptimizer` skipped (non-finite gradients) is not counted. Variants that update G differently
        override it."""
        return int(self.g_optimizer.iterations.numpy()) // self.g_steps

    def fit(self, *args, **kwargs):
        """`keras.Model.fit`; a `tf.data.Dataset` is shuffled by its own pipeline, so `shuffle` defaults to
        False for one (Keras would otherwise warn on every call that it ignores shuffle=True)."""
        data = args[0] if args else kwargs.get("x")
        _check_real_batches(self.generator, data, stacked=getattr(self, "stacked_batches", False))
        if isinstance(data, tf.data.Dataset) and len(args) < 9:
            kwargs.setdefault("shuffle", False)
        return super().fit(*args, **kwargs)

    # ----------------------------------------------------------------------------------------------
    # Sampling
    # ----------------------------------------------------------------------------------------------

    def generate(self, n, seed=None, batch_size=1024):
        """`n` samples from the generator in inference mode, as a NumPy array `[n, ...]`.

        With an integer `seed` the latent vectors (and so the samples) are the same on every call.
        """
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}.")
        latent = self.sample_latent(int(n), seed=seed)
        chunks = [
            keras.ops.convert_to_numpy(self.generator(latent[start:start + batch_size], training=False))
            for start in range(0, int(n), batch_size)
        ]
        return np.concatenate(chunks, axis=0)

    # ----------------------------------------------------------------------------------------------
    # Serialization (`.keras` round trip, optimizer state included)
    # ----------------------------------------------------------------------------------------------

    def get_config(self):
        return {
            "name": self.name,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "d_steps": self.d_steps,
            "g_steps": self.g_steps,
            "latent_distribution": self.latent_distribution,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    def get_compile_config(self):
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "loss": self.loss_name,
            "stacked_batches": self.stacked_batches,
        }

    def compile_from_config(self, config):
        self.compile(
            d_optimizer=keras.saving.deserialize_keras_object(config["d_optimizer"]),
            g_optimizer=keras.saving.deserialize_keras_object(config["g_optimizer"]),
            loss=config["loss"],
            stacked_batches=config.get("stacked_batches", False),
        )
        # Optimizers receive their saved slots only once built.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)


@keras.saving.register_keras_serializable(package="gan_tf")
class FixedGeneratorGAN(GAN):
    """Trains only the discriminator against a frozen generator: fitting D towards the optimal
    D*(x) = p(x) / (p(x) + p_g(x)) (Goodfellow et al. 2014, Prop. 1; EE-559 lecture 10.1)."""

    def train_step(self, real):
        for _ in range(self.d_steps):
            d_loss, real_logits, fake_logits = self.discriminator_step(real)
        g_loss, _ = self.compute_generator_loss(real, self.generator(self.sample_latent(tf.shape(real)[0])))
        return self.update_trackers(d_loss, g_loss, real_logits, fake_logits)

    def trained_batches(self):
        """`d_optimizer.iterations // d_steps` (G never moves)."""
        return int(self.d_optimizer.iterations.numpy()) // self.d_steps


def _replica_seed(seed):
    """A stateless int32 seed [2], drawn as `keras.random` does, and distinct per replica."""
    if isinstance(seed, keras.random.SeedGenerator):
        seed = seed.next()
    elif isinstance(seed, (int, np.integer)):
        seed = tf.constant([int(seed), 0], tf.int64)
    else:
        raise ValueError(f"seed must be None, an int or a keras.random.SeedGenerator, got {type(seed).__name__}.")
    seed = tf.cast(tf.math.floormod(tf.cast(seed, tf.int64), tf.int32.max - 1), tf.int32)  # XLA wants int32
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return seed
    return tf.random.experimental.stateless_fold_in(seed, context.replica_id_in_sync_group)


def _scale_for_update(optimizer, loss):
    """The loss whose gradient the optimizer should apply (see the module docstring)."""
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if replicas > 1:
        loss = loss / replicas
    return optimizer.scale_loss(loss)


def _train_on_stacked_batches(gan, train_step, stacked):
    """`train_step(gan, batch)` for each batch of `stacked` `[K, batch, ...]`, in a graph loop; the trackers."""
    def body(index):
        train_step(gan, tf.nest.map_structure(lambda tensor: tensor[index], stacked))
        return index + 1

    count = tf.shape(tf.nest.flatten(stacked)[0])[0]
    tf.while_loop(lambda index: index < count, body, [tf.constant(0)])
    return gan.metric_results()


def _build_optimizer(optimizer, network):
    if not optimizer.built:
        optimizer.build(network.trainable_variables)


def _multi_worker_safe(value):
    """Keras 3 reduces the outputs of a multi-worker step with `strategy.reduce(MEAN, value, axis=0)`, which
    fails on a scalar (tensorflow/tensorflow#72388): there each replica returns its value as shape [1]."""
    strategy = tf.distribute.get_strategy()
    # Keras' own test for that code path (private, as Keras uses it).
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and strategy.extended._in_multi_worker_mode():
        return tf.reshape(value, [1])
    return value


def _minimize(optimizer, tape, scaled_loss, variables):
    gradients = tape.gradient(scaled_loss, variables)
    optimizer.apply(gradients, variables)  # a LossScaleOptimizer unscales, and skips non-finite steps


def _check_latent_dim(generator, latent_dim):
    if not isinstance(latent_dim, int) or latent_dim < 1:
        raise ValueError(f"latent_dim must be a positive integer, got {latent_dim!r}.")
    inputs = getattr(generator, "inputs", None)
    if inputs and len(inputs) == 1 and inputs[0].shape[-1] not in (None, latent_dim):
        raise ValueError(
            f"latent_dim={latent_dim} does not match the generator {generator.name!r}, "
            f"whose input has shape {tuple(inputs[0].shape)}."
        )


# ---- input checks (bad input fails before any step, naming what was expected) ------------------------------


def _check_discriminator_output(discriminator):
    """ValueError unless D's (first) output is one logit per sample `[batch, 1]` (when its shape is known)."""
    outputs = getattr(discriminator, "outputs", None)
    if not outputs or tuple(outputs[0].shape[1:]) == (1,):
        return
    which = "first output" if len(outputs) > 1 else "output"
    raise ValueError(f"The discriminator {discriminator.name!r} must return one logit per sample, shape [batch, 1]; "
                     f"its {which} has shape {tuple(outputs[0].shape)}.")


def _check_real_batches(generator, data, stacked=False):
    """ValueError naming both shapes if the real batches of `fit`'s data (a tf.data.Dataset, or an array of samples;
    the first element of (samples, labels); stacks of batches if `stacked`) do not have the shape of the
    generator's samples."""
    sample_shape = tuple(generator.outputs[0].shape) if getattr(generator, "outputs", None) else None
    real_shape = _batch_shape(data)
    if stacked and real_shape is not None:
        real_shape = real_shape[1:]
    if sample_shape is None or real_shape is None:
        return
    same = len(real_shape) == len(sample_shape) and all(
        real is None or sample is None or real == sample for real, sample in zip(real_shape[1:], sample_shape[1:]))
    if not same:
        raise ValueError(f"The real batches have shape {real_shape} but the generator {generator.name!r} makes "
                         f"samples of shape {sample_shape}: the data must come in batches [batch, *sample shape] "
                         "(check image_size / channels, and batch the dataset).")


def _batch_shape(data):
    if isinstance(data, tf.data.Dataset):
        spec = data.element_spec
        spec = spec[0] if isinstance(spec, (tuple, list)) and spec else spec
        has_rank = isinstance(spec, tf.TensorSpec) and spec.shape.rank is not None
        return tuple(spec.shape) if has_rank else None
    if isinstance(data, (np.ndarray, tf.Tensor)):
        return (None, *data.shape[1:])
    return None
