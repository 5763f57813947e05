"""Every number of the perceptron walk-through, computed once by the library.

The report, the figures and the CLI only display a :class:`Walkthrough`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.analysis.quadratic import QuadraticForm, quadratic_form
from losslab.core.data import (
    DEFAULT_SAMPLES,
    DEFAULT_TEACHER,
    Dataset,
    parse_expression,
    parse_grid_axis,
    teacher_curve,
    teacher_data,
)
from losslab.core.objective import Objective, perceptron_objective
from losslab.core.summary import Summarised
from losslab.defaults import GRID, LEARNING_RATE, START, STEPS
from losslab.landscape.result import Landscape
from losslab.landscape.scan import box_axes, scan_plane
from losslab.optim.loop import run
from losslab.optim.rules import check_learning_rate, gradient_descent
from losslab.optim.trajectory import Trajectory

FloatArray = NDArray[np.float64]

#: Grid points times samples up to which the formula is checked against the direct
#: mean at every grid point; beyond it, at up to 10,000 random grid points (fewer for
#: large data: about this many sample evaluations, at least 10 points).
FULL_CHECK_LIMIT = 50_000_000


@dataclass(frozen=True, repr=False)
class StepByHand(Summarised):
    """The four steps of learning for one gradient-descent update, with real numbers.

    1. input ``x`` (n,) and teacher ``t`` (n,); 2. prediction ``y = w*x + b`` (n,);
    3. error ``y - t`` (n,) and ``loss = mean(error^2)``; 4. gradient and update
    ``(w, b) <- (w, b) - learning_rate * (dL/dw, dL/db)``.
    """

    x: FloatArray
    t: FloatArray
    params: FloatArray
    prediction: FloatArray
    error: FloatArray
    loss: float
    gradient: FloatArray
    learning_rate: float
    new_params: FloatArray
    new_loss: float

    def summary_rows(self) -> list[tuple[str, Any]]:
        """The update's numbers, as a short summary shows them."""
        return [("n", self.x.size), ("params", self.params), ("loss", self.loss),
                ("gradient", self.gradient), ("learning_rate", self.learning_rate),
                ("new_params", self.new_params), ("new_loss", self.new_loss)]  # fmt: skip


def step_by_hand(objective: Objective, params: ArrayLike, learning_rate: float) -> StepByHand:
    """One update of gradient descent, spelled out as the four steps of learning.

    >>> from losslab.core.data import teacher_data
    >>> from losslab.core.objective import perceptron_objective
    >>> s = step_by_hand(perceptron_objective(teacher_data("2*x + 1", "0:1:2")), [3, 2], 0.1)
    >>> s.prediction.tolist(), s.loss, s.gradient.tolist(), s.new_params.round(10).tolist()
    ([2.0, 5.0], 2.5, [2.0, 3.0], [2.8, 1.7])
    """
    p = np.asarray(params, dtype=np.float64)
    x, t = objective.data.x, objective.data.t
    prediction = objective.model.predict(p, x)
    gradient = objective.gradient(p)
    with np.errstate(all="ignore"):  # a learning rate far past the limit overflows: shown as is
        new_params = p - learning_rate * gradient
        new_loss = objective.loss(new_params)
    return StepByHand(
        x=x,
        t=t,
        params=p,
        prediction=prediction,
        error=prediction - t,
        loss=objective.loss(p),
        gradient=gradient,
        learning_rate=learning_rate,
        new_params=new_params,
        new_loss=new_loss,
    )


@dataclass(frozen=True, repr=False)
class Walkthrough(Summarised):
    """The perceptron walk-through: data, loss landscape, closed forms, gradient descent."""

    data: Dataset
    objective: Objective
    quadratic: QuadraticForm
    landscape: Landscape
    zoom: Landscape
    trajectory: Trajectory
    first_step: StepByHand
    init: FloatArray
    learning_rate: float
    teacher_curve: tuple[FloatArray, FloatArray]
    teacher_is_line: bool
    formula_max_difference: float
    formula_points_checked: int
    start_line: FloatArray  # (400,): the model's line at ``init`` on the teacher curve's x
    fit_steps: tuple[int, ...]  # a few steps of the trajectory to show (see pick_steps)
    fit_lines: FloatArray  # (len(fit_steps), 400): the model's line at each of them

    def summary_rows(self) -> list[tuple[str, Any]]:
        """Data, minimum, learning rate and where gradient descent ended, in short."""
        meta, q, traj = self.data.meta, self.quadratic, self.trajectory
        source = meta.get("teacher") or meta.get("source", "")
        return [("data", f"{source} (n={self.data.n})"), ("minimum", q.minimum),
                ("min_loss", q.min_loss), ("stability_limit", q.stability_limit),
                ("init", self.init), ("learning_rate", self.learning_rate),
                ("steps", traj.steps), ("final", traj.params[-1]),
                ("final_loss", traj.losses[-1]), ("stop", traj.meta.get("stop", ""))]  # fmt: skip

    @property
    def learning_rate_ratio(self) -> float:
        """The learning rate as a fraction of the stability limit ``2 / lambda_max``."""
        return self.learning_rate / self.quadratic.stability_limit


