"""A `gan-tf train` run folder kept whole: one writer, no leftovers, a checkpoint list that is checked, not trusted.

No TensorFlow here (the CLI uses it before importing TensorFlow); restoring is `gan_tf.images.recovery`'s.

  lock(run_dir)               one writer per folder: `fcntl.flock` on run_dir/.lock (released by the kernel when
                              its process dies, so a killed run's lock never blocks the rerun); a second writer
                              stops at once with `RunFolderBusyError` naming the holder's pid.
  remove_temporaries(run_dir) what a killed write leaves: TensorFlow's `ckpt-N_temp/` folders and
                              `checkpoint.tmp*` files, our `.NAME.PID.tmp.EXT` files (`atomic_write`).
  checkpoint_inventory(dir)   the checkpoints on disk and in the list file `checkpoints/checkpoint`, newest first,
                              with what is wrong with the list file (missing, empty, NUL bytes, not UTF-8, not
                              the expected text); a listed path outside the folder raises `RunFolderError`.
  write_checkpoint_list       rewrites that list file (atomically) from the checkpoints that are known good.
  read_best(run_dir)          best/best.json, the record of the best checkpoint (`gan_tf.images.best_checkpoint`).
"""

import contextlib
import dataclasses
import errno
import fcntl
import json
import os
import pathlib
import re
import shutil

LOCK_FILE = ".lock"
LIST_FILE = "checkpoint"
CHECKPOINT_NAME = re.compile(r"ckpt-(\d+)")
LIST_LINE = re.compile(r'(model_checkpoint_path|all_model_checkpoint_paths):\s*"((?:[^"\\]|\\.)*)"')
OTHER_LIST_LINE = re.compile(r"(all_model_checkpoint_timestamps|last_preserved_timestamp):\s*[-+0-9.eE]+")
BEST_FOLDER, BEST_FILE = "best", "best.json"
BEST_FIELDS = ("step", "epoch", "measure", "value", "checkpoint")
TEMPORARY_FILE = re.compile(r"\..+\.\d+\.tmp(\.[A-Za-z0-9]+)?")  # atomic_write's names


class RunFolderError(RuntimeError):
    """A run folder that cannot be used as it is (damaged, or in use); the message names the folder and why."""


class RunFolderBusyError(RunFolderError):
    """Another process holds the run folder's lock."""


@contextlib.contextmanager
def lock(run_dir, name=LOCK_FILE):
    """Hold the exclusive lock of `run_dir` (created if needed) inside the block."""
    run_dir = pathlib.Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / name
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            holder = os.pread(descriptor, 64, 0).decode("ascii", "replace").strip() or "unknown"
            raise RunFolderBusyError(f"{str(run_dir)!r} is in use by another gan-tf process (pid {holder}, "
                                     f"lock {str(path)!r}): wait for it to end, or use another --out.") from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        os.close(descriptor)  # closing releases the lock


def atomic_write(path, write, suffix=""):
    """`write(temporary_path)` then rename onto `path`: readers never see a half-written file (the temporary
    name holds the process id: the workers of a multi-worker run write the same config.json)."""
    path = pathlib.Path(path)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp{suffix or path.suffix}")
    write(temporary)
    os.replace(temporary, path)


def remove_temporaries(run_dir):
    """Delete what killed writes left in `run_dir` (call while holding its lock); returns the paths removed."""
    run_dir = pathlib.Path(run_dir)
    removed = []
    for folder in (run_dir, run_dir / "samples", run_dir / "checkpoints"):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            temporary_checkpoint = folder.name == "checkpoints" and (
                re.fullmatch(r"ckpt-\d+_temp.*", path.name) or path.name.startswith(LIST_FILE + ".tmp"))
            if temporary_checkpoint or TEMPORARY_FILE.fullmatch(path.name):
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
                removed.append(path)
    return removed


@dataclasses.dataclass
class Inventory:
    """Checkpoints of a folder: `numbers` (on disk or listed, newest first), `listed` (in the list file, newest
    last), `list_problem` (None, or what is wrong with the list file)."""

    directory: pathlib.Path
    numbers: list
    listed: list
    list_problem: str | None

    def prefix(self, number):
        return self.directory / f"ckpt-{number}"

    @property
    def is_empty(self):
        return not self.numbers


def checkpoint_inventory(directory):
    """The `Inventory` of the checkpoint folder `directory` (see the module docstring)."""
    directory = pathlib.Path(directory)
    on_disk = set()
    if directory.is_dir():
        for path in directory.iterdir():
            match = re.fullmatch(r"ckpt-(\d+)\.(index|data-\d+-of-\d+)", path.name)
            if match:
                on_disk.add(int(match.group(1)))
    listed, problem = _read_list(directory)
    return Inventory(directory, sorted(on_disk | set(listed), reverse=True), listed, problem)


