"""L(D*, G) = 2 JSD(p, p_g) - log 4, checked with trained discriminators on 1-D densities.

Source:   François Fleuret, EE-559 "Deep learning" (EPFL), lecture "10.1. Generative Adversarial Networks",
          https://fleuret.org/ee559/: the slides "So, since D*_G(x) = mu(x) / (mu(x) + mu_G(x)) ...
          = 2 D_JS(mu, mu_G) - log 4"; the same identity in N. Popov, M. Ryabinin, "Introduction to GANs
          pt. 2, a.k.a. «what could go wrong?»" (slides, Higher School of Economics, 2018), slide "Caveat #2":
          "-log(4) + 2 JSD(P_r || P_g)".
Command:  python reproductions/fleuret_ee559_jsd_identity.py [--out-dir DIR] [--smoke] [--seed S] [--seeds N]
Outputs:  jsd_identity.png  left: p, p_g, D* and a trained D for one pair; right: V(D, G) of trained Ds
                            against 2 JSD - log 4, over pairs of densities
          config.json, metrics.json
Expected: V(D*) = 2 JSD - log 4 to 4.4e-16 (the identity, on the grid: 2 units in the last place of log 4;
          checked as <= 1e-15); for each pair V(trained D) is below it and within 0.005 nats (measured: gaps
          from 1e-6 to 0.0022 nats; 3 seeds, 3000 D steps), from JSD = 0 (p_g = p) to JSD = 0.63 (N(3, 0.5^2)).
Runtime:  about 2 min on 2 shared CPU cores, 7 min (143 s of CPU) on 2 loaded ones; --smoke 37 s
          on 2 loaded cores (load average ~11, gan-tf reproduce --all --smoke; about 10 s on a quieter machine).

Method: p = N(0, 1) is the data, p_g = N(mean, stddev^2) a frozen linear generator (`FixedGeneratorGAN`);
D (MLP [64, 64]) is trained with the minimax D loss, then V(D, G) = integral of p log D + p_g log(1 - D)
and JSD are both computed by the trapezoidal rule on [-10, 10] (4001 points).
"""

import keras
import matplotlib.pyplot as plt
import numpy as np

from gan_tf import distributions, models, networks
from gan_tf.analysis import divergences
from gan_tf.reproduction import script

GENERATORS = ((0.0, 1.0), (0.5, 1.0), (1.0, 1.0), (1.0, 0.5), (2.0, 1.0), (3.0, 0.5))  # (mean, stddev) of p_g
HIDDEN = [64, 64]
BATCH_SIZE = 512
LEARNING_RATE = 1e-3  # Adam
D_STEPS = 3000
NUM_SEEDS = 3
GRID = np.linspace(-10.0, 10.0, 4001)
EXAMPLE = (1.0, 0.5)  # the pair drawn on the left


def train_discriminator(mean, stddev, seed, num_steps):
    """A D trained against the frozen generator N(mean, stddev^2); returns its logits on `GRID`."""
    keras.utils.set_random_seed(seed)
    generator = networks.linear_generator(1)
    layer = networks.location_scale_layer(generator)
    layer.location.assign([mean])
    layer.scale.assign([stddev])
    model = models.FixedGeneratorGAN(generator, networks.mlp_discriminator(HIDDEN), latent_dim=1, seed=seed)
    model.compile(keras.optimizers.Adam(LEARNING_RATE), keras.optimizers.Adam(LEARNING_RATE), loss="minimax",
                  steps_per_execution=min(num_steps, 500))
    dataset = distributions.sample_dataset(distributions.normal(0.0, 1.0), BATCH_SIZE, seed=seed)
    model.fit(dataset, epochs=1, steps_per_epoch=num_steps, verbose=0)
    return keras.ops.convert_to_numpy(model.discriminator(GRID[:, None].astype(np.float32)))[:, 0]


def evaluate(mean, stddev, logits):
    real = divergences.normal_density(GRID, 0.0, 1.0)
    fake = divergences.normal_density(GRID, mean, stddev)
    jsd = divergences.jensen_shannon(real, fake, GRID)
    return {"mean": mean, "stddev": stddev, "jsd": jsd, "two_jsd_minus_log4": 2 * jsd - np.log(4.0),
            "value_optimal_d": divergences.gan_value(real, fake, divergences.optimal_logits(real, fake), GRID),
            "value_trained_d": divergences.gan_value(real, fake, logits, GRID)}


