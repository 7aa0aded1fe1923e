"""Toy target distributions (tfp) and the endless `tf.data` pipeline that samples them in-graph.

Every distribution here has event shape `[event_dim]` (1 for the 1-D experiments of Strakhov 2018), so samples
are `[batch, event_dim]` float32 tensors and `log_prob` takes the same shape.

Strakhov 2018: M. Strakhov, "Generative Adversarial Networks" (2018),
https://monnoroch.github.io/posts/2018/04/03/generative-adversarial-networks.html.
"""

import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

from gan_tf import checks

tfd = tfp.distributions


def normal(mean, stddev):
    """N(mean, stddev) on R, event shape [1]: the first experiment of Strakhov 2018 (Figs 1-7)."""
    _check_stddevs([stddev])
    return tfd.Independent(
        tfd.Normal(loc=[float(mean)], scale=[float(stddev)]), reinterpreted_batch_ndims=1, name="Normal"
    )


def mixture(means, stddevs, weights=None):
    """A 1-D mixture of normals, event shape [1]; equal weights unless `weights` (summing to 1) is given.

    The second experiment of Strakhov 2018 (Figs 8-21) uses two components.
    """
    means = np.asarray(means, dtype=np.float32)
    stddevs = np.asarray(stddevs, dtype=np.float32)
    if means.ndim != 1 or len(means) == 0 or means.shape != stddevs.shape:
        raise ValueError(
            f"means and stddevs must be non-empty 1-D lists of the same length, got {means.shape} and {stddevs.shape}."
        )
    _check_stddevs(stddevs)
    weights = np.full(len(means), 1.0 / len(means)) if weights is None else np.asarray(weights, np.float64)
    if weights.shape != means.shape or np.any(weights < 0) or abs(weights.sum() - 1.0) > 1e-6:
        raise ValueError(f"weights must be {len(means)} non-negative numbers summing to 1, got {weights.tolist()}.")
    components = tfd.Independent(tfd.Normal(loc=means[:, None], scale=stddevs[:, None]), reinterpreted_batch_ndims=1)
    return tfd.MixtureSameFamily(
        tfd.Categorical(probs=weights.astype(np.float32)), components, name="NormalMixture"
    )


def sample_dataset(distribution, batch_size, seed=None, stack=None):
    """An endless `tf.data.Dataset` of float32 batches `[batch_size, event_dim]` drawn from `distribution`.

    Sampling happens inside the tf.data graph (no Python per step). With an integer `seed` the stream is
    identical on every run: batch k is drawn with the stateless seed (seed, k). With `stack=K` each element
    stacks K consecutive batches `[K, batch_size, event_dim]`, for `GAN.compile(stacked_batches=True)`: the same
    batches as without `stack`, K at a time (so a stacked run trains on exactly the unstacked run's data).
    """
    batch_size = checks.positive_integer("batch_size", batch_size)
    stack = checks.optional_positive_integer("stack", stack)
    if len(distribution.event_shape) != 1:
        raise ValueError(f"distribution must have a 1-D event shape [event_dim], got {distribution.event_shape}.")
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0] % (2**31))
    elif not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise ValueError(f"seed must be None or an integer in [0, 2**31), got {seed!r}.")

    def draw(index):
        stateless_seed = tf.stack([tf.constant(seed, tf.int32), tf.cast(index % (2**31), tf.int32)])
        return tf.cast(distribution.sample((batch_size,), seed=stateless_seed), tf.float32)

    counter = tf.data.Dataset.counter()
    batches = counter.map(draw, num_parallel_calls=2, deterministic=True)
    if stack is not None:
        batches = batches.batch(stack, drop_remainder=True)
    return batches.prefetch(2).with_options(_options_without_autotune())


