"""Dirac-GAN trajectories: simultaneous, alternating, gradient-norm, consensus, instance noise, WGAN clip.

Source:   Mescheder, Geiger, Nowozin 2018, "Which Training Methods for GANs do actually Converge?", Sec. 2 and
          Fig. 1-3 (the Dirac-GAN, https://arxiv.org/abs/1801.04406); N. Popov, M. Ryabinin,
          "Introduction to GANs pt. 2, a.k.a. «what could go wrong?»" (slides, Higher School of Economics,
          2018): slides "Finding Nash equilibria by gradient descent", "Non-conservative
          fields", "Possible solution" (-grad ||v||^2: "fixed points are the same, GD converges"), "Caveat"
          (saddle points; v - gamma grad L, "if gamma is too low... too high...") and "Generator -
          Discriminator disbalance" (noise); Mescheder et al. 2017 for consensus optimization.
Command:  python reproductions/mescheder2018_dirac_gan.py [--out-dir DIR] [--smoke]
Outputs:  trajectories.png   the simultaneous-ascent field and 8 trajectories from (1, 1), step 0.2, 500 steps
          distance.png       distance to the equilibrium (0, 0) over steps, all methods
          config.json, metrics.json (final points; closed-form moduli vs per-step growth measured near 0)
Expected: closed-form moduli (h = 0.2): simultaneous 1.00499, alternating 1, gradient norm 0.95,
          v - 0.05 grad L 1.0025, consensus (gamma 1) 0.95525, v - 10 grad L 0.50990, instance noise (s = 1)
          0.95394, WGAN (unclipped) 1.01980; the measured growth near 0 matches to < 1e-4 (alternating: the
          orbit is an ellipse, its norm ratio per step averages to 1). From (1, 1): simultaneous ends at
          distance 3.10, alternating stays at 1.42, gamma = 1 and noise s = 1 converge (< 1e-9), the clipped
          WGAN keeps circling at distance ~0.33.
          Gradient-norm descent from (1, 1) does *not* converge: (1, 1) lies beyond the saddle of L at
          theta = psi = 0.8596 and descent slides along the diagonal into the region where D saturates
          (||v|| -> 0), as does v - 10 grad L; a start on the saddle's stable manifold converges to the saddle.
Runtime:  about 10 s (pure NumPy), 23 s (5 s of CPU) on 2 loaded cores; --smoke 19 s
          on 2 loaded cores (load average ~11, gan-tf reproduce --all --smoke; of it ~15 s of imports).
"""

import matplotlib.pyplot as plt
import numpy as np

from gan_tf.analysis import dirac
from gan_tf.reproduction import script

START = (1.0, 1.0)  # (theta, psi)
STEP = 0.2  # h, both players
NUM_STEPS = 500
GAMMA_SMALL, GAMMA_CONSENSUS, GAMMA_LARGE = 0.05, 1.0, 10.0
NOISE_STDDEV = 1.0
WGAN_CLIP = 0.3  # |psi| <= 0.3 after every step, as GAN_stability's Dirac-GAN notebook
GROWTH_STEPS = 2000  # steps of the growth measurement near (0, 0) (`dirac.measured_growth`)


def methods():
    """name -> (title, field, integrator, projection, closed-form spectral radius)."""
    radius = dirac.spectral_radius
    return {
        "simultaneous": ("simultaneous gradient ascent", dirac.gan_field, dirac.simultaneous, None,
                         radius("simultaneous", STEP)),
        "alternating": ("alternating (G then D)", dirac.gan_field, dirac.alternating, None,
                        radius("alternating", STEP)),
        "gradient_norm": ("gradient-norm descent: -grad 0.5||v||^2", dirac.gradient_norm_field, dirac.simultaneous,
                          None, radius("gradient_norm", STEP)),
        "combined_small": (f"v - gamma grad L, gamma = {GAMMA_SMALL} (too small)", dirac.combined_field(GAMMA_SMALL),
                           dirac.simultaneous, None, radius("combined", STEP, gamma=GAMMA_SMALL)),
        "consensus": (f"consensus optimization, gamma = {GAMMA_CONSENSUS}", dirac.combined_field(GAMMA_CONSENSUS),
                      dirac.simultaneous, None, radius("combined", STEP, gamma=GAMMA_CONSENSUS)),
        "combined_large": (f"v - gamma grad L, gamma = {GAMMA_LARGE} (too large)", dirac.combined_field(GAMMA_LARGE),
                           dirac.simultaneous, None, radius("combined", STEP, gamma=GAMMA_LARGE)),
        "instance_noise": (f"instance noise, stddev {NOISE_STDDEV}", dirac.instance_noise_field(NOISE_STDDEV),
                           dirac.simultaneous, None, radius("simultaneous", STEP, stddev=NOISE_STDDEV)),
        "wgan_clip": (f"WGAN, |psi| clipped at {WGAN_CLIP}", dirac.wgan_field, dirac.simultaneous,
                      dirac.clip_psi(WGAN_CLIP), radius("simultaneous", STEP, slope=dirac.WGAN_SLOPE)),
    }


