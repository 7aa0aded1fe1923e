"""The probe callback (a measurement written to TensorBoard, read back from the event files, and to memory),
its step numbering across `fit` calls, and the non-finite-loss stop."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

import gan_tf
from gan_tf import callbacks, distributions, measurements, models, networks

SCALARS = {"d_loss", "g_loss", "p_real_on_real", "p_real_on_fake", "G/mean", "G/stddev"}
SAMPLES = {"real_data", "fake_data", "d_real", "d_fake"}
# Where TensorBoard shows them: run (sub-folder) -> tags.
TENSORBOARD_TAGS = {"": {"loss/d", "loss/g", "G/mean", "G/stddev"},
                    "real": {"D/mean_output", "data/samples", "D/output"},
                    "fake": {"D/mean_output", "data/samples", "D/output"}}


def compiled_gan(generator=None, steps_per_execution=5, jit_compile=True, **compile_options):
    keras.utils.set_random_seed(0)
    gan = gan_tf.GAN(generator or networks.linear_generator(), networks.mlp_discriminator([8]), latent_dim=1, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(0.01), g_optimizer=keras.optimizers.Adam(0.02),
                steps_per_execution=steps_per_execution, jit_compile=jit_compile, **compile_options)
    return gan


def training_data():
    return distributions.sample_dataset(distributions.normal(2.0, 3.0), 32, seed=0)


def fit_with(monitors, steps=30, steps_per_execution=5, generator=None):
    gan = compiled_gan(generator, steps_per_execution)
    gan.fit(training_data(), steps_per_epoch=steps // 2, epochs=2, callbacks=monitors, verbose=0)
    return gan


def probe_data():
    return distributions.sample_dataset(distributions.normal(2.0, 3.0), 64, seed=1)


def events(log_dir):
    """The event files of `log_dir` (not of its sub-folders), read."""
    accumulator = event_accumulator.EventAccumulator(str(log_dir), size_guidance={"tensors": 0, "images": 0})
    accumulator.Reload()
    return accumulator


def tensorboard_scalars(log_dir, name):
    """[(step, value)] of the scalar `name` in the event files of `log_dir`."""
    return [(event.step, float(tf.make_ndarray(event.tensor_proto))) for event in events(log_dir).Tensors(name)]


def histogram(log_dir, tag, index=-1):
    """The `index`-th histogram `tag` in `log_dir`: [buckets, 3] rows (left edge, right edge, count)."""
    return tf.make_ndarray(events(log_dir).Tensors(tag)[index].tensor_proto)


class OptimizerSteps:
    """A measurement of the optimizers' iterations: what the step of a probe should be derived from."""

    def measure(self, model):
        return measurements.Observation({"g_iterations": int(model.g_optimizer.iterations.numpy())}, {}, {})


def test_tensorboard_puts_real_and_fake_under_one_tag_in_sibling_runs(tmp_path):
    sink = callbacks.TensorBoardSink(tmp_path, picture_every_n_steps=20)
    fit_with([callbacks.Probe(measurements.LossesAndSamples(probe_data()), sink, 10)])
    pictures = {"data/samples/real_and_fake", "D/output/real_and_fake"}  # images, stored as tensors too
    for run, tags in TENSORBOARD_TAGS.items():
        assert set(events(tmp_path / run).Tags()["tensors"]) == tags | (pictures if run == "" else set()), run
    assert [step for step, _ in tensorboard_scalars(tmp_path / "real", "D/mean_output")] == [0, 10, 20, 30]
    assert histogram(tmp_path / "fake", "data/samples")[:, 2].sum() == 64  # every probe sample in a bucket
    written = events(tmp_path).Tensors("data/samples/real_and_fake")
    assert [event.step for event in written] == [0, 20]  # at the first write, then every 20 steps
    width, height, _ = tf.make_ndarray(written[0].tensor_proto)  # an image summary: width, height, PNG
    assert (int(width), int(height)) == (320, 256)


