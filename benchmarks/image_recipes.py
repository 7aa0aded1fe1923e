"""Image recipes on scikit-learn's digits: today's DCGAN against a "modern" recipe at the same wall-clock budget.

  dcgan    `networks.dcgan_generator/discriminator` at 32 px (filters 64, z of 100), Adam(2e-4, beta_1 0.5),
           non-saturating loss, batch 64 (Radford et al. 2016, https://arxiv.org/abs/1511.06434)
  modern   SNGAN's residual G and spectrally normalised D (`residual_networks`, width `--width`), hinge loss,
           Adam(2e-4, beta (0, 0.9)), DiffAugment on D's inputs (`models.AugmentedGAN`, `--policies`), and a
           moving average of G's weights (`GAN(ema_half_life=...)`, StyleGAN2-ADA's ramp), batch 64: the modern
           recipe of `gan-tf train` until 2026-12-08 (now the residual one of `image_quality.py`). Today's
           `--recipe modern` is the dcgan networks here with `--pseudo-classes 20 --loss hinge --d-learning-rate 6e-4
           --g-learning-rate 6e-4 --dcgan-ema-half-life 10000 --generator-resolution 8` and ADA (which this script does
           not offer): run it with `gan-tf train --recipe modern` and score it with `score_digits_run.py`.

Every `--eval-every` steps (and at the end) 2,000 samples of the raw generator and of its average are scored by
`quality.digits_scores` (the digits classifier trained on the training split as a GAN sees it, 32 px): its inception
score, the classes covered, and the Frechet distance of its hidden features against the real test split (360
digits). A "real" row scores the training split the same way. Training stops after `--steps` steps or about
`--seconds` of training (evaluation excluded; the last chunk is sized to end there at the speed so far), whichever
comes first. `--fraction 0.1` trains on 10% of the digits (180 images) and adds ProGAN's sliced Wasserstein distance
against those images. `--conditional` (dcgan only) trains `models.ConditionalGAN` on (image, digit) pairs: G(z, y)
with the one-hot digit beside z and a projection D (`gan_tf.conditional_networks`), the networks `gan-tf train
--conditional` builds; its samples ask for the digits 0-9 in turn (so its class shares are uniform by construction,
which lifts the IS) and it adds `class_agreement`, the share the classifier reads as the digit asked for.
`--pseudo-classes K` uses no label: it trains the same conditional networks on K k-means clusters of the images'
pixels (`gan_tf.images.pseudo_classes`, after the self-conditioned GAN) and samples the clusters with their shares
in the data: an unconditional generator overall.

Command (from the repository root, one run at a time on a shared machine):
    nice -n 5 env PYTHONPATH=. TF_CPP_MIN_LOG_LEVEL=2 python benchmarks/image_recipes.py --recipe modern --steps 1200
Writes outputs/image_recipes/<recipe>[_<tag>].json (the curve) and .png (64 samples of the average, or of G).

Machine: AMD EPYC (Zen 3), 2 vCPUs, AVX2 (no AVX-512), shared with other jobs (load 2.4-4.4), TF 2.21 / Keras 3,
2026-11-30; `--seconds 840` of training each, one run at a time, `nice -n 5`. Measured there (FD: classifier
Frechet distance to the test split; the real training split scores IS 9.69, FD 0.40):
    recipe (all cover the 10 classes)                  steps   G: IS / FD    average: IS / FD
    dcgan                                              1,500   6.88 / 1.94   -
    modern, width 32, lr 2e-4, translation + cutout    1,200   6.39 / 2.62   6.42 / 2.33
    modern, width 32, lr 5e-4, translation             1,180   6.64 / 3.47   6.92 / 2.40
(`--recipe modern --d-learning-rate 5e-4 --g-learning-rate 5e-4 --policies translation` for the last row.) At
this budget (~1.2-1.5k steps) neither reaches the issue's target (IS >= 9.0, FD <= 0.8); the dcgan is ahead.
The best so far, alone on the idle machine with oneDNN (2026-12-01): `--recipe dcgan --filters 32
--dcgan-ema-half-life 10000 --dcgan-policies translation --no-xla --seconds 840 --steps 100000` (prefix
TF_ENABLE_ONEDNN_OPTS=1): 7,719 steps, average IS 7.48 / FD 0.99 (raw G 7.50 / 1.07); with `--generator-resolution 8`
(G's images through the digits' own 8x8, `gan_tf.low_resolution`): 9,294 steps, average IS 8.44 / FD 0.42; with
it and without --dcgan-policies: 9,495 steps, 8.70 / 0.48 (raw G 8.66 / 0.73); with `--d-learning-rate 6e-4
--g-learning-rate 6e-4` too: 6,997 steps (a slower day), 8.73 / 0.36. The same with classes (AMD EPYC Zen 4, AVX-512,
2026-12-07): `--conditional` 9,163 steps, 9.59 / 0.37; `--pseudo-classes 20` (no labels) 10,569 steps, 9.46 / 0.31,
the first to meet both targets; benchmarks/README.md.
"""

