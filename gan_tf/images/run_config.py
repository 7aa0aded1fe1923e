"""config.json of a run folder: read (damage is an error naming the file), migrated, compared, written.

The file holds the run's `TrainConfig` fields, with `data` and `data_dir` as resolved absolute paths where they
are paths, plus what the run found when it began: `channels` (so sampling and export need neither the data nor
generator.keras) and `data_fingerprint` (`{"files", "bytes"}` of an image folder, `{"examples"}` otherwise), so
that a rerun on data that changed is refused instead of silently training on other images; a conditional run
also keeps `class_names` (its data's classes, label i is class_names[i]), and a rerun whose classes differ is
refused naming both lists; a run with k-means classes (`pseudo_classes`) keeps their names and `class_shares` (each
cluster's share of the images; its per-image labels are in clusters.json), and a rerun whose clusters' shares
differ is refused. Files written before
these fields existed are migrated here, in `migrate`, and nowhere else.
"""

import json
import os
import pathlib

from gan_tf import checks
from gan_tf.images import run_folder

CONFIG_FILE = "config.json"
RUN_FIELDS = ("channels", "data_fingerprint", "class_names", "class_shares")   # facts of the run, not settings
# settings a rerun may change (they leave training alone)
MAY_CHANGE = ("epochs", "skip_invalid", "eval_every", "eval_measure", "jit_compile")  # jit_compile: speed only
TFDS_ONLY = ("data_dir",)                        # compared only when the data is a TFDS name
# Settings added after runs were first written, with the value that means what those runs did (see `migrate`).
ADDED_SETTINGS = {"loss": "non_saturating", "ema_half_life": 0.0, "augment": "none", "r1_gamma": 0.0, "r1_every": 16,
                  "spectral_norm": False, "gradient_penalty": 0.0, "instance_noise": 0.0, "instance_noise_steps": 0,
                  "packing": 1, "conditional": False, "generator_resolution": 0,
                  "pseudo_classes": 0}
FLAGS = {"ema_half_life": "--ema", "r1_gamma": "--r1", "precision": "--mixed-precision",
         "jit_compile": "--xla"}  # settings whose flag is not --<name with dashes>
API_ONLY = ("latent_dim", "init_stddev")  # settings without a flag


def resolve_data(spec):
    """"digits" and TFDS names as they are; a path to a folder (relative, with or without a trailing slash) as
    its resolved absolute path."""
    if spec != "digits" and pathlib.Path(spec).is_dir():
        return str(pathlib.Path(spec).resolve())
    return spec


def is_path_spec(spec):
    """Whether --data `spec` can only mean a path (absolute, ./, ../, ~, a trailing slash, or an existing first
    folder): such a spec that is no folder is a typo, not a TFDS name (checked before TensorFlow is imported)."""
    path = pathlib.Path(spec)
    return (spec.startswith(("/", "./", "../", "~")) or spec.endswith(("/", os.sep))
            or (len(path.parts) > 1 and pathlib.Path(path.parts[0]).is_dir()))


def read(run_dir):
    """The migrated dict of `run_dir`'s config.json, or None when there is none. A run folder with checkpoints
    but no config.json, or a config.json that is not a JSON object, raises `run_folder.RunFolderError`."""
    run_dir = pathlib.Path(run_dir)
    path = run_dir / CONFIG_FILE
    if not path.exists():
        checkpoints = run_folder.checkpoint_inventory(run_dir / "checkpoints")
        if not checkpoints.is_empty:
            raise run_folder.RunFolderError(
                f"{str(path)!r} is missing but {str(run_dir / 'checkpoints')!r} holds checkpoints: the run's "
                "settings are unknown, so nothing was started. Restore config.json from a backup, or use another "
                "--out.")
        return None
    if not path.is_file():
        raise run_folder.RunFolderError(f"{str(path)!r} is not a regular file: nothing was started.")
    try:
        saved = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise run_folder.RunFolderError(f"{str(path)!r} is damaged ({error}): nothing was started or overwritten. "
                                        "Restore it from a backup, or use another --out.") from None
    if not isinstance(saved, dict) or "data" not in saved:
        raise run_folder.RunFolderError(f"{str(path)!r} is damaged (not a JSON object with the run's settings): "
                                        "nothing was started or overwritten.")
    return migrate(saved)


