"""Image-quality measurements on data sets made offline from scikit-learn: small data, Stacked digits, photo crops.

Three subcommands, each training its GANs for the same fixed number of steps (not wall time: the machine is
shared) and scoring them with weight-free or offline measures:

  small-data  10% of the digits (180 images, `small_datasets.digits_subset(0.1)`), the dcgan recipe with
              `--augment none`, `diffaugment` (colour, translation, cutout on every image D sees; Zhao et al.
              2020, https://arxiv.org/abs/2006.10738) and `ada` (Karras et al. 2020,
              https://arxiv.org/abs/2006.06676: p adapted to E[sign D(real)] = 0.6, 500k images from p = 0 to 1).
              Every `--eval-every` steps: the digits classifier's Frechet distance (`quality.digits_scores`) of
              2,000 samples and ProGAN's sliced Wasserstein distance (SWD, `sliced_wasserstein`) of 800 samples,
              both against 800 of the 1,617 digits the GANs never see (`small_datasets.digits_held_out`).
              Reference rows: 800 other held-out digits (the floor) and the 180 training digits (a GAN that
              memorised its training set).
  stacked     Stacked digits (`small_datasets.stacked_digits`: a random digit in each of R, G, B, 1,000 modes,
              Stacked MNIST of VEEGAN, https://arxiv.org/abs/1705.07761, and PacGAN,
              https://arxiv.org/abs/1712.04086), 25,600 training stacks. dcgan, modern (its generator average
              sampled), residual (the modern recipe until 2026-12-08, `RESIDUAL`) and PacDCGAN2 (the dcgan recipe,
              D fed two samples stacked on the channels, `models.PacGAN`). 26,000 samples (PacGAN's count) are read
              channel by channel by the digits classifier: modes covered and KL(modes || uniform)
              (`small_datasets.stacked_digit_modes`).
  photos      Random 32x32 crops of scikit-learn's two sample photos (`small_datasets.photo_crops`, 20,000 for
              training): dcgan against modern (and residual), the SWD of 2,000 samples against 2,000 real crops of
              another seed; the floor is the SWD between the two halves (2,000 + 2,000) of that real set.

Recipes are the library's (`choices.RECIPES` through `recipes.build_gan`; the modern recipe's k-means classes are
made first, as `gan-tf train` makes them), at 32 px, batch 64, with `--filters` (the DCGAN's ngf = ndf, the
residual width) small to fit a shared 2-core CPU: read the results as such. `--set NAME=VALUE` changes a setting of
every recipe run (e.g. `--set loss='"hinge"'`).

Commands (from the repository root, one at a time; outputs/image_quality/<subcommand>.json):
    export PYTHONPATH=. TF_CPP_MIN_LOG_LEVEL=2
    nice -n 10 python benchmarks/image_quality.py small-data --steps 2000 --eval-every 500
    nice -n 10 python benchmarks/image_quality.py stacked --steps 1000 --eval-every 500
    nice -n 10 python benchmarks/image_quality.py photos --steps 500 --eval-every 250
Results (filters 16, seed 0; AMD EPYC Zen 3, 2 cores, shared, load 1.4-18; full tables in benchmarks/README.md):
  small-data at 2,000 steps, FD / SWD (floor 1.11 / 13.9): none 2.09 / 19.5, DiffAugment 3.10 / 19.2, ADA 2.20 /
    18.5: augmentation does not win by 30% at this budget (the plain D had not overfitted yet). At 10,000 steps
    (`--steps 10000 --eval-every 2500`) it does: none 5.48 / 29.6, DiffAugment 2.09 / 19.8, ADA 2.43 / 20.4.
  stacked at 1,000 steps, modes / KL (real 1,000 / 0.019): dcgan 7 / 6.54, residual 973 / 0.47, PacDCGAN2 1 / 6.91
    (seed 1: dcgan 756 / 1.33, PacDCGAN2 1 / 6.91); the published PacDCGAN2 1,000 / 0.06 is not reproduced.
    modern (2026-12-08, Zen 4): 912 / 0.87 (residual rerun there: 971 / 0.42); seed 1: modern 921 / 0.98, residual
    990 / 0.34.
  photos at 500 steps, SWD mean (floor 13.3): dcgan 322, residual 217; at 3,000 steps: dcgan 102, residual 63,
    modern (2026-12-08) 68.
"""