def _options_without_autotune():
    """tf.data options with autotuning off. Its model thread, on TF 2.21, can keep an iterator's destruction
    waiting for up to its optimization period (seen: 18-35 s at the end of `fit`, 1 run in 4, with toy runs side by
    side), and a toy batch is too cheap to tune (`sample_dataset` uses 2 parallel draws and 2 prefetched batches)."""
    options = tf.data.Options()
    options.autotune.enabled = False
    return options


def _check_stddevs(stddevs):
    if any(not float(value) > 0.0 for value in stddevs):
        raise ValueError(f"stddev must be > 0, got {list(map(float, stddevs))}.")


def ring_of_gaussians(num_modes=8, radius=1.0, stddev=0.01):
    """`num_modes` equal-weight isotropic 2-D normals on a circle, event shape [2].

    Defaults: the toy of "The Numerics of GANs" (Mescheder et al. 2017): 8 modes, radius 1, stddev 0.01.
    The mode centres are `ring.components_distribution.mean()`.
    """
    num_modes = checks.positive_integer("num_modes", num_modes)
    if not radius > 0:
        raise ValueError(f"radius must be > 0, got {radius!r}.")
    _check_stddevs([stddev])
    angles = 2.0 * np.pi * np.arange(num_modes) / num_modes
    centres = (radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype(np.float32)
    components = tfd.MultivariateNormalDiag(loc=centres, scale_diag=np.full_like(centres, stddev))
    return tfd.MixtureSameFamily(
        tfd.Categorical(probs=np.full(num_modes, 1.0 / num_modes, np.float32)), components, name="RingOfGaussians"
    )


def grid_of_gaussians(side=5, spacing=2.0, stddev=0.05):
    """`side`^2 equal-weight isotropic 2-D normals on a square grid centred at 0, event shape [2].

    Defaults: PacGAN's 2D-grid (Lin et al. 2018, https://arxiv.org/abs/1712.04086, Sec. 5.1, after VEEGAN):
    25 modes at {-4, -2, 0, 2, 4}^2, stddev 0.05. The mode centres are `grid.components_distribution.mean()`.
    """
    side = checks.positive_integer("side", side)
    if not spacing > 0:
        raise ValueError(f"spacing must be > 0, got {spacing!r}.")
    _check_stddevs([stddev])
    coordinates = spacing * (np.arange(side) - (side - 1) / 2.0)
    centres = np.stack(np.meshgrid(coordinates, coordinates, indexing="ij"), axis=-1).reshape(-1, 2).astype(np.float32)
    components = tfd.MultivariateNormalDiag(loc=centres, scale_diag=np.full_like(centres, stddev))
    return tfd.MixtureSameFamily(
        tfd.Categorical(probs=np.full(len(centres), 1.0 / len(centres), np.float32)), components,
        name="GridOfGaussians",
    )


def labelled_sample_dataset(distribution, batch_size, seed=None):
    """An endless `tf.data.Dataset` of `(samples [batch, d] float32, labels [batch] int32)` from a
    `MixtureSameFamily`: the label of a sample is the index of the component that drew it.

    For conditional GANs. Same seeding rule as `sample_dataset`.
    """
    if not isinstance(distribution, tfd.MixtureSameFamily):
        raise ValueError(f"distribution must be a tfp MixtureSameFamily, got {type(distribution).__name__}.")
    batch_size = checks.positive_integer("batch_size", batch_size)
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0] % (2**31))
    elif not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise ValueError(f"seed must be None or an integer in [0, 2**31), got {seed!r}.")

    def draw(index):
        label_seed = tf.stack([tf.constant(seed, tf.int32), tf.cast(index % (2**31), tf.int32)])
        labels = distribution.mixture_distribution.sample(batch_size, seed=label_seed)
        every_component = distribution.components_distribution.sample(batch_size, seed=label_seed + 1)
        samples = tf.gather(every_component, labels, axis=1, batch_dims=1)
        return tf.cast(samples, tf.float32), tf.cast(labels, tf.int32)

    batches = tf.data.Dataset.counter().map(draw, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return batches.prefetch(tf.data.AUTOTUNE)
