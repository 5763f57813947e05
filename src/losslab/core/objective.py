"""The objective: a model, a loss and data bound into ``loss(params)`` and ``gradient(params)``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.core.data import Dataset
from losslab.core.losses import Loss, MeanSquaredError
from losslab.core.mlp import MLP
from losslab.core.mlp_hvp import mlp_hvp
from losslab.core.models import Model, Perceptron
from losslab.core.problem import GridFromPlane, PlaneFromBatch, Problem, ProblemSpec
from losslab.errors import LosslabError

__all__ = [
    "Objective",
    "PerceptronSums",
    "Problem",
    "ProblemSpec",
    "QuadraticBowl",
    "perceptron_objective",
]

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
#: from its sums over all samples, computed once (O(1) per call instead of O(n)).
SUMS_FROM_SAMPLES = 20_000


@dataclass(frozen=True)
class PerceptronSums:
    """The sums over the data that the perceptron's MSE is made of, computed once per data set.

    The article's five sums ``Sxx = sum x_i^2``, ``Sx = sum x_i``, ``Sxy = sum x_i t_i``,
    ``Sy = sum t_i``, ``Syy = sum t_i^2``, and three over the centred data
    ``u_i = x_i - x_mean``, ``v_i = t_i - t_mean``: ``Suu = sum u_i^2``,
    ``Suv = sum u_i v_i``, ``Svv = sum v_i^2``. The centred ones give the loss
    ``(Svv - 2w Suv + w^2 Suu)/n + (b + w x_mean - t_mean)^2`` (the same quadratic as the
    five sums give, without their cancellation when ``|mean| >> spread``). The Hessian
    ``(2/n) [[Sxx, Sx], [Sx, n]]`` is constant; :mod:`losslab.analysis.quadratic` wraps
    these sums with the minimum and the shape of the surface.

    >>> from losslab.core.data import Dataset
    >>> s = PerceptronSums.of(Dataset(np.array([0.0, 1.0]), np.array([1.0, 3.0])))
    >>> s.Sxx, s.Sxy, s.hessian.tolist(), round(s.stability_limit, 6)  # 2 / ((3 + 5**0.5)/2)
    (1.0, 3.0, [[1.0, 1.0], [1.0, 2.0]], 0.763932)
    """

    n: int
    Sxx: float
    Sx: float
    Sxy: float
    Sy: float
    Syy: float
    x_mean: float
    t_mean: float
    Suu: float
    Suv: float
    Svv: float

    @classmethod
    def of(cls, data: Dataset) -> PerceptronSums:
        """The sums of ``data`` (x (n,), t (n,)), kept in ``data.cache`` after the first call."""
        cached = data.cache.get("perceptron_sums")
        if isinstance(cached, PerceptronSums):
            return cached
        x, t = data.x, data.t
        xm, tm = float(np.mean(x)), float(np.mean(t))
        u, v = x - xm, t - tm
        sums = cls(data.n, float(x @ x), float(x.sum()), float(x @ t), float(t.sum()),
                   float(t @ t), xm, tm, float(u @ u), float(u @ v), float(v @ v))  # fmt: skip
        data.cache["perceptron_sums"] = sums
        return sums

    @property
    def hessian(self) -> FloatArray:
        """The constant Hessian (2, 2) ``(2/n) [[Sxx, Sx], [Sx, n]]``."""
        return (2.0 / self.n) * np.array([[self.Sxx, self.Sx], [self.Sx, self.n]])

    @cached_property
    def eigen(self) -> tuple[FloatArray, FloatArray]:
        """The Hessian's eigenvalues (2,) ascending and eigenvectors (2, 2) (column k is
        eigenvector k). ``lambda_min`` comes from the determinant (``4 Suu / n``), exact
        where ``eigh`` would round."""
        eigenvalues, eigenvectors = np.linalg.eigh(self.hessian)
        lam_max = eigenvalues[1]
        return np.array([4.0 * self.Suu / self.n / lam_max, lam_max]), eigenvectors

    @property
    def stability_limit(self) -> float:
        """``2 / lambda_max``: gradient descent converges for learning rates below it."""
        return float(2.0 / self.eigen[0][1])

    def hvp(self, v: ArrayLike) -> FloatArray:
        """``H v`` (2,) for ``v`` (2,): the constant Hessian times ``v``."""
        return np.asarray(self.hessian @ np.asarray(v, dtype=np.float64))

    def loss(self, params: FloatArray) -> float:
        """The loss at ``params = (w, b)``, written around the minimum (no cancellation).

        >>> from losslab.core.data import Dataset
        >>> s = PerceptronSums.of(Dataset(np.array([0.0, 1.0]), np.array([1.0, 3.0])))
        >>> s.loss(np.array([3.0, 2.0])), s.gradient(np.array([3.0, 2.0])).tolist()
        (2.5, [2.0, 3.0])
        """
        w, b = float(params[0]), float(params[1])
        w_star = self.Suv / self.Suu if self.Suu > 0 else 0.0
        min_loss = max(self.Svv - w_star * self.Suv, 0.0) / self.n
        offset = b + w * self.x_mean - self.t_mean
        return min_loss + self.Suu * (w - w_star) ** 2 / self.n + offset**2

    def gradient(self, params: FloatArray) -> FloatArray:
        """``(dL/dw, dL/db)`` at ``params = (w, b)``."""
        w, b = float(params[0]), float(params[1])
        offset = b + w * self.x_mean - self.t_mean
        dw = 2.0 * (w * self.Suu - self.Suv) / self.n + 2.0 * self.x_mean * offset
        return np.array([dw, 2.0 * offset])

    def plane(
        self, origin: FloatArray, directions: FloatArray, a: FloatArray, c: FloatArray
    ) -> FloatArray:
        """The loss at ``origin + a*d1 + c*d2`` for broadcasting ``a`` and ``c``.

        ``a`` (1, nx) and ``c`` (ny, 1) give the grid (ny, nx) straight from the axes, with
        no grid of coordinates: the offset is one pass over the grid, and ``w`` (which on
        the parameters' own plane follows ``a`` alone) stays a row where it can.
        """
        (w0, b0), (dw1, db1), (dw2, db2) = origin[:2], directions[0, :2], directions[1, :2]
        offset = (b0 + w0 * self.x_mean - self.t_mean) + a * (db1 + dw1 * self.x_mean)
        offset = offset + c * (db2 + dw2 * self.x_mean)
        out = np.square(offset, out=offset)
        if dw2 == 0.0:
            w = w0 + a * dw1
        elif dw1 == 0.0:
            w = w0 + c * dw2
        else:
            w = w0 + a * dw1 + c * dw2
        out += (self.Svv - 2 * w * self.Suv + w**2 * self.Suu) / self.n
        return np.asarray(out)


def _quadratic_terms(k: FloatArray, a: FloatArray, c: FloatArray) -> FloatArray:
    """``k0 + k1 a + k2 c + k3 a^2 + k4 ac + k5 c^2``, broadcasting, element by element."""
    return np.asarray((k[0] + a * (k[1] + k[3] * a)) + c * (k[2] + k[5] * c) + k[4] * a * c)


@dataclass(frozen=True)
class Objective(GridFromPlane):
    """``loss(params) = loss(model.predict(params, data.x), data.t)``.

    >>> from losslab.core.data import teacher_data
    >>> obj = Objective(Perceptron(), MeanSquaredError(), teacher_data("2*x + 1", "0:1:2"))
    >>> float(obj.loss([3.0, 2.0]))  # predictions (2, 5) against targets (1, 3)
    2.5
    """

    model: Model
    loss_fn: Loss
    data: Dataset

    def __call__(self, params: ArrayLike) -> float:
        """``objective(params)`` is ``objective.loss(params)``: the loss at (P,).

        >>> from losslab.core.data import teacher_data
        >>> perceptron_objective(teacher_data("2*x + 1", "0:1:2"))([3.0, 2.0])
        2.5
        """
        return self.loss(params)

    def loss(self, params: ArrayLike) -> float:
        """The loss at one parameter vector (P,)."""
        p = np.asarray(params, dtype=np.float64)
        if (sums := self._large_sums) is not None and p.shape == (2,):
            return sums.loss(p)
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
        if batch is None and (sums := self._large_sums) is not None and p.shape == (2,):
            return sums.gradient(p)
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
        """The loss at ``origin + a*d1 + c*d2`` for each ``(a, c)`` in coords (m, 2).

        The perceptron with the MSE uses its five sums; another linear model with the
        MSE an exact quadratic; other models the chunked evaluation.
        """
        a, c = coords[:, 0], coords[:, 1]
        if self._sums is not None:
            return self._sums.plane(origin, directions, a, c)
        if self.is_linear_mse:
            return _quadratic_terms(self._quadratic(origin, directions), a, c)
        return self._loss_plane_chunked(origin, directions, coords)

    def loss_grid(
        self, origin: FloatArray, directions: FloatArray, a: FloatArray, c: FloatArray
    ) -> FloatArray:
        """The loss on the grid ``a (nx,) x c (ny,)`` -> (ny, nx); quadratics straight from
        the axes by broadcasting, other models through :meth:`loss_plane`."""
        if self._sums is not None:
            return self._sums.plane(origin, directions, a[None, :], c[:, None])
        if self.is_linear_mse:
            k = self._quadratic(origin, directions)
            return _quadratic_terms(k, a[None, :], c[:, None])
        return super().loss_grid(origin, directions, a, c)

    @cached_property
    def _sums(self) -> PerceptronSums | None:
        """The five sums (centred) when the model is the perceptron with the MSE."""
        if isinstance(self.model, Perceptron) and isinstance(self.loss_fn, MeanSquaredError):
            return PerceptronSums.of(self.data)
        return None

    @property
    def n_samples(self) -> int:
        """The number of samples the loss averages over (mini-batches are drawn from them)."""
        return self.data.n

    @property
    def stability_limit(self) -> float | None:
        """``2 / lambda_max`` when the loss is an exact quadratic (a linear model with the
        MSE, whose Hessian is constant): gradient descent converges below it. None for
        other models, whose Hessian changes from point to point.

        >>> from losslab.core.data import teacher_data
        >>> round(perceptron_objective(teacher_data()).stability_limit, 4)
        0.3363
        """
        if not self.is_linear_mse:
            return None
        if len(self.param_names) == 2 and self.data.x.ndim == 1:  # y = w x + b: the sums
            return PerceptronSums.of(self.data).stability_limit
        hessian = self._linear_hessian
        return None if hessian is None else float(2.0 / np.linalg.eigvalsh(hessian)[-1])

    def hvp(self, params: ArrayLike, v: ArrayLike) -> FloatArray:
        """``H v`` (P,): the Hessian of the loss at ``params`` (P,) times ``v`` (P,).

        Exact: a linear model under the MSE has the constant Hessian ``(2/n) A^T A``
        (``A = [X, 1]``; for the perceptron ``(2/n) [[Sxx, Sx], [Sx, n]]``); an MLP
        uses Pearlmutter's R-operator (:func:`losslab.core.mlp_hvp.mlp_hvp`).

        >>> from losslab.core.data import teacher_data
        >>> obj = perceptron_objective(teacher_data("2*x + 1", "0:1:2"))
        >>> obj.hvp([3.0, 2.0], [1.0, 0.0]).tolist()
        [1.0, 1.0]
        """
        direction = np.asarray(v, dtype=np.float64)
        if self._sums is not None:
            return self._sums.hvp(direction)
        if (hessian := self._linear_hessian) is not None:
            return np.asarray(hessian @ direction)
        if isinstance(self.model, MLP):
            p = np.asarray(params, dtype=np.float64)
            return mlp_hvp(self.model, self.loss_fn, p, direction, self.data.x, self.data.t)
        raise LosslabError("curvature.error_problem", kind=type(self.model).__name__)

    @cached_property
    def _linear_hessian(self) -> FloatArray | None:
        """The constant Hessian (P, P) ``(2/n) A^T A`` of a one-output linear MLP under the
        MSE (``A = [X, 1]``, (n, d + 1)); None for other problems."""
        model = self.model
        if not (self.is_linear_mse and isinstance(model, MLP) and model.sizes[-1] == 1):
            return None
        x = self.data.x[:, np.newaxis] if self.data.x.ndim == 1 else self.data.x
        design = np.column_stack([x, np.ones(self.data.n)])
        return np.asarray((2.0 / self.data.n) * design.T @ design)

    @property
    def _large_sums(self) -> PerceptronSums | None:
        """The sums that give loss and gradient in O(1), once the data are large
        (SUMS_FROM_SAMPLES); None below that or for other models."""
        return self._sums if self.data.n >= SUMS_FROM_SAMPLES else None

    def _quadratic(self, origin: FloatArray, directions: FloatArray) -> FloatArray:
        """The 6 coefficients of an exactly quadratic loss in (a, c), fitted to 9 evaluations."""
        stencil = np.array([(a, c) for a in (-1.0, 0.0, 1.0) for c in (-1.0, 0.0, 1.0)])
        values = self._loss_plane_chunked(origin, directions, stencil)
        a, c = stencil[:, 0], stencil[:, 1]
        design = np.stack([np.ones_like(a), a, c, a * a, a * c, c * c], axis=1)
        coefficients, *_ = np.linalg.lstsq(design, values, rcond=None)
        return np.asarray(coefficients)

    def describe(self) -> dict[str, Any]:
        """How planes are evaluated, the loss and the data (for a landscape's meta)."""
        if self._sums is not None:
            method = "quadratic form (five sums)"
        elif self.is_linear_mse:
            method = "exact quadratic from 9 evaluations"
        else:
            method = "batched evaluation"
        return {
            "method": method,
            "loss": self.loss_fn.name,
            "n_samples": self.data.n,
            "data": dict(self.data.meta),
        }

    def _loss_plane_chunked(
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
class QuadraticBowl(PlaneFromBatch):
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

    @property
    def n_samples(self) -> None:
        """A test function, not a loss over data: no samples, no mini-batches."""
        return None

    def hvp(self, params: ArrayLike, v: ArrayLike) -> FloatArray:
        """``A v`` (P,): the Hessian is the matrix itself, the same at every point."""
        return np.asarray(self.hessian @ np.asarray(v, dtype=np.float64))

    @property
    def stability_limit(self) -> float:
        """``2 / lambda_max`` of ``A``.

        >>> book_ch6_function().stability_limit
        1.0
        """
        return float(2.0 / np.linalg.eigvalsh(self.hessian)[-1])


def book_ch6_function() -> QuadraticBowl:
    """``f(x, y) = x^2/20 + y^2`` of the book's chapter 6 (``ch06/optimizer_compare_naive.py``)."""
    return QuadraticBowl(hessian=np.diag([0.1, 2.0]), centre=np.zeros(2))
