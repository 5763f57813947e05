"""Perceptron grid landscape: the five-sum quadratic form against brute force.

Brute force evaluates the mean over all n samples at every grid point
(O(n * grid points)); losslab's path computes five sums once and then a
quadratic per grid point (O(n + grid points)). Both run in the same process;
the ratio of their times is printed.

The floor: a plain numpy broadcast of the same quadratic, ``q(w[None, :], b[:, None])``
from the centred sums, with nothing else around it. ``scan_plane`` goes through the
whole engine (problem, task, block, executor) and should stay within 2x of it; the
scan/broadcast ratio is printed.

Brute force on the full default (1001 x 1001 grid, 100,000 samples) would take
minutes on 2 cores, so by default it is timed on a band of ``--brute-rows``
grid rows and scaled to the whole grid (its cost is exactly linear in the
number of grid points); ``--full`` times it on the whole grid instead.

    python benchmarks/bench_grid.py [--grid 1001] [--samples 100000] [--full]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from losslab.analysis.quadratic import quadratic_form
from losslab.core.data import teacher_data
from losslab.core.objective import perceptron_objective
from losslab.landscape.scan import scan_plane


def best_of(repeats: int, fn):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=1001, help="points per axis")
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--brute-rows", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=20, help="best of, interleaved")
    parser.add_argument("--full", action="store_true", help="brute force on the whole grid")
    args = parser.parse_args()

    data = teacher_data("2*x + 1", f"-1:3:{args.samples}", noise=0.3, seed=0)
    obj = perceptron_objective(data)
    axis = np.linspace(-10, 10, args.grid)
    points = args.grid * args.grid

    q = quadratic_form(data)
    fast_time, floor_time = float("inf"), float("inf")
    for _ in range(args.repeats):  # interleaved, so a busy machine slows both alike
        t, land = best_of(1, lambda: scan_plane(obj, (axis, axis)))
        fast_time = min(fast_time, t)
        t, floor = best_of(1, lambda: q(axis[None, :], axis[:, None]))
        floor_time = min(floor_time, t)
    floor_difference = float(np.max(np.abs(floor - land.values)))

    rows = args.grid if args.full else min(args.brute_rows, args.grid)
    W, B = np.meshgrid(axis, axis[:rows])
    band = np.stack([W.ravel(), B.ravel()], axis=1)
    brute_time, brute = best_of(1, lambda: obj.loss_batch(band))
    brute_total = brute_time * points / band.shape[0]
    difference = float(np.max(np.abs(brute - land.values[:rows].ravel())))
    relative = difference / float(np.max(np.abs(brute)))

    print(f"grid {args.grid} x {args.grid} = {points:,} points, {args.samples:,} samples")
    print(f"five sums (losslab)   : {fast_time * 1e3:10.1f} ms")
    print(f"numpy broadcast floor : {floor_time * 1e3:10.1f} ms")
    print(f"ratio scan / broadcast: {fast_time / floor_time:10.2f} x  (goal: at most 2)")
    print(f"scan vs broadcast     : largest difference {floor_difference:.3g}")
    how = "measured" if args.full else f"{rows} rows measured ({brute_time:.2f} s), scaled"
    print(f"brute force           : {brute_total * 1e3:10.1f} ms  ({how})")
    print(f"ratio brute / losslab : {brute_total / fast_time:10.0f} x")
    print(f"largest difference    : {difference:.3g} (relative {relative:.2g})")


if __name__ == "__main__":
    main()
