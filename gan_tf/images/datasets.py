"""Image pipelines (`tf.data`) with one contract: float32 `[batch, size, size, channels]` in [-1, 1].

Every function returns batches of exactly `batch_size` (`drop_remainder=True`), decoded in parallel, cached in
memory when the decoded images fit in `cache_bytes`, shuffled (seeded: the same order on every run), and
prefetched. Pixels map linearly from [0, 255] (or [0, 16] for digits) to [-1, 1]; resizing is bilinear with
antialiasing, which never leaves that range, so nothing is clipped.

Where the data goes (`data_dir` defaults to ./data; nothing here downloads):
  celeb_a (TFDS)            the five files of CelebA's Google Drive folder, named exactly
                            img_align_celeba.zip, list_eval_partition.txt, list_attr_celeba.txt,
                            list_landmarks_align_celeba.txt, identity_CelebA.txt,
                            go in <data_dir>/downloads/manual/; the first use prepares <data_dir>/celeb_a/.
  CelebA as a folder        any folder of img_align_celeba/*.jpg (the unzipped img_align_celeba.zip).
  tf_flowers (TFDS)         flower_photos.tgz in <data_dir>/downloads/manual/ (or its unpacked
                            flower_photos/ folder, used as an image folder).
  oxford_flowers102 (TFDS)  102flowers.tgz, imagelabels.mat, setid.mat in <data_dir>/downloads/manual/.
  digits                    bundled with scikit-learn (1,797 8x8 digits): no download at all.
"""

import collections
import os
import pathlib
import warnings

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from gan_tf import checks
from gan_tf.images import image_files

DEFAULT_DATA_DIR = pathlib.Path("data")
CELEBA_CROP = 108                   # central 108x108 of the 178x218 aligned faces, as the write-up's code
CACHE_BYTES = 1 << 30               # cache decoded images in memory up to 1 GiB
ENCODED_SHUFFLE_BUFFER = 10_000     # encoded TFDS images (~10 KB each) shuffled before decoding, when uncached
MANUAL_FILES = {
    "celeb_a": ("img_align_celeba.zip", "list_eval_partition.txt", "list_attr_celeba.txt",
                "list_landmarks_align_celeba.txt", "identity_CelebA.txt"),
    "tf_flowers": ("flower_photos.tgz",),
    "oxford_flowers102": ("102flowers.tgz", "imagelabels.mat", "setid.mat"),
}
DIGITS_TEST_FRACTION, DIGITS_SPLIT_SEED = 0.2, 0   # a fixed 80/20 split of the 1,797 digits

# ---- any image folder ------------------------------------------------------------------------------


def scan_image_folder(folder, skip_invalid=False, verify=False):
    """The image files under `folder`: `image_files.ImageFiles(paths, skipped, ignored, tf_decodes)`; see
    `gan_tf.images.image_files` for what is read, refused by name, or skipped with `skip_invalid`."""
    return image_files.scan(folder, skip_invalid, verify)


def image_folder(folder, image_size=64, batch_size=64, channels=3, crop=None, seed=None, skip_invalid=False,
                 verify=False, cache_bytes=CACHE_BYTES, files=None, labels=None):
    """Batches of every image under `folder`, resized to `image_size` (see `preprocess` for `crop`).

    Invalid files raise (see `scan_image_folder`) or, with `skip_invalid`, are skipped with a warning that
    counts them. `files`: the folder's `ImageFiles` when already scanned. `labels`: one integer per file of
    `files` (`image_files.scan_classes`): the batches are then `(images, labels)` pairs.
    """
    files = files or scan_image_folder(folder, skip_invalid, verify)
    if files.skipped:
        warnings.warn(f"Skipped {len(files.skipped)} of {len(files.paths) + len(files.skipped)} files in "
                      f"{str(folder)!r} that are not usable images, e.g. {files.skipped[:3]}.", stacklevel=2)
    paths = tf.data.Dataset.from_tensor_slices((files.paths, list(files.tf_decodes)))

    def load(path, tf_decodes):
        image = tf.cond(tf_decodes,
                        lambda: tf.io.decode_image(tf.io.read_file(path), channels=channels, expand_animations=False),
                        lambda: tf.numpy_function(image_files.pillow_pixels, [path, channels], tf.uint8,
                                                  stateful=False))
        image = tf.ensure_shape(image, [None, None, channels])
        return preprocess(image, image_size, crop, source=path)

    if labels is not None:
        paths = tf.data.Dataset.zip(paths, tf.data.Dataset.from_tensor_slices(np.asarray(labels, np.int32)))
        load = _with_label(load)
    return finish(paths, load, len(files.paths), batch_size, seed,
                  image_size * image_size * channels, cache_bytes,
                  shuffle_buffer=len(files.paths))  # paths are small: shuffle them all


