"""Restore the newest checkpoint of a run folder that really restores; never start over a damaged one.

`tf.train.latest_checkpoint` trusts the list file `checkpoints/checkpoint`: when that file is missing or garbled
it answers None (a rerun then started from scratch and `tf.train.CheckpointManager` deleted the older good
checkpoints as it saved new ones), and when the newest checkpoint's files are truncated the restore fails.
Here every checkpoint on disk or in the list (`run_folder.checkpoint_inventory`) is a candidate, newest first:
a candidate is read in full (every tensor, whose CRC32C TensorFlow checks) before it is restored, and the first
that reads and matches the networks wins. The ones skipped are reported with why. When writing, the newer
damaged ones are moved into checkpoints/damaged/ (never deleted) and the list file is rewritten from the good
ones, so the manager's max_to_keep sweep never removes a good checkpoint on account of a damaged one. When
checkpoints exist but none restores, `run_folder.RunFolderError` names the folder and each damage.
"""

import dataclasses
import glob
import os

import tensorflow as tf

from gan_tf.images import run_folder

READ_ERRORS = (tf.errors.OpError, ValueError, IndexError, OSError)


@dataclasses.dataclass
class Restored:
    """The checkpoint restored (`number`, `prefix`), those skipped {number: why}, and the list file's problem."""

    number: int
    prefix: str
    skipped: dict
    list_problem: str | None

    def report(self):
        """One line per thing worth saying: which checkpoint, and why newer ones or the list file were ignored."""
        lines = [f"restored {self.prefix}"]
        lines += [f"skipped the newer ckpt-{number}: {why}" for number, why in self.skipped.items()]
        if self.list_problem:
            lines.append(f"ignored the checkpoint list: {self.list_problem}")
        return lines


def read_problem(prefix):
    """Why the checkpoint `prefix` cannot be read in full, or None."""
    index = f"{prefix}.index"
    if not tf.io.gfile.exists(index):
        return "its .index file is missing"
    special = [path for path in [index, *glob.glob(glob.escape(prefix) + ".data-*")] if not os.path.isfile(path)]
    if special:
        return f"{special} is not a regular file"  # a FIFO would block the reader
    try:
        reader = tf.train.load_checkpoint(str(prefix))
        for name in reader.get_variable_to_shape_map():
            reader.get_tensor(name)
    except READ_ERRORS as error:
        return f"it cannot be read ({type(error).__name__}: {_first_line(error)})"
    return None


def restore_newest(checkpoint, directory, partial=False, write=True):
    """Restore `checkpoint` (a `tf.train.Checkpoint`) from the newest good checkpoint of `directory`.

    Returns a `Restored`, or None when the folder holds no checkpoint at all. `partial`: the checkpoint may hold
    more than `checkpoint` tracks (e.g. only the generator is wanted). `write`: move the damaged newer ones aside
    and rewrite the list file (training, under the run folder's lock); False leaves the folder untouched.
    """
    inventory = run_folder.checkpoint_inventory(directory)
    skipped = {}
    for number in inventory.numbers:
        prefix = str(inventory.prefix(number))
        problem = read_problem(prefix) or _restore_problem(checkpoint, prefix, partial)
        if problem is None:
            break
        skipped[number] = problem
    else:
        if not inventory.numbers:
            return None
        damage = "; ".join(f"ckpt-{number}: {why}" for number, why in skipped.items())
        if inventory.list_problem:
            damage += f"; {inventory.list_problem}"
        raise run_folder.RunFolderError(f"{str(directory)!r} holds checkpoints but none of them restores ({damage}). "
                                        "Nothing was changed; restore the folder from a backup or use another --out.")
    restored = Restored(number, prefix, skipped, inventory.list_problem)
    if write and (skipped or inventory.list_problem or inventory.listed[-1:] != [number]):
        for damaged in skipped:
            run_folder.move_aside(inventory, damaged)
        kept = [older for older in sorted(inventory.numbers) if older <= number
                and tf.io.gfile.exists(str(inventory.prefix(older)) + ".index")]
        run_folder.write_checkpoint_list(directory, kept)
    return restored


def _restore_problem(checkpoint, prefix, partial):
    try:
        status = checkpoint.restore(prefix)
        status.expect_partial() if partial else status.assert_existing_objects_matched()
    except (AssertionError, *READ_ERRORS) as error:
        return f"it does not match this run's networks ({type(error).__name__}: {_first_line(error)})"
    return None


def _first_line(error):
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else repr(error)
