"""Paths between two trained networks: the straight line, a Bezier curve, a polygonal chain.

A path is a :class:`Curve`: its ``nodes`` (k+2, P) are the start, k bends and the end,
and the point at ``t`` in [0, 1] is ``weights(t) @ nodes``:

- ``line``: ``(1 - t) a + t b`` (no bend);
- ``bezier``: Bernstein weights, ``(1 - t)^2 a + 2t(1 - t) c + t^2 b`` for one bend
  (Garipov et al. 2018, "Loss Surfaces, Mode Connectivity, and Fast Ensembling of DNNs");
- ``polychain``: straight pieces through the bends, the i-th bend at ``t = i/(k+1)``
  (one bend: Garipov et al.'s polygonal chain; several: the pivots of a nudged elastic
  band, Draxler et al. 2018, "Essentially No Barriers in Neural Network Energy Landscape").

:func:`path_profile` evaluates the loss along a path through the problem's own
``loss_plane`` (each straight piece and the one-bend Bezier lie in a plane, so the
problem's fast path applies); :func:`curve_plane` scans the plane through the two ends
and the bend with :func:`~losslab.landscape.scan.scan_plane` and places the curve on it.
Training a curve's bends is in :mod:`losslab.optim.connect`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from math import comb
from pathlib import Path
from typing import IO, Any, Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.core.problem import Problem
from losslab.core.summary import Summarised
from losslab.errors import LosslabError
from losslab.io import load_npz, save_npz
from losslab.landscape.result import Landscape
from losslab.landscape.scan import box_axes, scan_plane

FloatArray = NDArray[np.float64]

CurveKind = Literal["line", "bezier", "polychain"]
CURVE_KINDS: tuple[str, ...] = get_args(CurveKind)

#: Points along a path in a profile by default (t = 0, 1/60, ..., 1).
PROFILE_POINTS = 61

#: Floats of parameter points materialised at once when a path is not in a plane.
CHUNK_FLOATS = 4_000_000


@dataclass(frozen=True, repr=False)
class Curve(Summarised):
    """A path from ``nodes[0]`` (t = 0) to ``nodes[-1]`` (t = 1) through ``nodes[1:-1]``.

    >>> c = Curve("bezier", np.array([[0.0, 0.0], [1.0, 2.0], [2.0, 0.0]]))
    >>> c.points([0.0, 0.5, 1.0]).tolist()
    [[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]]
    """

    kind: CurveKind
    nodes: FloatArray  # (k + 2, P): start, k bends, end

    def __post_init__(self) -> None:
        if self.kind not in CURVE_KINDS:
            raise LosslabError("connect.error_kind", name=self.kind, names=", ".join(CURVE_KINDS))
        if self.nodes.ndim != 2 or self.nodes.shape[0] < 2:
            raise LosslabError("connect.error_nodes", shape=str(self.nodes.shape))
        if self.kind == "line" and self.nodes.shape[0] != 2:
            raise LosslabError("connect.error_line_bends", count=self.nodes.shape[0] - 2)

    @property
    def start(self) -> FloatArray:
        return np.asarray(self.nodes[0])

    @property
    def end(self) -> FloatArray:
        return np.asarray(self.nodes[-1])

    @property
    def bends(self) -> FloatArray:
        """The trainable points (k, P) between the two ends."""
        return np.asarray(self.nodes[1:-1])

    def with_bends(self, bends: ArrayLike) -> Curve:
        """The same curve with other bends (k, P)."""
        inner = np.asarray(bends, dtype=np.float64).reshape(self.bends.shape)
        return replace(self, nodes=np.vstack([self.start, inner, self.end]))

    def weights(self, t: ArrayLike) -> FloatArray:
        """The weights (m, k+2) of the nodes at each ``t`` (m,): ``points = weights @ nodes``.

        They sum to 1; the gradient of ``loss(point(t))`` with respect to bend ``i`` is
        ``weights[:, 1 + i]`` times the loss's gradient at the point.

        >>> Curve("polychain", np.zeros((3, 1))).weights([0.25, 0.75]).tolist()
        [[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]]
        """
        ts = np.clip(np.asarray(t, dtype=np.float64).reshape(-1), 0.0, 1.0)
        n = self.nodes.shape[0] - 1  # segments of the chain, degree of the Bezier curve
        if self.kind == "bezier":
            i = np.arange(n + 1)
            binom = np.array([comb(n, k) for k in i], dtype=np.float64)
            return np.asarray(binom * ts[:, None] ** i * (1.0 - ts[:, None]) ** (n - i))
        out = np.zeros((ts.size, n + 1))
        segment = np.minimum((ts * n).astype(int), n - 1)
        local = ts * n - segment
        rows = np.arange(ts.size)
        out[rows, segment] = 1.0 - local
        out[rows, segment + 1] = local
        return out

    def points(self, t: ArrayLike) -> FloatArray:
        """The parameter vectors (m, P) at each ``t`` (m,)."""
        return np.asarray(self.weights(t) @ self.nodes)

    def pieces(self, t: ArrayLike) -> list[tuple[NDArray[np.intp], FloatArray, FloatArray,
                                                  FloatArray]] | None:  # fmt: skip
        """The path as planes: ``(rows, origin, directions (2, P), coords (len(rows), 2))``.

        Each straight piece is a line (one direction), the one-bend Bezier curve lies in
        the plane of its three nodes: ``a + t^2 (b - a) + 2t(1 - t) (c - a)``. None for a
        Bezier curve of higher degree (not in one plane).
        """
        ts = np.clip(np.asarray(t, dtype=np.float64).reshape(-1), 0.0, 1.0)
        nodes = self.nodes
        if self.kind == "bezier" and nodes.shape[0] > 3:
            return None
        if self.kind == "bezier" and nodes.shape[0] == 3:
            a, c, b = nodes
            coords = np.stack([ts**2, 2.0 * ts * (1.0 - ts)], axis=1)
            return [(np.arange(ts.size), a, np.stack([b - a, c - a]), coords)]
        n = nodes.shape[0] - 1
        segment = np.minimum((ts * n).astype(int), n - 1)
        out = []
        for s in np.unique(segment):
            rows = np.flatnonzero(segment == s)
            local = ts[rows] * n - s
            coords = np.stack([local, np.zeros_like(local)], axis=1)
            step = nodes[s + 1] - nodes[s]
            out.append((rows, nodes[s], np.stack([step, np.zeros_like(step)]), coords))
        return out

    def length(self, samples: int = 201) -> float:
        """The curve's length in parameter space: exact for a chain, a polyline of
        ``samples`` points for a Bezier curve (one point (P,) in memory at a time)."""
        if self.kind != "bezier":
            return float(np.sum(np.linalg.norm(np.diff(self.nodes, axis=0), axis=1)))
        total, previous = 0.0, self.start
        for w in self.weights(np.linspace(0.0, 1.0, samples))[1:]:
            point = w @ self.nodes
            total += float(np.linalg.norm(point - previous))
            previous = point
        return total


def make_curve(start: ArrayLike, end: ArrayLike, kind: CurveKind = "bezier",
               bends: int = 1) -> Curve:  # fmt: skip
    """A curve from ``start`` (P,) to ``end`` (P,) whose ``bends`` lie on the straight line.

    Bends at ``i/(k+1)`` of the way make both a Bezier curve and a chain trace the line
    itself (as Garipov et al. start: the bend at the midpoint), so training starts from
    the line. Two vectors of different sizes (two different models) are refused.

    >>> make_curve([0.0, 0.0], [2.0, 4.0], "bezier").nodes.tolist()
    [[0.0, 0.0], [1.0, 2.0], [2.0, 4.0]]
    """
    a = np.asarray(start, dtype=np.float64)
    b = np.asarray(end, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape or a.size == 0:
        raise LosslabError("connect.error_shapes", a=a.size, b=b.size)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise LosslabError("connect.error_finite")
    if int(bends) != bends or bends < 0 or bends > MAX_BENDS:
        raise LosslabError("connect.error_bends", value=bends, limit=MAX_BENDS)
    if kind == "line":
        bends = 0
    fractions = np.linspace(0.0, 1.0, int(bends) + 2)
    return Curve(kind, a + fractions[:, None] * (b - a))


#: The most bends (or elastic-band pivots) a path may have.
MAX_BENDS = 64


def barrier(values: ArrayLike) -> float:
    """The barrier along a path: the highest value minus the mean of the two ends.

    ``values`` (m,) run from t = 0 to t = 1. Zero (or less) means no barrier.

    >>> barrier([1.0, 3.0, 2.0])
    1.5
    """
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    return float(np.max(v) - 0.5 * (v[0] + v[-1]))


#: A per-point metric of the model at one parameter vector (P,), e.g. its accuracy.
Metric = Callable[[FloatArray], float]


@dataclass(frozen=True, repr=False)
class PathProfile(Summarised):
    """The loss (and accuracy, where there are labels) along a curve, with the curve.

    ``losses[i]`` is the loss at ``curve.points(t)[i]``. ``meta`` holds the problem's
    facts and how the curve was made (trained or not, the optimizer, steps, ...).
    """

    curve: Curve
    t: FloatArray  # (m,) from 0 to 1
    losses: FloatArray  # (m,)
    accuracies: FloatArray | None = None  # (m,) in [0, 1], or None without labels
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def barrier(self) -> float:
        """The loss barrier: max along the path minus the mean of the two ends."""
        return barrier(self.losses)

    @property
    def accuracy_barrier(self) -> float | None:
        """The same on the error (1 - accuracy): the mean accuracy of the ends minus the
        lowest along the path; None without labels."""
        return None if self.accuracies is None else barrier(1.0 - self.accuracies)

    def summary_rows(self) -> list[tuple[str, Any]]:
        rows: list[tuple[str, Any]] = [
            ("kind", self.curve.kind),
            ("bends", self.curve.bends.shape[0]),
            ("points", self.t.size),
            ("barrier", self.barrier),
        ]
        if self.accuracy_barrier is not None:
            rows.append(("accuracy_barrier", self.accuracy_barrier))
        return rows

    def save(self, path: str | Path | IO[bytes]) -> None:
        """Arrays (nodes, t, losses, accuracies) as ``.npz`` and ``meta`` as JSON; no pickle."""
        arrays: dict[str, Any] = {"nodes": self.curve.nodes, "t": self.t, "losses": self.losses}
        if self.accuracies is not None:
            arrays["accuracies"] = self.accuracies
        meta = {**self.meta, "kind": self.curve.kind, "barrier": self.barrier,
                "accuracy_barrier": self.accuracy_barrier}  # fmt: skip
        save_npz(path, arrays, meta)

    @classmethod
    def load(cls, path: str | Path | IO[bytes]) -> PathProfile:
        """Read a profile written by :meth:`save`."""
        arrays, meta = load_npz(path)
        curve = Curve(meta["kind"], arrays["nodes"])
        return cls(curve, arrays["t"], arrays["losses"], arrays.get("accuracies"), meta)


def path_losses(problem: Problem, curve: Curve, t: ArrayLike) -> FloatArray:
    """The loss at ``curve.points(t)`` (m,), through the problem's ``loss_plane``.

    Straight pieces and the one-bend Bezier curve go through planes (the problem's fast
    path); a Bezier curve of higher degree through ``loss_batch`` in chunks.
    """
    ts = np.asarray(t, dtype=np.float64).reshape(-1)
    out = np.empty(ts.size)
    pieces = curve.pieces(ts)
    if pieces is None:
        chunk = max(1, CHUNK_FLOATS // curve.nodes.shape[1])
        for s in range(0, ts.size, chunk):
            out[s : s + chunk] = problem.loss_batch(curve.points(ts[s : s + chunk]))
        return out
    for rows, origin, directions, coords in pieces:
        out[rows] = problem.loss_plane(origin, directions, coords)
    return out


def path_profile(
    problem: Problem,
    curve: Curve,
    points: int | ArrayLike = PROFILE_POINTS,
    metric: Metric | None = None,
    meta: Mapping[str, Any] | None = None,
) -> PathProfile:
    """The loss along ``curve`` at ``points`` evenly spaced ``t`` (or the given ts, 0..1).

    ``metric`` (a function of one parameter vector, e.g. the accuracy) is evaluated at the
    same points. ``meta`` is added to the problem's ``describe()``.

    >>> from losslab.core.objective import QuadraticBowl
    >>> bowl = QuadraticBowl(np.eye(2), np.zeros(2))
    >>> p = path_profile(bowl, make_curve([-1.0, 0.0], [1.0, 0.0], "line"), 3)
    >>> p.losses.tolist(), p.barrier
    ([0.5, 0.0, 0.5], 0.0)
    """
    if np.ndim(points) == 0:
        count = int(np.asarray(points))
        if count < 2 or count > 100_001:
            raise LosslabError("connect.error_points", value=count)
        ts = np.linspace(0.0, 1.0, count)
    else:
        ts = np.asarray(points, dtype=np.float64).reshape(-1)
    losses = path_losses(problem, curve, ts)
    accuracies = None
    if metric is not None:
        accuracies = np.array([metric(curve.points(t)[0]) for t in ts])
    facts = {**problem.describe(), **(meta or {}), "kind": curve.kind,
             "bends": int(curve.bends.shape[0]), "length": curve.length()}  # fmt: skip
    return PathProfile(curve, ts, losses, accuracies, facts)


@dataclass(frozen=True, repr=False)
class CurvePlane(Summarised):
    """The plane through a curve's two ends and its bend, with the curve drawn on it.

    ``landscape`` is the scan (origin = start, first direction = end - start, second =
    bend - start made orthogonal to it and as long); in its coordinates the start is
    (0, 0) and the end (1, 0). Its ``meta["curve"]`` holds the curve's coordinates too,
    so that the saved landscape draws it again. ``coords`` (m, 2) are the curve's points
    at ``t`` (m,) projected on the plane (exactly on it for one bend), ``off_plane`` (m,)
    their distances from it (relative to ``|end - start|``).
    """

    landscape: Landscape
    t: FloatArray
    coords: FloatArray
    nodes: FloatArray  # (k + 2, 2): the nodes' coordinates
    off_plane: FloatArray


def curve_plane(
    problem: Problem,
    curve: Curve,
    points: int = 41,
    margin: float = 0.35,
    seed: int = 0,
    **engine: Any,
) -> CurvePlane:
    """Scan the plane through ``curve``'s ends and its bend on a ``points x points`` grid.

    The third point is the bend (one bend), else the curve's point at t = 1/2. When it
    lies on the line through the ends (an untrained or straight curve), the second
    direction is a seeded random one orthogonal to the first. ``engine`` goes to
    :func:`~losslab.landscape.scan.scan_plane` (``executor``, ``progress``, ...).
    """
    a, b = curve.start, curve.end
    third = curve.bends[0] if curve.bends.shape[0] == 1 else curve.points([0.5])[0]
    d1 = b - a
    scale = float(np.linalg.norm(d1))
    if scale == 0.0:
        raise LosslabError("connect.error_same")
    d2 = third - a
    d2 = d2 - (d2 @ d1) / (d1 @ d1) * d1
    if float(np.linalg.norm(d2)) <= 1e-9 * scale:
        d2 = np.random.default_rng(seed).normal(size=d1.size)
        d2 = d2 - (d2 @ d1) / (d1 @ d1) * d1
    d2 *= scale / float(np.linalg.norm(d2))
    directions = np.stack([d1, d2])
    ts = np.linspace(0.0, 1.0, PROFILE_POINTS)
    # The projection is linear: project the nodes once, then weight them (no (m, P) points).
    offsets = curve.nodes - a
    node_coords = offsets @ directions.T / np.sum(directions**2, axis=1)
    rest = offsets - node_coords @ directions  # (k + 2, P): the nodes' parts off the plane
    weights = curve.weights(ts)
    coords = weights @ node_coords
    off = np.sqrt(np.maximum(np.einsum("mi,ij,mj->m", weights, rest @ rest.T, weights), 0.0))
    axes = box_axes(np.vstack([coords, node_coords]), n=points, margin=0.5 + margin, min_half=0.1)
    land = scan_plane(problem, axes, a, directions, labels=("A → B", "⊥"), **engine)
    # The curve on the plane travels with the landscape's file (JSON floats round-trip).
    drawn = {"kind": curve.kind, "t": ts.tolist(), "coords": coords.tolist(),
             "nodes": node_coords.tolist(), "off_plane": (off / scale).tolist()}  # fmt: skip
    land = replace(land, meta={**land.meta, "curve": drawn})
    return CurvePlane(land, ts, coords, node_coords, off / scale)
