"""Gradient descent against the closed form and the 2/lambda_max theory."""

import numpy as np
import pytest

from losslab.analysis import quadratic_form
from losslab.data import teacher_data
from losslab.errors import LosslabError
from losslab.objective import perceptron_objective
from losslab.optimizers import Trajectory, gradient_descent, run

DATA = teacher_data("2*x + 1", "-1:3:21", noise=0.3, seed=4)
OBJ = perceptron_objective(DATA)
Q = quadratic_form(DATA)


def test_gradient_descent_follows_the_closed_form():
    lr, start = 0.17, np.array([3.0, 2.0])
    traj = run(OBJ, gradient_descent(lr), start, steps=25, tolerance=0)
    step_matrix = np.eye(2) - lr * Q.hessian
    for k in range(26):
        expected = Q.minimum + np.linalg.matrix_power(step_matrix, k) @ (start - Q.minimum)
        np.testing.assert_allclose(traj.params[k], expected, atol=1e-12)
    np.testing.assert_allclose(traj.losses, [OBJ.loss(p) for p in traj.params])


@pytest.mark.parametrize("fraction", [0.3, 0.9, 0.99])
def test_below_the_stability_limit_it_converges(fraction):
    lr = fraction * Q.stability_limit
    traj = run(OBJ, gradient_descent(lr), [3.0, 2.0], steps=20_000, tolerance=1e-9)
    assert traj.meta["stop"] == "converged"
    np.testing.assert_allclose(traj.params[-1], Q.minimum, atol=1e-8)


@pytest.mark.parametrize("fraction", [1.01, 1.1, 2.0])
def test_above_the_stability_limit_it_diverges_and_keeps_finite_steps(fraction):
    lr = fraction * Q.stability_limit
    traj = run(OBJ, gradient_descent(lr), [3.0, 2.0], steps=100_000)
    assert traj.meta["stop"] == "diverged"
    assert traj.meta["diverged_at"] == traj.steps + 1
    assert np.all(np.isfinite(traj.params)) and np.all(np.isfinite(traj.losses))
    assert traj.losses[-1] > traj.losses[0]
    assert traj.meta["stability_limit"] == pytest.approx(Q.stability_limit)


def test_step_limit_and_start():
    traj = run(OBJ, gradient_descent(0.01), [3.0, 2.0], steps=5)
    assert traj.meta["stop"] == "step limit" and traj.steps == 5
    np.testing.assert_array_equal(traj.params[0], [3.0, 2.0])


def test_run_and_update_leave_their_inputs_unchanged():
    start = np.array([3.0, 2.0])
    run(OBJ, gradient_descent(0.1), start, steps=10)
    np.testing.assert_array_equal(start, [3.0, 2.0])
    opt = gradient_descent(0.1)
    grads, params = np.array([1.0, 2.0]), np.array([0.5, 0.5])
    opt.update(grads, opt.init(params), params)
    np.testing.assert_array_equal(grads, [1.0, 2.0])
    np.testing.assert_array_equal(params, [0.5, 0.5])


@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf")])
def test_bad_learning_rates_are_refused(lr):
    with pytest.raises(LosslabError, match="learning rate"):
        gradient_descent(lr)


def test_bad_start_and_steps_are_refused():
    with pytest.raises(LosslabError):
        run(OBJ, gradient_descent(0.1), [1.0, float("nan")])
    with pytest.raises(LosslabError):
        run(OBJ, gradient_descent(0.1), [1.0, 2.0, 3.0])
    with pytest.raises(LosslabError):
        run(OBJ, gradient_descent(0.1), [1.0, 2.0], steps=-1)


def test_trajectory_round_trip(tmp_path):
    traj = run(OBJ, gradient_descent(0.1), [3.0, 2.0], steps=7)
    traj.save(tmp_path / "t.npz")
    back = Trajectory.load(tmp_path / "t.npz")
    np.testing.assert_array_equal(back.params, traj.params)
    assert back.meta["hyperparameters"] == {"learning_rate": 0.1}