import argparse
import json
import pathlib
import time

import keras
import numpy as np
import tensorflow as tf

from gan_tf import augment, conditional_networks, low_resolution, networks, residual_networks
from gan_tf.images import datasets, pseudo_classes, quality, recipes, sliced_wasserstein, small_datasets
from gan_tf.models import augmented, conditional, regularized
from gan_tf.models import gan as gan_module

IMAGE_SIZE = 32
DIGITS = 10
BATCH = 64
SAMPLES = 2000
OUTPUT = pathlib.Path("outputs/image_recipes")


def make_dcgan(options):
    classes = options.classes  # 0: unconditional; else G(z, y) takes z and the one-hot class concatenated
    generator = networks.dcgan_generator(latent_dim=100 + classes, image_size=IMAGE_SIZE, channels=1,
                                         filters=options.filters)
    discriminator = networks.dcgan_discriminator(image_size=IMAGE_SIZE, channels=1, filters=options.filters)
    if classes:
        generator = conditional_networks.conditional_generator(generator, classes)
        discriminator = conditional_networks.projection_discriminator(discriminator, classes)
    if options.generator_resolution:
        generator = low_resolution.generator_through(generator, options.generator_resolution)
    shared = dict(seed=options.seed, d_steps=options.d_steps, ema_half_life=options.dcgan_ema_half_life or None)
    if classes:
        gan = conditional.ConditionalGAN(generator, discriminator, 100, classes, **shared)
    else:
        gan = plain_or_augmented(generator, discriminator, 100, options.dcgan_policies, r1_gamma=options.r1,
                                 **shared)
    adam = lambda rate: keras.optimizers.Adam(decayed(rate, options.decay_steps), beta_1=0.5)  # noqa: E731
    gan.compile(d_optimizer=adam(options.d_learning_rate), g_optimizer=adam(options.g_learning_rate),
                loss=options.loss or "non_saturating", jit_compile=options.xla)
    return gan


def make_modern(options):
    generator = residual_networks.residual_generator(latent_dim=128, image_size=IMAGE_SIZE, channels=1,
                                                     width=options.width)
    discriminator = residual_networks.residual_discriminator(image_size=IMAGE_SIZE, channels=1, width=options.width)
    gan = plain_or_augmented(generator, discriminator, 128, options.policies, seed=options.seed,
                             d_steps=options.d_steps, ema_half_life=options.ema_half_life, r1_gamma=options.r1)
    adam = lambda rate: keras.optimizers.Adam(decayed(rate, options.decay_steps), beta_1=0.0, beta_2=0.9)  # noqa: E731
    gan.compile(d_optimizer=adam(options.d_learning_rate), g_optimizer=adam(options.g_learning_rate),
                loss=options.loss or "hinge", jit_compile=options.xla)
    return gan


def decayed(rate, decay_steps):
    """`rate`, or a cosine decay from it to 0 over `decay_steps` optimizer updates when that is > 0."""
    return keras.optimizers.schedules.CosineDecay(rate, decay_steps, alpha=0.0) if decay_steps > 0 else rate


def plain_or_augmented(generator, discriminator, latent_dim, policies, r1_gamma=0.0, **options):
    """`AugmentedGAN` with DiffAugment's comma-separated `policies`, or the plain `GAN` when there are none; with
    lazy R1 (`LazyR1GAN`, every 16 D steps) when `r1_gamma` > 0."""
    policies = [name for name in policies.split(",") if name]
    if r1_gamma > 0:
        if policies:
            return recipes.AugmentedR1GAN(generator, discriminator, latent_dim, policies=policies, r1_gamma=r1_gamma,
                                          **options)
        return regularized.LazyR1GAN(generator, discriminator, latent_dim, r1_gamma=r1_gamma, **options)
    if policies:
        return augmented.AugmentedGAN(generator, discriminator, latent_dim, policies=policies, **options)
    return gan_module.GAN(generator, discriminator, latent_dim, **options)


