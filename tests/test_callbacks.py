"""TensorBoard summaries (read back from the event files) and the in-memory recorder, under XLA."""

import keras
import numpy as np
import pytest
from tensorboard.backend.event_processing import event_accumulator

import gan_tf
from gan_tf import callbacks, distributions, networks

SCALARS = {"d_loss", "g_loss", "p_real_on_real", "p_real_on_fake", "G/mean", "G/stddev"}


def fit_with(monitors, steps=30, steps_per_execution=5, generator=None):
    keras.utils.set_random_seed(0)
    gan = gan_tf.GAN(generator or networks.linear_generator(), networks.mlp_discriminator([8]), latent_dim=1, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(0.01), g_optimizer=keras.optimizers.Adam(0.02),
                steps_per_execution=steps_per_execution, jit_compile=True)
    data = distributions.sample_dataset(distributions.normal(2.0, 3.0), 32, seed=0)
    gan.fit(data, steps_per_epoch=steps // 2, epochs=2, callbacks=monitors, verbose=0)
    return gan


def probe_data():
    return distributions.sample_dataset(distributions.normal(2.0, 3.0), 64, seed=1)


def test_tensorboard_event_files_hold_every_tag(tmp_path):
    fit_with([callbacks.TensorBoardMonitor(tmp_path, probe_data(), every_n_steps=10)])
    accumulator = event_accumulator.EventAccumulator(str(tmp_path), size_guidance={"tensors": 0})
    accumulator.Reload()
    tags = set(accumulator.Tags()["tensors"])
    assert SCALARS | set(callbacks.HISTOGRAM_NAMES) <= tags
    assert [event.step for event in accumulator.Tensors("p_real_on_real")] == [0, 10, 20, 30]
    histogram = accumulator.Tensors("fake_data")[-1].tensor_proto
    assert histogram.tensor_shape.dim[0].size > 0  # buckets were written


def test_recorder_series_match_the_model():
    recorder = callbacks.Recorder(probe_data(), every_n_steps=10, grid=np.linspace(-5, 5, 21))
    gan = fit_with([recorder])
    assert recorder.steps == [0, 10, 20, 30]
    assert SCALARS <= set(recorder.scalars)
    layer = networks.location_scale_layer(gan.generator)
    assert recorder.scalars["G/mean"][-1] == pytest.approx(float(layer.mean[0]))
    assert recorder.scalars["G/mean"][0] == 0.0 and recorder.scalars["G/stddev"][0] == 1.0  # the initial G
    assert all(len(samples) == 64 for samples in recorder.samples["fake_data"])
    d_real = recorder.samples["d_real"][-1]
    assert recorder.scalars["p_real_on_real"][-1] == pytest.approx(float(d_real.mean()), rel=1e-6)
    assert len(recorder.discriminator_on_grid) == 4 and recorder.discriminator_on_grid[0].shape == (21,)


def test_observation_does_not_touch_the_training_random_stream():
    # Same seeds with and without a monitor give the same trained generator.
    without = fit_with([]).generate(5, seed=1)
    with_monitor = fit_with([callbacks.Recorder(probe_data(), every_n_steps=5)]).generate(5, seed=1)
    np.testing.assert_allclose(without, with_monitor, rtol=1e-6)


def test_no_generator_parameters_for_an_mlp_generator():
    recorder = callbacks.Recorder(probe_data(), every_n_steps=10)
    fit_with([recorder], generator=networks.mlp_generator([8]))
    assert "G/mean" not in recorder.scalars and "p_real_on_fake" in recorder.scalars


def test_bad_arguments():
    with pytest.raises(ValueError, match="every_n_steps"):
        callbacks.Recorder(probe_data(), every_n_steps=0)
    with pytest.raises(ValueError, match="real_data must be a tf.data.Dataset"):
        callbacks.Recorder(np.zeros((4, 1)))