def jacobian_modulus(field, integrator, project):
    """max |eigenvalue| of the finite-difference Jacobian of one update at (0, 0)."""
    jacobian = dirac.update_jacobian(field, integrator, STEP, project=project)
    return float(np.max(np.abs(np.linalg.eigvals(jacobian))))


def stable_manifold_start(num_steps, iterations=40):
    """A start (theta, 1) on the stable manifold of L's saddle, by bisection between two basins.

    theta = 0.5 converges to the equilibrium (0, 0), theta = 1 slides away along the diagonal; the
    boundary between the two basins is the saddle's stable manifold.
    """
    converges, escapes = 0.5, 1.0
    for _ in range(iterations):
        middle = 0.5 * (converges + escapes)
        end = dirac.simultaneous(dirac.gradient_norm_field, (middle, 1.0), STEP, num_steps)[-1]
        converges, escapes = (middle, escapes) if np.linalg.norm(end) < 0.5 else (converges, middle)
    return converges, 1.0


def background(axis, field, limits, log_norm=False):
    grid = np.linspace(limits[0], limits[1], 25)
    theta, psi = np.meshgrid(grid, grid)
    v_theta, v_psi = field(theta, psi)
    axis.streamplot(theta, psi, v_theta, v_psi, color="0.75", density=0.8, linewidth=0.6, arrowsize=0.7)
    if log_norm:
        norm = np.log10(np.clip(np.hypot(*dirac.gan_field(theta, psi)), 1e-3, None))
        contours = axis.contourf(theta, psi, norm, levels=np.linspace(-3, 0.5, 8), cmap="Greys", alpha=0.4)
        plt.colorbar(contours, ax=axis, label="log10 ||v|| (the GAN field)", shrink=0.8)


def plot_trajectories(paths, table, extra, path):
    figure, axes = plt.subplots(3, 3, figsize=(13, 12.5))
    axes = axes.ravel()
    background(axes[0], dirac.gan_field, (-3.2, 3.2))
    axes[0].set_title("simultaneous gradient ascent field v(theta, psi)\n(non-conservative: rotates around (0, 0))",
                      fontsize=9)
    for axis, (name, (title, field, _, _, radius)) in zip(axes[1:], methods().items()):
        trajectory = paths[name]
        half_width = max(3.2, np.abs(trajectory).max() + 0.3)
        background(axis, field, (-half_width, half_width), log_norm=(name == "gradient_norm"))
        axis.plot(trajectory[:, 0], trajectory[:, 1], color="tab:blue", lw=1.0, label="from (1, 1)")
        axis.plot(*trajectory[-1], "o", color="tab:red", ms=4, label="after 500 steps")
        axis.set_title(f"{title}\nclosed-form |eigenvalue| = {radius:.5f}", fontsize=9)
    gradient_norm_axis = axes[1 + list(methods()).index("gradient_norm")]
    gradient_norm_axis.plot(extra["manifold_path"][:, 0], extra["manifold_path"][:, 1], color="tab:green", lw=1.0,
                            label="from a start on the saddle's stable manifold")
    gradient_norm_axis.plot(*extra["saddle"], "x", color="k", ms=7, label="saddle of L (v != 0)")
    for axis in axes:
        axis.plot(0, 0, "*", color="k", ms=7)
        axis.set(xlabel="theta (generator)", ylabel="psi (discriminator)")
        axis.set_aspect("equal")
    axes[1].legend(fontsize=7, loc="lower left")
    gradient_norm_axis.legend(fontsize=6, loc="lower left")
    script.save_figure(figure, path, f"Dirac-GAN (Mescheder et al. 2018, Fig. 1-3; Popov & Ryabinin slides): step "
                                     f"{STEP}, {NUM_STEPS} steps, equilibrium (0, 0) = star", title_size=11, dpi=110)


