"""Simultaneous vs alternating updates vs consensus optimization on the 8-Gaussian ring.

Source:   Mescheder, Nowozin, Geiger 2017, "The Numerics of GANs" (https://arxiv.org/abs/1705.10461), the
          mixture-of-Gaussians experiment (Sec. 5; the authors' notebook notebooks/mog-eigval-dist.ipynb in
          LMescheder/TheNumericsOfGANs); consensus optimization is the "Possible solution" / "combine both
          fields" slides of N. Popov, M. Ryabinin, "Introduction to GANs pt. 2, a.k.a. «what could go wrong?»"
          (slides, Higher School of Economics, 2018).
Command:  python reproductions/mescheder2017_ring_consensus.py [--out-dir DIR] [--smoke] [--seed S] [--seeds N]
Outputs:  samples_over_training.png  G's samples for each method (seed S) at several steps
          modes.png                  modes captured and high-quality fraction over steps, all seeds
          tensorboard/<method> seed <S>/  G's and the real samples per coordinate and as one scatter plot
                                     (open with: tensorboard --logdir outputs/mescheder2017_ring_consensus/tensorboard)
          config.json, metrics.json
Expected: (measured, seeds 0-2, step 20k) modes captured of 8: consensus 8, 8, 8; alternating 3, 3, 5;
          simultaneous 4, 2, 4. Fraction of samples within 0.04 of a centre: consensus 0.52-0.70, the others
          0.85-0.97 (concentrated on fewer modes). Before ~6k steps no method has any mode (RMSProp 1e-4 is slow).
Runtime:  about 8.5 min on 2 shared CPU cores (3 methods x 3 seeds x 20k steps); --smoke 64 s
          on 2 loaded cores (load average ~11, gan-tf reproduce --all --smoke; about 20 s on a quieter machine).

Setting (as the authors' notebook): 8 Gaussians on the unit circle, stddev 0.01; batch 512; z ~ N(0, I_16);
G and D: 4 fully connected ReLU layers of 16 units (Glorot-uniform weights, zero biases, as slim's defaults);
non-saturating G loss; RMSProp 1e-4 for both players; consensus gamma = 10. Deviations: 20k steps instead of
50k (CPU budget); separate RMSProp optimizers per player (the notebook used one; RMSProp is per-coordinate,
so this is the same update); real batches are drawn from the mixture (the notebook cycled the modes).
"""

import keras
import matplotlib.pyplot as plt
import numpy as np

from gan_tf import callbacks, distributions, measurements, metrics, models
from gan_tf.reproduction import dynamics_plots, script

NUM_MODES, RADIUS, MODE_STDDEV = 8, 1.0, 0.01
BATCH_SIZE = 512
LATENT_DIM = 16
HIDDEN_LAYERS, HIDDEN_UNITS = 4, 16
LEARNING_RATE = 1e-4  # RMSProp
GAMMA = 10.0  # consensus weight
NUM_STEPS = 20_000
PROBE_EVERY = 1000
NUM_SEEDS = 3
NUM_PROBE_SAMPLES = 2000
HIGH_QUALITY_STDDEVS = 4  # a sample within 4 stddevs of its nearest centre is "high quality"
HIGH_QUALITY_RADIUS = HIGH_QUALITY_STDDEVS * MODE_STDDEV
MIN_SAMPLES_PER_MODE = 20  # a mode is captured if it holds >= 20 of the 2000 high-quality samples (1%)
METHODS = {
    "alternating": (models.GAN, {}),
    "simultaneous": (models.SimultaneousGAN, {}),
    "consensus": (models.ConsensusGAN, {"gamma": GAMMA}),
}


def mlp(input_dim, output_dim, name):
    inputs = keras.Input(shape=(input_dim,))
    hidden = inputs
    for _ in range(HIDDEN_LAYERS):
        hidden = keras.layers.Dense(HIDDEN_UNITS, activation="relu")(hidden)
    return keras.Model(inputs, keras.layers.Dense(output_dim, dtype="float32")(hidden), name=name)


