"""`gan-tf train --pseudo-classes K`: k-means classes kept in the run, reused on resume, drawn by their shares."""

import json

import conftest
import numpy as np
import PIL.Image
import pytest

from gan_tf import cli, models, plotting
from gan_tf.images import pseudo_classes, run_generator

TINY = conftest.TINY_TRAIN_FLAGS


@pytest.fixture(scope="module")
def dark_and_light(tmp_path_factory):
    """6 dark images (grey levels 0-59) and 2 light ones (196-255), names in no order of their kind."""
    folder = tmp_path_factory.mktemp("unlabelled")
    rng = np.random.default_rng(3)
    for index, low in enumerate((0, 196, 0, 0, 0, 196, 0, 0)):
        PIL.Image.fromarray(rng.integers(low, low + 60, (16, 16, 3), dtype=np.uint8)).save(folder / f"{index}.png")
    return folder


@pytest.fixture(scope="module")
def clustered_run(dark_and_light, tmp_path_factory):
    run = tmp_path_factory.mktemp("runs") / "clustered"
    cli.main(["train", "--data", str(dark_and_light), "--out", str(run), "--epochs", "1", "--pseudo-classes", "2",
              *TINY])
    return run


def test_the_run_keeps_its_clusters_and_their_shares(clustered_run):
    saved = json.loads((clustered_run / "config.json").read_text())
    assert saved["pseudo_classes"] == 2 and saved["class_names"] == ["cluster_0", "cluster_1"]
    keys, labels = pseudo_classes.read_labels(clustered_run)
    assert keys == [f"{index}.png" for index in range(8)]
    light = labels[1]  # the light images 1 and 5 form one cluster, the dark ones the other
    assert labels.tolist() == [1 - light, light, 1 - light, 1 - light, 1 - light, light, 1 - light, 1 - light]
    assert saved["class_shares"][light] == 0.25 and saved["class_shares"][1 - light] == 0.75
    gan, config = run_generator.load_generator(clustered_run)
    assert isinstance(gan, models.ConditionalGAN) and gan.class_shares.tolist() == saved["class_shares"]


def test_a_resumed_run_trains_on_the_kept_clusters_without_clustering_again(clustered_run, dark_and_light,
                                                                            monkeypatch, capsys):
    def no_clustering(*arguments, **options):
        raise AssertionError("k-means ran again")

    monkeypatch.setattr(pseudo_classes, "kmeans_labels", no_clustering)
    cli.main(["train", "--data", str(dark_and_light), "--out", str(clustered_run), "--epochs", "2",
              "--pseudo-classes", "2", *TINY])
    assert "resuming from" in capsys.readouterr().out
    assert "ckpt-2" in (clustered_run / "checkpoints" / "checkpoint").read_text()


def test_samples_draw_the_clusters_by_their_shares_unless_one_is_asked(clustered_run, tmp_path):
    gan, _ = run_generator.load_generator(clustered_run)
    drawn = models.conditional.draw_classes(gan.class_shares, 16, seed=0)
    assert 0 < np.mean(drawn == np.argmax(gan.class_shares)) < 1  # both clusters among 16 draws (seed 0)
    cli.main(["sample", "--run", str(clustered_run), "--n", "16", "--out", str(tmp_path / "grid.png")])
    plotting.save_image_grid(gan.generate(16, labels=drawn, seed=0), tmp_path / "expected.png")
    np.testing.assert_array_equal(np.asarray(PIL.Image.open(tmp_path / "grid.png")),
                                  np.asarray(PIL.Image.open(tmp_path / "expected.png")))
    one = run_generator.sample(clustered_run, 4, tmp_path / "one.png", classes=["cluster_1"])
    np.testing.assert_array_equal(one, gan.generate(4, labels=1, seed=0))


def test_the_export_says_how_to_draw_labels_like_the_data(clustered_run, tmp_path):
    cli.main(["export", "--run", str(clustered_run), "--out", str(tmp_path / "exported")])
    sampling = json.loads((tmp_path / "exported" / "sampling.json").read_text())
    saved = json.loads((clustered_run / "config.json").read_text())
    assert sampling["class_shares"] == saved["class_shares"] and sampling["num_classes"] == 2
    assert "choice(num_classes, n, p=class_shares)" in sampling["labels_like_the_data"]


@pytest.mark.parametrize(("flags", "message"), [
    (["--pseudo-classes", "1"], "pseudo_classes (--pseudo-classes) must be 0 (off) or at least 2 clusters, got 1."),
    (["--pseudo-classes", "2", "--conditional"], "--conditional and --pseudo-classes do not combine"),
    (["--pseudo-classes", "2", "--r1", "1"], "--pseudo-classes and --r1 do not combine"),
    (["--pseudo-classes", "9"], "pseudo_classes (--pseudo-classes) must be at most the number of images, 8; got 9."),
])
def test_bad_pseudo_classes_are_one_line(dark_and_light, tmp_path, capsys, flags, message):
    with pytest.raises(SystemExit) as stop:
        cli.main(["train", "--data", str(dark_and_light), "--out", str(tmp_path / "run"), *flags, *TINY])
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert not (tmp_path / "run").exists()


def test_a_rerun_with_another_cluster_count_is_refused_naming_the_flag(clustered_run, dark_and_light, capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "--data", str(dark_and_light), "--out", str(clustered_run), "--epochs", "3",
                  "--pseudo-classes", "3", *TINY])
    error = capsys.readouterr().err
    assert "{'pseudo_classes': (2, 3)} (flags: --pseudo-classes)" in error


def test_a_deleted_clusters_file_is_made_again_and_a_damaged_one_is_named(clustered_run, dark_and_light, tmp_path,
                                                                          capsys):
    import shutil  # noqa: PLC0415

    run = shutil.copytree(clustered_run, tmp_path / "run")
    kept = (run / "clusters.json").read_text()
    (run / "clusters.json").unlink()  # k-means runs again on the same images: the same clusters, and the run resumes
    command = ["train", "--data", str(dark_and_light), "--out", str(run), "--epochs", "3", "--pseudo-classes", "2",
               *TINY]
    cli.main(command)
    assert "resuming from" in capsys.readouterr().out and (run / "clusters.json").read_text() == kept
    (run / "clusters.json").write_text(kept[: len(kept) // 2])
    with pytest.raises(SystemExit) as stop:
        cli.main([*command[:6], "4", *command[7:]])
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert "clusters.json' is damaged" in error and "nothing was started or overwritten" in error
    assert "ckpt-3" in (run / "checkpoints" / "checkpoint").read_text()
