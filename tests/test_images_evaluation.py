"""`evaluation`: the measure chosen by --eval-measure (SWD, FID, KID on the digits classifier's or InceptionV3's
features), by hand on shifted features, and refused before training when its InceptionV3 weights file is missing."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from gan_tf import cli
from gan_tf.images import choices, datasets, evaluation, observation, quality, training

REAL = np.random.default_rng(0).uniform(-1, 1, (48, 8, 8, 1)).astype(np.float32)


class Shifted:
    """A 'model' whose samples are the real images plus `shift`."""

    def __init__(self, shift):
        self.shift = shift

    def generate(self, n, seed):
        return REAL[:n] + self.shift


def flat(images):
    return np.asarray(images, np.float64).reshape(len(images), -1)


def batches(images, size=16):
    return tf.data.Dataset.from_tensor_slices(images).batch(size)


def test_the_cli_offers_the_library_measures():
    assert choices.EVAL_MEASURES == evaluation.MEASURES == tuple(evaluation.TAGS)


def test_fid_of_shifted_samples_is_the_squared_shift_times_the_dimension():
    # The same covariance, means apart by `shift` in each of the 64 features: FID = 64 shift^2.
    fid = evaluation.FeatureDistance(batches(REAL), flat, "fid", count=40)
    for shift in (0.0, 0.25, 1.0):
        assert fid.measure(Shifted(shift)).scalars["quality/fid"] == pytest.approx(64 * shift**2, abs=1e-6)
    assert len(fid.real_features) == 40


def test_kid_uses_all_the_images_and_grows_with_the_shift():
    kid = evaluation.FeatureDistance(batches(REAL), flat, "kid", count=40)
    values = [kid.measure(Shifted(shift)).scalars["quality/kid"] for shift in (0.0, 0.25, 1.0)]
    assert values == sorted(values) and values[2] > values[0] + 1.0
    by_hand = quality.kernel_inception_distance(flat(REAL[:40]), flat(REAL[:40] + 0.25), subsets=1, subset_size=40)
    assert values[1] == pytest.approx(by_hand[0])


def test_digits_fid_ranks_other_real_digits_above_noise():
    real = datasets.digits(16, batch_size=64, seed=0)
    fid = evaluation.measurement("fid", real, "digits", 16, count=256)
    assert isinstance(fid, evaluation.FeatureDistance)
    other = observation.first_images(datasets.digits(16, batch_size=64, seed=1), 512)[256:]  # reshuffled: mostly others

    class Model:
        def __init__(self, images):
            self.images = images

        def generate(self, n, seed):
            return self.images[:n]

    noise = np.random.default_rng(0).uniform(-1, 1, other.shape).astype(np.float32)
    real_value = fid.measure(Model(other)).scalars["quality/fid"]
    noise_value = fid.measure(Model(noise)).scalars["quality/fid"]
    assert real_value < 0.05 * noise_value  # measured: 0.88 against 90.4-91.8 (noise seeds 0-2)


def test_swd_is_the_sample_quality_measurement():
    assert isinstance(evaluation.measurement("swd", batches(REAL), "digits", 8), observation.SampleQuality)


def test_fid_or_kid_without_the_inception_weights_is_refused_before_anything_is_written(tmp_path, monkeypatch,
                                                                                          capsys):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    folder = tmp_path / "images"
    folder.mkdir()
    for index in range(4):
        Image.fromarray(np.full((16, 16, 3), 40 * index, np.uint8)).save(folder / f"{index}.png")
    with pytest.raises(FileNotFoundError, match=quality.INCEPTION_WEIGHTS_FILE):
        evaluation.check_available("kid", str(folder))
    evaluation.check_available("swd", str(folder))  # needs no weights
    evaluation.check_available("fid", "digits")  # the digits classifier
    with pytest.raises(SystemExit) as stopped:
        cli.main(["train", "--data", str(folder), "--out", str(tmp_path / "run"), "--image-size", "16",
                  "--batch-size", "2", "--eval-every", "1", "--eval-measure", "fid"])
    error = capsys.readouterr().err
    assert stopped.value.code == 2 and error.count("\n") == 1, error
    assert "--eval-measure fid needs the InceptionV3 weights" in error and str(tmp_path / "keras") in error
    assert not (tmp_path / "run").exists()


def test_a_measure_without_eval_every_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["train", "--data", "digits", "--out", str(tmp_path / "run"), "--eval-measure", "kid"])
    error = capsys.readouterr().err
    assert stopped.value.code == 2 and "--eval-measure kid measures only with --eval-every N" in error
    assert not (tmp_path / "run").exists()


def test_an_unknown_measure_is_refused():
    with pytest.raises(ValueError, match="eval_measure must be one of"):
        training.TrainConfig(data="digits", eval_measure="lpips")
    with pytest.raises(ValueError, match="must be one of"):
        evaluation.check_available("lpips", "digits")
