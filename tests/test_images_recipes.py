"""`gan-tf train --recipe` and the flags of its pieces: recorded in config.json, resumable, refused when a rerun
would change them, the generator average in sampling, export and TensorBoard, ADA's p logged."""

import dataclasses
import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import event_tags

from gan_tf import cli, cpu_path, models
from gan_tf.images import checkpointing, choices, datasets, quality, recipes, run_config, run_generator, training

TINY = ["--data", "digits", "--image-size", "16", "--filters", "4", "--batch-size", "8", "--steps-per-epoch", "2",
        "--every-n-steps", "1", "--no-xla"]


def saved_settings(run):
    return json.loads((run / "config.json").read_text())


def g_iterations(run):
    reader = tf.train.load_checkpoint(str(run / "checkpoints"))
    name = next(name for name in reader.get_variable_to_shape_map()
                if name.startswith("g_optimizer/") and "iterations" in name)
    return int(reader.get_tensor(name))


@pytest.fixture(scope="module")
def modern_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("recipes") / "modern"
    cli.main(["train", *TINY, "--out", str(run), "--recipe", "modern", "--epochs", "1", "--eval-every", "2"])
    return run


def test_the_modern_recipe_is_recorded_and_builds_its_gan(modern_run):
    saved = saved_settings(modern_run)
    # "native": the digits' own 8x8 (G's images through 8x8, as the loader's enlarged digits)
    assert {name: saved[name] for name in recipes.RECIPES["modern"]} == {**recipes.RECIPES["modern"],
                                                                          "generator_resolution": 8}
    gan, config = run_generator.load_generator(modern_run)
    assert type(gan) is models.AugmentedConditionalGAN and gan.loss_name == "hinge" and gan.ema_half_life == 10_000
    assert gan.ada_target == recipes.ADA_TARGET and gan.num_classes == 20  # ADA; 20 k-means classes, no labels
    assert len(json.loads((modern_run / "clusters.json").read_text())["labels"]) == len(datasets.digits_arrays()[0])
    assert gan.generator.layers[-1].name == "low_resolution"
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(6e-4)


def test_the_residual_networks_are_a_flag_away(tmp_path):
    run = tmp_path / "run"
    cli.main(["train", *TINY, "--out", str(run), "--epochs", "1", "--recipe", "modern", "--architecture", "residual",
              "--spectral-norm", "--pseudo-classes", "0", "--augment", "diffaugment", "--beta-1", "0"])
    gan, _ = run_generator.load_generator(run)
    assert type(gan) is models.AugmentedGAN and gan.probability == 1.0 and gan.ada_target is None  # DiffAugment
    assert any(isinstance(layer, keras.layers.SpectralNormalization) for layer in gan.discriminator.layers)
    assert gan.generator.name == "residual_generator_16" and gan.generator.layers[-1].name == "low_resolution"


def test_sample_and_export_use_the_generator_average(modern_run, tmp_path):
    reader = tf.train.load_checkpoint(str(modern_run / "checkpoints"))
    gan, _ = run_generator.load_generator(modern_run)
    averaged = [reader.get_tensor(f"generator_average/{index}/.ATTRIBUTES/VARIABLE_VALUE")
                for index in range(len(gan.average_variables))]
    for variable, value in zip(gan.average_variables, averaged):  # restored from the checkpoint
        np.testing.assert_array_equal(variable.numpy(), value)
    assert not all(np.array_equal(value, weight) for value, weight in zip(averaged, gan.generator.trainable_weights))
    out = tmp_path / "grid.png"
    images = run_generator.sample(modern_run, n=4, out=out, seed=3)  # clusters drawn by their shares, seeded
    np.testing.assert_array_equal(images, gan.generate(4, seed=3, average=True))
    # Two steps into the ramp (half-life 5% of the images seen) the average trails G by ~1e-6: not the same samples.
    assert not np.array_equal(images, gan.generate(4, seed=3, average=False))
    cli.main(["export", "--run", str(modern_run), "--out", str(tmp_path / "exported")])
    exported = keras.saving.load_model(tmp_path / "exported" / "generator.keras")
    latent, labels = keras.ops.convert_to_numpy(gan.sample_latent(4, seed=3)), np.array([0, 5, 19, 5])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(exported([latent, np.eye(20, dtype=np.float32)[labels]],
                                                                   training=False)),
                               gan.generate(4, labels=labels, seed=3, average=True), rtol=1e-5, atol=1e-6)
    assert "average" in json.loads((tmp_path / "exported" / "sampling.json").read_text())["weights"]


