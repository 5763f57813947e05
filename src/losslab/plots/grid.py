"""Thinning a landscape's grid for drawing: a figure shows no more than a few hundred points."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from losslab.landscape.result import Landscape

FloatArray = NDArray[np.float64]


def thinned(landscape: Landscape, most: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Axes ``(a, c)`` and values (len(c), len(a)) of evenly spread grid rows and columns.

    At most ``most`` points per axis; the last row and column are kept, so the
    drawing spans the whole grid; small grids come back whole. All the values
    stay in the Landscape (its numbers, minimum and files are untouched).

    >>> axis = np.arange(5.0)
    >>> land = Landscape(np.zeros(2), np.eye(2), (axis, axis), np.add.outer(axis, axis), {})
    >>> a, c, values = thinned(land, 3)
    >>> a.tolist(), values.shape
    ([0.0, 2.0, 4.0], (3, 3))
    """
    a, c = landscape.axes
    rows = _picks(c.size, most)
    cols = _picks(a.size, most)
    return a[cols], c[rows], np.asarray(landscape.values[np.ix_(rows, cols)])


def _picks(size: int, most: int) -> NDArray[np.intp]:
    """At most ``most`` indices of ``range(size)``, evenly spread, the first and last included."""
    if size <= most:
        return np.arange(size)
    return np.unique(np.linspace(0, size - 1, most).round().astype(np.intp))