def plot_distance(paths, path):
    figure, axis = plt.subplots(figsize=(8, 5))
    for name, (title, *_) in methods().items():
        axis.plot(np.linalg.norm(paths[name], axis=1), label=title)
    axis.set(yscale="log", xlabel="step", ylabel="||(theta, psi)|| (distance to the equilibrium)",
             title=f"Dirac-GAN from (1, 1), step {STEP}: distance to the equilibrium over steps")
    axis.legend(fontsize=7)
    script.save_figure(figure, path)


def main(argv=None):
    arguments, out_dir = script.start(__file__, __doc__, argv)
    num_steps = 50 if arguments.smoke else NUM_STEPS
    growth_steps = 50 if arguments.smoke else GROWTH_STEPS
    script.write_json(out_dir / "config.json", {
        "start": START, "step": STEP, "num_steps": num_steps, "gamma_small": GAMMA_SMALL,
        "gamma_consensus": GAMMA_CONSENSUS, "gamma_large": GAMMA_LARGE, "noise_stddev": NOISE_STDDEV,
        "wgan_clip": WGAN_CLIP, "growth_steps": growth_steps, "smoke": arguments.smoke})
    paths, rows = {}, []
    for name, (_, field, integrator, project, radius) in methods().items():
        paths[name] = integrator(field, START, STEP, num_steps, project)
        rows.append({"method": name, "closed_form_modulus": radius,
                     "jacobian_modulus": jacobian_modulus(field, integrator, project),
                     "measured_growth_near_0": dirac.measured_growth(field, integrator, STEP, growth_steps, project),
                     "final_theta": paths[name][-1, 0], "final_psi": paths[name][-1, 1],
                     "final_distance": float(np.linalg.norm(paths[name][-1]))})
    manifold_start = stable_manifold_start(num_steps, iterations=10 if arguments.smoke else 40)
    extra = {"saddle": dirac.gradient_norm_saddle(), "manifold_start": manifold_start,
             "manifold_path": dirac.simultaneous(dirac.gradient_norm_field, manifold_start, STEP, num_steps)}
    distance_to_saddle = np.linalg.norm(extra["manifold_path"] - np.array(extra["saddle"]), axis=1)
    saddle_metrics = {"saddle": extra["saddle"], "stable_manifold_start": manifold_start,
                      "closest_distance_to_saddle": float(distance_to_saddle.min()),
                      "steps_within_0.05_of_saddle": int(np.sum(distance_to_saddle < 0.05)),
                      "end": extra["manifold_path"][-1]}
    script.write_json(out_dir / "metrics.json", {"methods": rows, "gradient_norm_saddle": saddle_metrics,
                                                 "claims": claims(rows)})
    plot_trajectories(paths, rows, extra, out_dir / "trajectories.png")
    plot_distance(paths, out_dir / "distance.png")
    script.print_table(rows, ["method", "closed_form_modulus", "jacobian_modulus", "measured_growth_near_0",
                              "final_distance"], digits=6)
    print(f"gradient-norm descent: saddle of L at {extra['saddle'][0]:.4f} (both coordinates); from "
          f"({manifold_start[0]:.6f}, 1) it comes within {saddle_metrics['closest_distance_to_saddle']:.2e} and stays "
          f"within 0.05 for {saddle_metrics['steps_within_0.05_of_saddle']} of {num_steps} steps")
    script.print_claims(claims(rows))


# The docstring's "Expected:" distances to (0, 0) after 500 steps from (1, 1): method -> (distance, tolerance).
EXPECTED_FINAL_DISTANCES = {"simultaneous": (3.10, 0.005), "alternating": (1.42, 0.005), "consensus": (0, 1e-9),
                            "instance_noise": (0, 1e-9), "wgan_clip": (0.33, 0.005)}


def claims(rows):
    """Measured growth near 0 = the closed-form modulus to 1e-4, for every method; the final distances."""
    checked = [script.claim(f"{row['method']}: growth per step near 0", row["measured_growth_near_0"],
                            row["closed_form_modulus"], 1e-4) for row in rows]
    return checked + [script.claim(f"{row['method']}: distance to (0, 0) at the end", row["final_distance"],
                                   *EXPECTED_FINAL_DISTANCES[row["method"]])
                      for row in rows if row["method"] in EXPECTED_FINAL_DISTANCES]


if __name__ == "__main__":
    main()
