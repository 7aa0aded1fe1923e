"""The write-up's successful DCGAN runs on CelebA and on flowers, with its TensorBoard views.

Source:   Sarath Shekkizhar, "Difficulties training a Generative Adversarial Network" (write-up),
          https://github.com/shekkizh/neuralnetworks.thought-experiments/blob/master/Generative%20Models/GAN/Readme.md,
          section "Observations" (losses, D's predictions, first-layer gradients) and "Results" (CelebA
          samples over 15 epochs, flowers samples).
Command:  python reproductions/dcgan_writeup_celeba_flowers.py --dataset celeba|flowers [--celeba-folder DIR]
          [--data-dir DIR] [--smoke] [--out-dir DIR]
          The data are not downloaded: CelebA's five files go in <data-dir>/downloads/manual/ (or pass the
          unzipped img_align_celeba/ folder with --celeba-folder); flowers: flower_photos.tgz in
          <data-dir>/downloads/manual/ (see gan_tf.images.datasets). Missing data raise a FileNotFoundError saying
          where to put what. --smoke runs a narrow network for 2 steps on tfds.testing.mock_data.
Outputs:  outputs/dcgan_writeup_celeba_flowers/<dataset>/
            losses.png (D, D real, D fake, G), d_predictions.png (D's probabilities on real / generated images),
            first_layer.png (D's and G's first-layer weights and gradients), samples.png,
            run/ (a `gan-tf train` run: samples/epoch_NNN.png = the write-up's per-epoch samples,
            tensorboard/, checkpoints; rerunning resumes), config.json, metrics.json
Expected: (not run here: no data and no GPU) faces by epoch 2-3 and clear faces by epoch 15 (the write-up);
          D's probabilities stay spread between 0 and 1 on both real and generated images ("the discriminator
          is confused"), first-layer gradients of both networks keep a visible spread, and the generator loss
          sits well above log 2 because it includes the feature-matching term.
Runtime:  CelebA, 15 epochs of 3,165 steps: roughly 1.5 h on one recent GPU (an estimate; mixed precision with
          --mixed-precision in `gan-tf train` helps), days on 2 CPU cores; flowers 100 epochs of 57 steps:
          about 10 minutes on a GPU; --smoke 76 s on CPU
          on 2 loaded cores (load average ~11, gan-tf reproduce --all --smoke; ~40 s on a quieter machine).

Set-up as the write-up's code (shekkizh/TensorflowProjects): the write-up's DCGAN (dense projection to
4x4x512, 5x5 kernels, depths 512-256-128-64 / 64-128-256-512, BN decay 0.9 eps 1e-5, N(0, 0.02) init),
z ~ U(-1, 1) of dim 100, Adam 2e-4 beta1 0.5, batch 64, 1 D step then 2 G steps, generator loss
BCE + 0.1 * l2_loss(f_real - f_fake) / (64 * 64) on D's last conv features. CelebA: center crop 108 then
resize to 64; flowers: TFDS tf_flowers resized straight to 64x64.
"""

import pathlib

import tensorflow_datasets as tfds

from gan_tf import callbacks, plotting
from gan_tf.images import datasets, observation, training
from gan_tf.reproduction import script

# ---- configuration -------------------------------------------------------------------------------
SEED = 2016
WRITEUP = dict(
    image_size=64, architecture="dense_dcgan", filters=64,  # depths 512-256-128-64
    batch_size=64, learning_rate=2e-4, beta_1=0.5, latent_dim=100, latent_distribution="uniform",
    d_steps=1, g_steps=2,                  # 1 D step then 2 G steps
    feature_matching=0.1,                  # BCE + 0.1 * l2_loss(f_real - f_fake) / (64 * 64)
    every_n_steps=200,                     # TensorBoard probe period
)
EPOCHS = {"celeba": 15, "flowers": 100}   # the write-up: 15 epochs of CelebA; flowers unstated
DATA = {"celeba": "celeb_a", "flowers": "tf_flowers"}
RECORDER_EVERY = 100                       # in-memory probe period for the figures
SMOKE = dict(filters=8, epochs=1, steps_per_epoch=2, batch_size=8, every_n_steps=1, jit_compile=False)
SMOKE_EXAMPLES = 16                        # mock images


def config_for(dataset, data, data_dir, smoke):
    options = {**WRITEUP, "epochs": EPOCHS[dataset], **(SMOKE if smoke else {})}
    return training.TrainConfig(data=data, data_dir=str(data_dir), seed=SEED, **options)


def run(config, out_dir, smoke):
    """Train (resuming if out_dir/run exists) with an in-memory recorder; returns the recorder."""
    probe = datasets.from_spec(config.data, config.image_size, config.batch_size, SEED + 1, config.data_dir)
    recorder = callbacks.MemorySink(max_values=4096)
    views = callbacks.Probe(observation.ImageGANViews(probe, seed=SEED, grid_size=64), recorder,
                            every_n_steps=1 if smoke else RECORDER_EVERY)
    training.train(config, out_dir / "run", verbose=2 if smoke else 1, extra_callbacks=[views])
    return recorder


def add_arguments(parser):
    parser.add_argument("--dataset", choices=sorted(DATA), required=True)
    parser.add_argument("--celeba-folder", type=pathlib.Path, help="an unzipped img_align_celeba/ folder")
    parser.add_argument("--data-dir", type=pathlib.Path, default=datasets.DEFAULT_DATA_DIR)


def main(argv=None):
    arguments = script.parse_arguments(__file__, __doc__, argv, add_arguments=add_arguments)
    out_dir = script.output_directory(arguments, arguments.dataset)
    data = str(arguments.celeba_folder) if arguments.celeba_folder else DATA[arguments.dataset]
    config = config_for(arguments.dataset, data, arguments.data_dir, arguments.smoke)
    if arguments.smoke:
        with tfds.testing.mock_data(num_examples=SMOKE_EXAMPLES, data_dir=str(arguments.data_dir)):
            recorder = run(config, out_dir, smoke=True)
    else:
        recorder = run(config, out_dir, smoke=False)
    if not recorder.steps:
        print(f"{out_dir / 'run'} had already finished: delete it to redo the figures.")
        return
    title = f"write-up DCGAN on {arguments.dataset}"
    plotting.image_gan_views(recorder.steps, recorder.scalars, recorder.samples, out_dir, title)
    plotting.save_image_grid(recorder.images["fixed_noise_samples"][-1], out_dir / "samples.png")
    metrics = {name: recorder.final(name, window=5) for name in ("d_loss", "d_loss_real", "d_loss_fake", "g_loss",
                                                                 "p_real_on_real", "p_real_on_fake")}
    metrics["steps"] = recorder.steps[-1]
    script.write_json(out_dir / "config.json", {**vars(config), "dataset": arguments.dataset, "smoke": arguments.smoke})
    script.write_json(out_dir / "metrics.json", metrics)
    script.print_table([{"measure": name, "final": value} for name, value in metrics.items()], ["measure", "final"])


if __name__ == "__main__":
    main()
