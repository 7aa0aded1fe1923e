"""Mode-collapse fixes on PacGAN's 2-D ring and grid: modes captured, high-quality samples, reverse KL.

Source:   Lin, Khetan, Fanti, Oh 2018, "PacGAN" (https://arxiv.org/abs/1712.04086), Sec. 5.1, Tables 2-3 (GAN,
          PacGAN2, PacGAN4, 10 runs); VEEGAN (Srivastava et al. 2017, https://arxiv.org/abs/1705.07761), Table 1
          (unrolled GAN); GDPP (Elfeki et al. 2019, https://arxiv.org/abs/1812.00068), Table 1 (WGAN-GP). The
          fixes are those of the mode-collapse slides of N. Popov, M. Ryabinin, "Introduction to GANs pt. 2,
          a.k.a. «what could go wrong?»" (slides, Higher School of Economics, 2018) (minibatch discrimination,
          unrolled GAN) and its instance noise (Sønderby et al. 2016, https://arxiv.org/abs/1610.04490; Arjovsky
          and Bottou 2017), with consensus optimization (Mescheder et al. 2017) and WGAN-GP (Gulrajani et al. 2017).
Command:  python reproductions/pacgan_ring_grid.py [--out-dir DIR] [--smoke] [--seed S] [--seeds N]
          [--datasets ring grid] [--methods gan unrolled ...] [--steps N]
          python reproductions/pacgan_ring_grid.py --merge DIR [DIR ...] --out-dir DIR  (one table of runs split
          over processes: table.md and metrics.json, no figure)
Outputs:  samples.png    2,500 samples of every method (first seed) over the modes, ring and grid
          table.md       our mean +- standard error beside the published numbers
          config.json, metrics.json (every run's metrics and runtime)
          tensorboard/<dataset> <method> seed <S>/  first seed only: G's and the real samples per coordinate and
                         as one scatter plot, every quarter of the run (open with:
                         tensorboard --logdir outputs/pacgan_ring_grid/tensorboard)
Expected: (measured; modes / %HQ / rev KL, mean over seeds 0-4; per seed in metrics.json)
          batch 100, 10,000 steps:
              ring: gan 7.6 / 96.7 / 0.27, unrolled 8.0 / 97.9 / 0.03, wgan_gp 3.8 / 36.3 / - (seed 3 captured no
                    mode: reverse KL undefined), pacgan2 8.0 / 96.6 / 0.00, pacgan4 8.0 / 90.7 / 0.00,
                    minibatch 7.2 / 86.4 / 0.39, consensus 8.0 / 65.8 / 0.01
              grid: gan 11.2 / 84.3 / 1.21, unrolled 8.0 / 91.0 / 1.79, wgan_gp 13.4 / 19.8 / 1.33,
                    pacgan2 17.2 / 20.7 / 1.33, pacgan4 19.6 / 1.7 / 0.43, minibatch 20.0 / 54.8 / 1.38,
                    consensus 24.4 / 9.6 / 0.54
          batch 400, 30,000 steps:
              ring: instance_noise 8.0 / 98.0 / 0.01, gan_large_batch 8.0 / 98.9 / 0.02
              grid: instance_noise 25.0 / 97.8 / 0.01, gan_large_batch 15.8 / 97.4 / 0.61
          The success criterion (all modes in every seed, >= 95% HQ, rev KL < 0.05) is met on both datasets in every
          seed by the GAN with annealed instance noise: ring 8 modes, HQ 97.3-98.6%, rev KL 0.002-0.021; grid 25
          modes, HQ 97.1-98.4%, rev KL 0.008-0.018 (above PacGAN4's published 24.8 / 93.6 / 0.04). Its ablation
          without noise (gan_large_batch) meets it on the ring but keeps 14-19 of the grid's 25 modes. At
          batch 100 and 10k steps the target is met on the ring by PacGAN2 in every seed (HQ 95.5-97.6%, rev KL
          <= 0.002) and by unrolled GAN in 4 of 5 (seed 0: rev KL 0.058); on the grid by no method in any seed:
          consensus keeps 24-25 modes but < 11% HQ, the GAN sharpens (82-87% HQ) on 9-13 modes, unrolled (86-97%
          HQ) on 6-11, PacGAN2 11-22 / 7-43%, PacGAN4 17-22 modes of diffuse samples (< 3% HQ). WGAN-GP
          collapses in 3 of 5 ring seeds (2, 0 and 1 modes).
          Seed 0 rerun on 2026-12-01 (oneDNN on since, which rounds differently; these runs are chaotic): the
          criterion still holds (instance_noise: ring 8 / 98.3% / 0.005, grid 25 / 97.4% / 0.013), other rows moved
          (unrolled ring rev KL 0.014, was 0.058; WGAN-GP's ring seed 0 now captures no mode). Seeds 1-4 not rerun.
Runtime:  about 75 min for the full default run on 2 idle cores (AMD EPYC Zen 3, AVX2): its runs train several at a
          time (`gan_tf.reproduction.side_by_side`, results identical to one after another); one seed (18 runs,
          four at a time) took 894 s wall, 1,658 s of CPU (2026-12-01). Why not under 45 minutes: the batch-400
          runs alone are ~29 min of both cores' arithmetic (benchmarks/README.md). Before that, one after
          another: ~2 h 45 min on a loaded machine. Per run, one at a time on one loaded core: gan, pacgan2,
          pacgan4, minibatch and consensus 23-85 s, unrolled and WGAN-GP 90-147 s, instance_noise and
          gan_large_batch ~200 s.
          Runs of this script can also be split by methods and seeds (`--methods ... --seed S --seeds N`) over
          processes or machines and merged (`--merge`).
          --smoke 291 s on 2 loaded cores (load average ~11, gan-tf reproduce --all --smoke;
          20-40 s on a quieter machine; no XLA: compiling would cost more than its 4 steps).

Data and metrics exactly as PacGAN: ring = 8 Gaussians on the unit circle, stddev 0.01; grid = 25 Gaussians at
{-4, -2, 0, 2, 4}^2, stddev 0.05; 2,500 samples; high quality = within 3 stddev of the nearest mode; a mode is
captured with >= 1 high-quality sample; reverse KL of the captured-mode histogram against uniform
(`gan_tf.metrics.mode_coverage`). Deviations (CPU budget): PacGAN's G had 4 x 400 ReLU + batch norm and D 3 x 200
maxout units, Adam 1e-4, trained far longer; here G and D are 3 x 128 ReLU MLPs trained for `NUM_STEPS` generator
steps of batch 100 (PacGAN's batch), z ~ N(0, I_2) as PacGAN. All methods share the networks and Adam(1e-3,
beta_1 0.5), except WGAN-GP (Adam(1e-3, 0, 0.9): the paper's betas) and consensus (RMSProp 1e-3, the paper's
optimizer); every learning rate follows a cosine decay to 1% of its initial value over the run (the critic's
over its 5 x `NUM_STEPS` updates). Unrolled GAN: K = 5 plain gradient steps of size 1e-3 (measured on the ring,
seed 0, 3,000 steps: 1e-3 gave 8 modes, 92.6% HQ; 1e-2 gave 1 mode, 1e-1 none). Minibatch discrimination: 5
kernels of dimension 3 after D's last hidden layer. WGAN-GP: lambda 10, 5 critic steps per G step.
instance_noise: the GAN (same networks and optimizers) with instance noise N(0, s^2) on both of D's inputs, s
falling linearly from 1 to 0 over the first half of the run (`gan_tf.models.InstanceNoiseGAN`; the slides' fix
for disjoint supports), batch 400 and 3 x `NUM_STEPS` steps (`BUDGETS`); gan_large_batch is the same run
without the noise.

The pilots behind these choices: reproductions/pacgan_ring_grid_pilots.md.
"""

