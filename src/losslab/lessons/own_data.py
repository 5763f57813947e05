"""The perceptron walk-through on a learner's own pairs ``(x, t)``, e.g. read from a CSV file.

Measured data have no teacher formula: the curve drawn behind them is their
least-squares line, the line gradient descent walks towards. The grid and the
learning rate adapt to the data's scale unless given.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from losslab.analysis.quadratic import quadratic_form
from losslab.core.data import Dataset, FloatArray, parse_expression, teacher_curve
from losslab.core.datasets import load_csv
from losslab.errors import LosslabError
from losslab.landscape.scan import box_axes
from losslab.lessons.perceptron import Walkthrough, walkthrough_of

#: Without a learning rate, gradient descent uses this fraction of ``2 / lambda_max``
#: (the default walk-through's 0.1 is 0.30 of its limit 0.336).
AUTO_LEARNING_RATE_FRACTION = 0.3
#: Points per axis of the automatic landscape grid.
AUTO_GRID_POINTS = 41


def reference_curve(data: Dataset, points: int = 400) -> tuple[FloatArray, FloatArray]:
    """The curve drawn behind the data: the teacher if the data have one, else their
    least-squares line, over the span of ``x`` with a 10% margin.

    >>> d = Dataset(np.array([0.0, 1.0, 2.0]), np.array([1.0, 2.0, 4.5]))
    >>> xs, ts = reference_curve(d, points=3)
    >>> xs.round(12).tolist(), ts.round(12).tolist()
    ([-0.2, 1.0, 2.2], [0.4, 2.5, 4.6])
    """
    if "teacher" in data.meta:
        return teacher_curve(parse_expression(str(data.meta["teacher"])), data.x, points)
    lo, hi = float(np.min(data.x)), float(np.max(data.x))
    pad = 0.1 * (hi - lo) if hi > lo else 1.0
    xs = np.linspace(lo - pad, hi + pad, points)
    w, b = quadratic_form(data).minimum
    return xs, w * xs + b


def data_walkthrough(
    data: Dataset,
    init: ArrayLike = (0.0, 0.0),
    learning_rate: float | None = None,
    steps: int = 100,
    grid: str | tuple[str, str] | None = None,
) -> Walkthrough:
    """The walk-through of :func:`~losslab.walkthrough` on given 1D data ``x`` (n,), ``t`` (n,).

    ``learning_rate=None`` takes :data:`AUTO_LEARNING_RATE_FRACTION` of ``2 / lambda_max``;
    ``grid=None`` a square grid centred on the minimum that holds the start point.

    >>> d = Dataset(np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 2.9, 5.1, 7.0]))
    >>> wt = data_walkthrough(d)
    >>> wt.quadratic.minimum.round(6).tolist(), round(wt.learning_rate_ratio, 2)
    ([2.02, 0.97], 0.3)
    """
    x = np.asarray(data.x, dtype=np.float64)
    if x.ndim != 1:
        columns = ", ".join(map(str, data.meta.get("inputs", [])))
        raise LosslabError("error.csv_one_input", count=x.shape[1], columns=columns)
    quad = quadratic_form(data)
    if learning_rate is None:
        # three significant digits, so that figures and text show a tidy number
        learning_rate = float(f"{AUTO_LEARNING_RATE_FRACTION * quad.stability_limit:.3g}")
    p0 = np.asarray(init, dtype=np.float64)
    axes = grid if grid is not None else auto_grid(quad.minimum, p0)
    fit = quad.min_loss <= 1e-12 * max(1.0, quad.Syy / quad.n)
    return walkthrough_of(data, reference_curve(data), fit, p0, learning_rate, steps, axes)


def auto_grid(
    minimum: ArrayLike, start: ArrayLike, points: int = AUTO_GRID_POINTS
) -> tuple[FloatArray, FloatArray]:
    """A square grid centred on ``minimum`` that holds ``start`` and its mirror image.

    >>> a, c = auto_grid([2.0, 1.0], [3.0, 2.0], points=3)
    >>> a.round(12).tolist(), c.round(12).tolist()
    ([0.8, 2.0, 3.2], [-0.2, 1.0, 2.2])
    """
    m, s = np.asarray(minimum, dtype=np.float64), np.asarray(start, dtype=np.float64)
    return box_axes(np.vstack([s, 2 * m - s]), n=points)


def csv_walkthrough(
    path: str | Path,
    inputs: str | Sequence[str],
    target: str,
    drop_nan: bool = False,
    init: ArrayLike = (0.0, 0.0),
    learning_rate: float | None = None,
    steps: int = 100,
    grid: str | tuple[str, str] | None = None,
) -> Walkthrough:
    """The walk-through on two columns of a CSV file: ``inputs`` (one column) and ``target``.

    Reads with :func:`~losslab.load_csv` (errors name the file, line and column);
    the rest is :func:`data_walkthrough`. E.g. Hubble's 1929 galaxies, shipped in
    ``examples/``: ``csv_walkthrough("examples/hubble1929.csv", "distance_mpc",
    "velocity_km_s")`` finds the line ``velocity = 454 * distance - 41``.
    """
    names = [inputs] if isinstance(inputs, str) else list(inputs)
    names = [n.strip() for part in names for n in part.split(",") if n.strip()]
    if len(names) > 1:
        raise LosslabError("error.csv_one_input", count=len(names), columns=", ".join(names))
    data = load_csv(path, names, target, drop_nan=drop_nan)
    return data_walkthrough(data, init, learning_rate, steps, grid)
