"""Mode connectivity: are two trained networks joined by a path of low loss?

The straight line between two minima of a network usually crosses a barrier; a curve
with one trained bend often does not (Garipov et al. 2018; Draxler et al. 2018).
:func:`connect` computes, for any :class:`~losslab.core.problem.Problem` and two of its
parameter vectors, the line's profile, a trained curve's profile, a nudged elastic
band's profile (optional) and the plane through the ends and the bend with the curve
on it; :func:`train_pair` trains the two networks of a numpy objective from two seeds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.core.mlp import MLP
from losslab.core.objective import Objective
from losslab.core.problem import Problem
from losslab.core.summary import Summarised
from losslab.defaults import NETWORK_LEARNING_RATE
from losslab.errors import LosslabError
from losslab.landscape.connect import (
    PROFILE_POINTS,
    CurveKind,
    CurvePlane,
    Metric,
    PathProfile,
    curve_plane,
    make_curve,
    path_profile,
)
from losslab.lessons.networks import accuracy
from losslab.optim.connect import CURVE_STEPS, CurveFit, fit_curve, nudged_elastic_band
from losslab.optim.loop import run
from losslab.optim.rules import make_optimizer
from losslab.optim.trajectory import Trajectory

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, repr=False)
class Connection(Summarised):
    """Two networks and the paths between them.

    ``line`` is the straight line's profile, ``curve`` the trained curve's (``fit`` holds
    its training record), ``neb`` the elastic band's (or None), ``plane`` the plane
    through the two ends and the curve's bend with the curve on it (or None).
    """

    line: PathProfile
    curve: PathProfile
    fit: CurveFit
    neb: PathProfile | None = None
    neb_fit: CurveFit | None = None
    plane: CurvePlane | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def summary_rows(self) -> list[tuple[str, Any]]:
        rows: list[tuple[str, Any]] = [
            ("params", self.line.curve.nodes.shape[1]),
            ("line_barrier", self.line.barrier),
            (f"{self.curve.curve.kind}_barrier", self.curve.barrier),
        ]
        if self.neb is not None:
            rows.append(("neb_barrier", self.neb.barrier))
        return rows

    def profiles(self) -> dict[str, PathProfile]:
        """The profiles by name: ``line``, the curve's kind, and ``neb`` if there is one."""
        out: dict[str, PathProfile] = {"line": self.line, self.curve.curve.kind: self.curve}
        if self.neb is not None:
            out["neb"] = self.neb
        return out


def accuracy_metric(problem: Problem) -> Metric | None:
    """The accuracy at one parameter vector, for a problem with labels; else None.

    A numpy objective has labels under a classification loss (``bce``, ``softmax-ce``);
    another problem may offer ``accuracy(params)`` itself (the PyTorch adapter does).
    """
    if isinstance(problem, Objective):
        if problem.loss_fn.name in ("bce", "softmax-ce"):
            return partial(_objective_accuracy, problem)
        return None
    method = getattr(problem, "accuracy", None)
    return method if callable(method) else None


def _objective_accuracy(objective: Objective, params: FloatArray) -> float:
    value = accuracy(objective, params)
    return float("nan") if value is None else value


def connect(
    problem: Problem,
    start: ArrayLike,
    end: ArrayLike,
    curve: CurveKind = "bezier",
    bends: int = 1,
    steps: int = CURVE_STEPS,
    optimizer: str = "adam",
    learning_rate: float | None = NETWORK_LEARNING_RATE,
    seed: int = 0,
    samples: int = 1,
    batch_size: int | None = None,
    neb_pivots: int = 3,
    neb_steps: int | None = None,
    spring: float = 1.0,
    points: int = PROFILE_POINTS,
    plane_points: int | None = 41,
    metric: Metric | str | None = "auto",
    **engine: Any,
) -> Connection:
    """Connect two parameter vectors (P,) of ``problem``: line, trained curve, elastic band.

    The curve (``bezier`` or ``polychain`` with ``bends`` bends, starting on the line)
    is trained for ``steps`` updates of ``optimizer`` (:func:`~losslab.optim.connect.
    fit_curve`); ``neb_pivots`` > 0 adds a nudged elastic band of that many pivots
    (``neb_steps``, default ``steps``). Each profile has ``points`` points from t = 0
    to 1; ``plane_points`` (None: no plane) is the size of the plane's grid, scanned
    with ``engine`` (``executor``, ``progress``). ``metric`` is a function of one
    parameter vector (the accuracy), ``"auto"`` to take it from the problem's labels
    (:func:`accuracy_metric`), or None.

    >>> from losslab.core.objective import QuadraticBowl
    >>> bowl = QuadraticBowl(np.diag([1.0, 4.0]), np.zeros(2))
    >>> c = connect(bowl, [-1.0, 0.0], [1.0, 0.0], steps=50, neb_pivots=0, plane_points=None)
    >>> round(c.line.barrier, 12), c.curve.barrier <= 1e-12
    (0.0, True)
    """
    line = make_curve(start, end, "line")
    if curve not in ("bezier", "polychain"):
        raise LosslabError("connect.error_kind", name=curve, names="bezier, polychain")
    if int(bends) != bends or bends < 1:
        raise LosslabError("connect.error_no_bends", kind=curve)
    chosen = accuracy_metric(problem) if metric == "auto" else metric
    assert chosen is None or callable(chosen)
    if len(problem.param_names) != line.nodes.shape[1]:
        raise LosslabError("connect.error_problem", got=line.nodes.shape[1],
                           expected=len(problem.param_names))  # fmt: skip
    fit = fit_curve(problem, make_curve(start, end, curve, bends), steps, optimizer,
                    learning_rate, seed, samples, batch_size)  # fmt: skip
    line_profile = path_profile(problem, line, points, chosen, {"trained": None})
    curve_profile = path_profile(problem, fit.curve, points, chosen, fit.meta)
    neb = neb_fit = None
    if neb_pivots:
        neb_fit = nudged_elastic_band(
            problem, line.start, line.end, neb_pivots, steps if neb_steps is None else neb_steps,
            optimizer, learning_rate, spring, batch_size=batch_size, seed=seed,
        )  # fmt: skip
        neb = path_profile(problem, neb_fit.curve, points, chosen, neb_fit.meta)
    plane = None
    if plane_points is not None:
        plane = curve_plane(problem, fit.curve, plane_points, seed=seed, **engine)
    meta = {
        "curve": curve,
        "bends": int(bends),
        "distance": float(np.linalg.norm(line.end - line.start)),
    }
    return Connection(line_profile, curve_profile, fit, neb, neb_fit, plane, meta)


def train_pair(
    objective: Objective,
    seeds: tuple[int, int] = (0, 1),
    optimizer: str = "adam",
    learning_rate: float | None = NETWORK_LEARNING_RATE,
    steps: int = 500,
    batch_size: int | None = None,
) -> tuple[Trajectory, Trajectory]:
    """Train the objective's network twice, from the seeded starts ``seeds``: two minima."""
    model = objective.model
    if not isinstance(model, MLP):
        raise LosslabError("connect.error_model")
    out = []
    for seed in seeds:
        opt = make_optimizer(optimizer, learning_rate)
        out.append(run(objective, opt, model.init_params(seed), steps=steps, tolerance=0,
                       batch_size=batch_size, seed=seed))  # fmt: skip
    return out[0], out[1]
