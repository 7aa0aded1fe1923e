"""gan_tf: Generative Adversarial Networks in TensorFlow 2 / Keras 3.

Package map (imports run one way: cli and the wings use the library, the library uses no wing):
  checks          checks of settings shared by the package (counts: `checks.positive_integer`)
  cpu_path        the faster TensorFlow CPU path (oneDNN kernels on where TensorFlow leaves them off), set before
                  TensorFlow is imported; imports no TensorFlow
  losses          the math: pure functions of discriminator logits, one family per paper
  penalties       gradient penalty (WGAN-GP), R1, weight clipping
  layers          minibatch discrimination, maxout
  models          the algorithms: `GAN` (a keras.Model with a short train_step and hooks for variants:
                  subclasses override `batch_update`, `make_fake`, the loss hooks),
                  update schedules and stabilisers in `models.dynamics`; feature matching, WGAN(-GP),
                  unrolled, PacGAN, conditional GAN and AC-GAN in their own modules
  networks        architectures: builder functions returning Functional models
  residual_networks  SNGAN/BigGAN-style residual G and D (spectral normalization)
  conditional_networks  class-conditional G(z, y) and projection D(x, y) around the image networks
  augment         differentiable augmentation of D's inputs (DiffAugment), ADA's controller
  ema             moving average of the generator's weights
  distributions   toy targets (tfp) and in-graph sampling pipelines
  metrics         measures of a trained generator and closed forms (optimal discriminator, mode coverage)
  measurements    what to observe during training: losses and samples, the generator's gradient
  callbacks       the probe callback (a measurement written to TensorBoard and/or memory), non-finite stop
  plotting        figures: series over steps, histogram ridges, training animations
  cli             the `gan-tf` command
  images/         the image application behind `gan-tf train / sample / export`: datasets and image files,
                  training, the run folder (lock, config, recovery, checkpoints), strategies, observation,
                  quality (FID / KID, sliced Wasserstein, offline benchmark sets), export
  analysis/       the game analysed, not trained: Dirac-GAN (`dirac`), divergences of 1-D densities
  reproduction/   shared only by the scripts in reproductions/: script set-up, 1-D toys, dynamics figures
"""

import importlib
import sys

from gan_tf import cpu_path  # imports no TensorFlow

# Submodules are imported on first use (`gan_tf.losses`, `gan_tf.GAN`, ...), not here: `gan-tf --help` and its
# argument errors then answer without importing TensorFlow.

if "tensorflow" not in sys.modules:
    # The faster CPU path (oneDNN on AVX2 CPUs, where TensorFlow leaves it off) for a process that imports gan_tf
    # before TensorFlow: the reproduction scripts, `gan-tf`, the tests. A TF_ENABLE_ONEDNN_OPTS already set is kept;
    # a process that imported TensorFlow first keeps TensorFlow's default (see gan_tf.cpu_path).
    cpu_path.configure()


def __getattr__(name):
    if name == "GAN":
        return importlib.import_module("gan_tf.models").GAN
    if not name.startswith("_"):
        try:
            return importlib.import_module(f"gan_tf.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"gan_tf.{name}":
                raise
    raise AttributeError(f"module 'gan_tf' has no attribute {name!r}")


__version__ = "0.1.0"