def test_tensorboard_histograms_a_two_dimensional_sample_per_coordinate(tmp_path):
    rng = np.random.default_rng(0)
    real = np.stack([rng.uniform(0, 1, 200), rng.uniform(10, 11, 200)], axis=1)  # x in [0, 1], y in [10, 11]
    fake = np.stack([rng.uniform(-3, -2, 100), rng.uniform(5, 6, 100)], axis=1)
    observation = measurements.Observation({}, {"real_data": real, "fake_data": fake}, {},
                                           measurements.LossesAndSamples.PLACEMENTS)
    sink = callbacks.TensorBoardSink(tmp_path)
    sink.write(0, observation)
    sink.flush()
    for run, samples in (("real", real), ("fake", fake)):
        assert set(events(tmp_path / run).Tags()["tensors"]) == {"data/samples/x0", "data/samples/x1"}
        for column in range(2):
            buckets = histogram(tmp_path / run, f"data/samples/x{column}")
            assert buckets[:, 2].sum() == len(samples)  # one coordinate of each sample, not both pooled
            assert buckets[0, 0] == pytest.approx(samples[:, column].min(), abs=1e-6)
            assert buckets[-1, 1] == pytest.approx(samples[:, column].max(), abs=1e-6)
    assert events(tmp_path).Tags()["tensors"] == ["data/samples/real_and_fake"]  # the scatter plot


def test_names_without_a_placement_keep_their_name_in_the_main_run(tmp_path):
    sink = callbacks.TensorBoardSink(tmp_path, picture_every_n_steps=None)
    sink.write(5, measurements.Observation({"custom/value": np.float32(2.5)}, {"x": np.arange(4.0)}, {}))
    sink.flush()
    assert tensorboard_scalars(tmp_path, "custom/value") == [(5, 2.5)]
    assert histogram(tmp_path, "x")[:, 2].sum() == 4 and not (tmp_path / "real").exists()


def test_run_names_stay_readable():
    assert callbacks.run_name("L2 5e-4 + dropout 0.5") == "L2 5e-4 + dropout 0.5"
    assert callbacks.run_name(" a/b ") == "a-b"
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        callbacks.run_name(" ")


def test_memory_series_match_the_model():
    memory = callbacks.MemorySink()
    measurement = measurements.LossesAndSamples(probe_data(), grid=np.linspace(-5, 5, 21))
    gan = fit_with([callbacks.Probe(measurement, memory, every_n_steps=10)])
    assert memory.steps == [0, 10, 20, 30]
    assert SCALARS <= set(memory.scalars)
    layer = networks.location_scale_layer(gan.generator)
    assert memory.scalars["G/mean"][-1] == pytest.approx(float(layer.mean[0]))
    assert memory.scalars["G/mean"][0] == 0.0 and memory.scalars["G/stddev"][0] == 1.0  # the initial G
    assert all(samples.shape == (64, 1) for samples in memory.samples["fake_data"])
    d_real = memory.samples["d_real"][-1]
    assert memory.scalars["p_real_on_real"][-1] == pytest.approx(float(d_real.mean()), rel=1e-6)
    assert len(memory.samples["d_on_grid"]) == 4 and memory.samples["d_on_grid"][0].shape == (21,)
    assert memory.final("G/mean", window=2) == pytest.approx(np.mean(memory.scalars["G/mean"][-2:]))


def test_one_measurement_in_both_sinks_gives_the_same_values(tmp_path):
    memory = callbacks.MemorySink()
    sinks = [callbacks.TensorBoardSink(tmp_path), memory]
    fit_with([callbacks.Probe(measurements.LossesAndSamples(probe_data()), sinks, every_n_steps=10)])
    placements = measurements.LossesAndSamples.PLACEMENTS
    for name in SCALARS:
        placement = placements.get(name, measurements.Placement(name))
        steps, values = zip(*tensorboard_scalars(tmp_path / placement.run, placement.tag))
        assert list(steps) == memory.steps
        np.testing.assert_allclose(values, memory.scalars[name], rtol=1e-6)  # float32 in the event file


