"""`gan_tf.ema`: StyleGAN2's decay by hand, the recurrence against its closed form, the averaged copy."""

import keras
import numpy as np
import pytest

from gan_tf import ema
from gan_tf.models import sampling


def tiny_generator():
    keras.utils.set_random_seed(0)
    latent = keras.Input((3,))
    features = keras.layers.Dense(4, name="dense")(latent)
    features = keras.layers.BatchNormalization(name="bn")(features)
    return keras.Model(latent, keras.layers.Dense(2, name="out")(features))


def test_decay_halves_the_old_average_every_half_life():
    # After half_life / batch updates at constant beta, beta^(n) = 0.5.
    beta = float(ema.decay(images_seen=10**9, batch_size=32, half_life=3200, rampup=None))
    assert beta ** (3200 / 32) == pytest.approx(0.5, rel=1e-5)  # float32


def test_rampup_shortens_the_half_life_early_in_training():
    # 1,000 images seen with rampup 0.05: half-life min(10,000, 50) = 50 images, beta = 0.5^(32 / 50).
    assert float(ema.decay(1000, 32, half_life=10_000, rampup=0.05)) == pytest.approx(0.5 ** (32 / 50))
    assert float(ema.decay(0, 32)) == pytest.approx(0.0)  # the first update copies the weights
    assert float(ema.decay(10**7, 32)) == pytest.approx(0.5 ** (32 / 10_000))


def test_average_follows_the_recurrence():
    generator = tiny_generator()
    average = ema.GeneratorAverage(generator, half_life=100, rampup=None)
    start = [weight.numpy() for weight in generator.trainable_weights]
    expected = [value.copy() for value in start]
    beta = 0.5 ** (10 / 100)
    for step in range(1, 6):
        for weight in generator.trainable_weights:
            weight.assign(weight.numpy() + 0.1 * step)
        assert float(average.update(generator, images_seen=10 * step, batch_size=10)) == pytest.approx(beta)
        expected = [beta * old + (1 - beta) * weight.numpy()
                    for old, weight in zip(expected, generator.trainable_weights)]
    for variable, value in zip(average.variables, expected):
        np.testing.assert_allclose(variable.numpy(), value, rtol=1e-5, atol=1e-6)
    # closed form of the first kernel entry: w_k = w_0 + 0.1 k (k = 1..5 cumulative: +0.1, +0.3, ...)
    shifts = np.cumsum(0.1 * np.arange(1, 6))
    closed = start[0][0, 0] * beta**5 + sum((1 - beta) * beta ** (5 - k) * (start[0][0, 0] + shifts[k - 1])
                                            for k in range(1, 6))
    assert average.variables[0].numpy()[0, 0] == pytest.approx(closed, rel=1e-5)


def test_sampling_swaps_in_the_average_and_keeps_the_generators_statistics():
    generator = tiny_generator()
    average = ema.GeneratorAverage(generator, half_life=1, rampup=None)
    for weight in generator.trainable_weights:
        weight.assign(weight.numpy() * 0 + 1.0)
    generator.get_layer("bn").moving_mean.assign([5.0, 5.0, 5.0, 5.0])
    average.update(generator, images_seen=10**6, batch_size=1)  # beta 0.5
    with sampling.averaged_weights(generator, average):
        np.testing.assert_allclose(generator.get_layer("out").kernel.numpy(), average.variables[-2].numpy())
        np.testing.assert_allclose(generator.get_layer("bn").moving_mean.numpy(), 5.0)
        assert not np.allclose(generator.get_layer("out").kernel.numpy(), 1.0)
    np.testing.assert_allclose(generator.get_layer("out").kernel.numpy(), 1.0)  # restored


@pytest.mark.parametrize("options, message", [({"half_life": 0}, "half_life"), ({"rampup": 2.0}, "rampup")])
def test_bad_settings_are_refused_by_name(options, message):
    with pytest.raises(ValueError, match=message):
        ema.GeneratorAverage(tiny_generator(), **options)
