"""Gradient check: backpropagation against central differences, as in the book's chapter 5."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.core.objective import Objective

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class GradientCheck:
    """Analytic (backprop) and numeric gradients (P,), and their largest relative difference.

    The relative difference of one entry is ``|a - g| / max(|a|, |g|, scale)``
    where ``scale`` (1e-4 times the largest gradient entry, at least 1e-12)
    keeps entries that are both near zero from dividing by zero.
    """

    analytic: FloatArray
    numeric: FloatArray
    names: tuple[str, ...]
    max_relative: float
    worst: str


def gradient_check(objective: Objective, params: ArrayLike, step: float = 1e-5) -> GradientCheck:
    """Compare ``objective.gradient`` with ``(L(p + h e_i) - L(p - h e_i)) / 2h`` for every i.

    >>> from losslab.core.data import teacher_data
    >>> from losslab.core.objective import perceptron_objective
    >>> check = gradient_check(perceptron_objective(teacher_data()), [3.0, 2.0])
    >>> check.max_relative < 1e-8
    True
    """
    p = np.asarray(params, dtype=np.float64)
    analytic = objective.gradient(p)
    numeric = np.empty_like(p)
    for i in range(p.size):
        e = np.zeros_like(p)
        e[i] = step
        numeric[i] = (objective.loss(p + e) - objective.loss(p - e)) / (2 * step)
    scale = max(1e-12, 1e-4 * float(np.max(np.abs(analytic), initial=0.0)))
    denominator = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), scale)
    relative = np.abs(analytic - numeric) / denominator
    k = int(np.argmax(relative))
    names = tuple(objective.param_names)
    return GradientCheck(analytic, numeric, names, float(relative[k]), names[k])
