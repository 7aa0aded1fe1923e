"""Generator-only export that loads without gan_tf: a `.keras` file, a TF SavedModel and `sampling.json`.

    from gan_tf.images import export
    export.export_generator(gan, "exported")           # a trained gan_tf.GAN (or a bare generator model)
    export.export_run("runs/celeba", "exported")       # a `gan-tf train` run directory (its latest checkpoint;
                                                       # the generator average when the run keeps one)
    export.export_run("runs/celeba", "exported", checkpoint="best")  # its best/ (gan-tf train --eval-every N)
    # or, from a shell:  gan-tf export --run runs/celeba --out exported

writes into the output folder:
  generator.keras   `keras.saving.load_model(path)(z)`: a plain Functional model, z `[n, latent_dim]` -> samples
  saved_model/      `loaded = tf.saved_model.load(path)`, then `loaded.serve(z)["samples"]` (keep `loaded`: its
                    variables die with it); its "serving_default" signature takes
                    `latent` float32 `[None, latent_dim]` and returns `samples` float32 (inference mode: BN
                    uses its moving statistics). Needs TensorFlow only, not Keras.
  sampling.json     latent_dim, latent_distribution (and how to draw z with NumPy), sample_shape, output_range

A class-conditional generator (`gan-tf train --conditional`, `gan_tf.conditional_networks`) has a second input,
the one-hot label `[n, num_classes]`: `generator.keras` is called as `model([z, numpy.eye(num_classes)[labels]])`,
the SavedModel's signature takes `labels` int32 `[None]` beside `latent`, and sampling.json adds `num_classes`
and `class_names` (label i is class_names[i]); for k-means classes (`gan-tf train --pseudo-classes`) also
`class_shares` and how to draw labels with them, which gives samples like the data's.

Neither file references a gan_tf class. The exported model is a copy of the generator built from core Keras
layers only: core layers are copied as they are (config and weights); gan_tf's one generator layer,
`networks.LocationScale` (x = |a| z + b, the blog's linear generator), becomes the equivalent `Dense` with kernel
diag(|a|) and bias b (the same outputs: the off-diagonal terms add exact zeros). Any other non-Keras layer makes a
`.keras` export raise a ValueError naming it; `formats=("saved_model",)` still exports it, since a SavedModel
stores the traced TensorFlow graph rather than Python classes.
"""

import json
import pathlib
import shutil

import keras
import numpy as np
import tensorflow as tf

from gan_tf import models, networks
from gan_tf.images import run_folder
from gan_tf.models import sampling

FORMATS = ("keras", "saved_model")
KERAS_FILE, SAVED_MODEL_DIR, SAMPLING_FILE = "generator.keras", "saved_model", "sampling.json"
LATENT_RECIPES = {
    "normal": "z ~ N(0, 1) per coordinate: numpy.random.default_rng(seed).standard_normal((n, latent_dim), "
              "dtype=numpy.float32)",
    "uniform": "z ~ U(-1, 1) per coordinate: numpy.random.default_rng(seed).uniform(-1, 1, (n, latent_dim))"
               ".astype(numpy.float32)",
}
OUTPUT_RANGES = {"tanh": [-1.0, 1.0], "sigmoid": [0.0, 1.0], "relu": [0.0, None]}  # by output activation


def export_generator(source, out_dir, latent_distribution=None, formats=FORMATS, overwrite=False, metadata=None,
                     class_names=None):
    """Export the generator of `source` into `out_dir` (see the module docstring); returns {name: path}.

    Args:
      source: a `gan_tf.GAN` (its generator, latent_dim and latent_distribution), or a generator
        `keras.Model` with one input z `[None, latent_dim]` (then pass `latent_distribution`, "normal" if omitted).
      out_dir: the output folder (created). Existing exported files raise FileExistsError unless `overwrite`.
      formats: any of "keras", "saved_model".
      metadata: extra JSON-serializable entries for sampling.json (e.g. where the generator came from).
      class_names: a conditional generator's class names (default "0", "1", ...).
    """
    generator, latent_distribution = _generator_of(source, latent_distribution)
    latent_dim = _latent_dim(generator)
    num_classes = _num_classes(generator)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise ValueError(f"formats must be a non-empty subset of {FORMATS}, got {tuple(formats)!r}.")
    out_dir = pathlib.Path(out_dir)
    targets = {"keras": out_dir / KERAS_FILE, "saved_model": out_dir / SAVED_MODEL_DIR}
    paths = {name: targets[name] for name in FORMATS if name in formats}
    paths["sampling"] = out_dir / SAMPLING_FILE
    _make_room(paths.values(), overwrite)
    plain = plain_keras_generator(generator) if "keras" in formats else generator
    if "keras" in formats:
        plain.save(paths["keras"])
    if "saved_model" in formats:
        save_serving_model(plain, latent_dim, paths["saved_model"], num_classes)
    description = sampling_description(generator, latent_dim, latent_distribution)
    if num_classes:
        description.update(class_description(num_classes, class_names, getattr(source, "class_shares", None)))
    paths["sampling"].write_text(json.dumps({**description, **(metadata or {})}, indent=2) + "\n")
    return paths


