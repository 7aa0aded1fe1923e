"""Figures (matplotlib): series over steps, TensorBoard-like histogram ridges, 1-D training animations.

Functions take plain NumPy data (what a `callbacks.MemorySink` keeps), never models, and write a file.
The same run gets the same colour in every figure: pass one `colors` dict (see `run_colors`).

Figures after Strakhov 2018 (M. Strakhov, "Generative Adversarial Networks" (2018),
https://monnoroch.github.io/posts/2018/04/03/generative-adversarial-networks.html) and the views of
Shekkizhar's write-up (S. Shekkizhar, "Difficulties training a Generative Adversarial Network",
https://github.com/shekkizh/neuralnetworks.thought-experiments, Generative Models/GAN).
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.backends.backend_agg
import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np
import PIL.Image

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
REAL_COLOR, FAKE_COLOR, DISCRIMINATOR_COLOR = "#ff7f0e", "#2ca02c", "#1f77b4"


def run_colors(run_names):
    """A fixed colour per run name, in the given order."""
    return {name: PALETTE[index % len(PALETTE)] for index, name in enumerate(run_names)}


def plot_series(runs, title, ylabel, path, target=None, colors=None, target_label="target", smoothing=None):
    """One line per run: `runs` maps a run name to (steps, values). Figs 1-4 of Strakhov 2018.

    With `smoothing` in [0, 1), each run is drawn faint as recorded and solid as TensorBoard's
    exponential moving average s_t = smoothing * s_(t-1) + (1 - smoothing) * v_t (debiased)."""
    colors = colors or run_colors(list(runs))
    if smoothing is not None and not 0.0 <= smoothing < 1.0:
        raise ValueError(f"smoothing must be None or in [0, 1), got {smoothing!r}.")
    figure, axes = plt.subplots(figsize=(7, 4))
    for name, (steps, values) in runs.items():
        if smoothing is None:
            axes.plot(steps, values, label=name, color=colors[name], linewidth=1.2)
            continue
        axes.plot(steps, values, color=colors[name], linewidth=0.8, alpha=0.25)
        axes.plot(steps, exponential_moving_average(values, smoothing), label=name, color=colors[name], linewidth=1.4)
    if target is not None:
        axes.axhline(target, color="black", linestyle="--", linewidth=0.8, label=f"{target_label} = {target:g}")
    axes.set(title=title, xlabel="training step", ylabel=ylabel)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    _save(figure, path)


def exponential_moving_average(values, smoothing):
    """TensorBoard's smoothing: s_t = smoothing * s_(t-1) + (1 - smoothing) * v_t, divided by
    1 - smoothing^(t+1) so that the first points are not pulled towards 0."""
    averages, running = [], 0.0
    for index, value in enumerate(values):
        running = smoothing * running + (1.0 - smoothing) * float(value)
        averages.append(running / (1.0 - smoothing ** (index + 1)))
    return np.asarray(averages)


def ridge_plot(steps, samples, title, path, color=FAKE_COLOR, bins=41, max_rows=25, value_range=None):
    """Histograms of `samples[i]` (1-D arrays) stacked by step, newest at the bottom, like TensorBoard's
    histogram dashboard in offset mode (Figs 5-6 of Strakhov 2018)."""
    rows = np.unique(np.linspace(0, len(steps) - 1, min(max_rows, len(steps))).astype(int))
    low, high = value_range or _range([samples[index] for index in rows])
    edges = np.linspace(low, high, bins + 1)
    centers = 0.5 * (edges[1:] + edges[:-1])
    densities = [np.histogram(samples[index], bins=edges, density=True)[0] for index in rows]
    height = 2.5 / max(max(density.max() for density in densities), 1e-12)
    figure, axes = plt.subplots(figsize=(7, 5))
    shades = np.linspace(0.45, 1.0, len(rows))
    for order, density in enumerate(densities):
        base = -order
        axes.fill_between(centers, base, base + density * height, color=color, alpha=shades[order],
                          edgecolor="white", linewidth=0.6, zorder=order)
    axes.set_yticks([-order for order in range(len(rows))][:: max(1, len(rows) // 8)])
    axes.set_yticklabels([str(steps[index]) for index in rows][:: max(1, len(rows) // 8)])
    axes.set(title=title, xlabel="value", ylabel="training step")
    _save(figure, path)


def training_animation(grid, real_density, frames, path, title, fps=10, generator_label="generator density"):
    """GIF of a 1-D GAN training (Fig 7 of Strakhov 2018): the real density, the generator's density, D(x)
    and the line 0.5. `frames` is a list of dicts with keys "step", "generator_density", "discriminator"
    (both arrays on `grid`). `generator_label` names the generator's curve in the legend (e.g. a KDE).

    Drawn by blitting (matplotlib's "Faster rendering by using blitting"): the still parts (axes, ticks, real
    density) once, then per frame only the moving artists and the legend over a copy of that background: the
    same picture as a full redraw (all but 0.1% of the pixels, where a line crosses a spine: tested) at a
    fraction of its cost."""
    figure, axes = plt.subplots(figsize=(7, 4.2))
    lines = _draw_frame(axes, grid, real_density, frames[0], title, generator_label)
    images = [PIL.Image.fromarray(rgba[..., :3]) for rgba in animation_frames(figure, lines, frames)]  # opaque: RGB
    plt.close(figure)
    # One palette for every frame, from the first (every line is in it, with its anti-aliased shades): 15x faster
    # than a palette per frame, and within 0.3% of a full redraw's pixels (tested).
    palette = images[0].quantize(colors=256, method=PIL.Image.Quantize.MEDIANCUT)
    images = [image.quantize(palette=palette, dither=PIL.Image.Dither.NONE) for image in images]
    images[0].save(str(path), save_all=True, append_images=images[1:], duration=int(1000 / fps), loop=0)


def animation_frames(figure, lines, frames):
    """The RGBA pixels `[height, width, 4]` of `figure` for each of `frames`, with `lines` (the moving artists of
    `_draw_frame`) set to that frame's values, by blitting."""
    moving = [*lines.values(), *figure.legends, *[axes.get_legend() for axes in figure.axes if axes.get_legend()]]
    for artist in moving:
        artist.set_animated(True)  # left out of full draws; the legend too, so it stays above the lines
    figure.canvas.draw()
    background = figure.canvas.copy_from_bbox(figure.bbox)
    for frame in frames:
        figure.canvas.restore_region(background)
        lines["generator"].set_ydata(frame["generator_density"])
        lines["discriminator"].set_ydata(frame["discriminator"])
        lines["step"].set_text(f"step {frame['step']}")
        for artist in moving:
            figure.draw_artist(artist)
        yield np.array(figure.canvas.buffer_rgba())  # a copy: the next frame draws into the same buffer


