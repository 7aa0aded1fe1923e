"""Classifier scores of a `gan-tf train --data digits` run: `image_recipes.py`'s numbers, for a run of the command.

2,000 samples of the run's generator (its average when the run keeps one; `gan.generate`, so a `--pseudo-classes`
run draws its clusters by their shares and a `--conditional` run asks for the digits in turn) are scored as
`image_recipes.py` scores its own: `quality.digits_scores` with the digits classifier trained at the run's image
size, i.e. the classifier's inception score, the classes covered and the Frechet distance of its hidden features to
the 360 test digits, which a `gan-tf train --data digits` run never sees. The same scores of the test digits against
the training split are printed for scale.

Command (from the repository root):
    PYTHONPATH=. python benchmarks/score_digits_run.py outputs/runs/digits_kmeans20 [--checkpoint best]
Expected: a JSON line per scored set, in about 15 s. For the `--pseudo-classes 20` run of benchmarks/README.md ("With
classes": 10,000 steps, 13 minutes on 2 cores) the generator average scores IS 9.46, FD 0.71, 10 classes (best/:
9.49 / 0.53); the test digits themselves 9.35 / 0.40.
"""

import argparse
import json

from gan_tf.images import datasets, quality, run_generator

SAMPLES, SEED = 2000, 1234  # as image_recipes.py


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", help="a gan-tf train run folder trained with --data digits")
    parser.add_argument("--checkpoint", choices=run_generator.CHECKPOINTS, default="latest")
    options = parser.parse_args()
    gan, config = run_generator.load_generator(options.run_dir, options.checkpoint)
    if config.data != "digits":
        parser.error(f"{options.run_dir!r} was trained on {config.data!r}, not on digits.")
    classifier = quality.train_digits_classifier(image_size=config.image_size)
    test = datasets.upscale_digits(datasets.digits_arrays("test")[0][..., None], config.image_size).numpy()
    train = datasets.upscale_digits(datasets.digits_arrays("train")[0][..., None], config.image_size).numpy()
    scored = {"generated": quality.digits_scores(classifier, gan.generate(SAMPLES, seed=SEED), test),
              "real test digits against the training split": quality.digits_scores(classifier, test, train)}
    for name, scores in scored.items():
        print(json.dumps({"set": name, "run": options.run_dir, "checkpoint": options.checkpoint, **scores}))


if __name__ == "__main__":
    main()
