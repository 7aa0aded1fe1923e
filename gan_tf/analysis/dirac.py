"""Dirac-GAN: the two-parameter GAN of Mescheder et al. 2018, in NumPy.

"Which Training Methods for GANs do actually Converge?", https://arxiv.org/abs/1801.04406, Section 2.

The data distribution is a Dirac at 0, the generator a Dirac at theta, the discriminator linear,
D_psi(x) = psi * x (a logit). With f(t) = -log(1 + exp(-t)) (f(t) = t for the WGAN) the game is

    L(theta, psi) = f(psi * theta) + f(0)        D ascends L in psi, G descends L in theta,

and the *gradient vector field* (the direction each player moves under gradient ascent of its own utility) is

    v(theta, psi) = (-psi f'(psi theta),  theta f'(psi theta)),      f'(t) = sigmoid(-t),  f'(0) = 1/2.

Its only equilibrium is (0, 0). Each variant below is a field (a function of (theta, psi) returning the
pair (v_theta, v_psi)); integrators apply it with one step size h, apart from any plotting.

Closed-form eigenvalues of the linearised updates
-------------------------------------------------
At the origin the Jacobian of every field here has the form

    J = [[0, -a],
         [a,  b]]        a = f'(0) (1/2; 1 for the WGAN),  b = 0 (b = 2 s^2 f''(0) = -s^2 / 2 with instance noise s).

A 2x2 update matrix A has eigenvalues the roots of x^2 - trace(A) x + det(A) = 0; when they are complex,
both have modulus sqrt(det(A)). With c = h a:

    simultaneous     A = I + h J                          trace 2 + h b,            det 1 + h b + c^2
    alternating      theta first, then psi at new theta   trace 2 + h b - c^2,      det 1 + h b
    gradient norm    A = I - h J^T J   (b = 0: J^T J = a^2 I)   double root 1 - h a^2
    v - gamma grad L A = I + h (J - gamma J^T J)          trace 2 (1 - gamma h a^2), det (1 - gamma h a^2)^2 + c^2

(grad L = J^T v, so the Hessian of L = 0.5 ||v||^2 at an equilibrium is J^T J.) For the standard GAN with
h = 0.2: simultaneous |x| = sqrt(1 + 0.1^2) = 1.00499 (spirals out), alternating |x| = 1 (det = 1: closed
orbits), gradient norm 0.95, instance noise s: sqrt(1 - h s^2 / 2 + c^2).

Away from the origin simultaneous steps still grow the norm, exactly: theta'^2 + psi'^2 =
(theta^2 + psi^2) (1 + h^2 f'(psi theta)^2) (the cross terms cancel), so no trajectory ever spirals in.
"""

import numpy as np

from gan_tf import checks

GAN_SLOPE = 0.5  # f'(0) for f(t) = -log(1 + exp(-t))
WGAN_SLOPE = 1.0  # f'(0) for f(t) = t


def sigmoid(t):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(t, dtype=np.float64)))


def f_prime(t):
    """f'(t) = sigmoid(-t) for f(t) = -log(1 + exp(-t))."""
    return sigmoid(-t)


def f_second(t):
    """f''(t) = -sigmoid(t) sigmoid(-t)."""
    return -sigmoid(t) * sigmoid(-t)


# --------------------------------------------------------------------------------------------------
# Vector fields: (theta, psi) -> (v_theta, v_psi), elementwise on arrays of any (equal) shape.
# --------------------------------------------------------------------------------------------------


def gan_field(theta, psi):
    """The standard (saturating) GAN: simultaneous gradient ascent of each player's utility."""
    slope = f_prime(psi * theta)
    return -psi * slope, theta * slope


def non_saturating_field(theta, psi):
    """G maximises log D(G(z)) instead: its component uses f'(-psi theta)."""
    return -psi * f_prime(-psi * theta), theta * f_prime(psi * theta)


def wgan_field(theta, psi):
    """f(t) = t: a pure rotation (combine with `clip_psi` for the WGAN's weight clipping)."""
    return -np.asarray(psi, dtype=np.float64), np.asarray(theta, dtype=np.float64)


def gradient_norm_loss(theta, psi):
    """L = 0.5 ||v||^2 = 0.5 (theta^2 + psi^2) f'(psi theta)^2 for the standard GAN."""
    return 0.5 * (theta**2 + psi**2) * f_prime(psi * theta) ** 2


