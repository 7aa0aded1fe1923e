"""The GAN of a `gan-tf train` run: networks, model class and optimizers from its settings, and named recipes.

A recipe is a plain dict of `training.TrainConfig` settings; `gan-tf train --recipe NAME` expands to them and
explicit flags override them. A run's settings (recipe included) are fixed by its config.json once it began.
  dcgan    Radford et al.'s DCGAN ("Unsupervised Representation Learning with Deep Convolutional Generative
           Adversarial Networks", https://arxiv.org/abs/1511.06434): non-saturating loss, Adam(2e-4, beta1 0.5),
           batch-norm G and D, the raw generator. TrainConfig's defaults.
  modern   the best measured on the digits and ahead of dcgan on all three image benchmarks (benchmarks/README.md;
           on Stacked digits and photo crops the residual recipe below is ahead of it): the DCGAN networks
           made class-conditional on 20 k-means clusters of the images (`pseudo_classes`, after the self-conditioned
           GAN, Liu et al. 2020, https://arxiv.org/abs/2006.10728), the hinge loss at Adam(6e-4, beta1 0.5), ADA
           (Karras et al. 2020, https://arxiv.org/abs/2006.06676: D's inputs augmented with a probability adapted to
           E[sign D(real)] = 0.6) and a moving average of G's weights sampled instead of G (half-life 10k images,
           StyleGAN2-ADA's ema_kimg = 10: `gan_tf.ema`); G's images pass through the data's native resolution where
           it is known (`choices.NATIVE`: 8x8 for the digits). `choices.fit_to_data` turns the clusters off, with a
           note, where they cannot be (TFDS data, folders of under 10 images a cluster, `conditional`, the variants
           they do not combine with).
           The residual recipe it replaced (SNGAN / BigGAN residual networks, spectrally normalised D, Miyato et al.
           2018, https://arxiv.org/abs/1802.05957; DiffAugment, https://arxiv.org/abs/2006.10738) is a few flags away:
           architecture "residual", spectral_norm, augment "diffaugment", beta_1 0, pseudo_classes 0.

Model class by settings: `FeatureMatchingGAN` (feature_matching > 0), or `GAN` with the variants the settings ask
for, composed by inheritance in the order of `VARIANTS` (outermost first; `composed_class`):
  WGANGP            gradient_penalty > 0: WGAN-GP's penalty (lambda = gradient_penalty) on interpolates of the real
                    and fake images as they are, d_steps critic updates per batch (n_critic; the paper's 5)
  LazyR1GAN         r1_gamma > 0: lazy R1 on the real images as they are, every r1_every D steps
  InstanceNoiseGAN  instance_noise > 0: D sees images + N(0, s^2) noise (before any augmentation), s annealed linearly
                    from instance_noise to 0 over instance_noise_steps batches (0: constant)
  AugmentedGAN      augment "diffaugment" (every transform on every image) or "ada" (probability p from 0, adapted
                    to ADA's target 0.6)
(`AugmentedR1GAN` is R1 with augmentation), and packing > 1 wraps D in `packing.packed_discriminator` (PacGAN:
D judges packs of `packing` images stacked along the channels). Each keeps a generator average when
ema_half_life > 0. generator_resolution > 0 ends G with `low_resolution.generator_through` (its images through
that size, as the loader's small images: 8 for the digits). Pairs that do not combine are refused by
`choices.check_combinations`.

Not offered (both stay in the API): consensus optimization (`models.ConsensusGAN`: simultaneous updates, one of
each player per batch, plus a Hessian-vector product, about 3x a step; its authors' later "Which Training Methods
for GANs do actually Converge?", https://arxiv.org/abs/1801.04406, recommends the simpler R1 penalty, `--r1`) and
the unrolled GAN (`models.UnrolledGAN`: G's loss through K plain gradient steps of D, K + 1 passes of D
differentiated twice per G step, about K + 1 times a step's time and memory, its step size tuned on 2-D mixtures).

Conditional runs (`conditional`, the classes of the data; or `pseudo_classes`, k-means clusters of the images,
`gan_tf.images.pseudo_classes`): `models.ConditionalGAN` with the class-conditional networks of
`gan_tf.conditional_networks` (the one-hot label concatenated to z in G, a projection discriminator), on the plain
GAN, with or without augmentation (`models.AugmentedConditionalGAN`: D sees augmented images beside their labels) and
a generator average (no feature matching, R1, gradient penalty, instance noise or packing:
`choices.check_combinations`). With `pseudo_classes` the model also gets the
clusters' shares, so that its samples draw the clusters as the data has them.
"""

import dataclasses
import functools

import keras
import numpy as np
import tensorflow as tf

from gan_tf import (
    augment,
    checks,
    conditional_networks,
    cpu_path,
    losses,
    low_resolution,
    models,
    networks,
    residual_networks,
)
from gan_tf.images import choices
from gan_tf.models import packing

