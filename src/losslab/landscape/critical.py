"""Critical points of a 2D landscape found on its grid: local minima and saddles."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from losslab.landscape.result import Landscape

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CriticalPoints:
    """Grid points of a 2D landscape that are local minima or saddles, as (a, c, loss) rows."""

    minima: FloatArray
    saddles: FloatArray


def critical_points(landscape: Landscape) -> CriticalPoints:
    """Local minima and saddle points of a 2D landscape, found on its grid.

    A point is a minimum when it is lower than its 8 neighbours; a saddle when,
    going round the 8 neighbours, ``neighbour - point`` changes sign at least
    4 times (up, down, up, down: the shape of a mountain pass). Either also needs
    the quadratic through its 3 x 3 neighbourhood (central differences) to be a
    bowl (or a saddle) whose stationary point lies within one grid step: the
    neighbour tests alone also fire on the bends of a narrow curved valley, where
    the slope is far from zero. Points of the grid's
    edge ring have no 8 neighbours and are never reported.

    >>> a = np.linspace(-1, 1, 21)
    >>> A, C = np.meshgrid(a, a)
    >>> land = Landscape(np.zeros(2), np.eye(2), (a, a), A**2 - C**2)
    >>> critical_points(land).saddles.round(6).tolist()
    [[0.0, 0.0, 0.0]]
    """
    v = landscape.values
    ring = [(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]
    centre = v[1:-1, 1:-1]
    diffs = np.stack([v[1 + dj : v.shape[0] - 1 + dj, 1 + di : v.shape[1] - 1 + di] - centre
                      for dj, di in ring])  # fmt: skip
    kind = _local_quadratic(v)
    is_min = np.all(diffs > 0, axis=0) & (kind == 1)
    higher = diffs >= 0  # a neighbour at the same height counts as not lower
    changes = np.sum(higher != np.roll(higher, 1, axis=0), axis=0)
    is_saddle = (changes >= 4) & (kind == -1)
    a, c = landscape.axes

    def rows(mask: NDArray[np.bool_]) -> FloatArray:
        j, i = np.nonzero(mask)
        return np.column_stack([a[i + 1], c[j + 1], v[j + 1, i + 1]])

    return CriticalPoints(minima=rows(is_min), saddles=rows(is_saddle))


def _local_quadratic(v: FloatArray) -> NDArray[np.int_]:
    """For each interior point, the quadratic through its 3 x 3 neighbourhood (central
    differences, in grid steps): 1 if it is a bowl, -1 a saddle, with its stationary point
    within one step of the point; else 0 (a slope, a ridge or a valley that goes on)."""
    c = v[1:-1, 1:-1]
    east, west, north, south = v[1:-1, 2:], v[1:-1, :-2], v[2:, 1:-1], v[:-2, 1:-1]
    gx, gy = (east - west) / 2, (north - south) / 2
    hxx, hyy = east - 2 * c + west, north - 2 * c + south
    hxy = (v[2:, 2:] - v[2:, :-2] - v[:-2, 2:] + v[:-2, :-2]) / 4
    det = hxx * hyy - hxy**2
    with np.errstate(divide="ignore", invalid="ignore"):
        dx = -(hyy * gx - hxy * gy) / det  # the stationary point, -H^-1 g
        dy = -(hxx * gy - hxy * gx) / det
    near = (np.abs(dx) <= 1) & (np.abs(dy) <= 1)
    return np.where(near & (det > 0) & (hxx > 0), 1, np.where(near & (det < 0), -1, 0))
