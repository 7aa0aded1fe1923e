"""The GAN of a `gan-tf train` run: networks, model class and optimizers from its settings, and named recipes.

A recipe is a plain dict of `training.TrainConfig` settings; `gan-tf train --recipe NAME` expands to them and
explicit flags override them. A run's settings (recipe included) are fixed by its config.json once it began.
  dcgan    Radford et al.'s DCGAN ("Unsupervised Representation Learning with Deep Convolutional Generative
           Adversarial Networks", https://arxiv.org/abs/1511.06434): non-saturating loss, Adam(2e-4, beta1 0.5),
           batch-norm G and D, the raw generator. TrainConfig's defaults.
  modern   what recent small-data image GANs combine: the SNGAN / BigGAN residual networks with a spectrally
           normalised D and the hinge loss (Miyato et al. 2018, "Spectral Normalization for Generative Adversarial
           Networks", https://arxiv.org/abs/1802.05957: Adam beta1 0), DiffAugment on everything D sees (Zhao et
           al. 2020, https://arxiv.org/abs/2006.10738) and a moving average of G's weights sampled instead of G
           (half-life 10k images, StyleGAN2-ADA's ema_kimg = 10: `gan_tf.ema`).

Model class by settings: `FeatureMatchingGAN` (feature_matching > 0), `AugmentedGAN` (augment "diffaugment": every
transform on every image; "ada": probability p from 0, adapted to ADA's target 0.6), `LazyR1GAN` (r1_gamma > 0,
every r1_every D steps), `AugmentedR1GAN` (both), `GAN` otherwise; each keeps a generator average when
ema_half_life > 0.

Conditional runs (`conditional`, the classes of the data): `models.ConditionalGAN` with the class-conditional
networks of `gan_tf.conditional_networks` (the one-hot label concatenated to z in G, a projection discriminator),
on the plain GAN only (no feature matching, augmentation or R1), with or without a generator average.
"""

import dataclasses

import keras
import numpy as np

from gan_tf import augment, checks, conditional_networks, losses, models, networks, residual_networks
from gan_tf.images import choices

ARCHITECTURES = choices.ARCHITECTURES
AUGMENTS = choices.AUGMENTS
LOSSES = tuple(losses.FAMILIES)
ADA_TARGET = 0.6  # Karras et al. 2020's target for E[sign(D(real))]
RECIPES, DEFAULT_RECIPE = choices.RECIPES, choices.DEFAULT_RECIPE


@keras.saving.register_keras_serializable(package="gan_tf")
class AugmentedR1GAN(models.LazyR1GAN, models.AugmentedGAN):
    """DiffAugment / ADA and lazy R1 together: the penalty is taken on the real images before augmentation."""


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
    if config.spectral_norm and config.architecture != "residual":
        raise ValueError("spectral_norm (--spectral-norm) is for architecture 'residual' (--architecture residual), "
                         f"got architecture {config.architecture!r}.")
    if config.feature_matching > 0 and (config.augment != "none" or config.r1_gamma > 0
                                        or config.architecture == "residual"):
        raise ValueError("feature_matching (--feature-matching) works with the DCGANs alone: not with --augment, "
                         "--r1 or --architecture residual.")
    if config.conditional and (config.feature_matching > 0 or config.augment != "none" or config.r1_gamma > 0):
        raise ValueError("conditional (--conditional) works with the plain GAN alone: not with --feature-matching, "
                         "--augment (use --augment none with --recipe modern) or --r1.")


def build_gan(config, channels, num_classes=None):
    """The compiled GAN of `config` (a `training.TrainConfig`) for images with `channels` channels (call inside
    `training.dtype_policy` and the strategy's scope); `num_classes`: the classes of a conditional run."""
    keras.utils.set_random_seed(config.seed)
    options = dict(d_steps=config.d_steps, g_steps=config.g_steps, seed=config.seed,
                   latent_distribution=config.latent_distribution, ema_half_life=config.ema_half_life or None)
    if config.conditional:
        generator, discriminator = conditional_networks_of(config, channels, num_classes)
        model_class, variant = models.ConditionalGAN, {"num_classes": num_classes}
    else:
        generator, discriminator = networks_of(config, channels)
        model_class, variant = model_class_of(config)
    gan = model_class(generator, discriminator, config.latent_dim, **options, **variant)
    gan.compile(d_optimizer=make_optimizer(config), g_optimizer=make_optimizer(config), loss=config.loss,
                jit_compile=config.jit_compile)
    gan.d_optimizer.build(discriminator.trainable_variables)
    gan.g_optimizer.build(generator.trainable_variables)
    return gan


def networks_of(config, channels):
    """(generator, discriminator) of `config.architecture`."""
    if config.architecture == "residual":
        generator = residual_networks.residual_generator(config.latent_dim, config.image_size, channels,
                                                         config.filters, config.sync_batch_norm)
        return generator, residual_networks.residual_discriminator(config.image_size, channels, config.filters,
                                                                   config.spectral_norm)
    shared = dict(image_size=config.image_size, channels=channels, stddev=config.init_stddev,
                  synchronized_batch_norm=config.sync_batch_norm)
    if config.architecture == "radford":
        return (networks.dcgan_generator(latent_dim=config.latent_dim, filters=config.filters, **shared),
                networks.dcgan_discriminator(filters=config.filters, **shared))
    depths = dense_dcgan_depths(config)
    return (networks.dense_dcgan_generator(latent_dim=config.latent_dim, depths=depths, **shared),
            networks.dense_dcgan_discriminator(depths=tuple(reversed(depths)), **shared))


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
    variant = {}
    if config.augment != "none":
        ada = config.augment == "ada"
        variant.update(policies=augment.POLICIES, probability=0.0 if ada else 1.0,
                       ada_target=ADA_TARGET if ada else None)
    if config.r1_gamma > 0:
        variant.update(r1_gamma=config.r1_gamma, r1_every=config.r1_every)
    augmented, penalized = config.augment != "none", config.r1_gamma > 0
    model_class = {(False, False): models.GAN, (True, False): models.AugmentedGAN,
                   (False, True): models.LazyR1GAN, (True, True): AugmentedR1GAN}[augmented, penalized]
    return model_class, variant


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
