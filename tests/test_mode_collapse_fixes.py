"""Minibatch discrimination, unrolled GAN and PacGAN packing."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import distributions, layers, models, networks
from gan_tf.models import packing as packing_module


def test_minibatch_features_change_when_one_other_sample_changes():
    layer = layers.MinibatchDiscrimination(num_kernels=4, kernel_dim=3)
    batch = np.random.default_rng(0).normal(size=(6, 5)).astype(np.float32)
    changed = batch.copy()
    changed[5] += 1.0
    before, after = layer(batch).numpy(), layer(changed).numpy()
    assert before.shape == (6, 5 + 4)
    assert np.array_equal(before[:5, :5], after[:5, :5])  # the features of the untouched samples are passed through
    assert np.all(np.abs(before[:5, 5:] - after[:5, 5:]) > 1e-6)  # but their minibatch features move


def test_minibatch_features_follow_the_paper_formula():
    layer = layers.MinibatchDiscrimination(num_kernels=2, kernel_dim=3)
    batch = np.random.default_rng(1).normal(size=(4, 3)).astype(np.float32)
    output = layer(batch).numpy()
    projected = (batch @ layer.projection.numpy()).reshape(4, 2, 3)
    distances = np.abs(projected[:, None] - projected[None, :]).sum(-1)  # [i, j, b]
    assert np.allclose(output[:, 3:], np.exp(-distances).sum(axis=1), rtol=1e-5)


def test_minibatch_layer_round_trips_through_its_config():
    layer = layers.MinibatchDiscrimination(num_kernels=7, kernel_dim=2, name="mbd")
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert (clone.num_kernels, clone.kernel_dim, clone.name) == (7, 2, "mbd")
    with pytest.raises(ValueError, match="num_kernels"):
        layers.MinibatchDiscrimination(num_kernels=0)



def test_maxout_takes_the_largest_of_each_units_affine_pieces():
    layer = layers.Maxout(units=3, pieces=4)
    inputs = np.random.default_rng(2).normal(size=(5, 2)).astype(np.float32)
    output = layer(inputs).numpy()
    affine = (inputs @ layer.kernel.numpy() + layer.bias.numpy()).reshape(5, 3, 4)  # unit i: pieces 4i .. 4i+3
    assert output.shape == (5, 3) and np.allclose(output, affine.max(axis=-1), rtol=1e-5)
    assert not np.allclose(output, affine.mean(axis=-1))  # a max, not a mean of the pieces
    with pytest.raises(ValueError, match="pieces"):
        layers.Maxout(units=3, pieces=1)

def test_pack_concatenates_consecutive_samples():
    samples = np.arange(12, dtype=np.float32).reshape(6, 2)
    assert packing_module.pack(samples, 3).numpy().tolist() == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]
    with pytest.raises(ValueError, match="multiple of packing"):
        packing_module.pack(samples, 4)


def test_pacgan_discriminator_sees_packs():
    generator = networks.mlp_generator([8], latent_dim=2, output_dim=2)
    model = models.PacGAN(generator, networks.mlp_discriminator([8], input_dim=8), 2, packing=4, seed=0)
    model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    loss, real_logits, fake_logits = model.compute_discriminator_loss(np.zeros((16, 2), np.float32),
                                                                      np.ones((16, 2), np.float32))
    assert real_logits.shape == (4, 1) and fake_logits.shape == (4, 1) and np.isfinite(float(loss))
    with pytest.raises(ValueError, match="packing"):
        models.PacGAN(generator, model.discriminator, 2, packing=0)


def test_pack_images_stacks_consecutive_images_along_the_channels():
    images = np.arange(4, dtype=np.float32).reshape(4, 1, 1, 1) * np.ones((4, 2, 3, 2), np.float32)
    images[:, :, :, 1] += 10  # image i: channel 0 holds i, channel 1 holds 10 + i
    packed = packing_module.pack_images(images, 2).numpy()
    assert packed.shape == (2, 2, 3, 4)
    assert (packed[0] == [0, 10, 1, 11]).all() and (packed[1] == [2, 12, 3, 13]).all()  # pixel by pixel
    with pytest.raises(ValueError, match="multiple of packing"):
        packing_module.pack_images(images, 3)


def test_packed_discriminator_scores_packs_with_the_wrapped_weights():
    keras.utils.set_random_seed(0)
    discriminator = networks.dcgan_discriminator(image_size=16, channels=6, filters=4)
    packed = packing_module.packed_discriminator(discriminator, 2)
    images = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 3)).astype(np.float32)
    assert packed.input_shape == (None, 16, 16, 3) and packed.trainable_variables == discriminator.trainable_variables
    np.testing.assert_allclose(packed(images, training=False).numpy(),
                               discriminator(packing_module.pack_images(images, 2), training=False).numpy(), rtol=1e-6)
    assert networks.first_weight_layer(packed) is networks.first_weight_layer(discriminator)  # found inside
    with pytest.raises(ValueError, match="multiple of packing"):
        packing_module.packed_discriminator(discriminator, 4)


def unrolled_model(steps):
    keras.utils.set_random_seed(0)
    generator = networks.mlp_generator([8], latent_dim=2, output_dim=2)
    model = models.UnrolledGAN(generator, networks.mlp_discriminator([8], input_dim=2), 2, unrolling_steps=steps,
                               unrolling_learning_rate=0.5, seed=0)
    model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    return model


def test_unrolled_generator_loss_is_measured_against_the_updated_discriminator():
    model = unrolled_model(3)
    real = distributions.ring_of_gaussians().sample(32, seed=1)
    latent = model.sample_latent(32, seed=2)
    before = [variable.numpy().copy() for variable in model.discriminator.trainable_variables]
    with tf.GradientTape() as tape:
        fake = model.generator(latent, training=True)
        unrolled_loss, _ = model.compute_generator_loss(real, fake)
    plain_loss = model.loss_family.generator_loss(model.discriminator(fake))
    # Each unrolled step lowers D's loss, so G's loss against the unrolled D is higher (D rejects fakes more).
    assert float(unrolled_loss) > float(plain_loss) + 1e-4
    gradients = tape.gradient(unrolled_loss, model.generator.trainable_variables)
    assert all(gradient is not None and np.all(np.isfinite(gradient.numpy())) for gradient in gradients)
    after = [variable.numpy() for variable in model.discriminator.trainable_variables]
    assert all(np.array_equal(old, new) for old, new in zip(before, after))  # the unrolling is a copy


def test_unrolled_gradient_flows_through_the_unrolling():
    # G's gradient through K unrolled D updates differs from the gradient with D's unrolled weights held fixed.
    model = unrolled_model(2)
    real = distributions.ring_of_gaussians().sample(32, seed=1)
    latent = model.sample_latent(32, seed=2)
    with tf.GradientTape(persistent=True) as tape:
        fake = model.generator(latent, training=True)
        weights = model.unrolled_weights(real, fake)
        through = model.loss_family.generator_loss(model.discriminator_logits_at(weights, fake))
        held = model.loss_family.generator_loss(
            model.discriminator_logits_at([tf.stop_gradient(weight) for weight in weights], fake))
    assert float(through) == pytest.approx(float(held))
    difference = [tape.gradient(through, variable) - tape.gradient(held, variable)
                  for variable in model.generator.trainable_variables]
    assert max(float(tf.reduce_max(tf.abs(value))) for value in difference) > 1e-6


def test_unrolled_rejects_bad_arguments():
    generator = networks.mlp_generator([8], latent_dim=2, output_dim=2)
    with pytest.raises(ValueError, match="unrolling_steps"):
        models.UnrolledGAN(generator, networks.mlp_discriminator([8], input_dim=2), 2, unrolling_steps=0)


@pytest.mark.parametrize("model_class, keywords, input_size", [
    (models.WGAN, {"clip_value": 0.02, "n_critic": 3, "warmup_n_critic": 25}, 2),
    (models.WGANGP, {"gp_weight": 5.0, "n_critic": 4}, 2),
    (models.UnrolledGAN, {"unrolling_steps": 3, "unrolling_learning_rate": 0.1}, 2),
    (models.PacGAN, {"packing": 3}, 6),
])
def test_new_models_round_trip_through_their_config(model_class, keywords, input_size):
    generator = networks.mlp_generator([4], latent_dim=2, output_dim=2)
    model = model_class(generator, networks.mlp_discriminator([4], input_dim=input_size), 2, seed=0, **keywords)
    clone = model_class.from_config(model.get_config())
    for name, value in keywords.items():
        assert getattr(clone, name) == value, name
