"""The optional capabilities of a Problem (``hvp``, ``n_samples``, ``stability_limit``) and
the one run loop (observers, the divergence rule), against independent oracles: finite
differences, dense Hessians from loss values alone, ``numpy.linalg.eigvalsh`` and the
theory ``2 / lambda_max``."""

import numpy as np
import pytest

from losslab.analysis.curvature import operator_of
from losslab.core.data import teacher_data
from losslab.core.datasets import toy_data
from losslab.core.losses import LOSSES, MeanSquaredError
from losslab.core.mlp import MLP
from losslab.core.objective import Objective, QuadraticBowl, perceptron_objective
from losslab.errors import LosslabError
from losslab.lessons.sharpness import sharpness_run
from losslab.optim.loop import check_batch_size, continue_run, loss_bound, run
from losslab.optim.rules import adam, gradient_descent, momentum


def brute_hessian(problem, params, h=1e-3):
    """The Hessian from loss values only (central second differences): no gradient, no hvp."""
    p = np.asarray(params, dtype=np.float64)
    size = p.size
    eye = np.eye(size) * h
    H = np.empty((size, size))
    for i in range(size):
        for j in range(size):
            H[i, j] = (
                problem.loss(p + eye[i] + eye[j])
                - problem.loss(p + eye[i] - eye[j])
                - problem.loss(p - eye[i] + eye[j])
                + problem.loss(p - eye[i] - eye[j])
            ) / (4 * h * h)
    return H


def fd_hvp(problem, params, v, h=1e-4):
    """Central differences of the gradient along v."""
    return (problem.gradient(params + h * v) - problem.gradient(params - h * v)) / (2 * h)


def problems():
    """One problem of each kind with its point: perceptron, linear models, MLPs, a bowl."""
    moons = toy_data("moons", n=15, seed=2)
    mlp = MLP((2, 4, 1), "tanh")
    bowl = QuadraticBowl(np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0]))
    return {
        "perceptron": (perceptron_objective(teacher_data(noise=0.3)), np.array([3.0, 2.0])),
        "linear": (Objective(MLP((2, 1)), MeanSquaredError(), moons), np.array([0.5, -1, 0.2])),
        "logistic": (Objective(MLP((2, 1)), LOSSES["bce"](), moons), np.array([0.5, -1, 0.2])),
        "mlp": (Objective(mlp, MeanSquaredError(), moons), mlp.init_params(3)),
        "mlp bce": (Objective(mlp, LOSSES["bce"](), moons), mlp.init_params(4)),
        "bowl": (bowl, np.array([0.3, 0.7])),
    }


