"""`gan-tf train` / `gan-tf sample`: run directory, TensorBoard views, atomic files, resuming, refusals."""

import dataclasses
import json

import conftest
import numpy as np
import PIL.Image
import pytest
import tensorflow as tf
from conftest import event_tags

from gan_tf import cli, plotting
from gan_tf.images import checkpointing, recipes, run_generator, training

TINY = conftest.TINY_TRAIN_FLAGS


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("my_images")
    rng = np.random.default_rng(0)
    for index in range(8):
        PIL.Image.fromarray(rng.integers(0, 256, (24, 20, 3), dtype=np.uint8)).save(folder / f"{index}.png")
    return folder


@pytest.fixture(scope="module")
def trained_run(image_folder, tmp_path_factory):
    """One epoch of `gan-tf train` on the folder; returns (run dir, generator weights after it)."""
    run = tmp_path_factory.mktemp("runs") / "run"
    cli.main(["train", "--data", str(image_folder), "--out", str(run), "--epochs", "1", *TINY])
    generator, _ = run_generator.load_generator(run)
    return run, generator.generator.get_weights()


def test_train_writes_a_complete_run_directory(trained_run, image_folder):
    run, _ = trained_run
    assert json.loads((run / "config.json").read_text())["image_size"] == 16
    assert (run / "samples" / "epoch_001.png").is_file() and (run / "generator.keras").is_file()
    assert "ckpt-1" in (run / "checkpoints" / "checkpoint").read_text()
    assert not list(run.rglob(".*.tmp*"))  # atomic writes leave no temporary file behind
    saved = json.loads((run / "config.json").read_text())
    assert saved["data"] == str(image_folder.resolve()) and saved["channels"] == 3
    image_bytes = sum(path.stat().st_size for path in image_folder.iterdir())
    assert saved["data_fingerprint"] == {"files": 8, "bytes": image_bytes}


def test_tensorboard_has_the_writeup_views(trained_run):
    logs = trained_run[0] / "tensorboard" / trained_run[0].name  # TensorBoard's run: the run folder's name
    tags = event_tags(logs)
    expected = {"loss/d", "loss/g", "D/first_layer_gradients", "G/first_layer_gradients", "D/first_layer_weights",
                "data/real_samples", "data/fixed_noise_samples", "D/output/real_and_fake"}
    assert expected <= set(tags)
    assert tags["loss/d"] == [0, 2, 3]  # a probe at the start, every 2 steps and at the last step
    for side in ("real", "fake"):  # the real and fake versions of a tag, in sibling runs
        assert set(event_tags(logs / side)) == {"loss/d_term", "D/mean_output", "D/output"}


def test_rerunning_resumes_from_the_checkpoint(trained_run, image_folder, capsys):
    run, after_first_epoch = trained_run
    restored, _ = run_generator.load_generator(run)
    for saved, loaded in zip(after_first_epoch, restored.generator.get_weights()):
        np.testing.assert_array_equal(saved, loaded)
    cli.main(["train", "--data", str(image_folder), "--out", str(run), "--epochs", "2", *TINY])
    assert (run / "samples" / "epoch_002.png").is_file()
    checkpoint = tf.train.load_checkpoint(str(run / "checkpoints"))
    iterations = [name for name in checkpoint.get_variable_to_shape_map() if name.startswith("g_optimizer/")
                  and "iterations" in name]
    assert iterations and int(checkpoint.get_tensor(iterations[0])) == 6  # 3 steps per epoch, continued
    assert int(checkpoint.get_tensor("epoch/.ATTRIBUTES/VARIABLE_VALUE")) == 2
    # steps go on after the resume
    assert sorted(event_tags(run / "tensorboard" / run.name)["loss/d"]) == [0, 2, 3, 3, 4, 6]
    cli.main(["train", "--data", str(image_folder), "--out", str(run), "--epochs", "2", *TINY])
    assert "nothing to do" in capsys.readouterr().out


def test_rerunning_with_other_settings_is_refused(trained_run, image_folder):
    with pytest.raises(ValueError, match="other settings.*filters"):
        cli.main(["--debug", "train", "--data", str(image_folder), "--out", str(trained_run[0]), *TINY[:4],
                  "--filters", "8", *TINY[6:]])


def test_a_trailing_slash_or_another_working_directory_resumes_the_same_run(trained_run, image_folder, monkeypatch,
                                                                            capsys):
    run, _ = trained_run
    monkeypatch.chdir(image_folder.parent)
    cli.main(["train", "--data", image_folder.name + "/", "--out", str(run), "--epochs", "1", *TINY])
    assert "nothing to do" in capsys.readouterr().out


def test_data_that_changed_since_the_run_began_is_refused(trained_run, image_folder, tmp_path, capsys):
    import shutil  # noqa: PLC0415

    run = shutil.copytree(trained_run[0], tmp_path / "run")
    folder = shutil.copytree(image_folder, tmp_path / "images")
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "data": str(folder.resolve())}))
    shutil.copy(folder / "0.png", folder / "extra.png")
    with pytest.raises(SystemExit):
        cli.main(["train", "--data", str(folder), "--out", str(run), "--epochs", "1", *TINY])
    assert "data (contents)" in capsys.readouterr().err


