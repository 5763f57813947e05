"""Optimizer experiments on one landscape: compare, learning-rate sweep, mini-batch noise.

Each function runs the library's optimizers and returns a result that holds
its inputs (problem, landscape, trajectories); figures only display them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.analysis.quadratic import quadratic_form
from losslab.core.data import (
    DEFAULT_SAMPLES,
    DEFAULT_TEACHER,
    Dataset,
    teacher_data,
)
from losslab.core.objective import Problem, book_ch6_function, perceptron_objective
from losslab.core.summary import Summarised
from losslab.defaults import (
    BOOK_CH6_POINTS,
    BOOK_CH6_START,
    LEARNING_RATE,
    LEARNING_RATES,
    MINIBATCH_LEARNING_RATE,
    MINIBATCH_NOISE,
    START,
    STEPS,
)
from losslab.errors import LosslabError
from losslab.landscape.result import Landscape
from losslab.landscape.scan import box_axes, scan_plane
from losslab.lessons.own_data import reference_curve
from losslab.optim.loop import run
from losslab.optim.rules import OPTIMIZERS, gradient_descent, make_optimizer, sgd
from losslab.optim.trajectory import Trajectory

FloatArray = NDArray[np.float64]

#: The book's ch06 learning rates, and the perceptron comparison's (see losslab.defaults).
BOOK_CH6_RATES: Mapping[str, float] = LEARNING_RATES["book-ch6"]
PERCEPTRON_RATES: Mapping[str, float] = LEARNING_RATES["perceptron"]


@dataclass(frozen=True, repr=False)
class Comparison(Summarised):
    """Several optimizers from one start on one landscape.

    ``trajectories`` maps each optimizer's display name to its Trajectory;
    ``minimum`` (P,) is the exact minimum; ``preset`` is ``"book-ch6"`` or None.
    """

    problem: Problem
    landscape: Landscape
    trajectories: Mapping[str, Trajectory]
    minimum: FloatArray
    min_loss: float
    preset: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


def perceptron_data(
    teacher: str = DEFAULT_TEACHER,
    x: str | ArrayLike = DEFAULT_SAMPLES,
    noise: float = 0.0,
    seed: int = 0,
) -> Dataset:
    """The walk-through's data (a shorthand used by the experiments)."""
    return teacher_data(teacher, x, noise=noise, seed=seed)


def compare(
    preset: Literal["book-ch6"] | None = None,
    optimizers: Sequence[str] = ("sgd", "momentum", "adagrad", "adam"),
    learning_rates: Mapping[str, float] | None = None,
    steps: int | None = None,
    init: ArrayLike | None = None,
    data: Dataset | None = None,
) -> Comparison:
    """Run several optimizers from one start and scan the landscape around their paths.

    ``preset="book-ch6"`` reproduces the book's chapter 6 comparison exactly:
    ``f(x, y) = x^2/20 + y^2`` from ``(-7, 2)``, SGD lr 0.95, Momentum 0.1,
    AdaGrad 1.5, Adam 0.3, 30 points per path, on the book's grid
    (x in [-10, 10), y in [-5, 5), step 0.01). Without it, the perceptron loss
    of the walk-through from ``(3, 2)``.

    >>> c = compare("book-ch6")
    >>> list(c.trajectories), [t.params.shape for t in c.trajectories.values()][0]
    (['SGD', 'Momentum', 'AdaGrad', 'Adam'], (30, 2))
    """
    rates = dict(learning_rates or {})
    unknown = [name for name in [*optimizers, *rates] if name not in OPTIMIZERS]
    if unknown:
        raise LosslabError("error.optimizer", name=unknown[0], names=", ".join(OPTIMIZERS))
    problem: Problem
    if preset == "book-ch6":
        problem = book_ch6_function()
        start = np.array(BOOK_CH6_START if init is None else init, dtype=np.float64)
        n_steps = BOOK_CH6_POINTS - 1 if steps is None else steps
        defaults: Mapping[str, float] = BOOK_CH6_RATES
        minimum, min_loss = np.zeros(2), 0.0
    elif preset is None:
        d = perceptron_data() if data is None else data
        problem = perceptron_objective(d)
        start = np.array(START if init is None else init, dtype=np.float64)
        n_steps = STEPS if steps is None else steps
        defaults = PERCEPTRON_RATES
        q = quadratic_form(d)
        minimum, min_loss = q.minimum, q.min_loss
    else:
        raise LosslabError("error.preset", name=preset)
    trajectories: dict[str, Trajectory] = {}
    for name in optimizers:
        opt = make_optimizer(name, rates.get(name, defaults.get(name)))
        trajectories[opt.name] = run(problem, opt, start, steps=n_steps, tolerance=0.0)
    if preset == "book-ch6":
        axes = (np.arange(-10, 10, 0.01), np.arange(-5, 5, 0.01))
    else:
        axes = box_axes(np.vstack([*[t.params for t in trajectories.values()], minimum]))
    landscape = scan_plane(problem, axes)
    return Comparison(
        problem=problem,
        landscape=landscape,
        trajectories=trajectories,
        minimum=minimum,
        min_loss=min_loss,
        preset=preset,
        meta={"start": start.tolist(), "steps": n_steps},
    )


Outcome = Literal["smooth", "zigzag", "oscillates", "diverges"]