ARCHITECTURES = choices.ARCHITECTURES
AUGMENTS = choices.AUGMENTS
LOSSES = tuple(losses.FAMILIES)
ADA_TARGET = 0.6  # Karras et al. 2020's target for E[sign(D(real))]
RECIPES, DEFAULT_RECIPE = choices.RECIPES, choices.DEFAULT_RECIPE


@keras.saving.register_keras_serializable(package="gan_tf")
class AugmentedR1GAN(models.LazyR1GAN, models.AugmentedGAN):
    """DiffAugment / ADA and lazy R1 together: the penalty is taken on the real images before augmentation."""


# The variants, outermost first: penalties on the images as they are, then noise, then augmentation (which calls D).
VARIANTS = (models.WGANGP, models.LazyR1GAN, models.InstanceNoiseGAN, models.AugmentedGAN)
NAMED_COMBINATIONS = {(models.LazyR1GAN, models.AugmentedGAN): AugmentedR1GAN}


def check(config):
    """ValueError for settings no model of this module can build (messages name the flag)."""
    if config.architecture not in ARCHITECTURES:
        raise ValueError(f"architecture (--architecture) must be one of {ARCHITECTURES}, got {config.architecture!r}.")
    if config.loss not in LOSSES:
        raise ValueError(f"loss (--loss) must be one of {LOSSES}, got {config.loss!r}.")
    if config.augment not in AUGMENTS:
        raise ValueError(f"augment (--augment) must be one of {AUGMENTS}, got {config.augment!r}.")
    if not isinstance(config.spectral_norm, bool):
        raise ValueError(f"spectral_norm (--spectral-norm) must be True or False, got {config.spectral_norm!r}.")
    resolution = checks.integer_at_least("generator_resolution (--generator-resolution)",
                                         config.generator_resolution, 0)
    if resolution and (resolution >= config.image_size or config.image_size % resolution):
        raise ValueError(f"generator_resolution (--generator-resolution) must divide image_size (--image-size) "
                         f"{config.image_size} and be below it (0: off), got {resolution}.")
    if config.spectral_norm and config.architecture != "residual":
        raise ValueError("spectral_norm (--spectral-norm) is for architecture 'residual' (--architecture residual), "
                         f"got architecture {config.architecture!r}.")
    if config.feature_matching > 0 and (config.augment != "none" or config.r1_gamma > 0
                                        or config.architecture == "residual"):
        raise ValueError("feature_matching (--feature-matching) works with the DCGANs alone: not with --augment, "
                         "--r1 or --architecture residual.")
    choices.check_combinations(dataclasses.asdict(config))


def build_gan(config, channels, num_classes=None, class_shares=None):
    """The compiled GAN of `config` (a `training.TrainConfig`) for images with `channels` channels (call inside
    `training.dtype_policy` and the strategy's scope); `num_classes`: the classes of a conditional run;
    `class_shares`: the shares of the k-means classes of a `pseudo_classes` run."""
    keras.utils.set_random_seed(config.seed)
    options = dict(d_steps=config.d_steps, g_steps=config.g_steps, seed=config.seed,
                   latent_distribution=config.latent_distribution, ema_half_life=config.ema_half_life or None)
    if config.conditional or config.pseudo_classes:
        generator, discriminator = conditional_networks_of(config, channels, num_classes)
        augmented = config.augment != "none"
        model_class = models.AugmentedConditionalGAN if augmented else models.ConditionalGAN
        variant = {"num_classes": num_classes, "class_shares": class_shares, **augment_options(config)}
    else:
        generator, discriminator = networks_of(config, channels)
        model_class, variant = model_class_of(config)
    if config.generator_resolution:
        generator = low_resolution.generator_through(generator, config.generator_resolution)
    if issubclass(model_class, models.WGANGP):  # its n_critic is d_steps
        del options["d_steps"]
    gan = model_class(generator, discriminator, config.latent_dim, **options, **variant)
    gan.compile(d_optimizer=make_optimizer(config), g_optimizer=make_optimizer(config), loss=config.loss,
                jit_compile=jit_compile_of(config))
    gan.d_optimizer.build(discriminator.trainable_variables)
    gan.g_optimizer.build(generator.trainable_variables)
    return gan


def jit_compile_of(config):
    """`config.jit_compile`, or when it is None the choice for this machine: XLA unless it is CPU-only with oneDNN in
    effect (XLA programs do not use oneDNN's kernels: 0.65-0.78x its speed for DCGANs at 32x32 and 64x64 on the
    AVX2 Zen 3, `gan_tf.cpu_path.xla_for_convolutional_gans`, benchmarks/README.md)."""
    if config.jit_compile is not None:
        return config.jit_compile
    return bool(tf.config.list_physical_devices("GPU")) or cpu_path.xla_for_convolutional_gans()