def walkthrough(
    teacher: str = DEFAULT_TEACHER,
    x: str | ArrayLike = DEFAULT_SAMPLES,
    init: ArrayLike = START,
    learning_rate: float = LEARNING_RATE,
    steps: int = STEPS,
    grid: str | tuple[str, str] = GRID,
    noise: float = 0.0,
    seed: int = 0,
) -> Walkthrough:
    """Compute the whole walk-through for a teacher, a start point and a learning rate.

    ``grid`` is one ``"start:stop:step"`` for both ``w`` and ``b``, or a pair.

    >>> wt = walkthrough()
    >>> wt.quadratic.shape, wt.landscape.values.shape, wt.trajectory.meta["stop"]
    ('elliptic paraboloid', (41, 41), 'step limit')
    >>> round(wt.quadratic.stability_limit, 4)
    0.3363
    """
    expr = parse_expression(teacher)
    check_learning_rate(learning_rate)
    data = teacher_data(expr, x, noise=noise, seed=seed)
    clean_fit = quadratic_form(teacher_data(expr, data.x))
    scale = max(1.0, clean_fit.Syy / clean_fit.n)  # mean(t^2) of the clean teacher
    teacher_is_line = clean_fit.min_loss <= 1e-12 * scale
    return walkthrough_of(
        data, teacher_curve(expr, data.x), teacher_is_line, init, learning_rate, steps, grid
    )


def walkthrough_of(
    data: Dataset,
    reference: tuple[FloatArray, FloatArray],
    teacher_is_line: bool,
    init: ArrayLike,
    learning_rate: float,
    steps: int,
    grid: str | tuple[str, str] | tuple[FloatArray, FloatArray],
) -> Walkthrough:
    """The walk-through of any 1D data: ``reference`` is the curve drawn behind the data
    (the teacher, or the least-squares line of measured data), ``grid`` two grid specs
    or two coordinate arrays for ``w`` and ``b``.
    """
    check_learning_rate(learning_rate)
    objective = perceptron_objective(data)
    quad = quadratic_form(data)
    if isinstance(grid, str):
        grid = (grid, grid)
    w_axis, b_axis = (parse_grid_axis(g) if isinstance(g, str) else g for g in grid)
    landscape = scan_plane(objective, (w_axis, b_axis))
    p0 = np.asarray(init, dtype=np.float64)
    trajectory = run(objective, gradient_descent(learning_rate), p0, steps=steps)
    first = step_by_hand(objective, p0, learning_rate)
    zoom = scan_plane(objective, box_axes(np.vstack([trajectory.params, quad.minimum])))
    difference, checked = _formula_check(objective, quad, landscape)
    fit_steps = tuple(pick_steps(trajectory.steps))
    xs = reference[0]
    return Walkthrough(
        data=data,
        objective=objective,
        quadratic=quad,
        landscape=landscape,
        zoom=zoom,
        trajectory=trajectory,
        first_step=first,
        init=p0,
        learning_rate=float(learning_rate),
        teacher_curve=reference,
        teacher_is_line=bool(teacher_is_line),
        formula_max_difference=difference,
        formula_points_checked=checked,
        start_line=objective.model.predict(p0, xs),
        fit_steps=fit_steps,
        fit_lines=np.array([objective.model.predict(trajectory.params[k], xs) for k in fit_steps]),
    )


def pick_steps(last: int) -> list[int]:
    """A few steps to show, spread roughly geometrically: 0, 1, 3, 10, 30 and the last.

    >>> pick_steps(100), pick_steps(2)
    ([0, 1, 3, 10, 30, 100], [0, 1, 2])
    """
    return sorted({k for k in (0, 1, 3, 10, 30) if k < last} | {last})


def _formula_check(
    objective: Objective, quad: QuadraticForm, landscape: Landscape
) -> tuple[float, int]:
    """Largest |expanded formula - direct mean| over the grid (or a random part of it)."""
    a, c = landscape.axes
    total = a.size * c.size
    rows = np.arange(total)
    if total * objective.data.n > FULL_CHECK_LIMIT:
        # At least 10 points; at most 10,000, and about FULL_CHECK_LIMIT sample evaluations.
        count = min(10_000, total, max(10, FULL_CHECK_LIMIT // objective.data.n))
        rows = np.random.default_rng(0).choice(total, count, replace=False)
    points = np.stack([a[rows % a.size], c[rows // a.size]], axis=1)  # meshgrid "xy" order
    direct = objective.loss_batch(points)
    formula = quad.expanded(points[:, 0], points[:, 1])
    return float(np.max(np.abs(formula - direct))), int(points.shape[0])
