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


@dataclass(frozen=True)
class MeanAbsoluteError:
    """``loss = (1/n) * sum_i |t_i - y_i|``; its gradient is ``sign(y - t)/n`` (0 at a tie).

    >>> MeanAbsoluteError().value(np.array([2.0, 5.0]), np.array([1.0, 3.0]))
    array(1.5)
    """

    @property
    def name(self) -> str:
        return "mae"

    def value(self, prediction: FloatArray, target: FloatArray) -> FloatArray:
        return np.asarray(np.mean(np.abs(target - prediction), axis=-1))

    def gradient(self, prediction: FloatArray, target: FloatArray) -> FloatArray:
        return np.asarray(np.sign(prediction - target) / prediction.shape[-1])


@dataclass(frozen=True)
class Huber:
    """Huber (1964): ``r^2/2`` for ``|r| <= delta``, else ``delta*(|r| - delta/2)``, averaged.

    >>> Huber(1.0).value(np.array([0.5, 3.0]), np.array([0.0, 0.0]))
    array(1.3125)
    """

    delta: float = 1.0

    @property
    def name(self) -> str:
        return "huber"

    def value(self, prediction: FloatArray, target: FloatArray) -> FloatArray:
        r = np.abs(prediction - target)
        d = self.delta
        return np.asarray(np.mean(np.where(r <= d, 0.5 * r * r, d * (r - 0.5 * d)), axis=-1))

    def gradient(self, prediction: FloatArray, target: FloatArray) -> FloatArray:
        r = prediction - target
        return np.asarray(np.clip(r, -self.delta, self.delta) / prediction.shape[-1])


@dataclass(frozen=True)
class BinaryCrossEntropy:
    """Binary cross-entropy of a sigmoid output, computed from the logit ``z``.

    ``loss = (1/n) sum_i [log(1 + e^{z_i}) - t_i z_i]`` = ``-mean(t log s + (1-t) log(1-s))``
    with ``s = sigmoid(z)``; the gradient is ``(s - t)/n``. With a linear model
    this is the logistic perceptron.

    >>> float(BinaryCrossEntropy().value(np.array([0.0]), np.array([1.0])))  # log 2
    0.6931471805599453
    """

    @property
    def name(self) -> str:
        return "bce"

    def value(self, prediction: FloatArray, target: FloatArray) -> FloatArray:
        return np.asarray(np.mean(np.logaddexp(0.0, prediction) - target * prediction, axis=-1))

    def gradient(self, prediction: FloatArray, target: FloatArray) -> FloatArray:
        return np.asarray((sigmoid(prediction) - target) / prediction.shape[-1])


@dataclass(frozen=True)
class SoftmaxCrossEntropy:
    """Softmax cross-entropy of logits (..., n, k) against class labels (n,) in 0..k-1.

    ``loss = -(1/n) sum_i log softmax(z_i)[t_i]``; the gradient is
    ``(softmax(z) - onehot(t))/n``: the book's ``SoftmaxWithLoss`` layer.

    >>> z = np.array([[0.0, 0.0]])
    >>> float(SoftmaxCrossEntropy().value(z, np.array([1.0])))  # log 2
    0.6931471805599453
    """

    @property
    def name(self) -> str:
        return "softmax-ce"

    def value(self, prediction: FloatArray, target: FloatArray) -> FloatArray:
        labels = target.astype(np.intp)
        log_norm = _logsumexp(prediction)
        picked = np.take_along_axis(
            prediction, np.broadcast_to(labels[:, None], (*prediction.shape[:-1], 1)), axis=-1
        )[..., 0]
        return np.asarray(np.mean(log_norm - picked, axis=-1))

    def gradient(self, prediction: FloatArray, target: FloatArray) -> FloatArray:
        labels = target.astype(np.intp)
        p = np.exp(prediction - _logsumexp(prediction)[..., None])
        p[np.arange(labels.size), labels] -= 1.0
        return np.asarray(p / prediction.shape[-2])


def sigmoid(z: FloatArray) -> FloatArray:
    """``1 / (1 + e^{-z})``, without overflow for large ``|z|``."""
    out = np.empty_like(z, dtype=np.float64)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    e = np.exp(z[~positive])
    out[~positive] = e / (1.0 + e)
    return out


def _logsumexp(z: FloatArray) -> FloatArray:
    top = np.max(z, axis=-1, keepdims=True)
    return np.asarray(np.log(np.sum(np.exp(z - top), axis=-1)) + top[..., 0])


#: Losses by the names the CLI takes.
LOSSES: dict[str, type[Loss]] = {
    "mse": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "huber": Huber,
    "bce": BinaryCrossEntropy,
    "softmax-ce": SoftmaxCrossEntropy,
}
