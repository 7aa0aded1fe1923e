"""Quality measures of generated images: FID and KID on InceptionV3 features, and offline digit scores.

Frechet Inception Distance (Heusel et al. 2017, https://arxiv.org/abs/1706.08500), between Gaussians fitted
to two sets of features:
    FID = |mu_a - mu_b|^2 + Tr(C_a + C_b - 2 (C_a C_b)^(1/2))
It is biased by the sample size: compare FIDs only at equal sample sizes (commonly 10k or 50k).
Kernel Inception Distance (Binkowski et al. 2018, https://arxiv.org/abs/1801.01401): the unbiased MMD^2
with the kernel k(x, y) = (x . y / d + 1)^3, averaged over random subsets.

InceptionV3 (Keras applications, ImageNet weights, 2048 pool features of 299x299 inputs) is loaded only from
a local file: nothing downloads. Put `INCEPTION_WEIGHTS_FILE` in ~/.keras/models/ (or $KERAS_HOME/models/)
or pass its path.

Offline, for digits: a classifier MLP(128) trained on real 8x8 digits scores generated images after they are
averaged back down to 8x8: its inception score exp(E_x KL(p(y|x) || p(y))), the classes it sees, and a
Frechet distance on its 128 hidden units.
"""

import os
import pathlib

import keras
import numpy as np
import tensorflow as tf
import threadpoolctl

from gan_tf.images import datasets

INCEPTION_WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
INCEPTION_WEIGHTS_URL = ("https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
                         + INCEPTION_WEIGHTS_FILE)
INCEPTION_SIZE = 299
KID_DEGREE = 3
DIGITS_HIDDEN = 128              # the classifier's hidden units
DIGITS_SEED = 0
MLP_EPOCHS = 400                 # Adam epochs at most (sklearn's default tol stops it at about 280-300)
COVERED_SHARE = 0.02             # a class is covered when >= 2% of the samples are classified as it


# ---- Frechet distance and KID on any features -----------------------------------------------------------------


def frechet_distance(features_a, features_b):
    """FID-style distance between Gaussians fitted to `[n, d]` feature sets (float64 throughout; d = 1 too: NumPy's
    covariance of one feature is a scalar, kept as a [1, 1] matrix)."""
    features_a, features_b = _as_features(features_a, "features_a"), _as_features(features_b, "features_b")
    return frechet_distance_from_statistics(features_a.mean(0), np.atleast_2d(np.cov(features_a, rowvar=False)),
                                            features_b.mean(0), np.atleast_2d(np.cov(features_b, rowvar=False)))


def frechet_distance_from_statistics(mean_a, covariance_a, mean_b, covariance_b):
    """|mu_a - mu_b|^2 + Tr(C_a) + Tr(C_b) - 2 Tr((C_a C_b)^(1/2)).

    Tr((C_a C_b)^(1/2)) = sum of sqrt(eigenvalues of C_a^(1/2) C_b C_a^(1/2)), a symmetric PSD matrix, so only
    symmetric eigendecompositions are needed (no complex sqrtm). Eigenvalues below zero by round-off (above
    -1e-8 of the largest) count as zero; larger negative ones mean a covariance is not PSD: ValueError.
    """
    root_a = _psd_square_root(np.atleast_2d(covariance_a))
    product = root_a @ np.atleast_2d(covariance_b) @ root_a
    trace_of_root = np.sum(np.sqrt(_nonnegative_eigenvalues(0.5 * (product + product.T))))
    difference = np.asarray(mean_a, np.float64) - np.asarray(mean_b, np.float64)
    return float(difference @ difference + np.trace(covariance_a) + np.trace(covariance_b) - 2.0 * trace_of_root)