def plot(rows, example_logits, path):
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    real = divergences.normal_density(GRID, 0.0, 1.0)
    fake = divergences.normal_density(GRID, *EXAMPLE)
    left.plot(GRID, real, label="p = N(0, 1) (data)")
    left.plot(GRID, fake, label=f"p_g = N({EXAMPLE[0]}, {EXAMPLE[1]}^2) (frozen G)")
    left.plot(GRID, real / (real + fake), "k--", label="D*(x) = p / (p + p_g)")
    left.plot(GRID, 1 / (1 + np.exp(-example_logits)), ":", color="C3", lw=2, label="trained D(x)")
    left.set(xlim=(-4, 4), xlabel="x", ylabel="density / probability 'real'", title="Optimal vs trained discriminator")
    left.legend(fontsize=8)
    jsd = np.linspace(0, np.log(2), 50)
    right.plot(jsd, 2 * jsd - np.log(4), "k-", lw=1, label="2 JSD - log 4 (numerical integration)")
    right.plot([row["jsd"] for row in rows], [row["value_trained_d"] for row in rows], "o", color="C3", ms=4,
               label="V(D, G) of trained Ds (each pair, each seed)")
    right.set(xlabel="JSD(p, p_g) (nats)", ylabel="V(D, G) = E_p log D + E_pg log(1 - D)",
              title="The value of the game at D* is 2 JSD - log 4")
    right.legend(fontsize=8)
    script.save_figure(figure, path, "EE-559 lecture 10.1: L(D*, G) = 2 JSD(p, p_g) - log 4 (1-D Gaussians)")


def main(argv=None):
    arguments, out_dir = script.start(__file__, __doc__, argv, seed=0, seeds=NUM_SEEDS)
    generators, num_steps = ((GENERATORS[2],), 50) if arguments.smoke else (GENERATORS, D_STEPS)
    seeds = script.run_seeds(arguments)
    script.write_json(out_dir / "config.json", {
        "data": "N(0, 1)", "generators_mean_stddev": generators, "hidden": HIDDEN, "batch_size": BATCH_SIZE,
        "learning_rate": LEARNING_RATE, "d_steps": num_steps, "seeds": seeds,
        "grid": [GRID[0], GRID[-1], len(GRID)], "smoke": arguments.smoke})
    rows, example_logits = [], None
    for mean, stddev in generators:
        for seed in seeds:
            logits = train_discriminator(mean, stddev, seed, num_steps)
            rows.append({"seed": seed, **evaluate(mean, stddev, logits)})
            rows[-1]["gap"] = rows[-1]["two_jsd_minus_log4"] - rows[-1]["value_trained_d"]
            rows[-1]["identity_error_optimal_d"] = abs(rows[-1]["two_jsd_minus_log4"] - rows[-1]["value_optimal_d"])
            if example_logits is None or (mean, stddev) == EXAMPLE:
                example_logits = logits
    metrics = {"pairs": rows, "max_gap": max(row["gap"] for row in rows), "min_gap": min(row["gap"] for row in rows),
               "max_identity_error_optimal_d": max(row["identity_error_optimal_d"] for row in rows)}
    metrics["claims"] = [
        script.claim_range("max |V(D*) - (2 JSD - log 4)| (nats)", metrics["max_identity_error_optimal_d"], 0, 1e-15),
        script.claim_range("min gap 2 JSD - log 4 - V(trained D) (nats, >= 0: below)", metrics["min_gap"], 0, 0.005),
        script.claim_range("max gap 2 JSD - log 4 - V(trained D) (nats)", metrics["max_gap"], 0, 0.005)]
    script.write_json(out_dir / "metrics.json", metrics)
    plot(rows, example_logits, out_dir / "jsd_identity.png")
    script.print_table(rows, ["mean", "stddev", "seed", "jsd", "two_jsd_minus_log4", "value_optimal_d",
                              "value_trained_d", "gap"])
    script.print_claims(metrics["claims"])


if __name__ == "__main__":
    main()
