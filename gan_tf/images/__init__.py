"""Training GANs on images: the application behind `gan-tf train / sample / export`.

  datasets       image pipelines (folders, CelebA, flowers, digits): float32 [B, H, W, C] in [-1, 1]
  training       resumable image-GAN training (`TrainConfig`, `train`, `sample`, `load_generator`)
  choices        what gan-tf train lets a user choose (recipes, flag values), without TensorFlow
  recipes        the GAN of a run's settings (networks, model class, optimizers) and the dcgan / modern recipes
  checkpointing  atomic checkpoints and files
  recovery       restore the newest checkpoint that reads in full (a damaged one is skipped, said, kept aside)
  run_folder     one writer per run folder (lock), killed writes' leftovers, the checkpoint list checked
  run_config     config.json: read (damage named), migrated, compared, written; settings' number checks
  image_files    the image files of a folder, read as they are (Pillow for what TF cannot) or refused by name
  observation    the write-up's TensorBoard views of an image GAN, and the samples' SWD (measurements for a Probe)
  strategies     tf.distribute strategies by name (mirrored, multi-worker, TPU)
  quality        measures of image quality: FID / KID (local InceptionV3 weights), digits classifier scores
  evaluation     the quality measured during training (--eval-measure swd / fid / kid), a measurement for a Probe
  best_checkpoint  best/: the generator of the best measurement so far (sample / export --checkpoint best)
  sliced_wasserstein  ProGAN's sliced Wasserstein distance on Laplacian-pyramid patches (no weights needed)
  small_datasets offline benchmark sets from scikit-learn's data: digits subsets, Stacked digits, photo crops
  export         generator-only export (.keras, SavedModel) that loads without gan_tf

It builds on the library (`gan_tf.models`, `gan_tf.networks`, `gan_tf.callbacks`, ...); nothing in the library
imports it.
"""
