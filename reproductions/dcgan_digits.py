"""An offline DCGAN: Radford's architecture at 32x32 on scikit-learn's digits, with the write-up's views.

Source:   François Fleuret, EE-559 "Deep learning" (EPFL), lecture "10.1. Generative Adversarial Networks",
          https://fleuret.org/ee559/: Radford et al.'s DCGAN rules and the PyTorch reference architecture,
          trained on the 1,797 8x8 digits bundled with scikit-learn (no download), upscaled to 32x32; the
          TensorBoard views of Sarath Shekkizhar, "Difficulties training a Generative Adversarial Network" (write-up),
          https://github.com/shekkizh/neuralnetworks.thought-experiments/blob/master/Generative%20Models/GAN/Readme.md.
Command:  python reproductions/dcgan_digits.py [--smoke] [--out-dir DIR]   (or: gan-tf reproduce dcgan_digits)
Outputs:  outputs/dcgan_digits/
            samples.png (64 fixed-noise samples at the end), real.png (64 training digits),
            samples_over_training.png (the fixed-noise grid at 6 points of training),
            losses.png (D, D real, D fake, G), d_predictions.png (D's probabilities on real and generated
            images over training), first_layer.png (D's and G's first-layer weights and gradients),
            run/ (a `gan-tf train` run directory: checkpoints, tensorboard/, samples/epoch_NNN.png,
            generator.keras; `gan-tf sample --run outputs/dcgan_digits/run` draws from it; it starts afresh),
            config.json, metrics.json
Expected: recognizable digits of every class. A classifier MLP(128) trained on real digits gives 1,000
          generated samples an inception score of 6.84, sees all 10 classes (each 6-15% of the samples) with
          a mean top probability of 0.87, and a Frechet distance on its hidden units of 1.48; real held-out
          digits score 9.35, 10 classes, 0.98 and 0.40 (against the training digits). (Seed 2015; with seed 0,
          40 epochs gave 6.46 and 80 epochs 6.86.)
Runtime:  225 CPU-seconds: about 4-5 minutes on 2 free CPU cores, 13 minutes when the cores were shared with
          3 other training jobs (XLA); --smoke 97 s on 2 loaded cores (load average ~11,
          gan-tf reproduce --all --smoke; ~30 s on a quieter machine).

Set-up: Radford's 32x32 DCGAN (4x4 kernels, BN, ReLU / LeakyReLU 0.2, N(0, 0.02) init) at half width
(ngf = ndf = 32, for CPU time), z ~ N(0, 1) of dim 100, Adam 2e-4 beta1 0.5, batch 64, one D step per G step,
non-saturating loss. Scores use 1,000 samples; images are averaged back to 8x8 for the classifier, which is
trained on the training digits passed through the same upscaling (gan_tf.images.quality).
"""

import shutil

import numpy as np

from gan_tf import callbacks, plotting
from gan_tf.images import datasets, observation, quality, training
from gan_tf.reproduction import script

# ---- configuration -------------------------------------------------------------------------------
SEED = 2015                       # Radford et al.'s year
CONFIG = dict(
    data="digits", image_size=32,  # 8x8 digits upscaled, 1 channel
    architecture="radford", filters=32,  # ngf = ndf = 32: half the paper's width
    epochs=60,                     # 22 batches of 64 per epoch: 1,320 steps
    batch_size=64, learning_rate=2e-4, beta_1=0.5, latent_dim=100,  # Radford et al.
    every_n_steps=50,              # TensorBoard / recorder probe period
)
SMOKE = dict(filters=4, epochs=1, steps_per_epoch=4, every_n_steps=2, jit_compile=False)
SCORED_SAMPLES = 1000             # generated samples scored by the classifier
SCORE_SEED = 7                    # latent seed of the scored samples


