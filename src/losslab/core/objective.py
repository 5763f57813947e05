"""The objective: a model, a loss and data bound into ``loss(params)`` and ``gradient(params)``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.core.data import Dataset
from losslab.core.losses import Loss, MeanSquaredError
from losslab.core.models import Model, Perceptron

FloatArray = NDArray[np.float64]

#: Floats in one layer's activations for a chunk of grid points (256 KB, cache-sized).
#: Stacking grid points pays off while each point is small (a few hundred samples: 3-4x
#: measured); once one point alone fills a chunk, points go one at a time, where each
#: layer is one plain matrix product (numpy's stacked matmul is slower than that).
CHUNK_FLOATS = 32_768

#: The first-layer shortcut of ``plane_predictor`` pays off from this many inputs on (it costs
#: three operations per hidden activation against 2 * inputs for the plain product).
PLANE_SHORTCUT_INPUTS = 4


#: From this many samples on, the perceptron's MSE loss and full gradient at one point come
#: from sums over all samples, computed once (O(1) per call instead of O(n)).
SUMS_FROM_SAMPLES = 20_000


@dataclass(frozen=True)
class CentredSums:
    """The perceptron's MSE as ``min_loss + Suu (w - w*)^2 / n + (b + w x_mean - t_mean)^2``.

    Sums over the centred data ``u = x - x_mean``, ``v = t - t_mean``: exact for the
    quadratic, without the cancellation of the expanded form near the minimum.

    >>> from losslab.core.data import Dataset
    >>> s = CentredSums.of(Dataset(np.array([0.0, 1.0]), np.array([1.0, 3.0])))
    >>> s.loss(np.array([3.0, 2.0])), s.gradient(np.array([3.0, 2.0])).tolist()
    (2.5, [2.0, 3.0])
    """

    n: int
    x_mean: float
    t_mean: float
    suu: float
    w_star: float
    min_loss: float

    @classmethod
    def of(cls, data: Dataset) -> CentredSums:
        """The sums of ``data`` (x must be 1-D), in O(n)."""
        xm, tm = float(np.mean(data.x)), float(np.mean(data.t))
        u, v = data.x - xm, data.t - tm
        suu = float(u @ u)
        w_star = float(u @ v) / suu if suu > 0 else 0.0
        residual = v - w_star * u
        return cls(data.n, xm, tm, suu, w_star, float(residual @ residual) / data.n)

    def loss(self, params: FloatArray) -> float:
        """The loss at ``params = (w, b)``."""
        w, b = float(params[0]), float(params[1])
        offset = b + w * self.x_mean - self.t_mean
        return self.min_loss + self.suu * (w - self.w_star) ** 2 / self.n + offset**2

    def gradient(self, params: FloatArray) -> FloatArray:
        """``(dL/dw, dL/db)`` at ``params = (w, b)``."""
        w, b = float(params[0]), float(params[1])
        offset = b + w * self.x_mean - self.t_mean
        dw = 2.0 * self.suu * (w - self.w_star) / self.n + 2.0 * self.x_mean * offset
        return np.array([dw, 2.0 * offset])


class Problem(Protocol):
    """What an optimizer run needs: a loss and its gradient over named parameters."""

    @property
    def param_names(self) -> tuple[str, ...]: ...

    def loss(self, params: ArrayLike) -> float: ...

    def gradient(self, params: ArrayLike, batch: NDArray[np.intp] | None = None) -> FloatArray: ...

    def loss_batch(self, points: ArrayLike) -> FloatArray: ...


@dataclass(frozen=True)
class Objective:
    """``loss(params) = loss(model.predict(params, data.x), data.t)``.

    >>> from losslab.core.data import teacher_data
    >>> obj = Objective(Perceptron(), MeanSquaredError(), teacher_data("2*x + 1", "0:1:2"))
    >>> float(obj.loss([3.0, 2.0]))  # predictions (2, 5) against targets (1, 3)
    2.5
    """

    model: Model
    loss_fn: Loss
    data: Dataset

    @cached_property
    def _sums(self) -> CentredSums | None:
        """The perceptron's MSE sums for large data (see SUMS_FROM_SAMPLES), else None."""
        fast = isinstance(self.model, Perceptron) and isinstance(self.loss_fn, MeanSquaredError)
        if fast and self.data.x.ndim == 1 and self.data.n >= SUMS_FROM_SAMPLES:
            return CentredSums.of(self.data)
        return None

    def loss(self, params: ArrayLike) -> float:
        """The loss at one parameter vector (P,)."""
        p = np.asarray(params, dtype=np.float64)
        if self._sums is not None and p.shape == (2,):
            return self._sums.loss(p)
        return float(self.loss_fn.value(self.model.predict(p, self.data.x), self.data.t))

    @property
    def param_names(self) -> tuple[str, ...]:
        """The model's parameter names, e.g. ``("w", "b")``."""
        return self.model.param_names

    def gradient(self, params: ArrayLike, batch: NDArray[np.intp] | None = None) -> FloatArray:
        """d loss / d params (P,): the loss layer's gradient, backpropagated through the model.

        With ``batch`` (sample indices), the gradient of the loss over those
        samples only: the mini-batch gradient of stochastic gradient descent.
        """
        p = np.asarray(params, dtype=np.float64)
        if batch is None and self._sums is not None and p.shape == (2,):
            return self._sums.gradient(p)
        x, t = self.data.x, self.data.t
        if batch is not None:
            x, t = x[batch], t[batch]
        prediction = self.model.predict(p, x)
        return self.model.vjp(p, x, self.loss_fn.gradient(prediction, t))

    def _chunk(self) -> int:
        """Grid points per chunk (see CHUNK_FLOATS); 1 means one point at a time."""
        chunk = CHUNK_FLOATS // max(1, self.data.n * self._width)
        return chunk if chunk >= 4 else 1

    def loss_batch(self, points: ArrayLike) -> FloatArray:
        """The loss at many parameter points (m, P) -> (m,), in memory-bounded chunks."""
        pts = np.asarray(points, dtype=np.float64)
        out = np.empty(pts.shape[0])
        chunk = self._chunk()
        for start in range(0, pts.shape[0], chunk):
            block = pts[start : start + chunk] if chunk > 1 else pts[start]
            out[start : start + chunk] = self.loss_fn.value(
                self.model.predict(block, self.data.x), self.data.t
            )
        return out

    @property
    def _width(self) -> int:
        """The widest layer of the model (floats per sample in a batched evaluation)."""
        return max(getattr(self.model, "sizes", (1,)))

    def loss_plane(
        self, origin: FloatArray, directions: FloatArray, coords: FloatArray
    ) -> FloatArray:
        """The loss at ``origin + a*d1 + c*d2`` for each ``(a, c)`` in coords (m, 2), chunked.

        Uses the model's ``plane_predictor`` (the first layer's linearity in the
        plane coordinates) when it has one and the data have enough inputs for
        it to pay off.
        """
        out = np.empty(coords.shape[0])
        chunk = self._chunk()
        x = self.data.x
        plane = None
        if hasattr(self.model, "plane_predictor") and x.ndim == 2:
            if x.shape[1] >= PLANE_SHORTCUT_INPUTS:
                plane = self.model.plane_predictor(origin, directions, x)
        for start in range(0, coords.shape[0], chunk):
            block = coords[start : start + chunk]
            if plane is not None:
                prediction = plane(block)
            else:
                points = origin + block[:, :1] * directions[0] + block[:, 1:] * directions[1]
                prediction = self.model.predict(points if chunk > 1 else points[0], self.data.x)
            out[start : start + chunk] = self.loss_fn.value(prediction, self.data.t)
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


