"""A discriminator trained against a frozen generator approaches D*(x) = p(x) / (p(x) + p_g(x)).

Source:   François Fleuret, EE-559 "Deep learning" (EPFL), lecture "10.1. Generative Adversarial Networks",
          https://fleuret.org/ee559/: "argmax_d mu(x) log d + mu_G(x) log(1 - d) = mu(x) / (mu(x) + mu_G(x))",
          after Goodfellow et al. 2014, "Generative Adversarial Nets" (https://arxiv.org/abs/1406.2661),
          Proposition 1.
Command:  python reproductions/fleuret_ee559_optimal_discriminator.py [--smoke] [--out-dir DIR]
Outputs:  outputs/fleuret_ee559_optimal_discriminator/optimal_discriminator.png, config.json, metrics.json
Expected: on x where either density has mass, mean |D - D*| about 0.01-0.03 and max about 0.05-0.08 for
          both panels (real N(0, 1) vs G = N(1, 2); real 0.5 N(-2, 1) + 0.5 N(4, 1.5) vs G = N(1, 3)).
Runtime:  about 20 s on 2 quiet CPU cores, 77 s (17 s of CPU) on 2 loaded ones; --smoke 51 s
          on 2 loaded cores (load average ~11, gan-tf reproduce --all --smoke; about 5 s on a quieter machine).
"""

import keras
import matplotlib.pyplot as plt
import numpy as np

import gan_tf
from gan_tf import distributions, metrics, networks, plotting
from gan_tf.reproduction import script

SEED = 559
STEPS = 1500             # D updates; the generator never moves
BATCH_SIZE = 256
LEARNING_RATE = 1e-3     # Adam
HIDDEN = [64, 64]
PANELS = {               # name -> (real distribution, frozen generator N(mean, stddev), x range)
    "N(0, 1) vs G = N(1, 2)": (lambda: distributions.normal(0.0, 1.0), (1.0, 2.0), (-4.0, 6.0)),
    "0.5 N(-2, 1) + 0.5 N(4, 1.5) vs G = N(1, 3)": (
        lambda: distributions.mixture([-2.0, 4.0], [1.0, 1.5]), (1.0, 3.0), (-6.0, 8.0)),
}
SMOKE_STEPS = 100


def train_discriminator(real, generator_mean, generator_stddev, steps, seed):
    keras.utils.set_random_seed(seed)
    generator = networks.linear_generator(mean=generator_mean, stddev=generator_stddev)
    gan = gan_tf.models.FixedGeneratorGAN(generator, networks.mlp_discriminator(HIDDEN), latent_dim=1, seed=seed)
    gan.compile(d_optimizer=keras.optimizers.Adam(LEARNING_RATE), g_optimizer=keras.optimizers.Adam(LEARNING_RATE),
                steps_per_execution=100, jit_compile=True)
    gan.fit(distributions.sample_dataset(real, BATCH_SIZE, seed=seed), steps_per_epoch=steps, epochs=1, verbose=0)
    return gan.discriminator


def evaluate_panel(name, steps, seed):
    make_real, (mean, stddev), x_range = PANELS[name]
    real, fake = make_real(), distributions.normal(mean, stddev)
    discriminator = train_discriminator(real, mean, stddev, steps, seed)
    grid = np.linspace(*x_range, 201, dtype=np.float32)
    trained = keras.ops.convert_to_numpy(keras.ops.sigmoid(discriminator(grid[:, None]))).ravel()
    optimal = metrics.optimal_discriminator(real, fake, grid[:, None])
    real_density, fake_density = metrics.density(real, grid), metrics.density(fake, grid)
    supported = np.maximum(real_density, fake_density) > 0.02  # where samples actually fall
    error = np.abs(trained - optimal)[supported]
    curves = dict(grid=grid, trained=trained, optimal=optimal, real=real_density, fake=fake_density)
    return curves, {"mean_abs_error": float(error.mean()), "max_abs_error": float(error.max())}


def plot(panels, path):
    figure, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4))
    for axis, (name, (curves, numbers)) in zip(np.atleast_1d(axes), panels.items()):
        axis.plot(curves["grid"], curves["real"], color=plotting.REAL_COLOR, label="real density p(x)")
        axis.plot(curves["grid"], curves["fake"], color=plotting.FAKE_COLOR, label="generator density p_g(x)")
        axis.plot(curves["grid"], curves["optimal"], "k--", label="D*(x) = p / (p + p_g)")
        axis.plot(curves["grid"], curves["trained"], color=plotting.DISCRIMINATOR_COLOR, label="trained D(x)")
        axis.set(title=f"{name}\nmean |D - D*| = {numbers['mean_abs_error']:.3f}", xlabel="x",
                 ylabel="density / probability real", ylim=(0, 1.05))
        axis.legend(fontsize=7)
    script.save_figure(figure, path, "EE-559 10.1: the optimal discriminator for a fixed generator", dpi=110)


def main(argv=None):
    arguments, out_dir = script.start(__file__, __doc__, argv)
    steps = SMOKE_STEPS if arguments.smoke else STEPS
    panels = {name: evaluate_panel(name, steps, SEED + index) for index, name in enumerate(PANELS)}
    plot(panels, out_dir / "optimal_discriminator.png")
    results = {name: numbers for name, (_, numbers) in panels.items()}
    config = {"seed": SEED, "steps": steps, "smoke": arguments.smoke, "batch_size": BATCH_SIZE,
              "learning_rate": LEARNING_RATE, "hidden": HIDDEN, "panels": list(PANELS)}
    script.write_json(out_dir / "config.json", config)
    claims = [item for name, numbers in results.items() for item in (
        script.claim_range(f"{name}: mean |D - D*|", numbers["mean_abs_error"],
                           *script.stated_range("0.01", "0.03")),
        script.claim_range(f"{name}: max |D - D*|", numbers["max_abs_error"],
                           *script.stated_range("0.05", "0.08")))]
    script.write_json(out_dir / "metrics.json", {**results, "claims": claims})
    script.print_table([{"panel": name, **numbers} for name, numbers in results.items()],
                       ["panel", ("mean_abs_error", "mean |D - D*|"), ("max_abs_error", "max |D - D*|")])
    script.print_claims(claims)


if __name__ == "__main__":
    main()
