"""Differentiable augmentation of the discriminator's inputs, for GANs on small data sets.

DiffAugment (Zhao, Liu, Lin, Zhu, Han 2020, "Differentiable Augmentation for Data-Efficient GAN Training",
https://arxiv.org/abs/2006.10738) augments real AND fake images with the same family of transforms every time D
sees them (in D's step and in G's step), with differentiable operations, so that G's gradient flows through the
augmentation and D cannot tell real from fake by the augmentation. The three policies, on images in [-1, 1]:
    color:        x + (u - 0.5);  (x - mean_c(x)) * 2u + mean_c(x);  (x - mean(x)) * (u + 0.5) + mean(x)
                  (brightness, saturation, contrast; one u ~ U[0, 1) per image and transform)
    translation:  shift by integers in [-H/8, H/8] x [-W/8, W/8], zero padding
    cutout:       a square of (H/2) x (W/2) set to 0 at a uniformly random centre (clipped at the borders)

ADA (Karras et al. 2020, "Training Generative Adversarial Networks with Limited Data",
https://arxiv.org/abs/2006.06676) applies each transform to each image with a probability p that a controller
moves to keep the overfitting heuristic r_t = E[sign(D(x_real))] near a target (0.6):
    p <- clip(p + sign(r_t - target) * batch_size * interval / (speed_images), 0, 1)

Everything here is a pure function of the images and a stateless seed (a `[2]` int32 tensor): the same seed gives
the same augmentation (of real and fake batches alike, when a caller passes one seed to both), it runs under XLA
and `tf.distribute` (callers fold the replica id into the seed), and resuming needs no state beyond the seed.
"""

import tensorflow as tf

POLICIES = ("color", "translation", "cutout")
TRANSLATION_RATIO = 0.125  # DiffAugment's default: a shift of up to 1/8 of the side
CUTOUT_RATIO = 0.5  # DiffAugment's default: a square of half the side
ALGORITHM = "philox"  # fixed: "auto_select" may pick another generator under XLA than in eager mode
UNIFORM_BITS = 24  # float32 uniforms from integers: float stateless draws differ between XLA and eager (TF 2.21)


def diff_augment(images, seed, policies=POLICIES, probability=1.0):
    """DiffAugment of a batch `[B, H, W, C]` in [-1, 1]: each policy in turn, each image with `probability`.

    Args:
      images: float tensor `[B, H, W, C]`.
      seed: a stateless seed, int32 tensor `[2]`; the same seed gives the same augmentation.
      policies: names in `POLICIES`, applied in that order.
      probability: scalar in [0, 1] (a Python float or a tensor, e.g. ADA's p): each image gets each policy
        with this probability, independently (1: every image, as DiffAugment; ADA's p otherwise).
    Returns:
      The augmented batch, same shape and dtype; differentiable with respect to `images`.
    """
    check_policies(policies)
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int32), num=2 * len(policies), alg=ALGORITHM)
    for index, name in enumerate(policies):
        augmented = TRANSFORMS[name](images, seeds[2 * index])
        images = _with_probability(images, augmented, probability, seeds[2 * index + 1])
    return images


def color(images, seed):
    """Brightness, saturation, contrast (DiffAugment's `rand_brightness`, `rand_saturation`, `rand_contrast`)."""
    dtype = images.dtype
    uniforms = tf.cast(uniform([3, tf.shape(images)[0], 1, 1, 1], seed), dtype)
    images = images + (uniforms[0] - 0.5)
    channel_mean = tf.reduce_mean(images, axis=3, keepdims=True)
    images = (images - channel_mean) * (uniforms[1] * 2.0) + channel_mean
    image_mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    return (images - image_mean) * (uniforms[2] + 0.5) + image_mean


def translation(images, seed, ratio=TRANSLATION_RATIO):
    """Shift each image by integers in [-round(ratio H), round(ratio H)] x [.. W ..]; what leaves is lost, zeros
    come in. Written as two batched matrix products with shift matrices (one-hot rows), so it is linear in the
    images and XLA-friendly."""
    height, width = images.shape[1], images.shape[2]
    batch = tf.shape(images)[0]
    seed_y, seed_x = tf.unstack(tf.random.experimental.stateless_split(seed, num=2, alg=ALGORITHM))
    bound_y, bound_x = int(height * ratio + 0.5), int(width * ratio + 0.5)
    shift_y = _integers(seed_y, batch, -bound_y, bound_y + 1)
    shift_x = _integers(seed_x, batch, -bound_x, bound_x + 1)
    rows = _shift_matrices(shift_y, height, images.dtype)  # [B, H, H]: out row i <- in row i - shift
    columns = _shift_matrices(shift_x, width, images.dtype)
    return tf.einsum("bik,bklc,bjl->bijc", rows, images, columns)