import argparse
import dataclasses
import json
import pathlib
import time

import keras
import tensorflow as tf

from gan_tf import models, networks
from gan_tf.images import choices, pseudo_classes, quality, recipes, sliced_wasserstein, small_datasets, training

IMAGE_SIZE = 32
BATCH = 64
OUTPUT = pathlib.Path("outputs/image_quality")
SMALL_FRACTION = 0.1
SWD_DIGITS = 800            # samples and held-out digits per SWD (1,617 held out: two disjoint sets of 800)
FD_SAMPLES = 2000
STACKED_TRAINING = 25_600
STACKED_SAMPLES = 26_000    # PacGAN / VEEGAN count modes on 26,000 samples
PHOTO_TRAINING = 20_000
PHOTO_SWD = 2000


# The modern recipe until 2026-12-08 (the rows "modern (residual, ...)" of benchmarks/README.md): SNGAN's residual
# networks, spectrally normalised D, hinge, Adam beta_1 0, DiffAugment, generator average.
RESIDUAL = {"architecture": "residual", "loss": "hinge", "beta_1": 0.0, "learning_rate": 2e-4,
            "ema_half_life": 10_000.0, "augment": "diffaugment", "r1_gamma": 0.0, "spectral_norm": True,
            "pseudo_classes": 0, "generator_resolution": 0}


def recipe_settings(recipe, options, **overrides):
    """The settings of `recipe` (a `choices.RECIPES` name or "residual") with `options.settings` and `overrides` over
    them, made concrete for images without a native resolution (`choices.fit_to_data`)."""
    settings = {**(RESIDUAL if recipe == "residual" else choices.RECIPES[recipe]), **options.settings, **overrides}
    return choices.fit_to_data({**settings, "image_size": IMAGE_SIZE}, "images", ("pseudo_classes",))[0]


def recipe_gan(settings, channels, options, labels=None):
    """The library's compiled GAN of `settings` (`recipe_settings`) at 32 px with `options.filters`; with
    `pseudo_classes`, `labels` are the images' k-means classes (`clustered`)."""
    config = training.TrainConfig(data="digits", filters=options.filters, seed=options.seed, **settings)
    if not config.pseudo_classes:
        return recipes.build_gan(config, channels)
    shares = pseudo_classes.class_shares(labels, config.pseudo_classes).tolist()
    return recipes.build_gan(config, channels, num_classes=config.pseudo_classes, class_shares=shares)


def clustered(images, settings, options):
    """`images`, or `(images, k-means labels)` when `settings` ask for `pseudo_classes` (clustered at
    `pseudo_classes.cluster_size`, as `gan-tf train --pseudo-classes` does)."""
    count = settings["pseudo_classes"]
    if not count:
        return images
    size = pseudo_classes.cluster_size(IMAGE_SIZE)
    pixels = tf.image.resize(images, (size, size), antialias=True).numpy() if size != IMAGE_SIZE else images
    start = time.time()
    labels = pseudo_classes.kmeans_labels(pixels, count, seed=options.seed)
    print(f"k-means: {count} clusters of {len(images)} images in {time.time() - start:.0f} s", flush=True)
    return images, labels


def train_recipe(recipe, images, channels, options, evaluate, **overrides):
    """`train`'s curve for `recipe` (its k-means classes made first when it has them; their time is kept apart)."""
    settings = recipe_settings(recipe, options, **overrides)
    start = time.time()
    data = clustered(images, settings, options)
    clustering_seconds = round(time.time() - start, 1)
    gan = recipe_gan(settings, channels, options, data[1] if isinstance(data, tuple) else None)
    return {"settings": settings, "clustering_seconds": clustering_seconds,
            "curve": train(gan, data, options, evaluate)}


