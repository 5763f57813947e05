"""GPU check: batched grid points on CUDA against the CPU in float64, and their speed.

For the digits MLP (examples/digits.py, 64-128-128-10) and a small CNN with BatchNorm on
the same 8x8 digits, in one run:

- values: a 21 x 21 plane, batched in float32 on the device (``TorchProblem`` with
  ``method="vmap"``), against a float64 loop on the CPU (``method="loop"``; largest
  relative difference; at most 1e-4 passes);
- speed: grid points per second, batched (chunks sized from free memory) against one point
  at a time (one functional forward per point), both on the same device.

Without CUDA it says so and exits 0; ``--device cpu`` runs the whole path on the CPU.
Exit status 1 when a value check fails.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from digits import build, load

from losslab.torch import TorchProblem

TOLERANCE = 1e-4
#: Grid points timed one at a time (the slow baseline).
LOOP_POINTS = 100


def small_cnn() -> nn.Module:
    """1x8x8 digits -> two 3x3 convolutions (8, 16 channels) with BatchNorm -> 10 classes."""
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)),
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Flatten(), nn.Linear(16 * 8 * 8, 10),
    )  # fmt: skip


def trained(model: nn.Module, x: torch.Tensor, y: torch.Tensor, epochs: int = 3) -> nn.Module:
    """A few epochs of Adam, so that the plane is around a point that has learnt something."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    generator = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        for batch in torch.randperm(x.shape[0], generator=generator).split(64):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
    return model.eval()


def plane(n_params: int, steps: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    d1, d2 = torch.randn(2, n_params, generator=generator, dtype=torch.float64) * 0.02
    axis = torch.linspace(-1.0, 1.0, steps, dtype=torch.float64)
    return d1, d2, torch.cartesian_prod(axis, axis)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def check(name: str, model: nn.Module, x, y, device: torch.device, steps: int) -> bool:
    loss = nn.functional.cross_entropy
    on_device = TorchProblem(model, loss, (x, y), device=device, method="vmap")
    on_cpu = TorchProblem(model, loss, (x, y), device="cpu", dtype=torch.float64, method="loop")
    d1, d2, coords = plane(on_cpu.n_params, steps)
    origin, directions = on_cpu.origin, torch.stack([d1, d2])
    values = on_device.loss_plane(origin.numpy(), directions.numpy(), coords.numpy())
    reference = on_cpu.loss_plane(origin.numpy(), directions.numpy(), coords.numpy())
    worst = float(np.max(np.abs(values - reference) / np.abs(reference)))
    ok = worst <= TOLERANCE
    chunk = on_device.chunk_points
    print(f"{name}: {on_cpu.n_params:,} parameters, {x.shape[0]} samples, chunk {chunk}")
    verdict = "ok" if ok else "FAIL"
    print(f"  values {steps}x{steps}: float32 on {device} vs float64 on cpu, "
          f"max relative difference {worst:.2e} ({verdict}, limit {TOLERANCE:g})")  # fmt: skip
    # Speed: the same points batched and one at a time, on the same device.
    flats = origin + coords[:, :1] * d1 + coords[:, 1:] * d2
    on_device.loss_batch(flats[:chunk])  # warm-up (kernels, allocator)
    sync(device)
    start = time.perf_counter()
    on_device.loss_batch(flats)
    sync(device)
    batched = flats.shape[0] / (time.perf_counter() - start)
    one_at_a_time = on_device.using("loop")  # the same model copy and data on the device
    few = flats[: min(LOOP_POINTS, flats.shape[0])]
    one_at_a_time.loss_batch(few[:5])
    sync(device)
    start = time.perf_counter()
    one_at_a_time.loss_batch(few)
    sync(device)
    single = few.shape[0] / (time.perf_counter() - start)
    print(f"  speed on {device}, {flats.shape[0]} points batched, {few.shape[0]} one at a time: "
          f"batched {batched:,.0f} points/s, one at a time "
          f"{single:,.0f} points/s, ratio {batched / single:.1f}x")  # fmt: skip
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", help="cuda (default), cuda:1, or cpu")
    parser.add_argument("--steps", type=int, help="grid points per axis (21 on CUDA, 9 on CPU)")
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    steps = args.steps or (21 if device.type == "cuda" else 9)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("CUDA is not available here: the GPU check was not run (try --device cpu).")
        return 0
    if device.type == "cuda":
        print(f"device: {torch.cuda.get_device_name(device)}, torch {torch.__version__}")
    else:
        print(f"device: cpu ({torch.get_num_threads()} threads), torch {torch.__version__}")
    torch.manual_seed(0)
    x, y = load()
    results = [
        check("digits MLP 64-128-128-10", trained(build(), x, y), x, y, device, steps),
        check("small CNN with BatchNorm", trained(small_cnn(), x, y), x, y, device, steps),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
