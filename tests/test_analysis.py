"""The quadratic form against brute force, least squares and finite differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from losslab.analysis.quadratic import quadratic_form
from losslab.core.data import Dataset, teacher_data
from losslab.core.objective import perceptron_objective

finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)


def brute_force_mse(x, t, w, b):
    return np.mean((t - (w * x + b)) ** 2)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(finite, finite), min_size=1, max_size=30),
    finite,
    finite,
)
def test_quadratic_form_equals_the_direct_mean(pairs, w, b):
    x = np.array([p[0] for p in pairs])
    t = np.array([p[1] for p in pairs])
    q = quadratic_form(Dataset(x, t))
    direct = brute_force_mse(x, t, w, b)
    scale = 1 + np.mean(t**2) + (w**2 + 1) * (1 + np.mean(x**2)) + b**2
    assert abs(q.expanded(w, b) - direct) <= 1e-10 * scale
    assert abs(q(w, b) - direct) <= 1e-10 * scale


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=2, max_size=30))
def test_minimum_is_the_least_squares_line(pairs):
    x = np.array([p[0] for p in pairs])
    t = np.array([p[1] for p in pairs])
    if np.ptp(x) < 1e-3:
        return
    q = quadratic_form(Dataset(x, t))
    A = np.stack([x, np.ones_like(x)], axis=1)
    solution, *_ = np.linalg.lstsq(A, t, rcond=None)
    # Compare losses (well conditioned) and the parameters themselves.
    assert q.min_loss <= brute_force_mse(x, t, *solution) + 1e-9 * (1 + np.mean(t**2))
    np.testing.assert_allclose(q.minimum, solution, rtol=1e-6, atol=1e-6 * (1 + np.abs(t).max()))


def test_default_data_minimum_matches_polyfit_and_the_teacher():
    data = teacher_data("2*x + 1", "-1:3:21")
    q = quadratic_form(data)
    np.testing.assert_allclose(q.minimum, np.polyfit(data.x, data.t, 1), atol=1e-12)
    np.testing.assert_allclose(q.minimum, [2.0, 1.0], atol=1e-12)
    assert q.shape == "elliptic paraboloid"
    assert q.min_loss == pytest.approx(0.0, abs=1e-24)
    # The five sums, by hand from the definition.
    x, t = data.x, data.t
    assert (q.Sxx, q.Sx, q.Sxy, q.Sy, q.Syy) == pytest.approx(
        (sum(x * x), sum(x), sum(x * t), sum(t), sum(t * t))
    )


def test_noisy_minimum_matches_polyfit():
    data = teacher_data("2*x + 1", "-1:3:50", noise=0.5, seed=3)
    np.testing.assert_allclose(quadratic_form(data).minimum, np.polyfit(data.x, data.t, 1))


def test_gradient_and_hessian_against_central_differences():
    data = teacher_data("sin(3*x) + x", "-1:2:17", noise=0.2, seed=1)
    obj = perceptron_objective(data)
    q = quadratic_form(data)
    h = 1e-5
    rng = np.random.default_rng(0)
    for p in rng.normal(0, 3, size=(10, 2)):
        numeric = np.array(
            [(obj.loss(p + h * e) - obj.loss(p - h * e)) / (2 * h) for e in np.eye(2)]
        )
        np.testing.assert_allclose(obj.gradient(p), numeric, rtol=1e-7, atol=1e-7)
        np.testing.assert_allclose(q.gradient(*p), numeric, rtol=1e-7, atol=1e-7)
        hess = np.array(
            [(obj.gradient(p + h * e) - obj.gradient(p - h * e)) / (2 * h) for e in np.eye(2)]
        )
        np.testing.assert_allclose(q.hessian, hess, rtol=1e-6)


def test_eigen_decomposition_and_stability_limit():
    q = quadratic_form(teacher_data("2*x + 1", "-1:3:21"))
    for k in range(2):
        v = q.eigenvectors[:, k]
        np.testing.assert_allclose(q.hessian @ v, q.eigenvalues[k] * v, atol=1e-12)
    lo, hi = np.linalg.eigvalsh(q.hessian)
    assert q.condition_number == pytest.approx(hi / lo)  # the definition
    # stability_limit is tested by what it promises (test_optimizers.py: gradient descent
    # converges just below it and diverges just above), not by repeating 2 / hi here


def test_all_x_equal_is_a_parabolic_cylinder_with_a_line_of_minima():
    x = np.full(6, 1.5)
    t = np.array([1.0, 2.0, 4.0, 0.0, 3.0, 2.0])
    q = quadratic_form(Dataset(x, t))
    assert q.shape == "parabolic cylinder"
    assert q.eigenvalues[0] == 0.0 and q.condition_number == float("inf")
    assert q.min_loss == pytest.approx(np.var(t))
    w, b = q.minimum
    assert w * 1.5 + b == pytest.approx(t.mean())
    # Every point on the line is a minimum too.
    for w2 in (-3.0, 0.0, 7.0):
        assert brute_force_mse(x, t, w2, t.mean() - 1.5 * w2) == pytest.approx(q.min_loss)
