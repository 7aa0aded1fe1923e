"""A linear generator on bimodal mixtures: mode averaging and mode collapse (the blog's Figs 8-15).

Source:   Max Strakhov, "Generative Adversarial Networks" (blog post, 2018),
          https://monnoroch.github.io/posts/2018/04/03/generative-adversarial-networks.html, section
          "Fitting a mixture of normal distributions I", Figs 8-15.
Command:  python reproductions/strakhov2018_mixture_linear.py [--smoke] [--out-dir DIR]
Outputs:  outputs/strakhov2018_mixture_linear/
            fig8_p_real_on_real.png, fig9_p_real_on_fake.png, fig10_g_mean.png, fig11_g_stddev.png,
            fig12_real_data.png, fig13_fake_data_<run>.png (one per discriminator),
            fig14_training.gif + fig14_montage.png (0.5 N(-2, 1) + 0.5 N(4, 1.5), x in [-7.5, 10]),
            fig15_training.gif + fig15_montage.png (0.5 N(-2, 1) + 0.5 N(5, 1.5), x in [-7.5, 12]),
            tensorboard/<run>/, config.json, metrics.json
Expected: (full run, seed 2018) Figs 8-13: every run ends with G/mean within 0.2 of 0 and G/stddev
          2.48-2.61, one bell wide enough to span both modes (blog: mean 0 to -0.25, stddev 2.5-2.8);
          p_real_on_real 0.56-0.59 and p_real_on_fake 0.42-0.45, neither reaching 0.5 (blog: 0.52-0.55 and
          0.45-0.48); 15-16% of the generated mass in the gap between the modes (the data: 2.1%), 37-40%
          near each mode, W1 0.70-0.72. The blog's "regularized models do better" shows only on the fake
          side: with dropout p_real_on_fake ends 0.45 against 0.42 without; p_real_on_real does not order.
          Fig 14: mode averaging, G ends at N(2.1, 2.9) (blog: N(1.5, 3)) with 11% of its mass in the gap
          and D ~ 0.17 there, 0.71 on the left mode. Fig 15: mode collapse onto the left mode, G ends at
          N(-2.0, 1.0) (blog: N(-1.3, 1.7)), 0.2% of its mass near the right mode, where D(x) = 1.00.
          Rates (tests/test_mixtures.py): averaging and collapse each held for 8 of 8 seeds at 1000 steps
          and 10 of 10 at 2000 steps (the slow test).
Runtime:  about 2-2.5 minutes of CPU (122-150 s user; 2 minutes wall on a quiet machine, 7 when shared);
          --smoke 191 s on 2 loaded cores (load average ~11, gan-tf reproduce --all --smoke; ~25 s on a quiet machine).

The blog's text says the modes of Figs 8-13 are symmetric about zero; its histograms (Fig 12) show them
near -3 and +2.5, each about 1 wide. We use 0.5 N(-2.5, 1) + 0.5 N(2.5, 1) (with +-3 the runs end with
G/stddev ~ 2.85 and probabilities farther from 0.5 than the blog's). Set-up and discriminators as in
strakhov2018_normal.py (toy1d.Settings, toy1d.DISCRIMINATOR_VARIANTS): the blog code's batch 32, Adam
0.01 / 0.02, 2000 steps, non-saturating loss. The mixture measures (gan_tf.metrics.mixture_report) are
computed on 20000 samples of the final generator: mass within 2 stddevs of each mode, mass in the gap
between the modes, W1 to the target and a 60-bin histogram JSD (nats).
"""

import dataclasses

import numpy as np

from gan_tf import distributions, networks
from gan_tf.reproduction import script, toy1d

# ---- configuration -------------------------------------------------------------------------------
SEED = 2018
SYMMETRIC = dict(means=[-2.5, 2.5], stddevs=[1.0, 1.0])   # Figs 8-13 (see the docstring)
STEPS = 2000                                              # the blog code's default
SETTINGS = toy1d.Settings()                               # batch 32, Adam 0.01 / 0.02, D 256-256, probe / 10
RUNS = toy1d.DISCRIMINATOR_VARIANTS                       # the blog's four discriminators
ANIMATIONS = {                                            # plain D; D(x) on a 0.1 grid every 20 steps
    "fig14": dict(means=[-2.0, 4.0], stddevs=[1.0, 1.5], x_range=(-7.5, 10.0), every_n_steps=20,
                  title="Fig 14: linear G on 0.5 N(-2, 1) + 0.5 N(4, 1.5), plain D: mode averaging"),
    "fig15": dict(means=[-2.0, 5.0], stddevs=[1.0, 1.5], x_range=(-7.5, 12.0), every_n_steps=20,
                  title="Fig 15: linear G on 0.5 N(-2, 1) + 0.5 N(5, 1.5), plain D: mode collapse"),
}
FINAL_SAMPLES = 20000                                     # generated samples behind the mixture measures
SMOOTHING = 0.9                                           # TensorBoard-style smoothing of Figs 8-11
SMOKE_STEPS = 60
EXPERIMENT = "0.5 N(-2.5, 1) + 0.5 N(2.5, 1), linear G"


