"""Classes from unlabelled images: k-means clusters as the labels of a class-conditional GAN.

A conditional GAN (`models.ConditionalGAN`) trained on clusters of the data, its clusters then drawn with their
shares in the data, is an unconditional generator that never saw a label. This is the self-conditioned GAN's idea
(Liu, Wang, Bau, Zhu, Torralba 2020, "Diverse Image Generation via Self-Conditioned GANs", CVPR,
https://arxiv.org/abs/2006.10728), simplified: they cluster D's features and recluster during training; here the
images' pixels are clustered once, before training (scikit-learn's `KMeans`, 10 starts, seeded).

    labels = pseudo_classes.kmeans_labels(images, 20, seed=0)       # images [n, h, w, c]
    gan = models.ConditionalGAN(generator, discriminator, latent_dim, num_classes=20)   # G(z, y), D(x, y)
    gan.fit(tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(len(images)).repeat().batch(64), ...)
    shares = pseudo_classes.class_shares(labels, 20)
    samples = gan.generate(n, labels=pseudo_classes.draw_labels(shares, n, seed=1))

On scikit-learn's digits at 32 px (20 clusters, 90% of the images in a cluster whose most common digit is theirs),
with the DCGAN pieces of `gan-tf train --data digits`: `benchmarks/image_recipes.py --pseudo-classes 20`,
numbers in benchmarks/README.md. The `gan-tf` command does not offer it yet.
"""

import numpy as np

from gan_tf import checks

STARTS = 10  # k-means restarts (scikit-learn's n_init): the lowest within-cluster sum of squares wins


def kmeans_labels(images, count, seed=0):
    """Cluster labels int32 `[n]` in [0, count) of `images` (`[n, ...]`, compared pixel by pixel, squared
    Euclidean distance), from scikit-learn's KMeans with `STARTS` starts seeded by `seed`. Every cluster is
    non-empty."""
    import sklearn.cluster  # noqa: PLC0415  (scikit-learn is only needed here and for digits)

    images = np.asarray(images, dtype=np.float32)
    if images.ndim < 2 or len(images) < 2:
        raise ValueError(f"images must be an array [n, ...] of at least 2 images, got shape {images.shape}.")
    count = checks.integer_at_least("count (the number of clusters)", count, 2)
    if count > len(images):
        raise ValueError(f"count (the number of clusters) must be at most the number of images, {len(images)}; "
                         f"got {count}.")
    if not np.all(np.isfinite(images)):
        raise ValueError("images must be finite (no NaN or infinity).")
    clustering = sklearn.cluster.KMeans(count, n_init=STARTS, random_state=checks.integer_at_least("seed", seed, 0))
    return clustering.fit_predict(images.reshape(len(images), -1)).astype(np.int32)


def class_shares(labels, count):
    """float64 `[count]`: the share of each label in [0, count) among `labels` (they sum to 1)."""
    count = checks.integer_at_least("count (the number of classes)", count, 2)
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) == 0 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a non-empty 1-D array of integers, got dtype {labels.dtype} and shape "
                         f"{labels.shape}.")
    if labels.min() < 0 or labels.max() >= count:
        raise ValueError(f"labels must lie in [0, {count}), got values from {labels.min()} to {labels.max()}.")
    return np.bincount(labels, minlength=count) / len(labels)


def draw_labels(shares, n, seed=None):
    """int32 `[n]`: labels drawn independently, label k with probability `shares[k]` (non-negative, summing to 1
    within 1e-6); the same draws for the same integer `seed`."""
    n = checks.positive_integer("n", n)
    shares = np.asarray(shares, dtype=np.float64)
    if shares.ndim != 1 or len(shares) < 2 or np.any(~np.isfinite(shares)) or np.any(shares < 0) \
            or abs(shares.sum() - 1.0) > 1e-6:
        raise ValueError(f"shares must be at least 2 non-negative numbers summing to 1, got {shares.tolist()[:10]} "
                         f"(sum {shares.sum():.6g}).")
    return np.random.default_rng(seed).choice(len(shares), n, p=shares / shares.sum()).astype(np.int32)
