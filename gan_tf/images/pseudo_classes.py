"""Classes from unlabelled images: k-means clusters as the labels of a class-conditional GAN.

A conditional GAN (`models.ConditionalGAN`) trained on clusters of the data, its clusters then drawn with their
shares in the data, is an unconditional generator that never saw a label. This is the self-conditioned GAN's idea
(Liu, Wang, Bau, Zhu, Torralba 2020, "Diverse Image Generation via Self-Conditioned GANs", CVPR,
https://arxiv.org/abs/2006.10728), simplified: they cluster D's features and recluster during training; here the
images' pixels are clustered once, before training (scikit-learn's `KMeans`, 10 starts, seeded).

    labels = pseudo_classes.kmeans_labels(images, 20, seed=0)       # images [n, h, w, c]
    shares = pseudo_classes.class_shares(labels, 20)
    gan = models.ConditionalGAN(generator, discriminator, latent_dim, num_classes=20, class_shares=shares)
    gan.fit(tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(len(images)).repeat().batch(64), ...)
    samples = gan.generate(n, seed=1)                                # clusters drawn by their shares

`gan-tf train --pseudo-classes K` does this for "digits" or an image folder (`open_spec`): the images are clustered
at `cluster_size(image_size)` pixels (at most 32; k-means time and memory grow with the pixel count), the labels are
kept in the run folder's clusters.json (`write_labels`, `read_labels`: a resumed run trains on the same clusters
without clustering again), and config.json keeps the clusters' names ("cluster_0", ...) and shares. k-means time
grows with the images times their pixels: 1.7 s for the 1,438 training digits at 32x32 (K 20, 2 idle cores), 18 s
for 5,000 and 89 s for 20,000 colour 32x32 photo crops (2 cores shared with a training run; AMD EPYC Zen 4). Larger
sets fit the centres on `FIT_LIMIT` (20,000) images and assign the others to their nearest centre: 94 s for 100,000
crops (the same machine, shared with a training run), paid once per run.

On scikit-learn's digits at 32 px (20 clusters, 90% of the images in a cluster whose most common digit is theirs),
with the DCGAN pieces of `gan-tf train --data digits`: `benchmarks/image_recipes.py --pseudo-classes 20`,
numbers in benchmarks/README.md.
"""

import json
import pathlib
import warnings

import numpy as np

from gan_tf import checks
from gan_tf.images import datasets, run_folder

STARTS = 10  # k-means restarts (scikit-learn's n_init): the lowest within-cluster sum of squares wins
LARGEST_CLUSTER_SIZE = 32  # images are clustered at most at 32x32 pixels
FIT_LIMIT = 20_000  # k-means centres are fitted on at most this many images; all are then assigned
LABELS_FILE = "clusters.json"  # in the run folder: one label per training image


def kmeans_labels(images, count, seed=0):
    """Cluster labels int32 `[n]` in [0, count) of `images` (`[n, ...]`, compared pixel by pixel, squared
    Euclidean distance), from scikit-learn's KMeans with `STARTS` starts seeded by `seed`. Above `FIT_LIMIT` images
    the centres are fitted on `FIT_LIMIT` of them (drawn by `seed`) and every image takes its nearest centre. Every
    cluster is non-empty (the fitted images keep their clusters)."""
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
    seed = checks.integer_at_least("seed", seed, 0)
    pixels = images.reshape(len(images), -1)
    clustering = sklearn.cluster.KMeans(count, n_init=STARTS, random_state=seed)
    if len(pixels) <= FIT_LIMIT:
        return clustering.fit_predict(pixels).astype(np.int32)
    clustering.fit(pixels[np.random.default_rng(seed).choice(len(pixels), FIT_LIMIT, replace=False)])
    return clustering.predict(pixels).astype(np.int32)


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


def cluster_names(count):
    """The class names of `count` clusters: "cluster_0", "cluster_1", ..."""
    return [f"cluster_{index}" for index in range(count)]


