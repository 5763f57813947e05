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
MAX_GRID_POINTS = 25_000_000


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


def box_axes(
    points: ArrayLike, n: int = 201, margin: float = 0.6, min_half: float = 0.5, snap: bool = False
) -> tuple[FloatArray, FloatArray]:
    """Axes of a square box (n points each) around 2D points, 20% margin, half-width >= 0.5.

    The half-width is ``margin`` times the points' largest extent, at least ``min_half``.
    With ``snap`` it is rounded up to a power of two and the centre to a multiple of a
    quarter of it, so that nearby paths share one box (the web app caches its landscapes).

    >>> a, c = box_axes([[0.0, 0.0], [2.0, 1.0]], n=3)
    >>> a.round(12).tolist(), c.round(12).tolist()
    ([-0.2, 1.0, 2.2], [-0.7, 0.5, 1.7])
    >>> a, c = box_axes([[0.0, 0.0], [2.0, 1.0]], n=3, snap=True)
    >>> a.tolist(), c.tolist()
    ([-1.0, 1.0, 3.0], [-1.5, 0.5, 2.5])
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    centre, half = (lo + hi) / 2, max(float(np.max(hi - lo)) * margin, min_half)
    if snap:
        half = float(2 ** np.ceil(np.log2(half)))
        centre = np.round(centre / (half / 4)) * (half / 4)
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
    A, C = np.meshgrid(a, c)
    coords = np.stack([A.ravel(), C.ravel()], axis=1)
    linear_mse = isinstance(objective, Objective) and objective.is_linear_mse
    if linear_mse and isinstance(objective, Objective) and isinstance(objective.model, Perceptron):
        q = quadratic_form(objective.data)
        w = o[0] + A * d[0, 0] + C * d[1, 0]
        b = o[1] + A * d[0, 1] + C * d[1, 1]
        values = q(w, b)
        method = "quadratic form (five sums)"
    elif linear_mse and isinstance(objective, Objective):
        values = _exact_quadratic(objective, o, d, coords).reshape(A.shape)
        method = "exact quadratic from 9 evaluations"
    elif isinstance(objective, Objective):
        values = objective.loss_plane(o, d, coords).reshape(A.shape)
        method = "batched evaluation"
    else:
        values = objective.loss_batch(o + coords[:, :1] * d[0] + coords[:, 1:] * d[1])
        values = values.reshape(A.shape)
        method = "batched evaluation"
    names = list(objective.param_names)
    if labels is None:
        labels = (names[0], names[1]) if directions is None else ("α", "β")
    meta: dict[str, Any] = {
        "method": method,
        "param_names": [str(labels[0]), str(labels[1])],
        "all_param_names": names if len(names) <= 64 else len(names),
    }
    if isinstance(objective, Objective):
        meta["loss"] = objective.loss_fn.name
        meta["n_samples"] = objective.data.n
        meta["data"] = dict(objective.data.meta)
    return Landscape(origin=o, directions=d, axes=(a, c), values=values, meta=meta)
