"""Reliability of `gan-tf train`: exact resume after SIGKILL, half-written checkpoints, non-finite losses."""

import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import REPOSITORY

from gan_tf import callbacks
from gan_tf.images import training

COMMAND = [sys.executable, "-m", "gan_tf.cli", "train", "--data", "digits", "--image-size", "16", "--filters", "4",
           "--batch-size", "8", "--steps-per-epoch", "3", "--every-n-steps", "100", "--no-xla", "--deterministic",
           "--epochs", "8"]
TINY = dict(data="digits", image_size=16, filters=4, latent_dim=8, batch_size=8, steps_per_epoch=3,
            every_n_steps=100, jit_compile=False)


def run_command(out, extra=()):
    environment = dict(os.environ, PYTHONPATH=str(REPOSITORY), TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.Popen([*COMMAND, "--out", str(out), *extra], env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def checkpoint_values(run_dir):
    reader = tf.train.load_checkpoint(str(run_dir / "checkpoints"))
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


def kill_and_resume(root, extra=()):
    """(uninterrupted run, run killed after its second checkpoint and rerun), both of `COMMAND` + `extra`."""
    uninterrupted = run_command(root / "uninterrupted", extra)
    interrupted = run_command(root / "resumed", extra)
    index = root / "resumed" / "checkpoints" / "checkpoint"
    while not (index.is_file() and "ckpt-2" in index.read_text()):
        assert interrupted.poll() is None, interrupted.stdout.read()
        time.sleep(0.02)
    still_running = interrupted.poll() is None
    interrupted.send_signal(signal.SIGKILL)
    interrupted.wait()
    assert still_running, "the run ended before it could be killed: give it more epochs"
    resumed = run_command(root / "resumed", extra)
    outputs = [process.communicate(timeout=600)[0] for process in (uninterrupted, resumed)]
    assert uninterrupted.returncode == 0 and resumed.returncode == 0, outputs
    assert "resuming from" in outputs[1]
    return root / "uninterrupted", root / "resumed"


@pytest.fixture(scope="module")
def uninterrupted_and_resumed(tmp_path_factory):
    return kill_and_resume(tmp_path_factory.mktemp("resume"))


def test_a_run_killed_and_rerun_matches_an_uninterrupted_one_exactly(uninterrupted_and_resumed):
    expected, resumed = (checkpoint_values(run) for run in uninterrupted_and_resumed)
    assert expected.keys() == resumed.keys()
    assert int(resumed["epoch/.ATTRIBUTES/VARIABLE_VALUE"]) == 8
    assert any(name.startswith("seed_state") for name in expected)  # the random state is part of the match
    for name, value in expected.items():
        np.testing.assert_array_equal(resumed[name], value, err_msg=name)


def test_a_killed_run_with_the_generator_average_ada_and_r1_resumes_exactly(tmp_path):
    # The average, ADA's p, its running sums and D-step count, and R1's schedule (D's iterations) are all restored.
    runs = kill_and_resume(tmp_path, ["--ema", "40", "--augment", "ada", "--r1", "1", "--r1-every", "2"])
    expected, resumed = (checkpoint_values(run) for run in runs)
    assert expected.keys() == resumed.keys()
    assert {"generator_average", "augmentation"} <= {name.split("/")[0] for name in expected}
    for name, value in expected.items():
        np.testing.assert_array_equal(resumed[name], value, err_msg=name)


def test_a_half_written_checkpoint_is_never_loaded(uninterrupted_and_resumed):
    run = uninterrupted_and_resumed[0]
    # What a kill in the middle of saving checkpoint 9 can leave: files that the checkpoint list does not name.
    (run / "checkpoints" / "ckpt-9.index").write_bytes(b"\x00garbage")
    (run / "checkpoints" / "ckpt-9.data-00000-of-00001").write_bytes(b"")
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith("ckpt-8")
    process = run_command(run, extra=["--epochs", "9"])
    output = process.communicate(timeout=600)[0]
    assert process.returncode == 0 and "ckpt-8 (epoch 8)" in output, output
    assert int(checkpoint_values(run)["epoch/.ATTRIBUTES/VARIABLE_VALUE"]) == 9


class PoisonDiscriminator(keras.callbacks.Callback):
    """Sets D's first kernel to NaN before training step `step` (counted from 1 over the whole run)."""

    def __init__(self, step):
        super().__init__()
        self.step, self.seen = step, 0

    def on_train_batch_begin(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.step:
            kernel = self.model.discriminator.layers[1].kernel
            kernel.assign(tf.fill(kernel.shape, float("nan")))


def test_a_non_finite_loss_stops_training_naming_the_step_and_keeps_the_last_good_checkpoint(tmp_path):
    config = training.TrainConfig(**TINY, epochs=3)
    with pytest.raises(callbacks.NonFiniteLossError, match="step 5 "):
        training.train(config, tmp_path, verbose=0, extra_callbacks=[PoisonDiscriminator(step=5)])
    assert tf.train.latest_checkpoint(str(tmp_path / "checkpoints")).endswith("ckpt-1")
    assert all(np.isfinite(value).all() for value in checkpoint_values(tmp_path).values()
               if np.issubdtype(np.asarray(value).dtype, np.floating))


class StartLossScale(keras.callbacks.Callback):
    """Starts both loss scales at `scale`: float16 gradients overflow until the scale has been halved enough."""

    def __init__(self, scale):
        super().__init__()
        self.scale = scale

    def on_train_begin(self, logs=None):
        for optimizer in (self.model.d_optimizer, self.model.g_optimizer):
            optimizer.dynamic_scale.assign(self.scale)


def test_mixed_precision_skips_and_counts_non_finite_steps(tmp_path):
    config = training.TrainConfig(**TINY, epochs=4, precision="mixed_float16")
    gan = training.train(config, tmp_path, verbose=0, extra_callbacks=[StartLossScale(2.0 ** 40)])
    history = gan.history.history
    for player in ("d", "g"):
        skipped = history[f"{player}_skipped_updates"][-1]
        optimizer = getattr(gan, f"{player}_optimizer")
        assert skipped > 0 and int(optimizer.iterations.numpy()) == 4 * 3 - skipped
        # Each skipped update halves the scale (no growth within 2,000 finite steps).
        assert float(optimizer.dynamic_scale.numpy()) == 2.0 ** 40 / 2.0 ** skipped
    assert all(np.isfinite(weight).all() for weight in gan.generator.get_weights())


def test_mixed_precision_stops_after_too_many_consecutive_skipped_steps(tmp_path, monkeypatch):
    monkeypatch.setattr(callbacks, "MAX_CONSECUTIVE_SKIPPED_STEPS", 3)
    config = training.TrainConfig(**TINY, epochs=3, precision="mixed_float16")
    with pytest.raises(callbacks.NonFiniteLossError, match="4 consecutive steps after step 0 "):
        training.train(config, tmp_path, verbose=0, extra_callbacks=[StartLossScale(2.0 ** 100)])


def test_a_run_does_not_depend_on_the_global_seed_set_before_it(tmp_path):
    # The data's shuffle seeds combine with TF's global seed: train() sets it from config.seed before making the
    # data, so whatever a caller set before (another run, a test, a notebook) the batches and weights are the same.
    config = training.TrainConfig(**TINY, epochs=1, deterministic=True)
    values = []
    for index, earlier_seed in enumerate((123, 7)):
        keras.utils.set_random_seed(earlier_seed)
        training.train(config, tmp_path / f"run_{index}", verbose=0)
        values.append(checkpoint_values(tmp_path / f"run_{index}"))
    names = set(values[0]) - {"_CHECKPOINTABLE_OBJECT_GRAPH"}  # holds object names (adam, adam_1, ...), not values
    assert names == set(values[1]) - {"_CHECKPOINTABLE_OBJECT_GRAPH"} and len(names) > 20
    for name in names:
        np.testing.assert_array_equal(values[0][name], values[1][name], err_msg=name)
