"""Serial against 2 local Dask workers on the digits MLP 51 x 51, and Dask's overhead per block.

In one run, with one thread per process (``torch.set_num_threads(1)`` here, one thread per
worker there):

- the digits MLP 64-128-128-10 (examples/digits.py) over a 51 x 51 plane of two seeded
  filter-normalised directions, cut into blocks of grid rows: the serial executor in this
  process against ``DaskExecutor.local(workers=2)``; the first distributed scan includes
  each worker building the model and data (once), the second finds them built. Prints the
  seconds, the speed-up and whether the values are identical bit for bit;
- the same blocks on 2 bare spawned processes (``multiprocessing``, no Dask): what the
  machine itself allows, so that Dask's share of any shortfall shows;
- the path the CLI takes (``torch-scan --workers 2``): the engine's ``scan_plane`` on a
  ``TorchSpec`` of examples/digits.py, serial and on the same 2 workers, bit for bit;
- Dask's overhead per block: many one-row blocks of a task that does no work.

Needs the ``distributed`` and ``torch`` extras and scikit-learn (for the digits). The
expected speed-up on 2 free cores is at least 1.7x; on a busy machine it is less.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

from losslab.adapters.dask import DaskExecutor
from losslab.landscape.executor import Block, SerialExecutor, row_blocks


@dataclass
class DigitsRunner:
    objective: Any
    origin: torch.Tensor
    d1: torch.Tensor
    d2: torch.Tensor
    axis: np.ndarray

    def run(self, block: Block) -> np.ndarray:
        a, c = np.meshgrid(self.axis, self.axis[block.start : block.stop])
        coords = np.stack([a.ravel(), c.ravel()], axis=1)
        directions = np.stack([self.d1.numpy(), self.d2.numpy()])
        values = self.objective.loss_plane(self.origin.numpy(), directions, coords)
        return np.asarray(values).reshape(block.rows, self.axis.size)


@dataclass
class DigitsPlaneTask:
    """A spec (steps, seed): each process builds the model, data and plane from it once."""

    steps: int = 51
    seed: int = 0
    _runner: Any = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        return {"steps": self.steps, "seed": self.seed, "_runner": None}

    def prepare(self) -> DigitsRunner:
        from digits import build, load

        from losslab.torch import TorchProblem, random_directions

        torch.set_num_threads(1)
        torch.manual_seed(self.seed)
        model = build()
        objective = TorchProblem(model, nn.CrossEntropyLoss(), load())
        d1, d2 = random_directions(model, self.seed)
        axis = np.linspace(-1.0, 1.0, self.steps)
        return DigitsRunner(objective, objective.origin.double(), d1, d2, axis)

    def run(self, block: Block) -> np.ndarray:
        if self._runner is None:
            self._runner = self.prepare()
        return self._runner.run(block)


@dataclass
class EmptyTask:
    """No work: a block's values are zeros, so the time is Dask's alone."""

    width: int = 51

    def run(self, block: Block) -> np.ndarray:
        return np.zeros((block.rows, self.width))


_POOL_RUNNER: list[Any] = []


def _pool_init(steps: int) -> None:
    torch.set_num_threads(1)
    _POOL_RUNNER.append(DigitsPlaneTask(steps).prepare())


def _pool_run(block: Block) -> tuple[Block, np.ndarray]:
    return block, _POOL_RUNNER[0].run(block)


class PoolExecutor:
    """The machine's own ceiling: the same blocks on 2 bare spawned processes (no Dask)."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool

    def map_blocks(self, task: Any, blocks: Any) -> Any:
        return self.pool.imap_unordered(_pool_run, blocks)


def scan(executor: Any, task: Any, steps: int, rows: int) -> tuple[np.ndarray, float]:
    values = np.full((steps, steps), np.nan)
    start = time.perf_counter()
    for block, part in executor.map_blocks(task, row_blocks(steps, rows)):
        values[block.start : block.stop] = part
    return values, time.perf_counter() - start


