"""A linear generator fits N(2, 3) against four discriminators (the blog's first experiment).

Source:   ../shared/seeds/001_* (M. Strakhov, "Generative Adversarial Networks", 2018), section
          "Finding parameters of a normal distribution", Figs 1-7; originals in ../shared/reference/blog/.
Command:  python reproductions/strakhov2018_normal.py [--smoke] [--out-dir DIR]   (or: make reproduce)
Outputs:  outputs/strakhov2018_normal/
            fig1_p_real_on_real.png, fig2_p_real_on_fake.png, fig3_g_mean.png, fig4_g_stddev.png,
            fig5_real_data.png, fig6_fake_data_<run>.png (one per discriminator),
            fig7_training.gif + fig7_montage.png (N(7, 1.5), x in [-4, 13]),
            tensorboard/<run>/ (open with: tensorboard --logdir outputs/strakhov2018_normal/tensorboard),
            config.json, metrics.json
Expected: every run ends with G/mean ~ 2.0 and G/stddev ~ 3.0 (within ~0.1 and ~0.15) and both
          probabilities ~ 0.5; the mean first comes within 0.1 of 2.0 after 150-350 steps (blog: "by about
          step 300"). The Fig 7 run ends near N(7, 1.5) with D(x) ~ 0.5 everywhere.
Runtime:  about 1 minute on 2 CPU cores; --smoke runs in ~15 s.

Set-up as in the blog's code (Monnoroch/generative, TF1): batch 32, Adam with d_lr 0.01 and g_lr 0.02,
2000 steps, non-saturating generator loss, init truncated normal 0.1 with biases 0.1, z ~ N(0, 1).
Discriminators: two hidden ReLU layers of 256 as the text describes (the blog's TF1 code of 2017 fed the
input into its second layer, so it really had one hidden layer); L2 5e-4 in TF1's l2_loss convention
(= Keras L2(2.5e-4) on every kernel); dropout 0.5 (the code's keep probability 0.5).
Probabilities and losses are measured every 10 steps on a probe of 1024 real and 1024 generated samples
with D in inference mode (see gan_tf.callbacks); "final" values average the last 10 probes (100 steps).
"""

import argparse
import json
import pathlib

import keras
import numpy as np

import gan_tf
from gan_tf import callbacks, distributions, metrics, networks, plotting

# ---- configuration -------------------------------------------------------------------------------
SEED = 2018
TARGET_MEAN, TARGET_STDDEV = 2.0, 3.0      # the real data N(2, 3)
BATCH_SIZE = 32                            # the blog code's default
STEPS = 2000                               # the blog code's default
D_LEARNING_RATE, G_LEARNING_RATE = 0.01, 0.02
HIDDEN = [256, 256]                        # two hidden layers, as the text describes
RUNS = {                                   # the blog's four discriminators
    "plain": dict(l2=0.0, dropout=0.0),
    "L2 5e-4": dict(l2=2.5e-4, dropout=0.0),       # TF1 reg * l2_loss(W) = reg/2 * sum(W^2)
    "dropout 0.5": dict(l2=0.0, dropout=0.5),
    "L2 5e-4 + dropout 0.5": dict(l2=2.5e-4, dropout=0.5),
}
EVERY_N_STEPS = 10                         # probe period (also steps_per_execution)
PROBE_SIZE = 1024                          # real and generated samples per probe
ANIMATION = dict(mean=7.0, stddev=1.5, x_range=(-4.0, 13.0), every_n_steps=20)  # Fig 7
SMOKE_STEPS = 60


def train_run(real_distribution, discriminator_options, steps, seed, log_dir=None, grid=None, every=EVERY_N_STEPS):
    """Train one linear-generator GAN; returns its Recorder."""
    keras.utils.set_random_seed(seed)
    gan = gan_tf.GAN(
        generator=networks.linear_generator(),
        discriminator=networks.mlp_discriminator(HIDDEN, **discriminator_options),
        latent_dim=1,
        seed=seed,
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(D_LEARNING_RATE),
        g_optimizer=keras.optimizers.Adam(G_LEARNING_RATE),
        loss="non_saturating",
        steps_per_execution=every,
        jit_compile=True,
    )
    probe = distributions.sample_dataset(real_distribution, PROBE_SIZE, seed=seed + 1)
    recorder = callbacks.Recorder(probe, every_n_steps=every, grid=grid)
    monitors = [recorder]
    if log_dir is not None:
        monitors.append(callbacks.TensorBoardMonitor(log_dir, probe, every_n_steps=every))
    data = distributions.sample_dataset(real_distribution, BATCH_SIZE, seed=seed)
    gan.fit(data, steps_per_epoch=steps, epochs=1, callbacks=monitors, verbose=2, shuffle=False)
    return recorder


def first_step_within(recorder, name, target, tolerance):
    """First probed step at which `name` is within `tolerance` of `target` (None if never)."""
    for step, value in zip(recorder.steps, recorder.scalars[name]):
        if abs(value - target) <= tolerance:
            return step
    return None


def summarize(recorder):
    return {
        "final_mean": recorder.final("G/mean"),
        "final_stddev": recorder.final("G/stddev"),
        "final_p_real_on_real": recorder.final("p_real_on_real"),
        "final_p_real_on_fake": recorder.final("p_real_on_fake"),
        "first_step_mean_within_0.1": first_step_within(recorder, "G/mean", TARGET_MEAN, 0.1),
        "first_step_stddev_within_0.15": first_step_within(recorder, "G/stddev", TARGET_STDDEV, 0.15),
    }


