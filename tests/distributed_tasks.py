"""Plane tasks for the executor tests: picklable specs that build their problem on the worker.

Each task holds only a spec (sizes, seeds, axes); ``prepare()`` builds the data, the model
and the plane (counted in ``BUILDS`` of the process that builds), ``run(block)`` gives the
loss on grid rows ``block.start:block.stop``. Workers import this module by name, so it
lives beside the tests rather than inside them.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from losslab.core.data import Dataset
from losslab.core.losses import SoftmaxCrossEntropy
from losslab.core.mlp import MLP
from losslab.core.objective import Objective

BUILDS = {"count": 0}


def builds() -> int:
    """How many times a task was built in this process (run on workers with client.run)."""
    return BUILDS["count"]


def pid() -> int:
    return os.getpid()


def config(key: str) -> Any:
    """A value of Dask's configuration in this process."""
    import dask

    return dask.config.get(key)


def scheduler_tasks(dask_scheduler: Any) -> int:
    """How many tasks the scheduler holds (run with client.run_on_scheduler)."""
    return len(dask_scheduler.tasks)


async def exit_soon() -> None:
    """Kill this worker process 50 ms from now, in the middle of whatever block it runs."""
    asyncio.get_running_loop().call_later(0.05, os._exit, 1)


def plane_coords(a: np.ndarray, c: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Coordinates (rows * nx, 2) of grid rows start:stop, meshgrid "xy" order."""
    A, C = np.meshgrid(a, c[start:stop])
    return np.stack([A.ravel(), C.ravel()], axis=1)


@dataclass
class _Lazy:
    """Builds the runner on first use and never pickles it (a spec travels, not the model)."""

    _runner: Any = field(default=None, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_runner"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _runner=None)

    def run(self, block: Any) -> np.ndarray:
        if self._runner is None:
            self._runner = self.prepare()
        return self._runner.run(block)

    def prepare(self) -> Any:
        raise NotImplementedError


@dataclass
class _NumpyRunner:
    objective: Objective
    origin: np.ndarray
    directions: np.ndarray
    a: np.ndarray
    c: np.ndarray
    delay: float

    def run(self, block: Any) -> np.ndarray:
        time.sleep(self.delay)
        coords = plane_coords(self.a, self.c, block.start, block.stop)
        values = self.objective.loss_plane(self.origin, self.directions, coords)
        return values.reshape(block.rows, self.a.size)


@dataclass
class MLPPlaneTask(_Lazy):
    """A numpy MLP on seeded random 'digit-like' data, over a random plane around its start."""

    sizes: tuple[int, ...] = (16, 12, 4)
    samples: int = 64
    seed: int = 0
    steps: int = 9
    delay: float = 0.0

    def prepare(self) -> _NumpyRunner:
        BUILDS["count"] += 1
        rng = np.random.default_rng(self.seed)
        x = rng.uniform(0.0, 1.0, (self.samples, self.sizes[0]))
        t = rng.integers(0, self.sizes[-1], self.samples).astype(np.float64)
        model = MLP(self.sizes, "relu")
        objective = Objective(model, SoftmaxCrossEntropy(), Dataset(x, t))
        origin = model.init_params(self.seed)
        directions = rng.normal(0.0, 0.3, (2, model.n_params))
        axis = np.linspace(-1.0, 1.0, self.steps)
        return _NumpyRunner(objective, origin, directions, axis, axis * 0.5, self.delay)


@dataclass
class _TorchRunner:
    objective: Any
    origin: Any
    d1: Any
    d2: Any
    a: np.ndarray
    c: np.ndarray

    def run(self, block: Any) -> np.ndarray:

        coords = plane_coords(self.a, self.c, block.start, block.stop)
        directions = np.stack([self.d1, self.d2])
        values = self.objective.loss_plane(self.origin, directions, coords)
        return np.asarray(values).reshape(block.rows, self.a.size)


@dataclass
class TorchPlaneTask(_Lazy):
    """A PyTorch MLP (Linear-ReLU-Linear) built from a seed on the worker, float32."""

    inputs: int = 16
    hidden: int = 12
    classes: int = 4
    samples: int = 64
    seed: int = 0
    steps: int = 9

    def prepare(self) -> _TorchRunner:
        import torch
        from torch import nn

        from losslab.adapters.torch import TorchObjective

        BUILDS["count"] += 1
        torch.manual_seed(self.seed)
        model = nn.Sequential(
            nn.Linear(self.inputs, self.hidden), nn.ReLU(), nn.Linear(self.hidden, self.classes)
        )
        x = torch.rand(self.samples, self.inputs)
        y = torch.randint(0, self.classes, (self.samples,))
        objective = TorchObjective(model, nn.CrossEntropyLoss(), (x, y))
        origin = np.asarray(objective.origin, dtype=np.float64)
        d1, d2 = np.random.default_rng(self.seed).normal(0.0, 0.3, (2, origin.size))
        axis = np.linspace(-1.0, 1.0, self.steps)
        return _TorchRunner(objective, origin, d1, d2, axis, axis * 0.5)


@dataclass
class FailingTask:
    """Every block raises the error a bad grid would raise."""

    def run(self, block: Any) -> np.ndarray:
        from losslab.errors import LosslabError

        raise LosslabError("error.grid_empty", spec="1:0:1")


@dataclass
class WorkerKillingTask:
    """Block 1 ends the process that runs it, every time (as a block that runs out of memory)."""

    def run(self, block: Any) -> np.ndarray:
        if block.index == 1:
            os._exit(1)
        return np.zeros((block.rows, 3))


# --- specs and factories for scans through the engine (losslab.landscape.scan_plane) ---------
class _Slow:
    """A problem whose grid blocks take ``delay`` seconds longer (time to kill a worker)."""

    def __init__(self, problem: Any, delay: float) -> None:
        self.problem = problem
        self.delay = delay

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["problem"], name)

    def loss_grid(self, *args: Any) -> Any:
        time.sleep(self.delay)
        return self.problem.loss_grid(*args)


@dataclass(frozen=True)
class MLPSpec:
    """A picklable ProblemSpec: the numpy MLP on seeded random data, built where it runs."""

    sizes: tuple[int, ...] = (16, 12, 4)
    samples: int = 64
    seed: int = 0
    delay: float = 0.0

    def build(self) -> Any:
        BUILDS["count"] += 1
        rng = np.random.default_rng(self.seed)
        x = rng.uniform(0.0, 1.0, (self.samples, self.sizes[0]))
        t = rng.integers(0, self.sizes[-1], self.samples).astype(np.float64)
        objective = Objective(MLP(self.sizes, "relu"), SoftmaxCrossEntropy(), Dataset(x, t))
        return _Slow(objective, self.delay) if self.delay else objective

    def plane(self, steps: int) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray, np.ndarray]:
        """(axes, origin, directions) of a seeded random plane around the seeded start."""
        model = MLP(self.sizes, "relu")
        rng = np.random.default_rng(self.seed + 100)
        axis = np.linspace(-1.0, 1.0, steps)
        return (
            (axis, axis * 0.5),
            model.init_params(self.seed),
            rng.normal(0, 0.3, (2, model.n_params)),
        )


def torch_mlp() -> Any:
    """A factory for TorchSpec: a seeded Linear-ReLU-Linear network 16-12-4."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(16, 12), nn.ReLU(), nn.Linear(12, 4))


def torch_data() -> Any:
    """A factory for TorchSpec: 64 seeded inputs (16 features) and labels of 4 classes."""
    import torch

    generator = torch.Generator().manual_seed(1)
    x = torch.rand(64, 16, generator=generator)
    y = torch.randint(0, 4, (64,), generator=generator)
    return x, y