def animation_montage(grid, real_density, frames, path, title, columns=3, generator_label="generator density"):
    """The frames of `training_animation` side by side in one PNG (like the montage images of Strakhov 2018)."""
    rows = int(np.ceil(len(frames) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows), squeeze=False)
    for axis, frame in zip(axes.flat, frames):
        _draw_frame(axis, grid, real_density, frame, None, generator_label)
    for axis in axes.flat[len(frames):]:
        axis.axis("off")
    axes.flat[0].legend(fontsize=7, loc="upper left")
    figure.suptitle(title)
    _save(figure, path)


def _draw_frame(axes, grid, real_density, frame, title, generator_label="generator density"):
    top = max(1.05, 1.1 * float(np.max(real_density)))
    axes.axhline(0.5, color="grey", linewidth=0.8, linestyle=":")
    axes.plot(grid, real_density, color=REAL_COLOR, label="real density")
    lines = {
        "generator": axes.plot(grid, frame["generator_density"], color=FAKE_COLOR, label=generator_label)[0],
        "discriminator": axes.plot(grid, frame["discriminator"], color=DISCRIMINATOR_COLOR, label="D(x)")[0],
        "step": axes.text(0.98, 0.95, f"step {frame['step']}", transform=axes.transAxes, ha="right", va="top"),
    }
    axes.set(xlim=(grid[0], grid[-1]), ylim=(0.0, top), xlabel="x", ylabel="density / probability real")
    if title:
        axes.set_title(title)
        axes.legend(fontsize=7, loc="upper left")
    return lines


def _range(arrays):
    values = np.concatenate([np.asarray(array).reshape(-1) for array in arrays])
    low, high = np.percentile(values, [0.5, 99.5])
    margin = 0.05 * max(high - low, 1e-6)
    return low - margin, high + margin


def _save(figure, path):
    figure.tight_layout()
    figure.savefig(str(path), dpi=110)
    plt.close(figure)


# --------------------------------------------------------------------------------------------------
# Images (DCGAN): image grids, and TensorBoard's "distributions" view of values over steps.
# --------------------------------------------------------------------------------------------------

TENSORBOARD_PERCENTILES = (0, 7, 16, 31, 50, 69, 84, 93, 100)  # the bands of TensorBoard's distributions view