import json
import pathlib
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

from gan_tf import callbacks, distributions, layers, measurements, metrics, models
from gan_tf.reproduction import script, side_by_side

BATCH_SIZE = 100
LATENT_DIM = 2
HIDDEN = (128, 128, 128)
NUM_STEPS = 10_000
STEPS_PER_EXECUTION = 250
JIT_COMPILE = True  # the table's runs; with oneDNN on, TF's graph costs 15-45% less CPU (benchmarks/README.md)
# but would change these chaotic runs: switching means rerunning the table
NUM_SEEDS = 5
LEARNING_RATE = 1e-3
FINAL_LEARNING_RATE_FRACTION = 0.01  # cosine decay to 1e-5 by the last step
UNROLLING_STEPS = 5  # K of Metz et al. (their 2-D mixture experiment)
UNROLLING_LEARNING_RATE = 1e-3  # 1e-2 and 1e-1 collapsed on the ring (seed 0: 1 and 0 modes)
GP_WEIGHT = 10.0  # lambda
N_CRITIC = 5
GAMMA = 10.0  # consensus
MINIBATCH_KERNELS, MINIBATCH_KERNEL_DIM = 5, 3
DATASETS = {
    "ring": (lambda: distributions.ring_of_gaussians(8, 1.0, 0.01), 0.01),
    "grid": (lambda: distributions.grid_of_gaussians(5, 2.0, 0.05), 0.05),
}
METHODS = ("gan", "unrolled", "wgan_gp", "pacgan2", "pacgan4", "minibatch", "consensus", "instance_noise",
           "gan_large_batch")