def test_the_step_is_the_optimizers_across_two_fit_calls():
    memory = callbacks.MemorySink()
    probe = callbacks.Probe(OptimizerSteps(), memory, every_n_steps=10)
    gan = compiled_gan()
    for _ in range(2):  # 15 steps each: the second fit goes on from step 15 (probed when the first ended)
        gan.fit(training_data(), steps_per_epoch=15, epochs=1, callbacks=[probe], verbose=0)
    assert memory.steps == [0, 10, 15, 20, 30]
    assert memory.scalars["g_iterations"] == memory.steps
    assert gan.trained_batches() == 30


def test_the_last_step_is_always_probed():
    memory = callbacks.MemorySink()
    gan = compiled_gan(steps_per_execution=1, jit_compile=False)
    gan.fit(training_data(), steps_per_epoch=23, epochs=1, callbacks=[callbacks.Probe(OptimizerSteps(), memory, 10)],
            verbose=0)
    assert memory.steps == [0, 10, 20, 23]


def test_a_restored_model_goes_on_from_its_step(tmp_path):
    gan = compiled_gan(steps_per_execution=1, jit_compile=False)
    gan.fit(training_data(), steps_per_epoch=7, epochs=1, verbose=0)
    gan.save(tmp_path / "gan.keras")
    restored = keras.models.load_model(tmp_path / "gan.keras")
    memory = callbacks.MemorySink()
    restored.fit(training_data(), steps_per_epoch=8, epochs=1, callbacks=[callbacks.Probe(OptimizerSteps(), memory, 5)],
                 verbose=0)
    assert memory.steps == [7, 10, 15]


def test_stacked_batches_count_every_batch_of_a_stack():
    # One Keras step trains a stack of 4 batches: the step advances by 4 and probes fall on multiples of 4.
    memory = callbacks.MemorySink()
    gan = compiled_gan(steps_per_execution=1, jit_compile=False, stacked_batches=True)
    stacked = distributions.sample_dataset(distributions.normal(2.0, 3.0), 32, seed=0, stack=4)
    gan.fit(stacked, steps_per_epoch=5, epochs=1, callbacks=[callbacks.Probe(OptimizerSteps(), memory, 6)], verbose=0)
    assert memory.steps == [0, 8, 12, 20]


@pytest.mark.parametrize("model_class, options", [(models.GAN, {"g_steps": 2}), (models.GAN, {"d_steps": 3}),
                                                  (models.ParityAlternatingGAN, {}), (models.FixedGeneratorGAN, {})])
def test_trained_batches_counts_batches_for_every_update_schedule(model_class, options):
    keras.utils.set_random_seed(0)
    gan = model_class(networks.linear_generator(), networks.mlp_discriminator([8]), latent_dim=1, **options)
    gan.compile(keras.optimizers.Adam(0.01), keras.optimizers.Adam(0.01))
    gan.fit(training_data(), steps_per_epoch=5, epochs=1, verbose=0)
    assert gan.trained_batches() == 5


def test_generator_gradient_measurement_keeps_fixed_inputs():
    memory = callbacks.MemorySink()
    real = np.random.default_rng(0).normal(2.0, 3.0, (50, 1)).astype(np.float32)
    latent = np.random.default_rng(1).normal(size=(50, 1)).astype(np.float32)
    gan = fit_with([callbacks.Probe(measurements.GeneratorGradient(real, latent), memory, every_n_steps=10)])
    arrays = memory.arrays()
    assert list(arrays["step"]) == [0, 10, 20, 30] and arrays["fake_data"].shape == (4, 50, 1)
    norm, confidence = measurements.generator_gradient_norm(gan, real, latent)
    assert arrays["generator_gradient_norm"][-1] == pytest.approx(norm, rel=1e-5)
    assert arrays["p_real_on_fake"][-1] == pytest.approx(confidence, rel=1e-5)
    np.testing.assert_allclose(arrays["fake_data"][-1], gan.generator(latent).numpy(), rtol=1e-6)


