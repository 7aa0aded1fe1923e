"""The write-up's failed run: initial weights N(0, 0.2) against N(0, 0.02), on offline digits.

Source:   Sarath Shekkizhar, "Difficulties training a Generative Adversarial Network" (write-up),
          https://github.com/shekkizh/neuralnetworks.thought-experiments/blob/master/Generative%20Models/GAN/Readme.md:
          "Ahh the above would have been a beautiful result ... but the below is what I got":
          its figures DiscriminatorPredFailed.png, DiscriminatorFirstLayerFailed.png and
          GeneratorFirstLayerFailed.png, and its first takeaway ("I was not able to get any result ... with
          random normal initialization of deviation 0.2 ... Ended up using weights with random normal
          initialization with deviation of 0.02").
Command:  python reproductions/dcgan_bad_init.py [--smoke] [--out-dir DIR]
Outputs:  outputs/dcgan_bad_init/
            stddev_0.2_d_predictions.png, stddev_0.02_d_predictions.png (D's probabilities on real / generated
            images over steps), stddev_<s>_first_layer.png (first-layer weights and gradients of D and G),
            stddev_<s>_losses.png, stddev_<s>_samples.png, first_layer_gradient_norms.png (both runs),
            config.json, metrics.json
Expected: with stddev 0.2, D saturates: over the last 100 of 300 steps its mean P(real) is 0.96 on real and
          0.075 on generated images (D loss 0.15), and its first-layer gradient norm falls from 7.0 to 1.6; with
          0.02, D stays unsure (0.54 and 0.21, D loss 0.93) and its first-layer gradient norm grows from 8.7 to
          ~100. G's first-layer gradients are alike (2.7 vs 3.4) but its weights are 10x larger, so relative to
          its weights G learns ~12x slower (|dG|/|G| 0.21 vs 2.6): the write-up's "learning is just too slow".
          (Measured at seed 2017; single runs, so expect some spread in the decimals.)
Runtime:  about 7.5 minutes on 2 CPU cores shared with other jobs (2 runs of 300 steps, ~3.5 min each);
          --smoke 98 s on 2 loaded cores (load average ~11, gan-tf reproduce --all --smoke; ~40 s on a quieter machine).

Set-up as the write-up (its DCGAN with dense projection and 5x5 kernels, BN decay 0.9, z ~ U(-1, 1), Adam
2e-4 beta1 0.5, batch 64, 1 D step then 2 G steps, feature matching 0.1) at 32x32 on the digits, at a
quarter of its width (depths 64-32-16, for CPU time). Only the initial stddev of every kernel differs
(BN gammas stay N(1, 0.02)). "Final" values average the last 5 probes (100 steps).
"""

import shutil

import numpy as np

from gan_tf import callbacks, plotting
from gan_tf.images import datasets, observation, training
from gan_tf.reproduction import script

# ---- configuration -------------------------------------------------------------------------------
SEED = 2017
STDDEVS = (0.2, 0.02)                      # the write-up's failed and working initializations
CONFIG = dict(
    data="digits", image_size=32, architecture="dense_dcgan", filters=16,  # depths 64-32-16
    batch_size=64, learning_rate=2e-4, beta_1=0.5, latent_dim=100, latent_distribution="uniform",
    d_steps=1, g_steps=2, feature_matching=0.1,   # the write-up's schedule and generator loss
    epochs=1, steps_per_epoch=300, every_n_steps=1000,
)
RECORDER_EVERY = 20                        # probe period (steps)
SMOKE = dict(filters=4, steps_per_epoch=4, jit_compile=False)
SMOKE_RECORDER_EVERY = 2


def train_run(stddev, config, out_dir, every):
    """One run from scratch; returns its recorder."""
    run_dir = out_dir / f"run_stddev_{stddev}"
    shutil.rmtree(run_dir, ignore_errors=True)
    recorder = callbacks.MemorySink(max_values=4096)
    views = observation.ImageGANViews(datasets.digits(32, config.batch_size, seed=SEED + 1), seed=SEED, grid_size=64)
    training.train(training.TrainConfig(**{**vars(config), "init_stddev": stddev}), run_dir, verbose=2,
                   extra_callbacks=[callbacks.Probe(views, recorder, every)])
    return recorder