def gradient_norm_gradient(theta, psi):
    """grad L = J^T v, by hand: d/dtheta of 0.5 r^2 g(t)^2 with r^2 = theta^2 + psi^2, g = f', t = psi theta."""
    slope = f_prime(psi * theta)
    curvature_term = (theta**2 + psi**2) * slope * f_second(psi * theta)
    return theta * slope**2 + psi * curvature_term, psi * slope**2 + theta * curvature_term


def gradient_norm_field(theta, psi):
    """Gradient descent on L = 0.5 ||v||^2 (the conservative field of the slides)."""
    grad_theta, grad_psi = gradient_norm_gradient(theta, psi)
    return -grad_theta, -grad_psi


def combined_field(gamma):
    """v - gamma grad L: consensus optimization (Mescheder et al. 2017) on the Dirac-GAN."""
    _check_non_negative("gamma", gamma)

    def field(theta, psi):
        v_theta, v_psi = gan_field(theta, psi)
        grad_theta, grad_psi = gradient_norm_gradient(theta, psi)
        return v_theta - gamma * grad_theta, v_psi - gamma * grad_psi

    return field


def instance_noise_field(stddev, nodes=40):
    """The GAN field in expectation over instance noise N(0, stddev^2) on real (0) and fake (theta) samples.

    L = E_e[f(psi (theta + e))] + E_x[f(-psi x)], e, x ~ N(0, stddev^2); the expectations are computed with
    Gauss-Hermite quadrature (`nodes` points, exact for polynomials of degree < 2 nodes), so the field is
    deterministic.
    """
    _check_non_negative("stddev", stddev)
    points, weights = np.polynomial.hermite_e.hermegauss(nodes)
    weights = weights / weights.sum()
    noise = stddev * points

    def field(theta, psi):
        theta, psi = np.asarray(theta, np.float64)[..., None], np.asarray(psi, np.float64)[..., None]
        fake = theta + noise
        v_theta = -psi * f_prime(psi * fake)
        v_psi = fake * f_prime(psi * fake) - noise * f_prime(-psi * noise)
        return v_theta @ weights, v_psi @ weights

    return field


def clip_psi(clip_value):
    """A projection after each step: the WGAN's weight clipping |psi| <= clip_value."""
    if not clip_value > 0:
        raise ValueError(f"clip_value must be > 0, got {clip_value!r}.")
    return lambda theta, psi: (theta, np.clip(psi, -clip_value, clip_value))


# --------------------------------------------------------------------------------------------------
# Integrators: arrays [num_steps + 1, 2] of (theta, psi), the start included.
# --------------------------------------------------------------------------------------------------


def simultaneous(field, start, step, num_steps, project=None):
    """Both players step from the same point: x <- project(x + h v(x)); `project` also applies to `start`."""
    theta, psi, project = _start(start, step, num_steps, project)
    path = [(theta, psi)]
    for _ in range(num_steps):
        v_theta, v_psi = field(theta, psi)
        theta, psi = project(theta + step * v_theta, psi + step * v_psi)
        path.append((theta, psi))
    return np.array(path, dtype=np.float64)


def alternating(field, start, step, num_steps, project=None):
    """G first (theta), then D (psi) at the new theta: one row per (G, D) pair of steps."""
    theta, psi, project = _start(start, step, num_steps, project)
    path = [(theta, psi)]
    for _ in range(num_steps):
        theta, psi = project(theta + step * field(theta, psi)[0], psi)
        theta, psi = project(theta, psi + step * field(theta, psi)[1])
        path.append((theta, psi))
    return np.array(path, dtype=np.float64)


def _start(start, step, num_steps, project):
    if np.shape(start) != (2,):
        raise ValueError(f"start must be a pair (theta, psi), got {start!r}.")
    if not step > 0:
        raise ValueError(f"step must be > 0, got {step!r}.")
    checks.integer_at_least("num_steps", num_steps, 0)
    project = project or (lambda theta, psi: (theta, psi))
    theta, psi = project(float(start[0]), float(start[1]))  # the first row is the projected start
    return theta, psi, project


# --------------------------------------------------------------------------------------------------
# Closed forms (see the module docstring for the derivation).
# --------------------------------------------------------------------------------------------------


