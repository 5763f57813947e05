"""Landscapes: the loss over a grid of points in a plane of parameter space.

A plane is an ``origin`` (P,) and two ``directions`` (2, P); grid point
``(a, c)`` is the parameter vector ``origin + a*directions[0] + c*directions[1]``.
For the perceptron the plane is simply the ``(w, b)`` plane: origin 0 and the
unit vectors, so the axes are ``w`` and ``b`` themselves.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.analysis.quadratic import quadratic_form
from losslab.core.models import Perceptron
from losslab.core.objective import Objective, Problem
from losslab.errors import LosslabError
from losslab.landscape.result import Landscape

FloatArray = NDArray[np.float64]


#: The largest grid evaluated by default (points); larger grids get a clear error.
MAX_GRID_POINTS = 5001 * 5001  # the documented 5,001 points per axis, on both axes


def _exact_quadratic(
    objective: Objective, origin: FloatArray, directions: FloatArray, coords: FloatArray
) -> FloatArray:
    """A loss that is exactly quadratic in (a, c): fit its 6 coefficients to 9 evaluations."""
    stencil = np.array([(a, c) for a in (-1.0, 0.0, 1.0) for c in (-1.0, 0.0, 1.0)])
    values = objective.loss_plane(origin, directions, stencil)

    def design(ac: FloatArray) -> FloatArray:
        a, c = ac[:, 0], ac[:, 1]
        return np.stack([np.ones_like(a), a, c, a * a, a * c, c * c], axis=1)

    coefficients, *_ = np.linalg.lstsq(design(stencil), values, rcond=None)
    return np.asarray(design(coords) @ coefficients)


def box_axes(points: ArrayLike, n: int = 201) -> tuple[FloatArray, FloatArray]:
    """Axes of a square box (n points each) around 2D points, 20% margin, half-width >= 0.5.

    >>> a, c = box_axes([[0.0, 0.0], [2.0, 1.0]], n=3)
    >>> a.round(12).tolist(), c.round(12).tolist()
    ([-0.2, 1.0, 2.2], [-0.7, 0.5, 1.7])
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    centre, half = (lo + hi) / 2, max(float(np.max(hi - lo)) * 0.6, 0.5)
    return (
        np.linspace(centre[0] - half, centre[0] + half, n),
        np.linspace(centre[1] - half, centre[1] + half, n),
    )


def scan_plane(
    objective: Problem,
    axes: tuple[ArrayLike, ArrayLike],
    origin: ArrayLike | None = None,
    directions: ArrayLike | None = None,
    max_points: int = MAX_GRID_POINTS,
    labels: tuple[str, str] | None = None,
) -> Landscape:
    """Evaluate the loss on the grid ``axes[0] x axes[1]`` of a plane.

    Without ``origin`` and ``directions`` the plane is spanned by the first two
    parameters themselves (``w`` and ``b`` for the perceptron). When the model
    is linear in its parameters and the loss is the MSE, the loss is an exact
    quadratic: for the perceptron the grid is computed from the five data sums
    in O(n + grid points) instead of O(n * grid points); for other linear
    models, from 9 evaluations of the loss and an exact quadratic fit. Other
    models are evaluated in batches of grid points (``meta["method"]`` says
    which was used). ``labels`` name the two axes (default: the parameter
    names for the parameters' own plane, else α and β).

    >>> from losslab.core.data import teacher_data
    >>> from losslab.core.objective import perceptron_objective
    >>> obj = perceptron_objective(teacher_data("2*x + 1", "-1:3:21"))
    >>> land = scan_plane(obj, (np.arange(-10, 10.5, 0.5), np.arange(-10, 10.5, 0.5)))
    >>> land.values.shape, land.argmin()[:2]
    ((41, 41), (2.0, 1.0))
    """
    a = np.asarray(axes[0], dtype=np.float64)
    c = np.asarray(axes[1], dtype=np.float64)
    if a.size * c.size > max_points:
        raise LosslabError("error.grid_memory", count=a.size * c.size, limit=max_points)
    n_params = len(objective.param_names)
    o = np.zeros(n_params) if origin is None else np.asarray(origin, dtype=np.float64)
    d = np.eye(2, n_params) if directions is None else np.asarray(directions, dtype=np.float64)
    shape = (c.size, a.size)
    linear_mse = isinstance(objective, Objective) and objective.is_linear_mse
    if linear_mse and isinstance(objective, Objective) and isinstance(objective.model, Perceptron):
        q = quadratic_form(objective.data)
        w = _plane_coordinate(o[0], a * d[0, 0], c * d[1, 0])
        b = _plane_coordinate(o[1], a * d[0, 1], c * d[1, 1])
        values = np.ascontiguousarray(np.broadcast_to(q(w, b), shape))
        method = "quadratic form (five sums)"
        return _landscape(objective, o, d, (a, c), values, method, labels, directions is None)
    A, C = np.meshgrid(a, c)
    coords = np.stack([A.ravel(), C.ravel()], axis=1)
    if linear_mse and isinstance(objective, Objective):
        values = _exact_quadratic(objective, o, d, coords).reshape(A.shape)
        method = "exact quadratic from 9 evaluations"
    elif isinstance(objective, Objective):
        values = objective.loss_plane(o, d, coords).reshape(A.shape)
        method = "batched evaluation"
    else:
        values = objective.loss_batch(o + coords[:, :1] * d[0] + coords[:, 1:] * d[1])
        values = values.reshape(A.shape)
        method = "batched evaluation"
    return _landscape(objective, o, d, (a, c), values, method, labels, directions is None)


def _plane_coordinate(base: float, along_a: FloatArray, along_c: FloatArray) -> FloatArray:
    """``base + along_a[None, :] + along_c[:, None]``, kept (1, nx) or (ny, 1) where it can be.

    On a large grid the loss then costs a few full-size operations instead of a dozen.
    """
    if not np.any(along_c):
        return base + along_a[np.newaxis, :]
    if not np.any(along_a):
        return base + along_c[:, np.newaxis]
    return base + along_a[np.newaxis, :] + along_c[:, np.newaxis]


def _landscape(
    objective: Problem,
    o: FloatArray,
    d: FloatArray,
    axes: tuple[FloatArray, FloatArray],
    values: FloatArray,
    method: str,
    labels: tuple[str, str] | None,
    own_plane: bool,
) -> Landscape:
    """The Landscape of a scan, with its metadata."""
    names = list(objective.param_names)
    if labels is None:
        labels = (names[0], names[1]) if own_plane else ("α", "β")
    meta: dict[str, Any] = {
        "method": method,
        "param_names": [str(labels[0]), str(labels[1])],
        "all_param_names": names if len(names) <= 64 else len(names),
    }
    if isinstance(objective, Objective):
        meta["loss"] = objective.loss_fn.name
        meta["n_samples"] = objective.data.n
        meta["data"] = dict(objective.data.meta)
    return Landscape(origin=o, directions=d, axes=axes, values=values, meta=meta)