def mode_statistics(samples, centres):
    """(modes captured, fraction of high-quality samples): `metrics.mode_coverage` with this script's stricter
    protocol (HIGH_QUALITY_STDDEVS, MIN_SAMPLES_PER_MODE) instead of PacGAN's (3 stddevs, 1 sample)."""
    scores = metrics.mode_coverage(samples, centres, MODE_STDDEV, num_stddevs=HIGH_QUALITY_STDDEVS,
                                   min_samples=MIN_SAMPLES_PER_MODE)
    return scores["modes"], scores["high_quality"]


def train(method, seed, num_steps, probe_every, log_dir):
    model_class, extra = METHODS[method]
    keras.utils.set_random_seed(seed)
    model = model_class(mlp(LATENT_DIM, 2, "generator"), mlp(2, 1, "discriminator"), LATENT_DIM, seed=seed, **extra)
    model.compile(keras.optimizers.RMSprop(LEARNING_RATE), keras.optimizers.RMSprop(LEARNING_RATE),
                  loss="non_saturating", steps_per_execution=probe_every)
    ring = distributions.ring_of_gaussians(NUM_MODES, RADIUS, MODE_STDDEV)
    latent = np.random.default_rng(seed).standard_normal((NUM_PROBE_SAMPLES, LATENT_DIM)).astype(np.float32)
    recorder = callbacks.MemorySink()
    sinks = [recorder, callbacks.TensorBoardSink(log_dir / callbacks.run_name(f"{method} seed {seed}"), probe_every)]
    measurement = measurements.GeneratorGradient(ring.sample(NUM_PROBE_SAMPLES, seed=seed + 1000).numpy(), latent)
    dataset = distributions.sample_dataset(ring, BATCH_SIZE, seed=seed)
    model.fit(dataset, epochs=num_steps // probe_every, steps_per_epoch=probe_every,
              callbacks=[callbacks.Probe(measurement, sinks, probe_every)], verbose=0)
    records = recorder.arrays()
    centres = ring.components_distribution.mean().numpy()
    statistics = np.array([mode_statistics(samples, centres) for samples in records["fake_data"]])
    return {**records, "modes": statistics[:, 0], "high_quality": statistics[:, 1]}