def test_tensorboard_shows_both_grids_and_the_augmentation_probability(modern_run):
    tags = event_tags(modern_run / "tensorboard" / modern_run.name)
    assert {"data/fixed_noise_samples", "data/fixed_noise_samples/average", "augment/probability"} <= set(tags)
    assert tags["data/fixed_noise_samples/average"] == tags["data/fixed_noise_samples"] == [0, 1, 2]
    assert tags["quality/swd_mean"] == tags["quality/swd_level_16"] == [0, 2]  # --eval-every 2


def test_sample_quality_is_zero_for_the_real_images_and_positive_for_samples():
    from gan_tf.images import observation  # noqa: PLC0415

    real = np.random.default_rng(0).uniform(-1, 1, (40, 16, 16, 1)).astype(np.float32)
    data = tf.data.Dataset.from_tensor_slices(real).batch(16)

    class Copier:  # a "model" whose samples are the real images: distance exactly 0
        def generate(self, n, seed):
            return real[:n]

    quality = observation.SampleQuality(data, count=32)
    assert quality.measure(Copier()).scalars == {"quality/swd_level_16": 0.0, "quality/swd_mean": 0.0}
    assert len(quality.real) == 32
    gan = recipes.build_gan(training.TrainConfig(data="digits", image_size=16, filters=4, latent_dim=8), channels=1)
    assert quality.measure(gan).scalars["quality/swd_mean"] > 1.0


def test_a_recipe_never_changes_a_resumed_run(modern_run, tmp_path, capsys):
    # Without --recipe a rerun keeps its run's recipe settings (whatever the default recipe is) and resumes.
    cli.main(["train", *TINY, "--out", str(modern_run), "--epochs", "2"])  # and --eval-every may change
    assert "resuming from" in capsys.readouterr().out and g_iterations(modern_run) == 4
    dcgan_run = tmp_path / "dcgan"
    cli.main(["train", *TINY, "--out", str(dcgan_run), "--epochs", "1", "--recipe", "dcgan"])
    cli.main(["train", *TINY, "--out", str(dcgan_run), "--epochs", "2"])  # not the default recipe's settings
    assert "resuming from" in capsys.readouterr().out and g_iterations(dcgan_run) == 4
    with pytest.raises(SystemExit) as stopped:
        cli.main(["train", *TINY, "--out", str(dcgan_run), "--epochs", "3", "--recipe", "modern"])
    error = capsys.readouterr().err
    assert stopped.value.code == 2 and error.count("\n") == 1 and error.startswith("gan-tf: error: ")
    for name in ("loss", "learning_rate", "ema_half_life", "augment", "pseudo_classes", "generator_resolution"):
        assert f"'{name}'" in error, (name, error)
    assert g_iterations(dcgan_run) == 4  # nothing trained
    cli.main(["train", *TINY, "--out", str(dcgan_run), "--epochs", "3", "--recipe", "dcgan"])
    assert g_iterations(dcgan_run) == 6


def test_a_new_run_without_a_recipe_is_the_default_recipe(tmp_path):
    run = tmp_path / "run"
    cli.main(["train", *TINY, "--out", str(run), "--epochs", "1"])
    fitted, _ = choices.fit_to_data({**choices.RECIPES[choices.DEFAULT_RECIPE], "image_size": 16}, "digits")
    assert {name: saved_settings(run)[name] for name in fitted} == fitted