def engine_scan(executor: Any, steps: int, rows: int) -> None:
    """The path the CLI takes: the engine's scan_plane on a TorchSpec, serial and on Dask."""
    from losslab import torch as ltorch
    from losslab.adapters.torch_spec import TorchSpec

    digits = Path(__file__).resolve().parents[1] / "examples" / "digits.py"
    spec = TorchSpec(f"{digits}:build", f"{digits}:load")
    times = []
    lands = []
    for ex in (None, executor):
        start = time.perf_counter()
        lands.append(ltorch.scan_plane(None, problem=spec, points=steps, executor=ex,
                                       block_rows=rows))  # fmt: skip
        times.append(time.perf_counter() - start)
    same = np.array_equal(lands[0].values, lands[1].values)
    print(
        f"  engine scan_plane(TorchSpec): serial {times[0]:.2f} s, 2 workers {times[1]:.2f} s "
        f"(speed-up {times[0] / times[1]:.2f}x, workers building once), identical: {same}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=51, help="grid points per axis")
    parser.add_argument("--rows", type=int, default=1, help="grid rows per block")
    parser.add_argument("--blocks", type=int, default=400, help="empty blocks for the overhead")
    args = parser.parse_args()
    torch.set_num_threads(1)
    steps, rows = args.steps, args.rows
    task = DigitsPlaneTask(steps)
    start = time.perf_counter()
    task._runner = task.prepare()
    t_build = time.perf_counter() - start
    cpu = time.process_time()
    serial, t_serial = scan(SerialExecutor(), task, steps, rows)
    cpu_serial = time.process_time() - cpu
    print(f"digits MLP {steps}x{steps}, {rows} row(s) per block, one thread per process")
    print(f"  serial (this process): {t_serial:6.2f} s  ({t_serial / steps**2 * 1e3:.2f} ms/point)"
          f" after building in {t_build:.2f} s")  # fmt: skip
    with multiprocessing.get_context("spawn").Pool(2, _pool_init, (steps,)) as pool:
        scan(PoolExecutor(pool), None, steps, rows)  # each process builds
        _, t_pool = scan(PoolExecutor(pool), None, steps, rows)
    print(f"  2 bare processes (multiprocessing, no Dask), built: {t_pool:6.2f} s  "
          f"speed-up {t_serial / t_pool:.2f}x (what this machine allows)")  # fmt: skip
    start = time.perf_counter()
    with DaskExecutor.local(workers=2) as executor:
        print(f"  LocalCluster of 2 workers started in {time.perf_counter() - start:.2f} s")
        cold, t_cold = scan(executor, DigitsPlaneTask(steps), steps, rows)
        before = executor.client.run(time.process_time)
        cpu = time.process_time()
        warm, t_warm = scan(executor, DigitsPlaneTask(steps), steps, rows)
        cpu_client = time.process_time() - cpu
        after = executor.client.run(time.process_time)
        cpu_workers = sum(after[w] - before[w] for w in after)
        same = np.array_equal(cold, serial) and np.array_equal(warm, serial)
        print(f"  2 workers, building: {t_cold:6.2f} s  speed-up {t_serial / t_cold:.2f}x")
        print(f"  2 workers, built:    {t_warm:6.2f} s  speed-up {t_serial / t_warm:.2f}x")
        # CPU seconds: the work of the same points in the workers and in this process.
        print(f"  CPU seconds: serial {cpu_serial:.2f}, 2 workers {cpu_workers:.2f} together "
              f"(+ {cpu_client:.2f} in this process: client and scheduler)")  # fmt: skip
        print(f"  values identical to serial bit for bit: {same}")
        print(f"  Dask reaches {t_pool / t_warm:.0%} of the bare processes' speed")
        engine_scan(executor, steps, rows)
        n = args.blocks
        scan(executor, EmptyTask(20), 20, 1)  # warm-up
        _, t_empty = scan(executor, EmptyTask(n), n, 1)
        _, t_local = scan(SerialExecutor(), EmptyTask(n), n, 1)
        print(f"Dask overhead: {n} empty one-row blocks in {t_empty:.2f} s: "
              f"{t_empty / n * 1e3:.2f} ms per block on 2 workers "
              f"(serial {t_local / n * 1e6:.0f} us per block)")  # fmt: skip


if __name__ == "__main__":
    main()
