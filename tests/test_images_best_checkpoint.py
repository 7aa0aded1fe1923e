"""`best_checkpoint.BestKeeper`: best/ holds the generator of the lowest measurement (through restarts), written so
that a kill leaves the previous best whole; `gan-tf sample / export --checkpoint best` draw from it."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import event_tags

from gan_tf import cli, measurements
from gan_tf.images import best_checkpoint, checkpointing, recipes, run_folder, run_generator, training

TINY = ["--data", "digits", "--recipe", "dcgan", "--image-size", "16", "--filters", "4", "--batch-size", "8",
        "--steps-per-epoch", "2", "--every-n-steps", "100", "--no-xla"]


def tiny_gan(ema=0.0):
    config = training.TrainConfig(data="digits", image_size=16, filters=4, latent_dim=8, ema_half_life=ema)
    return recipes.build_gan(config, channels=1)


def swd(value):
    return measurements.Observation({"quality/swd_mean": value}, {}, {})


def new_weights(gan, seed):
    """Give G (and its average) new random weights: the state of the 'model at that time'; returns them."""
    rng = np.random.default_rng(seed)
    for variable in gan.generator.weights + list(gan.average_variables):
        variable.assign(rng.normal(size=variable.shape).astype(np.float32))
    return [np.array(variable) for variable in gan.generator.weights + list(gan.average_variables)]


def restored_weights(run_dir, ema=0.0):
    gan = tiny_gan(ema)
    record = best_checkpoint.restore(tf.train.Checkpoint(**checkpointing.generator_state(gan)), run_dir)
    return record, [np.array(variable) for variable in gan.generator.weights + list(gan.average_variables)]


def assert_same(weights, expected):
    assert len(weights) == len(expected)
    for weight, value in zip(weights, expected):
        np.testing.assert_array_equal(weight, value)


@pytest.mark.parametrize("ema", [0.0, 100.0])
def test_best_holds_the_weights_of_the_lowest_measurement(tmp_path, ema):
    gan = tiny_gan(ema)
    keeper = best_checkpoint.BestKeeper(gan, tmp_path, "swd", steps_per_epoch=4)
    at = {}
    for step, value in ((10, 5.0), (20, 3.0), (30, 4.0)):
        at[step] = new_weights(gan, step)
        keeper.write(step, swd(value))
    record, weights = restored_weights(tmp_path, ema)
    assert record == {"step": 20, "epoch": 5.0, "measure": "swd", "value": 3.0, "checkpoint": "ckpt-2"}
    assert json.loads((tmp_path / "best" / "best.json").read_text()) == record
    assert_same(weights, at[20])  # the model's weights at step 20, not those of the last step
    assert sorted(path.name for path in (tmp_path / "best").iterdir()) == [
        "best.json", "ckpt-2.data-00000-of-00001", "ckpt-2.index"]  # the replaced best is gone


def test_a_restarted_run_keeps_a_better_best_and_replaces_it_only_by_a_lower_value(tmp_path, capsys):
    gan = tiny_gan()
    best_weights = new_weights(gan, 0)
    best_checkpoint.BestKeeper(gan, tmp_path, "swd").write(10, swd(3.0))
    restarted = best_checkpoint.BestKeeper(gan, tmp_path, "swd")  # a rerun after a kill
    assert restarted.best_value == 3.0
    new_weights(gan, 1)
    restarted.write(20, swd(4.0))
    restarted.write(30, swd(float("nan")))  # never a best
    record, weights = restored_weights(tmp_path)
    assert record["step"] == 10 and record["value"] == 3.0
    assert_same(weights, best_weights)
    lower = new_weights(gan, 2)
    restarted.write(40, swd(2.5))
    record, weights = restored_weights(tmp_path)
    assert (record["step"], record["value"], record["checkpoint"]) == (40, 2.5, "ckpt-2")
    assert_same(weights, lower)
    # Another measure: its first evaluation replaces the best (and the run says so when it starts).
    fid = best_checkpoint.BestKeeper(gan, tmp_path, "fid")
    assert fid.best_value is None and "the best was chosen by swd" in capsys.readouterr().out
    fid.write(50, measurements.Observation({"quality/fid": 80.0}, {}, {}))
    assert restored_weights(tmp_path)[0]["measure"] == "fid"


def test_what_a_killed_write_left_is_removed_and_the_named_best_kept(tmp_path):
    gan = tiny_gan()
    kept = new_weights(gan, 0)
    best_checkpoint.BestKeeper(gan, tmp_path, "swd").write(10, swd(3.0))
    # A kill after ckpt-2 was (partly) written, before best.json named it; and a temporary best.json.
    (tmp_path / "best" / "ckpt-2.index").write_bytes(b"partial")
    (tmp_path / "best" / "ckpt-2_temp").mkdir()
    (tmp_path / "best" / ".best.123.tmp.json").write_text("{")
    best_checkpoint.BestKeeper(gan, tmp_path, "swd")
    assert sorted(path.name for path in (tmp_path / "best").iterdir()) == [
        "best.json", "ckpt-1.data-00000-of-00001", "ckpt-1.index"]
    assert_same(restored_weights(tmp_path)[1], kept)


def test_a_missing_or_damaged_best_is_one_clear_error(tmp_path):
    checkpoint = tf.train.Checkpoint(**checkpointing.generator_state(tiny_gan()))
    with pytest.raises(FileNotFoundError, match="holds no best checkpoint"):
        best_checkpoint.restore(checkpoint, tmp_path)
    (tmp_path / "best").mkdir()
    (tmp_path / "best" / "best.json").write_text('{"step": 1}')
    with pytest.raises(run_folder.RunFolderError, match="best.json.*damaged"):
        best_checkpoint.restore(checkpoint, tmp_path)
    (tmp_path / "best" / "best.json").write_text(json.dumps(
        {"step": 1, "epoch": 1, "measure": "swd", "value": 1.0, "checkpoint": "ckpt-1"}))
    with pytest.raises(run_folder.RunFolderError, match="cannot be used: its .index file is missing"):
        best_checkpoint.restore(checkpoint, tmp_path)


@pytest.fixture(scope="module")
def evaluated_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("best") / "run"
    cli.main(["train", *TINY, "--out", str(run), "--epochs", "1", "--eval-every", "1", "--eval-measure", "kid"])
    return run


def logged_values(log_dir, tag):
    """{step: value} of the scalar `tag` in the event files of `log_dir`."""
    values = {}
    for path in log_dir.glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                if value.tag == tag:
                    values[event.step] = float(tf.make_ndarray(value.tensor))
    return values


def test_training_keeps_the_lowest_logged_measurement(evaluated_run):
    # --eval-measure kid on digits: the digits classifier's features, logged as quality/kid at steps 0, 1, 2.
    logs = evaluated_run / "tensorboard" / evaluated_run.name  # TensorBoard's run: the run folder's name
    values = logged_values(logs, "quality/kid")
    assert sorted(values) == event_tags(logs)["quality/kid"] == [0, 1, 2]
    assert len(set(values.values())) == 3  # three measurements of three generators
    record = run_folder.read_best(evaluated_run)
    step = min(values, key=values.get)
    assert (record["step"], record["measure"], record["epoch"]) == (step, "kid", step / 2)
    assert record["value"] == pytest.approx(values[step], rel=1e-6)


def test_sample_and_export_with_checkpoint_best_use_the_best_weights(evaluated_run, tmp_path, capsys):
    latest, _ = run_generator.load_generator(evaluated_run)
    best, _ = run_generator.load_generator(evaluated_run)
    # Make best/ hold weights unlike the latest checkpoint's (a real run's best is often its latest step).
    for source, target in zip(latest.generator.weights, best.generator.weights):
        target.assign(np.array(source) * 0.5)
    record = run_folder.read_best(evaluated_run)
    best_checkpoint.BestKeeper(best, evaluated_run, "kid", verbose=False).save(record["step"], record["value"] - 1)
    images = run_generator.sample(evaluated_run, n=4, out=tmp_path / "grid.png", seed=3, checkpoint="best")
    np.testing.assert_allclose(images, best.generate(4, seed=3), rtol=1e-6, atol=1e-6)
    assert np.abs(images - latest.generate(4, seed=3)).max() > 1e-3
    cli.main(["sample", "--run", str(evaluated_run), "--checkpoint", "best", "--n", "4", "--out",
              str(tmp_path / "cli.png")])
    assert "(best checkpoint)" in capsys.readouterr().out and (tmp_path / "cli.png").is_file()
    cli.main(["export", "--run", str(evaluated_run), "--checkpoint", "best", "--out", str(tmp_path / "exported")])
    exported = keras.saving.load_model(tmp_path / "exported" / "generator.keras")
    latent = best.sample_latent(4, seed=3)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(exported(latent, training=False)), images, rtol=1e-5,
                               atol=1e-6)
    sampling = json.loads((tmp_path / "exported" / "sampling.json").read_text())
    assert sampling["checkpoint"].startswith(f"best: step {record['step']}, kid")


def test_checkpoint_best_without_a_best_is_one_line_error(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"data": "digits"}))
    for command in (["sample", "--run", str(run), "--checkpoint", "best"],
                    ["export", "--run", str(run), "--checkpoint", "best", "--out", str(tmp_path / "out")]):
        with pytest.raises(SystemExit) as stopped:
            cli.main(command)
        error = capsys.readouterr().err
        assert stopped.value.code == 2 and error.count("\n") == 1, error
        assert "--checkpoint best" in error and "no best checkpoint" in error and "--eval-every" in error