def packed_dcgan(channels, options, packing=2):
    """PacGAN-m on the dcgan recipe: D's input, m flattened images, is put back as one image of m x channels."""
    keras.utils.set_random_seed(options.seed)
    generator = networks.dcgan_generator(100, IMAGE_SIZE, channels, options.filters)
    inner = networks.dcgan_discriminator(IMAGE_SIZE, channels * packing, options.filters)
    packs = keras.Input((packing * IMAGE_SIZE * IMAGE_SIZE * channels,))
    discriminator = keras.Model(packs, inner(on_channels(packs, packing, channels)), name="packed_discriminator")
    gan = models.PacGAN(generator, discriminator, 100, packing=packing, seed=options.seed)
    adam = lambda: keras.optimizers.Adam(2e-4, beta_1=0.5)  # noqa: E731  (the dcgan recipe's)
    gan.compile(d_optimizer=adam(), g_optimizer=adam(), loss="non_saturating", jit_compile=True)
    return gan


def on_channels(packs, packing, channels):
    """`[n, packing * size * size * channels]` packs of `packing.pack` -> `[n, size, size, packing * channels]`:
    sample k of a pack in channels k * channels ... (k + 1) * channels - 1 (PacGAN's Stacked MNIST D)."""
    size = IMAGE_SIZE
    images = keras.layers.Reshape((packing, size, size, channels))(packs)
    images = keras.layers.Permute((2, 3, 1, 4))(images)
    return keras.layers.Reshape((size, size, packing * channels))(images)


def train(gan, images, options, evaluate):
    """Trains `options.steps` steps in chunks of `options.eval_every` on `images` (or `(images, labels)`); returns
    the curve of `evaluate(gan)`."""
    curve, steps, seconds = [], 0, 0.0
    count = len(images[0] if isinstance(images, tuple) else images)
    while steps < options.steps:
        chunk = min(options.eval_every, options.steps - steps)
        data = (tf.data.Dataset.from_tensor_slices(images).repeat()
                .shuffle(min(count, 10_000), seed=options.seed * 1000 + len(curve))  # a new order per chunk
                .batch(BATCH, drop_remainder=True).prefetch(2))
        start = time.time()
        history = gan.fit(data, steps_per_epoch=chunk, epochs=1, verbose=0)
        seconds += time.time() - start
        steps += chunk
        point = {"steps": steps, "training_seconds": round(seconds, 1), **evaluate(gan),
                 "logs": {key: round(float(values[-1]), 4) for key, values in history.history.items()}}
        curve.append(point)
        print(json.dumps(point), flush=True)
    return curve


def small_data(options):
    training_images, _ = small_datasets.digits_subset(SMALL_FRACTION, IMAGE_SIZE, seed=0)
    held_out, _ = small_datasets.digits_held_out(SMALL_FRACTION, IMAGE_SIZE, seed=0)
    reference, other = held_out[:SWD_DIGITS], held_out[SWD_DIGITS: 2 * SWD_DIGITS]
    classifier = quality.train_digits_classifier(image_size=IMAGE_SIZE)

    def scores(images):
        frechet = quality.digits_scores(classifier, images, reference)["classifier_frechet_distance"]
        swd = sliced_wasserstein.sliced_wasserstein_distances(reference, images[:SWD_DIGITS])["mean"]
        return {"frechet_distance": round(frechet, 3), "swd": round(swd, 2)}

    rows = {"held-out digits (floor)": scores(other),
            "the 180 training digits (memorised)": {
                "frechet_distance": round(quality.digits_scores(classifier, training_images, reference)[
                    "classifier_frechet_distance"], 3)}}
    for augment in options.augments.split(","):
        rows[f"dcgan, augment {augment}"] = train_recipe("dcgan", training_images, 1, options,
                                                         lambda gan: scores(gan.generate(FD_SAMPLES, seed=1234)),
                                                         augment=augment)
    return rows


