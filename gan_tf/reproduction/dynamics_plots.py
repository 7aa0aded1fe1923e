"""Figure helpers shared by the training-dynamics reproductions (2-D samples over training, per-seed series).

Plot code used by a single script stays in that script; these take matplotlib axes and return nothing.
"""

import numpy as np


def sample_snapshots(axes_row, snapshots, steps, real=None, limits=None, title_prefix=""):
    """One scatter per snapshot: generated 2-D samples (orange) over real samples (grey).

    Args:
      axes_row: a sequence of matplotlib axes, one per snapshot.
      snapshots: `[num_snapshots, batch, 2]` generated samples.
      steps: the training step of each snapshot (for the titles).
      real: optional `[n, 2]` real samples drawn under every snapshot.
      limits: optional (low, high) for both axes; the same for all panels.
    """
    if len(axes_row) != len(snapshots) or len(snapshots) != len(steps):
        raise ValueError(
            "axes_row, snapshots and steps must have the same length, "
            f"got {len(axes_row)}, {len(snapshots)}, {len(steps)}."
        )
    for axis, samples, step in zip(axes_row, snapshots, steps):
        if real is not None:
            axis.scatter(real[:, 0], real[:, 1], s=2, c="0.6", alpha=0.5, label="real", rasterized=True)
        axis.scatter(samples[:, 0], samples[:, 1], s=2, c="tab:orange", alpha=0.6, label="G(z)", rasterized=True)
        axis.set_title(f"{title_prefix}step {step}", fontsize=9)
        axis.set_aspect("equal")
        if limits is not None:
            axis.set_xlim(*limits)
            axis.set_ylim(*limits)
        axis.tick_params(labelsize=7)
    axes_row[0].set_xlabel("x1", fontsize=8)
    axes_row[0].set_ylabel("x2", fontsize=8)


def series_over_seeds(axis, steps, values, label, color=None, log=False):
    """The median over seeds as a line and the min-max range as a band.

    Args:
      steps: `[num_points]`.
      values: `[num_seeds, num_points]`.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != len(steps):
        raise ValueError(f"values must be [num_seeds, {len(steps)}], got shape {values.shape}.")
    line = axis.plot(steps, np.median(values, axis=0), label=f"{label} (median of {len(values)} seeds)", color=color)
    axis.fill_between(steps, values.min(axis=0), values.max(axis=0), alpha=0.2, color=line[0].get_color())
    if log:
        axis.set_yscale("log")