def test_generated_samples_are_the_models_from_a_fixed_seed_beside_fixed_real_ones():
    memory = callbacks.MemorySink()
    real = np.random.default_rng(0).normal(2.0, 3.0, (40, 1)).astype(np.float32)
    gan = fit_with([callbacks.Probe(measurements.GeneratedSamples(real, seed=7), memory, every_n_steps=10)])
    arrays = memory.arrays()
    assert list(arrays["step"]) == [0, 10, 20, 30] and arrays["fake_data"].shape == (4, 40, 1)
    np.testing.assert_array_equal(arrays["real_data"][0], real)
    np.testing.assert_allclose(arrays["fake_data"][-1], gan.generate(40, seed=7), rtol=1e-6)
    assert not np.allclose(arrays["fake_data"][0], arrays["fake_data"][-1])  # G trained between the probes
    without = fit_with([]).generate(5, seed=1)  # the probe leaves the training random stream alone
    np.testing.assert_allclose(gan.generate(5, seed=1), without, rtol=1e-6)
    with pytest.raises(ValueError, match="real"):
        measurements.GeneratedSamples(np.zeros(3))


def test_memory_thins_samples_at_a_fixed_stride():
    memory = callbacks.MemorySink(max_values=4)
    memory.write(3, measurements.Observation({"a": np.float32(1.5)}, {"x": np.arange(10).reshape(5, 2)}, {}))
    assert memory.steps == [3] and memory.scalars == {"a": [1.5]}
    np.testing.assert_array_equal(memory.samples["x"][0], [0, 2, 4, 6])  # stride 10 // 4 = 2, then 4 values


def test_observation_does_not_touch_the_training_random_stream():
    # Same seeds with and without a probe give the same trained generator.
    without = fit_with([]).generate(5, seed=1)
    probe = callbacks.Probe(measurements.LossesAndSamples(probe_data()), callbacks.MemorySink(), every_n_steps=5)
    np.testing.assert_allclose(without, fit_with([probe]).generate(5, seed=1), rtol=1e-6)


def test_no_generator_parameters_for_an_mlp_generator():
    memory = callbacks.MemorySink()
    fit_with([callbacks.Probe(measurements.LossesAndSamples(probe_data()), memory, 10)],
             generator=networks.mlp_generator([8]))
    assert "G/mean" not in memory.scalars and "p_real_on_fake" in memory.scalars


class PoisonDiscriminator(keras.callbacks.Callback):
    """Sets D's kernels to NaN before the training step `step` (counted from 1)."""

    def __init__(self, step):
        super().__init__()
        self.step = step

    def on_train_batch_begin(self, batch, logs=None):
        if self.model.trained_batches() == self.step - 1:
            for variable in self.model.discriminator.trainable_variables:
                variable.assign(tf.fill(variable.shape, float("nan")))


def test_a_non_finite_loss_stops_fit_naming_the_step():
    gan = compiled_gan(steps_per_execution=1, jit_compile=False)
    with pytest.raises(callbacks.NonFiniteLossError, match=r"step 7 \(epoch 2\)"):
        gan.fit(training_data(), steps_per_epoch=5, epochs=3, verbose=0,
                callbacks=[PoisonDiscriminator(step=7), callbacks.StopOnNonFiniteLoss()])
    assert gan.trained_batches() == 7


def test_bad_arguments():
    measurement = measurements.LossesAndSamples(probe_data())
    with pytest.raises(ValueError, match="every_n_steps"):
        callbacks.Probe(measurement, callbacks.MemorySink(), every_n_steps=0)
    with pytest.raises(ValueError, match="real_data must be a tf.data.Dataset"):
        measurements.LossesAndSamples(np.zeros((4, 1)))
    with pytest.raises(ValueError, match="measurement must have a measure"):
        callbacks.Probe(probe_data(), callbacks.MemorySink())
    with pytest.raises(ValueError, match="sinks must be"):
        callbacks.Probe(measurement, [])
    with pytest.raises(ValueError, match="max_values"):
        callbacks.MemorySink(max_values=0)
    with pytest.raises(ValueError, match="picture_every_n_steps"):
        callbacks.TensorBoardSink("logs", picture_every_n_steps=0)
    with pytest.raises(ValueError, match="No scalar 'missing'"):
        callbacks.MemorySink().final("missing")
