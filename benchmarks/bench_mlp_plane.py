"""MLP landscapes on a 2D grid: losslab's plane evaluation against a point-by-point loop.

For each case both run in the same process on the same directions and the
largest difference of their values is printed. losslab's path stacks grid
points into one array operation while a point is small (few samples), and
uses the first layer's linearity in the plane coordinates (X W0, X D1, X D2
computed once) when the data have many inputs; the loop sets the
parameters and runs a full forward pass per grid point, as one-point-at-a-time
tools do. The loop is timed on ``--loop-rows`` grid rows and scaled (its cost
is linear in the number of points).

    python benchmarks/bench_mlp_plane.py [--grid 101]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from losslab.core.data import Dataset
from losslab.core.datasets import toy_data
from losslab.landscape.directions import random_directions
from losslab.landscape.scan import scan_plane
from losslab.lessons.networks import build_objective

CASES = [
    ("moons, 2,000 samples, MLP 2-8-8-1", lambda: toy_data("moons", 2000, seed=0), (8, 8)),
    ("moons, 200 samples, MLP 2-8-8-1", lambda: toy_data("moons", 200, seed=0), (8, 8)),
    ("moons, 40 samples, MLP 2-8-8-1", lambda: toy_data("moons", 40, seed=0), (8, 8)),
    ("64 inputs, 1,797 samples, MLP 64-32-1", lambda: _wide(1797, 64), (32,)),
]


def _wide(n: int, d: int) -> Dataset:
    x = np.random.default_rng(0).normal(size=(n, d))
    return Dataset(x, (x[:, 0] + x[:, 1] > 0).astype(np.float64), {"task": "classification"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=101, help="points per axis")
    parser.add_argument("--loop-rows", type=int, default=10)
    args = parser.parse_args()
    axis = np.linspace(-1, 1, args.grid)
    points = args.grid * args.grid
    print(f"grid {args.grid} x {args.grid} = {points:,} points, tanh hidden layers")
    print(f"{'case':40s} {'losslab':>12s} {'loop':>12s} {'ratio':>7s} {'max diff':>9s}")
    for name, make, hidden in CASES:
        objective = build_objective(make(), hidden, "tanh")
        model = objective.model
        origin = model.init_params(0)
        directions = random_directions(model, origin, seed=0)

        start = time.perf_counter()
        land = scan_plane(objective, (axis, axis), origin, directions)
        fast = (time.perf_counter() - start) / points

        rows = min(args.loop_rows, args.grid)
        loop_values = np.empty((rows, args.grid))
        start = time.perf_counter()
        for j in range(rows):
            for i in range(args.grid):
                point = origin + axis[i] * directions[0] + axis[j] * directions[1]
                loop_values[j, i] = objective.loss(point)
        loop = (time.perf_counter() - start) / (rows * args.grid)
        diff = float(np.max(np.abs(loop_values - land.values[:rows])))
        print(
            f"{name:40s} {fast * 1e6:9.1f} us {loop * 1e6:9.1f} us {loop / fast:6.1f}x {diff:9.1e}"
        )


if __name__ == "__main__":
    main()
