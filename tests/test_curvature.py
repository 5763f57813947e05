"""Curvature of numpy problems against independent oracles: finite differences of the
backpropagated gradient, dense Hessians, the quadratic form's closed form."""

import numpy as np
import pytest

from losslab.analysis.hvp import hessian_vector_product, hvp_function, param_blocks
from losslab.analysis.quadratic import quadratic_form
from losslab.core.data import teacher_data
from losslab.core.datasets import toy_data
from losslab.core.losses import LOSSES, Huber, SoftmaxCrossEntropy
from losslab.core.mlp import MLP
from losslab.core.objective import Objective, perceptron_objective
from losslab.errors import LosslabError


def fd_hvp(problem, params, v, h=1e-3):
    """Fourth-order central differences of the (backpropagated) gradient along v."""
    g = problem.gradient
    return (
        -g(params + 2 * h * v)
        + 8 * g(params + h * v)
        - 8 * g(params - h * v)
        + g(params - 2 * h * v)
    ) / (12 * h)


def dense_hessian(problem, params):
    """The Hessian column by column from finite differences of the gradient, symmetrised."""
    eye = np.eye(params.size)
    H = np.column_stack([fd_hvp(problem, params, e) for e in eye])
    return (H + H.T) / 2


def mlp_problem(activation="tanh", loss="mse", sizes=(2, 4, 3, 1), n=12, seed=1):
    data = toy_data("moons", n=n, seed=seed)
    if loss == "softmax-ce":
        sizes = (*sizes[:-1], 2)
    loss_fn = Huber(0.3) if loss == "huber" else LOSSES[loss]()
    net = MLP(sizes, activation)
    params = net.init_params(seed) + 0.1 * np.random.default_rng(seed).normal(size=net.n_params)
    return Objective(net, loss_fn, data), params


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("loss", ["mse", "bce", "softmax-ce", "huber"])
def test_mlp_hvp_matches_finite_differences_of_the_gradient(activation, loss):
    problem, params = mlp_problem(activation, loss)
    rng = np.random.default_rng(7)
    for _ in range(3):
        v = rng.normal(size=params.size)
        exact = hessian_vector_product(problem, params, v)
        oracle = fd_hvp(problem, params, v)
        np.testing.assert_allclose(exact, oracle, rtol=1e-6, atol=1e-8 * np.abs(oracle).max())


def test_mlp_hvp_is_symmetric_and_linear():
    problem, params = mlp_problem("sigmoid", "bce")
    hvp = hvp_function(problem, params)
    rng = np.random.default_rng(3)
    u, v = rng.normal(size=(2, params.size))
    assert u @ hvp(v) == pytest.approx(v @ hvp(u), rel=1e-12)
    np.testing.assert_allclose(hvp(2 * u + v), 2 * hvp(u) + hvp(v), rtol=1e-10, atol=1e-13)


def test_perceptron_hvp_is_the_quadratic_forms_hessian():
    data = teacher_data("2*x + 1", "-1:3:21")
    problem = perceptron_objective(data)
    q = quadratic_form(data)
    n = data.n
    expected = (2 / n) * np.array([[q.Sxx, q.Sx], [q.Sx, n]])
    for v in np.eye(2):
        np.testing.assert_allclose(hessian_vector_product(problem, [3.0, 2.0], v), expected @ v)
        np.testing.assert_allclose(
            hessian_vector_product(problem, [3.0, 2.0], v), fd_hvp(problem, np.array([3.0, 2.0]), v)
        )


def test_linear_mlp_under_mse_uses_the_exact_quadratic():
    data = toy_data("moons", n=10)
    net = MLP((2, 1))
    problem = Objective(net, LOSSES["mse"](), data)
    params = net.init_params(0)
    H = np.column_stack([hessian_vector_product(problem, params, e) for e in np.eye(3)])
    A = np.column_stack([data.x, np.ones(10)])
    np.testing.assert_allclose(H, 2 / 10 * A.T @ A, rtol=1e-12)
    np.testing.assert_allclose(H, dense_hessian(problem, params), rtol=1e-8)


def test_hvp_refuses_a_loss_without_curvature_and_an_unknown_problem():
    problem, params = mlp_problem()
    bad = Objective(problem.model, type("Odd", (), {"name": "odd"})(), problem.data)
    with pytest.raises(LosslabError, match="Curvature is not available"):
        hessian_vector_product(bad, params, params)
    with pytest.raises(LosslabError, match="not available for a str"):
        hvp_function("bowl", params)


def test_softmax_hvp_matches_for_three_classes():
    data = toy_data("moons", n=9, seed=2)
    t = np.arange(9) % 3.0
    data = type(data)(x=data.x, t=t)
    net = MLP((2, 5, 3), "tanh")
    problem = Objective(net, SoftmaxCrossEntropy(), data)
    params = net.init_params(4)
    v = np.random.default_rng(0).normal(size=net.n_params)
    np.testing.assert_allclose(
        hessian_vector_product(problem, params, v), fd_hvp(problem, params, v), rtol=1e-6
    )


def test_param_blocks_of_an_mlp_cover_every_parameter_once():
    net = MLP((2, 3, 1))
    blocks = param_blocks(net.param_names)
    assert list(blocks) == ["layer1.W", "layer1.b", "layer2.W", "layer2.b"]
    covered = np.concatenate([np.arange(net.n_params)[s] for s in blocks.values()])
    assert covered.tolist() == list(range(net.n_params))
