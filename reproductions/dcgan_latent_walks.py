"""Latent-space views of a trained DCGAN: random samples, walks along single dimensions, interpolations.

Source:   Sarath Shekkizhar, "Difficulties training a Generative Adversarial Network" (write-up),
          https://github.com/shekkizh/neuralnetworks.thought-experiments/blob/master/Generative%20Models/GAN/Readme.md:
          "Sampling random points in latent space" and "a random walk along just one hidden space dimension"
          (dimensions 25, 50, 75; it trained on flowers), and Radford et al.'s interpolations
          (Radford, Metz, Chintala 2016, "Unsupervised Representation Learning with Deep Convolutional
          Generative Adversarial Networks", https://arxiv.org/abs/1511.06434, as presented in François Fleuret's
          EE-559 "Deep learning" lecture 10.1, https://fleuret.org/ee559/).
Command:  python reproductions/dcgan_latent_walks.py [--run RUN_DIR] [--smoke] [--out-dir DIR]
          RUN_DIR is any `gan-tf train` run; the default, outputs/dcgan_digits/run, is written by
          reproductions/dcgan_digits.py (run it first). For the write-up's flowers:
          gan-tf train --data tf_flowers --out runs/flowers --architecture dense_dcgan --g-steps 2
          --latent-distribution uniform --feature-matching 0.1, then --run runs/flowers.
Outputs:  outputs/dcgan_latent_walks/
            random.png (64 random samples), walk_dim_25.png, walk_dim_50.png, walk_dim_75.png (each row one
            random z, columns z_d from the low to the high end of the prior), interpolations.png (each row a
            straight line between two random z), config.json, metrics.json
Expected: walks change images gradually: the largest of the 8 steps of a row is ~15% of its path (0.15 for
          dims 25, 50, 75; 0.19 for interpolations), and one dimension of 100 moves an image 0.25-0.4 times as
          much as drawing a new z (dcgan_digits run: 0.25, 0.39, 0.27). On digits the two ends of a walk are
          classified as different digits in 2, 4 and 2 of the 8 rows (the write-up: "different image depending
          on whether we are on the negative or positive side"), interpolations in 7 of 8.
Runtime:  about 20 s (8 CPU-seconds) given a run; --smoke, which trains a tiny run first, 86 s
          on 2 loaded cores (load average ~11, gan-tf reproduce --all --smoke; ~40 s on a quieter machine).
"""

import pathlib

import numpy as np

from gan_tf import plotting
from gan_tf.images import quality, run_generator, training
from gan_tf.reproduction import script

# ---- configuration -------------------------------------------------------------------------------
SEED = 25
WALK_DIMENSIONS = (25, 50, 75)    # the write-up's
ROWS = 8                          # walks / interpolations per figure
COLUMNS = 9                       # points along each walk (the write-up showed 9)
ENDS = {"uniform": 1.0, "normal": 2.5}   # a walk spans z_d in [-end, end]: the prior's range / +-2.5 stddev
DIGITS_RUN = script.default_output_directory("dcgan_digits") / "run"  # what reproductions/dcgan_digits.py writes
SMOKE_CONFIG = dict(data="digits", image_size=32, filters=4, epochs=1, steps_per_epoch=3, every_n_steps=3,
                    jit_compile=False)


def random_latents(count, dimension, distribution, rng):
    if distribution == "uniform":
        return rng.uniform(-1.0, 1.0, (count, dimension)).astype(np.float32)
    return rng.normal(size=(count, dimension)).astype(np.float32)


def walk_latents(base, dimension, end):
    """[rows * COLUMNS, latent_dim]: each base vector with coordinate `dimension` swept over [-end, end]."""
    values = np.linspace(-end, end, COLUMNS, dtype=np.float32)
    latents = np.repeat(base, COLUMNS, axis=0)
    latents[:, dimension] = np.tile(values, len(base))
    return latents


def interpolation_latents(starts, ends):
    weights = np.linspace(0.0, 1.0, COLUMNS, dtype=np.float32)[None, :, None]
    return (starts[:, None] * (1 - weights) + ends[:, None] * weights).reshape(-1, starts.shape[1])


def generate(gan, latents):
    return np.asarray(gan.generator(latents, training=False))


def path_statistics(images):
    """Mean |image change| between the ends of each row and the largest single step's share of the path."""
    rows = images.reshape(-1, COLUMNS, *images.shape[1:])
    ends = np.abs(rows[:, -1] - rows[:, 0]).mean()
    steps = np.abs(np.diff(rows, axis=1)).mean(axis=(2, 3, 4))
    return {"end_to_end_change": float(ends), "max_step_share": float((steps.max(1) / steps.sum(1)).mean())}


def digit_labels(images, classifier):
    return classifier.predict(quality.to_digit_inputs(images))


