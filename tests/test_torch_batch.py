"""Many grid points per forward pass (vmap over parameter sets) against a plain module loop."""

import copy

import pytest
import torch
from torch import nn

from losslab.adapters.torch_batch import (
    CPU_BUDGET_BYTES,
    BatchedLoss,
    chunk_size,
    point_bytes,
)

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
    return torch.tensor(out, dtype=torch.float64)


def points(batched, m=13, scale=0.5):
    g = torch.Generator().manual_seed(3)
    origin = batched.origin.double()
    return origin + scale * torch.randn(m, origin.numel(), generator=g, dtype=torch.float64)


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_float32_batches_equal_the_float64_loop_within_1e_4(kind):
    x, y = data(image=kind == "cnn")
    model = mlp() if kind == "mlp" else cnn_with_batchnorm(x)
    batched = BatchedLoss(model, nn.functional.cross_entropy, (x, y), chunk=5)
    flats = points(batched)
    oracle = module_loop(model, flats, x, y)
    torch.testing.assert_close(batched.losses(flats), oracle, rtol=1e-4, atol=0)
    torch.testing.assert_close(batched.loop(flats), oracle, rtol=1e-4, atol=0)


def test_float64_batches_over_data_batches_equal_the_loop():
    x, y = data(image=True)
    model = cnn_with_batchnorm(x)
    batched = BatchedLoss(
        model, nn.functional.cross_entropy, (x, y), dtype=torch.float64, batch_size=16, chunk=4
    )
    flats = points(batched, m=9)
    torch.testing.assert_close(
        batched.losses(flats), module_loop(model, flats, x, y), rtol=1e-12, atol=0
    )
    assert model.training is False and next(model.parameters()).dtype == torch.float32


def test_plane_is_the_losses_at_origin_plus_a_d1_plus_c_d2():
    x, y = data()
    model = mlp()
    batched = BatchedLoss(model, nn.functional.cross_entropy, (x, y), dtype=torch.float64, chunk=7)
    g = torch.Generator().manual_seed(4)
    d1, d2 = torch.randn(2, batched.n_params, generator=g, dtype=torch.float64)
    coords = torch.cartesian_prod(torch.linspace(-1, 1, 5), torch.linspace(-0.5, 0.5, 4)).double()
    flats = batched.origin + coords[:, :1] * d1 + coords[:, 1:] * d2
    torch.testing.assert_close(
        batched.plane(batched.origin, d1, d2, coords),
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
    assert BatchedLoss(
        net, nn.functional.cross_entropy, (big, torch.zeros(100_000, dtype=torch.int64))
    ).chunk == chunk_size(point_bytes(net, big))