def _with_label(load):
    """`load` for `((path, tf_decodes), label)` elements: `(image, label)`."""
    return lambda element, label: (load(*element), label)


def celeba_folder(folder, image_size=64, batch_size=64, seed=None, **options):
    """CelebA from the unzipped `img_align_celeba/` folder (178x218 faces): center crop 108, resize."""
    return image_folder(folder, image_size, batch_size, 3, CELEBA_CROP, seed, **options)


# ---- TFDS ---------------------------------------------------------------------------------------------


def tfds_images(name, data_dir=DEFAULT_DATA_DIR, split="train", image_size=64, batch_size=64, crop=None,
                seed=None, cache_bytes=CACHE_BYTES):
    """Batches of the "image" feature of the TFDS dataset `name` (prepared under `data_dir`, or prepared from
    its manual files on first use; see the module docstring)."""
    return tfds_images_and_count(name, data_dir, split, image_size, batch_size, crop, seed, cache_bytes)[0]


def tfds_images_and_count(name, data_dir=DEFAULT_DATA_DIR, split="train", image_size=64, batch_size=64, crop=None,
                          seed=None, cache_bytes=CACHE_BYTES):
    """(`tfds_images(...)`, the number of examples in `split`)."""
    examples, count = _tfds_examples(name, pathlib.Path(data_dir), split, seed)

    def load(example):  # images arrive encoded (SkipDecoding): decoded here, in parallel
        image = tf.io.decode_image(example["image"], channels=3, expand_animations=False)
        return preprocess(image, image_size, crop, source=name)

    dataset = finish(examples, load, count, batch_size, seed, image_size * image_size * 3, cache_bytes,
                     shuffle_buffer=min(count, ENCODED_SHUFFLE_BUFFER))  # on top of TFDS' seeded file shuffling
    return dataset, count


def celeb_a(data_dir=DEFAULT_DATA_DIR, split="train", image_size=64, batch_size=64, seed=None):
    """TFDS `celeb_a`, center crop 108, resized to `image_size`."""
    return tfds_images("celeb_a", data_dir, split, image_size, batch_size, CELEBA_CROP, seed)


def tf_flowers(data_dir=DEFAULT_DATA_DIR, image_size=64, batch_size=64, seed=None):
    """TFDS `tf_flowers` (3,670 photos, 5 classes, one split), resized straight to `image_size` as the write-up."""
    return tfds_images("tf_flowers", data_dir, "train", image_size, batch_size, None, seed)


def oxford_flowers102(data_dir=DEFAULT_DATA_DIR, split="train+validation+test", image_size=64, batch_size=64,
                      seed=None):
    """TFDS `oxford_flowers102` (8,189 photos over its three splits), resized straight to `image_size`."""
    return tfds_images("oxford_flowers102", data_dir, split, image_size, batch_size, None, seed)


def _tfds_examples(name, data_dir, split, seed):
    builder = tfds.builder(name, data_dir=str(data_dir))
    options = dict(split=split, shuffle_files=True, read_config=tfds.ReadConfig(shuffle_seed=seed),
                   decoders={"image": tfds.decode.SkipDecoding()})
    try:
        examples = builder.as_dataset(**options)
    except AssertionError:  # TFDS asserts that the dataset was prepared
        _prepare_from_manual_files(builder, name, data_dir)
        examples = builder.as_dataset(**options)
    return examples, int(examples.cardinality())


def _prepare_from_manual_files(builder, name, data_dir):
    manual_dir = data_dir / "downloads" / "manual"
    expected = MANUAL_FILES.get(name)
    if expected is None:
        raise FileNotFoundError(f"TFDS dataset {name!r} is not prepared under {str(data_dir)!r}; prepare it with "
                                f"`tfds build {name} --data_dir {data_dir}` on a machine with network access.")
    missing = [file for file in expected if not (manual_dir / file).is_file()]
    if missing:
        raise FileNotFoundError(f"TFDS dataset {name!r} is not prepared under {str(data_dir)!r} and "
                                f"{str(manual_dir)!r} lacks {missing}: put the files {list(expected)} there "
                                "(exact names; see gan_tf.images.datasets) and run again.")
    config = tfds.download.DownloadConfig(manual_dir=str(manual_dir))
    builder.download_and_prepare(download_config=config)


# ---- digits (offline default) -------------------------------------------------------------------------


