"""`models.AugmentedGAN`: DiffAugment on D's inputs in both players' steps (G's gradient flows through it), the same
transforms for real and fake when asked, and ADA's probability controller (by hand, on a D that memorises, and on
two replicas of a MirroredStrategy)."""


import conftest
import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import augment
from gan_tf.models import augmented, replicas

SIZE, LATENT, BATCH = 16, 4, 8


def tiny_generator():
    latent = keras.Input((LATENT,))
    features = keras.layers.Dense(SIZE * SIZE, name="dense")(latent)
    images = keras.layers.Reshape((SIZE, SIZE, 1))(features)
    return keras.Model(latent, keras.layers.Activation("tanh")(images), name="tiny_generator")


def discriminator(hidden=(), bias=0.0, kernel="glorot_uniform"):
    images = keras.Input((SIZE, SIZE, 1))
    features = keras.layers.Flatten()(images)
    for units in hidden:
        features = keras.layers.Dense(units, activation="relu")(features)
    logits = keras.layers.Dense(1, kernel_initializer=kernel, bias_initializer=keras.initializers.Constant(bias))
    return keras.Model(images, logits(features), name="discriminator")


def make_gan(d=None, optimizer=lambda: keras.optimizers.SGD(0.1), **kwargs):
    keras.utils.set_random_seed(0)
    gan = augmented.AugmentedGAN(tiny_generator(), d or discriminator(), LATENT, seed=0, **kwargs)
    gan.compile(d_optimizer=optimizer(), g_optimizer=optimizer())
    return gan


def real_images(count=BATCH, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (count, SIZE, SIZE, 1)).astype(np.float32)


def fit(gan, images, steps, **options):
    data = tf.data.Dataset.from_tensors(images).repeat()
    return gan.fit(data, steps_per_epoch=steps, epochs=1, verbose=0, **options)


def test_generator_gradient_flows_through_the_augmentation():
    gan = make_gan(optimizer=lambda: keras.optimizers.SGD(1.0))
    real = real_images()
    state = np.array(gan.seed_generator.state)
    # By hand: the same z and augmentation seed as the step draws, one tape over D(augment(G(z))).
    latent = gan.sample_latent(BATCH)
    seed = replicas.replica_seed(gan.seed_generator)
    with tf.GradientTape() as tape:
        fake = augment.diff_augment(gan.generator(latent, training=True), seed, augment.POLICIES, 1.0)
        loss = gan.loss_family.generator_loss(gan.discriminator(fake, training=True))
    expected = tape.gradient(loss, gan.generator.trainable_variables)
    gan.seed_generator.state.assign(state)
    before = [np.array(weight) for weight in gan.generator.trainable_variables]
    gan.generator_step(real)
    steps = [b - np.array(weight) for b, weight in zip(before, gan.generator.trainable_variables)]  # lr 1: the gradient
    for step, gradient in zip(steps, expected):
        np.testing.assert_allclose(step, gradient.numpy(), rtol=1e-4, atol=1e-6)
    assert np.abs(steps[0]).max() > 1e-6
    # and the augmentation changed it: without it the gradient differs
    with tf.GradientTape() as tape:
        plain = gan.loss_family.generator_loss(gan.discriminator(gan.generator(latent, training=True), training=True))
    assert np.abs(tape.gradient(plain, gan.generator.trainable_variables)[0].numpy() - expected[0].numpy()).max() > 1e-6


@pytest.mark.parametrize("same", [True, False])
def test_real_and_fake_get_the_same_transforms_only_when_asked(same):
    gan = make_gan(same_augmentation=same)
    images = real_images()
    _, real_logits, fake_logits = gan.compute_discriminator_loss(images, images)  # fake = real
    if same:
        np.testing.assert_array_equal(real_logits.numpy(), fake_logits.numpy())
    else:
        assert np.abs(real_logits.numpy() - fake_logits.numpy()).max() > 1e-4