@pytest.mark.parametrize("flags, settings, model_class", [
    (["--ema", "50"], {"ema_half_life": 50.0}, models.GAN),
    (["--augment", "ada"], {"augment": "ada"}, models.AugmentedGAN),
    (["--loss", "least_squares"], {"loss": "least_squares"}, models.GAN),
    (["--r1", "0.5", "--r1-every", "2", "--augment", "diffaugment"], {"r1_gamma": 0.5, "r1_every": 2},
     recipes.AugmentedR1GAN),
    (["--architecture", "residual", "--spectral-norm"], {"architecture": "residual", "spectral_norm": True},
     models.GAN),
    (["--recipe", "modern", "--pseudo-classes", "0", "--ema", "0"], {"pseudo_classes": 0, "ema_half_life": 0.0},
     models.AugmentedGAN),
    (["--generator-resolution", "8", "--ema", "50"], {"generator_resolution": 8}, models.GAN),
])
def test_each_flag_is_recorded_and_resumable(tmp_path, flags, settings, model_class):
    run = tmp_path / "run"
    cli.main(["train", *TINY, "--out", str(run), "--epochs", "1", "--recipe", "dcgan", *flags])
    assert {name: saved_settings(run)[name] for name in settings} == settings
    cli.main(["train", *TINY, "--out", str(run), "--epochs", "2", *flags])  # the recipe is the run's
    assert g_iterations(run) == 4
    gan, _ = run_generator.load_generator(run)
    averaged = saved_settings(run)["ema_half_life"] > 0
    assert type(gan) is model_class and (gan.generator_average is not None) == averaged
    through = saved_settings(run)["generator_resolution"] > 0  # G ends in low_resolution.generator_through's layers
    assert (gan.generator.layers[-1].name == "low_resolution") == through


def test_ada_state_and_the_average_are_checkpointed_and_restored(tmp_path):
    config = training.TrainConfig(data="digits", image_size=16, filters=4, latent_dim=8, batch_size=8,
                                  augment="ada", ema_half_life=20.0, jit_compile=False)
    gan = recipes.build_gan(config, channels=1)
    gan.augment_probability.assign(0.25)
    gan.overfitting_sum.assign(3.0)
    gan.average_variables[0].assign(tf.ones_like(gan.average_variables[0]))
    path = checkpointing.checkpoint_of(gan, tf.Variable(1, dtype=tf.int64)).write(str(tmp_path / "ckpt"))
    fresh = recipes.build_gan(config, channels=1)
    checkpointing.checkpoint_of(fresh, tf.Variable(0, dtype=tf.int64)).read(path).assert_consumed()
    assert float(fresh.augment_probability.numpy()) == 0.25 and float(fresh.overfitting_sum.numpy()) == 3.0
    np.testing.assert_array_equal(fresh.average_variables[0].numpy(), 1.0)


@pytest.mark.parametrize("setting, value, message", [
    ("spectral_norm", True, r"spectral_norm \(--spectral-norm\) is for architecture 'residual'"),
    ("feature_matching", 0.1, r"feature_matching \(--feature-matching\) works with the DCGANs alone"),
    ("loss", "hinged", r"loss \(--loss\) must be one of"),
    ("augment", "flip", r"augment \(--augment\) must be one of"),
    ("r1_gamma", -1.0, r"r1_gamma \(--r1\) must be a finite number >= 0"),
    ("ema_half_life", float("nan"), r"ema_half_life \(--ema\) must be a finite number >= 0"),
    ("r1_every", 0, r"r1_every \(--r1-every\) must be a positive integer"),
    ("generator_resolution", 64, r"generator_resolution \(--generator-resolution\) must divide image_size"),
    ("generator_resolution", -8, r"generator_resolution \(--generator-resolution\) must be a non-negative integer"),
])
def test_bad_settings_are_refused_naming_the_flag(setting, value, message):
    options = {"augment": "ada"} if setting == "feature_matching" else {}
    with pytest.raises(ValueError, match=message):
        training.TrainConfig(data="digits", **options, **{setting: value})


def test_spectral_norm_without_the_residual_architecture_is_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["train", *TINY, "--out", str(tmp_path / "run"), "--spectral-norm"])
    error = capsys.readouterr().err
    assert stopped.value.code == 2 and error.startswith("gan-tf: error: spectral_norm (--spectral-norm)")
    assert not (tmp_path / "run").exists()


