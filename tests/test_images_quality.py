"""FID / KID against NumPy-SciPy references, the InceptionV3 loading path, and the offline digit scores."""

import keras
import numpy as np
import pytest
import scipy.linalg

from gan_tf.images import datasets, quality


def reference_frechet(a, b):
    """The textbook formula with SciPy's general matrix square root (a different algorithm from ours)."""
    mean_a, mean_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = scipy.linalg.sqrtm(cov_a @ cov_b).real
    return np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2.0 * root)


def reference_mmd2(x, y):
    """Unbiased MMD^2 with (x.y/d + 1)^3, by explicit loops over pairs."""
    kernel = lambda p, q: (np.dot(p, q) / len(p) + 1.0) ** 3  # noqa: E731
    n = len(x)
    same = sum(kernel(x[i], x[j]) + kernel(y[i], y[j]) for i in range(n) for j in range(n) if i != j)
    cross = sum(kernel(x[i], y[j]) for i in range(n) for j in range(n))
    return same / (n * (n - 1)) - 2.0 * cross / n ** 2


@pytest.mark.parametrize("dimension, shift", [(3, 0.0), (8, 0.5), (16, 2.0)])
def test_frechet_distance_matches_scipy_sqrtm(dimension, shift):
    rng = np.random.default_rng(dimension)
    a = rng.normal(size=(200, dimension)) @ rng.normal(size=(dimension, dimension))
    b = rng.normal(size=(300, dimension)) * rng.uniform(0.5, 2.0, dimension) + shift
    assert quality.frechet_distance(a, b) == pytest.approx(reference_frechet(a, b), rel=1e-7, abs=1e-9)


def test_frechet_distance_closed_forms():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(500, 5))
    assert quality.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-9)
    offset = np.array([1.0, -2.0, 0.0, 0.5, 3.0])
    assert quality.frechet_distance(a, a + offset) == pytest.approx(offset @ offset, rel=1e-9)
    # N(0, s1^2 I) against N(0, s2^2 I) in d dimensions: d (s1 - s2)^2
    identity = np.eye(5)
    value = quality.frechet_distance_from_statistics(np.zeros(5), 4.0 * identity, np.zeros(5), identity)
    assert value == pytest.approx(5 * (2.0 - 1.0) ** 2, rel=1e-12)


def test_frechet_distance_of_one_feature():
    # [0, .5, 1] against [0, 1, 2]: (0.5 - 1)^2 + 0.25 + 1 - 2 sqrt(0.25 * 1) = 0.5 (sample variances, ddof 1),
    # the value pytorch-fid gives for these features.
    a, b = np.array([[0.0], [0.5], [1.0]]), np.array([[0.0], [1.0], [2.0]])
    assert quality.frechet_distance(a, b) == pytest.approx(0.5, rel=1e-12)


def test_kid_matches_the_loop_reference_and_is_unbiased():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(20, 4)), rng.normal(loc=0.3, size=(20, 4))
    mean, stddev = quality.kernel_inception_distance(x, y, subsets=1, subset_size=20)
    assert mean == pytest.approx(reference_mmd2(x, y), rel=1e-10) and stddev == 0.0
    same = [quality.kernel_inception_distance(rng.normal(size=(100, 4)), rng.normal(size=(100, 4)),
                                                    subsets=1, subset_size=100)[0] for _ in range(200)]
    shifted = quality.kernel_inception_distance(rng.normal(size=(100, 4)), rng.normal(1.0, size=(100, 4)))[0]
    # Unbiased: the mean over 200 draws of equal distributions is 0 within ~3 standard errors.
    assert abs(np.mean(same)) < 3 * np.std(same) / np.sqrt(len(same)) and shifted > 10 * np.std(same)


def test_non_psd_covariance_and_bad_shapes_raise():
    with pytest.raises(ValueError, match="not positive semi-definite"):
        quality.frechet_distance_from_statistics(np.zeros(2), -np.eye(2), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="features_a must be"):
        quality.frechet_distance(np.zeros(5), np.zeros((5, 2)))


def test_inception_weights_load_from_a_local_file_and_missing_file_says_where(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    with pytest.raises(FileNotFoundError, match="inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"):
        quality.inception_feature_extractor()
    keras.utils.set_random_seed(0)
    original = keras.applications.InceptionV3(include_top=False, weights=None, pooling="avg", input_shape=(299, 299, 3))
    path = tmp_path / "inception.weights.h5"
    original.save_weights(path)
    extractor = quality.inception_feature_extractor(path)
    images = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 1)).astype("float32")
    features = quality.inception_features(images, extractor)
    expected = quality.inception_features(images, original)
    assert features.shape == (2, 2048)
    np.testing.assert_allclose(features, expected, rtol=1e-5, atol=1e-6)


def test_inception_score_closed_forms():
    assert quality.inception_score(np.eye(10)) == pytest.approx(10.0)  # confident and balanced
    assert quality.inception_score(np.tile(np.eye(10)[3], (7, 1))) == pytest.approx(1.0)  # one class
    assert quality.inception_score(np.full((5, 10), 0.1)) == pytest.approx(1.0)  # no confidence


def test_real_held_out_digits_score_about_9_4_and_a_collapsed_set_about_1():
    classifier = quality.train_digits_classifier(image_size=32)
    test_images = np.concatenate([batch.numpy() for batch in datasets.digits(32, batch_size=359, split="test", seed=0)])
    real = quality.digits_scores(classifier, test_images)
    # Measured 9.35 (10 classes covered); an MLP(128) on real digits scores about 9.4.
    assert real["classifier_inception_score"] == pytest.approx(9.35, abs=0.25) and real["classes_covered"] == 10
    labels = classifier.predict(quality.to_digit_inputs(test_images))
    collapsed = quality.digits_scores(classifier, test_images[labels == 3], reference_images=test_images)
    assert collapsed["classes_covered"] == 1 and collapsed["classifier_inception_score"] < 1.3
    assert collapsed["classifier_frechet_distance"] > 10 * quality.digits_scores(
        classifier, test_images[::2], reference_images=test_images[1::2])["classifier_frechet_distance"]


def test_to_digit_inputs_is_an_8x8_block_mean_mapped_to_0_1():
    images = np.zeros((1, 16, 16, 3))
    images[0, :2, :2, :] = 1.0  # the top-left 2x2 block white, the rest mid-grey
    inputs = quality.to_digit_inputs(images)
    assert inputs.shape == (1, 64) and inputs[0, 0] == 1.0 and np.all(inputs[0, 1:] == 0.5)
    with pytest.raises(ValueError, match="multiple of 8"):
        quality.to_digit_inputs(np.zeros((1, 12, 12, 1)))
