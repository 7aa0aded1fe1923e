"""One-dimensional toy experiments (Figs 1-21 of "Generative Adversarial Networks", Max Strakhov's blog post of
2018, https://monnoroch.github.io/posts/2018/04/03/generative-adversarial-networks.html): train a GAN on a 1-D
distribution while a `callbacks.Probe` records it (`measurements.LossesAndSamples` into a `callbacks.MemorySink`),
summarise the run, and draw the post's figure set.

  DISCRIMINATOR_VARIANTS   the post's four discriminators: run name -> `networks.mlp_discriminator` options
  Settings                 the blog code's training set-up (batch, learning rates, D's layers, probe period)
  train_run                one GAN on a 1-D distribution, recorded -> Run(gan, recorder)
  animation_grid           the x values on which the animation runs record D(x) (a 0.1 grid)
  train_discriminator_runs one run per discriminator (the blog's four), with TensorBoard logs
  train_runs               several `train_run`s side by side (threads), each the same as alone
  animation_run_arguments  a run that also records D(x) on a 0.1 grid, for the animations
  mixture_summary          final scalars and `metrics.mixture_report` of a run's final generator
  final_scalars            the recorded scalars averaged over the last probes (final_mean, final_stddev, ...)
  first_step_within        the first probed step at which a scalar comes within a tolerance of a target
  discriminator_by_region  the final D(x) averaged near each mode of a mixture and in the gap between them
  linear_generator_frames  animation frames with G's exact density N(G/mean, G/stddev) (a linear G)
  sampled_generator_frames animation frames with G's density estimated from its probe samples (any G)
  save_animation           the frames as a GIF and a six-panel montage PNG
  plot_series_figures      Figs 1-4 style: one recorded scalar over steps, one line per discriminator
  plot_histogram_figures   Figs 5-6 style: real and generated histograms over steps
  mixture_animations       the animation runs on bimodal mixtures (Figs 14-15, 20-21), drawn and summarised

Every run name keeps the same colour in every figure (`plotting.run_colors(list(DISCRIMINATOR_VARIANTS))`).
"""

import dataclasses
import typing

import keras
import numpy as np

from gan_tf import callbacks, checks, distributions, measurements, metrics, models, networks, plotting
from gan_tf.reproduction import script, side_by_side

# The post's four discriminators (plain, L2, dropout, both). L2 5e-4 is TF1's reg * l2_loss(W) = reg/2 * sum(W^2),
# i.e. Keras L2(2.5e-4) on every kernel; dropout 0.5 was given as a keep probability (0.5 either way).
DISCRIMINATOR_VARIANTS = {
    "plain": dict(l2=0.0, dropout=0.0),
    "L2 5e-4": dict(l2=2.5e-4, dropout=0.0),
    "dropout 0.5": dict(l2=0.0, dropout=0.5),
    "L2 5e-4 + dropout 0.5": dict(l2=2.5e-4, dropout=0.5),
}

# Recorded scalar -> (file-name stem, what the figure shows, key in the summaries).
SERIES = {
    "G/mean": ("g_mean", "mean of the generator's distribution", "final_mean"),
    "G/stddev": ("g_stddev", "stddev of the generator's distribution", "final_stddev"),
    "p_real_on_real": ("p_real_on_real", "D's mean P(real) on real samples", "final_p_real_on_real"),
    "p_real_on_fake": ("p_real_on_fake", "D's mean P(real) on generated samples", "final_p_real_on_fake"),
}


@dataclasses.dataclass(frozen=True)
class Settings:
    """The blog code's training set-up (Monnoroch/generative, TF1), as `train_run` uses it."""

    batch_size: int = 32                        # real (and generated) samples per step
    d_learning_rate: float = 0.01               # Adam, discriminator
    g_learning_rate: float = 0.02               # Adam, generator
    discriminator_hidden: tuple = (256, 256)    # D's hidden ReLU layers, as the text describes
    loss: str = "non_saturating"                # a name in gan_tf.losses.FAMILIES
    every_n_steps: int = 10                     # probe period (also steps_per_execution)
    probe_size: int = 1024                      # real and generated samples per probe
    jit_compile: bool = True                    # XLA-compile the step (False: TensorFlow's graph, no compilation)


class Run(typing.NamedTuple):
    """A trained GAN and the memory of the probe that watched it."""

    gan: models.GAN
    recorder: callbacks.MemorySink


