"""Toy distributions and the in-graph sampling pipeline."""

import numpy as np
import pytest
import tensorflow as tf

from gan_tf import distributions


def first_batch(distribution, batch_size, seed):
    return next(iter(distributions.sample_dataset(distribution, batch_size, seed=seed))).numpy()


def test_sample_dataset_contract_and_moments():
    batch = first_batch(distributions.normal(2.0, 3.0), 20000, seed=0)
    assert batch.shape == (20000, 1) and batch.dtype == np.float32
    # Standard errors: 3 / sqrt(20000) = 0.021 for the mean; about 0.015 for the stddev. Allow 5 of them.
    assert batch.mean() == pytest.approx(2.0, abs=0.11)
    assert batch.std() == pytest.approx(3.0, abs=0.08)


def test_seeded_streams_repeat_and_batches_differ():
    normal = distributions.normal(0.0, 1.0)
    first = [batch.numpy() for batch in distributions.sample_dataset(normal, 8, seed=7).take(3)]
    again = [batch.numpy() for batch in distributions.sample_dataset(normal, 8, seed=7).take(3)]
    other = [batch.numpy() for batch in distributions.sample_dataset(normal, 8, seed=8).take(3)]
    np.testing.assert_array_equal(np.stack(first), np.stack(again))
    assert not np.array_equal(first[0], first[1])
    assert not np.array_equal(first[0], other[0])


def test_mixture_weights_and_density():
    mixture = distributions.mixture([-2.0, 4.0], [1.0, 1.5], weights=[0.25, 0.75])
    batch = first_batch(mixture, 40000, seed=1)
    assert np.mean(batch > 1.0) == pytest.approx(0.75 + 0.25 * 0.0013 - 0.75 * 0.0228, abs=0.012)
    x = np.array([[-2.0], [4.0], [0.5]], dtype=np.float32)

    def normal_pdf(value, mean, stddev):
        return np.exp(-0.5 * ((value - mean) / stddev) ** 2) / (stddev * np.sqrt(2 * np.pi))

    expected = 0.25 * normal_pdf(x[:, 0], -2.0, 1.0) + 0.75 * normal_pdf(x[:, 0], 4.0, 1.5)
    np.testing.assert_allclose(np.exp(mixture.log_prob(x).numpy()), expected, rtol=1e-5)


def test_mixture_defaults_to_equal_weights():
    mixture = distributions.mixture([-1.0, 1.0, 3.0], [1.0, 1.0, 1.0])
    np.testing.assert_allclose(mixture.mixture_distribution.probs_parameter().numpy(), [1 / 3] * 3, rtol=1e-6)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: distributions.normal(0.0, 0.0), "stddev must be > 0"),
        (lambda: distributions.mixture([0.0, 1.0], [1.0]), "same length"),
        (lambda: distributions.mixture([0.0, 1.0], [1.0, 1.0], weights=[0.5, 0.6]), "summing to 1"),
        (lambda: distributions.sample_dataset(distributions.normal(0.0, 1.0), 0), "batch_size must be a positive"),
        (lambda: distributions.sample_dataset(distributions.normal(0.0, 1.0), 4, seed=-1), "seed must be None"),
    ],
)
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_sampling_runs_in_graph():
    # The map function is traced once (no Python per batch): the dataset graph holds the sampling ops.
    dataset = distributions.sample_dataset(distributions.normal(0.0, 1.0), 4, seed=0)
    assert isinstance(dataset, tf.data.Dataset)
    assert dataset.element_spec == tf.TensorSpec(shape=(4, 1), dtype=tf.float32)


def test_the_stream_has_no_autotuning_thread():
    # tf.data's autotuning thread could hold the iterator's destruction at the end of `fit` for 18-35 s (TF 2.21,
    # 1 run in 4 with toy runs side by side): the toy stream does without it, and keeps its fixed parallelism.
    dataset = distributions.sample_dataset(distributions.normal(0.0, 1.0), 4, seed=0)
    assert dataset.options().autotune.enabled is False
    stacked = distributions.sample_dataset(distributions.normal(0.0, 1.0), 4, seed=0, stack=3)
    assert stacked.options().autotune.enabled is False
