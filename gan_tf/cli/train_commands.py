"""`gan-tf train`, `gan-tf sample` and `gan-tf export`: the image application (`gan_tf.images`) behind flags.

Checks that need no TensorFlow (flag values, --data paths, --run folders) run before TensorFlow is imported."""

import argparse
import os

from gan_tf.cli import flags
from gan_tf.images import choices, run_config, run_folder  # no TensorFlow in these


def check_train_arguments(arguments):
    """What can be checked without TensorFlow: --data as a path, --out as a folder, --eval-measure's --eval-every."""
    if arguments.data != "digits" and not os.path.isdir(arguments.data) and run_config.is_path_spec(arguments.data):
        raise FileNotFoundError(f"--data {arguments.data!r}: no such folder (expected 'digits', a folder of images, "
                                "or a TFDS dataset name).")
    if os.path.exists(arguments.out) and not os.path.isdir(arguments.out):
        raise NotADirectoryError(f"--out {arguments.out!r} is a file, not a run folder.")
    if arguments.eval_measure is not None and not arguments.eval_every:
        raise ValueError(f"--eval-measure {arguments.eval_measure} measures only with --eval-every N (N > 0): pass "
                         "both.")


def train_command(arguments):
    check_train_arguments(arguments)
    names = (*TRAIN_OPTIONS, "ema_half_life")
    options = {name: getattr(arguments, name) for name in names if getattr(arguments, name) is not None}
    explicit = set(options)
    options = {**recipe_settings(arguments), **options}
    if arguments.mixed_precision:
        options["precision"] = f"mixed_{arguments.mixed_precision}"
    if arguments.xla is not None:
        options["jit_compile"] = arguments.xla
    for flag in ("sync_batch_norm", "deterministic", "skip_invalid"):
        if getattr(arguments, flag):
            options[flag] = True
    if arguments.spectral_norm is not None:
        options["spectral_norm"] = arguments.spectral_norm
    if arguments.conditional:
        options["conditional"] = True
    if arguments.data == "digits":
        options.setdefault("image_size", 32)
    options, notes = choices.fit_to_data(options, arguments.data, explicit)
    for note in notes:
        print(note)
    choices.check_combinations(options)
    from gan_tf.images import training  # noqa: PLC0415  (TensorFlow only for the commands that need it)

    training.train(training.TrainConfig(data=arguments.data, **options), arguments.out)


def recipe_settings(arguments):
    """The settings of `--recipe`. Without --recipe: the default recipe's for a new run, and for a run folder that
    already has a config.json its own values of those settings, so that a rerun resumes whatever recipe began
    it (even after the default recipe changed). Explicit flags override either (`train_command`); a rerun whose
    settings differ from config.json is refused by `training.train`, naming them."""
    if arguments.recipe is not None:
        return dict(choices.RECIPES[arguments.recipe])
    saved = run_config.read(arguments.out) if os.path.isdir(arguments.out) else None
    defaults = choices.RECIPES[choices.DEFAULT_RECIPE]
    return {name: saved.get(name, value) for name, value in defaults.items()} if saved else dict(defaults)


def sample_command(arguments):
    check_run_argument(arguments)
    check_class_argument(arguments)
    from gan_tf.images import run_generator  # noqa: PLC0415

    run_generator.sample(arguments.run_dir, arguments.n, arguments.out, arguments.seed, classes=arguments.classes,
                    checkpoint=arguments.checkpoint)
    print(f"{arguments.n} samples of {arguments.run_dir} ({arguments.checkpoint} checkpoint) -> {arguments.out}")


def export_command(arguments):
    """`gan-tf export`: the run's generator as .keras + SavedModel + sampling.json (see gan_tf.images.export)."""
    check_run_argument(arguments)
    from gan_tf.images import export  # noqa: PLC0415

    paths = export.export_run(arguments.run_dir, arguments.out, checkpoint=arguments.checkpoint,
                              overwrite=arguments.overwrite)
    print(f"generator of {arguments.run_dir} -> " + ", ".join(str(path) for path in paths.values()))


