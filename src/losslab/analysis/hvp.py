"""Hessian-vector products ``H v`` of any losslab problem, and its named parameter blocks.

A problem that offers curvature has the capability ``hvp(params, v)`` (see
:mod:`losslab.core.problem`): the perceptron and any linear model under the mean
squared error give their exact, constant Hessian (``(2/n) [[Sxx, Sx], [Sx, n]]`` for
the perceptron), the numpy MLP Pearlmutter's R-operator (:mod:`losslab.core.mlp_hvp`),
a :class:`~losslab.core.objective.QuadraticBowl` its matrix, a PyTorch problem
``torch.func``. This module only calls it; a problem without one is an error that says
so (no silent finite differences).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.errors import LosslabError

FloatArray = NDArray[np.float64]
Hvp = Callable[[FloatArray], FloatArray]


def hvp_function(problem: object, params: ArrayLike) -> Hvp:
    """``v -> H v`` (P,) -> (P,) at ``params`` (P,): the problem's own ``hvp``, bound to
    ``params``; a LosslabError when the problem has none.

    >>> from losslab.core.objective import book_ch6_function
    >>> hvp_function(book_ch6_function(), [1.0, 1.0])(np.array([1.0, 1.0])).tolist()
    [0.1, 2.0]
    """
    p = np.asarray(params, dtype=np.float64)
    own = getattr(problem, "hvp", None)
    if not callable(own):
        raise LosslabError("curvature.error_problem", kind=type(problem).__name__)
    return lambda v: np.asarray(own(p, v), dtype=np.float64)


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