def plot_runs(recorders, out_dir):
    colors = plotting.run_colors(list(recorders))
    figures = [
        ("fig1_p_real_on_real.png", "p_real_on_real", "Fig 1: D's mean P(real) on real samples", 0.5),
        ("fig2_p_real_on_fake.png", "p_real_on_fake", "Fig 2: D's mean P(real) on generated samples", 0.5),
        ("fig3_g_mean.png", "G/mean", "Fig 3: mean of the generator's distribution", TARGET_MEAN),
        ("fig4_g_stddev.png", "G/stddev", "Fig 4: stddev of the generator's distribution", TARGET_STDDEV),
    ]
    for filename, name, title, target in figures:
        runs = {run: (recorder.steps, recorder.scalars[name]) for run, recorder in recorders.items()}
        plotting.plot_series(runs, f"N(2, 3), linear G. {title}", name, out_dir / filename, target, colors)
    first = next(iter(recorders.values()))
    plotting.ridge_plot(first.steps, first.samples["real_data"], "Fig 5: real data N(2, 3) over training",
                        out_dir / "fig5_real_data.png", color=plotting.REAL_COLOR, value_range=(-10, 14))
    for index, (run, recorder) in enumerate(recorders.items()):
        plotting.ridge_plot(recorder.steps, recorder.samples["fake_data"],
                            f"Fig 6: generated data over training, D = {run}",
                            out_dir / f"fig6_fake_data_{index}_{slug(run)}.png", color=colors[run], value_range=(-10, 14))


def animate(recorder, real_distribution, grid, out_dir):
    real_density = metrics.density(real_distribution, grid)
    frames = [
        {"step": step, "discriminator": d_on_grid,
         "generator_density": metrics.density(distributions.normal(mean, max(stddev, 1e-3)), grid)}
        for step, d_on_grid, mean, stddev in zip(recorder.steps, recorder.discriminator_on_grid,
                                                 recorder.scalars["G/mean"], recorder.scalars["G/stddev"])
    ]
    title = "Fig 7: linear G on N(7, 1.5), plain D"
    plotting.training_animation(grid, real_density, frames, out_dir / "fig7_training.gif", title)
    chosen = np.unique(np.linspace(0, len(frames) - 1, 6).astype(int))
    plotting.animation_montage(grid, real_density, [frames[i] for i in chosen], out_dir / "fig7_montage.png", title)


def slug(name):
    return "".join(character if character.isalnum() else "_" for character in name).strip("_").lower()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=pathlib.Path, default=pathlib.Path("outputs/strakhov2018_normal"))
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_STEPS} steps per run, for tests")
    arguments = parser.parse_args(argv)
    out_dir = arguments.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    steps = SMOKE_STEPS if arguments.smoke else STEPS
    real = distributions.normal(TARGET_MEAN, TARGET_STDDEV)
    recorders = {
        run: train_run(real, options, steps, SEED + index, log_dir=out_dir / "tensorboard" / slug(run))
        for index, (run, options) in enumerate(RUNS.items())
    }
    plot_runs(recorders, out_dir)
    animation_real = distributions.normal(ANIMATION["mean"], ANIMATION["stddev"])
    grid = np.arange(*ANIMATION["x_range"], 0.1, dtype=np.float32)
    animation_recorder = train_run(animation_real, RUNS["plain"], steps, SEED + 100, grid=grid,
                                   every=ANIMATION["every_n_steps"] if not arguments.smoke else EVERY_N_STEPS)
    animate(animation_recorder, animation_real, grid, out_dir)
    results = {run: summarize(recorder) for run, recorder in recorders.items()}
    results["fig7_animation"] = summarize_animation(animation_recorder, grid)
    write_json(out_dir / "config.json", config(steps, arguments.smoke))
    write_json(out_dir / "metrics.json", results)
    print_table(results)


def summarize_animation(recorder, grid):
    """Final G parameters, and how far D is from 1/2 where the data is (within 2 stddev of the mean)."""
    inside = np.abs(grid - ANIMATION["mean"]) <= 2 * ANIMATION["stddev"]
    return {"final_mean": recorder.final("G/mean"), "final_stddev": recorder.final("G/stddev"),
            "final_max_abs_d_minus_half": float(np.abs(recorder.discriminator_on_grid[-1][inside] - 0.5).max())}


def config(steps, smoke):
    return {"seed": SEED, "target": [TARGET_MEAN, TARGET_STDDEV], "batch_size": BATCH_SIZE, "steps": steps,
            "smoke": smoke, "d_learning_rate": D_LEARNING_RATE, "g_learning_rate": G_LEARNING_RATE,
            "hidden": HIDDEN, "runs": RUNS, "loss": "non_saturating", "every_n_steps": EVERY_N_STEPS,
            "probe_size": PROBE_SIZE, "animation": ANIMATION}


def write_json(path, value):
    path.write_text(json.dumps(value, indent=2) + "\n")


def print_table(results):
    print(f"\n{'discriminator':24s} {'mean':>7s} {'stddev':>7s} {'p(real|real)':>13s} {'p(real|fake)':>13s} "
          f"{'mean@0.1':>9s}")
    for run, row in results.items():
        if run == "fig7_animation":
            continue
        print(f"{run:24s} {row['final_mean']:7.3f} {row['final_stddev']:7.3f} {row['final_p_real_on_real']:13.3f} "
              f"{row['final_p_real_on_fake']:13.3f} {str(row['first_step_mean_within_0.1']):>9s}")
    row = results["fig7_animation"]
    print(f"Fig 7 run on N(7, 1.5): mean {row['final_mean']:.3f}, stddev {row['final_stddev']:.3f}, "
          f"max |D(x) - 0.5| within 2 stddev of the mean {row['final_max_abs_d_minus_half']:.3f}")


if __name__ == "__main__":
    main()