@dataclass(frozen=True)
class QuadraticBowl:
    """``f(p) = (1/2) (p - centre)^T A (p - centre)``: a test function with a known Hessian ``A``.

    :func:`book_ch6_function` is the book's ``f(x, y) = x^2/20 + y^2``.

    >>> f = book_ch6_function()
    >>> f.loss([-7.0, 2.0]), f.gradient([-7.0, 2.0]).round(12).tolist()
    (6.45, [-0.7, 4.0])
    """

    hessian: FloatArray
    centre: FloatArray
    names: tuple[str, ...] = ("x", "y")

    @property
    def param_names(self) -> tuple[str, ...]:
        return self.names

    def loss(self, params: ArrayLike) -> float:
        d = np.asarray(params, dtype=np.float64) - self.centre
        return float(0.5 * d @ self.hessian @ d)

    def gradient(self, params: ArrayLike, batch: NDArray[np.intp] | None = None) -> FloatArray:
        return np.asarray(self.hessian @ (np.asarray(params, dtype=np.float64) - self.centre))

    def loss_batch(self, points: ArrayLike) -> FloatArray:
        """The loss at many points (m, P) -> (m,)."""
        d = np.asarray(points, dtype=np.float64) - self.centre
        return np.asarray(0.5 * np.einsum("mi,ij,mj->m", d, self.hessian, d))


def book_ch6_function() -> QuadraticBowl:
    """``f(x, y) = x^2/20 + y^2`` of the book's chapter 6 (``ch06/optimizer_compare_naive.py``)."""
    return QuadraticBowl(hessian=np.diag([0.1, 2.0]), centre=np.zeros(2))
