"""Many grid points per forward pass (TorchProblem's vmap over parameter sets) against a
plain module loop in float64."""

import copy

import numpy as np
import pytest
import torch
from torch import nn

from losslab.adapters.torch_plan import CPU_BUDGET_BYTES, chunk_size, point_bytes
from losslab.torch import TorchProblem

torch.set_num_threads(1)


def mlp():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3)
    )


def cnn_with_batchnorm(x):
    torch.manual_seed(1)
    net = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
        nn.Conv2d(4, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(),
        nn.Flatten(), nn.Linear(6 * 8 * 8, 3),
    )  # fmt: skip
    with torch.no_grad():  # running statistics that are not the initial (0, 1)
        net.train()
        for _ in range(3):
            net(x + 0.5)
    return net.eval()


def data(image=False):
    g = torch.Generator().manual_seed(2)
    x = torch.rand(40, 1, 8, 8, generator=g) if image else torch.rand(40, 8, generator=g)
    return x, torch.randint(0, 3, (40,), generator=g)


def module_loop(model, flats, x, y):
    """The oracle: write each point into a float64 copy of the module, one forward each."""
    net = copy.deepcopy(model).double().eval()
    out = []
    with torch.no_grad():
        for flat in flats:
            nn.utils.vector_to_parameters(flat.double(), net.parameters())
            out.append(float(nn.functional.cross_entropy(net(x.double()), y)))
    return np.array(out)


def points(problem, m=13, scale=0.5):
    g = torch.Generator().manual_seed(3)
    origin = problem.origin.double()
    return origin + scale * torch.randn(m, origin.numel(), generator=g, dtype=torch.float64)


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_float32_batches_equal_the_float64_loop_within_1e_4(kind):
    x, y = data(image=kind == "cnn")
    model = mlp() if kind == "mlp" else cnn_with_batchnorm(x)
    batched = TorchProblem(model, nn.functional.cross_entropy, (x, y), method="vmap", chunk=5)
    flats = points(batched)
    oracle = module_loop(model, flats, x, y)
    np.testing.assert_allclose(batched.loss_batch(flats), oracle, rtol=1e-4, atol=0)
    np.testing.assert_allclose(batched.using("loop").loss_batch(flats), oracle, rtol=1e-4, atol=0)
    assert batched.chunk_points == 5


def test_float64_batches_over_data_batches_equal_the_loop():
    x, y = data(image=True)
    model = cnn_with_batchnorm(x)
    batched = TorchProblem(model, nn.functional.cross_entropy, (x, y), batch_size=16,
                           dtype=torch.float64, method="vmap", chunk=4)  # fmt: skip
    flats = points(batched, m=9)
    np.testing.assert_allclose(
        batched.loss_batch(flats), module_loop(model, flats, x, y), rtol=1e-12, atol=0
    )
    assert model.training is False and next(model.parameters()).dtype == torch.float32


def test_plane_is_the_losses_at_origin_plus_a_d1_plus_c_d2():
    x, y = data()
    model = mlp()
    batched = TorchProblem(model, nn.functional.cross_entropy, (x, y), dtype=torch.float64,
                           method="vmap", chunk=7)  # fmt: skip
    g = torch.Generator().manual_seed(4)
    d1, d2 = torch.randn(2, batched.n_params, generator=g, dtype=torch.float64)
    coords = torch.cartesian_prod(torch.linspace(-1, 1, 5), torch.linspace(-0.5, 0.5, 4)).double()
    flats = batched.origin + coords[:, :1] * d1 + coords[:, 1:] * d2
    np.testing.assert_allclose(
        batched.loss_plane(batched.origin.numpy(), torch.stack([d1, d2]).numpy(), coords.numpy()),
        module_loop(model, flats, x, y),
        rtol=1e-12,
        atol=0,
    )


def test_chunk_size_divides_the_budget_by_the_bytes_of_one_point():
    x, _ = data()
    net = mlp()
    # Parameters, then 3 x (inputs + the five module outputs), float32, for 40 samples.
    params = sum(p.numel() for p in net.parameters()) * 4
    activations = 40 * (8 + 16 + 16 + 16 + 16 + 3) * 4
    assert point_bytes(net, x) == params + 3 * activations
    assert chunk_size(point_bytes(net, x)) == min(
        4096, CPU_BUDGET_BYTES // (params + 3 * activations)
    )
    big = torch.rand(100_000, 8)
    assert chunk_size(point_bytes(net, big)) == CPU_BUDGET_BYTES // point_bytes(net, big) < 4096
    labels = torch.zeros(100_000, dtype=torch.int64)
    problem = TorchProblem(net, nn.functional.cross_entropy, (big, labels), method="vmap")
    assert problem.chunk_points == chunk_size(point_bytes(net, big))