# Methods trained with another budget than (BATCH_SIZE, --steps): (batch size, multiple of --steps).
# gan_large_batch is instance_noise without the noise: the ablation that shows what the noise does.
BUDGETS = {"instance_noise": (400, 3), "gan_large_batch": (400, 3)}
NOISE_STDDEV = 1.0  # s(0) of the instance noise on D's inputs (the grid's modes are 2 apart, the ring's radius 1)
NOISE_ANNEAL_FRACTION = 0.5  # s falls linearly to 0 over the first half of the run; the second half is noise-free
# (ring modes, %HQ, rev KL), (grid modes, %HQ, rev KL) as printed in the papers (see Source:).
PUBLISHED = {
    "gan": ("PacGAN T2-3", (6.3, 98.2, 0.45), (17.3, 94.8, 0.70)),
    "pacgan2": ("PacGAN T2-3", (7.9, 95.6, 0.07), (23.8, 91.3, 0.13)),
    "pacgan4": ("PacGAN T2-3", (7.8, 95.9, 0.07), (24.8, 93.6, 0.04)),
    "unrolled": ("VEEGAN T1", (7.6, 35.6, None), (23.6, 16.0, None)),
    "wgan_gp": ("GDPP T1", (6.8, 59.6, None), (24.2, 28.7, None)),
}


def mlp(input_dim, output_dim, name, minibatch=False):
    inputs = keras.Input(shape=(input_dim,))
    hidden = inputs
    for units in HIDDEN:
        hidden = keras.layers.Dense(units, activation="relu")(hidden)
    if minibatch:
        hidden = layers.MinibatchDiscrimination(MINIBATCH_KERNELS, MINIBATCH_KERNEL_DIM)(hidden)
    return keras.Model(inputs, keras.layers.Dense(output_dim, dtype="float32")(hidden), name=name)


def decayed(learning_rate, num_updates):
    """Cosine decay from `learning_rate` to `FINAL_LEARNING_RATE_FRACTION` of it over `num_updates` updates."""
    return keras.optimizers.schedules.CosineDecay(learning_rate, max(1, num_updates),
                                                  alpha=FINAL_LEARNING_RATE_FRACTION)


