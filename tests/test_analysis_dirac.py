"""Dirac-GAN: closed-form eigenvalues against hand numbers, finite-difference Jacobians and simulation.

All of it is deterministic NumPy (no seeds): tolerances are set by floating point and by the measured
non-normal transient of `measured_growth` (at most 9e-5 over 2000 steps, for instance noise).
"""

import numpy as np
import pytest

from gan_tf.analysis import dirac

STEP = 0.2

# name -> (field, integrator, projection, keyword arguments of update_eigenvalues)
CASES = {
    "simultaneous": (dirac.gan_field, dirac.simultaneous, None, dict(method="simultaneous")),
    "alternating": (dirac.gan_field, dirac.alternating, None, dict(method="alternating")),
    "gradient_norm": (dirac.gradient_norm_field, dirac.simultaneous, None, dict(method="gradient_norm")),
    "combined_small": (dirac.combined_field(0.05), dirac.simultaneous, None, dict(method="combined", gamma=0.05)),
    "consensus": (dirac.combined_field(1.0), dirac.simultaneous, None, dict(method="combined", gamma=1.0)),
    "combined_large": (dirac.combined_field(10.0), dirac.simultaneous, None, dict(method="combined", gamma=10.0)),
    "noise": (dirac.instance_noise_field(1.0), dirac.simultaneous, None, dict(method="simultaneous", stddev=1.0)),
    "noise_alternating": (dirac.instance_noise_field(0.5), dirac.alternating, None,
                          dict(method="alternating", stddev=0.5)),
    "wgan_clip": (dirac.wgan_field, dirac.simultaneous, dirac.clip_psi(0.3),
                  dict(method="simultaneous", slope=dirac.WGAN_SLOPE)),
}


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(method="simultaneous"), np.sqrt(1 + 0.1**2)),  # 1.00499 (the slides' number), h f'(0) = 0.2 * 0.5
        (dict(method="alternating"), 1.0),  # det = 1
        (dict(method="gradient_norm"), 1 - 0.2 * 0.25),  # 0.95
        (dict(method="combined", gamma=10.0), np.sqrt(0.5**2 + 0.1**2)),  # 1 - 0.2 * 10 / 4 = 0.5
        (dict(method="simultaneous", stddev=1.0), np.sqrt(1 - 0.1 + 0.01)),  # 1 - h s^2 / 2 + (h a)^2
        (dict(method="simultaneous", slope=1.0), np.sqrt(1.04)),  # WGAN: h f'(0) = 0.2
    ],
)
def test_spectral_radius_hand_numbers(kwargs, expected):
    assert dirac.spectral_radius(step=STEP, **kwargs) == pytest.approx(expected, abs=1e-12)