def networks_of(config, channels):
    """(generator, discriminator) of `config.architecture`; with packing > 1, D packs its input images first."""
    generator, discriminator = architecture_networks(config, channels, channels * config.packing)
    if config.packing > 1:
        discriminator = packing.packed_discriminator(discriminator, config.packing)
    return generator, discriminator


def architecture_networks(config, channels, discriminator_channels):
    """(generator of `channels`-channel images, discriminator of `discriminator_channels`-channel ones)."""
    if config.architecture == "residual":
        generator = residual_networks.residual_generator(config.latent_dim, config.image_size, channels,
                                                         config.filters, config.sync_batch_norm)
        return generator, residual_networks.residual_discriminator(config.image_size, discriminator_channels,
                                                                   config.filters, config.spectral_norm)
    shared = dict(image_size=config.image_size, stddev=config.init_stddev,
                  synchronized_batch_norm=config.sync_batch_norm)
    if config.architecture == "radford":
        return (networks.dcgan_generator(latent_dim=config.latent_dim, filters=config.filters, channels=channels,
                                         **shared),
                networks.dcgan_discriminator(filters=config.filters, channels=discriminator_channels, **shared))
    depths = dense_dcgan_depths(config)
    return (networks.dense_dcgan_generator(latent_dim=config.latent_dim, depths=depths, channels=channels, **shared),
            networks.dense_dcgan_discriminator(depths=tuple(reversed(depths)), channels=discriminator_channels,
                                               **shared))


def conditional_networks_of(config, channels, num_classes):
    """(G(z, y), D(x, y)) of `config.architecture`: the networks of `networks_of` with G built for z and the
    one-hot label concatenated, D given a class projection (`gan_tf.conditional_networks`)."""
    checks.integer_at_least("num_classes (the classes of a conditional run)", num_classes, 2)
    wider = dataclasses.replace(config, latent_dim=config.latent_dim + num_classes)
    generator, discriminator = networks_of(wider, channels)
    return (conditional_networks.conditional_generator(generator, num_classes),
            conditional_networks.projection_discriminator(discriminator, num_classes))


def model_class_of(config):
    """(model class, its own keyword arguments) for `config` (see the module docstring)."""
    if config.feature_matching > 0:
        return models.FeatureMatchingGAN, {"weight": config.feature_matching}
    variant = augment_options(config)
    if config.r1_gamma > 0:
        variant.update(r1_gamma=config.r1_gamma, r1_every=config.r1_every)
    if config.gradient_penalty > 0:
        variant.update(gp_weight=config.gradient_penalty, n_critic=config.d_steps)
    if config.instance_noise > 0:
        variant.update(initial_stddev=config.instance_noise, anneal_steps=config.instance_noise_steps or None)
    wanted = {models.WGANGP: config.gradient_penalty > 0, models.LazyR1GAN: config.r1_gamma > 0,
              models.InstanceNoiseGAN: config.instance_noise > 0, models.AugmentedGAN: config.augment != "none"}
    return composed_class(tuple(variant_class for variant_class in VARIANTS if wanted[variant_class])), variant


def augment_options(config):
    """`models.AugmentedGAN`'s keyword arguments for `config.augment` ({} for "none")."""
    if config.augment == "none":
        return {}
    ada = config.augment == "ada"
    return dict(policies=augment.POLICIES, probability=0.0 if ada else 1.0, ada_target=ADA_TARGET if ada else None)


def composed_class(variant_classes):
    """`GAN` with `variant_classes` (`VARIANTS` in their order): `GAN` for none, the class itself for one, else a
    subclass of all of them (the same class for the same variants; `NAMED_COMBINATIONS` by their names)."""
    if not variant_classes:
        return models.GAN
    if len(variant_classes) == 1:
        return variant_classes[0]
    return NAMED_COMBINATIONS.get(variant_classes) or _subclass_of(variant_classes)


@functools.cache
def _subclass_of(variant_classes):
    name = "".join(variant_class.__name__.removesuffix("GAN") for variant_class in variant_classes) + "GAN"
    return type(name, variant_classes, {"__module__": __name__, "__doc__": "`GAN` with " + ", ".join(
        variant_class.__name__ for variant_class in variant_classes) + " (see `gan_tf.images.recipes`)."})


def make_optimizer(config):
    """Adam(learning_rate, beta_1), loss-scaled under mixed_float16."""
    optimizer = keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1)
    if config.precision == "mixed_float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def dense_dcgan_depths(config):
    """The dense-ended DCGAN's depths, G's first block first: filters * 2**k down to filters."""
    blocks = int(np.log2(config.image_size // 4))
    return tuple(config.filters * 2 ** index for index in reversed(range(blocks)))
