"""Data: arrays ``(x, t)`` from a safely parsed teacher expression.

A teacher expression such as ``"2*x + 1"`` is parsed with :mod:`ast` and
checked against a whitelist (numbers, ``x``, ``+ - * / **``, parentheses and a
few numpy functions). It is then evaluated by walking the checked tree:
user text never reaches :func:`eval`.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.defaults import MAX_AXIS_POINTS, SAMPLES, TEACHER
from losslab.errors import LosslabError

FloatArray = NDArray[np.float64]

#: Functions a teacher expression may call, by name.
FUNCTIONS: Mapping[str, Callable[[FloatArray], FloatArray]] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "arcsin": np.arcsin,
    "arccos": np.arccos,
    "arctan": np.arctan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "tanh": np.tanh,
    "exp": np.exp,
    "log": np.log,
    "log2": np.log2,
    "log10": np.log10,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sign": np.sign,
    "floor": np.floor,
    "ceil": np.ceil,
}
#: Names a teacher expression may use besides ``x``.
CONSTANTS: Mapping[str, float] = {"pi": math.pi, "e": math.e}

_BINARY: Mapping[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_UNARY: Mapping[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}
MAX_EXPRESSION_LENGTH = 200
MAX_SAMPLES = 1_000_000
#: The largest size of a number in x ranges, grids, start points and noise levels: the
#: loss squares sums of products of them, which overflow floats (1.8e308) far beyond it.
MAX_MAGNITUDE = 1e15
#: The largest size of a teacher value: n * t^2 stays finite for up to 10^6 samples.
MAX_TEACHER_VALUE = 1e150
#: A grid narrower than this (relative to the size of its ends, or 1) has neighbouring
#: points whose losses round to the same float.
MIN_GRID_SPAN = 1e-9
#: Figures draw at most this many data points (see :meth:`Dataset.drawn`).
MAX_DRAWN = 4000
#: Seeds are whole numbers from 0 to this (numpy's SeedSequence takes any of them).
MAX_SEED = 2**64 - 1


@dataclass(frozen=True)
class Expression:
    """A checked teacher expression in ``x``; call it on an array of x.

    >>> f = parse_expression("2*x + 1")
    >>> f(np.array([0.0, 1.0]))
    array([1., 3.])
    """

    text: str
    tree: ast.Expression = field(repr=False, compare=False)

    def __call__(self, x: ArrayLike) -> FloatArray:
        xs = np.asarray(x, dtype=np.float64)
        with np.errstate(all="ignore"):
            value = _evaluate(self.tree.body, xs)
        return np.broadcast_to(np.asarray(value, dtype=np.float64), xs.shape).copy()


def _evaluate(node: ast.AST, x: FloatArray) -> Any:
    """Evaluate a tree that :func:`parse_expression` has already checked."""
    if isinstance(node, ast.Constant):
        return np.float64(float(node.value))  # type: ignore[arg-type]  # checked: int | float
    if isinstance(node, ast.Name):
        return x if node.id == "x" else np.float64(CONSTANTS[node.id])
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_evaluate(node.left, x), _evaluate(node.right, x))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_evaluate(node.operand, x))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return FUNCTIONS[node.func.id](_evaluate(node.args[0], x))
    raise AssertionError(f"unchecked node {type(node).__name__}")  # pragma: no cover


def _check(node: ast.AST, text: str) -> None:
    """Raise LosslabError unless every node of the tree is whitelisted."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise LosslabError("error.expr_token", expr=text, token=repr(node.value))
        return
    if isinstance(node, ast.Name):
        if node.id != "x" and node.id not in CONSTANTS:
            raise LosslabError("error.expr_name", expr=text, name=node.id)
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check(node.left, text)
        _check(node.right, text)
        return
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        _check(node.operand, text)
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise LosslabError("error.expr_name", expr=text, name=name)
        if len(node.args) != 1 or node.keywords:
            raise LosslabError("error.expr_arity", expr=text, name=node.func.id)
        _check(node.args[0], text)
        return
    raise LosslabError("error.expr_token", expr=text, token=type(node).__name__)