def build(method, seed, num_steps):
    """(model, d_optimizer, g_optimizer) of one method, for `num_steps` generator steps."""
    packing = {"pacgan2": 2, "pacgan4": 4}.get(method, 1)
    generator = mlp(LATENT_DIM, 2, "generator")
    discriminator = mlp(2 * packing, 1, "discriminator", minibatch=method == "minibatch")
    arguments = (generator, discriminator, LATENT_DIM)
    rate = decayed(LEARNING_RATE, num_steps)
    adam = lambda: keras.optimizers.Adam(rate, beta_1=0.5)  # noqa: E731
    if method == "unrolled":
        model = models.UnrolledGAN(*arguments, unrolling_steps=UNROLLING_STEPS,
                                   unrolling_learning_rate=UNROLLING_LEARNING_RATE, seed=seed)
    elif method == "wgan_gp":
        model = models.WGANGP(*arguments, gp_weight=GP_WEIGHT, n_critic=N_CRITIC, seed=seed)
        critic_rate = decayed(LEARNING_RATE, N_CRITIC * num_steps)
        return model, keras.optimizers.Adam(critic_rate, 0.0, 0.9), keras.optimizers.Adam(rate, 0.0, 0.9)
    elif method == "consensus":
        model = models.ConsensusGAN(*arguments, gamma=GAMMA, seed=seed)
        return model, keras.optimizers.RMSprop(rate), keras.optimizers.RMSprop(rate)
    elif method == "instance_noise":
        model = models.InstanceNoiseGAN(*arguments, initial_stddev=NOISE_STDDEV,
                                        anneal_steps=max(1, int(NOISE_ANNEAL_FRACTION * num_steps)), seed=seed)
    elif packing > 1:
        model = models.PacGAN(*arguments, packing=packing, seed=seed)
    else:
        model = models.GAN(*arguments, seed=seed)
    return model, adam(), adam()


def budget(method, num_steps):
    """(batch size, generator steps) of `method` in a run of `num_steps` steps (`--steps`)."""
    batch_size, multiple = BUDGETS.get(method, (BATCH_SIZE, 1))
    return batch_size, multiple * num_steps


def train(method, dataset, seed, num_steps, jit_compile=JIT_COMPILE, log_dir=None):
    """Train one method on one dataset; returns (samples [2500, 2], metrics dict). With `log_dir`, real and fake
    samples go to TensorBoard there every quarter of the run (~0.1 s each, within the run's seconds)."""
    batch_size, num_steps = budget(method, num_steps)
    make_distribution, stddev = DATASETS[dataset]
    with side_by_side.seeded_set_up(seed):  # runs train side by side (main), each as if alone
        distribution = make_distribution()
        model, d_optimizer, g_optimizer = build(method, seed, num_steps)
        loss = "wasserstein" if method == "wgan_gp" else "non_saturating"
        model.compile(d_optimizer, g_optimizer, loss=loss, steps_per_execution=min(STEPS_PER_EXECUTION, num_steps),
                      jit_compile=jit_compile)
        probes = [] if log_dir is None else [probe(distribution, seed, num_steps, log_dir)]
        data = distributions.sample_dataset(distribution, batch_size, seed=seed)
    start = time.time()
    model.fit(data, epochs=1, steps_per_epoch=num_steps, callbacks=probes, verbose=0)
    samples = model.generate(metrics.PACGAN_NUM_SAMPLES, seed=seed + 10_000)
    scores = metrics.mode_coverage(samples, distribution.components_distribution.mean().numpy(), stddev)
    return samples, {**scores, "batch_size": batch_size, "steps": num_steps, "seconds": time.time() - start}


