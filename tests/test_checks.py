"""The shared input checks: one rule for counts (bool refused, NumPy integers accepted), used by every public API."""

import numpy as np
import pytest

from gan_tf import callbacks, checks, distributions, layers, measurements, metrics, models, networks
from gan_tf.models import input_checks


@pytest.mark.parametrize("value", [True, False, 0, -1, 1.5, 3.0, "3", None, np.bool_(True)])
def test_positive_integer_refuses_what_is_not_a_count(value):
    with pytest.raises(ValueError, match=rf"^count must be a positive integer, got {value!r}\.$"):
        checks.positive_integer("count", value)


@pytest.mark.parametrize("value", [1, 3, np.int64(3), np.int32(7), np.uint8(2)])
def test_positive_integer_accepts_python_and_numpy_integers_as_int(value):
    result = checks.positive_integer("count", value)
    assert result == int(value) and type(result) is int


def test_integer_at_least_states_its_bound():
    assert checks.integer_at_least("num_steps", 0, 0) == 0
    with pytest.raises(ValueError, match=r"num_steps must be a non-negative integer, got -1\."):
        checks.integer_at_least("num_steps", -1, 0)
    with pytest.raises(ValueError, match=r"num_classes must be an integer >= 2, got 1\."):
        checks.integer_at_least("num_classes", 1, 2)
    assert checks.optional_positive_integer("stack", None) is None
    with pytest.raises(ValueError, match=r"stack must be None or a positive integer, got True\."):
        checks.optional_positive_integer("stack", True)


@pytest.mark.parametrize("value", [-1, 2**32, True, 1.0])
def test_integer_in_range_refuses_what_is_outside(value):
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 2\*\*32\), got "):
        checks.integer_in_range("seed", value, 0, 2**32, high_text="2**32")
    assert checks.integer_in_range("seed", np.uint32(5), 0, 2**32) == 5


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -0.5, True, "1"])
def test_non_negative_number_refuses_what_is_not_a_finite_number_at_least_zero(value):
    with pytest.raises(ValueError, match=r"weight must be a finite number >= 0"):
        checks.non_negative_number("weight", value)
    assert checks.non_negative_number("weight", 0) == 0.0


def test_class_labels_names_the_bad_labels():
    input_checks.class_labels(np.array([0, 3, 2]), 4)
    with pytest.raises(ValueError, match=r"labels must be integers in \[0, 4\), got \[-1, 4\]"):
        input_checks.class_labels(np.array([0, 4, -1, 4]), 4)
    with pytest.raises(ValueError, match="dtype float"):
        input_checks.class_labels(np.array([0.0, 1.0]), 4)


def small_networks():
    return networks.linear_generator(), networks.mlp_discriminator([4])


CONSTRUCTORS = {
    "GAN latent_dim": lambda: models.GAN(*small_networks(), latent_dim=True),
    "GAN d_steps": lambda: models.GAN(*small_networks(), latent_dim=1, d_steps=True),
    "GAN g_steps": lambda: models.GAN(*small_networks(), latent_dim=1, g_steps=True),
    "ConditionalGAN num_classes": lambda: models.ConditionalGAN(*small_networks(), 1, num_classes=True),
    "WGAN n_critic": lambda: models.WGAN(*small_networks(), latent_dim=1, n_critic=True),
    "WGAN warmup_every": lambda: models.WGAN(*small_networks(), latent_dim=1, warmup_every=True),
    "WGANGP n_critic": lambda: models.WGANGP(*small_networks(), latent_dim=1, n_critic=True),
    "UnrolledGAN unrolling_steps": lambda: models.UnrolledGAN(*small_networks(), latent_dim=1, unrolling_steps=True),
    "PacGAN packing": lambda: models.PacGAN(*small_networks(), latent_dim=1, packing=True),
    "InstanceNoiseGAN anneal_steps": lambda: models.InstanceNoiseGAN(*small_networks(), latent_dim=1,
                                                                     anneal_steps=True),
    "MinibatchDiscrimination num_kernels": lambda: layers.MinibatchDiscrimination(num_kernels=True),
    "Maxout units": lambda: layers.Maxout(True),
    "mlp_generator hidden": lambda: networks.mlp_generator([True]),
    "mlp_discriminator input_dim": lambda: networks.mlp_discriminator([4], input_dim=True),
    "dcgan_generator filters": lambda: networks.dcgan_generator(image_size=16, filters=True),
    "sample_dataset batch_size": lambda: distributions.sample_dataset(distributions.normal(0.0, 1.0), True),
    "ring_of_gaussians num_modes": lambda: distributions.ring_of_gaussians(True),
    "mode_coverage min_samples": lambda: metrics.mode_coverage(np.zeros((4, 2)), np.zeros((1, 2)), 1.0,
                                                               min_samples=True),
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTORS))
def test_public_constructors_refuse_true_as_a_count(name):
    argument = name.split()[-1].replace("hidden", "every layer size in hidden")
    expected = rf"{argument} must be (None or )?(a positive integer|an integer >= 2), got True\."
    with pytest.raises(ValueError, match=expected):
        CONSTRUCTORS[name]()


def test_generate_refuses_a_batch_size_of_zero():
    gan = models.GAN(*small_networks(), latent_dim=1)
    with pytest.raises(ValueError, match=r"batch_size must be a positive integer, got 0\."):
        gan.generate(4, batch_size=0)
    with pytest.raises(ValueError, match=r"n must be a positive integer, got 0\."):
        gan.generate(0)
    assert gan.generate(np.int64(3), batch_size=2).shape == (3, 1)


def test_probe_callback_refuses_true_every_n_steps():
    with pytest.raises(ValueError, match=r"every_n_steps must be a positive integer, got True\."):
        data = distributions.sample_dataset(distributions.normal(0.0, 1.0), 4, seed=0)
        callbacks.Probe(measurements.LossesAndSamples(data), callbacks.MemorySink(), every_n_steps=True)

