"""The minimal 2-D GAN of EE-559 lecture 10.1, with the saturating and the non-saturating generator loss.

Source:   François Fleuret, EE-559 "Deep learning" (EPFL), lecture "10.1. Generative Adversarial Networks",
          https://fleuret.org/ee559/: the slide "In our minimal example, we alternate gradient steps" (its
          PyTorch code: G = Linear(8, 100), ReLU, Linear(100, 2); D = Linear(2, 100), ReLU, Linear(100, 1),
          Sigmoid; batch 10; Adam 1e-3; batch t updates G if t is even, D if odd; G minimises
          log(1 - D(G(z)))), and the next slide ("In more realistic settings ... saturates", the non-saturating
          cost -log D(G(z))).
          The lecture does not name its 2-D distribution: here a tfp mixture of two Gaussians (`target()` below).
Command:  python reproductions/fleuret_ee559_minimal_gan.py [--out-dir DIR] [--smoke] [--seed S] [--seeds N]
Outputs:  samples_over_training.png  G's samples over training, one row per loss (seed S)
          saturation.png             |dL_G/dlogit| against D(G(z)) (closed form), and ||grad_theta L_G||
                                     measured with G frozen while D learns, for both losses
          tensorboard/<loss> seed <S>/  G's and the real samples per coordinate and as one scatter plot
                                     (open with: tensorboard --logdir outputs/fleuret_ee559_minimal_gan/tensorboard)
          config.json, metrics.json
Expected: (measured, seeds 0-2) G frozen at its initialisation while D trains alone (1500 steps): mean
          D(G(z)) falls to 0.003-0.006; ||grad_theta L_G|| of the saturating loss falls (0.14-0.51 -> 0.07-0.30)
          while the non-saturating one rises (0.16-0.57 -> 6.3-12.5): ratio 0.011-0.024, near D / (1 - D)
          = 0.003-0.007 (3.5x above it, as the fakes do not share one D). In the GAN itself D never rejects
          the fakes for long (mean D(G(z)) 0.45-0.55 at the end), so both losses train: energy distance to
          the target after 20k batches 0.12-0.37 (saturating), 0.09-0.37 (non-saturating), against 0.0026
          between two real samples; G still oscillates with batches of 10 (see the samples figure). (The GAN
          runs, measured twice: 0.12-0.22 / 0.10-0.37 / 0.48-0.55 at an earlier version, 0.16-0.37 /
          0.09-0.28 / 0.45-0.52 at this one; the frozen-G numbers did not change.)
Runtime:  about 1.5 min on 2 quiet CPU cores, 5 min (102 s of CPU) on 2 loaded ones; --smoke 47 s
          on 2 loaded cores (load average ~11, gan-tf reproduce --all --smoke; about 10 s on a quieter machine).

Deviations: D outputs a logit and the losses take logits (log sigmoid = -softplus(-l)), the same function
as the lecture's Sigmoid + log, but finite; real batches are fresh draws from the target rather than a
fixed set of samples split into batches. Layers use PyTorch's default initialisation, as the lecture's code.
"""

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow_probability as tfp

from gan_tf import callbacks, distributions, measurements, models
from gan_tf.reproduction import dynamics_plots, script

tfd = tfp.distributions

# --- the lecture's settings ---------------------------------------------------------------------------
LATENT_DIM = 8  # z_dim
HIDDEN = 100  # nb_hidden
BATCH_SIZE = 10
LEARNING_RATE = 1e-3  # Adam, both players
# --- ours -----------------------------------------------------------------------------------------------
NUM_BATCHES = 20_000  # 10k updates of each player (parity schedule)
PROBE_EVERY = 500  # batches between probes
SNAPSHOT_STEPS = (0, 500, 2000, 5000, 10000, 20000)
NUM_SEEDS = 3
FROZEN_D_STEPS = 1500  # D-only training against the frozen initial G, for the saturation figure
FROZEN_PROBE_EVERY = 25
PROBE_SIZE = 1000  # real samples and z used by every probe
LOSSES = ("minimax", "non_saturating")
LOSS_LABELS = {"minimax": "saturating: min log(1 - D(G(z)))", "non_saturating": "non-saturating: min -log D(G(z))"}


def target():
    """Two Gaussians, weights 1/2, means (+-1.5, 0), stddevs (0.2, 0.6): a 2-D target with two modes."""
    components = tfd.MultivariateNormalDiag(loc=[[-1.5, 0.0], [1.5, 0.0]], scale_diag=[[0.2, 0.6], [0.2, 0.6]])
    return tfd.MixtureSameFamily(tfd.Categorical(probs=[0.5, 0.5]), components, name="TwoGaussians")