def test_older_config_files_migrate_to_the_first_runs_settings():
    old = {"data": "digits", "architecture": "radford", "data_fingerprint": None, "channels": 1}
    migrated = run_config.migrate(old)
    defaults = training.TrainConfig(data="digits")
    assert {name: migrated[name] for name in run_config.ADDED_SETTINGS} == {
        name: getattr(defaults, name) for name in run_config.ADDED_SETTINGS}
    assert run_config.differences(migrated, {**migrated, "loss": "hinge"}) == {"loss": ("non_saturating", "hinge")}


# ---- class-conditional runs (--conditional) ----------------------------------------------------------------


def test_conditional_settings_are_refused_with_the_variants_it_does_not_combine_with():
    refused = {"--r1": {"r1_gamma": 1.0},
               "--feature-matching": {"feature_matching": 0.1}, "--gradient-penalty": {"gradient_penalty": 10.0},
               "--instance-noise": {"instance_noise": 0.1}, "--packing": {"packing": 2}}
    for flag, options in refused.items():
        with pytest.raises(ValueError, match=f"--conditional and {flag}"):
            training.TrainConfig(data="digits", conditional=True, **options)
        training.TrainConfig(data="digits", **options)  # accepted without --conditional


def test_a_conditional_gan_keeps_float32_heads_under_mixed_precision():
    config = training.TrainConfig(data="digits", image_size=16, filters=4, latent_dim=8, conditional=True,
                                  precision="mixed_float16", jit_compile=False)
    with training.dtype_policy("mixed_float16"):
        gan = recipes.build_gan(config, channels=1, num_classes=3)
    latent, labels = tf.zeros((2, 8)), tf.one_hot([0, 2], 3)
    images = gan.generator([latent, labels])
    assert type(gan) is models.ConditionalGAN and images.dtype == tf.float32
    assert gan.discriminator([images, labels]).dtype == tf.float32


@pytest.mark.parametrize(("augment", "probability", "ada_target"), [("diffaugment", 1.0, None), ("ada", 0.0, 0.6)])
def test_a_conditional_run_with_augmentation_builds_the_conditional_augmented_gan(augment, probability, ada_target):
    for classes in ({"conditional": True}, {"pseudo_classes": 3}):
        config = training.TrainConfig(data="digits", image_size=16, filters=4, latent_dim=8, augment=augment,
                                      jit_compile=False, **classes)
        gan = recipes.build_gan(config, channels=1, num_classes=3, class_shares=[0.5, 0.25, 0.25])
        assert type(gan) is models.AugmentedConditionalGAN and gan.num_classes == 3
        assert (gan.probability, gan.ada_target) == (probability, ada_target)
        assert gan.class_shares.tolist() == [0.5, 0.25, 0.25]


def test_a_conditional_run_resumes_from_its_checkpoint(tmp_path, capsys):
    run = tmp_path / "run"
    cli.main(["train", *TINY, "--out", str(run), "--epochs", "1", "--conditional"])  # the default recipe, modern
    assert "k-means classes are off (--pseudo-classes 0): --conditional and --pseudo-classes" in capsys.readouterr().out
    assert saved_settings(run)["class_names"] == [str(digit) for digit in range(10)]
    assert (saved_settings(run)["pseudo_classes"], saved_settings(run)["augment"]) == (0, "ada")
    cli.main(["train", *TINY, "--out", str(run), "--epochs", "2", "--conditional"])
    assert g_iterations(run) == 4
    gan, _ = run_generator.load_generator(run)
    assert type(gan) is models.AugmentedConditionalGAN and gan.num_classes == 10


# How often the digits classifier (`quality.train_digits_classifier`, 16x16 inputs) reads the asked class in 500
# samples (50 per class) of a conditional DCGAN (16x16, filters 32, z of 32, batch 64, Adam 2e-4 / 0.5) trained on
# digits, measured over 3 seeds on 2 shared CPU cores (load ~10):
#   steps     1000               1500               2000               2500
#   seed 0    0.48               0.75               0.99               -     (3000: 0.99)
#   seed 1    0.47               0.87               0.99               0.99
#   seed 2    0.45               0.77               0.98               0.99
# A generator that ignored the label would agree 0.10 (chance). 2000 steps take ~150 s there (hence `slow`); the
# threshold 0.9 leaves 0.08 below the lowest seed. The fast tests check the plumbing: tests/test_conditional_networks.py
# (the label changes G's output, D adds the class projection), test_images_image_files.py (each subfolder's files get
# its label), test_cli_train.py (`sample --class` draws G with that label).
CONDITIONAL_STEPS, CONDITIONAL_AGREEMENT = 2000, 0.9