@pytest.mark.parametrize("name", list(problems()))
def test_hvp_equals_the_dense_hessian_from_loss_values_and_finite_differences(name):
    problem, params = problems()[name]
    H = np.column_stack([problem.hvp(params, e) for e in np.eye(params.size)])
    np.testing.assert_allclose(H, H.T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(H, brute_hessian(problem, params), rtol=1e-5, atol=1e-6)
    v = np.random.default_rng(0).normal(size=params.size)
    np.testing.assert_allclose(problem.hvp(params, v), fd_hvp(problem, params, v),
                               rtol=1e-6, atol=1e-8)  # fmt: skip
    op = operator_of(problem, params)  # the curvature operator only calls the capability
    np.testing.assert_allclose(op.matvec(v), H @ v, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", list(problems()))
def test_stability_limit_is_two_over_the_brute_force_lambda_max_or_none(name):
    problem, params = problems()[name]
    H = brute_hessian(problem, params)
    exact_quadratic = name in ("perceptron", "linear", "bowl")
    if not exact_quadratic:  # the Hessian changes from point to point: no one limit
        assert not np.allclose(H, brute_hessian(problem, params + 0.5), rtol=1e-3)
        assert problem.stability_limit is None
        return
    np.testing.assert_allclose(problem.stability_limit, 2 / np.linalg.eigvalsh(H)[-1], rtol=1e-6)


def test_n_samples_and_mini_batches_ask_the_capability():
    obj, _ = problems()["mlp"]
    assert obj.n_samples == 15 and check_batch_size(obj, 15) == 15
    bowl, _ = problems()["bowl"]
    assert bowl.n_samples is None
    with pytest.raises(LosslabError, match="batch size"):
        check_batch_size(bowl, 1)

    class Sampled:  # any object with the capability: no isinstance on problem kinds
        n_samples = 7

    assert check_batch_size(Sampled(), 7) == 7
    with pytest.raises(LosslabError, match="batch size"):
        check_batch_size(Sampled(), 8)


def test_products_prepared_at_a_point_are_used_when_a_problem_offers_them():
    bowl, params = problems()["bowl"]

    class Prepared:  # one-off products are refused: only the prepared ones can answer
        param_names = bowl.param_names

        def hvp(self, params, v):
            raise AssertionError("the prepared products should have been used")

        def hvp_operator(self, params):
            return lambda v: bowl.hessian @ v

    v = np.array([1.0, -2.0])
    np.testing.assert_array_equal(operator_of(Prepared(), params).matvec(v), bowl.hessian @ v)


def test_a_problem_without_hvp_gets_one_sentence():
    class Flat:
        param_names = ("a",)

    with pytest.raises(LosslabError, match="Hessian-vector products are not available for a Flat"):
        operator_of(Flat(), [0.0])


# --- the one run loop ---


@pytest.mark.parametrize(("steps", "every"), [(10, 3), (9, 3), (5, 1), (4, 10)])
def test_observer_sees_the_start_every_k_steps_and_the_last(steps, every):
    obj = perceptron_objective(teacher_data())
    seen = []
    traj = run(obj, momentum(0.05), [3.0, 2.0], steps=steps, tolerance=0.0, every=every,
               observe=lambda step, p, loss: seen.append((step, p.copy(), loss)))  # fmt: skip
    expected = sorted({*range(0, steps + 1, every), steps})
    assert [s for s, _, _ in seen] == expected
    for step, p, loss in seen:  # what it saw is the trajectory's row of that step
        np.testing.assert_array_equal(p, traj.params[step])
        assert loss == traj.losses[step] == obj.loss(p)


def test_observer_in_pieces_sees_what_one_run_sees():
    obj = perceptron_objective(teacher_data(noise=0.2))
    whole: list[int] = []
    run(obj, adam(0.1), [3.0, 2.0], steps=12, tolerance=0.0, batch_size=5, seed=3, every=4,
        observe=lambda step, p, loss: whole.append(step))  # fmt: skip
    pieces: list[int] = []
    opt = adam(0.1)
    params, state, bound = np.array([3.0, 2.0]), opt.init(np.array([3.0, 2.0])), 1e300
    for first in (0, 5):
        more = continue_run(obj, opt, params, state, 5 if first == 0 else 7, bound,
                            batch_size=5, seed=3, first_step=first, every=4,
                            observe=lambda step, p, loss: pieces.append(step))  # fmt: skip
        params, state = more.params[-1], more.state
    assert whole == [0, 4, 8, 12] and pieces == [4, 5, 8, 12]  # 5: the first piece's last


@pytest.mark.parametrize(("fraction", "stop"), [(0.99, "converged"), (1.01, "diverged")])
def test_the_divergence_rule_agrees_with_two_over_lambda_max(fraction, stop):
    data = teacher_data(noise=0.5, seed=4)
    obj = perceptron_objective(data)
    H = brute_hessian(obj, np.zeros(2))
    lr = fraction * 2 / np.linalg.eigvalsh(H)[-1]  # the theory, from loss values alone
    traj = run(obj, gradient_descent(lr), [3.0, 2.0], steps=50_000, tolerance=1e-9)
    assert traj.meta["stop"] == stop
    if stop == "diverged":  # the first loss past the bound, not kept in the path
        assert traj.meta["diverged_loss"] > loss_bound(traj.losses[0]) >= traj.losses.max()
        assert traj.meta["diverged_at"] == traj.steps + 1
    edge = sharpness_run(obj, [3.0, 2.0], lr, 3000, every=1000)  # the same loop, the same rule
    assert edge.stopped == ("diverged" if stop == "diverged" else "step limit")


def test_the_edge_of_stability_sawtooth_is_not_divergence():
    # a loss that spikes up and down (as a network's at the edge) but stays within the bound
    obj = perceptron_objective(teacher_data())
    lr = 1.0 * obj.stability_limit  # r = -1: bounces forever at the same height
    traj = run(obj, gradient_descent(lr), [3.0, 2.0], steps=2000, tolerance=0.0)
    assert traj.meta["stop"] == "step limit" and np.ptp(traj.losses) > 0