RECIPES = {"dcgan": make_dcgan, "modern": make_modern}


def training_images(fraction):
    """(images `[n, 32, 32, 1]` in [-1, 1], labels `[n]`) of all the digits or of a seeded `fraction` of them."""
    if fraction >= 1:
        images, labels = datasets.digits_arrays("all")
        return datasets.upscale_digits(images[..., None], IMAGE_SIZE).numpy(), labels
    return small_datasets.digits_subset(fraction, IMAGE_SIZE, seed=0)


def dataset(images, labels, seed):
    """Shuffled batches of `images`, or of (images, labels) pairs when `labels` is not None (conditional runs)."""
    elements = images if labels is None else (images, labels.astype(np.int32))
    return (tf.data.Dataset.from_tensor_slices(elements).repeat().shuffle(len(images), seed=seed)
            .batch(BATCH, drop_remainder=True).prefetch(2))


def sample_labels(options, training_labels):
    """The classes asked of a conditional G's 2,000 samples: the digits 0-9 in turn (`--conditional`), or clusters
    drawn (seeded) with their shares in the training data (`--pseudo-classes`); None when unconditional."""
    if options.conditional:
        return np.arange(SAMPLES) % DIGITS
    if options.pseudo_classes:
        shares = pseudo_classes.class_shares(training_labels, options.classes)
        return conditional.draw_classes(conditional.checked_shares(shares, options.classes), SAMPLES, seed=1234)
    return None