def kernel_inception_distance(features_a, features_b, subsets=100, subset_size=1000, seed=0):
    """(mean, stddev) over `subsets` random subsets of the unbiased MMD^2 with the cubic polynomial kernel."""
    features_a, features_b = _as_features(features_a, "features_a"), _as_features(features_b, "features_b")
    size = min(subset_size, len(features_a), len(features_b))
    if size < 2:
        raise ValueError(f"KID needs at least 2 samples per set, got {len(features_a)} and {len(features_b)}.")
    rng = np.random.default_rng(seed)
    values = [_unbiased_mmd2(features_a[rng.choice(len(features_a), size, replace=False)],
                             features_b[rng.choice(len(features_b), size, replace=False)]) for _ in range(subsets)]
    return float(np.mean(values)), float(np.std(values))


def _unbiased_mmd2(x, y):
    dimension, size = x.shape[1], len(x)
    k_xx, k_yy, k_xy = [(p @ q.T / dimension + 1.0) ** KID_DEGREE for p, q in ((x, x), (y, y), (x, y))]
    off_diagonal = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (size * (size - 1))
    return off_diagonal - 2.0 * k_xy.mean()


def _psd_square_root(matrix):
    eigenvalues, eigenvectors = np.linalg.eigh(0.5 * (matrix + matrix.T))
    return (eigenvectors * np.sqrt(_nonnegative_eigenvalues(eigenvalues, presorted=True))) @ eigenvectors.T


def _nonnegative_eigenvalues(values, presorted=False):
    values = values if presorted else np.linalg.eigvalsh(values)
    tolerance = 1e-8 * max(float(np.max(np.abs(values))), 1e-300)
    if np.min(values) < -tolerance:
        raise ValueError(f"A covariance is not positive semi-definite (eigenvalue {np.min(values):.3g}).")
    return np.maximum(values, 0.0)  # round-off only (see the tolerance above)


def _as_features(features, name):
    features = np.asarray(features, np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"{name} must be [n >= 2, d] features, got shape {features.shape}.")
    return features


# ---- InceptionV3 --------------------------------------------------------------------------------------------


def default_inception_weights():
    """Where Keras itself caches the weights: $KERAS_HOME/models/ (default ~/.keras/models/)."""
    keras_home = pathlib.Path(os.environ.get("KERAS_HOME", pathlib.Path.home() / ".keras"))
    return keras_home / "models" / INCEPTION_WEIGHTS_FILE


def inception_feature_extractor(weights_path=None):
    """InceptionV3 without its top, average-pooled (2048 features), with weights read from a local file."""
    path = pathlib.Path(weights_path) if weights_path is not None else default_inception_weights()
    if not path.is_file():
        raise FileNotFoundError(f"InceptionV3 weights not found at {str(path)!r}: on a machine with network, "
                                f"download {INCEPTION_WEIGHTS_URL} and put it there (or pass its path).")
    return keras.applications.InceptionV3(include_top=False, weights=str(path), pooling="avg",
                                          input_shape=(INCEPTION_SIZE, INCEPTION_SIZE, 3))