def update_eigenvalues(method, step, slope=GAN_SLOPE, gamma=0.0, stddev=0.0):
    """The two eigenvalues of the update linearised at the origin, from closed-form trace and determinant.

    Args:
      method: "simultaneous", "alternating", "gradient_norm" or "combined" (v - gamma grad L).
      step: h > 0.
      slope: a = f'(0): `GAN_SLOPE` = 1/2, `WGAN_SLOPE` = 1.
      gamma: weight of grad L for "combined".
      stddev: instance noise s, which sets b = -s^2 / 2 (GAN loss only; not with the L-based methods).
    """
    if not step > 0:
        raise ValueError(f"step must be > 0, got {step!r}.")
    _check_non_negative("gamma", gamma)
    _check_non_negative("stddev", stddev)
    c, b = step * slope, -0.5 * stddev**2
    if method in ("gradient_norm", "combined") and stddev:
        raise ValueError(f"stddev must be 0 for method {method!r}: the closed form assumes b = 0.")
    shrink = 1.0 - (step if method == "gradient_norm" else gamma * step) * slope**2
    trace_det = {
        "simultaneous": (2.0 + step * b, 1.0 + step * b + c**2),
        "alternating": (2.0 + step * b - c**2, 1.0 + step * b),
        "gradient_norm": (2.0 * shrink, shrink**2),
        "combined": (2.0 * shrink, shrink**2 + c**2),
    }
    if method not in trace_det:
        raise ValueError(f"method must be one of {sorted(trace_det)}, got {method!r}.")
    trace, det = trace_det[method]
    root = np.sqrt(complex(trace**2 - 4.0 * det))
    return np.array([(trace + root) / 2.0, (trace - root) / 2.0])


def spectral_radius(method, step, **kwargs):
    """max |eigenvalue| of the linearised update: > 1 spirals out, 1 orbits, < 1 converges."""
    return float(np.max(np.abs(update_eigenvalues(method, step, **kwargs))))


def gradient_norm_saddle():
    """The stationary point (s, s) of L = 0.5 ||v||^2 on the diagonal that is not an equilibrium (v != 0).

    On theta = psi = s, dL/ds is proportional to f'(t) (1 - 2 t sigmoid(t)) with t = s^2, so t solves
    2 t sigmoid(t) = 1 (bisection). L has a maximum there along the diagonal and a minimum across it: a
    saddle, which gradient descent on L can approach (the slides' caveat).
    """
    low, high = 0.0, 2.0  # 2 t sigmoid(t) - 1 is increasing for t >= 0: -1 at 0, > 0 at 2
    for _ in range(60):
        middle = 0.5 * (low + high)
        low, high = (middle, high) if 2.0 * middle * sigmoid(middle) < 1.0 else (low, middle)
    side = float(np.sqrt(0.5 * (low + high)))
    return side, side


def update_jacobian(field, integrator, step, point=(0.0, 0.0), project=None, epsilon=1e-6):
    """The 2x2 Jacobian of one step of `integrator` at `point`, by central finite differences.

    An independent check of `update_eigenvalues`: np.linalg.eigvals of this matrix at the equilibrium.
    """
    columns = []
    for direction in np.eye(2):
        forward = integrator(field, np.add(point, epsilon * direction), step, 1, project)[-1]
        backward = integrator(field, np.subtract(point, epsilon * direction), step, 1, project)[-1]
        columns.append((forward - backward) / (2.0 * epsilon))
    return np.stack(columns, axis=1)


def measured_growth(field, integrator, step, num_steps, project=None, radius=1e-6):
    """The simulated per-step growth of small perturbations of (0, 0): (||x_N|| / ||x_0||)^(1 / N).

    The state is rescaled to norm `radius` after every step (as for a Lyapunov exponent), so it stays in
    the linear regime however many steps are taken; the result tends to the spectral radius of the update,
    with an error ~ log(condition number of its eigenvectors) / num_steps for a non-normal update.
    """
    checks.positive_integer("num_steps", num_steps)
    point = np.array([radius, 0.0])
    log_growth = 0.0
    for _ in range(num_steps):
        next_point = integrator(field, point, step, 1, project)[-1]
        log_growth += np.log(np.linalg.norm(next_point) / radius)
        point = next_point * (radius / np.linalg.norm(next_point))
    return float(np.exp(log_growth / num_steps))


def simultaneous_norm_growth(theta, psi, step):
    """Exact one-step norm ratio of simultaneous steps on `gan_field`: sqrt(1 + h^2 f'(psi theta)^2)."""
    return np.sqrt(1.0 + step**2 * f_prime(psi * theta) ** 2)


def _check_non_negative(name, value):
    if not value >= 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}.")
