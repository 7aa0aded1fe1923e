"""What `gan-tf train` lets a user choose, without TensorFlow, so that the command checks its flags before
importing it: the recipes, the values each flag takes and the combinations of model variants it refuses.

The recipes are defined here once (`gan_tf.images.recipes` builds them); the other lists repeat names the library
defines in TensorFlow modules (tests/test_cli.py checks that they equal networks.DCGAN_SIZES, recipes.ARCHITECTURES,
losses.FAMILIES, models.gan.LATENT_DISTRIBUTIONS and strategies.STRATEGIES).
"""

import os

from gan_tf.images import image_files

IMAGE_SIZES = (16, 32, 64, 128)
ARCHITECTURES = ("radford", "dense_dcgan", "residual")  # residual: `gan_tf.residual_networks`, filters = width
LOSSES = ("minimax", "non_saturating", "wasserstein", "hinge", "least_squares")
AUGMENTS = ("none", "diffaugment", "ada")
NATIVE = "native"  # a recipe's generator_resolution: the data's own resolution where it is known (NATIVE_RESOLUTIONS)
NATIVE_RESOLUTIONS = {"digits": 8}  # the 8x8 digits, enlarged by the loader
IMAGES_PER_CLUSTER = 10  # a recipe's k-means classes need this many images a cluster (digits: 72; untested below)
RECIPES = {
    "dcgan": {"architecture": "radford", "loss": "non_saturating", "beta_1": 0.5, "learning_rate": 2e-4,
              "ema_half_life": 0.0, "augment": "none", "r1_gamma": 0.0, "spectral_norm": False, "pseudo_classes": 0,
              "generator_resolution": 0},
    "modern": {"architecture": "radford", "loss": "hinge", "beta_1": 0.5, "learning_rate": 6e-4,
               "ema_half_life": 10_000.0, "augment": "ada", "r1_gamma": 0.0, "spectral_norm": False,
               "pseudo_classes": 20, "generator_resolution": NATIVE},
}
DEFAULT_RECIPE = "modern"
EMA_HALF_LIFE = 10_000.0  # --ema without a value (gan_tf.ema.HALF_LIFE_IMAGES)
LATENT_DISTRIBUTIONS = ("normal", "uniform")
STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")
EVAL_MEASURES = ("swd", "fid", "kid")  # gan_tf.images.evaluation.MEASURES
# TrainConfig's defaults of the settings `check_combinations` reads (the variants' off values), for partial settings.
COMBINATION_DEFAULTS = {"gradient_penalty": 0.0, "instance_noise": 0.0, "instance_noise_steps": 0, "packing": 1,
                        "r1_gamma": 0.0, "augment": "none", "feature_matching": 0.0, "batch_size": 64,
                        "conditional": False, "pseudo_classes": 0}


def fit_to_data(settings, data, explicit=()):
    """`settings` (a recipe's, with the explicit flags' over them) made concrete for `--data data`; returns the notes
    to print for what the recipe could not turn on. A `NATIVE` generator_resolution becomes the data's own
    (`NATIVE_RESOLUTIONS`; 0 elsewhere, or where it does not divide the image size). A recipe's k-means classes
    (`pseudo_classes`, not in `explicit`) need images in hand, 'digits' or a folder of at least `IMAGES_PER_CLUSTER`
    image files a cluster, and no flag they do not combine with (`check_combinations`): otherwise they are off and
    a note says why."""
    fitted = dict(settings)
    if fitted.get("generator_resolution") == NATIVE:
        native, size = NATIVE_RESOLUTIONS.get(data, 0), fitted.get("image_size", 64)
        fitted["generator_resolution"] = native if native and size > native and size % native == 0 else 0
    notes = []
    clusters = fitted.get("pseudo_classes", 0)
    if clusters > 0 and "pseudo_classes" not in explicit:
        reason, folder = None, data != "digits" and os.path.isdir(data)
        images = len(image_files.walk(data)[0]) if folder else None
        if data != "digits" and not folder:
            reason = "they need 'digits' or an image folder, not TFDS data."
        elif folder and images < IMAGES_PER_CLUSTER * clusters:
            reason = (f"they need at least {IMAGES_PER_CLUSTER} images a cluster ({IMAGES_PER_CLUSTER * clusters}), "
                      f"and {data!r} has {images} image files.")
        try:
            check_combinations(fitted)
        except ValueError as refusal:
            reason = reason or str(refusal)
        if reason:
            fitted["pseudo_classes"] = 0
            notes.append(f"The recipe's {settings['pseudo_classes']} k-means classes are off (--pseudo-classes 0): "
                         f"{reason}")
    return fitted, notes


def check_combinations(settings):
    """ValueError naming both flags when the model variants of `settings` (a dict of `TrainConfig` values; missing
    ones are off) do not combine. WGAN-GP, R1, instance noise, PacGAN packing and augmentation each change one
    part of D's loss or input and compose (`recipes.model_class_of`), except for these pairs."""
    values = {**COMBINATION_DEFAULTS, **settings}
    penalty, r1, noise = values["gradient_penalty"] > 0, values["r1_gamma"] > 0, values["instance_noise"] > 0
    packing, augment, matching = values["packing"], values["augment"], values["feature_matching"] > 0
    refused = (
        (penalty and r1, "--gradient-penalty", "--r1", "two gradient penalties on D: choose one"),
        (penalty and packing > 1, "--gradient-penalty", "--packing", "the penalty pushes each image's gradient norm "
         "to 1, but a packed D scores packs"),
        (packing > 1 and augment == "ada", "--packing", "--augment ada", "ADA's speed counts D's outputs as images, "
         "and a packed D has one output per pack (use --augment diffaugment)"),
        (matching and penalty, "--feature-matching", "--gradient-penalty", "feature matching is a model of its own"),
        (matching and noise, "--feature-matching", "--instance-noise", "feature matching is a model of its own"),
        (matching and packing > 1, "--feature-matching", "--packing", "feature matching is a model of its own"),
    )
    conditional_partners = ((matching, "--feature-matching"), (r1, "--r1"), (penalty, "--gradient-penalty"),
                            (noise, "--instance-noise"), (packing > 1, "--packing"))
    for classes, class_flag in ((values["conditional"], "--conditional"), (values["pseudo_classes"] > 0,
                                                                           "--pseudo-classes")):
        refused += tuple((classes and on, class_flag, flag, "a conditional run trains the plain GAN (with --ema and "
                          "--augment)")
                         for on, flag in conditional_partners)
    refused += ((values["conditional"] and values["pseudo_classes"] > 0, "--conditional", "--pseudo-classes",
                 "choose the data's classes or k-means clusters"),)
    for conflict, flag, other_flag, reason in refused:
        if conflict:
            raise ValueError(f"{flag} and {other_flag} do not combine: {reason}.")
    if values["instance_noise_steps"] > 0 and not noise:
        raise ValueError("--instance-noise-steps anneals the instance noise: it needs --instance-noise STDDEV.")
    if values["batch_size"] % packing:
        raise ValueError(f"--batch-size ({values['batch_size']}) must be a multiple of --packing ({packing}): "
                         "D judges packs of that many images.")