def probe(distribution, seed, num_steps, log_dir):
    """A probe of 1,000 fixed real samples and G's from a fixed seed (the training stream untouched)."""
    real = next(iter(distributions.sample_dataset(distribution, 1000, seed=seed + 1000))).numpy()
    every = max(1, num_steps // 4)
    sink = callbacks.TensorBoardSink(log_dir, every)
    return callbacks.Probe(measurements.GeneratedSamples(real, seed + 2000), sink, every)


def summarize(runs, methods, datasets):
    """Rows of mean and standard error (over seeds) of each metric, per method and dataset."""
    rows = []
    for method in methods:
        first = next(run for run in runs if run["method"] == method)
        row = {"method": method, "budget": f"{first['batch_size']} x {first['steps']:,}"}
        for dataset in datasets:
            for key in ("modes", "high_quality", "reverse_kl"):
                values = np.array([float(run[key]) for run in runs  # float: JSON keeps NaN as "nan"
                                   if run["method"] == method and run["dataset"] == dataset])
                values = values * 100 if key == "high_quality" else values
                row[f"{dataset}_{key}"] = float(np.mean(values))
                spread = np.std(values, ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
                row[f"{dataset}_{key}_se"] = float(spread)
        rows.append(row)
    return rows


def markdown_table(rows, datasets, num_seeds):
    def ours(row, dataset):
        return " / ".join(f"{row[f'{dataset}_{key}']:.{digits}f} +- {row[f'{dataset}_{key}_se']:.{digits}f}"
                          for key, digits in (("modes", 1), ("high_quality", 1), ("reverse_kl", 2)))

    def published(method, index):
        if method not in PUBLISHED:
            return "-"
        return " / ".join("-" if value is None else f"{value:g}" for value in PUBLISHED[method][index])

    header = "| method | " + " | ".join(f"ours {d}: modes / %HQ / rev KL ({num_seeds} seeds)" for d in datasets)
    header += " | batch x G steps | published ring | published grid | source |"
    lines = [header, "|" + "---|" * (len(datasets) + 5)]
    for row in rows:
        source = PUBLISHED.get(row["method"], ("-",))[0]
        cells = [ours(row, d) for d in datasets] + [row["budget"], published(row["method"], 1),
                                                     published(row["method"], 2), source]
        lines.append(f"| {row['method']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot_samples(samples, datasets, methods, path):
    figure, axes = plt.subplots(len(datasets), len(methods), figsize=(2.3 * len(methods), 2.5 * len(datasets)),
                                squeeze=False)
    for row, dataset in enumerate(datasets):
        centres = DATASETS[dataset][0]().components_distribution.mean().numpy()
        limit = 1.5 if dataset == "ring" else 5.5
        for column, method in enumerate(methods):
            axis = axes[row][column]
            axis.scatter(centres[:, 0], centres[:, 1], s=40, facecolors="none", edgecolors="red", linewidths=0.8)
            points, scores = samples[(method, dataset)]
            axis.scatter(points[:, 0], points[:, 1], s=1, alpha=0.3, color="C0")
            axis.set(xlim=(-limit, limit), ylim=(-limit, limit), xticks=[], yticks=[], aspect="equal")
            axis.set_title(f"{method} on {dataset}\n{scores['modes']} modes, {100 * scores['high_quality']:.0f}% HQ",
                           fontsize=8)
    script.save_figure(figure, path, "2,500 generator samples (blue) and the mixture's modes (red circles),\n"
                                     "first seed", dpi=110)


def add_arguments(parser):
    parser.add_argument("--steps", type=int, default=NUM_STEPS, help="generator steps of a run (default: %(default)s)")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--merge", nargs="+", metavar="DIR", help="train nothing: one table of earlier --out-dirs")


def main(argv=None):
    arguments, out_dir = script.start(__file__, __doc__, argv, seed=0, seeds=NUM_SEEDS, add_arguments=add_arguments)
    if arguments.merge:
        return write_summary(out_dir, merged_runs(arguments.merge))
    num_steps = 4 if arguments.smoke else arguments.steps
    jit_compile = JIT_COMPILE and not arguments.smoke  # compiling costs ~6 s per run, more than 4 steps
    seeds = script.run_seeds(arguments)
    script.write_json(out_dir / "config.json", {
        "batch_size": BATCH_SIZE, "latent_dim": LATENT_DIM, "hidden": list(HIDDEN), "num_steps": num_steps,
        "jit_compile": jit_compile,
        "learning_rate": LEARNING_RATE, "final_learning_rate_fraction": FINAL_LEARNING_RATE_FRACTION,
        "unrolling_steps": UNROLLING_STEPS, "gp_weight": GP_WEIGHT,
        "unrolling_learning_rate": UNROLLING_LEARNING_RATE, "n_critic": N_CRITIC, "gamma": GAMMA,
        "minibatch_kernels": MINIBATCH_KERNELS, "minibatch_kernel_dim": MINIBATCH_KERNEL_DIM, "seeds": seeds,
        "budgets": {method: budget(method, num_steps) for method in arguments.methods}, "noise_stddev": NOISE_STDDEV,
        "noise_anneal_fraction": NOISE_ANNEAL_FRACTION,
        "datasets": arguments.datasets, "methods": arguments.methods, "smoke": arguments.smoke})
    jobs = {(seed, dataset, method): dict(  # seeds first: an interrupted table keeps mostly whole seeds
        method=method, dataset=dataset, seed=seed, num_steps=num_steps, jit_compile=jit_compile,
        log_dir=(out_dir / "tensorboard" / callbacks.run_name(f"{dataset} {method} seed {seed}")
                 if seed == seeds[0] else None))  # one seed of each run is enough to watch
        for seed in seeds for dataset in arguments.datasets for method in arguments.methods}
    runs = []

    def record(key, result):  # as each run ends: metrics.json holds every run done so far
        seed, dataset, method = key
        runs.append({"method": method, "dataset": dataset, "seed": seed, **result[1]})
        print(f"{dataset} {method} seed {seed}: {result[1]}", flush=True)
        script.write_json(out_dir / "metrics.json", {"runs": sorted(runs, key=run_order), "complete": False})

    results = side_by_side.train_side_by_side(train, jobs, on_done=record)
    write_summary(out_dir, sorted(runs, key=run_order))
    first_samples = {(method, dataset): results[(seeds[0], dataset, method)]
                     for dataset in arguments.datasets for method in arguments.methods}
    plot_samples(first_samples, arguments.datasets, arguments.methods, out_dir / "samples.png")


def run_order(run):
    """Runs in the table's order: seed, then data set, then method."""
    return run["seed"], list(DATASETS).index(run["dataset"]), METHODS.index(run["method"])


def merged_runs(directories):
    """The runs in the metrics.json of earlier `--out-dir`s, one per (method, dataset, seed): later folders win."""
    runs = {}
    for directory in directories:
        path = pathlib.Path(directory) / "metrics.json"
        if not path.is_file():
            raise FileNotFoundError(f"--merge: {path} does not exist (expected an --out-dir of this script).")
        for run in json.loads(path.read_text())["runs"]:
            runs[(run["method"], run["dataset"], run["seed"])] = run
    return list(runs.values())


def write_summary(out_dir, runs):
    """metrics.json (runs and summary rows) and table.md of `runs`; prints the table."""
    methods = [method for method in METHODS if any(run["method"] == method for run in runs)]
    datasets = [dataset for dataset in DATASETS if any(run["dataset"] == dataset for run in runs)]
    rows = summarize(runs, methods, datasets)
    table = markdown_table(rows, datasets, len({run["seed"] for run in runs}))
    script.write_json(out_dir / "metrics.json", {"runs": runs, "summary": rows, "claims": claims(runs)})
    (out_dir / "table.md").write_text(table)
    print(table)
    script.print_claims(claims(runs))


def claims(runs):
    """The docstring's success criterion, met by the GAN with annealed instance noise in every seed: all modes
    (ring 8, grid 25), >= 95% high-quality samples, reverse KL < 0.05."""
    checked = []
    for run in runs:
        if run["method"] == "instance_noise":
            name = f"instance_noise, {run['dataset']}, seed {run['seed']}"
            all_modes = {"ring": 8, "grid": 25}[run["dataset"]]
            checked += [script.claim(f"{name}: modes", run["modes"], all_modes, 0),
                        script.claim_range(f"{name}: high-quality fraction", run["high_quality"], 0.95, 1.0),
                        script.claim_range(f"{name}: reverse KL", run["reverse_kl"], 0, 0.05)]
    return checked

if __name__ == "__main__":
    main()