# `gan-tf train` options: name -> (type, help); unset ones keep TrainConfig's defaults.
TRAIN_OPTIONS = {
    "epochs": (flags.positive_integer, "epochs in total (default 25); raise it to continue a finished run"),
    "image_size": (int, "16, 32, 64 or 128 (default 64; 32 for digits)", choices.IMAGE_SIZES),
    "batch_size": (flags.positive_integer, "default 64"),
    "architecture": (str, "radford (DCGAN), dense_dcgan (the write-up's) or residual (SNGAN's ResNets)",
                     choices.ARCHITECTURES),
    "filters": (flags.positive_integer, "network width: ngf = ndf, the residual nets' width (default 64)"),
    "loss": (str, "the GAN loss (gan_tf.losses)", choices.LOSSES),
    "augment": (str, "augment what D sees: none, diffaugment (every transform, every image) or ada (probability "
                "adapted to E[sign D(real)] = 0.6; logged as augment/probability)", choices.AUGMENTS),
    "r1_gamma": (flags.non_negative_number, "lazy R1 penalty weight gamma on real images (0: off)"),
    "r1_every": (flags.positive_integer, "D steps between two R1 penalties (default 16)"),
    "gradient_penalty": (flags.non_negative_number, "WGAN-GP's penalty weight lambda on interpolates of real and fake "
                         "images, not augmented (0: off, the default). The paper: --loss wasserstein "
                         "--gradient-penalty 10 --d-steps 5 --beta-1 0 --learning-rate 1e-4 (and Adam's beta_2 0.9; "
                         "gan-tf keeps 0.999); none of these is set for you"),
    "d_steps": (flags.positive_integer, "D (critic) updates per batch (default 1; WGAN-GP's n_critic: 5)"),
    "learning_rate": (flags.non_negative_number, "Adam's learning rate for G and D (dcgan 2e-4, modern 6e-4)"),
    "instance_noise": (flags.non_negative_number, "instance noise: D sees every image, real and generated (in [-1, "
                       "1]), plus Gaussian noise of this stddev, e.g. 0.1 (0: off, the default); the progress bar "
                       "shows its current noise_stddev"),
    "instance_noise_steps": (flags.non_negative_integer, "anneal --instance-noise linearly to 0 over this many "
                             "batches (default 0: constant noise)"),
    "packing": (flags.positive_integer, "PacGAN: D judges packs of M images, all real or all generated, stacked "
                "along the channels (default 1: off); a batch of --batch-size images is --batch-size / M packs"),
    "generator_resolution": (flags.non_negative_integer, "G's images pass through N x N px (block average down, "
                             "resized back up as the loader upscales small images; N divides --image-size; 0: off, "
                             "the default). For images smaller than --image-size: 8 for --data digits (classifier "
                             "score 8.7 in 15 min against 7.5 without, benchmarks/README.md)"),
    "pseudo_classes": (flags.non_negative_integer, "classes without labels: cluster the images (--data digits or a "
                       "folder) into K classes by k-means, kept in the run (clusters.json), and train the conditional "
                       "GAN on them; samples draw the clusters by their shares (0: off, the default). Digits, 20 "
                       "clusters: classifier score 9.4-9.5 against 8.7 without (benchmarks/README.md)"),
    "beta_1": (flags.non_negative_number, "Adam's beta_1 (default 0.5; SNGAN's residual nets: 0)"),
    "g_steps": (flags.positive_integer, "generator updates per batch (the write-up: 2)"),
    "feature_matching": (flags.non_negative_number, "weight of the write-up's feature matching (default 0: off; the "
                         "write-up 0.1)"),
    "latent_distribution": (str, "normal (default) or uniform (the write-up)", choices.LATENT_DISTRIBUTIONS),
    "seed": (flags.seed_integer, "default 0"),
    "data_dir": (str, "where TFDS datasets are (default data)"),
    "steps_per_epoch": (flags.non_negative_integer, "batches per epoch, i.e. between checkpoints (default 0: one pass "
                        "over the data)"),
    "strategy": (str, "tf.distribute strategy: default, mirrored (all local GPUs), multi_worker (TF_CONFIG) or tpu",
                 choices.STRATEGIES),
    "every_n_steps": (flags.positive_integer, "TensorBoard period in steps (default 100)"),
    "eval_every": (flags.non_negative_integer, "every N steps, the --eval-measure distance between 512 real images and "
                   "samples in TensorBoard (quality/...), the best kept in best/ (default 0: off; a rerun may change "
                   "it)"),
    "eval_measure": (str, "what --eval-every measures and best/ keeps the lowest of: swd (default), fid or kid "
                     "(features of the digits classifier for --data digits, else of InceptionV3 from a local weights "
                     "file: gan_tf.images.evaluation)", choices.EVAL_MEASURES),
}