@pytest.mark.slow
def test_conditional_samples_follow_the_class():
    config = training.TrainConfig(data="digits", image_size=16, batch_size=64, filters=32, latent_dim=32,
                                  conditional=True)
    gan = recipes.build_gan(config, channels=1, num_classes=10)
    data = datasets.digits(16, 64, seed=0, labels=True).repeat()
    gan.fit(data, steps_per_epoch=CONDITIONAL_STEPS, epochs=1, verbose=0)
    labels = np.arange(500) % 10
    images = gan.generate(500, labels=labels, seed=1)
    classifier = quality.train_digits_classifier(image_size=16)
    agreement = np.mean(classifier.predict(quality.to_digit_inputs(images)) == labels)
    assert agreement >= CONDITIONAL_AGREEMENT, agreement


def test_xla_is_chosen_for_the_machine_unless_asked_and_a_rerun_may_change_it():
    config = training.TrainConfig(data="digits")
    assert config.jit_compile is None and not tf.config.list_physical_devices("GPU")  # the tests run on CPU
    onednn = cpu_path.in_effect().onednn
    assert recipes.jit_compile_of(config) is (not onednn)  # XLA does not use oneDNN's kernels
    assert recipes.jit_compile_of(dataclasses.replace(config, jit_compile=True)) is True
    assert recipes.jit_compile_of(dataclasses.replace(config, jit_compile=False)) is False
    saved = dataclasses.asdict(dataclasses.replace(config, jit_compile=True))
    assert run_config.differences(saved, {**saved, "jit_compile": False}) == {}


@pytest.mark.parametrize("data, explicit, resolution, clusters, note", [
    ("digits", {}, 8, 20, None),
    ("digits", {"image_size": 8}, 0, 20, None),  # 8x8 images are the digits' own: nothing to pass through
    ("folder", {}, 0, 20, None),  # 200 image files: 10 a cluster
    ("folder", {"pseudo_classes": 20}, 0, 20, None),
    ("small", {}, 0, 0, "they need at least 10 images a cluster (200), and 'small' has 199 image files."),
    ("small", {"pseudo_classes": 20}, 0, 20, None),  # (refused or not by k-means, with the images' count)
    ("celeb_a", {}, 0, 0, "they need 'digits' or an image folder, not TFDS data."),
    ("digits", {"conditional": True}, 8, 0, "--conditional and --pseudo-classes do not combine"),
    ("folder", {"r1_gamma": 1.0}, 0, 0, "--pseudo-classes and --r1 do not combine"),
    ("digits", {"pseudo_classes": 5}, 8, 5, None),  # an explicit flag is the user's: kept
    ("celeb_a", {"pseudo_classes": 5}, 0, 5, None),  # (and refused later, naming the data)
])
def test_the_modern_recipe_fits_what_the_data_allows(tmp_path, monkeypatch, data, explicit, resolution, clusters,
                                                    note):
    monkeypatch.chdir(tmp_path)
    for folder, count in (("folder", 200), ("small", 199)):  # names are enough: counted, not read
        (tmp_path / folder / "sub").mkdir(parents=True)
        for index in range(count):
            (tmp_path / folder / ("sub" if index % 2 else "") / f"{index}.png").touch()
        (tmp_path / folder / "notes.txt").touch()
    settings = {"image_size": 32, **choices.RECIPES["modern"], **explicit}
    fitted, notes = choices.fit_to_data(settings, data, explicit=set(explicit))
    assert (fitted["generator_resolution"], fitted["pseudo_classes"]) == (resolution, clusters)
    assert len(notes) == (note is not None)  # one line, saying what is off and why
    assert not notes or notes[0].startswith(f"The recipe's 20 k-means classes are off (--pseudo-classes 0): {note}")
    others = set(settings) - {"generator_resolution", "pseudo_classes"}
    assert {name: fitted[name] for name in others} == {name: settings[name] for name in others}
