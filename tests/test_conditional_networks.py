"""Class-conditional image networks: G(z, y) is G0 of [z, one-hot y], D(x, y) is D0(x) plus the projection of D0's
pooled features on the class embedding (checked against the formula computed by hand), and the label matters."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import conditional_networks, networks, residual_networks

LATENT_DIM, CLASSES = 6, 3


def tiny_generator():
    keras.utils.set_random_seed(0)
    base = networks.dcgan_generator(LATENT_DIM + CLASSES, image_size=16, channels=1, filters=4)
    return base, conditional_networks.conditional_generator(base, CLASSES)


def test_the_generator_is_its_base_on_z_and_the_one_hot_label():
    base, generator = tiny_generator()
    latent = tf.random.stateless_normal((4, LATENT_DIM), (1, 2))
    labels = tf.one_hot([0, 1, 2, 1], CLASSES)
    expected = base(tf.concat([latent, labels], axis=1), training=False)
    np.testing.assert_array_equal(generator([latent, labels], training=False), expected)


def test_the_label_changes_the_generated_image():
    _, generator = tiny_generator()
    latent = tf.random.stateless_normal((1, LATENT_DIM), (1, 2))
    images = [generator([latent, tf.one_hot([label], CLASSES)], training=False).numpy() for label in range(CLASSES)]
    # a generator that ignored y would give three equal images; the embedding's rows are random, so they differ
    assert min(np.abs(images[a] - images[b]).max() for a, b in ((0, 1), (0, 2), (1, 2))) > 1e-4


@pytest.mark.parametrize("architecture", ["dcgan", "residual"])
def test_the_discriminator_adds_the_class_projection_to_the_base_logit(architecture):
    keras.utils.set_random_seed(0)
    base = (networks.dcgan_discriminator(image_size=16, channels=3, filters=4) if architecture == "dcgan"
            else residual_networks.residual_discriminator(16, 3, 8, spectral_norm=False))
    discriminator = conditional_networks.projection_discriminator(base, CLASSES)
    images = tf.random.stateless_uniform((5, 16, 16, 3), (3, 4), minval=-1.0, maxval=1.0)
    labels = np.array([0, 1, 2, 0, 2])
    logits = discriminator([images, tf.one_hot(labels, CLASSES)], training=False).numpy()
    feature_layer = "features" if architecture == "dcgan" else "out_relu"
    features = keras.Model(base.inputs, base.get_layer(feature_layer).output)(images, training=False).numpy()
    embedding = discriminator.get_layer("class_embedding").kernel.numpy()  # [classes, feature channels]
    projection = np.sum(embedding[labels] * features.mean(axis=(1, 2)), axis=1, keepdims=True)
    np.testing.assert_allclose(logits, base(images, training=False).numpy() + projection, rtol=1e-5, atol=1e-5)
    assert np.abs(projection).min() > 0  # the label term is there (zero would mean y is ignored)


def test_a_generator_without_room_for_the_label_is_refused():
    base = networks.dcgan_generator(2, image_size=16, channels=1, filters=4)
    with pytest.raises(ValueError, match=r"one input \[batch, latent_dim \+ num_classes\] with num_classes 3"):
        conditional_networks.conditional_generator(base, 3)


def test_first_weight_layer_looks_inside_the_wrapped_networks():
    _, generator = tiny_generator()
    discriminator = conditional_networks.projection_discriminator(
        networks.dcgan_discriminator(image_size=16, channels=1, filters=4), CLASSES)
    assert networks.first_weight_layer(generator).name == "deconv_0"
    assert networks.first_weight_layer(discriminator).name == "conv_0"  # D's first conv, not the class embedding
