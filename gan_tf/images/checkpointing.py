"""Training state that survives a kill, and a stop before a non-finite loss spoils it.

Atomic files: a checkpoint is written by `tf.train.CheckpointManager`, whose data and index files are written
under temporary names and renamed once complete, and whose list of checkpoints (`checkpoints/checkpoint`) is
rewritten atomically afterwards. A process killed while saving leaves at worst unlisted files behind: the
listed latest checkpoint is the previous, complete one, and that is the one a rerun restores. Our own files
(`atomic_write`) are written to a temporary name and renamed.

Non-finite losses (`NonFiniteGuard`): in float32 a NaN or infinite loss raises `NonFiniteLossError` naming the
step, before the epoch's checkpoint is written, so the last checkpoint is the last good state. Under loss
scaling (`mixed_float16`) a step whose gradients are not finite is skipped by `LossScaleOptimizer` (which
halves its scale) and counted here; only a long run of skipped steps stops training.
"""

import os
import pathlib

import keras
import numpy as np
import tensorflow as tf

from gan_tf import plotting

MAX_CONSECUTIVE_SKIPPED_STEPS = 100  # a loss scale of 2**15 needs at most ~30 halvings to fit any gradient


class NonFiniteLossError(FloatingPointError):
    """A training loss became NaN or infinite."""


def checkpoint_of(gan, epoch):
    """Everything a resumed run needs (the SeedGenerator is not trackable: its state variable is)."""
    return tf.train.Checkpoint(generator=gan.generator, discriminator=gan.discriminator,
                               d_optimizer=gan.d_optimizer, g_optimizer=gan.g_optimizer,
                               seed_state=gan.seed_generator.state, epoch=epoch)


def atomic_write(path, write, suffix=""):
    """`write(temporary_path)` then rename onto `path`: readers never see a half-written file (the temporary
    name holds the process id: the workers of a multi-worker run write the same config.json)."""
    path = pathlib.Path(path)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp{suffix or path.suffix}")
    write(temporary)
    os.replace(temporary, path)


class CheckpointSaver(keras.callbacks.Callback):
    """After each epoch: the checkpoint, and with `write_files` the fixed-noise grid samples/epoch_NNN.png and
    generator.keras (a multi-worker run's non-chief workers save only their scratch checkpoint)."""

    def __init__(self, manager, epoch, run_dir, seed=0, grid_size=64, write_files=True):
        super().__init__()
        self.manager, self.epoch, self.run_dir = manager, epoch, pathlib.Path(run_dir)
        self.seed, self.grid_size, self.write_files = seed, grid_size, write_files

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.assign(epoch + 1)
        self.manager.save(checkpoint_number=epoch + 1)
        if not self.write_files:
            return
        (self.run_dir / "samples").mkdir(exist_ok=True)
        images = self.model.generate(self.grid_size, seed=self.seed)
        atomic_write(self.run_dir / "samples" / f"epoch_{epoch + 1:03d}.png",
                     lambda path: plotting.save_image_grid(images, path))
        atomic_write(self.run_dir / "generator.keras", self.model.generator.save, suffix=".keras")


class NonFiniteGuard(keras.callbacks.Callback):
    """Stops on a non-finite loss (float32) or counts the steps a LossScaleOptimizer skipped (mixed_float16).

    Put it before the checkpoint saver. With `steps_per_execution` k > 1, the step named is the last of the
    k executed together. Skipped updates are added to each epoch's logs as `d_skipped_updates` and
    `g_skipped_updates` (expected updates minus the optimizer's `iterations`).
    """

    def __init__(self, steps_per_epoch, d_steps=1, g_steps=1):
        super().__init__()
        self.steps_per_epoch, self.updates_per_step = steps_per_epoch, {"d": d_steps, "g": g_steps}
        self.epoch, self.consecutive_skips = 0, 0

    def on_train_begin(self, logs=None):
        self.start = {player: self._iterations(player) for player in self.updates_per_step}
        self.steps_done, self.last = 0, dict(self.start)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self.steps_done += 1
        step = self.epoch * self.steps_per_epoch + batch + 1
        if not self._loss_scaled():
            bad = {name: float(value) for name, value in (logs or {}).items()
                   if name.endswith("loss") and not np.isfinite(value)}
            if bad:
                raise NonFiniteLossError(f"Non-finite loss at training step {step} (epoch {self.epoch + 1}): {bad}. "
                                         "Training stopped; the last checkpoint holds the last good state.")
            return
        now = {player: self._iterations(player) for player in self.updates_per_step}
        advanced = any(now[player] > self.last[player] for player in now)
        self.consecutive_skips = 0 if advanced else self.consecutive_skips + 1
        self.last = now
        if self.consecutive_skips > MAX_CONSECUTIVE_SKIPPED_STEPS:
            raise NonFiniteLossError(f"{self.consecutive_skips} consecutive steps up to step {step} had non-finite "
                                     "gradients at every loss scale: training stopped at the last checkpoint.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs.update({f"{player}_skipped_updates": self.skipped_updates(player) for player in self.updates_per_step})

    def skipped_updates(self, player):
        """Updates of `player` ("d" or "g") skipped since training began."""
        done = self._iterations(player) - self.start[player]
        return self.steps_done * self.updates_per_step[player] - done

    def _iterations(self, player):
        return int(getattr(self.model, f"{player}_optimizer").iterations.numpy())

    def _loss_scaled(self):
        return isinstance(self.model.d_optimizer, keras.optimizers.LossScaleOptimizer)