def _read_list(directory):
    """(listed checkpoint numbers, problem or None)."""
    path = directory / LIST_FILE
    if not path.is_file():
        return [], f"{str(path)!r} is missing" if directory.is_dir() and any(directory.iterdir()) else None
    raw = path.read_bytes()
    if not raw.strip():
        return [], f"{str(path)!r} is empty"
    if b"\x00" in raw:
        return [], f"{str(path)!r} holds NUL bytes"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return [], f"{str(path)!r} is not UTF-8 text"
    latest, listed = None, []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        match = LIST_LINE.fullmatch(line)
        if not match:
            if OTHER_LIST_LINE.fullmatch(line):
                continue
            return [], f"{str(path)!r} is not a checkpoint list (line {line[:60]!r})"
        number = _listed_number(directory, match.group(2).encode().decode("unicode_escape"))
        if match.group(1) == "model_checkpoint_path":
            latest = number
        elif number not in listed:
            listed.append(number)
    if latest is None:
        return listed, f"{str(path)!r} names no latest checkpoint"
    return [number for number in listed if number != latest] + [latest], None


def _listed_number(directory, name):
    """The N of a listed "ckpt-N" (relative to `directory`, or absolute inside it); anything else raises."""
    path = pathlib.Path(name)
    inside = path.parent == pathlib.Path(".") or (
        path.is_absolute() and os.path.realpath(path.parent) == os.path.realpath(directory))
    match = CHECKPOINT_NAME.fullmatch(path.name)
    if not inside or not match:
        raise RunFolderError(f"{str(directory / LIST_FILE)!r} lists {name!r}, which is not a ckpt-N of "
                             f"{str(directory)!r}: refused (TensorFlow would restore it, and delete it as an old "
                             "checkpoint). Remove that line, or the list file, and run again.")
    return int(match.group(1))


def write_checkpoint_list(directory, numbers):
    """Rewrite `directory`'s list file naming checkpoints `numbers` (oldest first; the last is the latest), with
    their files' times, so that `tf.train.CheckpointManager` keeps sweeping them as usual (without times it
    would treat them as preserved and never delete them)."""
    directory = pathlib.Path(directory)
    times = [os.path.getmtime(directory / f"ckpt-{number}.index") for number in numbers]
    lines = [f'model_checkpoint_path: "ckpt-{numbers[-1]}"']
    lines += [f'all_model_checkpoint_paths: "ckpt-{number}"' for number in numbers]
    lines += [f"all_model_checkpoint_timestamps: {time!r}" for time in times]
    lines.append(f"last_preserved_timestamp: {min(times) - 1.0!r}")
    atomic_write(directory / LIST_FILE, lambda temporary: temporary.write_text("\n".join(lines) + "\n"))


def move_aside(inventory, number):
    """Move the files of checkpoint `number` into checkpoints/damaged/ (kept, never deleted); returns that folder."""
    damaged = inventory.directory / "damaged"
    damaged.mkdir(exist_ok=True)
    for path in inventory.directory.glob(f"ckpt-{number}.*"):
        os.replace(path, damaged / path.name)
    return damaged


def lock_name(strategy):
    """.lock, or .lock.TYPE_INDEX for a non-chief worker of a multi-worker run (TF_CONFIG; they share --out)."""
    if strategy != "multi_worker":
        return LOCK_FILE
    tf_config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    task, cluster = tf_config.get("task", {}), tf_config.get("cluster", {})
    kind, index = task.get("type", "worker"), int(task.get("index", 0))
    chief = kind == "chief" or (kind == "worker" and index == 0 and "chief" not in cluster)
    return LOCK_FILE if chief else f"{LOCK_FILE}.{kind}_{index}"


def remove_if_unused(run_dir):
    """Undo a failed start in a folder the caller created: remove it if it holds nothing but lock files."""
    run_dir = pathlib.Path(run_dir)
    contents = list(run_dir.rglob("*")) if run_dir.is_dir() else []
    if all(path.name.startswith(LOCK_FILE) or path.is_dir() for path in contents):
        shutil.rmtree(run_dir, ignore_errors=True)


def read_best(run_dir):
    """The record in run_dir/best/best.json (a dict of `BEST_FIELDS`), or None when there is none; a damaged one
    raises `RunFolderError` naming it."""
    path = pathlib.Path(run_dir) / BEST_FOLDER / BEST_FILE
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RunFolderError(f"{str(path)!r} is damaged ({error}).") from None
    if not isinstance(record, dict) or set(BEST_FIELDS) - set(record) or not CHECKPOINT_NAME.fullmatch(
            str(record["checkpoint"])):
        raise RunFolderError(f"{str(path)!r} is damaged: expected a JSON object with {list(BEST_FIELDS)} and a "
                             "checkpoint named ckpt-N.")
    return record
