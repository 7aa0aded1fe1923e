"""gan_tf: Generative Adversarial Networks in TensorFlow 2 / Keras 3.

Package map:
  losses          the math: pure functions of discriminator logits, one family per paper
  penalties       gradient penalty (WGAN-GP), R1, weight clipping
  layers          minibatch discrimination
  divergences     KL, JSD and the GAN value of 1-D densities, by integration
  dirac           the Dirac-GAN game (NumPy): vector fields, integrators, closed-form eigenvalues
  models          the algorithms: `GAN` (a keras.Model with a short train_step and hooks for variants),
                  update schedules and stabilisers in `models.dynamics`; feature matching, WGAN(-GP),
                  unrolled, PacGAN, conditional GAN and AC-GAN in their own modules
  networks        architectures: builder functions returning Functional models
  distributions   toy targets (tfp) and in-graph sampling pipelines
  datasets        image pipelines (folders, CelebA, flowers, digits): float32 [B, H, W, C] in [-1, 1]
  metrics         measures of a trained generator and closed forms (optimal discriminator, mode coverage)
  image_metrics   FID / KID with local InceptionV3 weights, digits classifier scores
  training        resumable image-GAN training behind `gan-tf train`
  checkpointing   atomic checkpoints and files, the non-finite-loss guard
  strategies      tf.distribute strategies by name (mirrored, multi-worker, TPU)
  callbacks       observation during training: TensorBoard summaries and an in-memory recorder
  probes          gradient-norm probes of the generator
  plotting        figures: series over steps, histogram ridges, training animations (+ plotting_dynamics)
  toy1d           1-D toy experiments: recorded runs, summaries, the blog's figure sets (Figs 1-21)
  experiment      what reproduction scripts share: flags, output folder, JSON, printed table
  export          generator-only export (.keras, SavedModel) that loads without gan_tf
  cli             the `gan-tf` command
"""

from gan_tf import distributions, losses, models, networks  # noqa: F401
from gan_tf.models import GAN  # noqa: F401

__version__ = "0.1.0"