def images_to_grid(images, columns=None, padding=2, scale=1):
    """Images `[n, h, w, c]` in [-1, 1] -> one uint8 `[H, W, c]` grid (c = 1 or 3), white padding, each image
    magnified `scale` times (nearest neighbour). Values outside [-1, 1] raise a ValueError."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(f"images must be [n, height, width, 1 or 3], got shape {images.shape}.")
    if images.min() < -1.0 - 1e-6 or images.max() > 1.0 + 1e-6:
        raise ValueError(f"images must be in [-1, 1], got values in [{images.min():.3g}, {images.max():.3g}].")
    count, height, width, channels = images.shape
    columns = columns or int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / columns))
    pixels = np.round((images + 1.0) * 127.5).astype(np.uint8).repeat(scale, axis=1).repeat(scale, axis=2)
    height, width = height * scale, width * scale
    shape = (rows * (height + padding) + padding, columns * (width + padding) + padding, channels)
    grid = np.full(shape, 255, np.uint8)
    for index, image in enumerate(pixels):
        top = padding + (index // columns) * (height + padding)
        left = padding + (index % columns) * (width + padding)
        grid[top:top + height, left:left + width] = image
    return grid


def save_image_grid(images, path, columns=None, scale=1):
    """`images_to_grid` written as a PNG."""
    import PIL.Image  # noqa: PLC0415

    grid = images_to_grid(images, columns, scale=scale)
    PIL.Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid).save(str(path))


def distribution_bands(steps, samples, title, path, color=FAKE_COLOR, ylabel="value", runs=None):
    """Percentile bands over steps, like TensorBoard's distributions view (the figures of Shekkizhar's write-up):
    `samples[i]` is a 1-D array observed at `steps[i]`. With `runs` (name -> (steps, samples)), one panel each."""
    runs = runs or {title: (steps, samples)}
    columns = min(len(runs), 2)
    rows = int(np.ceil(len(runs) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(5.5 * columns, 3.6 * rows), squeeze=False)
    for axis, (name, (run_steps, run_samples)) in zip(axes.flat, runs.items()):
        bands = np.array([np.percentile(values, TENSORBOARD_PERCENTILES) for values in run_samples])
        for low in range(len(TENSORBOARD_PERCENTILES) // 2):
            axis.fill_between(run_steps, bands[:, low], bands[:, -1 - low], color=color, alpha=0.18, linewidth=0)
        axis.plot(run_steps, bands[:, len(TENSORBOARD_PERCENTILES) // 2], color=color, linewidth=1.0)
        axis.set(title=name, xlabel="training step", ylabel=ylabel)
        axis.grid(alpha=0.3)
    _save(figure, path)


def real_and_fake_picture(real, fake, title, bins=40):
    """Real and generated samples on one pair of axes, as a uint8 RGB array `[height, width, 3]` (for
    `tf.summary.image`): for 1-D samples `[n]` or `[n, 1]` two overlaid histograms on shared bins, for `[n, d]`
    (d >= 2) a scatter plot of the first two coordinates. TensorBoard cannot overlay two runs' histograms."""
    real, fake = np.asarray(real, np.float32), np.asarray(fake, np.float32)
    real, fake = (values.reshape(len(values), -1) for values in (real, fake))
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"real and fake samples must have the same dimension, got {real.shape} and {fake.shape}.")
    figure = matplotlib.figure.Figure(figsize=(4.0, 3.2), dpi=80)
    matplotlib.backends.backend_agg.FigureCanvasAgg(figure)
    axes = figure.add_axes((0.12, 0.1, 0.84, 0.8))
    if real.shape[1] == 1:
        edges = np.histogram_bin_edges(np.concatenate([real[:, 0], fake[:, 0]]), bins=bins)
        axes.hist(real[:, 0], bins=edges, density=True, histtype="stepfilled", color=REAL_COLOR, alpha=0.55,
                  label="real")
        axes.hist(fake[:, 0], bins=edges, density=True, histtype="stepfilled", color=FAKE_COLOR, alpha=0.55,
                  label="fake")
    else:
        axes.scatter(real[:, 0], real[:, 1], s=3, color=REAL_COLOR, alpha=0.5, label="real", linewidths=0)
        axes.scatter(fake[:, 0], fake[:, 1], s=3, color=FAKE_COLOR, alpha=0.5, label="fake", linewidths=0)
        axes.set_aspect("equal", adjustable="datalim")
    axes.set_title(title, fontsize=9)
    axes.tick_params(labelsize=7)
    axes.legend(fontsize=7, loc="upper right", markerscale=3)
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())[..., :3].copy()


def image_gan_views(steps, scalars, samples, out_dir, title, prefix=""):
    """The figures of Shekkizhar's write-up from an image probe (what a `callbacks.MemorySink` keeps of
    `images.observation.ImageGANViews`), as PNGs in `out_dir`:
    <prefix>losses.png (D, D real, D fake, G), <prefix>d_predictions.png (D's probabilities on real and
    generated images), <prefix>first_layer.png (weights and gradients of D's and G's first layers)."""
    import pathlib  # noqa: PLC0415

    out_dir = pathlib.Path(out_dir)
    losses = {name: (steps, scalars[name]) for name in ("d_loss", "d_loss_real", "d_loss_fake", "g_loss")}
    plot_series(losses, f"{title}: losses", "loss", out_dir / f"{prefix}losses.png")
    distribution_bands(None, None, title, out_dir / f"{prefix}d_predictions.png", ylabel="D(x) = P(real)", runs={
        f"{title}: D on real images": (steps, samples["d_real"]),
        f"{title}: D on generated images": (steps, samples["d_fake"])})
    panels = {f"{title}: {network} first-layer {kind}": (steps, samples[f"{network}/first_layer_{kind}"])
              for network in ("D", "G") for kind in ("weights", "gradients")}
    distribution_bands(None, None, title, out_dir / f"{prefix}first_layer.png", runs=panels)
