"""`gan_tf.images.pseudo_classes`: k-means labels of unlabelled images, their shares, the labels kept in a run."""

import numpy as np
import PIL.Image
import pytest

from gan_tf.images import datasets, pseudo_classes, run_folder


def three_kinds_of_images(per_kind=30, seed=0):
    """Images [3 * per_kind, 4, 4, 1]: grey levels -0.8, 0 and 0.8 plus noise of sd 0.05 (groups 16 sd apart)."""
    rng = np.random.default_rng(seed)
    levels = np.repeat([-0.8, 0.0, 0.8], per_kind)
    return (levels[:, None, None, None] + 0.05 * rng.standard_normal((len(levels), 4, 4, 1))).astype(np.float32), \
        np.repeat(np.arange(3), per_kind)


def test_kmeans_labels_recover_well_separated_groups():
    images, kinds = three_kinds_of_images()
    labels = pseudo_classes.kmeans_labels(images, 3, seed=0)
    assert labels.dtype == np.int32 and labels.shape == (90,)
    for kind in range(3):  # each group is one cluster, and the three clusters differ
        assert len(np.unique(labels[kinds == kind])) == 1
    assert len(np.unique(labels)) == 3


def test_above_the_fit_limit_the_centres_are_fitted_on_a_subset_and_every_image_is_assigned(monkeypatch):
    import sklearn.cluster  # noqa: PLC0415

    images, kinds = three_kinds_of_images()
    monkeypatch.setattr(pseudo_classes, "FIT_LIMIT", 12)  # 12 of the 90 images fit the centres
    fitted_on, fit = [], sklearn.cluster.KMeans.fit
    monkeypatch.setattr(sklearn.cluster.KMeans, "fit", lambda self, x, *a, **k: fitted_on.append(len(x)) or fit(
        self, x, *a, **k))
    labels = pseudo_classes.kmeans_labels(images, 3, seed=0)
    assert fitted_on == [12] and labels.dtype == np.int32 and labels.shape == (90,)
    for kind in range(3):  # the 78 images not fitted on join their group's cluster
        assert len(np.unique(labels[kinds == kind])) == 1
    assert len(np.unique(labels)) == 3
    noise = np.random.default_rng(1).uniform(-1, 1, images.shape).astype(np.float32)  # no groups: 5 clusters anyway
    assert len(np.unique(pseudo_classes.kmeans_labels(noise, 5, seed=3))) == 5
    np.testing.assert_array_equal(pseudo_classes.kmeans_labels(noise, 5, seed=3),
                                  pseudo_classes.kmeans_labels(noise, 5, seed=3))  # seeded: the subset too


def test_kmeans_labels_are_seeded():
    images, _ = three_kinds_of_images()
    images = images + np.random.default_rng(1).uniform(-1, 1, images.shape).astype(np.float32)  # no clear groups
    first = pseudo_classes.kmeans_labels(images, 5, seed=3)
    np.testing.assert_array_equal(first, pseudo_classes.kmeans_labels(images, 5, seed=3))
    assert set(np.unique(first)) == set(range(5))  # every cluster is used


def test_class_shares_by_hand():
    np.testing.assert_allclose(pseudo_classes.class_shares(np.array([0, 0, 1, 2, 2, 2]), 4), [2 / 6, 1 / 6, 3 / 6, 0])