@dataclass(frozen=True, repr=False)
class SweepRun(Summarised):
    """One learning rate of a sweep: its fraction of ``2/lambda_max``, path and outcome.

    ``outcome`` follows the theory for the steep axis, where one step multiplies
    the distance by ``r = 1 - lr*lambda_max``: ``smooth`` (0 <= r < 1), ``zigzag``
    (-1 < r < 0), ``oscillates`` (r = -1: bounces without progress), ``diverges``
    (r < -1); a run that diverged is ``diverges`` whatever r says.
    """

    fraction: float
    learning_rate: float
    trajectory: Trajectory
    landscape: Landscape
    outcome: Outcome


@dataclass(frozen=True, repr=False)
class Sweep(Summarised):
    """Plain gradient descent on the perceptron loss at several learning rates."""

    runs: Sequence[SweepRun]
    stability_limit: float
    minimum: FloatArray
    min_loss: float


def lr_sweep(
    fractions: Sequence[float] = (0.3, 0.9, 1.0, 1.1),
    steps: int = 30,
    init: ArrayLike = START,
    data: Dataset | None = None,
) -> Sweep:
    """Gradient descent at ``fraction * 2/lambda_max`` for each fraction.

    >>> s = lr_sweep()
    >>> [r.outcome for r in s.runs]
    ['smooth', 'zigzag', 'oscillates', 'diverges']
    """
    d = perceptron_data() if data is None else data
    obj = perceptron_objective(d)
    q = quadratic_form(d)
    lam = float(q.eigenvalues[1])
    runs = []
    for fraction in fractions:
        if not np.isfinite(fraction) or fraction <= 0:
            raise LosslabError("error.learning_rate", value=fraction)
        lr = fraction * q.stability_limit
        traj = run(obj, gradient_descent(lr), init, steps=steps, tolerance=0.0)
        r = 1.0 - lr * lam
        outcome: Outcome
        if traj.meta["stop"] == "diverged" or r < -1 - 1e-9:
            outcome = "diverges"
        elif abs(r + 1) <= 1e-9:
            outcome = "oscillates"
        elif r < 0:
            outcome = "zigzag"
        else:
            outcome = "smooth"
        land = scan_plane(obj, box_axes(np.vstack([traj.params, q.minimum])))
        runs.append(SweepRun(float(fraction), lr, traj, land, outcome))
    return Sweep(
        runs=runs, stability_limit=q.stability_limit, minimum=q.minimum, min_loss=q.min_loss
    )


@dataclass(frozen=True, repr=False)
class MinibatchNoise(Summarised):
    """SGD with several batch sizes on the same noisy data, from the same start."""

    trajectories: Mapping[int, Trajectory]
    landscape: Landscape
    minimum: FloatArray
    n: int


def minibatch_noise(
    batch_sizes: Sequence[int | None] = (1, 4, None),
    learning_rate: float = MINIBATCH_LEARNING_RATE,
    steps: int = 150,
    init: ArrayLike = START,
    data: Dataset | None = None,
    seed: int = 0,
) -> MinibatchNoise:
    """SGD paths for each batch size (None = the full batch), seeded.

    >>> m = minibatch_noise()
    >>> sorted(m.trajectories)
    [1, 4, 21]
    """
    d = perceptron_data(noise=MINIBATCH_NOISE, seed=seed) if data is None else data
    obj = perceptron_objective(d)
    q = quadratic_form(d)
    trajectories: dict[int, Trajectory] = {}
    for size in batch_sizes:
        b = d.n if size is None else int(size)
        trajectories[b] = run(
            obj, sgd(learning_rate), init, steps=steps, batch_size=b, seed=seed, tolerance=0.0
        )
    axes = box_axes(np.vstack([*[t.params for t in trajectories.values()], q.minimum]))
    return MinibatchNoise(
        trajectories=trajectories,
        landscape=scan_plane(obj, axes),
        minimum=q.minimum,
        n=d.n,
    )


@dataclass(frozen=True, repr=False)
class TrainingRun(Summarised):
    """One optimizer training the perceptron, with what an animation of it needs."""

    data: Dataset
    trajectory: Trajectory
    landscape: Landscape
    minimum: FloatArray
    min_loss: float
    teacher_curve: tuple[FloatArray, FloatArray]
    predictions: FloatArray  # (T, 400): the model's line on the teacher curve's x, per step


def training_run(
    optimizer: str = "gd",
    learning_rate: float | None = LEARNING_RATE,
    steps: int = STEPS,
    init: ArrayLike = START,
    data: Dataset | None = None,
    batch_size: int | None = None,
    seed: int = 0,
) -> TrainingRun:
    """Train the perceptron with one optimizer and scan the landscape around its path.

    >>> r = training_run("momentum", 0.05, steps=40)
    >>> r.trajectory.params.shape, r.predictions.shape
    ((41, 2), (41, 400))
    """
    d = perceptron_data() if data is None else data
    obj = perceptron_objective(d)
    q = quadratic_form(d)
    opt = make_optimizer(optimizer, learning_rate)
    traj = run(obj, opt, init, steps=steps, batch_size=batch_size, seed=seed)
    xs, ts = reference_curve(d)  # the teacher, or the least-squares line of measured data
    return TrainingRun(
        data=d,
        trajectory=traj,
        landscape=scan_plane(obj, box_axes(np.vstack([traj.params, q.minimum]))),
        minimum=q.minimum,
        min_loss=q.min_loss,
        teacher_curve=(xs, ts),
        predictions=obj.model.predict(traj.params, xs),
    )
