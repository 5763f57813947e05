"""losslab.torch against loss-landscapes 3.0.6 and a forward-only loop (digits MLP, 51 x 51).

Run by benchmarks/torch_peers.sh, which makes the benchmark's own environment
(torch 2.13.0 CPU, scikit-learn, loss-landscapes==3.0.6). In one process,
with ``torch.set_num_threads(1)`` and then with the default threads:

- losslab: ``losslab.torch.scan_plane`` with two filter-normalised directions;
- loss-landscapes: ``random_plane(..., normalization="filter")``;
- the floor: a plain loop that writes the weights and runs one forward pass
  per grid point, the least any one-point-at-a-time tool must do.

Prints ms per grid point and the ratios, each the best of ``--repeats`` interleaved runs
(so that a busy machine slows every tool alike). Then checks that both tools give the
same values on the same directions (loss-landscapes' ``planar_interpolation``
with explicit end models) and prints the largest difference, and whether
loss-landscapes left the caller's model as it was.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import loss_landscapes
import loss_landscapes.metrics
from digits import build, load

from losslab.torch import random_directions, scan_plane


def train(model: nn.Module, x: torch.Tensor, y: torch.Tensor, epochs: int = 5) -> None:
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(epochs):
        for batch in torch.randperm(x.shape[0]).split(64):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()


def floor(model: nn.Module, x, y, origin, d1, d2, axis) -> float:
    net = copy.deepcopy(model).eval()
    start = time.perf_counter()
    with torch.no_grad():
        for c in axis:
            for a in axis:
                nn.utils.vector_to_parameters((origin + a * d1 + c * d2).float(), net.parameters())
                nn.functional.cross_entropy(net(x), y).item()
    return (time.perf_counter() - start) / axis.size**2


def run(model, x, y, steps: int) -> dict[str, float]:
    axis = np.linspace(-1, 1, steps)
    loss_fn = nn.CrossEntropyLoss()
    times = {}
    start = time.perf_counter()
    land = scan_plane(model, loss_fn, (x, y), "random", axes=(axis, axis))
    times["losslab"] = (time.perf_counter() - start) / steps**2
    metric = loss_landscapes.metrics.Loss(loss_fn, x, y)
    start = time.perf_counter()
    loss_landscapes.random_plane(model, metric, distance=1, steps=steps,
                                 normalization="filter", deepcopy_model=True)  # fmt: skip
    times["loss-landscapes"] = (time.perf_counter() - start) / steps**2
    d1, d2 = (torch.tensor(d) for d in land.directions)
    origin = torch.tensor(land.origin)
    times["forward-only loop"] = floor(model, x, y, origin, d1, d2, axis)
    return times


def same_values(model, x, y, steps: int) -> float:
    """Both tools on the same plane: losslab's grid against planar_interpolation's."""
    loss_fn = nn.CrossEntropyLoss()
    origin = torch.cat([p.detach().reshape(-1) for p in model.parameters()]).double()
    d1, d2 = random_directions(model, 0)
    corner = origin - d1 - d2

    def model_at(vec: torch.Tensor) -> nn.Module:
        net = copy.deepcopy(model)
        nn.utils.vector_to_parameters(vec.float(), net.parameters())
        return net

    peer = loss_landscapes.planar_interpolation(
        model_at(corner), model_at(corner + 2 * d1), model_at(corner + 2 * d2),
        loss_landscapes.metrics.Loss(loss_fn, x, y), steps=steps, deepcopy_model=True,
    )  # fmt: skip
    # planar_interpolation's row i is start + i*dir_one; along dir_two its even rows hold
    # offsets 1..steps and its odd rows 0..steps-1 (it walks the rows back and forth).
    a = -1 + 2 * np.arange(steps) / steps
    c = -1 + 2 * np.arange(steps + 1) / steps
    ours = scan_plane(model, loss_fn, (x, y), (d1, d2), origin=origin, axes=(a, c)).values
    expected = np.empty((steps, steps))
    for i in range(steps):
        offsets = np.arange(1, steps + 1) if i % 2 == 0 else np.arange(steps)
        expected[i] = ours[offsets, i]
    return float(np.max(np.abs(peer - expected)))


def mutates(model, x, y) -> bool:
    """Does random_plane with its default deepcopy_model=False change the caller's model?"""
    before = {k: v.clone() for k, v in model.state_dict().items()}
    loss_landscapes.random_plane(model, loss_landscapes.metrics.Loss(nn.CrossEntropyLoss(), x, y),
                                 steps=4, normalization="filter")  # fmt: skip
    return any(not torch.equal(before[k], v) for k, v in model.state_dict().items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=51)
    parser.add_argument("--repeats", type=int, default=3, help="best of, interleaved")
    args = parser.parse_args()
    torch.manual_seed(0)
    x, y = load()
    model = build()
    train(model, x, y)
    model.eval()
    default_threads = torch.get_num_threads()
    print(f"MLP 64-128-128-10 on digits ({x.shape[0]} samples), {args.steps} x {args.steps} plane")
    for threads in (1, default_threads):
        torch.set_num_threads(threads)
        runs = [run(model, x, y, args.steps) for _ in range(max(1, args.repeats))]
        times = {name: min(r[name] for r in runs) for name in runs[0]}
        base = times["losslab"]
        print(f"torch threads = {threads}")
        for name, t in times.items():
            ratio = "" if name == "losslab" else f"  ({t / base:.2f}x losslab's time)"
            print(f"  {name:20s} {t * 1e3:7.3f} ms per grid point{ratio}")
    torch.set_num_threads(default_threads)
    diff = same_values(model, x, y, min(args.steps, 21))
    print(f"same directions, losslab vs loss-landscapes: largest difference {diff:.2e}")
    print(f"loss-landscapes random_plane changed the caller's model: {mutates(model, x, y)}")


if __name__ == "__main__":
    main()
