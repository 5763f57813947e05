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
    4 times (up, down, up, down: the shape of a mountain pass).

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
    is_min = np.all(diffs > 0, axis=0)
    higher = diffs >= 0  # a neighbour at the same height counts as not lower
    changes = np.sum(higher != np.roll(higher, 1, axis=0), axis=0)
    is_saddle = changes >= 4
    a, c = landscape.axes

    def rows(mask: NDArray[np.bool_]) -> FloatArray:
        j, i = np.nonzero(mask)
        return np.column_stack([a[i + 1], c[j + 1], v[j + 1, i + 1]])

    return CriticalPoints(minima=rows(is_min), saddles=rows(is_saddle))