METAVARS = {"r1_gamma": "GAMMA", "gradient_penalty": "LAMBDA", "instance_noise": "STDDEV", "instance_noise_steps": "N",
            "packing": "M", "pseudo_classes": "K"}


def check_run_argument(arguments):
    """`--run` of sample / export: a folder with config.json (checked before TensorFlow is imported)."""
    if not os.path.isfile(os.path.join(arguments.run_dir, run_config.CONFIG_FILE)):
        raise FileNotFoundError(f"--run {arguments.run_dir!r} is not a run directory: it has no config.json.")
    if arguments.checkpoint == "best" and run_folder.read_best(arguments.run_dir) is None:
        raise FileNotFoundError(f"--checkpoint best: --run {arguments.run_dir!r} has no best checkpoint "
                                f"({run_folder.BEST_FOLDER}/{run_folder.BEST_FILE}); train it with --eval-every N "
                                "to keep one, or use --checkpoint latest.")


def check_class_argument(arguments):
    """`--class` of sample: names of the run's classes, for a conditional run (before TensorFlow is imported)."""
    if arguments.classes:
        run_config.class_labels(arguments.run_dir, arguments.classes, len(arguments.classes))


def add_commands(commands):
    add_train_command(commands)
    add_sample_command(commands)
    add_export_command(commands)


def add_train_command(commands):
    train = commands.add_parser("train", help="train a GAN on images (resumable)", description="Model variants: "
                                "--gradient-penalty (WGAN-GP), --r1, --instance-noise, --packing (PacGAN), --augment; "
                                "they combine, and pairs that do not are refused naming both flags. Consensus "
                                "optimization and the unrolled GAN stay API-only (gan_tf.models: second-order, about "
                                "3x and K + 1 times a step's cost; see gan_tf.images.recipes).")
    train.add_argument("--data", required=True,
                       help="'digits', an image folder, or a TFDS name (celeb_a, tf_flowers, ...)")
    train.add_argument("--out", required=True, help="the run directory")
    train.add_argument("--mixed-precision", nargs="?", const="float16", choices=("float16", "bfloat16"),
                       help="mixed_float16 (loss-scaled, the default) or mixed_bfloat16")
    train.add_argument("--xla", action=argparse.BooleanOptionalAction, default=None,
                       help="XLA-compile the train step, or not (--no-xla). Default: chosen for the machine, off on "
                       "a CPU where oneDNN is in effect (XLA does not use it: 0.65-0.78x at 32x32 and 64x64 on the "
                       "AVX2 Zen 3), on otherwise (gan_tf.cpu_path; benchmarks/README.md). A rerun may change it")
    train.add_argument("--sync-batch-norm", action="store_true", help="batch-norm statistics over all replicas")
    train.add_argument("--deterministic", action="store_true", help="TF op determinism: a resumed run matches "
                       "an uninterrupted one bit for bit (slower on GPU)")
    train.add_argument("--skip-invalid", action="store_true", help="skip image files that cannot be used (not an "
                       "image, truncated, too large, not a regular file) and report how many, instead of stopping")
    train.add_argument("--recipe", choices=tuple(choices.RECIPES), help=recipe_help())
    train.add_argument("--ema", dest="ema_half_life", type=flags.non_negative_number, nargs="?",
                       const=choices.EMA_HALF_LIFE, metavar="HALF_LIFE",
                       help="sample a moving average of G with this half-life in images (alone: "
                       f"{choices.EMA_HALF_LIFE:g}; 0: off); generate, sample and export use it, TensorBoard shows "
                       "both grids")
    train.add_argument("--spectral-norm", action=argparse.BooleanOptionalAction, default=None,
                       help="spectral normalisation of D (--architecture residual)")
    train.add_argument("--conditional", action="store_true", help="class-conditional GAN: --data digits (classes "
                       "'0' to '9') or a folder with one subfolder of images per class (sorted names; saved in the "
                       "run); then gan-tf sample --class NAME")
    for name, (kind, text, *allowed) in TRAIN_OPTIONS.items():
        flag = "--r1" if name == "r1_gamma" else "--" + name.replace("_", "-")
        train.add_argument(flag, dest=name, type=kind, help=text, choices=allowed[0] if allowed else None,
                           metavar=METAVARS.get(name))
    train.set_defaults(run=train_command)


