"""`gan_tf.images.export` / `gan-tf export`: the exported generators load in a Python that cannot import gan_tf, and
give the in-process generator's samples on the same z."""

import dataclasses
import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

import gan_tf
from gan_tf import cli, layers, networks
from gan_tf.images import checkpointing, export, recipes, training

LATENT_DIM = 8
# Measured (2 CPU cores, TF 2.21): every output is bitwise equal to the in-process generator's. The tolerance
# leaves room for what may differ elsewhere without being wrong: the SavedModel runs a traced graph that Grappler
# may rewrite (fused or reordered element-wise ops), and the Dense standing in for LocationScale sums exact zeros;
# a few float32 roundings per layer on samples of order 1 stay far below 1e-5 relative. A lost or stale weight
# (what these tests guard against) changes samples by ~0.1 or more.
RTOL, ATOL = 1e-5, 1e-6

LOADER = textwrap.dedent("""
    import json, pathlib, sys
    # As if gan_tf were not installed: `make test` installs it (editable) into the venv that runs this file.
    sys.modules["gan_tf"] = None
    try:
        import gan_tf  # noqa: F401
        importable = True
    except ImportError:
        importable = False
    import keras, numpy as np, tensorflow as tf
    folder = pathlib.Path(sys.argv[1])
    outputs = {}
    for name in json.loads((folder / "names.json").read_text()):
        latent = np.load(folder / name / "latent.npy")
        model = keras.saving.load_model(folder / name / "generator.keras")
        outputs[name + "/keras"] = keras.ops.convert_to_numpy(model(latent, training=False))
        loaded = tf.saved_model.load(str(folder / name / "saved_model"))
        serving = loaded.signatures["serving_default"]
        outputs[name + "/saved_model"] = serving(latent=tf.constant(latent))["samples"].numpy()
        outputs[name + "/saved_model_serve"] = loaded.serve(latent)["samples"].numpy()
        outputs[name + "/layers"] = np.array(sorted({type(layer).__module__ for layer in model.layers}))
    np.savez(folder / "outputs.npz", **outputs)
    (folder / "environment.json").write_text(json.dumps({"gan_tf_importable": importable, "path": sys.path}))
""")


def perturb(model, seed):
    """Random weights (positive BN variances), so that an export that lost them cannot pass."""
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        values = rng.uniform(-0.5, 0.5, variable.shape)
        variable.assign(np.abs(values) + 0.5 if "variance" in variable.path else values)


def linear_gan():
    generator = networks.linear_generator(LATENT_DIM, mean=1.0, stddev=2.0)
    networks.location_scale_layer(generator).scale.assign(np.linspace(-2.0, 2.0, LATENT_DIM))  # |a| matters
    return gan_tf.GAN(generator, networks.mlp_discriminator([4], input_dim=LATENT_DIM), LATENT_DIM)


def mlp_gan():
    generator = networks.mlp_generator([16, 16], latent_dim=LATENT_DIM, output_dim=2)
    perturb(generator, 1)
    return gan_tf.GAN(generator, networks.mlp_discriminator([4], input_dim=2), LATENT_DIM,
                      latent_distribution="uniform")


def dcgan_gan():
    generator = networks.dcgan_generator(latent_dim=LATENT_DIM, image_size=16, filters=8)
    perturb(generator, 2)
    return gan_tf.GAN(generator, networks.dcgan_discriminator(image_size=16, filters=8), LATENT_DIM)


