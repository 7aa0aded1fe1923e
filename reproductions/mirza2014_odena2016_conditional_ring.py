"""Conditional GAN and AC-GAN on a labelled 2-D mixture: one panel of samples per class.

Source:   Mirza and Osindero 2014, "Conditional Generative Adversarial Nets" (https://arxiv.org/abs/1411.1784),
          Sec. 3 (G(z, y), D(x, y)); Odena, Olah, Shlens 2016, "Conditional Image Synthesis with Auxiliary
          Classifier GANs" (https://arxiv.org/abs/1610.09585), Sec. 3 (D(x) -> source and class); the conditional
          GAN and AC-GAN slides of N. Popov, M. Ryabinin, "Introduction to GANs pt. 2, a.k.a. «what could go
          wrong?»" (slides, Higher School of Economics, 2018). The images of the papers are replaced by a labelled
          8-Gaussian ring (label = mode), so that "does the sample follow the label" is measured exactly.
Command:  python reproductions/mirza2014_odena2016_conditional_ring.py [--out-dir DIR] [--smoke] [--seed S]
          [--seeds N]
Outputs:  samples_per_class.png   for each model, 200 samples of every class (one colour per class) over the modes
          tensorboard/<model> seed <S>/  G's samples (labels 0-7 in turn) and the real ones per coordinate and
                  as one scatter plot, every quarter of the run (open with:
                  tensorboard --logdir outputs/mirza2014_odena2016_conditional_ring/tensorboard)
          config.json, metrics.json
Expected: (measured, seeds 0-2, 2,000 steps) fraction of the samples of class k nearest to mode k: conditional
          GAN 1.0, 1.0, 1.0; AC-GAN 1.0, 0.75, 1.0 (seed 1 puts two labels' samples on one mode). Fraction within
          3 stddev of their own mode, measured at an earlier version / at this one: conditional GAN 0.996 /
          0.998, 0.836 / 0.997, 0.968 / 0.951; AC-GAN 0.918 / 0.919, 0.368 / 0.574, 0.969 / 0.959.
Runtime:  2 min 21 s on 2 shared (heavily loaded) CPU cores, 81 s (39 s of CPU) at load average ~8; --smoke 52 s
          on 2 loaded cores (load average ~11, gan-tf reproduce --all --smoke; 15 s on a quieter machine).

Setting: 8 Gaussians on the unit circle, stddev 0.05, labels uniform; G and D: 3 x 64 ReLU MLPs, the one-hot label
concatenated to the input (the conditional GAN) or predicted by a second head of D (AC-GAN, class_weight 1);
z ~ N(0, I_2); batch 64; Adam(1e-3, beta_1 0.5); non-saturating loss.
"""

import keras
import matplotlib.pyplot as plt
import numpy as np

from gan_tf import callbacks, distributions, measurements, models
from gan_tf.reproduction import script

NUM_CLASSES, RADIUS, MODE_STDDEV = 8, 1.0, 0.05
LATENT_DIM, HIDDEN_UNITS, HIDDEN_LAYERS = 2, 64, 3
BATCH_SIZE, NUM_STEPS, LEARNING_RATE = 64, 2000, 1e-3
NUM_SEEDS = 3
SAMPLES_PER_CLASS = 200
KINDS = ("conditional", "acgan")
NUM_PROBE_SAMPLES = 1000  # real and fake samples drawn to TensorBoard every quarter of a run


def conditional_mlp(input_dim, output_dim, conditional=True, class_head=False):
    samples = keras.Input(shape=(input_dim,))
    inputs, hidden = [samples], samples
    if conditional:
        labels = keras.Input(shape=(NUM_CLASSES,))
        inputs, hidden = [samples, labels], keras.layers.Concatenate()([samples, labels])
    for _ in range(HIDDEN_LAYERS):
        hidden = keras.layers.Dense(HIDDEN_UNITS, activation="relu")(hidden)
    output = keras.layers.Dense(output_dim, dtype="float32")(hidden)
    if class_head:
        return keras.Model(samples, [output, keras.layers.Dense(NUM_CLASSES, dtype="float32")(hidden)])
    return keras.Model(inputs, output)


