"""Landscapes: the loss over a grid of points in a plane of parameter space.

A plane is an ``origin`` (P,) and two ``directions`` (2, P); grid point
``(a, c)`` is the parameter vector ``origin + a*directions[0] + c*directions[1]``.
For the perceptron the plane is simply the ``(w, b)`` plane: origin 0 and the
unit vectors, so the axes are ``w`` and ``b`` themselves.

One engine serves every problem (numpy or PyTorch): :func:`scan_plane`,
:func:`scan_line` and :func:`scan_trajectory` all run through
:func:`losslab.landscape.engine.run_plane`, so executors, resume files and the
progress bar work the same for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.core.problem import Problem, ProblemSpec
from losslab.defaults import MAX_AXIS_POINTS
from losslab.errors import LosslabError
from losslab.i18n import Lang
from losslab.landscape.directions import PCAPlane, pca_directions
from losslab.landscape.engine import PlaneTask, resolve, run_plane
from losslab.landscape.executor import RowExecutor
from losslab.landscape.result import Landscape

FloatArray = NDArray[np.float64]


#: The largest grid evaluated by default (points); larger grids get a clear error.
MAX_GRID_POINTS = MAX_AXIS_POINTS["perceptron"] ** 2  # the perceptron's 5,001 per axis, squared


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
    problem: Problem | ProblemSpec,
    axes: tuple[ArrayLike, ArrayLike],
    origin: ArrayLike | None = None,
    directions: ArrayLike | None = None,
    max_points: int = MAX_GRID_POINTS,
    labels: tuple[str, str] | None = None,
    *,
    executor: RowExecutor | None = None,
    block_rows: int | None = None,
    resume: str | Path | None = None,
    progress: bool = False,
    lang: Lang = "en",
) -> Landscape:
    """Evaluate the loss on the grid ``axes[0] x axes[1]`` of a plane.

    Without ``origin`` and ``directions`` the plane is spanned by the first two
    parameters themselves (``w`` and ``b`` for the perceptron). The problem
    chooses how (``meta["method"]``): the perceptron's five sums, an exact
    quadratic for other linear models with the MSE, first-layer products for an
    MLP, the addmm plan for a PyTorch Sequential. Rows run in blocks of
    ``block_rows`` through ``executor`` (serial by default; any block size and
    any executor give the same values bit for bit); ``resume`` (an .npz path)
    keeps finished blocks so an interrupted scan continues; ``progress`` shows
    a bar with an ETA, and first times one grid row and prints the time left and
    the peak memory (in ``lang``) before the rest runs. ``problem`` may be a spec
    (``build() -> Problem``) that an executor's workers build once. ``labels`` name
    the two axes (default: the parameter names for the parameters' own plane, else
    α and β).

    >>> from losslab.core.data import teacher_data
    >>> from losslab.core.objective import perceptron_objective
    >>> obj = perceptron_objective(teacher_data("2*x + 1", "-1:3:21"))
    >>> land = scan_plane(obj, (np.arange(-10, 10.5, 0.5), np.arange(-10, 10.5, 0.5)))
    >>> land.values.shape, land.argmin()[:2]
    ((41, 41), (2.0, 1.0))
    """
    a = np.asarray(axes[0], dtype=np.float64).reshape(-1)
    c = np.asarray(axes[1], dtype=np.float64).reshape(-1)
    if a.size * c.size > max_points:
        raise LosslabError("error.grid_memory", count=a.size * c.size, limit=max_points)
    local = resolve(problem)
    names = list(local.param_names)
    o = np.zeros(len(names)) if origin is None else np.asarray(origin, dtype=np.float64)
    d = np.eye(2, len(names)) if directions is None else np.asarray(directions, dtype=np.float64)
    if d.shape != (2, o.size) or o.size != len(names):
        raise LosslabError("error.torch_direction", got=d.size // 2, expected=len(names))
    task = PlaneTask(problem, o, d, a, c)
    facts = local.describe()
    values = run_plane(task, facts, executor, block_rows, resume, progress, lang)
    if labels is None:
        labels = (names[0], names[1]) if directions is None else ("α", "β")
    meta: dict[str, Any] = {
        **facts,
        "param_names": [str(labels[0]), str(labels[1])],
        "all_param_names": names if len(names) <= 64 else len(names),
    }
    if directions is None:
        meta["normalisation"] = "the parameters' own axes"
    return Landscape(origin=o, directions=d, axes=(a, c), values=values, meta=meta)


def scan_line(
    problem: Problem | ProblemSpec,
    start: ArrayLike,
    end: ArrayLike,
    alphas: ArrayLike | None = None,
    **engine: Any,
) -> Landscape:
    """The loss at ``(1 - alpha) * start + alpha * end`` for each alpha (default -0.5..1.5).

    A one-dimensional Landscape: ``directions`` (1, P) is ``end - start``,
    ``axes`` holds the alphas and ``values`` (len(alphas),) the losses. It is
    the one-row plane of ``end - start`` and a zero direction, through the same
    engine (``engine``: ``executor``, ``block_rows``, ``resume``, ``progress``).
    Goodfellow, Vinyals and Saxe 2015, "Qualitatively characterizing neural
    network optimization problems", ICLR.
    """
    s = np.asarray(start, dtype=np.float64).reshape(-1)
    d = np.asarray(end, dtype=np.float64).reshape(-1) - s
    a = np.linspace(-0.5, 1.5, 201) if alphas is None else np.asarray(alphas, dtype=np.float64)
    plane = scan_plane(problem, (a, np.zeros(1)), s, np.stack([d, np.zeros_like(d)]), **engine)
    meta = {**plane.meta, "method": "line", "param_names": ["α"]}
    meta["distance"] = float(np.linalg.norm(d))
    meta["plane_method"] = plane.meta["method"]
    return Landscape(origin=s, directions=d[None, :], axes=(a,), values=plane.values[0], meta=meta)


@dataclass(frozen=True)
class TrajectoryPlane:
    """A landscape in the PCA plane of a path, with the path's coordinates (T, 2) in it."""

    landscape: Landscape
    coords: FloatArray
    pca: PCAPlane


def scan_trajectory(
    problem: Problem | ProblemSpec,
    path: ArrayLike,
    points: int = 51,
    margin: float = 1.3,
    **engine: Any,
) -> TrajectoryPlane:
    """The loss in the plane of a path's (T, P) two principal directions, centred on its end.

    The grid is ``points x points`` and reaches ``margin`` times the path's widest
    coordinate (Li et al. 2018, sec. 7); ``engine`` goes to :func:`scan_plane`.
    """
    plane = pca_directions(path)
    extent = float(np.max(np.abs(plane.coords))) * margin or 1.0
    axis = np.linspace(-extent, extent, int(points))
    land = scan_plane(problem, (axis, axis.copy()), plane.origin, plane.directions, **engine)
    meta = {**land.meta, "param_names": ["PC1", "PC2"], "explained": plane.explained.tolist()}
    return TrajectoryPlane(replace(land, meta=meta), plane.coords, plane)