@pytest.mark.parametrize("bias, direction", [(5.0, +1), (-5.0, -1)])
def test_ada_moves_p_by_the_images_seen_every_interval(bias, direction):
    # D(x) = bias exactly (zero kernel, learning rate 0): r_t = sign(bias) = +-1, on the far side of the target 0.6,
    # so every 4 D steps p moves by 4 x 8 / 3200 = 0.01 in that direction: after 14 steps, 3 moves.
    gan = make_gan(discriminator(bias=bias, kernel="zeros"), optimizer=lambda: keras.optimizers.SGD(0.0),
                   probability=0.5, ada_target=0.6, ada_interval=4, ada_speed_images=3200)
    history = fit(gan, real_images(), 14)
    assert float(gan.augment_probability.value) == pytest.approx(0.5 + direction * 0.03, abs=1e-6)
    assert history.history["overfitting_heuristic"][-1] == pytest.approx(direction)
    assert "augment_probability" in history.history


def test_ada_raises_p_when_a_big_discriminator_memorises_eight_images():
    gan = make_gan(discriminator(hidden=(256, 256)), optimizer=lambda: keras.optimizers.Adam(1e-3),
                   probability=0.0, ada_target=0.6, ada_interval=4, ada_speed_images=3200)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-4), jit_compile=True)
    history = fit(gan, real_images(), 300)
    assert history.history["overfitting_heuristic"][-1] > 0.6  # D is sure of the reals (mean over the run)
    assert float(gan.augment_probability.value) > 0.2  # up from 0 (0.75 at most in 75 moves of 0.01)


def test_config_and_keras_round_trip_keep_p(tmp_path):
    gan = make_gan(probability=0.5, ada_target=0.6, ada_interval=2, ada_speed_images=800, same_augmentation=True,
                   policies=["translation", "cutout"])
    fit(gan, real_images(), 6)
    p = float(gan.augment_probability.value)
    assert p != 0.5
    config = gan.get_config()
    assert {key: config[key] for key in ("policies", "probability", "ada_target", "ada_interval", "ada_speed_images",
                                         "same_augmentation")} == {
        "policies": ["translation", "cutout"], "probability": 0.5, "ada_target": 0.6, "ada_interval": 2,
        "ada_speed_images": 800, "same_augmentation": True}
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    assert isinstance(loaded, augmented.AugmentedGAN)
    assert float(loaded.augment_probability.value) == pytest.approx(p)
    np.testing.assert_allclose(loaded.generate(4, seed=1), gan.generate(4, seed=1), rtol=1e-6)


@pytest.mark.parametrize("options, name", [({"probability": 1.5}, "probability"), ({"ada_target": 1.0}, "ada_target"),
                                           ({"policies": ["zoom"]}, "policies"), ({"ada_interval": 0}, "ada_interval")])
def test_bad_options_raise(options, name):
    with pytest.raises(ValueError, match=name):
        make_gan(**options)