def stacked(options):
    images, _ = small_datasets.stacked_digits(STACKED_TRAINING, IMAGE_SIZE, seed=0)
    classifier = quality.train_digits_classifier(image_size=IMAGE_SIZE)

    def modes(samples):
        found = small_datasets.stacked_digit_modes(classifier, samples)
        return {"modes": found["modes"], "kl_to_uniform": round(found["kl_to_uniform"], 3)}

    rows = {"real stacks (26,000 new draws)": modes(small_datasets.stacked_digits(STACKED_SAMPLES, seed=1)[0])}
    for name in options.models.split(","):
        evaluate = lambda gan: modes(gan.generate(STACKED_SAMPLES, seed=1234))  # noqa: E731
        rows[name] = ({"curve": train(packed_dcgan(3, options), images, options, evaluate)} if name == "pacdcgan2"
                      else train_recipe(name, images, 3, options, evaluate))
    return rows


def photos(options):
    images = small_datasets.photo_crops(PHOTO_TRAINING, IMAGE_SIZE, seed=0)
    real = small_datasets.photo_crops(2 * PHOTO_SWD, IMAGE_SIZE, seed=1)
    first, second = real[:PHOTO_SWD], real[PHOTO_SWD:]

    def swd(samples):
        distances = sliced_wasserstein.sliced_wasserstein_distances(first, samples)
        return {key: round(value, 2) for key, value in distances.items()}

    rows = {"real crops, one half against the other (floor)": swd(second)}
    for name in options.models.split(","):
        rows[name] = train_recipe(name, images, 3, options, lambda gan: swd(gan.generate(PHOTO_SWD, seed=1234)))
    return rows


def settings_of(parser, pairs):
    """{name: value} of `--set NAME=VALUE` pairs (values read as JSON, else kept as strings)."""
    settings = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or name not in {field.name for field in dataclasses.fields(training.TrainConfig)}:
            parser.error(f"--set: expected NAME=VALUE with NAME a TrainConfig setting, got {pair!r}")
        try:
            settings[name] = json.loads(value)
        except json.JSONDecodeError:
            settings[name] = value
    return settings


MEASUREMENTS = {"small-data": small_data, "stacked": stacked, "photos": photos}


def table(rows):
    """One line per row: its final point's numbers (every point of a curve)."""
    lines = []
    for name, row in rows.items():
        points = row.get("curve", [row])
        for point in points:
            numbers = {key: value for key, value in point.items() if key not in ("logs", "training_seconds")}
            lines.append(f"{name:40s} " + "  ".join(f"{key} {value}" for key, value in numbers.items()))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("measurement", choices=sorted(MEASUREMENTS))
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--eval-every", type=int, default=500)
    parser.add_argument("--filters", type=int, default=16)
    parser.add_argument("--augments", default="none,diffaugment,ada", help="small-data: augment settings")
    parser.add_argument("--models", default=None, help="stacked: dcgan,modern,residual,pacdcgan2; "
                        "photos: dcgan,modern,residual (residual: the modern recipe before 2026-12-08)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a TrainConfig setting over the recipes' (repeatable; the value is read as JSON)")
    options = parser.parse_args()
    options.settings = settings_of(parser, options.set)
    if options.models is None:
        options.models = "dcgan,modern,pacdcgan2" if options.measurement == "stacked" else "dcgan,modern"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    started = time.time()
    rows = MEASUREMENTS[options.measurement](options)
    print(table(rows), flush=True)
    result = {"options": vars(options), "wall_seconds": round(time.time() - started), "rows": rows}
    (OUTPUT / f"{options.measurement}.json").write_text(json.dumps(result, indent=1))
    print(f"wrote {OUTPUT / options.measurement}.json in {result['wall_seconds']} s", flush=True)


if __name__ == "__main__":
    main()