def digits_arrays(split="train"):
    """scikit-learn's 8x8 digits as (images `[n, 8, 8]` in [0, 16], labels `[n]`); split "train" (80%),
    "test" (20%, a fixed seeded split) or "all"."""
    import sklearn.datasets  # noqa: PLC0415  (scikit-learn is only needed for digits)

    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be 'train', 'test' or 'all', got {split!r}.")
    bunch = sklearn.datasets.load_digits()
    order = np.random.default_rng(DIGITS_SPLIT_SEED).permutation(len(bunch.target))
    test_size = int(round(DIGITS_TEST_FRACTION * len(order)))
    chosen = {"all": np.sort(order), "test": np.sort(order[:test_size]), "train": np.sort(order[test_size:])}[split]
    return bunch.images[chosen].astype(np.float32), bunch.target[chosen]


def digits(image_size=32, batch_size=64, split="train", channels=1, seed=None, labels=False):
    """The digits upscaled (bilinear, antialiased) from 8x8 to `image_size`, [0, 16] mapped to [-1, 1]; with
    `labels` True, `(images, labels)` batches (int32 digits 0-9); `labels` an array of one integer per image of
    `split`: `(images, those labels)` batches."""
    images, digit_labels = digits_arrays(split)
    load = lambda image: tf.tile(upscale_digits(image, image_size), (1, 1, channels))  # noqa: E731
    if labels is not False:
        labels = digit_labels if labels is True else np.asarray(labels)
        if labels.shape != digit_labels.shape:
            raise ValueError(f"labels must be True or one label per image ({len(images)}), got shape {labels.shape}.")
        elements = tf.data.Dataset.from_tensor_slices((images[..., None], labels.astype(np.int32)))
        return finish(elements, lambda image, label: (load(image), label), len(images), batch_size, seed,
                      image_size * image_size * channels)
    return finish(tf.data.Dataset.from_tensor_slices(images[..., None]), load, len(images), batch_size, seed,
                  image_size * image_size * channels)


def upscale_digits(images, image_size):
    """Digits `[..., 8, 8, 1]` in [0, 16] -> `[..., image_size, image_size, 1]` in [-1, 1] (bilinear)."""
    return tf.image.resize(images, (image_size, image_size), antialias=True) / 16.0 * 2.0 - 1.0


# ---- shared steps ---------------------------------------------------------------------------------------


def preprocess(image, image_size, crop=None, source="an image"):
    """uint8 `[height, width, channels]` -> float32 `[image_size, image_size, channels]` in [-1, 1].

    crop: None (resize straight, changing the aspect ratio), an int (central crop of that size first, e.g.
    108 for CelebA; a smaller image raises an InvalidArgumentError naming `source`) or "square" (the
    largest central square first).
    """
    image = tf.cast(image, tf.float32)
    if crop == "square":
        side = tf.minimum(tf.shape(image)[0], tf.shape(image)[1])
        image = tf.image.resize_with_crop_or_pad(image, side, side)
    elif crop is not None:
        large_enough = tf.reduce_all(tf.shape(image)[:2] >= crop)
        tf.debugging.Assert(large_enough, [source, "is smaller than the crop", crop, "shape:", tf.shape(image)])
        image = tf.image.resize_with_crop_or_pad(image, crop, crop)
    image = tf.image.resize(image, (image_size, image_size), antialias=True)
    return image / 127.5 - 1.0


def finish(elements, load, count, batch_size, seed, values_per_image, cache_bytes=CACHE_BYTES, shuffle_buffer=None):
    """map(load) in parallel -> cache (if `count` images fit in `cache_bytes`) -> shuffle -> batch -> prefetch.

    Without a cache, the undecoded elements are shuffled before decoding instead, in a buffer of
    `shuffle_buffer` elements (default `count`; keep it small when elements are large).
    """
    checks.positive_integer("batch_size", batch_size)
    if 0 <= count < batch_size:
        raise ValueError(f"batch_size (--batch-size) {batch_size} is larger than the {count} images: no full batch "
                         "to return.")
    deterministic = seed is not None
    fits = 0 <= count and count * values_per_image * 4 <= cache_bytes
    if not fits:
        elements = elements.shuffle(shuffle_buffer or max(count, 1), seed=seed)
    images = elements.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=deterministic)
    if fits:
        images = images.cache().shuffle(count, seed=seed)
    images = images.batch(batch_size, drop_remainder=True, num_parallel_calls=tf.data.AUTOTUNE,
                          deterministic=deterministic)
    return images.prefetch(tf.data.AUTOTUNE)


# labels, keys: one class per image, and the images' names (relative paths; None for digits): --pseudo-classes
Source = collections.namedtuple("Source", ["dataset", "count", "fingerprint", "skipped", "ignored", "class_names",
                                           "labels", "keys"], defaults=(None, None, None))
DIGIT_CLASSES = [str(digit) for digit in range(10)]


def from_spec(spec, image_size=64, batch_size=64, seed=None, data_dir=DEFAULT_DATA_DIR, **options):
    """The dataset that `gan-tf train --data SPEC` means (see `open_spec`)."""
    return open_spec(spec, image_size, batch_size, seed, data_dir, **options).dataset