def cluster_size(image_size):
    """The side in pixels at which a run's images are clustered."""
    return min(image_size, LARGEST_CLUSTER_SIZE)


def open_spec(spec, count, image_size=64, batch_size=64, seed=None, skip_invalid=False, saved=None):
    """`datasets.Source` of `gan-tf train --data SPEC --pseudo-classes COUNT`: `(images, cluster labels)` batches,
    `class_names` from `cluster_names`, `labels` (one per image) and `keys` (the images' paths relative to the
    folder, or None for digits). `saved`: `read_labels`' (keys, labels) of an earlier start, used when the keys
    are the images found now (else the images are clustered again, with k-means seeded by `seed`)."""
    if spec == "digits":
        images = datasets.digits_arrays("train")[0][..., None]
        labels = _labels(saved, None, len(images), count,
                         lambda: datasets.upscale_digits(images, cluster_size(image_size)).numpy(), seed)
        dataset = datasets.digits(image_size, batch_size, seed=seed, labels=labels)
        return datasets.Source(dataset, len(images), {"examples": len(images)}, [], [], cluster_names(count), labels)
    path = pathlib.Path(spec)
    if not path.is_dir():
        raise ValueError(f"--data {spec!r}: --pseudo-classes takes 'digits' or a folder of images.")
    files = datasets.scan_image_folder(path, skip_invalid)
    keys = [pathlib.Path(file).relative_to(path).as_posix() for file in files.paths]
    crop = datasets.folder_crop(path)
    labels = _labels(saved, keys, len(keys), count, lambda: _folder_pixels(path, files, cluster_size(image_size), crop),
                     seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the skipped files are reported by the caller
        dataset = datasets.image_folder(path, image_size, batch_size, crop=crop, seed=seed, files=files, labels=labels)
    return datasets.Source(dataset, len(keys), datasets.folder_fingerprint(files), files.skipped, files.ignored,
                           cluster_names(count), labels, keys)


def _labels(saved, keys, n, count, pixels, seed):
    """The saved labels when they are of these images, else k-means labels of `pixels()`."""
    if count > n:
        raise ValueError(f"pseudo_classes (--pseudo-classes) must be at most the number of images, {n}; got {count}.")
    if saved is not None and saved[0] == keys and len(saved[1]) == n and np.all((saved[1] >= 0) & (saved[1] < count)):
        return saved[1]
    return kmeans_labels(pixels(), count, seed or 0)


def _folder_pixels(path, files, size, crop):
    """float32 `[n, size, size, 3]` of a folder's images in the order of `files.paths` (the pipeline's pixels)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline = datasets.image_folder(path, size, 1, crop=crop, seed=0, files=files,
                                         labels=np.arange(len(files.paths)))
    pixels = np.zeros((len(files.paths), size, size, 3), np.float32)
    for image, index in pipeline.as_numpy_iterator():
        pixels[index] = image
    return pixels


def write_labels(run_dir, source):
    """Write the cluster labels of `source` (`open_spec`) to the run folder's clusters.json, atomically."""
    text = json.dumps({"keys": source.keys, "labels": np.asarray(source.labels).tolist()})
    run_folder.atomic_write(pathlib.Path(run_dir) / LABELS_FILE, lambda temporary: temporary.write_text(text + "\n"))


def read_labels(run_dir):
    """(keys, int32 labels) from the run folder's clusters.json, or None when it has none. A damaged file raises
    `run_folder.RunFolderError` naming it."""
    path = pathlib.Path(run_dir) / LABELS_FILE
    if not path.exists():
        return None
    try:
        saved = json.loads(path.read_text())
        keys, labels = saved["keys"], np.asarray(saved["labels"], dtype=np.int32)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise run_folder.RunFolderError(f"{str(path)!r} is damaged ({error}): nothing was started or overwritten. "
                                        "Restore it from a backup, or use another --out.") from None
    return keys, labels