def main(argv=None):
    arguments, out_dir = script.start(__file__, __doc__, argv)
    steps = SMOKE_STEPS if arguments.smoke else STEPS
    real = distributions.mixture(SYMMETRIC["means"], SYMMETRIC["stddevs"])
    runs = toy1d.train_discriminator_runs(real, networks.linear_generator, steps, SEED, SETTINGS, out_dir, RUNS)
    plot_runs({name: run.recorder for name, run in runs.items()}, out_dir)
    results = {name: toy1d.mixture_summary(run, SYMMETRIC["means"], SYMMETRIC["stddevs"], FINAL_SAMPLES, seed=SEED)
               for name, run in runs.items()}
    results.update(toy1d.mixture_animations(ANIMATIONS, networks.linear_generator, steps, SEED, SETTINGS, out_dir,
                                            toy1d.linear_generator_frames, FINAL_SAMPLES, arguments.smoke))
    script.write_json(out_dir / "config.json", config(steps, arguments.smoke))
    script.write_json(out_dir / "metrics.json", {**results, "claims": claims(results)})
    script.print_claims(claims(results))
    script.print_table([{"run": name, **row} for name, row in results.items()], [
        "run", ("final_mean", "mean"), ("final_stddev", "stddev"), ("final_p_real_on_real", "p(real|real)"),
        ("final_p_real_on_fake", "p(real|fake)"), ("mass_near_mode_0", "mass left"),
        ("mass_near_mode_1", "mass right"), ("gap_mass", "gap mass"), ("wasserstein", "W1"), ("jsd", "JSD")])


def claims(results):
    """The docstring's "Expected:" as numbers: per discriminator (Figs 8-13), and the Fig 14 and 15 runs."""
    checked = []
    for run in RUNS:
        row = results[run]
        checked += [script.claim(f"{run}: final G/mean", row["final_mean"], 0.0, 0.2),
                    script.claim_range(f"{run}: final G/stddev", row["final_stddev"],
                                       *script.stated_range("2.48", "2.61")),
                    script.claim_range(f"{run}: final p_real_on_real", row["final_p_real_on_real"],
                                       *script.stated_range("0.56", "0.59")),
                    script.claim_range(f"{run}: final p_real_on_fake", row["final_p_real_on_fake"],
                                       *script.stated_range("0.42", "0.45")),
                    script.claim_range(f"{run}: mass in the gap", row["gap_mass"],
                                       *script.stated_range("0.15", "0.16"))]
    fig14, fig15 = results["fig14_animation"], results["fig15_animation"]
    return checked + [script.claim("Fig 14 (averaging): final G/mean", fig14["final_mean"], 2.1, 0.05),
                      script.claim("Fig 14 (averaging): final G/stddev", fig14["final_stddev"], 2.9, 0.05),
                      script.claim("Fig 15 (collapse): final G/mean", fig15["final_mean"], -2.0, 0.05),
                      script.claim("Fig 15 (collapse): mass near the right mode", fig15["mass_near_mode_1"], 0.0,
                                   0.005)]


def plot_runs(recorders, out_dir):
    mixture_stddev = float(np.sqrt(np.mean(np.square(SYMMETRIC["means"]) + np.square(SYMMETRIC["stddevs"]))))
    toy1d.plot_series_figures(recorders, out_dir, EXPERIMENT, {
        "p_real_on_real": (8, 0.5, "equilibrium"),
        "p_real_on_fake": (9, 0.5, "equilibrium"),
        "G/mean": (10, 0.0, "mixture mean"),
        "G/stddev": (11, round(mixture_stddev, 2), "mixture stddev"),
    }, smoothing=SMOOTHING)
    toy1d.plot_histogram_figures(recorders, out_dir, EXPERIMENT, numbers=(12, 13), value_range=(-9, 9))


def config(steps, smoke):
    return {"seed": SEED, "symmetric_mixture": SYMMETRIC, "steps": steps, "smoke": smoke,
            "settings": dataclasses.asdict(SETTINGS), "runs": RUNS, "generator": "linear",
            "animations": ANIMATIONS, "final_samples": FINAL_SAMPLES, "smoothing": SMOOTHING}


if __name__ == "__main__":
    main()