def parse_expression(text: str) -> Expression:
    """Parse a teacher expression in ``x`` against the whitelist.

    Allowed: numbers, ``x``, ``pi``, ``e``, ``+ - * / **``, parentheses and the
    functions in :data:`FUNCTIONS`. Anything else raises :class:`LosslabError`.

    >>> parse_expression("sin(x) + 0.5*x**2").text
    'sin(x) + 0.5*x**2'
    >>> parse_expression("__import__('os')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    losslab.errors.LosslabError: The expression ... uses '__import__', which is not allowed: ...
    """
    if not isinstance(text, str) or not text.strip():
        raise LosslabError("error.expr_empty")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise LosslabError("error.expr_long", limit=MAX_EXPRESSION_LENGTH)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError):
        raise LosslabError("error.expr_syntax", expr=text) from None
    _check(tree.body, text)
    return Expression(text=text.strip(), tree=tree)


def _floats(spec: str, count: int, key: str, sep: str = ":") -> list[float]:
    """``count`` finite numbers separated by ``sep``, each at most MAX_MAGNITUDE in size."""
    parts = [p.strip() for p in str(spec).split(sep)]
    if len(parts) != count:
        raise LosslabError(key, spec=spec)
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise LosslabError(key, spec=spec) from None
    if not all(math.isfinite(v) for v in values):
        raise LosslabError(key, spec=spec)
    if any(abs(v) > MAX_MAGNITUDE for v in values):
        raise LosslabError("error.magnitude", spec=spec, limit=MAX_MAGNITUDE)
    return values


def _count_text(count: float) -> str:
    """A point count for a message: ``12,345``, or ``1e+320`` for an absurd one."""
    return f"{count:,.0f}" if count < 1e15 else f"{count:.3g}"