def migrate(saved):
    """Bring a config.json dict of an older gan_tf up to date (missing settings take their defaults later)."""
    saved = dict(saved)
    if "data_fingerprint" not in saved:  # written before paths were resolved: resolve them from here
        saved["data"] = resolve_data(saved["data"])
        saved["data_fingerprint"] = None
    saved.setdefault("channels", 1 if saved["data"] == "digits" else 3)  # what every gan-tf pipeline gives
    for name, value in ADDED_SETTINGS.items():  # the loss, EMA, augmentation, R1, SN, variants of the first runs
        saved.setdefault(name, value)
    if saved.get("architecture") == "writeup":  # the dense-ended DCGAN's name before it was named by its shape
        saved["architecture"] = "dense_dcgan"
    return saved


def differences(saved, wanted):
    """{setting: (saved, wanted)} of the settings a rerun may not change."""
    tfds_data = wanted["data"] != "digits" and not pathlib.Path(wanted["data"]).is_absolute()
    changed = {}
    for key, value in wanted.items():
        if key in MAY_CHANGE or key in RUN_FIELDS or (key in TFDS_ONLY and not tfds_data):
            continue
        if key in saved and saved[key] != value:
            changed[key] = (saved[key], value)
    found, then = wanted.get("data_fingerprint"), saved.get("data_fingerprint")
    if then is not None and found is not None and then != found:
        changed["data (contents)"] = (then, found)
    if "pseudo_classes" in changed:  # other clusters, so other names and shares: the setting says it all
        return changed
    if saved.get("class_names") != wanted.get("class_names") and "class_names" in saved:
        changed["data (classes)"] = (saved["class_names"], wanted.get("class_names"))
    if saved.get("class_shares") != wanted.get("class_shares") and "class_shares" in saved:
        changed["data (cluster shares)"] = (saved["class_shares"], wanted.get("class_shares"))
    return changed


def write(run_dir, values):
    """Write config.json atomically."""
    path = pathlib.Path(run_dir) / CONFIG_FILE
    run_folder.atomic_write(path, lambda temporary: temporary.write_text(json.dumps(values, indent=2) + "\n"))


def flag_of(name):
    """The `gan-tf train` flag of the setting `name`; None for a setting without one (`API_ONLY`) and for other
    keys of `differences` ("data (contents)")."""
    if name in API_ONLY or not name.isidentifier():
        return None
    return FLAGS.get(name, "--" + name.replace("_", "-"))


def check_numbers(config):
    """The numeric settings of a `training.TrainConfig` beyond its own checks (messages name the flag too)."""
    def flag(name):
        return f"{name} ({flag_of(name)})"

    for name in ("filters", "d_steps", "g_steps", "r1_every", "packing"):
        checks.positive_integer(flag(name), getattr(config, name))
    checks.integer_at_least(flag("steps_per_epoch"), config.steps_per_epoch, 0)  # 0: one pass over the data
    checks.integer_at_least(flag("eval_every"), config.eval_every, 0)  # 0: off
    checks.integer_at_least(flag("instance_noise_steps"), config.instance_noise_steps, 0)  # 0: constant noise
    checks.integer_in_range(flag("seed"), config.seed, 0, 2**32, high_text="2**32")
    if checks.integer_at_least(flag("pseudo_classes"), config.pseudo_classes, 0) == 1:
        raise ValueError(f"{flag('pseudo_classes')} must be 0 (off) or at least 2 clusters, got 1.")
    for name in ("feature_matching", "learning_rate", "init_stddev", "beta_1", "ema_half_life", "r1_gamma",
                 "gradient_penalty", "instance_noise"):
        checks.non_negative_number(flag(name), getattr(config, name))


def class_labels(run_dir, classes, n):
    """The labels of `n` samples of the run in `run_dir` cycling through the class names `classes` (None: all its
    classes), or None for a run that is not conditional and no `classes` (also for a run with k-means classes:
    its generator then draws them by their shares). An unknown name, or `classes` for a run without classes, is a
    ValueError naming `--class` (`gan-tf sample` checks it before importing TensorFlow)."""
    saved = read(run_dir) or {}
    class_names = saved.get("class_names")
    if not class_names or (saved.get("pseudo_classes") and not classes):
        if classes:
            raise ValueError(f"--class {classes[0]!r}: the run {str(run_dir)!r} is not conditional (it was trained "
                             "without --conditional or --pseudo-classes, so it has no classes).")
        return None
    classes = list(classes or class_names)
    for name in classes:
        if name not in class_names:
            raise ValueError(f"--class {name!r}: expected one of {class_names}.")
    return [class_names.index(classes[index % len(classes)]) for index in range(n)]
