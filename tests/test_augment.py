"""`gan_tf.augment`: DiffAugment's three policies checked on images whose answer is known, and ADA's update."""

import numpy as np
import pytest
import tensorflow as tf

from gan_tf import augment

SEED = tf.constant([3, 7], tf.int32)


def single_pixel_images(batch, size=16, row=8, column=8):
    images = np.zeros([batch, size, size, 1], np.float32)
    images[:, row, column, 0] = 1.0
    return tf.constant(images)


def test_color_moves_a_constant_image_by_its_brightness_shift_only():
    # Saturation and contrast scale deviations from a mean: a constant image has none, so only
    # brightness (x + u - 0.5, u in [0, 1)) changes it, by one amount per image.
    images = tf.fill([64, 4, 4, 3], 0.25)
    out = augment.color(images, SEED).numpy()
    per_image = out.reshape(64, -1)
    np.testing.assert_allclose(per_image, per_image[:, :1].repeat(48, axis=1), atol=1e-6)
    shifts = per_image[:, 0] - 0.25
    assert np.all(shifts >= -0.5) and np.all(shifts < 0.5)
    assert np.std(shifts) > 0.2  # one draw per image (uniform on [-0.5, 0.5): std 0.29)


def test_color_contrast_and_saturation_keep_the_image_mean_up_to_brightness():
    images = tf.random.stateless_uniform([32, 8, 8, 3], [1, 2], -1, 1)
    out = augment.color(images, SEED)
    uniforms = augment.uniform([3, 32, 1, 1, 1], SEED)
    expected_mean = tf.reduce_mean(images, axis=[1, 2, 3]) + tf.reshape(uniforms[0], [-1]) - 0.5
    np.testing.assert_allclose(tf.reduce_mean(out, axis=[1, 2, 3]), expected_mean, atol=1e-5)


def test_translation_moves_a_pixel_by_at_most_an_eighth_of_the_side_and_keeps_it():
    out = augment.translation(single_pixel_images(200), SEED).numpy()
    np.testing.assert_allclose(out.sum(axis=(1, 2, 3)), 1.0, atol=1e-6)  # centre pixel: never shifted out
    rows, columns = np.nonzero(out[..., 0].max(axis=0) > 0)
    assert set(np.unique(rows)) == set(range(6, 11)) and set(np.unique(columns)) == set(range(6, 11))  # 8 +- 2


def test_translation_fills_with_zeros_what_comes_in():
    images = tf.ones([100, 16, 16, 1])
    out = augment.translation(images, SEED).numpy()[..., 0]
    for image in out:
        rows_kept = np.count_nonzero(image.max(axis=1))
        columns_kept = np.count_nonzero(image.max(axis=0))
        assert image.sum() == rows_kept * columns_kept  # a rectangle of ones, zeros elsewhere
        assert 14 <= rows_kept <= 16 and 14 <= columns_kept <= 16


def test_cutout_zeroes_one_square_of_half_the_side_clipped_at_the_borders():
    out = augment.cutout(tf.ones([300, 16, 16, 1]), SEED).numpy()[..., 0]
    full_squares = 0
    for image in out:
        zero_rows = np.nonzero((image == 0).any(axis=1))[0]
        zero_columns = np.nonzero((image == 0).any(axis=0))[0]
        assert np.array_equal(zero_rows, np.arange(zero_rows[0], zero_rows[-1] + 1))
        assert len(zero_rows) <= 8 and len(zero_columns) <= 8
        assert (image == 0).sum() == len(zero_rows) * len(zero_columns)
        full_squares += len(zero_rows) == 8 and len(zero_columns) == 8
    assert 0.2 < full_squares / len(out) < 0.45  # inside on both axes: (9/17)^2 = 0.28


def test_the_same_seed_augments_real_and_fake_batches_alike():
    real, fake = single_pixel_images(50), 2.0 * single_pixel_images(50)
    out_real = augment.diff_augment(real, SEED, policies=("translation", "cutout")).numpy()
    out_fake = augment.diff_augment(fake, SEED, policies=("translation", "cutout")).numpy()
    np.testing.assert_allclose(out_fake, 2.0 * out_real)
    other = augment.diff_augment(fake, SEED + 1, policies=("translation", "cutout")).numpy()
    assert not np.allclose(other, 2.0 * out_real)


def test_augmentation_is_differentiable_and_its_gradient_sees_what_survives():
    images = tf.Variable(tf.ones([8, 16, 16, 3]))
    with tf.GradientTape() as tape:
        out = augment.diff_augment(images, SEED)
        total = tf.reduce_sum(out)
    gradient = tape.gradient(total, images)
    assert gradient is not None and np.all(np.isfinite(gradient.numpy()))
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(augment.translation(images, SEED))
    visible = augment.translation(tf.ones([8, 16, 16, 3]), SEED)
    # translation is linear with 0/1 weights: d sum / d x = 1 where the pixel stays in the picture
    np.testing.assert_allclose(tf.reduce_sum(tape.gradient(total, images)), tf.reduce_sum(visible))


@pytest.mark.parametrize("probability, low, high", [(0.0, 0.0, 0.0), (0.5, 0.4, 0.6), (1.0, 1.0, 1.0)])
def test_each_image_is_augmented_with_the_given_probability(probability, low, high):
    images = tf.random.stateless_uniform([1000, 8, 8, 3], [5, 6], -1, 1)
    out = augment.diff_augment(images, SEED, policies=("color",), probability=probability)
    changed = np.mean(np.any(np.abs(out.numpy() - images.numpy()) > 1e-6, axis=(1, 2, 3)))
    assert low <= changed <= high


def test_xla_gives_the_eager_result():
    images = tf.random.stateless_uniform([4, 16, 16, 3], [8, 9], -1, 1)
    compiled = tf.function(lambda x: augment.diff_augment(x, SEED, probability=tf.constant(0.7)), jit_compile=True)
    eager = augment.diff_augment(images, SEED, probability=tf.constant(0.7))
    np.testing.assert_allclose(compiled(images), eager, atol=1e-5)


def test_unknown_policy_is_refused_by_name():
    with pytest.raises(ValueError, match="policies must be a list of names in .*'flip'"):
        augment.diff_augment(tf.zeros([1, 8, 8, 1]), SEED, policies=("flip",))


def test_ada_moves_p_by_the_sign_of_the_overfitting_heuristic():
    step = 256 / 500_000
    overfitting = augment.overfitting_heuristic(tf.constant([[2.0], [1.0], [3.0], [-1.0]]))
    assert float(overfitting) == pytest.approx(0.5)  # (1 + 1 + 1 - 1) / 4 < 0.6: D is not overfitting, p falls
    assert float(augment.adapt_probability(0.1, overfitting, 256, target=0.6)) == pytest.approx(0.1 - step)
    assert float(augment.adapt_probability(0.1, 1.0, 256, target=0.6)) == pytest.approx(0.1 + step)
    assert float(augment.adapt_probability(0.0, -1.0, 256)) == 0.0  # clipped