@pytest.mark.parametrize(("call", "message"), [
    (lambda: pseudo_classes.kmeans_labels(np.zeros((5, 2, 2, 1)), 1), "count \\(the number of clusters\\) must be"),
    (lambda: pseudo_classes.kmeans_labels(np.zeros((5, 2, 2, 1)), 6), "at most the number of images, 5; got 6"),
    (lambda: pseudo_classes.kmeans_labels(np.full((5, 2), np.nan), 2), "images must be finite"),
    (lambda: pseudo_classes.kmeans_labels(np.zeros(5), 2), "images must be an array"),
    (lambda: pseudo_classes.class_shares(np.array([0, 3]), 3), "labels must lie in \\[0, 3\\)"),
    (lambda: pseudo_classes.class_shares(np.array([0.0, 1.0]), 3), "labels must be a non-empty 1-D array of int"),
])
def test_bad_input_is_refused_naming_it(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---- a run's clusters (gan-tf train --pseudo-classes) ------------------------------------------------------------


@pytest.fixture(scope="module")
def three_kinds_folder(tmp_path_factory):
    """9 PNGs in shuffled order of names: dark, grey and light images (levels 30, 128, 225, noise sd 5)."""
    folder = tmp_path_factory.mktemp("kinds")
    rng = np.random.default_rng(2)
    kinds = rng.permutation(np.repeat(np.arange(3), 3))
    for index, kind in enumerate(kinds):
        pixels = np.clip([30, 128, 225][kind] + rng.normal(0, 5, (12, 12, 3)), 0, 255).astype(np.uint8)
        PIL.Image.fromarray(pixels).save(folder / f"{index}.png")
    return folder, kinds


def test_a_folders_clusters_are_its_kinds_in_the_order_of_its_files(three_kinds_folder):
    folder, kinds = three_kinds_folder
    source = pseudo_classes.open_spec(str(folder), 3, image_size=16, batch_size=3, seed=0)
    assert source.keys == [f"{index}.png" for index in range(9)] and source.count == 9
    assert source.class_names == ["cluster_0", "cluster_1", "cluster_2"]
    for kind in range(3):  # one cluster per kind, and the label of each file is its kind's cluster
        assert len(set(source.labels[kinds == kind])) == 1
    assert len(set(source.labels)) == 3
    # the batches pair each image with its own cluster: the mean grey level tells the kind
    cluster_of_kind = {kind: source.labels[kinds == kind][0] for kind in range(3)}
    for images, labels in source.dataset.take(3).as_numpy_iterator():
        kind_of_image = np.digitize(images.mean(axis=(1, 2, 3)), [-0.4, 0.4])  # levels map to -0.76, 0.0, 0.76
        np.testing.assert_array_equal(labels, [cluster_of_kind[kind] for kind in kind_of_image])


def test_saved_labels_are_reused_only_for_the_same_images(three_kinds_folder, tmp_path):
    folder, _ = three_kinds_folder
    source = pseudo_classes.open_spec(str(folder), 3, image_size=16, batch_size=3, seed=0)
    pseudo_classes.write_labels(tmp_path, source)
    keys, labels = pseudo_classes.read_labels(tmp_path)
    assert keys == source.keys and labels.tolist() == source.labels.tolist()
    other = (labels + 1) % 3  # saved labels differ from what k-means would give: they are used as they are
    np.testing.assert_array_equal(
        pseudo_classes.open_spec(str(folder), 3, image_size=16, batch_size=3, saved=(keys, other)).labels, other)
    renamed = (keys[:-1] + ["other.png"], other)  # not these images: clustered again
    np.testing.assert_array_equal(
        pseudo_classes.open_spec(str(folder), 3, image_size=16, batch_size=3, saved=renamed).labels, source.labels)


def test_digits_clusters_are_of_the_training_split():
    source = pseudo_classes.open_spec("digits", 10, image_size=8, batch_size=1437, seed=0)
    assert source.keys is None and len(source.labels) == source.count == 1438
    _, digits = datasets.digits_arrays("train")
    purity = sum(np.bincount(digits[source.labels == k]).max() for k in range(10)) / len(digits)
    assert purity > 0.7  # measured 0.786-0.787 with seeds 0-3 (k-means on 8x8 digits; chance would be about 0.1)


def test_a_damaged_clusters_file_or_a_tfds_name_is_refused_by_name(tmp_path):
    (tmp_path / pseudo_classes.LABELS_FILE).write_text('{"keys": null}')
    with pytest.raises(run_folder.RunFolderError, match="clusters.json' is damaged"):
        pseudo_classes.read_labels(tmp_path)
    with pytest.raises(ValueError, match="--data 'celeb_a': --pseudo-classes takes 'digits' or a folder of images"):
        pseudo_classes.open_spec("celeb_a", 3)
