"""Conditional GAN and AC-GAN: the label reaches the generator, and training makes samples follow the label."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import distributions, models

NUM_CLASSES = 8


def conditional_mlp(input_dim, output_dim, conditional=True, class_head=False):
    samples = keras.Input(shape=(input_dim,))
    inputs, hidden = [samples], samples
    if conditional:
        labels = keras.Input(shape=(NUM_CLASSES,))
        inputs, hidden = [samples, labels], keras.layers.Concatenate()([samples, labels])
    for _ in range(3):
        hidden = keras.layers.Dense(64, activation="relu")(hidden)
    output = keras.layers.Dense(output_dim, dtype="float32")(hidden)
    if class_head:
        return keras.Model(samples, [output, keras.layers.Dense(NUM_CLASSES, dtype="float32")(hidden)])
    return keras.Model(inputs, output)


def make_model(kind, seed=0):
    keras.utils.set_random_seed(seed)
    generator = conditional_mlp(2, 2)
    if kind == "conditional":
        model = models.ConditionalGAN(generator, conditional_mlp(2, 1), 2, NUM_CLASSES, seed=seed)
    else:
        discriminator = conditional_mlp(2, 1, conditional=False, class_head=True)
        model = models.ACGAN(generator, discriminator, 2, NUM_CLASSES, seed=seed)
    model.compile(keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5),
                  steps_per_execution=100)
    return model


def test_untrained_samples_depend_on_the_label_and_not_on_the_call():
    model = make_model("conditional")
    first, second = model.generate(16, labels=0, seed=3), model.generate(16, labels=1, seed=3)
    assert np.abs(first - second).min() > 1e-6
    assert np.array_equal(first, model.generate(16, labels=0, seed=3))


@pytest.mark.parametrize("labels", [8, -1, [0, 1], 1.5])
def test_bad_labels_raise(labels):
    with pytest.raises(ValueError, match="labels"):
        make_model("conditional").generate(4, labels=labels)


@pytest.mark.parametrize("kind", ["conditional", "acgan"])
def test_after_training_the_samples_of_class_k_lie_on_mode_k(kind):
    # Labelled ring (8 modes, stddev 0.05), 200 steps of batch 64. Measured, seeds 0-2, fraction of the samples
    # of class k nearest to mode k: conditional GAN 1.0, 1.0, 1.0; AC-GAN 1.0, 0.75, 1.0. A generator that ignored
    # the label would score 1/8 (and an AC-GAN with the class loss's sign flipped about 0).
    ring = distributions.ring_of_gaussians(NUM_CLASSES, 1.0, 0.05)
    centres = ring.components_distribution.mean().numpy()
    model = make_model(kind)
    model.fit(distributions.labelled_sample_dataset(ring, 64, seed=0), epochs=1, steps_per_epoch=200, verbose=0)
    samples = model.generate(8 * 50, labels=np.repeat(np.arange(NUM_CLASSES), 50), seed=1).reshape(8, 50, 2)
    nearest = np.linalg.norm(samples[:, :, None] - centres[None, None], axis=-1).argmin(-1)
    accuracy = np.mean(nearest == np.arange(NUM_CLASSES)[:, None])
    assert accuracy >= 0.5


def test_acgan_class_loss_is_the_cross_entropy():
    model = make_model("acgan")
    logits = np.log(np.array([[0.5, 0.25, 0.25] + [1e-30] * 5], np.float32))
    assert float(model.class_loss(np.array([0]), logits)) == pytest.approx(np.log(2.0), rel=1e-5)


def test_labelled_dataset_labels_are_the_component_indices():
    ring = distributions.ring_of_gaussians(NUM_CLASSES, 1.0, 0.01)
    samples, labels = next(iter(distributions.labelled_sample_dataset(ring, 256, seed=0)))
    centres = ring.components_distribution.mean().numpy()
    nearest = np.linalg.norm(samples.numpy()[:, None] - centres[None], axis=-1).argmin(-1)
    assert np.array_equal(nearest, labels.numpy()) and len(np.unique(labels.numpy())) == NUM_CLASSES


SAMPLES = np.zeros((16, 2), np.float32)


@pytest.mark.parametrize("kind", ["conditional", "acgan"])
@pytest.mark.parametrize(
    "data, message",
    [
        (dict(x=SAMPLES, y=np.full(16, NUM_CLASSES)), r"labels must be integers in \[0, 8\), got \[8\]"),
        (dict(x=SAMPLES, y=np.array([0, -1] * 8)), r"labels must be integers in \[0, 8\), got \[-1\]"),
        (dict(x=SAMPLES, y=np.zeros(16, np.float32)), r"labels must be integers .* dtype float32"),
        (dict(x=tf.data.Dataset.from_tensors((SAMPLES, np.zeros(16, np.float32)))), r"labels have dtype float32"),
        (dict(x=tf.data.Dataset.from_tensors(SAMPLES)), r"\(samples, labels\) batches"),
    ],
)
def test_fit_refuses_labels_outside_the_classes_before_any_step(kind, data, message):
    model = make_model(kind)
    with pytest.raises(ValueError, match=message):
        model.fit(**data, batch_size=16, epochs=1, verbose=0)
    assert int(model.d_optimizer.iterations) == 0


def test_fit_on_labelled_arrays_trains():
    model = make_model("conditional")
    model.fit(SAMPLES, np.arange(16) % NUM_CLASSES, batch_size=8, epochs=1, verbose=0)
    assert int(model.d_optimizer.iterations) == 2


@pytest.mark.parametrize("arguments", [dict(n=4, batch_size=0), dict(n=0)])
def test_generate_refuses_empty_requests(arguments):
    with pytest.raises(ValueError, match=r"(n|batch_size) must be a positive integer, got 0\."):
        make_model("conditional").generate(**arguments)


def test_generate_in_chunks_equals_one_call():
    model = make_model("acgan")
    labels = np.arange(10) % NUM_CLASSES
    np.testing.assert_allclose(model.generate(10, labels=labels, seed=1, batch_size=3),
                               model.generate(10, labels=labels, seed=1), rtol=1e-5, atol=1e-6)


# ---- class shares: a conditional model that samples like the data (k-means classes, gan-tf --pseudo-classes) ----

SHARES = [0.5, 0.25, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0]


def test_draw_classes_follow_the_shares_and_the_seed():
    draws = models.conditional.draw_classes(np.array(SHARES), 100_000, seed=7)
    frequencies = np.bincount(draws, minlength=NUM_CLASSES) / len(draws)
    # binomial sd at 100,000 draws: sqrt(0.25 / 1e5) = 0.0016 at most; 0.01 is over 6 sd
    np.testing.assert_allclose(frequencies, SHARES, atol=0.01)
    assert frequencies[3:].sum() == 0  # a class of share 0 is never drawn
    np.testing.assert_array_equal(draws, models.conditional.draw_classes(np.array(SHARES), 100_000, seed=7))


def test_generate_without_labels_draws_the_classes_by_their_shares():
    model = make_model("conditional")
    model.class_shares = models.conditional.checked_shares(SHARES, NUM_CLASSES)
    drawn = models.conditional.draw_classes(model.class_shares, 64, seed=5)
    np.testing.assert_array_equal(model.generate(64, seed=5), model.generate(64, labels=drawn, seed=5))
    cycled = model.generate(64, labels=np.arange(64) % NUM_CLASSES, seed=5)  # what a model without shares does
    assert np.abs(model.generate(64, seed=5) - cycled).max() > 1e-6


def test_class_shares_survive_the_config_round_trip():
    keras.utils.set_random_seed(0)
    model = models.ConditionalGAN(conditional_mlp(2, 2), conditional_mlp(2, 1), 2, NUM_CLASSES, class_shares=SHARES)
    config = model.get_config()
    assert config["class_shares"] == SHARES and make_model("conditional").get_config()["class_shares"] is None


@pytest.mark.parametrize(("shares", "message"), [
    ([0.5, 0.5], r"class_shares must be 8 non-negative numbers summing to 1, got \[0.5, 0.5\]"),
    ([0.5, 0.6, 0, 0, 0, 0, 0, 0], "summing to 1"),
    ([1.5, -0.5, 0, 0, 0, 0, 0, 0], "non-negative"),
    ([np.nan, 1, 0, 0, 0, 0, 0, 0], "non-negative"),
])
def test_bad_class_shares_are_refused_naming_them(shares, message):
    with pytest.raises(ValueError, match=message):
        models.ConditionalGAN(conditional_mlp(2, 2), conditional_mlp(2, 1), 2, NUM_CLASSES, class_shares=shares)