def add_arguments(parser):
    parser.add_argument("--run", type=pathlib.Path, default=DIGITS_RUN,
                        help="a `gan-tf train` run directory (default: %(default)s; ignored with --smoke, which "
                             "trains a tiny digits run first)")


def main(argv=None):
    arguments, out_dir = script.start(__file__, __doc__, argv, add_arguments=add_arguments)
    run = arguments.run
    if arguments.smoke:
        run = out_dir / "smoke_run"
        training.train(training.TrainConfig(**SMOKE_CONFIG), run, verbose=0)
    if not (run / "config.json").is_file():
        raise FileNotFoundError(f"No trained run at {str(run)!r}: run reproductions/dcgan_digits.py first, or pass "
                                "--run with a `gan-tf train` run directory.")
    gan, config = run_generator.load_generator(run)
    metrics = draw(gan, config, out_dir)
    script.write_json(out_dir / "config.json", {"run": str(run), "seed": SEED, "dimensions": WALK_DIMENSIONS,
                                                "rows": ROWS, "columns": COLUMNS, "ends": ENDS,
                                                "smoke": arguments.smoke})
    script.write_json(out_dir / "metrics.json", {**metrics, "claims": claims(metrics)})
    print(f"mean |change| between two new samples: {metrics['new_sample_change']:.4f}")
    script.print_table([{"walk": name, **row} for name, row in metrics.items() if isinstance(row, dict)], [
        "walk", "end_to_end_change", "max_step_share", "one_dimension_change_vs_new_sample",
        "rows_whose_ends_differ_in_digit"])
    script.print_claims(claims(metrics))


# The docstring's "Expected:" on the dcgan_digits run: walk -> (largest step share, end-to-end change / new
# sample range, share of the 8 rows whose ends are different digits).
CHANGE = script.stated_range("0.25", "0.4")
EXPECTED = {"walk_dim_25": (0.15, CHANGE, 2 / 8), "walk_dim_50": (0.15, CHANGE, 4 / 8),
            "walk_dim_75": (0.15, CHANGE, 2 / 8), "interpolations": (0.19, None, 7 / 8)}


def claims(metrics):
    checked = []
    for walk, (step_share, change_range, differ) in EXPECTED.items():
        if walk not in metrics:
            continue
        row = metrics[walk]
        checked.append(script.claim(f"{walk}: largest step / path", row["max_step_share"], step_share, 0.005))
        if change_range is not None:
            checked.append(script.claim_range(f"{walk}: change / new sample's",
                                              row["one_dimension_change_vs_new_sample"], *change_range))
        if "rows_whose_ends_differ_in_digit" in row:
            checked.append(script.claim(f"{walk}: rows whose ends differ in digit",
                                        row["rows_whose_ends_differ_in_digit"], differ, 0))
    return checked


def draw(gan, config, out_dir):
    """All figures; returns the metrics."""
    rng = np.random.default_rng(SEED)
    distribution, dimension = config.latent_distribution, config.latent_dim
    scale = 2 if config.image_size <= 32 else 1
    plotting.save_image_grid(generate(gan, random_latents(64, dimension, distribution, rng)), out_dir / "random.png",
                             scale=scale)
    new_samples = generate(gan, random_latents(2 * ROWS, dimension, distribution, rng))
    metrics = {"new_sample_change": float(np.abs(new_samples[:ROWS] - new_samples[ROWS:]).mean())}
    classifier = quality.train_digits_classifier(config.image_size) if config.data == "digits" else None
    base = random_latents(ROWS, dimension, distribution, rng)
    for walked in [d for d in WALK_DIMENSIONS if d < dimension]:
        images = generate(gan, walk_latents(base, walked, ENDS[distribution]))
        plotting.save_image_grid(images, out_dir / f"walk_dim_{walked}.png", columns=COLUMNS, scale=scale)
        metrics[f"walk_dim_{walked}"] = walk_metrics(images, metrics["new_sample_change"], classifier)
    starts, ends = (random_latents(ROWS, dimension, distribution, rng) for _ in range(2))
    images = generate(gan, interpolation_latents(starts, ends))
    plotting.save_image_grid(images, out_dir / "interpolations.png", columns=COLUMNS, scale=scale)
    metrics["interpolations"] = walk_metrics(images, metrics["new_sample_change"], classifier)
    return metrics


def walk_metrics(images, new_sample_change, classifier):
    row = path_statistics(images)
    row["one_dimension_change_vs_new_sample"] = row["end_to_end_change"] / new_sample_change
    if classifier is not None:
        labels = digit_labels(images, classifier).reshape(-1, COLUMNS)
        row["rows_whose_ends_differ_in_digit"] = float(np.mean(labels[:, 0] != labels[:, -1]))
    return row



if __name__ == "__main__":
    main()