def inception_features(images, extractor, batch_size=50):
    """`[n, 2048]` float64 features of images `[n, h, w, 1 or 3]` in [-1, 1] (Inception's own input range),
    resized bilinearly to 299x299; grayscale is repeated over 3 channels."""
    images = np.asarray(images, np.float32)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(f"images must be [n, height, width, 1 or 3] in [-1, 1], got shape {images.shape}.")
    chunks = []
    for start in range(0, len(images), batch_size):
        batch = tf.image.resize(images[start:start + batch_size], (INCEPTION_SIZE, INCEPTION_SIZE))
        batch = tf.tile(batch, (1, 1, 1, 3 // batch.shape[-1]))
        chunks.append(keras.ops.convert_to_numpy(extractor(batch, training=False)).astype(np.float64))
    return np.concatenate(chunks)


def fid_and_kid(real_images, generated_images, extractor, kid_subset_size=1000):
    """{"fid": .., "kid": .., "kid_stddev": ..} of generated against real images (equal counts advised)."""
    real = inception_features(real_images, extractor)
    generated = inception_features(generated_images, extractor)
    kid, kid_stddev = kernel_inception_distance(real, generated, subset_size=kid_subset_size)
    return {"fid": frechet_distance(real, generated), "kid": kid, "kid_stddev": kid_stddev}


# ---- digits (offline) ------------------------------------------------------------------------------------


def train_digits_classifier(image_size=None, seed=DIGITS_SEED):
    """scikit-learn MLP(128) trained on the training split of the 8x8 digits, inputs in [0, 1].

    With `image_size`, it trains on the digits as a GAN sees them (upscaled to `image_size` as in
    `datasets.digits`, then averaged back by `to_digit_inputs`), the representation generated images get.
    """
    import sklearn.neural_network  # noqa: PLC0415  (scikit-learn is only needed for digits)

    images, labels = datasets.digits_arrays("train")
    classifier = sklearn.neural_network.MLPClassifier(hidden_layer_sizes=(DIGITS_HIDDEN,), max_iter=MLP_EPOCHS,
                                                      random_state=seed)
    with threadpoolctl.threadpool_limits(1):  # BLAS threads only contend on a small busy machine (10x slower)
        return classifier.fit(real_digit_inputs(images, image_size), labels)


def real_digit_inputs(images, image_size=None):
    """Real 8x8 digits `[n, 8, 8]` in [0, 16] as classifier inputs, directly or through `image_size`."""
    if image_size is None:
        return images.reshape(len(images), -1) / 16.0
    return to_digit_inputs(datasets.upscale_digits(images[..., None], image_size).numpy())


def to_digit_inputs(images):
    """Images `[n, h, w, c]` in [-1, 1] (h, w multiples of 8) -> the classifier's `[n, 64]` inputs in [0, 1]:
    channels averaged, then 8x8 block means (the inverse of the upscaling, up to its blur)."""
    images = np.asarray(images, np.float64)
    if images.ndim != 4 or images.shape[1] % 8 or images.shape[2] % 8:
        raise ValueError(f"images must be [n, height, width, channels] with sides multiple of 8, got {images.shape}.")
    gray = images.mean(axis=-1)
    blocks = gray.reshape(len(gray), 8, gray.shape[1] // 8, 8, gray.shape[2] // 8).mean(axis=(2, 4))
    return ((blocks + 1.0) / 2.0).reshape(len(gray), 64)


def inception_score(probabilities):
    """exp(E_x KL(p(y|x) || p(y))) of class probabilities `[n, classes]`; between 1 and the class count."""
    probabilities = np.asarray(probabilities, np.float64)
    marginal = probabilities.mean(axis=0)
    kl = np.sum(probabilities * (np.log(np.maximum(probabilities, 1e-300)) - np.log(np.maximum(marginal, 1e-300))),
                axis=1)
    return float(np.exp(kl.mean()))


def digits_scores(classifier, images, reference_images=None):
    """Classifier scores of images in [-1, 1] (or of `[n, 64]` classifier inputs): inception score, classes
    covered (>= 2% of argmaxes), class shares, mean top probability, and (with `reference_images`, same
    forms) the Frechet distance of the classifier's hidden activations."""
    inputs = _inputs(images)
    probabilities = classifier.predict_proba(inputs)
    shares = np.bincount(probabilities.argmax(axis=1), minlength=10) / len(inputs)
    scores = {"classifier_inception_score": inception_score(probabilities),
              "classes_covered": int(np.sum(shares >= COVERED_SHARE)),
              "class_shares": [round(float(share), 4) for share in shares],
              "mean_top_probability": float(probabilities.max(axis=1).mean())}
    if reference_images is not None:
        scores["classifier_frechet_distance"] = frechet_distance(digits_features(classifier, reference_images),
                                                                 _hidden(classifier, inputs))
    return scores


def digits_features(classifier, images):
    """The classifier's `[n, 128]` hidden activations (ReLU) of images in [-1, 1] (or of `[n, 64]` inputs): the
    features of its Frechet distance."""
    return _hidden(classifier, _inputs(images))


def _inputs(images):
    images = np.asarray(images)
    return images if images.ndim == 2 and images.shape[1] == 64 else to_digit_inputs(images)


def _hidden(classifier, inputs):
    return np.maximum(inputs @ classifier.coefs_[0] + classifier.intercepts_[0], 0.0)
