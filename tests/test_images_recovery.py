"""A damaged run folder: `gan-tf train` resumes from the newest good checkpoint or stops naming the damage, and
never loses a good checkpoint (gan_tf.images.recovery, run_folder, run_config)."""

import dataclasses
import json
import os
import shutil
import subprocess
import sys

import pytest
import tensorflow as tf
from conftest import REPOSITORY

from gan_tf.images import recovery, run_config, run_folder, run_generator, training

TINY = training.TrainConfig(data="digits", image_size=16, filters=4, latent_dim=8, batch_size=8, steps_per_epoch=2,
                            every_n_steps=100, jit_compile=False, epochs=4)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A run folder after 4 epochs: ckpt-2, ckpt-3, ckpt-4 (3 kept)."""
    run = tmp_path_factory.mktemp("trained") / "run"
    training.train(TINY, run, verbose=0)
    return run


@pytest.fixture
def run(trained, tmp_path):
    return shutil.copytree(trained, tmp_path / "run")


def checkpoint_files(run):
    return sorted(path.name for path in (run / "checkpoints").glob("ckpt-*"))


def epoch_of(prefix):
    return int(tf.train.load_checkpoint(str(prefix)).get_tensor("epoch/.ATTRIBUTES/VARIABLE_VALUE"))


LIST_DAMAGE = {
    "missing": None,
    "empty": b"",
    "garbage": b"this is not a checkpoint list\n",
    "nul": b"\x00" * 64,
    "not_utf8": b"model_checkpoint_path: \"ckpt-\xff\xfe\"\n",
}


@pytest.mark.parametrize("damage", LIST_DAMAGE)
def test_a_damaged_checkpoint_list_resumes_from_the_newest_checkpoint_on_disk(run, damage, capsys):
    path = run / "checkpoints" / "checkpoint"
    path.unlink() if LIST_DAMAGE[damage] is None else path.write_bytes(LIST_DAMAGE[damage])
    epochs = 5 if damage == "missing" else 4  # one case trains on (saves sweep old checkpoints); the rest restore
    training.train(dataclasses.replace(TINY, epochs=epochs), run, verbose=0)
    output = capsys.readouterr().out
    assert "resuming from" in output and "ckpt-4 (epoch 4)" in output and "ignored the checkpoint list" in output
    # Not a fresh start: the good checkpoints are still there (3 kept), and epoch 5 continued from 4.
    kept = (3, 4, 5) if epochs == 5 else (2, 3, 4)
    assert checkpoint_files(run) == [f"ckpt-{n}.{kind}" for n in kept for kind in ("data-00000-of-00001", "index")]
    assert epoch_of(run / "checkpoints" / f"ckpt-{epochs}") == epochs
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith(f"ckpt-{epochs}")


@pytest.mark.parametrize("part, damage", [("index", "deleted"), ("index", "truncated"), ("data-00000-of-00001",
                                          "deleted"), ("data-00000-of-00001", "truncated")])
def test_an_unreadable_newest_checkpoint_is_skipped_and_kept_aside_and_no_good_one_is_deleted(run, part, damage,
                                                                                               capsys):
    path = run / "checkpoints" / f"ckpt-4.{part}"
    path.unlink() if damage == "deleted" else path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    training.train(dataclasses.replace(TINY, epochs=5), run, verbose=0)
    output = capsys.readouterr().out
    assert "ckpt-3 (epoch 3)" in output and "skipped the newer ckpt-4" in output, output
    # ckpt-2 and ckpt-3 survive the two saves (4, 5) that follow: the damaged ckpt-4 pushed no good one out.
    assert {"ckpt-3.index", "ckpt-4.index", "ckpt-5.index"} <= set(checkpoint_files(run))
    assert epoch_of(run / "checkpoints" / "ckpt-4") == 4 and epoch_of(run / "checkpoints" / "ckpt-5") == 5
    if damage == "truncated":
        assert (run / "checkpoints" / "damaged" / f"ckpt-4.{part}").is_file()


def test_no_restorable_checkpoint_stops_naming_each_damage_and_changes_nothing(run):
    for number in (2, 3, 4):
        (run / "checkpoints" / f"ckpt-{number}.data-00000-of-00001").write_bytes(b"")
    before = checkpoint_files(run)
    with pytest.raises(run_folder.RunFolderError, match=r"none of them restores \(ckpt-4: it cannot be read.*ckpt-2"):
        training.train(TINY, run, verbose=0)
    assert checkpoint_files(run) == before


def test_a_list_path_outside_the_run_folder_is_refused_and_nothing_there_is_deleted(run, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for path in (run / "checkpoints").glob("ckpt-2.*"):
        shutil.copy(path, elsewhere / path.name)
    (run / "checkpoints" / "checkpoint").write_text(f'model_checkpoint_path: "ckpt-4"\nall_model_checkpoint_paths: '
                                                    f'"{elsewhere}/ckpt-2"\nall_model_checkpoint_paths: "ckpt-4"\n')
    with pytest.raises(run_folder.RunFolderError, match=f"lists '{elsewhere}/ckpt-2', which is not a ckpt-N of"):
        training.train(dataclasses.replace(TINY, epochs=7), run, verbose=0)
    assert len(list(elsewhere.iterdir())) == 2


@pytest.mark.parametrize("damage", ["truncated", "missing", "not_an_object"])
def test_a_damaged_or_missing_config_beside_checkpoints_is_an_error_naming_it(run, damage):
    path = run / "config.json"
    if damage == "missing":
        path.unlink()
    else:
        path.write_text(path.read_text()[:40] if damage == "truncated" else "[1, 2]")
    before = checkpoint_files(run)
    with pytest.raises(run_folder.RunFolderError, match=f"{path}' is (missing|damaged)"):
        training.train(TINY, run, verbose=0)
    assert checkpoint_files(run) == before and (path.is_file() or damage == "missing")


def test_temporaries_of_a_killed_write_are_removed_on_the_next_start(run):
    leftovers = [run / "checkpoints" / "ckpt-5_temp", run / ".generator.4242.tmp.keras",
                 run / "samples" / ".epoch_005.4242.tmp.png", run / "checkpoints" / "checkpoint.tmp0123abcd"]
    leftovers[0].mkdir()
    (leftovers[0] / "part-00000-of-00001.data-00000-of-00001").write_bytes(b"half")
    for path in leftovers[1:]:
        path.write_bytes(b"half")
    training.train(TINY, run, verbose=0)  # nothing to do: already 4 epochs
    assert not any(path.exists() for path in leftovers)
    assert checkpoint_files(run)[-1] == "ckpt-4.index"


def test_a_second_writer_stops_at_once_naming_the_first(run):
    busy = rf"in use by another gan-tf process \(pid {os.getpid()}"
    with run_folder.lock(run), pytest.raises(run_folder.RunFolderBusyError, match=busy):
        training.train(TINY, run, verbose=0)


def test_the_lock_of_a_killed_process_does_not_block(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from gan_tf.images import run_folder\n"
                               f"with run_folder.lock({str(tmp_path)!r}):\n print('held', flush=True); time.sleep(60)"],
                              env=dict(os.environ, PYTHONPATH=str(REPOSITORY)), stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(run_folder.RunFolderBusyError, match=f"pid {holder.pid}"):
        with run_folder.lock(tmp_path):
            pass
    holder.kill()
    holder.wait()
    with run_folder.lock(tmp_path):  # the kernel released the dead process's lock
        pass


@pytest.mark.parametrize("damage", ["missing", "garbage"])
def test_sample_and_export_need_no_generator_keras(run, tmp_path, damage):
    from gan_tf.images import export  # noqa: PLC0415

    path = run / "generator.keras"
    path.unlink() if damage == "missing" else path.write_bytes(b"PK\x03\x04 not a zip")
    images = run_generator.sample(run, n=4, out=tmp_path / "grid.png")
    assert images.shape == (4, 16, 16, 1)
    paths = export.export_run(run, tmp_path / "exported", formats=("keras",))
    assert paths["keras"].is_file()


def test_sample_reads_past_a_damaged_newest_checkpoint_without_changing_the_folder(run, tmp_path):
    (run / "checkpoints" / "ckpt-4.index").write_bytes(b"\x00")
    before = sorted(path.name for path in run.rglob("*"))
    with pytest.warns(UserWarning, match="skipped the newer ckpt-4"):
        run_generator.sample(run, n=2, out=tmp_path / "grid.png")
    assert sorted(path.name for path in run.rglob("*")) == before


def test_restore_newest_on_an_empty_folder_is_none(tmp_path):
    assert recovery.restore_newest(tf.train.Checkpoint(), tmp_path / "checkpoints") is None


def test_a_config_json_of_an_older_version_still_resumes_and_is_migrated(run, tmp_path, capsys):
    path = run / "config.json"
    old = {key: value for key, value in json.loads(path.read_text()).items()
           if key not in ("channels", "data_fingerprint", "skip_invalid")}
    path.write_text(json.dumps(old))
    assert run_generator.sample(run, n=2, out=tmp_path / "grid.png").shape == (2, 16, 16, 1)
    training.train(TINY, run, verbose=0)
    assert "ckpt-4 (epoch 4)" in capsys.readouterr().out
    saved = json.loads(path.read_text())
    assert saved["channels"] == 1 and saved["data_fingerprint"] == {"examples": 1438} and not saved["skip_invalid"]


def test_the_old_name_of_the_dense_ended_dcgan_is_migrated():
    old = {"data": "digits", "architecture": "writeup", "data_fingerprint": None, "channels": 1}
    assert run_config.migrate(old)["architecture"] == "dense_dcgan"
    assert run_config.migrate({**old, "architecture": "radford"})["architecture"] == "radford"


def test_a_fifo_in_place_of_a_checkpoint_file_or_config_is_refused_without_hanging(run):
    os.replace(run / "checkpoints" / "ckpt-4.index", run / "ckpt-4.index.bak")
    os.mkfifo(run / "checkpoints" / "ckpt-4.index")
    assert "is not a regular file" in recovery.read_problem(str(run / "checkpoints" / "ckpt-4"))
    (run / "config.json").unlink()
    os.mkfifo(run / "config.json")
    with pytest.raises(run_folder.RunFolderError, match="config.json' is not a regular file"):
        training.train(TINY, run, verbose=0)


def test_a_complete_checkpoint_missing_from_the_list_is_the_one_restored(run, capsys):
    # A kill between writing ckpt-4 and updating the list leaves a complete ckpt-4 that the list does not name.
    run_folder.write_checkpoint_list(run / "checkpoints", [2, 3])
    training.train(TINY, run, verbose=0)
    assert "ckpt-4 (epoch 4)" in capsys.readouterr().out
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith("ckpt-4")