def cutout(images, seed, ratio=CUTOUT_RATIO):
    """Zero a (ratio H) x (ratio W) square per image at a random centre (as DiffAugment's `rand_cutout`)."""
    height, width = images.shape[1], images.shape[2]
    size_y, size_x = int(height * ratio + 0.5), int(width * ratio + 0.5)
    batch = tf.shape(images)[0]
    seed_y, seed_x = tf.unstack(tf.random.experimental.stateless_split(seed, num=2, alg=ALGORITHM))
    # DiffAugment draws the offset in [0, side + (1 - size % 2)) and covers [offset - size // 2, ... + size).
    start_y = _integers(seed_y, batch, 0, height + 1 - size_y % 2) - size_y // 2
    start_x = _integers(seed_x, batch, 0, width + 1 - size_x % 2) - size_x // 2
    inside_y = _inside(tf.range(height), start_y, size_y)  # [B, H]
    inside_x = _inside(tf.range(width), start_x, size_x)  # [B, W]
    keep = 1.0 - tf.cast(inside_y[:, :, None] & inside_x[:, None, :], images.dtype)
    return images * keep[..., None]


TRANSFORMS = {"color": color, "translation": translation, "cutout": cutout}


def overfitting_heuristic(real_logits):
    """ADA's r_t = E[sign(D(x_real))]: 0 when D is unsure of the real images, 1 when it is sure of all of them."""
    return tf.reduce_mean(tf.sign(tf.cast(real_logits, tf.float32)))


def adapt_probability(probability, overfitting, images_seen, target=0.6, speed_images=500_000):
    """One ADA controller update: p moved by sign(r_t - target) * images_seen / speed_images, clipped to [0, 1].

    `overfitting` is r_t over the batches since the last update, `images_seen` how many real images those were,
    `speed_images` how many images it takes p to go from 0 to 1 (ADA: 500k). Returns the new p, float32.
    """
    step = tf.sign(tf.cast(overfitting, tf.float32) - target) * (tf.cast(images_seen, tf.float32) / speed_images)
    return tf.clip_by_value(tf.cast(probability, tf.float32) + step, 0.0, 1.0)


def check_policies(policies):
    """ValueError unless every name of `policies` is one of `POLICIES`."""
    unknown = [name for name in policies if name not in POLICIES]
    if unknown or isinstance(policies, str):
        raise ValueError(f"policies must be a list of names in {POLICIES}, got {policies!r}.")


def uniform(shape, seed):
    """U[0, 1) float32 of `shape` from a stateless seed, the same eager and under XLA (integers / 2^24)."""
    integers = tf.random.stateless_uniform(shape, seed, 0, 2**UNIFORM_BITS, tf.int32, alg=ALGORITHM)
    return tf.cast(integers, tf.float32) / float(2**UNIFORM_BITS)


def _with_probability(images, augmented, probability, seed):
    if isinstance(probability, (int, float)) and probability >= 1:
        return augmented
    chosen = uniform([tf.shape(images)[0], 1, 1, 1], seed) < tf.cast(probability, tf.float32)
    return tf.where(chosen, augmented, images)


def _integers(seed, batch, low, high):
    """`batch` integers uniform in [low, high)."""
    return tf.random.stateless_uniform([batch], seed, low, high, tf.int32, alg=ALGORITHM)


def _shift_matrices(shifts, size, dtype):
    """[B, size, size] with M[b, i, k] = 1 where k = i - shifts[b] (no 1 in a row whose k falls outside)."""
    sources = tf.range(size)[None, :] - shifts[:, None]  # [B, size]
    return tf.one_hot(sources, size, dtype=dtype)  # one_hot of an index outside [0, size) is a zero row


def _inside(positions, starts, size):
    positions = positions[None, :]
    return (positions >= starts[:, None]) & (positions < starts[:, None] + size)
