"""Losses: ``(prediction, target) -> value`` and the gradient with respect to the prediction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class Loss(Protocol):
    """What the objective needs of a loss."""

    @property
    def name(self) -> str: ...

    def value(self, prediction: FloatArray, target: FloatArray) -> FloatArray:
        """The loss over the last axis: predictions (..., n), targets (n,) -> (...)."""
        ...

    def gradient(self, prediction: FloatArray, target: FloatArray) -> FloatArray:
        """d loss / d prediction_i, shape (n,), for one prediction vector (n,)."""
        ...


@dataclass(frozen=True)
class MeanSquaredError:
    """``loss = (1/n) * sum_i (t_i - y_i)^2``, the mean squared error.

    >>> MeanSquaredError().value(np.array([2.0, 5.0]), np.array([1.0, 3.0]))
    array(2.5)
    """

    @property
    def name(self) -> str:
        return "mse"

    def value(self, prediction: FloatArray, target: FloatArray) -> FloatArray:
        return np.asarray(np.mean((target - prediction) ** 2, axis=-1))

    def gradient(self, prediction: FloatArray, target: FloatArray) -> FloatArray:
        return np.asarray(2.0 * (prediction - target) / prediction.shape[-1])