def summarize(recorder):
    """Saturation and gradient numbers of one run."""
    norms = recorder.scalars["D/first_layer_gradient_norm"]
    g_weights = [np.linalg.norm(weights) for weights in recorder.samples["G/first_layer_weights"]]
    g_relative = np.array(recorder.scalars["G/first_layer_gradient_norm"]) / np.array(g_weights)
    return {
        "final_p_real_on_real": recorder.final("p_real_on_real", window=5),
        "final_p_real_on_fake": recorder.final("p_real_on_fake", window=5),
        "final_d_loss": recorder.final("d_loss", window=5),
        "d_first_layer_gradient_norm_start": norms[0],
        "d_first_layer_gradient_norm_final": float(np.mean(norms[-5:])),
        "g_first_layer_gradient_norm_final": recorder.final("G/first_layer_gradient_norm", window=5),
        "g_first_layer_gradient_over_weight_norm_final": float(np.mean(g_relative[-5:])),
        "first_step_p_real_on_fake_below_0.1": next(
            (step for step, value in zip(recorder.steps, recorder.scalars["p_real_on_fake"]) if value < 0.1), None),
    }


def plot(recorders, out_dir):
    for stddev, recorder in recorders.items():
        plotting.image_gan_views(recorder.steps, recorder.scalars, recorder.samples, out_dir,
                                 f"init stddev {stddev}", prefix=f"stddev_{stddev}_")
        plotting.save_image_grid(recorder.images["fixed_noise_samples"][-1], out_dir / f"stddev_{stddev}_samples.png",
                                 scale=2)
    series = {f"{network}, stddev {stddev}": (recorder.steps, recorder.scalars[f"{network}/first_layer_gradient_norm"])
              for stddev, recorder in recorders.items() for network in ("D", "G")}
    plotting.plot_series(series, "first-layer gradient norms", "||gradient||",
                         out_dir / "first_layer_gradient_norms.png")


# The docstring's "Expected:" (seed 2017, one run each), to the decimals it gives: measure -> (0.2, 0.02).
EXPECTED = {"final_p_real_on_real": (0.96, 0.54), "final_p_real_on_fake": (0.075, 0.21), "final_d_loss": (0.15, 0.93),
            "d_first_layer_gradient_norm_start": (7.0, 8.7), "g_first_layer_gradient_norm_final": (2.7, 3.4),
            "g_first_layer_gradient_over_weight_norm_final": (0.21, 2.6)}


def claims(metrics):
    """Each number of the docstring, to half a unit of its last decimal."""
    checked = []
    for measure, values in EXPECTED.items():
        for stddev, value in zip(STDDEVS, values):
            decimals = len(f"{value}".split(".")[1]) if "." in f"{value}" else 0
            checked.append(script.claim(f"stddev {stddev}: {measure}", metrics[f"stddev_{stddev}"][measure], value,
                                        0.5 * 10 ** -decimals))
    return checked


def main(argv=None):
    arguments, out_dir = script.start(__file__, __doc__, argv)
    config = training.TrainConfig(seed=SEED, **{**CONFIG, **(SMOKE if arguments.smoke else {})})
    every = SMOKE_RECORDER_EVERY if arguments.smoke else RECORDER_EVERY
    recorders = {stddev: train_run(stddev, config, out_dir, every) for stddev in STDDEVS}
    plot(recorders, out_dir)
    metrics = {f"stddev_{stddev}": summarize(recorder) for stddev, recorder in recorders.items()}
    script.write_json(out_dir / "config.json", {**vars(config), "stddevs": STDDEVS, "recorder_every": every,
                                                "smoke": arguments.smoke})
    script.write_json(out_dir / "metrics.json", {**metrics, "claims": claims(metrics)})
    script.print_claims(claims(metrics))
    script.print_table([{"init": name, **row} for name, row in metrics.items()], [
        "init", ("final_p_real_on_real", "P(real|real)"), ("final_p_real_on_fake", "P(real|fake)"),
        ("final_d_loss", "D loss"), ("d_first_layer_gradient_norm_start", "|dD| start"),
        ("d_first_layer_gradient_norm_final", "|dD| final"),
        ("g_first_layer_gradient_over_weight_norm_final", "|dG|/|G|")])


if __name__ == "__main__":
    main()