def check_seed(seed: object) -> int:
    """The seed as an int, or LosslabError unless it is a whole number from 0 to 2^64 - 1.

    >>> check_seed(7)
    7
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise LosslabError("error.seed", value=seed, limit=MAX_SEED)
    if not 0 <= int(seed) <= MAX_SEED:
        raise LosslabError("error.seed", value=seed, limit=MAX_SEED)
    return int(seed)


def check_noise(noise: object) -> float:
    """The noise level as a float, or LosslabError unless it is from 0 to MAX_MAGNITUDE.

    >>> check_noise(0.5)
    0.5
    """
    try:
        level = float(noise)  # type: ignore[arg-type]  # anything float() takes
    except (TypeError, ValueError, OverflowError):
        raise LosslabError("error.noise", noise=noise) from None
    if not (math.isfinite(level) and 0.0 <= level <= MAX_MAGNITUDE):
        raise LosslabError("error.noise", noise=noise)
    return level + 0.0  # -0.0 -> 0.0, which numpy's normal() takes


def parse_samples(spec: str) -> FloatArray:
    """``"start:stop:count"`` -> ``count`` evenly spaced x, both ends included.

    >>> parse_samples("-1:3:5")
    array([-1.,  0.,  1.,  2.,  3.])
    """
    start, stop, count = _floats(spec, 3, "error.samples")
    if count != int(count) or count < 1 or count > MAX_SAMPLES or start > stop:
        raise LosslabError("error.samples", spec=spec)
    return np.linspace(start, stop, int(count))


def parse_grid_axis(spec: str, max_points: int = MAX_AXIS_POINTS["perceptron"]) -> FloatArray:
    """``"start:stop:step"`` -> the grid coordinates start, start+step, ..., stop.

    >>> parse_grid_axis("-1:1:0.5")
    array([-1. , -0.5,  0. ,  0.5,  1. ])
    """
    start, stop, step = _floats(spec, 3, "error.grid")
    if step <= 0 or start >= stop:
        raise LosslabError("error.grid_empty", spec=spec)
    span = stop - start
    if span < MIN_GRID_SPAN * max(1.0, abs(start), abs(stop)):
        raise LosslabError("error.grid_narrow", spec=spec, limit=MIN_GRID_SPAN)
    count = span / step  # may be inf for a subnormal step; checked before any allocation
    if count + 1 > max_points:
        raise LosslabError(
            "error.grid_large", spec=spec, count=_count_text(count + 1), limit=max_points
        )
    if abs(count - round(count)) > 1e-9 * max(1.0, count):
        raise LosslabError("error.grid_step", spec=spec)
    return np.linspace(start, stop, round(count) + 1)


def parse_point(spec: str) -> FloatArray:
    """``"w,b"`` -> ``array([w, b])``.

    >>> parse_point("3,2")
    array([3., 2.])
    """
    return np.array(_floats(spec, 2, "error.point", sep=","))


@dataclass(frozen=True)
class Dataset:
    """Inputs ``x`` (n,) and targets ``t`` (n,), with where they came from.

    ``teacher`` is the parsed teacher expression when the data came from one (so no
    one parses its text again); ``cache`` holds what is computed from the data once
    (its quadratic form, see :func:`losslab.analysis.quadratic.quadratic_form`).
    """

    x: FloatArray
    t: FloatArray
    meta: Mapping[str, Any] = field(default_factory=dict)
    teacher: Expression | None = field(default=None, repr=False, compare=False)
    cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def n(self) -> int:
        """The number of samples."""
        return int(self.x.shape[0])

    def drawn(self, limit: int = MAX_DRAWN) -> tuple[FloatArray, FloatArray]:
        """At most ``limit`` samples ``(x, t)``, evenly spread over the data, for a figure.

        A million markers show nothing a few thousand do not; every computation uses all.

        >>> d = Dataset(np.arange(10.0), np.arange(10.0))
        >>> d.drawn(limit=4)[0].tolist()
        [0.0, 3.0, 6.0, 9.0]
        """
        if self.n <= limit:
            return self.x, self.t
        rows = np.unique(np.linspace(0, self.n - 1, limit).round().astype(np.intp))
        return self.x[rows], self.t[rows]


DEFAULT_TEACHER = TEACHER
DEFAULT_SAMPLES = SAMPLES


def teacher_data(
    teacher: str | Expression = DEFAULT_TEACHER,
    x: ArrayLike | str = DEFAULT_SAMPLES,
    noise: float = 0.0,
    seed: int = 0,
) -> Dataset:
    """Samples of a teacher function, optionally with Gaussian noise on the targets.

    ``x`` is an array or a ``"start:stop:count"`` spec; ``noise`` is the standard
    deviation of the noise, drawn from ``numpy.random.default_rng(seed)``.

    >>> d = teacher_data("2*x + 1", "-1:3:21")
    >>> d.n, d.t[0], d.t[-1]
    (21, np.float64(-1.0), np.float64(7.0))
    """
    expr = parse_expression(teacher) if isinstance(teacher, str) else teacher
    xs = parse_samples(x) if isinstance(x, str) else _as_samples(x)
    level, seed = check_noise(noise), check_seed(seed)
    t = expr(xs)
    bad = ~np.isfinite(t)
    if bad.any():
        raise LosslabError("error.teacher_nonfinite", expr=expr.text, x=float(xs[bad][0]))
    big = np.abs(t) > MAX_TEACHER_VALUE
    if big.any():
        k = int(np.argmax(big))
        raise LosslabError("error.teacher_large", expr=expr.text, x=float(xs[k]),
                           value=float(t[k]), limit=MAX_TEACHER_VALUE)  # fmt: skip
    if level > 0:
        t = t + np.random.default_rng(seed).normal(0.0, level, size=t.shape)
    meta = {"teacher": expr.text, "noise": level, "seed": seed}
    return Dataset(x=xs, t=t, meta=meta, teacher=expr)


def _as_samples(x: ArrayLike) -> FloatArray:
    """Given x values (n,): finite, at most MAX_MAGNITUDE in size, 1 to MAX_SAMPLES of them."""
    try:
        xs = np.asarray(x, dtype=np.float64).ravel()
    except (TypeError, ValueError, OverflowError):
        raise LosslabError("error.x_nonfinite") from None
    if not 1 <= xs.size <= MAX_SAMPLES:
        raise LosslabError("error.samples", spec=f"{xs.size} values")
    if not np.all(np.isfinite(xs)):
        raise LosslabError("error.x_nonfinite")
    if np.max(np.abs(xs)) > MAX_MAGNITUDE:
        raise LosslabError("error.magnitude", spec="x", limit=MAX_MAGNITUDE)
    return xs


def teacher_curve(
    teacher: Expression, x: FloatArray, points: int = 400
) -> tuple[FloatArray, FloatArray]:
    """The teacher sampled densely over the span of ``x`` (10% margin where it is defined).

    >>> xs, ts = teacher_curve(parse_expression("2*x + 1"), np.array([0.0, 1.0]), points=3)
    >>> xs.round(12).tolist(), ts.round(12).tolist()
    ([-0.1, 0.5, 1.1], [0.8, 2.0, 3.2])
    """
    lo, hi = float(np.min(x)), float(np.max(x))
    pad = 0.1 * (hi - lo) if hi > lo else 1.0
    for a, b in ((lo - pad, hi + pad), (lo, hi)):
        xs = np.linspace(a, b, points)
        ts = teacher(xs)
        if np.all(np.isfinite(ts)):
            return xs, ts
    raise LosslabError("error.teacher_nonfinite", expr=teacher.text, x=lo)
