"""The best checkpoint of a run by its quality measure (`gan-tf train --eval-every N --eval-measure ...`), kept in
<run>/best/ apart from the latest ones, for `gan-tf sample --checkpoint best` and `gan-tf export --checkpoint best`.

  best/best.json            {"step", "epoch" (step / steps per epoch), "measure", "value", "checkpoint": "ckpt-K"}
  best/ckpt-K.index, .data  what sampling needs (`checkpointing.generator_state`: G and, when the run keeps one,
                            its average), K counting the best's replacements

`BestKeeper` is a sink of the evaluation's `callbacks.Probe` (`write(step, observation)`): when the measure's
scalar (`evaluation.TAGS`) is lower than the best so far (and finite), it writes the model's generator state as a
new ckpt-K (`tf.train.Checkpoint.write`), then best.json naming it (`run_folder.atomic_write`), then removes the
older one. best.json is what names the best: a kill at any point leaves the previous best whole, and what a killed
write left is removed when the next run starts. A resumed run starts from best.json's value, so a worse
measurement after a restart never replaces a better best; a run whose measure changed (a rerun with another
--eval-measure) replaces it at its first evaluation, and says so when it starts.
"""

import json
import math
import pathlib
import shutil

import tensorflow as tf

from gan_tf.images import checkpointing, evaluation, recovery, run_folder


class BestKeeper:
    """Keeps <run_dir>/best/ (see the module docstring) for the GAN `gan` by `measure` ("swd", "fid" or "kid")."""

    def __init__(self, gan, run_dir, measure, steps_per_epoch=1, verbose=True):
        if measure not in evaluation.MEASURES:
            raise ValueError(f"measure must be one of {evaluation.MEASURES}, got {measure!r}.")
        self.gan, self.measure, self.steps_per_epoch = gan, measure, steps_per_epoch
        self.directory = pathlib.Path(run_dir) / run_folder.BEST_FOLDER
        self.record = run_folder.read_best(run_dir)
        self._remove_unnamed()
        if self.record is not None and self.record["measure"] != measure and verbose:
            print(f"{self.directory}: the best was chosen by {self.record['measure']}; this run measures {measure}, "
                  "so its first evaluation replaces it.")

    @property
    def best_value(self):
        """The value to beat: the kept best's, when it was measured by this measure; else None."""
        if self.record is None or self.record["measure"] != self.measure:
            return None
        return self.record["value"]

    def write(self, step, observation):
        value = float(observation.scalars[evaluation.TAGS[self.measure]])
        if math.isfinite(value) and (self.best_value is None or value < self.best_value):
            self.save(step, value)

    def flush(self):
        """Nothing to flush: every best is on disk when `write` returns."""

    def save(self, step, value):
        """Write the model's generator state as the best, measured `value` at `step`."""
        self.directory.mkdir(parents=True, exist_ok=True)
        number = int(self.record["checkpoint"].split("-")[-1]) + 1 if self.record else 1
        name = f"ckpt-{number}"
        tf.train.Checkpoint(**checkpointing.generator_state(self.gan)).write(str(self.directory / name))
        record = {"step": int(step), "epoch": round(step / self.steps_per_epoch, 4), "measure": self.measure,
                  "value": value, "checkpoint": name}
        run_folder.atomic_write(self.directory / run_folder.BEST_FILE,
                                lambda temporary: temporary.write_text(json.dumps(record, indent=2) + "\n"))
        self.record = record
        self._remove_unnamed()

    def _remove_unnamed(self):
        """Delete what best.json does not name: the replaced best, and what a killed write left."""
        if not self.directory.is_dir():
            return
        named = self.record["checkpoint"] + "." if self.record else None
        for path in self.directory.iterdir():
            if path.name == run_folder.BEST_FILE or (named and path.name.startswith(named)):
                continue
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


def restore(checkpoint, run_dir):
    """Restore `checkpoint` (a `tf.train.Checkpoint` of `checkpointing.generator_state`) from the best of
    `run_dir`; returns best.json's record. No best: FileNotFoundError; a damaged one: `run_folder.RunFolderError`."""
    record = run_folder.read_best(run_dir)
    directory = pathlib.Path(run_dir) / run_folder.BEST_FOLDER
    if record is None:
        raise FileNotFoundError(f"{str(directory)!r} holds no best checkpoint (best.json): train with --eval-every N "
                                "to keep the best by --eval-measure there, or use --checkpoint latest.")
    prefix = str(directory / record["checkpoint"])
    problem = recovery.read_problem(prefix)
    if problem is None:
        try:
            checkpoint.read(prefix).assert_existing_objects_matched()  # read: the counterpart of write
        except (AssertionError, *recovery.READ_ERRORS) as error:
            problem = f"it does not match this run's generator ({type(error).__name__})"
    if problem:
        raise run_folder.RunFolderError(f"The best checkpoint {prefix!r} cannot be used: {problem}.")
    return record
