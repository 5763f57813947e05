"""PyTorch curvature against torch.autograd.functional.hessian (dense, float64)."""

import copy
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from losslab.analysis.curvature import (
    block_curvature,
    hutchinson_trace,
    spectral_density,
    top_eigenvalues,
)
from losslab.errors import LosslabError
from losslab.torch import TorchProblem, hessian_operator

torch.set_num_threads(1)


def small_problem(seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 5), nn.Sigmoid(), nn.Linear(5, 3)
    )
    x = torch.randn(40, 3)
    y = torch.randint(0, 3, (40,))
    return model, x, y


def dense_hessian(model, x, y):
    """The oracle: torch.autograd.functional.hessian of the loss as a function of the flat
    parameter vector, in float64, with a plain functional forward (no losslab code)."""
    net = copy.deepcopy(model).double()
    shapes = [p.shape for p in net.parameters()]
    flat = torch.cat([p.detach().reshape(-1) for p in net.parameters()])
    names = [n for n, _ in net.named_parameters()]

    def loss(theta):
        params, start = {}, 0
        for name, shape in zip(names, shapes, strict=True):
            size = int(np.prod(shape))
            params[name] = theta[start : start + size].reshape(shape)
            start += size
        out = torch.func.functional_call(net, params, (x.double(),))
        return nn.functional.cross_entropy(out, y)

    return torch.autograd.functional.hessian(loss, flat).numpy()


@pytest.mark.parametrize("method", ["reverse", "forward"])
def test_top3_and_trace_match_the_dense_hessian(method):
    model, x, y = small_problem()
    H = dense_hessian(model, x, y)
    op = hessian_operator(model, nn.functional.cross_entropy, (x, y), method=method,
                          batch_size=15)  # fmt: skip
    top = top_eigenvalues(op, k=3, seed=0)
    np.testing.assert_allclose(top.values, np.sort(np.linalg.eigvalsh(H))[::-1][:3], rtol=1e-6)
    # exact per-block traces (blocks smaller than the sample count) add up to trace(H)
    blocks = block_curvature(op, samples=100)
    assert blocks.trace.sum() == pytest.approx(np.trace(H), rel=1e-6)
    assert blocks.names == ("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias")
    est = hutchinson_trace(op, samples=300, seed=2)
    assert abs(est.value - np.trace(H)) < 4 * est.stderr


def test_hvp_matches_the_dense_hessian_and_batches_do_not_matter():
    model, x, y = small_problem(1)
    H = dense_hessian(model, x, y)
    v = np.random.default_rng(0).normal(size=H.shape[0])
    f64 = torch.float64
    whole = TorchProblem(model, nn.functional.cross_entropy, (x, y), dtype=f64)
    split = TorchProblem(model, nn.functional.cross_entropy, (x, y), batch_size=7, dtype=f64)
    p = whole.origin.numpy()
    np.testing.assert_allclose(whole.hvp(p, v), H @ v, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(split.hvp(p, v), H @ v, rtol=1e-9, atol=1e-12)
    for method in ("reverse", "forward"):
        product = split.hvp_operator(p, method)
        np.testing.assert_allclose(product(v), H @ v, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(product(2 * v), 2 * H @ v, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(split.operator().matvec(v), H @ v, rtol=1e-9, atol=1e-12)
    with pytest.raises(LosslabError, match="method 'sideways'"):
        whole.operator(method="sideways")
    with torch.no_grad():
        expected = float(nn.functional.cross_entropy(model(x), y))
    assert split.loss(p) == pytest.approx(expected, rel=1e-6)
    assert split.n_samples == whole.n_samples == 40 and len(split.batches) == 6


def test_hvp_at_another_point_matches_the_dense_hessian_there():
    model, x, y = small_problem(4)
    shifted = copy.deepcopy(model)
    with torch.no_grad():
        for k, p in enumerate(shifted.parameters()):
            p.add_(0.3 * (-1) ** k)
    H = dense_hessian(shifted, x, y)
    problem = TorchProblem(model, nn.functional.cross_entropy, (x, y), dtype=torch.float64)
    point = torch.cat([p.detach().reshape(-1) for p in shifted.parameters()]).double().numpy()
    v = np.random.default_rng(1).normal(size=H.shape[0])
    np.testing.assert_allclose(problem.hvp(point, v), H @ v, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(problem.operator(point).matvec(v), H @ v, rtol=1e-9, atol=1e-12)


def test_the_forward_method_warns_about_nothing():
    """No DeprecationWarning or FutureWarning (torch.jit.script) from any product."""
    model, x, y = small_problem(5)
    problem = TorchProblem(model, nn.functional.cross_entropy, (x, y), dtype=torch.float64)
    v = np.ones(problem.n_params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        problem.hvp(problem.origin.numpy(), v)
        problem.hvp_operator(method="forward")(v)
        problem.hvp_operator(method="reverse")(v)
    assert [str(w.message) for w in caught] == []


def test_slq_moments_match_the_dense_traces():
    model, x, y = small_problem(2)
    H = dense_hessian(model, x, y)
    P = H.shape[0]
    density = spectral_density(
        hessian_operator(model, nn.functional.cross_entropy, (x, y)), steps=20, runs=30, seed=0
    )
    for power, oracle in ((1, np.trace(H) / P), (2, np.trace(H @ H) / P)):
        mean, err = density.moment(power)
        assert abs(mean - oracle) < 4 * err


def test_the_callers_model_is_not_changed():
    model, x, y = small_problem(3)
    model.train()
    model[0].weight.requires_grad_(False)
    before = copy.deepcopy(model.state_dict())
    flags = [p.requires_grad for p in model.parameters()]
    for method in ("reverse", "forward"):
        op = hessian_operator(model, nn.functional.cross_entropy, (x, y), method=method)
        top_eigenvalues(op, k=2)
    hutchinson_trace(op, samples=5)
    assert model.training
    assert [p.requires_grad for p in model.parameters()] == flags
    assert all(p.grad is None for p in model.parameters())
    assert all(p.dtype == torch.float32 for p in model.parameters())
    for name, value in model.state_dict().items():
        assert torch.equal(value, before[name]), name
