"""What `gan-tf train` lets a user choose, without TensorFlow, so that the command checks its flags before
importing it: the recipes and the values each flag takes.

The recipes are defined here once (`gan_tf.images.recipes` builds them); the other lists repeat names the library
defines in TensorFlow modules (tests/test_cli.py checks that they equal networks.DCGAN_SIZES, recipes.ARCHITECTURES,
losses.FAMILIES, models.gan.LATENT_DISTRIBUTIONS and strategies.STRATEGIES).
"""

IMAGE_SIZES = (16, 32, 64, 128)
ARCHITECTURES = ("radford", "dense_dcgan", "residual")  # residual: `gan_tf.residual_networks`, filters = width
LOSSES = ("minimax", "non_saturating", "wasserstein", "hinge", "least_squares")
AUGMENTS = ("none", "diffaugment", "ada")
RECIPES = {
    "dcgan": {"architecture": "radford", "loss": "non_saturating", "beta_1": 0.5, "ema_half_life": 0.0,
              "augment": "none", "r1_gamma": 0.0, "spectral_norm": False},
    "modern": {"architecture": "residual", "loss": "hinge", "beta_1": 0.0, "ema_half_life": 10_000.0,
               "augment": "diffaugment", "r1_gamma": 0.0, "spectral_norm": True},
}
DEFAULT_RECIPE = "dcgan"
EMA_HALF_LIFE = 10_000.0  # --ema without a value (gan_tf.ema.HALF_LIFE_IMAGES)
LATENT_DISTRIBUTIONS = ("normal", "uniform")
STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")
EVAL_MEASURES = ("swd", "fid", "kid")  # gan_tf.images.evaluation.MEASURES