def write_run(run_dir):
    """A `gan-tf train` run directory (digits, 16x16, one checkpoint) without training: perturbed weights."""
    config = training.TrainConfig(data="digits", image_size=16, filters=4, latent_dim=LATENT_DIM, batch_size=8,
                                  jit_compile=False)
    gan = recipes.build_gan(config, channels=1)
    perturb(gan.generator, 3)
    run_dir.mkdir()
    (run_dir / "config.json").write_text(json.dumps(dataclasses.asdict(config)))
    epoch = tf.Variable(1, dtype=tf.int64)
    tf.train.CheckpointManager(checkpointing.checkpoint_of(gan, epoch), run_dir / "checkpoints", 3).save()
    return gan


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Exports of four generators, loaded by one subprocess that cannot import gan_tf.

    Returns (folder, {name: in-process samples}, {output name: samples from the subprocess}, its environment).
    """
    folder = tmp_path_factory.mktemp("exported")
    gans = {"linear": linear_gan(), "mlp": mlp_gan(), "dcgan": dcgan_gan()}
    for name, gan in gans.items():
        export.export_generator(gan, folder / name)
    gans["run"] = write_run(folder / "run_dir")
    cli.main(["export", "--run", str(folder / "run_dir"), "--out", str(folder / "run")])
    expected = {}
    for index, (name, gan) in enumerate(gans.items()):
        latent = keras.ops.convert_to_numpy(gan.sample_latent(5, seed=index))
        np.save(folder / name / "latent.npy", latent)
        expected[name] = keras.ops.convert_to_numpy(gan.generator(latent, training=False))
    (folder / "names.json").write_text(json.dumps(list(gans)))
    (folder / "loader.py").write_text(LOADER)
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    environment.update(CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="2")
    # -I: no PYTHONPATH, no user site, no script or current folder on sys.path; the cwd is not the repository;
    # the loader blocks `import gan_tf` itself, for an installed gan_tf.
    process = subprocess.run([sys.executable, "-I", str(folder / "loader.py"), str(folder)], cwd=folder,
                             env=environment, capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stderr[-3000:]
    outputs = dict(np.load(folder / "outputs.npz"))
    return folder, expected, outputs, json.loads((folder / "environment.json").read_text())


def test_the_loader_cannot_import_gan_tf(exported):
    assert exported[3]["gan_tf_importable"] is False


@pytest.mark.parametrize("name", ["linear", "mlp", "dcgan", "run"])
@pytest.mark.parametrize("form", ["keras", "saved_model", "saved_model_serve"])
def test_exported_generator_gives_the_same_samples_without_gan_tf(exported, name, form):
    _, expected, outputs, _ = exported
    assert outputs[f"{name}/{form}"].dtype == np.float32
    np.testing.assert_allclose(outputs[f"{name}/{form}"], expected[name], rtol=RTOL, atol=ATOL)


def test_exported_keras_model_has_only_core_keras_layers(exported):
    _, _, outputs, _ = exported
    for name in ("linear", "mlp", "dcgan", "run"):
        assert all(module.startswith("keras.") for module in outputs[f"{name}/layers"]), outputs[f"{name}/layers"]


def test_sampling_json_says_how_to_sample(exported):
    folder = exported[0]
    dcgan, mlp, run = (json.loads((folder / name / "sampling.json").read_text()) for name in ("dcgan", "mlp", "run"))
    assert (dcgan["latent_dim"], dcgan["latent_distribution"], dcgan["sample_shape"]) == (8, "normal", [16, 16, 3])
    assert dcgan["output_range"] == [-1.0, 1.0] and "to_uint8_pixels" in dcgan
    assert (mlp["latent_distribution"], mlp["output_range"], mlp["sample_shape"]) == ("uniform", [None, None], [2])
    assert "uniform(-1, 1" in mlp["latent_recipe"]
    assert (run["sample_shape"], run["data"]) == ([16, 16, 1], "digits")


def test_generator_with_a_foreign_layer_is_refused_as_keras_but_saved_as_saved_model(tmp_path):
    latent = keras.Input((LATENT_DIM,), name="latent")
    generator = keras.Model(latent, layers.MinibatchDiscrimination(2, 2, name="minibatch")(latent))
    with pytest.raises(ValueError, match="MinibatchDiscrimination.*formats=\\('saved_model',\\)"):
        export.export_generator(generator, tmp_path / "both")
    paths = export.export_generator(generator, tmp_path / "saved_only", formats=("saved_model",))
    assert set(paths) == {"saved_model", "sampling"}
    latent_values = np.random.default_rng(0).standard_normal((3, LATENT_DIM), dtype=np.float32)
    loaded = tf.saved_model.load(str(paths["saved_model"]))  # kept: its variables live as long as it does
    np.testing.assert_allclose(loaded.serve(latent_values)["samples"], generator(latent_values), rtol=RTOL, atol=ATOL)


def test_existing_export_is_not_overwritten_unless_asked(tmp_path):
    gan = linear_gan()
    export.export_generator(gan, tmp_path, formats=("keras",))
    with pytest.raises(FileExistsError, match="generator.keras.*overwrite=True"):
        export.export_generator(gan, tmp_path, formats=("keras",))
    export.export_generator(gan, tmp_path, formats=("keras",), overwrite=True)


@pytest.mark.parametrize(
    "source, options, message",
    [
        ("a path", {}, "source must be a gan_tf.GAN or a generator keras.Model, got str"),
        (None, dict(latent_distribution="uniform"), "latent_distribution='uniform' contradicts the GAN's 'normal'"),
        (None, dict(formats=("onnx",)), "formats must be a non-empty subset"),
    ],
)
def test_bad_export_arguments(tmp_path, source, options, message):
    with pytest.raises(ValueError, match=message):
        export.export_generator(linear_gan() if source is None else source, tmp_path, **options)


def test_two_input_generator_is_refused_naming_its_inputs(tmp_path):
    # (a second input [None, K] is a conditional generator's one-hot label: see the conditional tests below)
    latent, labels = keras.Input((LATENT_DIM,)), keras.Input((3, 2))
    generator = keras.Model([latent, labels], keras.layers.Concatenate()([latent, keras.layers.Flatten()(labels)]),
                            name="conditional")
    with pytest.raises(ValueError, match=r"'conditional' has inputs \[\(None, 8\), \(None, 3, 2\)\]"):
        export.export_generator(generator, tmp_path)


def write_conditional_run(run_dir, class_names=("cat", "dog", "owl")):
    """A conditional `gan-tf train` run directory (digit-sized images, perturbed weights) without training."""
    config = training.TrainConfig(data="digits", image_size=16, filters=4, latent_dim=LATENT_DIM, batch_size=8,
                                  jit_compile=False, conditional=True)
    gan = recipes.build_gan(config, channels=1, num_classes=len(class_names))
    perturb(gan.generator, 4)
    run_dir.mkdir()
    (run_dir / "config.json").write_text(json.dumps({**dataclasses.asdict(config), "class_names": list(class_names)}))
    epoch = tf.Variable(1, dtype=tf.int64)
    tf.train.CheckpointManager(checkpointing.checkpoint_of(gan, epoch), run_dir / "checkpoints", 3).save()
    return gan


def test_a_conditional_export_takes_the_label_and_names_the_classes(tmp_path):
    gan = write_conditional_run(tmp_path / "run")
    cli.main(["export", "--run", str(tmp_path / "run"), "--out", str(tmp_path / "exported")])
    sampling = json.loads((tmp_path / "exported" / "sampling.json").read_text())
    assert (sampling["num_classes"], sampling["class_names"]) == (3, ["cat", "dog", "owl"])
    assert sampling["output_range"] == [-1.0, 1.0] and sampling["sample_shape"] == [16, 16, 1]
    latent = keras.ops.convert_to_numpy(gan.sample_latent(6, seed=0))
    labels = np.array([0, 1, 2, 2, 1, 0], np.int32)
    expected = gan.generate(6, labels=labels, seed=0)
    model = keras.saving.load_model(tmp_path / "exported" / "generator.keras")
    assert all(type(layer).__module__.startswith("keras.") for layer in model.layers)
    from_keras = keras.ops.convert_to_numpy(model([latent, np.eye(3, dtype=np.float32)[labels]], training=False))
    loaded = tf.saved_model.load(str(tmp_path / "exported" / "saved_model"))
    from_saved_model = loaded.signatures["serving_default"](latent=tf.constant(latent), labels=tf.constant(labels))
    for samples in (from_keras, from_saved_model["samples"].numpy()):
        np.testing.assert_allclose(samples, expected, rtol=RTOL, atol=ATOL)
    other = loaded.serve(latent, (labels + 1) % 3)["samples"].numpy()
    assert np.abs(other - expected).max() > 0.01  # the label input is used
