"""Hessian-vector products ``H v`` of any losslab problem, and its named parameter blocks.

One function, :func:`hessian_vector_product`, serves every problem: a problem
with its own ``hvp(params, v)`` method uses it; the perceptron (and any model
linear in its parameters) under the mean squared error uses its exact,
constant Hessian ``(2/n) [[Sxx, Sx], [Sx, n]]``; the numpy MLP uses the
R-operator of :mod:`losslab.core.mlp_hvp`; a :class:`~losslab.core.objective.QuadraticBowl`
its matrix. Everything else is an error that says so (no silent finite differences).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.analysis.quadratic import quadratic_form
from losslab.core.losses import MeanSquaredError
from losslab.core.mlp import MLP
from losslab.core.mlp_hvp import mlp_hvp
from losslab.core.models import Perceptron
from losslab.core.objective import Objective, QuadraticBowl
from losslab.errors import LosslabError

FloatArray = NDArray[np.float64]
Hvp = Callable[[FloatArray], FloatArray]


def linear_mse_hessian(problem: Objective) -> FloatArray:
    """The constant Hessian (P, P) of a model linear in its parameters under the MSE.

    For the perceptron it is the quadratic form's ``(2/n) [[Sxx, Sx], [Sx, n]]``;
    for a linear MLP ``(d, 1)`` it is ``(2/n) A^T A`` with ``A = [X, 1]`` (n, d + 1).

    >>> from losslab.core.data import teacher_data
    >>> from losslab.core.objective import perceptron_objective
    >>> linear_mse_hessian(perceptron_objective(teacher_data("2*x + 1", "0:1:2"))).tolist()
    [[1.0, 1.0], [1.0, 2.0]]
    """
    model, data = problem.model, problem.data
    if isinstance(model, Perceptron):
        return quadratic_form(data).hessian
    if isinstance(model, MLP) and model.linear_in_params and model.sizes[-1] == 1:
        x = data.x[:, np.newaxis] if data.x.ndim == 1 else data.x
        design = np.column_stack([x, np.ones(data.n)])
        return np.asarray((2.0 / data.n) * design.T @ design)
    raise LosslabError("curvature.error_problem", kind=type(model).__name__)


def hvp_function(problem: object, params: ArrayLike) -> Hvp:
    """``v -> H v`` (P,) -> (P,) at ``params`` (P,), the Hessian of ``problem.loss``.

    >>> from losslab.core.objective import book_ch6_function
    >>> hvp_function(book_ch6_function(), [1.0, 1.0])(np.array([1.0, 1.0])).tolist()
    [0.1, 2.0]
    """
    p = np.asarray(params, dtype=np.float64)
    own = getattr(problem, "hvp", None)
    if callable(own):
        return lambda v: np.asarray(own(p, v), dtype=np.float64)
    if isinstance(problem, QuadraticBowl):
        return lambda v: np.asarray(problem.hessian @ v)
    if isinstance(problem, Objective):
        linear = getattr(problem.model, "linear_in_params", False)
        if linear and isinstance(problem.loss_fn, MeanSquaredError):
            hessian = linear_mse_hessian(problem) if p.size else np.zeros((0, 0))
            return lambda v: np.asarray(hessian @ v)
        if isinstance(problem.model, MLP):
            net, loss, data = problem.model, problem.loss_fn, problem.data
            return lambda v: mlp_hvp(net, loss, p, np.asarray(v, np.float64), data.x, data.t)
    raise LosslabError("curvature.error_problem", kind=type(problem).__name__)


def hessian_vector_product(problem: object, params: ArrayLike, v: ArrayLike) -> FloatArray:
    """``H v`` (P,) for the Hessian of ``problem``'s loss at ``params`` (P,).

    >>> from losslab.core.data import teacher_data
    >>> from losslab.core.objective import perceptron_objective
    >>> obj = perceptron_objective(teacher_data("2*x + 1", "0:1:2"))
    >>> hessian_vector_product(obj, [3.0, 2.0], [1.0, 0.0]).tolist()
    [1.0, 1.0]
    """
    return hvp_function(problem, params)(np.asarray(v, dtype=np.float64))


def param_blocks(names: tuple[str, ...] | list[str]) -> dict[str, slice]:
    """Named parameter blocks from parameter names: ``layer1.W[0,1]`` belongs to ``layer1.W``.

    Consecutive names with the same stem form one block; a name without
    brackets (``w``, ``b``, ``0.weight``) is a block of its own.

    >>> param_blocks(["layer1.W[0,0]", "layer1.W[0,1]", "layer1.b[0]", "w"])
    {'layer1.W': slice(0, 2, None), 'layer1.b': slice(2, 3, None), 'w': slice(3, 4, None)}
    """
    out: dict[str, slice] = {}
    start = 0
    stems = [re.sub(r"\[.*\]$", "", name) for name in names]
    for k, stem in enumerate(stems):
        if k + 1 == len(stems) or stems[k + 1] != stem:
            out[stem] = slice(start, k + 1)
            start = k + 1
    return out