def train(config, out_dir):
    """A fresh run in out_dir/run with an in-memory recorder; returns (gan, recorder)."""
    shutil.rmtree(out_dir / "run", ignore_errors=True)
    probe = datasets.digits(config.image_size, config.batch_size, seed=SEED + 1)
    recorder = callbacks.MemorySink(max_values=4096)
    views = callbacks.Probe(observation.ImageGANViews(probe, seed=SEED), recorder, config.every_n_steps)
    gan = training.train(config, out_dir / "run", verbose=2, extra_callbacks=[views])
    return gan, recorder


def score(gan, config):
    """Classifier scores of generated digits, next to the same scores of real held-out digits."""
    classifier = quality.train_digits_classifier(config.image_size)
    test = np.concatenate(list(datasets.digits(config.image_size, 359, split="test", seed=0).as_numpy_iterator()))
    train_images, _ = datasets.digits_arrays("train")
    reference = quality.real_digit_inputs(train_images, config.image_size)
    generated = gan.generate(SCORED_SAMPLES, seed=SCORE_SEED)
    return {"generated": quality.digits_scores(classifier, generated, reference_images=test),
            "real_held_out": quality.digits_scores(classifier, test, reference_images=reference),
            "scored_samples": SCORED_SAMPLES}


def plot(recorder, out_dir):
    plotting.image_gan_views(recorder.steps, recorder.scalars, recorder.samples, out_dir, "DCGAN on digits")
    steps = recorder.steps
    chosen = np.unique(np.linspace(0, len(steps) - 1, 6).astype(int))
    grids = recorder.images["fixed_noise_samples"]
    over_training = np.concatenate([grids[index][:8] for index in chosen])
    plotting.save_image_grid(over_training, out_dir / "samples_over_training.png", columns=8, scale=2)
    plotting.save_image_grid(grids[-1], out_dir / "samples.png", scale=2)
    real = next(iter(datasets.digits(32, 64, seed=SEED))).numpy()
    plotting.save_image_grid(real, out_dir / "real.png", scale=2)
    return [int(steps[index]) for index in chosen]


def main(argv=None):
    arguments, out_dir = script.start(__file__, __doc__, argv)
    config = training.TrainConfig(seed=SEED, **{**CONFIG, **(SMOKE if arguments.smoke else {})})
    gan, recorder = train(config, out_dir)
    grid_steps = plot(recorder, out_dir)
    metrics = {**score(gan, config), "steps": recorder.steps[-1], "grid_steps": grid_steps,
               "final_p_real_on_real": recorder.final("p_real_on_real", window=5),
               "final_p_real_on_fake": recorder.final("p_real_on_fake", window=5)}
    script.write_json(out_dir / "config.json", {**vars(config), "smoke": arguments.smoke,
                                                "scored_samples": SCORED_SAMPLES, "score_seed": SCORE_SEED})
    metrics["claims"] = claims(metrics)
    script.write_json(out_dir / "metrics.json", metrics)
    script.print_table([{"digits": name, **metrics[name]} for name in ("generated", "real_held_out")], [
        "digits", ("classifier_inception_score", "inception score"), ("classes_covered", "classes"),
        ("mean_top_probability", "top prob"), ("classifier_frechet_distance", "Frechet (hidden)")])
    script.print_claims(metrics["claims"])


# The docstring's "Expected:" (seed 2015), to the decimals it gives: digits -> measure -> value.
EXPECTED = {"generated": {"classifier_inception_score": 6.84, "classes_covered": 10, "mean_top_probability": 0.87,
                          "classifier_frechet_distance": 1.48},
            "real_held_out": {"classifier_inception_score": 9.35, "classes_covered": 10, "mean_top_probability": 0.98,
                              "classifier_frechet_distance": 0.40}}


def claims(metrics):
    return [script.claim(f"{digits}: {measure}", metrics[digits][measure], value,
                         0 if measure == "classes_covered" else 0.005)
            for digits, expected in EXPECTED.items() for measure, value in expected.items()]


if __name__ == "__main__":
    main()