def test_sample_draws_a_grid_from_the_run(trained_run, tmp_path):
    out = tmp_path / "grid.png"
    cli.main(["sample", "--run", str(trained_run[0]), "--n", "9", "--out", str(out)])
    assert PIL.Image.open(out).size == (3 * (16 + 2) + 2, 3 * (16 + 2) + 2)  # 3x3 images, 2-pixel padding


def test_sample_works_after_the_training_data_is_gone(image_folder, tmp_path):
    import shutil  # noqa: PLC0415

    folder = shutil.copytree(image_folder, tmp_path / "images")
    cli.main(["train", "--data", str(folder), "--out", str(tmp_path / "run"), "--epochs", "1", *TINY])
    shutil.rmtree(folder)
    cli.main(["sample", "--run", str(tmp_path / "run"), "--n", "4", "--out", str(tmp_path / "grid.png")])
    assert (tmp_path / "grid.png").is_file()


def test_missing_run_and_unknown_data_are_named(tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli.main(["sample", "--run", str(tmp_path / "nowhere")])
    assert "no config.json" in capsys.readouterr().err
    with pytest.raises(FileNotFoundError, match="neither 'digits', an existing folder"):
        cli.main(["--debug", "train", "--data", "no_such_tfds_name", "--out", str(tmp_path / "run"), *TINY])
    assert not (tmp_path / "run").exists()


def test_mixed_precision_flag_and_digits_defaults():
    arguments = cli.build_parser().parse_args(["train", "--data", "digits", "--out", "r", "--mixed-precision"])
    assert arguments.mixed_precision == "float16"
    arguments = cli.build_parser().parse_args(["train", "--data", "d", "--out", "r", "--mixed-precision", "bfloat16"])
    assert arguments.mixed_precision == "bfloat16"


def test_checkpoint_restores_optimizer_slots_seed_state_and_loss_scale(tmp_path):
    config = training.TrainConfig(data="digits", image_size=16, filters=4, latent_dim=8, batch_size=8,
                                  precision="mixed_float16", jit_compile=False)
    with training.dtype_policy("mixed_float16"):
        gan = recipes.build_gan(config, channels=1)
        gan.fit(tf.data.Dataset.from_tensors(np.zeros((8, 16, 16, 1), np.float32)).repeat(3), verbose=0, shuffle=False)
        path = checkpointing.checkpoint_of(gan, tf.Variable(1, dtype=tf.int64)).write(str(tmp_path / "ckpt"))
        fresh = recipes.build_gan(dataclasses.replace(config, seed=1), channels=1)
        checkpointing.checkpoint_of(fresh, tf.Variable(0, dtype=tf.int64)).read(path).assert_consumed()
    for optimizer_name in ("d_optimizer", "g_optimizer"):
        saved, restored = getattr(gan, optimizer_name), getattr(fresh, optimizer_name)
        for a, b in zip(saved.variables, restored.variables):  # iterations, Adam moments, loss scale
            np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert float(restored.dynamic_scale) == float(saved.dynamic_scale)
    np.testing.assert_array_equal(gan.seed_generator.state.numpy(), fresh.seed_generator.state.numpy())
    np.testing.assert_array_equal(gan.generate(4, seed=2), fresh.generate(4, seed=2))


def test_image_probe_changes_nothing_and_unscales_gradients():
    from gan_tf.images import observation  # noqa: PLC0415

    config = training.TrainConfig(data="digits", image_size=16, filters=4, latent_dim=8, jit_compile=False)
    real = tf.constant(np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)), tf.float32)
    latent = tf.constant(np.random.default_rng(1).uniform(-1, 1, (8, 8)), tf.float32)
    gradients = {}
    for precision in ("float32", "mixed_float16"):
        with training.dtype_policy(precision):
            gan = recipes.build_gan(dataclasses.replace(config, precision=precision), channels=1)
            before = [variable.numpy().copy() for variable in gan.generator.variables + gan.discriminator.variables]
            scalars, samples = observation.observe_images(gan, real, latent)
        after = [variable.numpy() for variable in gan.generator.variables + gan.discriminator.variables]
        assert all(np.array_equal(a, b) for a, b in zip(before, after))  # BN moving statistics restored
        gradients[precision] = samples["D/first_layer_gradients"]
        assert scalars["d_loss"] == pytest.approx(scalars["d_loss_real"] + scalars["d_loss_fake"], rel=1e-5)
    assert "loss_scale/d" in scalars and scalars["loss_scale/d"] == 2.0 ** 15
    # Same initial weights (same seed); float16 activations: gradients agree to ~1% of their scale.
    scale = np.abs(gradients["float32"]).max()
    np.testing.assert_allclose(gradients["mixed_float16"], gradients["float32"], atol=0.02 * scale)