def torch_linear(units, fan_in, activation=None, name=None):
    """nn.Linear's default initialisation: weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    bound = 1.0 / np.sqrt(fan_in)
    return keras.layers.Dense(
        units,
        activation=activation,
        # VarianceScaling's uniform bound is sqrt(3 scale / fan_in): scale 1/3 gives 1 / sqrt(fan_in)
        kernel_initializer=keras.initializers.VarianceScaling(1.0 / 3.0, "fan_in", "uniform"),
        bias_initializer=keras.initializers.RandomUniform(-bound, bound),
        name=name,
    )


def build_networks():
    latent = keras.Input(shape=(LATENT_DIM,))
    hidden = torch_linear(HIDDEN, LATENT_DIM, "relu")(latent)
    generator = keras.Model(latent, torch_linear(2, HIDDEN)(hidden), name="generator")
    samples = keras.Input(shape=(2,))
    hidden = torch_linear(HIDDEN, 2, "relu")(samples)
    discriminator = keras.Model(samples, torch_linear(1, HIDDEN)(hidden), name="discriminator")
    return generator, discriminator


def probe_inputs(seed):
    real = target().sample(PROBE_SIZE, seed=seed + 1000).numpy()
    latent = np.random.default_rng(seed).standard_normal((PROBE_SIZE, LATENT_DIM)).astype(np.float32)
    return real, latent


def train(loss, seed, num_batches, probe_every, log_dir):
    """The lecture's GAN with `loss`; returns the probe records (samples, gradient norms) every `probe_every`,
    also written to TensorBoard in `log_dir` (a scatter picture of real and fake about every quarter of the run)."""
    keras.utils.set_random_seed(seed)
    generator, discriminator = build_networks()
    model = models.ParityAlternatingGAN(generator, discriminator, LATENT_DIM, seed=seed)
    model.compile(keras.optimizers.Adam(LEARNING_RATE), keras.optimizers.Adam(LEARNING_RATE), loss=loss,
                  steps_per_execution=probe_every)
    recorder = callbacks.MemorySink()
    sinks = [recorder, callbacks.TensorBoardSink(log_dir / callbacks.run_name(f"{loss} seed {seed}"),
                                                 max(probe_every, num_batches // 4))]
    probe = callbacks.Probe(measurements.GeneratorGradient(*probe_inputs(seed)), sinks, probe_every)
    dataset = distributions.sample_dataset(target(), BATCH_SIZE, seed=seed)
    model.fit(dataset, epochs=num_batches // probe_every, steps_per_epoch=probe_every, callbacks=[probe], verbose=0)
    return recorder.arrays()


def frozen_generator_sweep(seed, num_steps, probe_every):
    """G frozen at its initialisation, D trained alone: G's gradient norm under both losses as D grows confident."""
    keras.utils.set_random_seed(seed)
    generator, discriminator = build_networks()
    model = models.FixedGeneratorGAN(generator, discriminator, LATENT_DIM, seed=seed)
    model.compile(keras.optimizers.Adam(LEARNING_RATE), keras.optimizers.Adam(LEARNING_RATE),
                  steps_per_execution=probe_every)
    real, latent = probe_inputs(seed)
    dataset = distributions.sample_dataset(target(), BATCH_SIZE, seed=seed)
    records = {"p_real_on_fake": [], "minimax": [], "non_saturating": []}
    for _ in range(num_steps // probe_every + 1):
        for loss in LOSSES:
            norm, confidence = measurements.generator_gradient_norm(model, real, latent, loss=loss)
            records[loss].append(norm)
        records["p_real_on_fake"].append(confidence)
        model.fit(dataset, epochs=1, steps_per_epoch=probe_every, verbose=0)
    return {name: np.asarray(values) for name, values in records.items()}


def energy_distance(samples, reference):
    """2 E|X - Y| - E|X - X'| - E|Y - Y'| (Szekely): 0 iff the distributions are equal."""

    def mean_distance(a, b):
        return np.mean(np.linalg.norm(a[:, None, :] - b[None, :, :], axis=-1))

    return 2 * mean_distance(samples, reference) - mean_distance(samples, samples) - mean_distance(reference, reference)


def plot_samples(runs, real, steps_wanted, path):
    columns = [list(runs["minimax"]["step"]).index(step) for step in steps_wanted]
    figure, axes = plt.subplots(2, len(columns), figsize=(2.2 * len(columns), 5.0), squeeze=False)
    for row, loss in enumerate(LOSSES):
        snapshots = runs[loss]["fake_data"][columns]
        dynamics_plots.sample_snapshots(axes[row], snapshots, steps_wanted, real=real, limits=(-3.5, 3.5))
        axes[row][0].set_ylabel(f"{LOSS_LABELS[loss].split(':')[0]}\nx2", fontsize=8)
    axes[0][-1].legend(loc="lower right", fontsize=7, markerscale=4)
    script.save_figure(figure, path, "EE-559 lecture 10.1 minimal GAN (batch t: G if t even, D if odd): samples over "
                                     "training")


def plot_saturation(sweeps, runs, path):
    figure, (theory, frozen, ratio, training) = plt.subplots(1, 4, figsize=(18, 4.2))
    confidence = np.linspace(1e-4, 1 - 1e-4, 400)
    theory.plot(confidence, confidence, label="saturating: |d/dl log(1 - sigmoid(l))| = D")
    theory.plot(confidence, 1 - confidence, label="non-saturating: |d/dl log sigmoid(l)| = 1 - D")
    theory.set(xlabel="D(G(z)) (probability 'real' given to a fake)", ylabel="|dL_G / d logit|",
               title="Closed form, per sample")
    for index, sweep in enumerate(sweeps):
        ratio.plot(sweep["p_real_on_fake"], sweep["minimax"] / sweep["non_saturating"], ".", color="C2", ms=3,
                   label="measured, G frozen (3 seeds)" if index == 0 else None)
    grid = np.geomspace(1e-3, 0.6, 100)
    ratio.plot(grid, grid / (1 - grid), "k--", lw=1, label="D / (1 - D) (every fake with the same D)")
    ratio.set(xscale="log", yscale="log", xlabel="mean D(G(z)) on 1000 fakes", ylabel="saturating / non-saturating",
              title="Ratio of the two gradient norms")
    for loss in LOSSES:
        for index, sweep in enumerate(sweeps):
            frozen.plot(sweep["p_real_on_fake"], sweep[loss], ".", color=f"C{LOSSES.index(loss)}", ms=3,
                        label=LOSS_LABELS[loss] if index == 0 else None)
        steps = runs[loss][0]["step"]
        norms = [run["generator_gradient_norm"] for run in runs[loss]]
        dynamics_plots.series_over_seeds(training, steps, norms, LOSS_LABELS[loss].split(":")[0],
                                            color=f"C{LOSSES.index(loss)}", log=True)
    frozen.set(xscale="log", yscale="log", xlabel="mean D(G(z)) on 1000 fakes", ylabel="||grad_theta L_G||",
               title="G frozen at init, D trained alone (3 seeds)")
    training.set(xlabel="batch", ylabel="||grad_theta L_G|| (model's own loss)", title="During GAN training")
    for axis in (theory, frozen, ratio, training):
        axis.legend(fontsize=7)
    script.save_figure(figure, path, "EE-559 lecture 10.1: why log(1 - D(G(z))) saturates when D rejects the fakes")


def summarise_runs(runs, seeds, reference):
    rows = []
    for loss in LOSSES:
        for seed, run in zip(seeds, runs[loss]):
            final = run["fake_data"][-1]
            rows.append({"loss": loss, "seed": seed, "energy_distance": energy_distance(final, reference),
                         "fraction_right_mode": float(np.mean(final[:, 0] > 0)),
                         "final_p_real_on_fake": run["p_real_on_fake"][-1],
                         "final_generator_gradient_norm": run["generator_gradient_norm"][-1]})
    return rows


def summarise_sweeps(sweeps, seeds):
    """Per seed: D's final confidence on fakes, both gradient norms at the start and the end, their ratio."""
    return [{"seed": seed, "min_p_real_on_fake": float(sweep["p_real_on_fake"].min()),
             "final_norm_ratio": float(sweep["minimax"][-1] / sweep["non_saturating"][-1]),
             "final_odds": float(sweep["p_real_on_fake"][-1] / (1 - sweep["p_real_on_fake"][-1])),
             **{f"{loss}_norm_start": float(sweep[loss][0]) for loss in LOSSES},
             **{f"{loss}_norm_end": float(sweep[loss][-1]) for loss in LOSSES}}
            for seed, sweep in zip(seeds, sweeps)]


def main(argv=None):
    arguments, out_dir = script.start(__file__, __doc__, argv, seed=0, seeds=NUM_SEEDS)
    smoke = arguments.smoke
    num_batches, probe_every = (40, 20) if smoke else (NUM_BATCHES, PROBE_EVERY)
    frozen_steps, frozen_every = (20, 10) if smoke else (FROZEN_D_STEPS, FROZEN_PROBE_EVERY)
    seeds = script.run_seeds(arguments)
    config = {"latent_dim": LATENT_DIM, "hidden": HIDDEN, "batch_size": BATCH_SIZE, "learning_rate": LEARNING_RATE,
              "num_batches": num_batches, "probe_every": probe_every, "seeds": seeds, "frozen_d_steps": frozen_steps,
              "target": "mixture of N((-1.5, 0), diag(0.2, 0.6)^2) and N((1.5, 0), diag(0.2, 0.6)^2), weights 1/2",
              "schedule": "ParityAlternatingGAN: batch t updates G if t even, D if t odd", "smoke": smoke}
    script.write_json(out_dir / "config.json", config)

    runs = {loss: [train(loss, seed, num_batches, probe_every, out_dir / "tensorboard") for seed in seeds]
            for loss in LOSSES}
    sweeps = [frozen_generator_sweep(seed, frozen_steps, frozen_every) for seed in seeds]
    reference = target().sample(PROBE_SIZE, seed=12345).numpy()
    rows, saturation = summarise_runs(runs, seeds, reference), summarise_sweeps(sweeps, seeds)
    baseline = energy_distance(target().sample(PROBE_SIZE, seed=54321).numpy(), reference)
    script.write_json(out_dir / "metrics.json", {"runs": rows, "frozen_generator": saturation,
                                                 "energy_distance_between_two_real_samples": baseline,
                                                 "claims": claims(rows, saturation)})
    recorded = list(runs["minimax"][0]["step"])
    steps_wanted = recorded if smoke else [step for step in SNAPSHOT_STEPS if step in recorded]
    first_seed = {loss: runs[loss][0] for loss in LOSSES}
    plot_samples(first_seed, reference, steps_wanted, out_dir / "samples_over_training.png")
    plot_saturation(sweeps, runs, out_dir / "saturation.png")
    script.print_table(rows, ["loss", "seed", "energy_distance", "fraction_right_mode", "final_p_real_on_fake"])
    script.print_table(saturation, ["seed", "min_p_real_on_fake", "minimax_norm_start", "minimax_norm_end",
                                    "non_saturating_norm_start", "non_saturating_norm_end", "final_norm_ratio",
                                    "final_odds"])
    print(f"energy distance between two real samples of {PROBE_SIZE}: {baseline:.4f}")
    script.print_claims(claims(rows, saturation))


# The docstring's "Expected:" ranges (seeds 0-2), as stated (rounded): loss -> energy distance at the end of the
# GAN runs; the frozen generator's measures.
ENERGY_DISTANCE_RANGES = {"minimax": ("0.12", "0.37"), "non_saturating": ("0.09", "0.37")}
FROZEN_RANGES = {"min_p_real_on_fake": ("min mean D(G(z))", "0.003", "0.006"),
                 "minimax_norm_end": ("saturating grad norm at the end", "0.07", "0.30"),
                 "non_saturating_norm_end": ("non-saturating grad norm at the end", "6.3", "12.5"),
                 "final_norm_ratio": ("ratio of the two", "0.011", "0.024")}


def claims(rows, saturation):
    """Per seed: D(G(z)) of the frozen G, the two gradient norms and their ratio; energy distance and final
    D(G(z)) of each GAN run."""
    checked = []
    for row in saturation:
        checked += [script.claim_range(f"frozen G, seed {row['seed']}: {label}", row[key],
                                       *script.stated_range(low, high))
                    for key, (label, low, high) in FROZEN_RANGES.items()]
    for row in rows:
        name = f"{row['loss']} GAN, seed {row['seed']}"
        checked += [script.claim_range(f"{name}: energy distance", row["energy_distance"],
                                       *script.stated_range(*ENERGY_DISTANCE_RANGES[row["loss"]])),
                    script.claim_range(f"{name}: final mean D(G(z))", row["final_p_real_on_fake"],
                                       *script.stated_range("0.45", "0.55"))]
    return checked


if __name__ == "__main__":
    main()