def train_run(real_distribution, build_generator, discriminator_options, steps, seed,
              settings=Settings(), latent_dim=1, grid=None, log_dir=None, verbose=2, label=None):
    """Train one GAN on samples of `real_distribution` (event shape [1]) for `steps` steps; return Run.

    `build_generator` is called with no argument after the seeds are set (e.g. `networks.linear_generator`),
    D is `networks.mlp_discriminator(settings.discriminator_hidden, **discriminator_options)`. With `grid`,
    the recorder also keeps D(x) on it (sample "d_on_grid", for animations); with `log_dir`, the same
    observations go to TensorBoard there. With `label`, progress is printed as `progress_lines(label, steps)`
    instead of Keras's (verbose is then ignored). Safe to call from several threads at once (`train_runs`).
    """
    checks.positive_integer("steps", steps)
    with side_by_side.seeded_set_up(seed):  # the global seeds and everything seeded from them belong to this run
        gan = models.GAN(generator=build_generator(),
                         discriminator=networks.mlp_discriminator(list(settings.discriminator_hidden),
                                                                  **discriminator_options),
                         latent_dim=latent_dim, seed=seed)
        gan.compile(d_optimizer=keras.optimizers.Adam(settings.d_learning_rate),
                    g_optimizer=keras.optimizers.Adam(settings.g_learning_rate),
                    loss=settings.loss, steps_per_execution=settings.every_n_steps,
                    jit_compile=settings.jit_compile)
        probe = distributions.sample_dataset(real_distribution, settings.probe_size, seed=seed + 1)
        recorder = callbacks.MemorySink()
        # TensorBoard: a real-and-fake picture (~70 ms of CPU each) at the start and after each quarter of the run
        sinks = [recorder] if log_dir is None else [recorder, callbacks.TensorBoardSink(log_dir, max(1, steps // 4))]
        monitor = callbacks.Probe(measurements.LossesAndSamples(probe, grid=grid), sinks, settings.every_n_steps)
        data = distributions.sample_dataset(real_distribution, settings.batch_size, seed=seed)
        progress = [] if label is None else [progress_lines(label, steps)]
    gan.fit(data, steps_per_epoch=steps, epochs=1, callbacks=[monitor, *progress],
            verbose=verbose if label is None else 0, shuffle=False)
    return Run(gan, recorder)


def train_runs(jobs, on_done=None):
    """{name: `train_run(**arguments)`} of `jobs` (name -> arguments), several at a time (`side_by_side`): the
    same runs as one after another (tested). `on_done(name, run)` is called as each run ends."""
    return side_by_side.train_side_by_side(train_run, jobs, on_done=on_done)


def progress_lines(label, steps, lines=4):
    """A callback printing `[label] step N/steps  d_loss ... g_loss ...` `lines` times over a run of `steps`
    steps (so that the output of several runs says which run each line belongs to)."""
    next_step = [max(1, steps // lines)]

    def print_progress(batch, logs):
        if batch + 1 >= next_step[0] or batch + 1 == steps:  # batch: the last step of the execution, from 0
            numbers = "  ".join(f"{name} {float(value):.3f}" for name, value in (logs or {}).items())
            print(f"[{label}] step {batch + 1}/{steps}  {numbers}", flush=True)
            next_step[0] = batch + 1 + max(1, steps // lines)

    return keras.callbacks.LambdaCallback(on_train_batch_end=print_progress)


def train_discriminator_runs(real_distribution, build_generator, steps, seed, settings, out_dir,
                             discriminators=DISCRIMINATOR_VARIANTS, extra_runs=None, on_done=None):
    """One `train_run` per discriminator (name -> options), with seeds seed, seed + 1, ... in order and
    TensorBoard logs in `out_dir/tensorboard/<callbacks.run_name(name)>` (TensorBoard's runs "<name>",
    "<name>/real", "<name>/fake"), side by side (`train_runs`), with `extra_runs` (name -> `train_run`
    arguments, e.g. `animation_run_arguments`) in the same pool, started after the discriminators' runs;
    returns name -> Run. `on_done(name, run)` is called as each run ends (`train_runs`)."""
    jobs = {name: dict(real_distribution=real_distribution, build_generator=build_generator,
                       discriminator_options=options, steps=steps, seed=seed + index, settings=settings,
                       log_dir=out_dir / "tensorboard" / callbacks.run_name(name), label=f"discriminator: {name}")
            for index, (name, options) in enumerate(discriminators.items())}
    return train_runs({**jobs, **(extra_runs or {})}, on_done)


def animation_run_arguments(real_distribution, build_generator, x_range, steps, seed, settings,
                            discriminator_options=DISCRIMINATOR_VARIANTS["plain"], label="animation"):
    """`train_run`'s arguments (for `train_runs`) of a run that also records D(x) on `animation_grid(x_range)`."""
    return dict(real_distribution=real_distribution, build_generator=build_generator,
                discriminator_options=discriminator_options, steps=steps, seed=seed, settings=settings,
                grid=animation_grid(x_range), label=label)


def animation_grid(x_range):
    """x_range[0], x_range[0] + 0.1, ... < x_range[1], float32 (the blog's animations were drawn from D on a
    0.1 grid)."""
    return np.arange(*x_range, 0.1, dtype=np.float32)


def mixture_summary(run, means, stddevs, sample_count=20000, seed=0, window=10):
    """`final_scalars` of the run and `metrics.mixture_report` of `sample_count` samples of its final generator."""
    samples = run.gan.generate(sample_count, seed=seed)
    return {**final_scalars(run.recorder, window), **metrics.mixture_report(samples, means, stddevs)}


def final_scalars(recorder, window=10):
    """{"final_mean", "final_stddev", "final_p_real_on_real", "final_p_real_on_fake"}: each recorded scalar
    averaged over the last `window` probes (G's mean and stddev only for a linear generator)."""
    return {key: recorder.final(name, window) for name, (_, _, key) in SERIES.items() if name in recorder.scalars}


def first_step_within(recorder, name, target, tolerance):
    """First probed step at which the scalar `name` is within `tolerance` of `target` (None if never)."""
    for step, value in zip(recorder.steps, recorder.scalars[name]):
        if abs(value - target) <= tolerance:
            return step
    return None


def discriminator_by_region(recorder, grid, means, stddevs, width=2.0):
    """The last D(x) recorded on `grid`, averaged near each mode (|x - m_k| <= width * s_k) and in the gap
    between the modes (as in `metrics.gap_mass`): {"final_d_near_mode_<k>": .., "final_d_in_gap": ..}."""
    _check_grid_recorded(recorder)
    grid = np.asarray(grid).reshape(-1)
    last = recorder.samples["d_on_grid"][-1]
    means, stddevs = np.asarray(means, dtype=np.float64), np.asarray(stddevs, dtype=np.float64)
    near = np.abs(grid[:, None] - means[None, :]) <= width * stddevs[None, :]
    result = {f"final_d_near_mode_{index}": float(last[near[:, index]].mean()) for index in range(means.size)}
    gap = (grid > means.min()) & (grid < means.max()) & ~near.any(axis=1)
    result["final_d_in_gap"] = float(last[gap].mean()) if gap.any() else None
    return result


def linear_generator_frames(recorder, grid):
    """Animation frames of a linear-generator run: D(x) on `grid` and G's exact density N(mean, stddev)."""
    _check_grid_recorded(recorder)
    grid = np.asarray(grid, dtype=np.float64)
    frames = []
    for step, on_grid, mean, stddev in zip(recorder.steps, recorder.samples["d_on_grid"],
                                           recorder.scalars["G/mean"], recorder.scalars["G/stddev"]):
        stddev = max(stddev, 1e-3)
        density = np.exp(-0.5 * ((grid - mean) / stddev) ** 2) / (stddev * np.sqrt(2.0 * np.pi))
        frames.append({"step": step, "discriminator": on_grid, "generator_density": density})
    return frames


def sampled_generator_frames(recorder, grid):
    """Animation frames of any 1-D run: D(x) on `grid` and a Gaussian KDE of the probe's generated samples
    (Silverman's bandwidth, at least the grid spacing)."""
    _check_grid_recorded(recorder)
    spacing = float(np.min(np.diff(grid)))
    return [{"step": step, "discriminator": on_grid,
             "generator_density": metrics.kernel_density(fake, grid, minimum_bandwidth=spacing)}
            for step, on_grid, fake in zip(recorder.steps, recorder.samples["d_on_grid"],
                                           recorder.samples["fake_data"])]


def save_animation(grid, real_density, frames, out_dir, stem, title, panels=6, generator_label=None):
    """Write `<stem>_training.gif` and `<stem>_montage.png` (`panels` evenly spaced frames) in `out_dir`."""
    options = {} if generator_label is None else {"generator_label": generator_label}
    plotting.training_animation(grid, real_density, frames, out_dir / f"{stem}_training.gif", title, **options)
    chosen = np.unique(np.linspace(0, len(frames) - 1, panels).astype(int))
    plotting.animation_montage(grid, real_density, [frames[index] for index in chosen],
                               out_dir / f"{stem}_montage.png", title, **options)


def mixture_animations(animations, build_generator, steps, seed, settings, out_dir, frames, final_samples,
                       smoke=False, generator_label=None):
    """One animation run (plain D) per bimodal mixture of `animations` (stem -> dict of means, stddevs, x_range,
    every_n_steps, title), with seeds seed + 100, seed + 101, ...: trains it, writes `<stem>_training.gif` and
    `<stem>_montage.png` (G's density from `frames(recorder, grid)`, e.g. `linear_generator_frames`), and
    returns {"<stem>_animation": `mixture_summary` (of `final_samples` samples) and `discriminator_by_region`}.
    D(x) is recorded every `every_n_steps` steps, every 10 with `smoke`. The runs train side by side."""
    reals = {stem: distributions.mixture(animation["means"], animation["stddevs"])
             for stem, animation in animations.items()}
    runs = train_runs({stem: animation_run_arguments(
        reals[stem], build_generator, animation["x_range"], steps, seed + 100 + index,
        dataclasses.replace(settings, every_n_steps=10 if smoke else animation["every_n_steps"]),
        label=f"{stem} animation") for index, (stem, animation) in enumerate(animations.items())})
    results = {}
    for stem, animation in animations.items():
        real, run, grid = reals[stem], runs[stem], animation_grid(animation["x_range"])
        save_animation(grid, metrics.density(real, grid), frames(run.recorder, grid), out_dir, stem,
                       animation["title"], generator_label=generator_label)
        results[f"{stem}_animation"] = {
            **mixture_summary(run, animation["means"], animation["stddevs"], final_samples, seed=seed),
            **discriminator_by_region(run.recorder, grid, animation["means"], animation["stddevs"])}
    return results


def plot_series_figures(recorders, out_dir, experiment, figures, smoothing=None):
    """Figs 1-4 style. `figures` maps a recorder scalar (a key of SERIES) to (figure number, target,
    target label); writes `fig<number>_<stem>.png` with one line per run, in the runs' fixed colours
    (smoothed as in TensorBoard when `smoothing` is given, see `plotting.plot_series`)."""
    colors = plotting.run_colors(list(recorders))
    for name, (number, target, target_label) in figures.items():
        stem, description, _ = SERIES[name]
        runs = {run: (recorder.steps, recorder.scalars[name]) for run, recorder in recorders.items()}
        plotting.plot_series(runs, f"{experiment}\nFig {number}: {description}", name,
                             out_dir / f"fig{number}_{stem}.png", target, colors, target_label, smoothing)


def plot_histogram_figures(recorders, out_dir, experiment, numbers, value_range):
    """Figs 5-6 style: `fig<real>_real_data.png` (from the first run) and one
    `fig<fake>_fake_data_<index>_<safe run name>.png` per run; `numbers` = (real figure number, fake figure number)."""
    real_number, fake_number = numbers
    colors = plotting.run_colors(list(recorders))
    first = next(iter(recorders.values()))
    plotting.ridge_plot(first.steps, first.samples["real_data"],
                        f"{experiment}\nFig {real_number}: real data over training",
                        out_dir / f"fig{real_number}_real_data.png", color=plotting.REAL_COLOR, value_range=value_range)
    for index, (run, recorder) in enumerate(recorders.items()):
        plotting.ridge_plot(recorder.steps, recorder.samples["fake_data"],
                            f"{experiment}\nFig {fake_number}: generated data over training, D = {run}",
                            out_dir / f"fig{fake_number}_fake_data_{index}_{script.safe_file_name(run)}.png",
                            color=colors[run], value_range=value_range)


def _check_grid_recorded(recorder):
    if not recorder.samples.get("d_on_grid"):
        raise ValueError("recorder must hold D(x) on a grid (measurements.LossesAndSamples(..., grid=...)).")