def export_run(run_dir, out_dir, checkpoint="latest", **options):
    """Export the generator of the latest checkpoint (or with `checkpoint="best"`, of best/) of a `gan-tf train` run
    directory (see `export_generator`): the averaged weights when the run keeps a generator average (EMA), as
    `gan-tf sample` draws; sampling.json says which ("weights", "checkpoint").

    It rebuilds the run's GAN with `run_generator.load_generator` from the newest checkpoint that restores
    (the images' channels come from the run's config.json: neither the training data nor generator.keras is needed).
    """
    from gan_tf.images import run_config, run_generator  # noqa: PLC0415  (training pulls in the image pipelines)

    gan, config = run_generator.load_generator(run_dir, checkpoint)
    if config.conditional or config.pseudo_classes:
        options.setdefault("class_names", run_config.read(run_dir)["class_names"])
    weights = (f"the generator average (EMA, half-life {config.ema_half_life:g} images)" if gan.generator_average
               else "the generator")
    metadata = {"run_dir": str(run_dir), "data": config.data, "weights": weights,
                "checkpoint": _checkpoint_description(run_dir, checkpoint), **options.pop("metadata", {})}
    with sampling.averaged_weights(gan.generator, gan.generator_average):
        return export_generator(gan, out_dir, metadata=metadata, **options)


def _checkpoint_description(run_dir, checkpoint):
    if checkpoint != "best":
        return checkpoint
    record = run_folder.read_best(run_dir)
    return f"best: step {record['step']}, {record['measure']} {record['value']:.6g}"


def plain_keras_generator(generator):
    """A copy of `generator`, with its weights, made of core Keras layers only (see the module docstring)."""
    copy = keras.models.clone_model(generator, clone_function=_core_keras_layer)
    for layer in generator.layers:
        _copy_weights(layer, copy.get_layer(layer.name))
    foreign = _non_keras_classes(keras.saving.serialize_keras_object(copy))
    if foreign:
        raise ValueError(f"The generator {generator.name!r} uses classes that are not core Keras: {foreign}. "
                         "A .keras file would need them to load; export with formats=('saved_model',) instead.")
    return copy


def save_serving_model(generator, latent_dim, path, num_classes=None):
    """A TF SavedModel of `generator` whose `serve` / "serving_default" maps `latent` float32 `[None, latent_dim]`
    (and for a conditional generator `labels` int32 `[None]`) to {"samples": float32}, in inference mode."""
    archive = keras.export.ExportArchive()
    archive.track(generator)
    if num_classes:
        archive.add_endpoint(
            "serve", lambda latent, labels: {"samples": tf.cast(generator(
                [latent, tf.one_hot(labels, num_classes)], training=False), tf.float32)},
            input_signature=[tf.TensorSpec([None, latent_dim], tf.float32, name="latent"),
                             tf.TensorSpec([None], tf.int32, name="labels")])
        archive.write_out(str(path), verbose=False)
        return
    archive.add_endpoint("serve", lambda latent: {"samples": tf.cast(generator(latent, training=False), tf.float32)},
                         input_signature=[tf.TensorSpec([None, latent_dim], tf.float32, name="latent")])
    archive.write_out(str(path), verbose=False)


def sampling_description(generator, latent_dim, latent_distribution):
    """What sampling.json holds: how to draw z and what comes out."""
    output_range = OUTPUT_RANGES.get(_output_activation(generator), [None, None])
    description = {
        "latent_dim": latent_dim,
        "latent_distribution": latent_distribution,
        "latent_recipe": LATENT_RECIPES[latent_distribution],
        "sample_shape": list(generator.outputs[0].shape[1:]),
        "output_range": output_range,  # null: unbounded on that side
        "keras": f"keras.saving.load_model('{KERAS_FILE}')(z)",
        "saved_model": f"loaded = tf.saved_model.load('{SAVED_MODEL_DIR}'); loaded.serve(z)['samples']",
    }
    if output_range == [-1.0, 1.0] and len(description["sample_shape"]) == 3:
        description["to_uint8_pixels"] = "numpy.round((samples + 1) * 127.5).astype(numpy.uint8)"
    return description