def scores(gan, classifier, reference, training, average, labels=None, digits_asked=False):
    """`quality.digits_scores` of 2,000 samples (of the classes `labels` for a conditional G; with `digits_asked`
    the share the classifier reads as the digit asked for, `class_agreement`), SWD; and the samples."""
    if labels is None:
        samples = gan.generate(SAMPLES, seed=1234, average=average)
    else:
        samples = gan.generate(SAMPLES, labels=labels, seed=1234, average=average)
    result = quality.digits_scores(classifier, samples, reference)
    if digits_asked:
        read = classifier.predict(quality.to_digit_inputs(samples))
        result["class_agreement"] = float(np.mean(read == labels))
    if len(training) < SAMPLES:  # small-data runs: ProGAN's SWD against the training images
        result["swd_mean"] = sliced_wasserstein.sliced_wasserstein_distances(training, samples[: len(training)])["mean"]
    return {key: value for key, value in result.items() if key != "class_shares"} | {
        "class_shares": result["class_shares"]}, samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", choices=sorted(RECIPES), required=True)
    parser.add_argument("--steps", type=int, default=1200)
    parser.add_argument("--seconds", type=float, default=900.0)
    parser.add_argument("--eval-every", type=int, default=300)
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--policies", default="translation,cutout", help=f"comma-separated {augment.POLICIES}")
    parser.add_argument("--ema-half-life", type=float, default=10_000)
    parser.add_argument("--filters", type=int, default=64, help="dcgan: the networks' filters")
    parser.add_argument("--dcgan-ema-half-life", type=float, default=0.0, help="dcgan: a generator average (images)")
    parser.add_argument("--dcgan-policies", default="", help="dcgan: DiffAugment's policies (default none)")
    parser.add_argument("--generator-resolution", type=int, default=0,
                        help="dcgan: G's images through this size (gan_tf.low_resolution; digits: 8)")
    parser.add_argument("--conditional", action="store_true",
                        help="dcgan: class-conditional (models.ConditionalGAN, G on z and the one-hot digit, a "
                        "projection D)")
    parser.add_argument("--pseudo-classes", type=int, default=0,
                        help="dcgan: conditional on this many k-means clusters of the images, no labels used (a "
                        "self-conditioned GAN; 0: none)")
    parser.add_argument("--loss", default="", help="the loss family (default: the recipe's)")
    parser.add_argument("--r1", type=float, default=0.0, help="lazy R1's gamma (0: none)")
    parser.add_argument("--decay-steps", type=int, default=0, help="both learning rates decay to 0 over this many "
                        "steps (cosine; 0: constant)")
    parser.add_argument("--d-steps", type=int, default=1)
    parser.add_argument("--d-learning-rate", type=float, default=2e-4)
    parser.add_argument("--g-learning-rate", type=float, default=2e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tag", default="")
    parser.add_argument("--xla", action=argparse.BooleanOptionalAction, default=True,
                        help="XLA-compile the step (--no-xla with TF_ENABLE_ONEDNN_OPTS=1: oneDNN's path, "
                        "gan_tf.cpu_path)")
    options = parser.parse_args()
    if options.pseudo_classes < 0 or options.pseudo_classes == 1:
        parser.error(f"--pseudo-classes: 0 (none) or at least 2, got {options.pseudo_classes}")
    if (options.conditional or options.pseudo_classes) and (
            options.recipe != "dcgan" or options.dcgan_policies or options.r1 or
            (options.conditional and options.pseudo_classes)):
        parser.error("--conditional or --pseudo-classes: one of them, only with --recipe dcgan, without "
                     "--dcgan-policies and --r1")
    options.classes = DIGITS if options.conditional else options.pseudo_classes
    OUTPUT.mkdir(parents=True, exist_ok=True)
    name = options.recipe + (f"_{options.tag}" if options.tag else "")
    keras.utils.set_random_seed(options.seed)

    started = time.time()
    classifier = quality.train_digits_classifier(image_size=IMAGE_SIZE)
    test_images, _ = datasets.digits_arrays("test")
    reference = datasets.upscale_digits(test_images[..., None], IMAGE_SIZE).numpy()
    train_images, _ = datasets.digits_arrays("train")
    real = quality.digits_scores(classifier, datasets.upscale_digits(train_images[..., None], IMAGE_SIZE).numpy(),
                                 reference)
    print(f"classifier ready in {time.time() - started:.0f} s; real training split: IS "
          f"{real['classifier_inception_score']:.2f}, FD {real['classifier_frechet_distance']:.3f}", flush=True)

    training, training_labels = training_images(options.fraction)
    purity = None
    if options.pseudo_classes:  # the share of images whose cluster's most common digit is theirs (information only)
        clusters = pseudo_classes.kmeans_labels(training, options.pseudo_classes, options.seed)
        purity = sum(np.bincount(training_labels[clusters == k]).max() for k in np.unique(clusters)) / len(clusters)
        print(f"{options.pseudo_classes} k-means clusters, purity {purity:.3f}", flush=True)
        training_labels = clusters
    asked = sample_labels(options, training_labels)
    gan = RECIPES[options.recipe](options)
    steps, training_seconds, curve = 0, 0.0, []
    last = False
    while steps < options.steps and training_seconds < options.seconds and not last:
        chunk = min(options.eval_every, options.steps - steps)
        if steps:  # the last chunk ends near the time budget, at the speed measured so far; then the run stops
            in_budget = max(1, round((options.seconds - training_seconds) * steps / training_seconds))
            last, chunk = in_budget < chunk, min(chunk, in_budget)
        start = time.time()
        labels = training_labels if options.classes else None
        data = dataset(training, labels, options.seed * 1000 + len(curve))  # a new shuffle order for every chunk
        history = gan.fit(data, steps_per_epoch=chunk, epochs=1, verbose=0)
        training_seconds += time.time() - start
        steps += chunk
        point = {"steps": steps, "training_seconds": round(training_seconds, 1),
                 "logs": {key: round(float(values[-1]), 4) for key, values in history.history.items()}}
        for label, average in (("generator", False), ("average", True)):
            if label == "average" and gan.generator_average is None:
                continue
            point[label], samples = scores(gan, classifier, reference, training, average, asked,
                                           options.conditional)
        curve.append(point)
        print(json.dumps({key: point[key] for key in point if key != "logs"} | {"logs": point["logs"]}), flush=True)
    final = curve[-1]
    keras.utils.save_img(OUTPUT / f"{name}.png", grid(samples[:64]), scale=True)
    summary = {"recipe": options.recipe, "options": vars(options), "real_training_split": real,
               "images": len(training), "cluster_purity": purity, "steps": steps, "training_seconds": training_seconds,
               "wall_seconds": time.time() - started, "final": final, "curve": curve}
    (OUTPUT / f"{name}.json").write_text(json.dumps(summary, indent=1))
    print(f"wrote {OUTPUT / name}.json", flush=True)


def grid(images, columns=8):
    rows = len(images) // columns
    images = images[: rows * columns].reshape(rows, columns, *images.shape[1:])
    return np.concatenate(np.concatenate(images, axis=1), axis=1)


if __name__ == "__main__":
    main()
