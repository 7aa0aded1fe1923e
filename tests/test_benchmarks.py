"""The benchmarks' helper code: the PyTorch and JAX twins are the same models as gan_tf's; the timing helper's logic.

No timing assertions here. The PyTorch (JAX) tests are skipped when torch (jax), benchmark-only, is not installed.
"""

import pathlib
import sys

import keras
import numpy as np
import pytest

from gan_tf import networks
from gan_tf.models import packing

# The benchmark scripts import their sibling modules by name, as `python benchmarks/<script>.py` allows.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
import dcgan_images_per_second
import jax_reference
import timing
import torch_reference
import toy_vs_pytorch

needs_torch = pytest.mark.skipif(not torch_reference.available(), reason=torch_reference.MISSING_MESSAGE)
needs_jax = pytest.mark.skipif(not jax_reference.available(), reason=jax_reference.MISSING_MESSAGE)


def keras_count(model):
    return sum(int(np.prod(weight.shape)) for weight in model.trainable_weights)


@needs_torch
def test_toy_twins_have_the_keras_models_parameter_counts():
    for toy in ("blog_1d", "lecture_2d"):
        generator, discriminator = toy_vs_pytorch.keras_toy(toy)[:2]
        twin = torch_reference.blog_1d() if toy == "blog_1d" else torch_reference.lecture_2d()
        counts = (torch_reference.parameter_count(twin[0]), torch_reference.parameter_count(twin[1]))
        assert counts == (keras_count(generator), keras_count(discriminator)), toy


@needs_jax
def test_jax_twins_have_the_keras_parameter_counts_and_keras_adam():
    jax, jnp = jax_reference.jax, jax_reference.jnp
    for toy in ("blog_1d", "lecture_2d"):
        generator, discriminator = toy_vs_pytorch.keras_toy(toy)[:2]
        g_parameters, d_parameters = getattr(jax_reference, toy)(jax.random.PRNGKey(0))[3:5]
        counts = [sum(leaf.size for leaf in jax.tree_util.tree_leaves(tree)) for tree in (g_parameters, d_parameters)]
        assert counts == [keras_count(generator), keras_count(discriminator)], toy
    variable, adam = keras.Variable(np.array([1.0, -2.0], np.float32)), keras.optimizers.Adam(0.1)
    parameters = jnp.array([1.0, -2.0])
    state = jax_reference.adam_state(parameters)
    for gradient in ([0.5, -1.0], [0.2, 3.0], [-1.0, 0.1]):  # three steps: bias corrections and both moments
        adam.apply([np.array(gradient, np.float32)], [variable])
        parameters, state = jax_reference.adam_update(parameters, jnp.array(gradient), state, 0.1)
    np.testing.assert_allclose(np.asarray(parameters), variable.numpy(), rtol=1e-5)
    assert not np.allclose(variable.numpy(), [1.0, -2.0])


