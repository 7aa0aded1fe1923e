"""gan_tf: Generative Adversarial Networks in TensorFlow 2 / Keras 3.

Package map:
  losses          the math: pure functions of discriminator logits, one family per paper
  models          the algorithms: `GAN` (a keras.Model with a short train_step and hooks for variants)
  networks        architectures: builder functions returning Functional models
  distributions   toy targets (tfp) and in-graph sampling pipelines
  metrics         measures of a trained generator and closed forms (optimal discriminator)
  callbacks       observation during training: TensorBoard summaries and an in-memory recorder
  plotting        figures: series over steps, histogram ridges, training animations
  toy1d           1-D toy experiments: recorded runs, summaries, the blog's figure sets (Figs 1-21)
  cli             the `gan-tf` command
"""

from gan_tf import distributions, losses, models, networks  # noqa: F401
from gan_tf.models import GAN  # noqa: F401

__version__ = "0.1.0"
