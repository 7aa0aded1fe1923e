"""`gan_tf.images.pseudo_classes`: k-means labels of unlabelled images, their shares, labels drawn by share."""

import numpy as np
import pytest

from gan_tf.images import pseudo_classes


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


def test_kmeans_labels_are_seeded():
    images, _ = three_kinds_of_images()
    images = images + np.random.default_rng(1).uniform(-1, 1, images.shape).astype(np.float32)  # no clear groups
    first = pseudo_classes.kmeans_labels(images, 5, seed=3)
    np.testing.assert_array_equal(first, pseudo_classes.kmeans_labels(images, 5, seed=3))
    assert set(np.unique(first)) == set(range(5))  # every cluster is used


def test_class_shares_by_hand():
    np.testing.assert_allclose(pseudo_classes.class_shares(np.array([0, 0, 1, 2, 2, 2]), 4), [2 / 6, 1 / 6, 3 / 6, 0])


def test_draw_labels_follow_the_shares():
    draws = pseudo_classes.draw_labels([0.5, 0.25, 0.25, 0.0], 100_000, seed=7)
    frequencies = np.bincount(draws, minlength=4) / len(draws)
    # binomial sd at 100,000 draws: sqrt(0.25 / 1e5) = 0.0016 at most; 0.01 is over 6 sd
    np.testing.assert_allclose(frequencies, [0.5, 0.25, 0.25, 0.0], atol=0.01)
    assert frequencies[3] == 0
    np.testing.assert_array_equal(draws[:50], pseudo_classes.draw_labels([0.5, 0.25, 0.25, 0.0], 100_000, seed=7)[:50])


@pytest.mark.parametrize(("call", "message"), [
    (lambda: pseudo_classes.kmeans_labels(np.zeros((5, 2, 2, 1)), 1), "count \\(the number of clusters\\) must be"),
    (lambda: pseudo_classes.kmeans_labels(np.zeros((5, 2, 2, 1)), 6), "at most the number of images, 5; got 6"),
    (lambda: pseudo_classes.kmeans_labels(np.full((5, 2), np.nan), 2), "images must be finite"),
    (lambda: pseudo_classes.kmeans_labels(np.zeros(5), 2), "images must be an array"),
    (lambda: pseudo_classes.class_shares(np.array([0, 3]), 3), "labels must lie in \\[0, 3\\)"),
    (lambda: pseudo_classes.class_shares(np.array([0.0, 1.0]), 3), "labels must be a non-empty 1-D array of int"),
    (lambda: pseudo_classes.draw_labels([0.5, 0.6], 10), "shares must be at least 2 non-negative numbers summing"),
    (lambda: pseudo_classes.draw_labels([1.5, -0.5], 10), "shares must be"),
    (lambda: pseudo_classes.draw_labels([0.5, 0.5], 0), "n must be a positive integer"),
])
def test_bad_input_is_refused_naming_it(call, message):
    with pytest.raises(ValueError, match=message):
        call()
