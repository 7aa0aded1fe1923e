"""`gan_tf.images.small_datasets`: sizes and ranges, a subset and its held-out digits as a partition of the digits,
and Stacked-digits mode counting checked on real stacks (nearly all 1,000 modes, KL near 0) and on a one-mode set
(KL = log 1000)."""

import numpy as np
import pytest

from gan_tf.images import quality, small_datasets


@pytest.fixture(scope="module")
def classifier():
    return quality.train_digits_classifier(image_size=32)


def test_a_tenth_of_the_digits_is_180_images_in_range():
    images, labels = small_datasets.digits_subset(0.1)
    assert images.shape == (180, 32, 32, 1) and labels.shape == (180,)
    assert images.min() >= -1.0 and images.max() <= 1.0
    again, _ = small_datasets.digits_subset(0.1)
    np.testing.assert_array_equal(images, again)


def test_the_held_out_digits_and_the_subset_split_the_digits_in_two():
    subset, subset_labels = small_datasets.digits_subset(0.1, image_size=8, seed=5)
    held_out, held_out_labels = small_datasets.digits_held_out(0.1, image_size=8, seed=5)
    everything, labels = small_datasets.digits_subset(1.0, image_size=8)
    assert len(held_out) == 1797 - 180
    assert sorted(_rows(subset, subset_labels) + _rows(held_out, held_out_labels)) == _rows(everything, labels)


def _rows(images, labels):
    return sorted(image.tobytes() + bytes([label]) for image, label in zip(images, labels))


def test_stacked_digits_hold_one_digit_per_channel():
    images, modes = small_datasets.stacked_digits(500, seed=1)
    assert images.shape == (500, 32, 32, 3) and modes.min() >= 0 and modes.max() < 1000
    assert len(np.unique(modes)) > 350  # 500 draws of 1,000 modes: 1000 (1 - e^-0.5) = 393 expected


def test_real_stacked_digits_cover_nearly_every_mode(classifier):
    images, modes = small_datasets.stacked_digits(10_000, seed=2)
    found = small_datasets.stacked_digit_modes(classifier, images)
    assert found["modes"] >= 990  # 10k uniform draws miss a mode with probability e^-10
    assert found["kl_to_uniform"] < 0.1
    assert found["counts"].sum() == 10_000


def test_one_repeated_stack_is_one_mode_with_kl_log_1000(classifier):
    images, _ = small_datasets.stacked_digits(1, seed=3)
    found = small_datasets.stacked_digit_modes(classifier, np.repeat(images, 50, axis=0))
    assert found["modes"] == 1
    assert found["kl_to_uniform"] == pytest.approx(np.log(1000))


def test_photo_crops_are_colour_images_in_range_and_repeatable():
    crops = small_datasets.photo_crops(64, size=32, seed=4)
    assert crops.shape == (64, 32, 32, 3) and crops.min() >= -1.0 and crops.max() <= 1.0
    np.testing.assert_array_equal(crops, small_datasets.photo_crops(64, size=32, seed=4))
    assert np.std(crops.reshape(64, -1, 3).mean(axis=1), axis=0).min() > 0.05  # crops differ in colour


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="fraction must be in"):
        small_datasets.digits_subset(0)
    with pytest.raises(ValueError, match="fraction must be in"):
        small_datasets.digits_held_out(1.5)
    with pytest.raises(ValueError, match="stacked digits"):
        small_datasets.stacked_digit_modes(None, np.zeros((2, 32, 32, 1)))
