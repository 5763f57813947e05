"""The objective: a model, a loss and data bound into ``loss(params)`` and ``gradient(params)``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.data import Dataset
from losslab.losses import Loss, MeanSquaredError
from losslab.models import Model, Perceptron

FloatArray = NDArray[np.float64]

#: Floats held at once by a batched evaluation (about 64 MB); larger work is chunked.
CHUNK_FLOATS = 8_000_000


@dataclass(frozen=True)
class Objective:
    """``loss(params) = loss(model.predict(params, data.x), data.t)``.

    >>> from losslab.data import teacher_data
    >>> obj = Objective(Perceptron(), MeanSquaredError(), teacher_data("2*x + 1", "0:1:2"))
    >>> float(obj.loss([3.0, 2.0]))  # predictions (2, 5) against targets (1, 3)
    2.5
    """

    model: Model
    loss_fn: Loss
    data: Dataset

    def loss(self, params: ArrayLike) -> float:
        """The loss at one parameter vector (P,)."""
        p = np.asarray(params, dtype=np.float64)
        return float(self.loss_fn.value(self.model.predict(p, self.data.x), self.data.t))

    def gradient(self, params: ArrayLike) -> FloatArray:
        """d loss / d params (P,), by the chain rule: ``J^T (d loss / d prediction)``."""
        p = np.asarray(params, dtype=np.float64)
        prediction = self.model.predict(p, self.data.x)
        return self.model.jacobian(p, self.data.x).T @ self.loss_fn.gradient(
            prediction, self.data.t
        )

    def loss_batch(self, points: ArrayLike) -> FloatArray:
        """The loss at many parameter points (m, P) -> (m,), in memory-bounded chunks."""
        pts = np.asarray(points, dtype=np.float64)
        out = np.empty(pts.shape[0])
        chunk = max(1, CHUNK_FLOATS // max(1, self.data.n))
        for start in range(0, pts.shape[0], chunk):
            block = pts[start : start + chunk]
            out[start : start + chunk] = self.loss_fn.value(
                self.model.predict(block, self.data.x), self.data.t
            )
        return out

    @property
    def is_linear_mse(self) -> bool:
        """True when the loss is an exact quadratic in the parameters."""
        return bool(getattr(self.model, "linear_in_params", False)) and isinstance(
            self.loss_fn, MeanSquaredError
        )


def perceptron_objective(data: Dataset) -> Objective:
    """The walk-through's objective: the perceptron with the mean squared error."""
    return Objective(Perceptron(), MeanSquaredError(), data)
