"""Mixed precision (the GPU path), proven on CPU: policies, float32 heads, loss scaling, skipped steps."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import gan_tf
from gan_tf import networks
from gan_tf.images import recipes, training

HEADS = {"images", "logit_conv", "logits"}  # float32 by design (gan_tf.networks)


def tiny_config(**options):
    return training.TrainConfig(data="digits", image_size=16, filters=4, latent_dim=8, **options)


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
@pytest.mark.parametrize("architecture", ["radford", "dense_dcgan"])
def test_every_layer_but_the_heads_computes_in_half_precision(policy, architecture):
    compute = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}[policy]
    with training.dtype_policy(policy):
        gan = recipes.build_gan(tiny_config(architecture=architecture, precision=policy), channels=1)
    assert keras.config.dtype_policy().name == "float32"  # restored
    for network in (gan.generator, gan.discriminator):
        layers = [layer for layer in network.layers if not isinstance(layer, keras.layers.InputLayer)]
        for layer in layers:
            expected = "float32" if layer.name in HEADS else policy
            assert layer.dtype_policy.name == expected, (network.name, layer.name)
        assert all(weight.dtype == "float32" for weight in network.weights)  # variables stay float32
    images = gan.generator(np.zeros((2, 8), np.float32), training=False)
    assert images.dtype == "float32" and gan.discriminator(images).dtype == "float32"
    assert gan.generator.get_layer("to_image").compute_dtype == compute


def test_float16_wraps_both_optimizers_and_bfloat16_neither():
    with training.dtype_policy("mixed_float16"):
        gan = recipes.build_gan(tiny_config(precision="mixed_float16"), channels=1)
    assert all(isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
               for optimizer in (gan.d_optimizer, gan.g_optimizer))
    with training.dtype_policy("mixed_bfloat16"):
        gan = recipes.build_gan(tiny_config(precision="mixed_bfloat16"), channels=1)
    assert not isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)


def test_non_finite_gradients_skip_the_step_and_halve_the_scale():
    with training.dtype_policy("mixed_float16"):
        gan = recipes.build_gan(tiny_config(precision="mixed_float16", jit_compile=False), channels=1)
        real = np.random.default_rng(0).uniform(-1, 1, (4, 16, 16, 1)).astype(np.float32)
        poisoned = real.copy()
        poisoned[0, 0, 0, 0] = np.nan  # D's loss and so its gradients become NaN
        before = [weight.numpy().copy() for weight in gan.discriminator.trainable_weights]
        scale = float(gan.d_optimizer.dynamic_scale)
        gan.discriminator_step(tf.constant(poisoned))
        assert float(gan.d_optimizer.dynamic_scale) == scale / 2  # skipped, scale halved
        assert all(np.array_equal(a, b.numpy()) for a, b in zip(before, gan.discriminator.trainable_weights))
        gan.discriminator_step(tf.constant(real))  # finite: applied, scale kept
        assert float(gan.d_optimizer.dynamic_scale) == scale / 2
        assert any(not np.array_equal(a, b.numpy()) for a, b in zip(before, gan.discriminator.trainable_weights))


def test_a_short_mixed_float16_run_trains_and_logs_the_loss_scale(tmp_path):
    config = tiny_config(precision="mixed_float16", epochs=1, steps_per_epoch=6, every_n_steps=3, batch_size=16,
                         jit_compile=False)  # XLA compilation alone takes ~15 s here
    with training.dtype_policy("mixed_float16"):
        initial = recipes.build_gan(config, channels=1).generator.get_weights()
    gan = training.train(config, tmp_path / "run", verbose=0)
    history = gan.history.history
    assert all(np.isfinite(history[name][-1]) for name in ("d_loss", "g_loss"))
    assert max(np.abs(a - b).max() for a, b in zip(initial, gan.generator.get_weights())) > 1e-4
    tags = _event_tags(tmp_path / "run" / "tensorboard" / "run")
    assert {"loss_scale/d", "loss_scale/g"} <= tags
    assert keras.config.dtype_policy().name == "float32"


def _event_tags(log_dir):
    tags = set()
    for path in log_dir.glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            tags.update(value.tag for value in event.summary.value)
    return tags


def test_gan_model_applies_the_loss_scale_hook():
    # The one place scaling happens is GAN._scaled_for_update: a LossScaleOptimizer multiplies the loss.
    optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam())
    optimizer.build([keras.Variable(np.zeros(2, np.float32))])
    gan = gan_tf.GAN(networks.linear_generator(), networks.mlp_discriminator([4]), latent_dim=1)
    scaled = gan._scaled_for_update(optimizer, tf.constant(1.0))
    assert float(scaled) == float(optimizer.dynamic_scale) == 2.0 ** 15
    assert networks.DCGAN_STDDEV == 0.02
