"""The `gan-tf` command.

  gan-tf list                      the reproduction scripts of this checkout
  gan-tf reproduce NAME [ARGS...]  run one of them (ARGS go to the script, e.g. --smoke --out-dir DIR)
  gan-tf train --data PATH_OR_TFDS_NAME --out RUN_DIR [--epochs N] [--mixed-precision [float16|bfloat16]]
               [--strategy mirrored|multi_worker|tpu [--sync-batch-norm]] [--deterministic]
                                   train a DCGAN (rerunning the same command resumes; see gan_tf.images.training)
  gan-tf sample --run RUN_DIR [--n 64] [--out grid.png]   draw from a trained generator
"""

import argparse
import pathlib
import runpy
import sys

REPRODUCTIONS = pathlib.Path(__file__).resolve().parents[1] / "reproductions"


def reproduction_scripts():
    """name -> path of every runnable script in `reproductions/` (empty outside a source checkout)."""
    if not REPRODUCTIONS.is_dir():
        return {}
    return {path.stem: path for path in sorted(REPRODUCTIONS.glob("*.py")) if not path.stem.startswith("_")}


def list_command(arguments):
    del arguments
    for name, path in reproduction_scripts().items():
        print(f"{name:40s} {path}")


def reproduce_command(arguments):
    scripts = reproduction_scripts()
    if arguments.name not in scripts:
        raise FileNotFoundError(
            f"No reproduction named {arguments.name!r} in {REPRODUCTIONS}: expected one of {sorted(scripts)} "
            "(reproductions ship with the source checkout, not with an installed wheel)."
        )
    sys.argv = [str(scripts[arguments.name]), *arguments.script_arguments]
    runpy.run_path(str(scripts[arguments.name]), run_name="__main__")


def train_command(arguments):
    from gan_tf.images import training  # noqa: PLC0415  (TensorFlow only for the commands that need it)

    options = {name: getattr(arguments, name) for name in TRAIN_OPTIONS if getattr(arguments, name) is not None}
    if arguments.mixed_precision:
        options["precision"] = f"mixed_{arguments.mixed_precision}"
    if arguments.no_xla:
        options["jit_compile"] = False
    for flag in ("sync_batch_norm", "deterministic"):
        if getattr(arguments, flag):
            options[flag] = True
    if arguments.data == "digits":
        options.setdefault("image_size", 32)
    from gan_tf import callbacks  # noqa: PLC0415

    try:
        training.train(training.TrainConfig(data=arguments.data, **options), arguments.out)
    except callbacks.NonFiniteLossError as error:
        raise SystemExit(f"gan-tf train: {error}") from error


def sample_command(arguments):
    from gan_tf.images import training  # noqa: PLC0415

    training.sample(arguments.run_dir, arguments.n, arguments.out, arguments.seed)
    print(f"{arguments.n} samples of {arguments.run_dir} -> {arguments.out}")


def export_command(arguments):
    """`gan-tf export`: the run's generator as .keras + SavedModel + sampling.json (see gan_tf.images.export)."""
    from gan_tf.images import export  # noqa: PLC0415

    paths = export.export_run(arguments.run_dir, arguments.out, overwrite=arguments.overwrite)
    print(f"generator of {arguments.run_dir} -> " + ", ".join(str(path) for path in paths.values()))


# `gan-tf train` options: name -> (type, help); unset ones keep TrainConfig's defaults.
TRAIN_OPTIONS = {
    "epochs": (int, "epochs in total (default 25); raise it to continue a finished run"),
    "image_size": (int, "16, 32, 64 or 128 (default 64; 32 for digits)"),
    "batch_size": (int, "default 64"),
    "architecture": (str, "radford (default) or writeup"),
    "filters": (int, "network width: ngf = ndf (default 64)"),
    "g_steps": (int, "generator updates per batch (the write-up: 2)"),
    "feature_matching": (float, "weight of the write-up's feature matching (default 0: off; the write-up 0.1)"),
    "latent_distribution": (str, "normal (default) or uniform (the write-up)"),
    "seed": (int, "default 0"),
    "data_dir": (str, "where TFDS datasets are (default data)"),
    "steps_per_epoch": (int, "batches per epoch, i.e. between checkpoints (default: one pass over the data)"),
    "strategy": (str, "tf.distribute strategy: default, mirrored (all local GPUs), multi_worker (TF_CONFIG) or tpu"),
    "every_n_steps": (int, "TensorBoard period in steps (default 100)"),
}


def build_parser():
    parser = argparse.ArgumentParser(prog="gan-tf", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the reproduction scripts").set_defaults(run=list_command)
    reproduce = commands.add_parser("reproduce", help="run a reproduction script")
    reproduce.add_argument("name")
    reproduce.add_argument("script_arguments", nargs=argparse.REMAINDER)
    reproduce.set_defaults(run=reproduce_command)
    train = commands.add_parser("train", help="train a DCGAN on images (resumable)")
    train.add_argument("--data", required=True, help="'digits', an image folder, or a TFDS name (celeb_a, tf_flowers, ...)")
    train.add_argument("--out", required=True, help="the run directory")
    train.add_argument("--mixed-precision", nargs="?", const="float16", choices=("float16", "bfloat16"),
                       help="mixed_float16 (loss-scaled, the default) or mixed_bfloat16")
    train.add_argument("--no-xla", action="store_true", help="do not XLA-compile the train step (saves ~8 s of "
                       "compilation; on CPU, XLA was ~2x faster for 32x32 digits but 0.7x for the 64x64 DCGAN: "
                       "see benchmarks/README.md)")
    train.add_argument("--sync-batch-norm", action="store_true", help="batch-norm statistics over all replicas")
    train.add_argument("--deterministic", action="store_true", help="TF op determinism: a resumed run matches "
                       "an uninterrupted one bit for bit (slower on GPU)")
    for name, (kind, text) in TRAIN_OPTIONS.items():
        train.add_argument("--" + name.replace("_", "-"), type=kind, help=text)
    train.set_defaults(run=train_command)
    sample = commands.add_parser("sample", help="draw images from a trained run")
    sample.add_argument("--run", dest="run_dir", required=True, help="a run directory written by gan-tf train")
    sample.add_argument("--n", type=int, default=64, help="number of images (default 64)")
    sample.add_argument("--out", default="grid.png", help="PNG grid to write (default grid.png)")
    sample.add_argument("--seed", type=int, default=0, help="latent seed (default 0)")
    sample.set_defaults(run=sample_command)
    export = commands.add_parser("export", help="export a run's generator (.keras, SavedModel) to use without gan_tf")
    export.add_argument("--run", dest="run_dir", required=True, help="a run directory written by gan-tf train")
    export.add_argument("--out", required=True, help="output folder: generator.keras, saved_model/, sampling.json")
    export.add_argument("--overwrite", action="store_true", help="replace an earlier export in --out")
    export.set_defaults(run=export_command)
    return parser


def main(argv=None):
    arguments = build_parser().parse_args(argv)
    arguments.run(arguments)


if __name__ == "__main__":
    main()
