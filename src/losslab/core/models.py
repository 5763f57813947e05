"""Models: ``predict(params, x)`` with exact derivatives with respect to ``params``.

Parameters are a flat float vector (P,); each model names its entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class Model(Protocol):
    """What the objective needs of a model."""

    @property
    def param_names(self) -> tuple[str, ...]: ...

    def predict(self, params: FloatArray, x: FloatArray) -> FloatArray:
        """Predictions (..., n) for parameters (..., P) and inputs (n,)."""
        ...

    def vjp(self, params: FloatArray, x: FloatArray, grad_output: FloatArray) -> FloatArray:
        """Backpropagation: ``sum_i grad_output_i * d prediction_i / d params`` (P,)."""
        ...


@dataclass(frozen=True)
class Perceptron:
    """The perceptron ``y = w*x + b`` with one input and no activation.

    Parameters are ``[w, b]`` (slope, intercept). ``predict`` broadcasts over
    leading axes of ``params``, so many parameter points are evaluated at once.

    >>> Perceptron().predict(np.array([3.0, 2.0]), np.array([0.0, 1.0]))
    array([2., 5.])
    >>> Perceptron().predict(np.array([[3.0, 2.0], [2.0, 1.0]]), np.array([1.0]))
    array([[5.],
           [3.]])
    """

    @property
    def param_names(self) -> tuple[str, ...]:
        return ("w", "b")

    #: Predictions are linear in the parameters, so an MSE loss is quadratic.
    linear_in_params: bool = True

    def predict(self, params: FloatArray, x: FloatArray) -> FloatArray:
        p = np.asarray(params, dtype=np.float64)
        w = p[..., 0, np.newaxis]
        b = p[..., 1, np.newaxis]
        return np.asarray(w * x + b, dtype=np.float64)

    def jacobian(self, params: FloatArray, x: FloatArray) -> FloatArray:
        """d prediction_i / d (w, b), shape (n, 2): the columns x and 1."""
        return np.stack([x, np.ones_like(x)], axis=1)

    def vjp(self, params: FloatArray, x: FloatArray, grad_output: FloatArray) -> FloatArray:
        return self.jacobian(params, x).T @ grad_output