def class_description(num_classes, class_names=None, class_shares=None):
    """sampling.json's entries for a conditional generator: the classes and how to pass them (and with
    `class_shares`, each class's share of the data, how to draw labels by them)."""
    class_names = [str(name) for name in (class_names or range(num_classes))]
    if len(class_names) != num_classes:
        raise ValueError(f"class_names must name the generator's {num_classes} classes, got {class_names}.")
    shares = {} if class_shares is None else {
        "class_shares": [float(share) for share in class_shares],
        "labels_like_the_data": "numpy.random.default_rng(seed).choice(num_classes, n, p=class_shares)"}
    return {"num_classes": num_classes, "class_names": class_names, **shares,
            "labels_recipe": "labels: int indices into class_names, shape [n]",
            "keras": f"keras.saving.load_model('{KERAS_FILE}')([z, numpy.eye({num_classes}, dtype=numpy.float32)"
                     "[labels]])",
            "saved_model": f"loaded = tf.saved_model.load('{SAVED_MODEL_DIR}'); "
                           "loaded.serve(z, labels)['samples']"}


def _num_classes(generator):
    """The size of a conditional generator's one-hot label input, or None for a generator of z alone."""
    inputs = getattr(generator, "inputs", None) or []
    return int(inputs[1].shape[-1]) if len(inputs) == 2 and len(inputs[1].shape) == 2 else None


def _generator_of(source, latent_distribution):
    if isinstance(source, models.GAN):
        if latent_distribution not in (None, source.latent_distribution):
            raise ValueError(f"latent_distribution={latent_distribution!r} contradicts the GAN's "
                             f"{source.latent_distribution!r}; leave it out for a GAN.")
        return source.generator, source.latent_distribution
    if not isinstance(source, keras.Model):
        raise ValueError(f"source must be a gan_tf.GAN or a generator keras.Model, got {type(source).__name__}.")
    latent_distribution = latent_distribution or "normal"
    if latent_distribution not in LATENT_RECIPES:
        raise ValueError(f"latent_distribution must be one of {sorted(LATENT_RECIPES)}, got {latent_distribution!r}.")
    return source, latent_distribution


def _latent_dim(generator):
    inputs = getattr(generator, "inputs", None) or []
    inputs = inputs[:1] if _num_classes(generator) else inputs  # a conditional generator's z, one-hot label
    if len(inputs) != 1 or len(inputs[0].shape) != 2 or inputs[0].shape[-1] is None:
        shapes = [tuple(tensor.shape) for tensor in inputs]
        raise ValueError(f"Only generators with one input z [None, latent_dim] can be exported; {generator.name!r} "
                         f"has inputs {shapes} (a built Functional or Sequential model is needed).")
    return int(inputs[0].shape[-1])


def _make_room(paths, overwrite):
    for path in paths:
        if path.exists() and not overwrite:
            raise FileExistsError(f"{str(path)!r} already exists: pass overwrite=True (--overwrite) or another folder.")
        if path.is_dir():
            shutil.rmtree(path)
    next(iter(paths)).parent.mkdir(parents=True, exist_ok=True)


def _core_keras_layer(layer):
    if isinstance(layer, networks.LocationScale):
        return keras.layers.Dense(layer.location.shape[0], name=layer.name, dtype=layer.dtype_policy)
    return layer.__class__.from_config(layer.get_config())


def _copy_weights(source, target):
    if isinstance(source, networks.LocationScale):
        scale, location = keras.ops.convert_to_numpy(source.stddev), keras.ops.convert_to_numpy(source.location)
        target.set_weights([np.diag(scale), location])
    else:
        target.set_weights(source.get_weights())


def _non_keras_classes(config):
    """Class names in a serialized config whose module is not Keras' (e.g. "gan_tf.networks.LocationScale")."""
    found = []
    if isinstance(config, dict):
        module = config.get("module")
        if isinstance(module, str) and "class_name" in config and module.split(".")[0] != "keras":
            found.append(f"{module}.{config['class_name']}")
        values = config.values()
    elif isinstance(config, (list, tuple)):
        values = config
    else:
        return found
    for value in values:
        found.extend(name for name in _non_keras_classes(value) if name not in found)
    return found


def _output_activation(generator):
    """The name of the activation of the generator's output layer ("tanh", "linear", ...)."""
    last = generator.layers[-1]
    while isinstance(last, keras.Model):  # a conditional generator ends in its unconditional one
        last = last.layers[-1]
    activation = getattr(last, "activation", None)
    return getattr(activation, "__name__", None)