def ada_by_hand(signs, steps, probability, ada_target, ada_interval, ada_speed_images, replicas=1):
    """p after each step, with batches of `signs` cycled; `replicas`: the share of each batch whose signs count
    (1: all of it; 2: only the first half, as one replica alone would see)."""
    total, seen, trace = 0.0, 0.0, []
    for step in range(steps):
        counted = signs[step % len(signs)][: len(signs[0]) // replicas]
        total, seen = total + sum(counted), seen + len(counted)
        if (step + 1) % ada_interval == 0:
            move = np.sign(total / seen - ada_target) * seen / ada_speed_images
            probability, total, seen = min(max(probability + move, 0.0), 1.0), 0.0, 0.0
        trace.append(probability)
    return trace


def test_ada_on_two_replicas_takes_the_p_of_one_replica_on_the_same_global_batches(repository):
    # r_t summed over both replicas (their signs and their images): the same p as one replica on the whole batches,
    # with or without XLA, and the by-hand trajectory (0.5 -> 0.4 -> 0.5 -> 0.4 -> 0.3 -> 0.4 -> 0.3).
    results = conftest.worker_results("distributed_ada.py")
    assert results["two_replicas"]["replicas"] == 2
    expected = ada_by_hand(results["signs"], results["steps"], **results["ada"])
    for run in ("one_replica", "one_replica_xla", "two_replicas"):
        np.testing.assert_allclose(results[run]["p"], expected, atol=1e-6, err_msg=run)
    # The control: replica 0's signs alone (all positive) would have raised p at every update.
    assert ada_by_hand(results["signs"], results["steps"], **results["ada"], replicas=2)[-1] == pytest.approx(0.8)
    assert expected[-1] == pytest.approx(0.3)


# ---- AugmentedConditionalGAN: D(augment(x), y) ------------------------------------------------------------------

CLASSES = 3


def conditional_pair(bias=0.0, kernel="glorot_uniform"):
    """G([z, one-hot y]) and D([x, one-hot y]) of 16x16 images."""
    latent, labels = keras.Input((LATENT,)), keras.Input((CLASSES,))
    features = keras.layers.Dense(SIZE * SIZE)(keras.layers.Concatenate()([latent, labels]))
    generator = keras.Model([latent, labels], keras.layers.Reshape((SIZE, SIZE, 1))(features))
    images, d_labels = keras.Input((SIZE, SIZE, 1)), keras.Input((CLASSES,))
    joined = keras.layers.Concatenate()([keras.layers.Flatten()(images), d_labels])
    logits = keras.layers.Dense(1, kernel_initializer=kernel, bias_initializer=keras.initializers.Constant(bias))
    return generator, keras.Model([images, d_labels], logits(joined))


def make_conditional_gan(bias=0.0, kernel="glorot_uniform", learning_rate=0.1, **kwargs):
    keras.utils.set_random_seed(0)
    gan = augmented.AugmentedConditionalGAN(*conditional_pair(bias, kernel), LATENT, num_classes=CLASSES, seed=0,
                                            **kwargs)
    gan.compile(d_optimizer=keras.optimizers.SGD(learning_rate), g_optimizer=keras.optimizers.SGD(learning_rate))
    return gan


def test_a_conditional_d_judges_augmented_images_beside_their_own_labels():
    gan = make_conditional_gan()
    images, labels = tf.constant(real_images()), np.arange(BATCH) % CLASSES
    seed = tf.constant([3, 4])
    augmented_images = augment.diff_augment(images, seed, augment.POLICIES, 1.0)
    expected = gan.discriminator([augmented_images, tf.one_hot(labels, CLASSES)], training=True)
    np.testing.assert_allclose(gan.judge((images, labels), seed), expected, rtol=1e-6)
    plain = gan.discriminator([images, tf.one_hot(labels, CLASSES)], training=True)
    assert np.abs(expected.numpy() - plain.numpy()).max() > 1e-4  # the images were augmented ...
    other_labels = gan.discriminator([augmented_images, tf.one_hot((labels + 1) % CLASSES, CLASSES)], training=True)
    assert np.abs(expected.numpy() - other_labels.numpy()).max() > 1e-4  # ... and the labels reach D as they were


def test_ada_moves_p_in_a_conditional_run_as_in_an_unconditional_one():
    # As test_ada_moves_p_by_the_images_seen_every_interval: D(x, y) = 5 exactly, 14 steps, 3 moves of 0.01 up.
    gan = make_conditional_gan(bias=5.0, kernel="zeros", learning_rate=0.0, probability=0.5, ada_target=0.6,
                               ada_interval=4, ada_speed_images=3200)
    data = tf.data.Dataset.from_tensors((real_images(), np.arange(BATCH, dtype=np.int32) % CLASSES)).repeat()
    history = gan.fit(data, steps_per_epoch=14, epochs=1, verbose=0)
    assert float(gan.augment_probability.value) == pytest.approx(0.53, abs=1e-6)
    assert history.history["overfitting_heuristic"][-1] == pytest.approx(1.0)
    assert gan.generate(4, labels=2).shape == (4, SIZE, SIZE, 1)
