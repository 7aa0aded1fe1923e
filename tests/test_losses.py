"""Losses on hand-checkable logits and at extreme logits.

With l = ln 3, sigmoid(l) = 3/4: -log(3/4) = 0.2876821, -log(1/4) = 1.3862944.
"""

import math

import numpy as np
import pytest
import tensorflow as tf

from gan_tf import losses

LN3 = math.log(3.0)
MINUS_LOG_3_4 = -math.log(0.75)
MINUS_LOG_1_4 = -math.log(0.25)


@pytest.mark.parametrize(
    "function, arguments, expected",
    [
        (losses.non_saturating_generator_loss, ([LN3, LN3],), MINUS_LOG_3_4),
        (losses.minimax_generator_loss, ([LN3, LN3],), -MINUS_LOG_1_4),
        (losses.minimax_discriminator_loss, ([LN3], [LN3]), MINUS_LOG_3_4 + MINUS_LOG_1_4),
        (losses.non_saturating_discriminator_loss, ([0.0, 0.0], [0.0, 0.0]), 2 * math.log(2.0)),
        (losses.non_saturating_generator_loss, ([0.0, LN3],), (math.log(2.0) + MINUS_LOG_3_4) / 2),
        (losses.minimax_discriminator_loss, ([LN3, -LN3], [0.0, 0.0]),
         (MINUS_LOG_3_4 + MINUS_LOG_1_4) / 2 + math.log(2)),
    ],
)
def test_hand_checked_values(function, arguments, expected):
    assert float(function(*[tf.constant(a, tf.float32) for a in arguments])) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    "function, arguments, expected",
    [
        (losses.minimax_discriminator_loss, ([100.0], [-100.0]), 0.0),  # perfect D
        (losses.minimax_discriminator_loss, ([-100.0], [100.0]), 200.0),  # perfectly wrong D
        (losses.non_saturating_generator_loss, ([-100.0],), 100.0),
        (losses.non_saturating_generator_loss, ([100.0],), 0.0),
        (losses.minimax_generator_loss, ([100.0],), -100.0),
        (losses.minimax_generator_loss, ([-100.0],), 0.0),
    ],
)
def test_finite_and_exact_at_extreme_logits(function, arguments, expected):
    value = float(function(*[tf.constant(a, tf.float32) for a in arguments]))
    assert math.isfinite(value)
    assert value == pytest.approx(expected, abs=1e-6)


def test_minimax_generator_saturates_where_non_saturating_does_not():
    # A confidently rejected fake (logit -100): d/dl log(1 - sigmoid(l)) = -sigmoid(l) ~ 0, while
    # d/dl -log sigmoid(l) = -(1 - sigmoid(l)) ~ -1.
    logits = tf.Variable([-100.0])
    with tf.GradientTape(persistent=True) as tape:
        saturating = losses.minimax_generator_loss(logits)
        non_saturating = losses.non_saturating_generator_loss(logits)
    assert float(tape.gradient(saturating, logits)[0]) == pytest.approx(0.0, abs=1e-30)
    assert float(tape.gradient(non_saturating, logits)[0]) == pytest.approx(-1.0, abs=1e-6)


def test_shape_invariance_and_float32_output():
    logits = np.array([10.0, 4.4, -5.5, 3.6], dtype=np.float16)
    flat = losses.non_saturating_generator_loss(tf.constant(logits))
    square = losses.non_saturating_generator_loss(tf.constant(logits.reshape(2, 2)))
    assert flat.dtype == tf.float32
    assert float(flat) == pytest.approx(float(square))


def test_feature_matching_is_squared_distance_of_batch_means():
    real = tf.constant([[1.0, 2.0], [3.0, 4.0]])  # mean [2, 3]
    fake = tf.constant([[0.0, 0.0], [2.0, 2.0], [1.0, 1.0]])  # mean [1, 1]
    assert float(losses.feature_matching_loss(real, fake)) == pytest.approx(1.0 + 4.0)


def test_registry_and_unknown_name():
    family = losses.get("minimax")
    assert family.generator_loss is losses.minimax_generator_loss
    with pytest.raises(ValueError, match="Unknown loss 'wasserstien'.*non_saturating"):
        losses.get("wasserstien")