def recipe_help():
    """`--recipe`'s help: the default, each recipe's settings, and how they meet the data and the other flags."""
    settings = "; ".join(f"{name}: " + ", ".join(f"{key}={value}" for key, value in values.items())
                         for name, values in choices.RECIPES.items())
    return (f"a combination of the settings below. Default {choices.DEFAULT_RECIPE} for a new run (the recipe that "
            "measures better on digits, Stacked digits and photo crops: benchmarks/README.md; dcgan is Radford et "
            f"al.'s); a rerun keeps its run's. {settings}. generator_resolution=native: the data's own (8 for digits, "
            "else off); modern's k-means classes are for digits or a folder of at least "
            f"{choices.IMAGES_PER_CLUSTER} images a cluster, without --conditional and the flags --pseudo-classes "
            "refuses (else off, with a note). Explicit flags override the recipe's")


def add_sample_command(commands):
    sample = commands.add_parser("sample", help="draw images from a trained run")
    sample.add_argument("--run", dest="run_dir", required=True, help="a run directory written by gan-tf train")
    sample.add_argument("--n", type=flags.positive_integer, default=64, help="number of images (default 64)")
    sample.add_argument("--out", default="grid.png", help="PNG grid to write (default grid.png)")
    sample.add_argument("--seed", type=flags.seed_integer, default=0, help="latent seed (default 0)")
    sample.add_argument("--class", dest="classes", action="append", metavar="NAME",
                        help="a conditional run's class to draw (repeat for several: the images cycle through them; "
                        "default every class in turn, or for --pseudo-classes runs clusters drawn by their shares)")
    add_checkpoint_argument(sample)
    sample.set_defaults(run=sample_command)


def add_export_command(commands):
    export = commands.add_parser("export", help="export a run's generator (.keras, SavedModel) to use without gan_tf")
    export.add_argument("--run", dest="run_dir", required=True, help="a run directory written by gan-tf train")
    export.add_argument("--out", required=True, help="output folder: generator.keras, saved_model/, sampling.json")
    export.add_argument("--overwrite", action="store_true", help="replace an earlier export in --out")
    add_checkpoint_argument(export)
    export.set_defaults(run=export_command)


def add_checkpoint_argument(command):
    command.add_argument("--checkpoint", choices=("latest", "best"), default="latest",
                         help="the latest checkpoint (default), or best/: the best by --eval-measure of a run "
                         "trained with --eval-every N")
