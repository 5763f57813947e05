"""The automatic span: how far along a direction to scan so that the plane's edge shows a
given rise of the loss (``--span auto``), instead of a fixed span that shows either a
flat sheet or a wall.

A probe along the line ``origin + t * direction`` (through the engine, :func:`scan_line`)
finds the smallest ``t > 0`` at which the loss on either side, ``max(L(+t), L(-t))``,
reaches the target: ``factor`` times the loss at the centre (10 by default), or a set
``ceiling``. A doubling ladder from ``limit * 2**-30`` up to ``limit`` brackets it, and a
few rounds of four-way bisection narrow the bracket to ``rtol``. A direction along which
the loss never reaches the target within ``limit`` (a flat direction) gets ``limit``, and
the choice says so (``reached=False``).

>>> rule = parse_span("auto:4x")
>>> rule.factor, rule.ceiling, parse_span("0.5"), parse_span("auto:2.5").ceiling
(4.0, None, 0.5, 2.5)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.core.problem import Problem, ProblemSpec
from losslab.defaults import AUTO_SPAN_LIMIT, AUTO_SPAN_RISE
from losslab.errors import LosslabError
from losslab.i18n import Lang, tr
from losslab.landscape.scan import scan_line

FloatArray = NDArray[np.float64]

#: The largest fixed span (the parameters' own magnitude limit, as the CSV reader's).
MAX_SPAN = 1e15
#: Doublings of the probe's ladder below ``limit`` (its first point is limit * 2**-30).
LADDER = 30
#: Points inside the bracket per round of the search (each round cuts it to a fifth).
ROUND_POINTS = 4


@dataclass(frozen=True)
class AutoSpan:
    """The rule of an automatic span: the loss to reach at the edge, and how far to look.

    The target is ``ceiling`` when given, else ``factor`` times the loss at the centre.
    """

    factor: float = AUTO_SPAN_RISE
    ceiling: float | None = None
    limit: float = AUTO_SPAN_LIMIT
    rtol: float = 1e-6

    def target(self, centre_loss: float) -> float:
        """The loss the edge should show."""
        return self.ceiling if self.ceiling is not None else self.factor * centre_loss

    def label(self, lang: Lang = "en") -> str:
        """What the rule asks for, in words (for a figure's title)."""
        if self.ceiling is not None:
            return tr("fig.span_ceiling", lang, ceiling=self.ceiling)
        return tr("fig.span_factor", lang, factor=self.factor)


_AUTO = re.compile(r"^auto(?::(?P<value>[^x]+)(?P<x>x)?)?$")


def parse_span(text: str | float) -> float | AutoSpan:
    """A fixed span (a positive number) or an automatic one: ``auto`` (10x the centre's
    loss), ``auto:4x`` (another factor above 1), ``auto:2.5`` (a ceiling: the loss 2.5).

    One sentence (LosslabError) for anything else.
    """
    raw = str(text).strip().lower()
    match = _AUTO.match(raw)
    if match is None:
        try:
            value = float(raw)
        except ValueError:
            raise LosslabError("error.span", value=text) from None
        if not (np.isfinite(value) and 0 < value <= MAX_SPAN):
            raise LosslabError("error.span", value=text)
        return value
    if match.group("value") is None:
        return AutoSpan()
    try:
        value = float(match.group("value"))
    except ValueError:
        raise LosslabError("error.span", value=text) from None
    if match.group("x"):
        if not (np.isfinite(value) and 1 < value <= MAX_SPAN):
            raise LosslabError("error.span", value=text)
        return AutoSpan(factor=value)
    if not (np.isfinite(value) and -MAX_SPAN <= value <= MAX_SPAN):
        raise LosslabError("error.span", value=text)
    return AutoSpan(ceiling=value)


@dataclass(frozen=True)
class SpanChoice:
    """The half-width chosen along one direction, and what it rests on.

    ``span`` reaches ``target`` (to ``rtol``) when ``reached``; else it is the rule's
    ``limit`` and the loss stayed below the target all the way. ``evaluations`` counts
    the losses the probe computed.
    """

    span: float
    target: float
    centre_loss: float
    reached: bool
    evaluations: int


def _edge(problem: Problem | ProblemSpec, origin: FloatArray, direction: FloatArray,
          t: FloatArray, engine: dict[str, Any]) -> FloatArray:  # fmt: skip
    """``max(L(origin + t d), L(origin - t d))`` for each t (m,), through the engine;
    a loss that is not a number counts as reached (+inf)."""
    alphas = np.concatenate([t, -t])
    values = scan_line(problem, origin, origin + direction, alphas, **engine).values
    values = np.where(np.isfinite(values), values, np.inf)
    return np.asarray(np.maximum(values[: t.size], values[t.size :]))


def choose_span(
    problem: Problem | ProblemSpec,
    origin: ArrayLike,
    direction: ArrayLike,
    rule: AutoSpan | None = None,
    **engine: Any,
) -> SpanChoice:
    """The smallest ``t > 0`` where the loss at ``origin ± t * direction`` (P,) reaches the
    rule's target, found by a probe through :func:`scan_line` (``engine``: ``executor``...).

    >>> from losslab.core.data import teacher_data
    >>> from losslab.core.objective import perceptron_objective
    >>> obj = perceptron_objective(teacher_data("2*x + 1", "-1:3:21"))
    >>> choice = choose_span(obj, [2.0, 1.0], [1.0, 0.0], AutoSpan(ceiling=1.0))
    >>> round(choice.span, 5), choice.reached  # L = t^2 mean(x^2) = t^2 * 37/15 reaches 1
    (0.63671, True)
    """
    rule = AutoSpan() if rule is None else rule
    o = np.asarray(origin, dtype=np.float64).reshape(-1)
    d = np.asarray(direction, dtype=np.float64).reshape(-1)
    centre = float(scan_line(problem, o, o + d, np.zeros(1), **engine).values[0])
    target = rule.target(centre)
    if not (np.isfinite(centre) and target > centre):
        raise LosslabError("error.auto_span_target", target=target, loss=centre)
    ladder = rule.limit * 2.0 ** -np.arange(LADDER, -1, -1, dtype=np.float64)
    edge = _edge(problem, o, d, ladder, engine)
    count = 1 + 2 * ladder.size
    above = np.flatnonzero(edge >= target)
    if above.size == 0:
        return SpanChoice(float(rule.limit), target, centre, False, count)
    k = int(above[0])
    lo, hi = (0.0 if k == 0 else float(ladder[k - 1])), float(ladder[k])
    while hi - lo > rule.rtol * hi:
        t = np.linspace(lo, hi, ROUND_POINTS + 2)[1:-1]
        edge = _edge(problem, o, d, t, engine)
        count += 2 * t.size
        first = np.flatnonzero(edge >= target)
        j = int(first[0]) if first.size else t.size
        lo, hi = (lo if j == 0 else float(t[j - 1])), (hi if j == t.size else float(t[j]))
    return SpanChoice(hi, target, centre, True, count)


def auto_axes(
    problem: Problem | ProblemSpec,
    origin: ArrayLike,
    directions: ArrayLike,
    rule: AutoSpan,
    points: int,
    **engine: Any,
) -> tuple[tuple[FloatArray, ...], dict[str, Any]]:
    """Axes ``linspace(-s_k, s_k, points)`` for each direction (k, P), each ``s_k`` from
    :func:`choose_span`, and the record of the choice for a landscape's ``meta["span"]``."""
    choices = [choose_span(problem, origin, d, rule, **engine) for d in np.atleast_2d(directions)]
    axes = tuple(np.linspace(-c.span, c.span, int(points)) for c in choices)
    record = {
        "mode": "auto",
        "factor": rule.factor if rule.ceiling is None else None,
        "ceiling": rule.ceiling,
        "limit": rule.limit,
        "target": choices[0].target,
        "centre_loss": choices[0].centre_loss,
        "spans": [c.span for c in choices],
        "reached": [c.reached for c in choices],
        "evaluations": sum(c.evaluations for c in choices),
    }
    return axes, record


def span_title(record: Any, lang: Lang = "en") -> str:
    """One line for a figure's title saying how the span was chosen ('' for a fixed one).

    >>> span_title({"mode": "auto", "factor": 10.0, "ceiling": None, "limit": 1000.0,
    ...             "spans": [0.5, 1000.0], "reached": [True, False]})
    'span: auto, up to 10× the centre’s loss (±0.5, ±1e+03 = the maximum: not reached)'
    """
    if not isinstance(record, dict) or record.get("mode") != "auto":
        return ""
    rule = AutoSpan(record.get("factor") or AUTO_SPAN_RISE, record.get("ceiling"))
    parts = [
        tr("fig.span_value", lang, span=s) if ok else tr("fig.span_limit", lang, span=s)
        for s, ok in zip(record["spans"], record["reached"], strict=True)
    ]
    return tr("fig.span_auto", lang, rule=rule.label(lang), spans=", ".join(parts))
