"""Gradient descent against the closed form and the 2/lambda_max theory."""

import numpy as np
import pytest

from losslab.analysis.quadratic import quadratic_form
from losslab.core.data import teacher_data
from losslab.core.objective import book_ch6_function, perceptron_objective
from losslab.errors import LosslabError
from losslab.optim.loop import run, stop_message
from losslab.optim.rules import (
    adagrad,
    adam,
    gradient_descent,
    make_optimizer,
    momentum,
    nesterov,
    rmsprop,
    sgd,
)
from losslab.optim.trajectory import Trajectory

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


# --- the book's optimizers: the first three updates by hand -------------------------------

A = np.diag([0.1, 2.0])  # f(x, y) = x^2/20 + y^2, the book's chapter 6 function
P0 = np.array([-7.0, 2.0])


def grad_f(p):
    return np.array([p[0] / 10.0, 2.0 * p[1]])


def three_by_hand(rule):
    """Three updates of ``rule(p, g, state) -> (p, state)`` from P0, written from the formulas."""
    p, state, out = P0.copy(), None, []
    for _ in range(3):
        p, state = rule(p, grad_f(p), state)
        out.append(p.copy())
    return out


def by_library(opt):
    traj = run(book_ch6_function(), opt, P0, steps=3, tolerance=0)
    return list(traj.params[1:])


def sgd_rule(p, g, s, lr=0.95):
    return p - lr * g, s


def momentum_rule(p, g, v, lr=0.1, m=0.9):
    v = np.zeros(2) if v is None else v
    v = m * v - lr * g
    return p + v, v


def nesterov_rule(p, g, v, lr=0.1, m=0.9):
    v = np.zeros(2) if v is None else v
    v = m * v - lr * g
    return p + m * m * v - (1 + m) * lr * g, v


def adagrad_rule(p, g, h, lr=1.5):
    h = (np.zeros(2) if h is None else h) + g * g
    return p - lr * g / (np.sqrt(h) + 1e-7), h


def rmsprop_rule(p, g, h, lr=0.1, d=0.99):
    h = np.zeros(2) if h is None else h
    h = d * h + (1 - d) * g * g
    return p - lr * g / (np.sqrt(h) + 1e-7), h


def adam_rule(p, g, s, lr=0.3, b1=0.9, b2=0.999):
    t, m, v = (0, np.zeros(2), np.zeros(2)) if s is None else s
    t += 1
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
    return p - lr_t * m / (np.sqrt(v) + 1e-7), (t, m, v)


@pytest.mark.parametrize(
    ("opt", "rule"),
    [
        (sgd(0.95), sgd_rule),
        (momentum(0.1), momentum_rule),
        (nesterov(0.1), nesterov_rule),
        (adagrad(1.5), adagrad_rule),
        (rmsprop(0.1), rmsprop_rule),
        (adam(0.3), adam_rule),
    ],
    ids=lambda v: getattr(v, "name", ""),
)
def test_first_three_updates_by_hand(opt, rule):
    for got, expected in zip(by_library(opt), three_by_hand(rule), strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)


def test_first_adam_step_is_lr_times_sign():
    # With the bias correction, Adam's first step is lr * g / (|g| + eps/sqrt(1-b2)) ~ lr*sign(g).
    step = by_library(adam(0.3))[0] - P0
    g = grad_f(P0)
    np.testing.assert_allclose(step, -0.3 * g / (np.abs(g) + 1e-7 / np.sqrt(0.001)), rtol=1e-12)
    np.testing.assert_allclose(step, -0.3 * np.sign(g), rtol=1e-5)


def test_book_defaults():
    assert sgd().hyperparameters == {"learning_rate": 0.01}
    assert momentum().hyperparameters == {"learning_rate": 0.01, "momentum": 0.9}
    assert rmsprop().hyperparameters["decay_rate"] == 0.99
    assert adam().hyperparameters == {"learning_rate": 0.001, "beta1": 0.9, "beta2": 0.999}
    with pytest.raises(LosslabError, match="choose one of"):
        make_optimizer("lion")


@pytest.mark.parametrize(
    "name", ["gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
)
def test_every_optimizer_is_pure(name):
    opt = make_optimizer(name, 0.1)
    params, grads = np.array([1.0, -2.0]), np.array([0.5, 3.0])
    state = opt.init(params)
    before = [np.array(s, copy=True) for s in state]
    u1, _ = opt.update(grads, state, params)
    u2, _ = opt.update(grads, state, params)
    np.testing.assert_array_equal(u1, u2)  # same inputs, same outputs
    np.testing.assert_array_equal(params, [1.0, -2.0])
    np.testing.assert_array_equal(grads, [0.5, 3.0])
    for old, new in zip(before, state, strict=True):
        np.testing.assert_array_equal(old, np.asarray(new))


def test_minibatch_sgd_is_reproducible_with_a_seed_and_noisier_than_full_batch():
    data = teacher_data("2*x + 1", "-1:3:40", noise=0.5, seed=1)
    obj = perceptron_objective(data)
    a = run(obj, sgd(0.05), [3.0, 2.0], steps=200, batch_size=4, seed=5)
    b = run(obj, sgd(0.05), [3.0, 2.0], steps=200, batch_size=4, seed=5)
    c = run(obj, sgd(0.05), [3.0, 2.0], steps=200, batch_size=4, seed=6)
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)
    full = run(obj, sgd(0.05), [3.0, 2.0], steps=200, batch_size=40)
    np.testing.assert_allclose(
        full.params, run(obj, sgd(0.05), [3.0, 2.0], steps=200).params, rtol=1e-12
    )
    # Near the end, the batch-of-4 path keeps jittering around the minimum.
    q = quadratic_form(data)
    assert np.mean(a.losses[-50:]) > np.mean(full.losses[-50:]) >= q.min_loss - 1e-12


def test_minibatch_gradient_is_the_mean_over_the_batch():
    data = teacher_data("x**2", "-1:1:9")
    obj = perceptron_objective(data)
    batch = np.array([0, 3, 7])
    p = np.array([0.5, -0.2])
    y = p[0] * data.x[batch] + p[1]
    err = y - data.t[batch]
    np.testing.assert_allclose(
        obj.gradient(p, batch), [2 * np.mean(err * data.x[batch]), 2 * np.mean(err)]
    )
    with pytest.raises(LosslabError, match="batch size"):
        run(obj, sgd(0.1), p, batch_size=10)


def test_divergence_message_names_the_step_and_the_limit():
    lr = 1.5 * Q.stability_limit
    traj = run(OBJ, gradient_descent(lr), [3.0, 2.0], steps=1000)
    message = stop_message(traj)
    assert f"step {traj.meta['diverged_at']}" in message and "1.50 times" in message
    assert "ステップ" in stop_message(traj, "ja")


def test_csv_round_trip(tmp_path):
    traj = run(OBJ, adam(0.3), [3.0, 2.0], steps=9)
    traj.save_csv(tmp_path / "t.csv")
    back = Trajectory.load_csv(tmp_path / "t.csv")
    np.testing.assert_array_equal(back.params, traj.params)
    np.testing.assert_array_equal(back.losses, traj.losses)
    np.testing.assert_array_equal(back.gradients, traj.gradients)
    assert back.meta == traj.meta
    header = (tmp_path / "t.csv").read_text().splitlines()[1]
    assert header == "step,w,b,loss,grad_w,grad_b"
