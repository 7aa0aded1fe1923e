"""`distributions.ring_of_gaussians`: the Numerics of GANs toy (8 modes, radius 1, stddev 0.01)."""

import numpy as np
import pytest

from gan_tf import distributions


def test_ring_modes_lie_on_the_circle_at_equal_angles():
    centres = distributions.ring_of_gaussians(8, 1.0, 0.01).components_distribution.mean().numpy()
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(centres[2], [0.0, 1.0], atol=1e-6)  # angle 2 pi * 2 / 8 = 90 degrees


def test_ring_samples_sit_near_a_centre_with_the_given_stddev():
    ring = distributions.ring_of_gaussians(8, 2.0, 0.05)
    samples = ring.sample(8000, seed=3).numpy()
    centres = ring.components_distribution.mean().numpy()
    nearest = np.linalg.norm(samples[:, None] - centres[None], axis=-1).argmin(axis=1)
    offsets = samples - centres[nearest]
    # 16000 coordinates: the sample stddev has a relative standard error of 1 / sqrt(2 * 16000) = 0.6%
    assert offsets.std() == pytest.approx(0.05, rel=0.03)
    assert np.bincount(nearest, minlength=8).min() > 800  # 1000 expected per mode, binomial sd 30


@pytest.mark.parametrize("kwargs, message", [(dict(num_modes=0), "num_modes"), (dict(radius=-1.0), "radius"),
                                             (dict(stddev=0.0), "stddev")])
def test_bad_ring_arguments_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        distributions.ring_of_gaussians(**kwargs)