def test_images_to_grid_layout_and_range():
    from gan_tf import plotting  # noqa: PLC0415

    images = np.stack([np.full((4, 4, 1), value) for value in (-1.0, 0.0, 1.0)])
    grid = plotting.images_to_grid(images, columns=2, padding=1)
    assert grid.shape == (2 * 5 + 1, 2 * 5 + 1, 1) and grid.dtype == np.uint8
    assert grid[1, 1, 0] == 0 and grid[1, 6, 0] == 128 and grid[6, 1, 0] == 255 and grid[6, 6, 0] == 255
    with pytest.raises(ValueError, match=r"in \[-1, 1\]"):
        plotting.images_to_grid(images * 1.5)


# ---- class-conditional runs (--conditional) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory):
    """Two classes of 4 images each: "dark" (grey levels 0-99) and "light" (156-255)."""
    folder = tmp_path_factory.mktemp("classes")
    rng = np.random.default_rng(1)
    for name, low in (("light", 156), ("dark", 0)):
        (folder / name).mkdir()
        for index in range(4):
            pixels = rng.integers(low, low + 100, (16, 16, 3), dtype=np.uint8)
            PIL.Image.fromarray(pixels).save(folder / name / f"{index}.png")
    return folder


@pytest.fixture(scope="module")
def conditional_run(class_folder, tmp_path_factory):
    run = tmp_path_factory.mktemp("runs") / "conditional"
    cli.main(["train", "--data", str(class_folder), "--out", str(run), "--epochs", "1", "--conditional", *TINY])
    return run


def test_a_conditional_run_saves_its_sorted_class_names_and_views(conditional_run):
    saved = json.loads((conditional_run / "config.json").read_text())
    assert saved["conditional"] is True and saved["class_names"] == ["dark", "light"]
    gan, config = run_generator.load_generator(conditional_run)
    assert config.conditional and gan.num_classes == 2
    tags = event_tags(conditional_run / "tensorboard" / conditional_run.name)
    assert {"loss/d", "data/real_samples", "data/fixed_noise_samples", "G/first_layer_gradients"} <= set(tags)


def test_sample_class_draws_the_generator_of_that_label(conditional_run, tmp_path):
    gan, _ = run_generator.load_generator(conditional_run)
    cli.main(["sample", "--run", str(conditional_run), "--n", "4", "--out", str(tmp_path / "light.png"),
              "--class", "light"])
    expected = gan.generate(4, labels=1, seed=0)
    plotting.save_image_grid(expected, tmp_path / "expected.png")
    np.testing.assert_array_equal(np.asarray(PIL.Image.open(tmp_path / "light.png")),
                                  np.asarray(PIL.Image.open(tmp_path / "expected.png")))
    # the other class differs (one epoch of a tiny G: outputs of order 1e-4, so relative to them)
    assert np.abs(expected - gan.generate(4, labels=0, seed=0)).max() > 0.1 * np.abs(expected).max()
    both = run_generator.sample(conditional_run, 4, tmp_path / "both.png", classes=["light", "dark"])
    np.testing.assert_array_equal(both, gan.generate(4, labels=[1, 0, 1, 0], seed=0))


def test_an_unknown_class_or_a_class_of_an_unconditional_run_is_one_line(conditional_run, trained_run, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["sample", "--run", str(conditional_run), "--class", "grey"])
    assert stop.value.code == 2
    assert capsys.readouterr().err == "gan-tf: error: --class 'grey': expected one of ['dark', 'light'].\n"
    with pytest.raises(SystemExit):
        cli.main(["sample", "--run", str(trained_run[0]), "--class", "dark"])
    assert "is not conditional" in capsys.readouterr().err


def test_a_conditional_rerun_on_changed_classes_is_refused_naming_them(class_folder, conditional_run, tmp_path,
                                                                        capsys):
    import shutil  # noqa: PLC0415

    run = shutil.copytree(conditional_run, tmp_path / "run")
    folder = shutil.copytree(class_folder, tmp_path / "data")
    saved = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**saved, "data": str(folder)}))
    (folder / "light").rename(folder / "bright")  # same files and bytes: only the class names changed
    with pytest.raises(SystemExit):
        cli.main(["train", "--data", str(folder), "--out", str(run), "--epochs", "2", "--conditional", *TINY])
    assert "'data (classes)': (['dark', 'light'], ['bright', 'dark'])" in capsys.readouterr().err


def test_a_folder_mixing_images_and_classes_is_one_line(class_folder, tmp_path, capsys):
    import shutil  # noqa: PLC0415

    folder = shutil.copytree(class_folder, tmp_path / "data")
    shutil.copy(folder / "dark" / "0.png", folder / "stray.png")
    with pytest.raises(SystemExit):
        cli.main(["train", "--data", str(folder), "--out", str(tmp_path / "run"), "--conditional", *TINY])
    message = capsys.readouterr().err
    assert "mixes image files (1, e.g. ['stray.png']) with class subfolders ['dark', 'light']" in message
    assert not (tmp_path / "run").exists()
