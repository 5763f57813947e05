"""The Problem protocol: what every objective offers the optimizers and the scan engine.

A problem is a loss over named parameters (P,). Beside the loss at one point and its
gradient it evaluates many points at once: a batch of points (m, P), points of a plane
``origin + a*d1 + c*d2`` given by their coordinates (m, 2), and a whole grid of such a
plane given by its two axes. Fast paths (the perceptron's five sums, the exact quadratic
of a linear model, an MLP's first-layer products, PyTorch's addmm plan) live in the
problem that has them; the engine only calls these methods.

Problems without a fast path get ``loss_plane`` and ``loss_grid`` from
:class:`PlaneFromBatch` (and ``loss_grid`` alone from :class:`GridFromPlane`).

Three optional capabilities, read by name (``getattr``) where they are needed, so that
no caller asks what kind of problem it holds:

- ``hvp(params, v)`` (P,): the Hessian at ``params`` times ``v``, for curvature
  (:func:`losslab.analysis.curvature.operator_of`); without it curvature says so. A
  problem may add ``hvp_operator(params)``, a function ``v -> H v`` prepared once for
  the many products at one point (PyTorch keeps the gradient's graph); curvature then
  uses it;
- ``n_samples``: how many samples the loss averages over (an int), or None for a
  loss without data; mini-batches are drawn from them (:mod:`losslab.optim.loop`);
- ``stability_limit``: ``2 / lambda_max`` where the Hessian is constant and known in
  closed form (a linear model with the MSE, a quadratic bowl), else None; the run loop
  records it and a divergence message names it;
- ``device_peak_memory()``: the peak bytes on the problem's device since the last call,
  which resets it (``torch.cuda.max_memory_allocated`` on CUDA), or None; the scan
  engine's estimate before a long scan shows it.

>>> import numpy as np
>>> class Bowl(PlaneFromBatch):
...     param_names = ("x", "y")
...     def loss(self, params):
...         return float(np.sum(np.square(params)))
...     def gradient(self, params, batch=None):
...         return 2 * np.asarray(params, dtype=float)
...     def loss_batch(self, points):
...         return np.sum(np.square(points), axis=1)
>>> Bowl().loss_grid(np.zeros(2), np.eye(2), np.array([0.0, 1.0]), np.array([2.0])).tolist()
[[4.0, 5.0]]
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


class Problem(Protocol):
    """A loss over named parameters, at one point, on a batch, on a plane and on a grid.

    Optional (see the module's docstring): ``hvp(params, v)``, ``n_samples``,
    ``stability_limit``.
    """

    @property
    def param_names(self) -> tuple[str, ...]: ...

    def loss(self, params: ArrayLike) -> float:
        """The loss at one parameter vector (P,)."""
        ...

    def gradient(self, params: ArrayLike, batch: NDArray[np.intp] | None = None) -> FloatArray:
        """d loss / d params (P,); with ``batch`` (sample indices), over those samples only."""
        ...

    def loss_batch(self, points: ArrayLike) -> FloatArray:
        """The loss at many points (m, P) -> (m,)."""
        ...

    def loss_plane(
        self, origin: FloatArray, directions: FloatArray, coords: FloatArray
    ) -> FloatArray:
        """The loss at ``origin (P,) + a*directions[0] + c*directions[1]`` for coords (m, 2)."""
        ...

    def loss_grid(
        self, origin: FloatArray, directions: FloatArray, a: FloatArray, c: FloatArray
    ) -> FloatArray:
        """The loss on the grid ``a (nx,) x c (ny,)`` of a plane -> (ny, nx), rows follow c."""
        ...

    def describe(self) -> dict[str, Any]:
        """JSON-able facts for a landscape's ``meta``: at least ``method`` (how a plane is
        evaluated); also what tells two problems apart (loss, data) for resume files."""
        ...


class ProblemSpec(Protocol):
    """A small picklable recipe that builds a problem where it runs (e.g. on a Dask worker).

    Hashable (a frozen dataclass): the engine builds each spec once per process.
    """

    def build(self) -> Problem: ...


def plane_points(origin: FloatArray, directions: FloatArray, coords: FloatArray) -> FloatArray:
    """The points (m, P) ``origin + a*directions[0] + c*directions[1]`` for coords (m, 2)."""
    return np.asarray(origin + coords[:, :1] * directions[0] + coords[:, 1:] * directions[1])


def grid_coords(a: FloatArray, c: FloatArray) -> FloatArray:
    """Coordinates (ny*nx, 2) of the grid ``a x c``, row by row (rows follow c).

    >>> grid_coords(np.array([0.0, 1.0]), np.array([5.0])).tolist()
    [[0.0, 5.0], [1.0, 5.0]]
    """
    out = np.empty((c.size, a.size, 2))
    out[:, :, 0] = a[None, :]
    out[:, :, 1] = c[:, None]
    return out.reshape(-1, 2)


class GridFromPlane:
    """Mixin: ``loss_grid`` from the problem's own ``loss_plane``."""

    def loss_plane(
        self, origin: FloatArray, directions: FloatArray, coords: FloatArray
    ) -> FloatArray:
        raise NotImplementedError  # pragma: no cover - the problem defines it

    def loss_grid(
        self, origin: FloatArray, directions: FloatArray, a: FloatArray, c: FloatArray
    ) -> FloatArray:
        """The loss on the grid ``a x c`` (ny, nx) through ``loss_plane``."""
        values = self.loss_plane(origin, directions, grid_coords(a, c))
        return np.asarray(values, dtype=np.float64).reshape(c.size, a.size)


class PlaneFromBatch(GridFromPlane):
    """Mixin for problems without a fast path: planes and grids through ``loss_batch``."""

    def loss_batch(self, points: ArrayLike) -> FloatArray:
        raise NotImplementedError  # pragma: no cover - the problem defines it

    def loss_plane(
        self, origin: FloatArray, directions: FloatArray, coords: FloatArray
    ) -> FloatArray:
        """The loss at the plane's points, evaluated as one batch."""
        return self.loss_batch(plane_points(origin, directions, coords))

    def describe(self) -> dict[str, Any]:
        return {"method": "batched evaluation"}