def copy_keras_weights(keras_model, torch_model):
    """Kernels (k, k, a, b) -> torch (b, a, k, k) for Conv2D and Conv2DTranspose alike; BN gamma and beta."""
    torch = torch_reference.torch
    kernels = [layer for layer in keras_model.layers
               if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose))]
    norms = [layer for layer in keras_model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    torch_kernels = [module for module in torch_model if "Conv" in type(module).__name__]
    torch_norms = [module for module in torch_model if "BatchNorm" in type(module).__name__]
    if (len(kernels), len(norms)) != (len(torch_kernels), len(torch_norms)):
        raise ValueError("the two models do not have the same layers")
    with torch.no_grad():
        for layer, module in zip(kernels, torch_kernels):
            module.weight.copy_(torch.from_numpy(np.transpose(layer.kernel.numpy(), (3, 2, 0, 1)).copy()))
        for layer, module in zip(norms, torch_norms):
            module.weight.copy_(torch.from_numpy(layer.gamma.numpy()))
            module.bias.copy_(torch.from_numpy(layer.beta.numpy()))


@needs_torch
def test_lecture_dcgan_is_gan_tf_radford_dcgan_layer_for_layer():
    """Same parameter counts, and with the same weights the same images and probabilities (inference mode):
    this pins kernel layout, "same" padding against PyTorch's padding=1, and BN epsilon."""
    torch = torch_reference.torch
    torch_reference.set_up(0)
    keras.utils.set_random_seed(0)
    generator, discriminator = networks.dcgan_generator(), networks.dcgan_discriminator()
    net_g, net_d = torch_reference.dcgan()[:2]
    assert torch_reference.parameter_count(net_g) == keras_count(generator)
    assert torch_reference.parameter_count(net_d) == keras_count(discriminator)
    copy_keras_weights(generator, net_g)
    copy_keras_weights(discriminator, net_d)
    net_g.eval()
    net_d.eval()
    latent = np.random.default_rng(0).standard_normal((2, 100)).astype(np.float32)
    images = generator(latent, training=False).numpy()
    with torch.no_grad():
        torch_images = net_g(torch.from_numpy(latent)[:, :, None, None]).permute(0, 2, 3, 1).numpy()
        probabilities = net_d(torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()).reshape(-1).numpy()
    np.testing.assert_allclose(torch_images, images, atol=1e-4)
    keras_probabilities = 1.0 / (1.0 + np.exp(-discriminator(images, training=False).numpy().reshape(-1)))
    np.testing.assert_allclose(probabilities, keras_probabilities, atol=1e-4)


def test_interleaved_timing_rotates_and_keeps_granularity():
    calls = []

    def recorder(name):
        return lambda count: calls.append((name, count))

    variants = [timing.Variant("a", recorder("a"), 100), timing.Variant("b", recorder("b"), 1)]
    rates = timing.interleaved(variants, rounds=2, block_seconds=0.0, log=lambda text: None)
    timed = calls[4:]  # two warm-up calls each, then the rounds
    assert [name for name, _ in timed] == ["a", "b", "b", "a"]
    assert all(count % 100 == 0 and count > 0 for name, count in calls if name == "a")
    assert {name: len(values) for name, values in rates.items()} == {"a": 2, "b": 2}
    with pytest.raises(ValueError, match="rounds"):
        timing.interleaved(variants, rounds=0, block_seconds=1.0)


def test_interleaved_timing_uses_the_seconds_a_run_reports():
    variants = [timing.Variant("reports", lambda count: 0.5 * count, 1), timing.Variant("silent", lambda count: [], 1)]
    rates = timing.interleaved(variants, rounds=1, block_seconds=0.0, log=lambda text: None)
    assert rates["reports"] == [2.0]
    assert rates["silent"][0] > 2.0  # timed by the wall clock: an empty call is fast


def test_table_ratios_use_the_faster_of_several_baselines():
    lines = []
    middle = timing.print_table({"slow": [1.0, 2.0, 3.0], "fast": [4.0], "ours": [12.0]},
                                {"best": ["slow", "fast"]}, "steps/s", log=lines.append)
    assert middle == {"slow": 2.0, "fast": 4.0, "ours": 12.0}
    assert lines[-1].split()[-1] == "3.00"


def forward_multiply_adds(model):
    """[multiply-adds per image] of each convolution of `model`, read from its kernels and feature-map sizes."""
    counts = []
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            size = layer.input.shape if isinstance(layer, keras.layers.Conv2DTranspose) else layer.output.shape
            counts.append(size[1] * size[2] * int(np.prod(layer.kernel.shape)))
    return counts


def test_dcgan_step_flops_follow_from_the_networks_layers():
    """2 FLOPs per multiply-add; G forward once (shared) or twice; 4 G and 8 D forwards' worth per step, minus the
    input gradients of D's first layer in the D update (real and fake) and of G's first layer."""
    generator = forward_multiply_adds(networks.dcgan_generator())
    discriminator = forward_multiply_adds(networks.dcgan_discriminator())
    assert len(generator) == len(discriminator) == 5
    unshared = 4 * sum(generator) - generator[0] + 8 * sum(discriminator) - 2 * discriminator[0]
    assert dcgan_images_per_second.step_flops(False) == 2 * unshared
    assert dcgan_images_per_second.step_flops(True) == 2 * (unshared - sum(generator))
    assert 1.24e9 < unshared < 1.25e9  # "about 1.25 G multiply-adds per image" (benchmarks/README.md)


def test_a_pack_reaches_the_packed_discriminator_as_its_samples_side_by_side_on_the_channels():
    import image_quality  # noqa: PLC0415  (imports the image application; only this test needs it)

    samples = np.random.default_rng(0).normal(size=(4, 32, 32, 3)).astype("float32")
    unpacked = keras.ops.convert_to_numpy(image_quality.on_channels(packing.pack(samples, 2), 2, 3))
    assert unpacked.shape == (2, 32, 32, 6)
    np.testing.assert_array_equal(unpacked[1], np.concatenate([samples[2], samples[3]], axis=-1))