def test_simultaneous_modulus_is_the_slides_number():
    assert round(dirac.spectral_radius("simultaneous", 0.2), 5) == 1.00499


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("step", [0.05, 0.2, 0.5])
def test_closed_form_eigenvalues_match_finite_difference_jacobian(name, step):
    field, integrator, project, kwargs = CASES[name]
    jacobian = dirac.update_jacobian(field, integrator, step, project=project)
    numerical = np.sort_complex(np.linalg.eigvals(jacobian))
    closed_form = np.sort_complex(dirac.update_eigenvalues(step=step, **kwargs))
    # central differences with epsilon 1e-6 on a smooth field: error ~ 1e-9 (plus sqrt-amplified
    # error at the double root of gradient_norm), measured below 1e-7 for every case
    np.testing.assert_allclose(numerical, closed_form, atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_closed_form_modulus_matches_simulated_growth(name):
    field, integrator, project, kwargs = CASES[name]
    simulated = dirac.measured_growth(field, integrator, STEP, 2000, project)
    # normal updates match to 1e-12; non-normal ones (alternating, noise) carry a transient
    # log(cond) / 2000, measured at most 9e-5
    assert simulated == pytest.approx(dirac.spectral_radius(step=STEP, **kwargs), abs=3e-4)


@pytest.mark.parametrize("start", [(1.0, 1.0), (-0.3, 2.0), (2.5, -1.5)])
def test_simultaneous_norm_grows_by_the_exact_factor_away_from_zero(start):
    path = dirac.simultaneous(dirac.gan_field, start, STEP, 50)
    ratios = np.linalg.norm(path[1:], axis=1) / np.linalg.norm(path[:-1], axis=1)
    np.testing.assert_allclose(ratios, dirac.simultaneous_norm_growth(path[:-1, 0], path[:-1, 1], STEP), rtol=1e-12)
    assert np.all(ratios > 1.0)


def test_simultaneous_spirals_out_and_alternating_orbits_from_one_one():
    simultaneous = np.linalg.norm(dirac.simultaneous(dirac.gan_field, (1.0, 1.0), STEP, 500), axis=1)
    alternating = np.linalg.norm(dirac.alternating(dirac.gan_field, (1.0, 1.0), STEP, 500), axis=1)
    assert np.all(np.diff(simultaneous) > 0) and simultaneous[-1] > 2 * simultaneous[0]
    # the alternating orbit is a closed curve around (0, 0): its norm neither grows nor decays
    assert alternating.max() / alternating.min() < 1.1
    assert abs(alternating[-100:].mean() / alternating[:100].mean() - 1) < 0.02


def test_gradient_norm_gradient_is_the_gradient_of_half_squared_field_norm():
    theta, psi = np.array([0.3, -1.2, 2.0]), np.array([0.7, 0.4, -1.1])
    v_theta, v_psi = dirac.gan_field(theta, psi)
    np.testing.assert_allclose(dirac.gradient_norm_loss(theta, psi), 0.5 * (v_theta**2 + v_psi**2))
    epsilon = 1e-6
    finite_theta = (dirac.gradient_norm_loss(theta + epsilon, psi) - dirac.gradient_norm_loss(theta - epsilon, psi))
    finite_psi = (dirac.gradient_norm_loss(theta, psi + epsilon) - dirac.gradient_norm_loss(theta, psi - epsilon))
    grad_theta, grad_psi = dirac.gradient_norm_gradient(theta, psi)
    np.testing.assert_allclose(grad_theta, finite_theta / (2 * epsilon), atol=1e-8)
    np.testing.assert_allclose(grad_psi, finite_psi / (2 * epsilon), atol=1e-8)


def test_gradient_norm_saddle_is_stationary_for_l_but_not_an_equilibrium():
    theta, psi = dirac.gradient_norm_saddle()
    assert np.allclose(dirac.gradient_norm_gradient(theta, psi), 0.0, atol=1e-12)
    assert np.hypot(*dirac.gan_field(theta, psi)) > 0.3
    # t = theta * psi solves 2 t sigmoid(t) = 1
    assert 2 * theta * psi * dirac.sigmoid(theta * psi) == pytest.approx(1.0, abs=1e-12)


def test_instance_noise_field_matches_monte_carlo_and_vanishing_noise():
    theta, psi, stddev = 0.4, -0.8, 0.7
    rng = np.random.default_rng(0)
    fake, real = theta + stddev * rng.standard_normal(10**6), stddev * rng.standard_normal(10**6)
    v_theta = -psi * dirac.f_prime(psi * fake)
    v_psi = fake * dirac.f_prime(psi * fake) - real * dirac.f_prime(-psi * real)
    quadrature = dirac.instance_noise_field(stddev)(theta, psi)
    for estimate, samples in zip(quadrature, (v_theta, v_psi)):
        assert abs(estimate - samples.mean()) < 4 * samples.std() / np.sqrt(len(samples))  # 4 standard errors
    np.testing.assert_allclose(dirac.instance_noise_field(1e-9)(theta, psi), dirac.gan_field(theta, psi), atol=1e-9)


def test_wgan_clip_keeps_psi_bounded():
    path = dirac.simultaneous(dirac.wgan_field, (1.0, 1.0), STEP, 200, dirac.clip_psi(0.3))
    assert np.abs(path[:, 1]).max() <= 0.3


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: dirac.update_eigenvalues("momentum", 0.2), "method"),
        (lambda: dirac.update_eigenvalues("simultaneous", 0.0), "step"),
        (lambda: dirac.update_eigenvalues("combined", 0.2, gamma=-1.0), "gamma"),
        (lambda: dirac.update_eigenvalues("gradient_norm", 0.2, stddev=1.0), "stddev"),
        (lambda: dirac.simultaneous(dirac.gan_field, (1.0, 1.0, 1.0), 0.2, 5), "start"),
        (lambda: dirac.alternating(dirac.gan_field, (1.0, 1.0), 0.2, -1), "num_steps"),
        (lambda: dirac.clip_psi(0.0), "clip_value"),
        (lambda: dirac.combined_field(-0.1), "gamma"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(call, message):
    with pytest.raises(ValueError, match=message):
        call()