def open_spec(spec, image_size=64, batch_size=64, seed=None, data_dir=DEFAULT_DATA_DIR, skip_invalid=False,
              conditional=False):
    """`Source(dataset, count, fingerprint, skipped, ignored)` of `gan-tf train --data SPEC`: "digits", an
    existing folder of images (a folder named img_align_celeba gets CelebA's crop), or a TFDS name ("celeb_a"
    gets CelebA's crop). `count`: the images; `fingerprint`: {"files", "bytes"} of a folder's images, else
    {"examples"}; `skipped`: invalid files skipped (`skip_invalid`); `ignored`: a folder's non-image files.

    `conditional`: `(images, labels)` batches and `class_names`: the digits' ("0" to "9"), or a folder's sorted
    subfolders, one class each (`image_files.scan_classes`); a TFDS name is refused (its labels are not read)."""
    if conditional:
        return _open_classes(spec, image_size, batch_size, seed, skip_invalid)
    if spec == "digits":
        count = len(digits_arrays("train")[1])
        return Source(digits(image_size, batch_size, seed=seed), count, {"examples": count}, [], [])
    path = pathlib.Path(spec)
    if path.is_dir():
        files = scan_image_folder(path, skip_invalid)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the skipped files are reported by the caller
            dataset = image_folder(path, image_size, batch_size, crop=folder_crop(path), seed=seed, files=files)
        return Source(dataset, len(files.paths), folder_fingerprint(files), files.skipped, files.ignored)
    if spec in tfds.list_builders():
        crop = CELEBA_CROP if spec == "celeb_a" else None
        dataset, count = tfds_images_and_count(spec, data_dir, "train", image_size, batch_size, crop, seed)
        return Source(dataset, count, {"examples": count}, [], [])
    raise FileNotFoundError(f"--data {spec!r} is neither 'digits', an existing folder, nor a TFDS dataset name "
                            f"(e.g. {sorted(MANUAL_FILES)}).")


def _open_classes(spec, image_size, batch_size, seed, skip_invalid):
    if spec == "digits":
        count = len(digits_arrays("train")[1])
        return Source(digits(image_size, batch_size, seed=seed, labels=True), count, {"examples": count}, [], [],
                      DIGIT_CLASSES)
    path = pathlib.Path(spec)
    if not path.is_dir():
        raise ValueError(f"--data {spec!r}: a conditional run (--conditional) takes 'digits' or a folder with one "
                         "subfolder of images per class.")
    classes = image_files.scan_classes(path, skip_invalid)
    files = classes.files
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the skipped files are reported by the caller
        dataset = image_folder(path, image_size, batch_size, crop=folder_crop(path), seed=seed, files=files,
                               labels=classes.labels)
    return Source(dataset, len(files.paths), folder_fingerprint(files), files.skipped, files.ignored,
                  classes.class_names)


def folder_crop(path):
    """The crop of an image folder's images: CelebA's for a folder named img_align_celeba, else none."""
    return CELEBA_CROP if pathlib.Path(path).resolve().name == "img_align_celeba" else None


def folder_fingerprint(files):
    """{"files", "bytes"} of a folder's `ImageFiles`: a rerun on other images is refused by it (run_config)."""
    return {"files": len(files.paths), "bytes": sum(os.path.getsize(file) for file in files.paths)}


def describe(source, config, steps):
    """Lines saying what a run found in its data (`source` from `open_spec`; `config` a TrainConfig)."""
    dropped = source.count % config.batch_size
    lines = [f"{config.data}: {source.count} images -> {config.image_size}x{config.image_size}, batches of "
             f"{config.batch_size}, {steps} steps per epoch, {config.epochs} epochs"
             + (f"; each pass drops the last partial batch ({dropped} images, a different set every pass)"
                if dropped else "")]
    if source.labels is not None:  # k-means clusters (gan_tf.images.pseudo_classes)
        shares = np.bincount(source.labels, minlength=len(source.class_names)) / len(source.labels)
        lines.append(f"{config.data}: {len(shares)} k-means clusters as classes, {shares.min():.1%} to "
                     f"{shares.max():.1%} of the images each (labels in clusters.json)")
    elif source.class_names:
        lines.append(f"{config.data}: {len(source.class_names)} classes {source.class_names[:10]}"
                     + (" ..." if len(source.class_names) > 10 else ""))
    if source.skipped:
        lines.append(f"{config.data}: skipped {len(source.skipped)} invalid image files (--skip-invalid), "
                     f"e.g. {source.skipped[:3]}")
    if source.ignored:
        lines.append(f"{config.data}: ignored {len(source.ignored)} files that are not images, e.g. "
                     f"{source.ignored[:3]}")
    return lines