def train(kind, seed, num_steps, log_dir):
    """One model trained on the labelled ring; returns G's samples [class, sample, 2]. TensorBoard logs go to
    `log_dir`."""
    keras.utils.set_random_seed(seed)
    generator = conditional_mlp(LATENT_DIM, 2)
    if kind == "conditional":
        model = models.ConditionalGAN(generator, conditional_mlp(2, 1), LATENT_DIM, NUM_CLASSES, seed=seed)
    else:
        discriminator = conditional_mlp(2, 1, conditional=False, class_head=True)
        model = models.ACGAN(generator, discriminator, LATENT_DIM, NUM_CLASSES, class_weight=1.0, seed=seed)
    model.compile(keras.optimizers.Adam(LEARNING_RATE, beta_1=0.5), keras.optimizers.Adam(LEARNING_RATE, beta_1=0.5),
                  steps_per_execution=min(100, num_steps))
    ring = distributions.ring_of_gaussians(NUM_CLASSES, RADIUS, MODE_STDDEV)
    real, _ = next(iter(distributions.labelled_sample_dataset(ring, NUM_PROBE_SAMPLES, seed=seed + 1000)))
    probe_every = max(1, num_steps // 4)
    probe = callbacks.Probe(measurements.GeneratedSamples(real.numpy(), seed + 2000),
                            callbacks.TensorBoardSink(log_dir / callbacks.run_name(f"{kind} seed {seed}"), probe_every),
                            probe_every)
    model.fit(distributions.labelled_sample_dataset(ring, BATCH_SIZE, seed=seed), epochs=1, steps_per_epoch=num_steps,
              callbacks=[probe], verbose=0)
    labels = np.repeat(np.arange(NUM_CLASSES), SAMPLES_PER_CLASS)
    return model.generate(len(labels), labels=labels, seed=seed + 1000).reshape(NUM_CLASSES, SAMPLES_PER_CLASS, 2)


def scores(samples, centres):
    """Fraction of each class's samples nearest to its own mode, and within 3 stddev of it."""
    distances = np.linalg.norm(samples[:, :, None] - centres[None, None], axis=-1)  # [class, sample, mode]
    own = distances[np.arange(NUM_CLASSES), :, np.arange(NUM_CLASSES)]  # [class, sample]
    return {"label_accuracy": float(np.mean(distances.argmin(-1) == np.arange(NUM_CLASSES)[:, None])),
            "high_quality_own_mode": float(np.mean(own <= 3 * MODE_STDDEV))}


def plot(samples_by_kind, centres, path):
    figure, axes = plt.subplots(len(KINDS), NUM_CLASSES, figsize=(1.9 * NUM_CLASSES, 2.1 * len(KINDS)), squeeze=False)
    for row, kind in enumerate(KINDS):
        for label in range(NUM_CLASSES):
            axis = axes[row][label]
            axis.scatter(centres[:, 0], centres[:, 1], s=30, facecolors="none", edgecolors="grey", linewidths=0.7)
            points = samples_by_kind[kind][label]
            axis.scatter(points[:, 0], points[:, 1], s=2, alpha=0.5, color=f"C{label}")
            axis.set(xlim=(-1.5, 1.5), ylim=(-1.5, 1.5), xticks=[], yticks=[], aspect="equal")
            axis.set_title(f"{kind}: label {label}", fontsize=8)
    title = (f"{SAMPLES_PER_CLASS} samples per requested label (grey circles: the 8 modes; mode k is at angle "
             "2 pi k / 8, counter-clockwise from the right)")
    script.save_figure(figure, path, title, title_size=9, dpi=110)


def main(argv=None):
    arguments, out_dir = script.start(__file__, __doc__, argv, seed=0, seeds=NUM_SEEDS)
    num_steps = 20 if arguments.smoke else NUM_STEPS
    seeds = script.run_seeds(arguments)
    script.write_json(out_dir / "config.json", {
        "num_classes": NUM_CLASSES, "radius": RADIUS, "mode_stddev": MODE_STDDEV, "latent_dim": LATENT_DIM,
        "hidden": [HIDDEN_UNITS] * HIDDEN_LAYERS, "batch_size": BATCH_SIZE, "num_steps": num_steps,
        "learning_rate": LEARNING_RATE, "seeds": seeds, "smoke": arguments.smoke})
    centres = distributions.ring_of_gaussians(NUM_CLASSES, RADIUS, MODE_STDDEV).components_distribution.mean().numpy()
    rows, first = [], {}
    for kind in KINDS:
        for seed in seeds:
            samples = train(kind, seed, num_steps, out_dir / "tensorboard")
            first.setdefault(kind, samples)
            rows.append({"model": kind, "seed": seed, **scores(samples, centres)})
    script.write_json(out_dir / "metrics.json", {"runs": rows, "claims": claims(rows)})
    plot(first, centres, out_dir / "samples_per_class.png")
    script.print_table(rows, ["model", "seed", "label_accuracy", "high_quality_own_mode"])
    script.print_claims(claims(rows))


# The docstring's "Expected:" (seeds 0-2): model -> per seed (label accuracy, the two measured fractions within
# 3 stddev of its own mode).
EXPECTED = {"conditional": ((1.0, "0.996", "0.998"), (1.0, "0.836", "0.997"), (1.0, "0.951", "0.968")),
            "acgan": ((1.0, "0.918", "0.919"), (0.75, "0.368", "0.574"), (1.0, "0.959", "0.969"))}


def claims(rows):
    """Label accuracy (to 0.005) and the high-quality fraction (between the two measurements, as rounded) per
    model and seed of the docstring."""
    checked = []
    for row in rows:
        if row["model"] in EXPECTED and row["seed"] < len(EXPECTED[row["model"]]):
            accuracy, *high_quality = EXPECTED[row["model"]][row["seed"]]
            name = f"{row['model']}, seed {row['seed']}"
            checked += [script.claim(f"{name}: label accuracy", row["label_accuracy"], accuracy, 0.005),
                        script.claim_range(f"{name}: within 3 stddev of its own mode", row["high_quality_own_mode"],
                                           *script.stated_range(*high_quality))]
    return checked


if __name__ == "__main__":
    main()