def plot_samples(runs, real, path):
    steps = list(runs["alternating"]["step"])
    wanted = sorted({steps[0], steps[len(steps) // 4], steps[len(steps) // 2], steps[-1]})
    columns = [steps.index(step) for step in wanted]
    figure, axes = plt.subplots(len(METHODS), len(columns), figsize=(2.6 * len(columns), 2.7 * len(METHODS)),
                                squeeze=False)
    for row, method in enumerate(METHODS):
        dynamics_plots.sample_snapshots(axes[row], runs[method]["fake_data"][columns], wanted, real=real,
                                           limits=(-1.6, 1.6), title_prefix=f"{method}, ")
    axes[0][-1].legend(loc="center", fontsize=7, markerscale=4)
    script.save_figure(figure, path, "Numerics of GANs toy (8 Gaussians, radius 1, stddev 0.01): samples over training",
                       dpi=110)


def plot_modes(all_runs, path):
    figure, (modes_axis, quality_axis) = plt.subplots(1, 2, figsize=(12, 4.2))
    for index, method in enumerate(METHODS):
        steps = all_runs[method][0]["step"]
        color = f"C{index}"
        dynamics_plots.series_over_seeds(modes_axis, steps, [run["modes"] for run in all_runs[method]], method,
                                            color)
        dynamics_plots.series_over_seeds(quality_axis, steps, [run["high_quality"] for run in all_runs[method]],
                                            method, color)
    modes_axis.set(xlabel="step", ylabel=f"modes captured (of {NUM_MODES})", ylim=(-0.3, NUM_MODES + 0.3),
                   title=f">= {MIN_SAMPLES_PER_MODE} of {NUM_PROBE_SAMPLES} samples within "
                         f"{HIGH_QUALITY_RADIUS} of a centre")
    quality_axis.set(xlabel="step", ylabel="fraction of high-quality samples", ylim=(0, 1),
                     title=f"samples within {HIGH_QUALITY_RADIUS} (4 stddevs) of their nearest centre")
    for axis in (modes_axis, quality_axis):
        axis.legend(fontsize=8)
    script.save_figure(figure, path, "Numerics of GANs toy: simultaneous vs alternating vs consensus optimization "
                                     "(RMSProp 1e-4)")


def main(argv=None):
    arguments, out_dir = script.start(__file__, __doc__, argv, seed=0, seeds=NUM_SEEDS)
    num_steps, probe_every = (40, 20) if arguments.smoke else (NUM_STEPS, PROBE_EVERY)
    seeds = script.run_seeds(arguments)
    script.write_json(out_dir / "config.json", {
        "num_modes": NUM_MODES, "radius": RADIUS, "mode_stddev": MODE_STDDEV, "batch_size": BATCH_SIZE,
        "latent_dim": LATENT_DIM, "hidden": [HIDDEN_UNITS] * HIDDEN_LAYERS, "learning_rate": LEARNING_RATE,
        "optimizer": "RMSprop", "gamma": GAMMA, "loss": "non_saturating", "num_steps": num_steps,
        "probe_every": probe_every, "seeds": seeds, "high_quality_radius": HIGH_QUALITY_RADIUS,
        "min_samples_per_mode": MIN_SAMPLES_PER_MODE, "smoke": arguments.smoke})
    all_runs = {method: [train(method, seed, num_steps, probe_every, out_dir / "tensorboard")
                          for seed in seeds] for method in METHODS}
    rows = [{"method": method, "seed": seed, "final_modes": int(run["modes"][-1]),
             "final_high_quality": float(run["high_quality"][-1]),
             "mean_modes_last_quarter": float(np.mean(run["modes"][-max(1, len(run["modes"]) // 4):]))}
            for method in METHODS for seed, run in zip(seeds, all_runs[method])]
    modes_over_steps = {method: [run["modes"] for run in all_runs[method]] for method in METHODS}
    script.write_json(out_dir / "metrics.json", {"runs": rows, "steps": all_runs["alternating"][0]["step"],
                                                 "modes_over_steps": modes_over_steps, "claims": claims(rows)})
    ring = distributions.ring_of_gaussians(NUM_MODES, RADIUS, MODE_STDDEV)
    plot_samples({method: runs[0] for method, runs in all_runs.items()}, ring.sample(1000, seed=7).numpy(),
                 out_dir / "samples_over_training.png")
    plot_modes(all_runs, out_dir / "modes.png")
    script.print_table(rows, ["method", "seed", "final_modes", "final_high_quality", "mean_modes_last_quarter"])
    script.print_claims(claims(rows))


# The docstring's "Expected:" (seeds 0-2, step 20k): method -> modes per seed, and the high-quality fraction.
EXPECTED_MODES = {"consensus": (8, 8, 8), "alternating": (3, 3, 5), "simultaneous": (4, 2, 4)}
EXPECTED_HIGH_QUALITY = {"consensus": ("0.52", "0.70"), "alternating": ("0.85", "0.97"),
                         "simultaneous": ("0.85", "0.97")}


def claims(rows):
    """Modes and high-quality fraction at the end, per method and seed (the seeds the docstring measured)."""
    checked = []
    for row in rows:
        if row["seed"] < len(EXPECTED_MODES[row["method"]]):
            name = f"{row['method']}, seed {row['seed']}"
            checked += [script.claim(f"{name}: modes of 8", row["final_modes"],
                                     EXPECTED_MODES[row["method"]][row["seed"]], 0),
                        script.claim_range(f"{name}: high-quality fraction", row["final_high_quality"],
                                           *script.stated_range(*EXPECTED_HIGH_QUALITY[row["method"]]))]
    return checked


if __name__ == "__main__":
    main()
