"""Checks of what a GAN is built from and trained on: bad input fails before any step, with one `ValueError` naming
what was expected (the networks' shapes, the real batches' shape and dtype, class labels).
"""

import warnings

import numpy as np
import tensorflow as tf

from gan_tf import checks

# ---- the networks of a GAN ---------------------------------------------------------------------------------


def latent_dim_matches(generator, latent_dim):
    """`latent_dim` as an int; ValueError unless a positive integer equal to G's input size (when known)."""
    latent_dim = checks.positive_integer("latent_dim", latent_dim)
    inputs = getattr(generator, "inputs", None)
    if inputs and len(inputs) == 1 and inputs[0].shape[-1] not in (None, latent_dim):
        raise ValueError(
            f"latent_dim={latent_dim} does not match the generator {generator.name!r}, "
            f"whose input has shape {tuple(inputs[0].shape)}."
        )
    return latent_dim


def discriminator_output(discriminator):
    """ValueError unless D's (first) output is one logit per sample `[batch, 1]` (when its shape is known)."""
    outputs = getattr(discriminator, "outputs", None)
    if not outputs or tuple(outputs[0].shape[1:]) == (1,):
        return
    which = "first output" if len(outputs) > 1 else "output"
    raise ValueError(f"The discriminator {discriminator.name!r} must return one logit per sample, shape [batch, 1]; "
                     f"its {which} has shape {tuple(outputs[0].shape)}.")


# ---- the data given to `fit` -------------------------------------------------------------------------------


def real_batches(generator, data, stacked=False):
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


def unconditional_training_data(generator, x, y=None, stacked=False):
    """All the checks of an unconditional GAN's `fit(x, y)`: no labels (`y`, pairs, dicts), float samples shaped
    like G's (`unconditional_samples`, `real_batches`), and for a tanh G an array `x` in about [-1, 1]
    (`float_range`, a warning)."""
    if y is not None:
        raise ValueError("An unconditional GAN trains on samples alone: fit(x) without y (use ConditionalGAN "
                         "for labelled data).")
    real_batches(generator, x, stacked=stacked)
    unconditional_samples(x)
    if isinstance(x, np.ndarray) and _ends_in_tanh(generator):
        float_range(x)


def unconditional_samples(data):
    """ValueError if an unconditional GAN's `fit` data is not plain samples: a (samples, labels) tuple or a dict (of a
    tf.data.Dataset's elements, or as `x`), or integer samples (e.g. uint8 images: scale them to the generator's
    range first). Arrays of floats are also checked by value: `float_range`."""
    spec = data.element_spec if isinstance(data, tf.data.Dataset) else data
    if isinstance(spec, (tuple, list, dict)):
        kind = "dict" if isinstance(spec, dict) else f"{type(spec).__name__} of {len(spec)}"
        raise ValueError(f"An unconditional GAN trains on batches of samples alone, but the data's elements are a "
                         f"{kind} (e.g. (samples, labels)): map the dataset to its samples, or use ConditionalGAN.")
    dtype = getattr(spec, "dtype", None)
    if dtype is not None and not tf.as_dtype(dtype).is_floating:
        raise ValueError(f"The real samples must be floats in the generator's range, got dtype "
                         f"{tf.as_dtype(dtype).name} (e.g. uint8 images: use images / 127.5 - 1 for a tanh generator).")


def float_range(samples, low=-1.0, high=1.0, name="real samples"):
    """A warning (not an error: the data could be right) if an array of samples lies far outside [low, high], the
    output range of a tanh generator: more than 1% of the values beyond 1.5 times the range."""
    values = np.asarray(samples)
    if values.size == 0 or not np.issubdtype(values.dtype, np.floating):
        return
    margin = 0.25 * (high - low)
    outside = np.mean((values < low - margin) | (values > high + margin))
    if outside > 0.01:
        warnings.warn(f"{100 * outside:.0f}% of the {name} lie outside [{low - margin:g}, {high + margin:g}] "
                      f"(min {values.min():g}, max {values.max():g}), but a tanh generator's samples lie in "
                      f"[{low:g}, {high:g}]: scale the data to that range.", stacklevel=5)  # the caller of GAN.fit


def class_labels(labels, num_classes, name="labels"):
    """ValueError naming the bad labels unless `labels` (an array) are integers in [0, num_classes)."""
    labels = np.asarray(labels)
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{name} must be integers in [0, {num_classes}), got dtype {labels.dtype} "
                         f"(e.g. {labels.reshape(-1)[:5].tolist()}).")
    bad = labels[(labels < 0) | (labels >= num_classes)]
    if bad.size:
        raise ValueError(f"{name} must be integers in [0, {num_classes}), got {np.unique(bad)[:10].tolist()}.")


def class_label_spec(data, num_classes):
    """ValueError unless a conditional GAN's `fit` data has elements (samples, labels) with integer labels (checked on
    a tf.data.Dataset's element spec; the labels of arrays `(x, y)` are checked by value with `class_labels`)."""
    if isinstance(data, tf.data.Dataset):
        spec = data.element_spec
        if not isinstance(spec, (tuple, list)) or len(spec) != 2:
            raise ValueError(f"A conditional GAN trains on (samples, labels) batches; the dataset's elements are "
                             f"{spec}.")
        if not getattr(spec[1], "dtype", tf.float32).is_integer:
            raise ValueError(f"labels must be integers in [0, {num_classes}), but the dataset's labels have dtype "
                             f"{spec[1].dtype.name}.")
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        class_labels(data[1], num_classes)


def fake_batch_sharing(gan_class, base_class, share_fake_batch, d_steps, g_steps):
    """`share_fake_batch` (a bool), or ValueError when `gan_class` cannot share the D update's fake batch with the
    G update: that needs one D and one G update per batch and `base_class`'s own step hooks."""
    if not isinstance(share_fake_batch, bool):
        raise ValueError(f"share_fake_batch must be True or False, got {share_fake_batch!r}.")
    if not share_fake_batch:
        return False
    if (d_steps, g_steps) != (1, 1):
        raise ValueError(f"share_fake_batch=True needs d_steps=1 and g_steps=1, got {d_steps} and {g_steps}.")
    overridden = [name for name in ("batch_update", "discriminator_step", "generator_step")
                  if getattr(gan_class, name) is not getattr(base_class, name)]
    if overridden:
        raise ValueError(f"share_fake_batch=True is not supported by {gan_class.__name__}, which overrides "
                         f"{', '.join(overridden)}.")
    return True


def _batch_shape(data):
    if isinstance(data, tf.data.Dataset):
        spec = data.element_spec
        spec = spec[0] if isinstance(spec, (tuple, list)) and spec else spec
        has_rank = isinstance(spec, tf.TensorSpec) and spec.shape.rank is not None
        return tuple(spec.shape) if has_rank else None
    if isinstance(data, (np.ndarray, tf.Tensor)):
        return (None, *data.shape[1:])
    return None


def _ends_in_tanh(generator):
    """Whether the last layer of G with an activation (past reshapes and the like) applies tanh."""
    with_activation = [layer for layer in getattr(generator, "layers", []) if hasattr(layer, "activation")]
    return bool(with_activation) and getattr(with_activation[-1].activation, "__name__", None) == "tanh"
