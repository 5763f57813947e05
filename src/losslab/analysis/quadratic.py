"""Closed forms for the perceptron with the mean squared error.

The loss of ``y = w*x + b`` over data ``(x_i, t_i)`` is a quadratic in ``(w, b)``:

    loss(w, b) = (1/n) (w^2 Sxx + n b^2 + Syy - 2w Sxy - 2b Sy + 2wb Sx)

with the five sums ``Sxx = sum x_i^2``, ``Sx = sum x_i``, ``Sxy = sum x_i t_i``,
``Sy = sum t_i``, ``Syy = sum t_i^2``. Its Hessian ``(2/n) [[Sxx, Sx], [Sx, n]]``
is constant; its eigenvectors are the axes of the elliptic contours and
``2 / lambda_max`` is the largest learning rate at which gradient descent
converges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.core.data import Dataset

FloatArray = NDArray[np.float64]

Shape = Literal["elliptic paraboloid", "parabolic cylinder"]


@dataclass(frozen=True)
class QuadraticForm:
    """The perceptron's MSE loss as a quadratic form in ``(w, b)``, with its analysis.

    Build it with :func:`quadratic_form`. All attributes are plain numbers or
    small arrays: ``hessian`` (2, 2), ``eigenvalues`` (2,) ascending,
    ``eigenvectors`` (2, 2) with eigenvector ``k`` in column ``k``, ``minimum`` (2,).
    ``Suu``, ``Suv``, ``Svv`` are the same sums for the centred data
    ``u = x - x_mean``, ``v = t - t_mean``, used where accuracy matters.
    """

    n: int
    Sxx: float
    Sx: float
    Sxy: float
    Sy: float
    Syy: float
    hessian: FloatArray
    eigenvalues: FloatArray
    eigenvectors: FloatArray
    minimum: FloatArray
    min_loss: float
    shape: Shape
    x_mean: float
    t_mean: float
    Suu: float
    Suv: float
    Svv: float

    @property
    def condition_number(self) -> float:
        """``lambda_max / lambda_min``; infinite for the parabolic cylinder."""
        lo, hi = self.eigenvalues
        return float(hi / lo) if lo > 0 else float("inf")

    @property
    def stability_limit(self) -> float:
        """``2 / lambda_max``: gradient descent converges for learning rates below it."""
        return float(2.0 / self.eigenvalues[1])

    @property
    def coefficients(self) -> dict[str, float]:
        """The expanded form's coefficients of w^2, b^2, 1, w, b and wb (divided by n)."""
        n = self.n
        return {
            "w2": self.Sxx / n,
            "b2": 1.0,
            "const": self.Syy / n,
            "w": -2.0 * self.Sxy / n,
            "b": -2.0 * self.Sy / n,
            "wb": 2.0 * self.Sx / n,
        }

    def expanded(self, w: ArrayLike, b: ArrayLike) -> FloatArray:
        """The loss from the expanded formula with the five sums, as the article writes it."""
        w_ = np.asarray(w, dtype=np.float64)
        b_ = np.asarray(b, dtype=np.float64)
        n = self.n
        return np.asarray(
            (
                w_**2 * self.Sxx
                + n * b_**2
                + self.Syy
                - 2 * w_ * self.Sxy
                - 2 * b_ * self.Sy
                + 2 * w_ * b_ * self.Sx
            )
            / n
        )

    def __call__(self, w: ArrayLike, b: ArrayLike) -> FloatArray:
        """The loss at ``(w, b)`` (broadcasting), in a numerically stable centred form.

        With ``u_i = x_i - mean(x)`` and ``v_i = t_i - mean(t)``, the cross terms
        vanish and ``loss = (Svv - 2w Suv + w^2 Suu)/n + (b + w mean(x) - mean(t))^2``:
        the same quadratic as :meth:`expanded`, without its cancellation.
        """
        w_ = np.asarray(w, dtype=np.float64)
        b_ = np.asarray(b, dtype=np.float64)
        n = self.n
        offset = b_ + w_ * self.x_mean - self.t_mean
        return np.asarray((self.Svv - 2 * w_ * self.Suv + w_**2 * self.Suu) / n + offset**2)

    def gradient(self, w: float, b: float) -> FloatArray:
        """``(dL/dw, dL/db) = (2/n) (w Sxx + b Sx - Sxy, w Sx + n b - Sy)``."""
        n = self.n
        return np.array(
            [
                2.0 / n * (w * self.Sxx + b * self.Sx - self.Sxy),
                2.0 / n * (w * self.Sx + n * b - self.Sy),
            ]
        )




def quadratic_form(data: Dataset) -> QuadraticForm:
    """The five sums, the Hessian, its eigen-decomposition and the exact minimum.

    The minimum solves the normal equations ``[[Sxx, Sx], [Sx, n]] (w, b) = (Sxy, Sy)``,
    computed from centred data for accuracy. If all x are equal the determinant
    is zero: the surface is a parabolic cylinder with a line of minima
    ``w*x0 + b = mean(t)``, and ``minimum`` is its point nearest the origin.

    >>> from losslab.core.data import teacher_data
    >>> q = quadratic_form(teacher_data("2*x + 1", "-1:3:21"))
    >>> q.shape, q.minimum.round(12).tolist()
    ('elliptic paraboloid', [2.0, 1.0])

    It is computed once per data set and kept in ``data.cache`` (a Dataset's arrays
    are not changed after it is made).
    """
    cached = data.cache.get("quadratic_form")
    if not isinstance(cached, QuadraticForm):
        cached = data.cache["quadratic_form"] = _quadratic_form(data)
    return cached


def _quadratic_form(data: Dataset) -> QuadraticForm:
    """:func:`quadratic_form` without the cache."""
    x, t = data.x, data.t
    n = data.n
    xm, tm = float(np.mean(x)), float(np.mean(t))
    u, v = x - xm, t - tm
    suu, suv, svv = float(u @ u), float(u @ v), float(v @ v)
    hessian = (2.0 / n) * np.array([[float(x @ x), float(x.sum())], [float(x.sum()), n]])
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)
    # lambda_min from the determinant (4 Suu / n), exact where eigh would round.
    eigenvalues = np.array([4.0 * suu / n / eigenvalues[1], eigenvalues[1]])
    if suu > 0.0:
        w = suv / suu
        shape: Shape = "elliptic paraboloid"
    else:
        # Every x equals x0: only w*x0 + b is determined; take the least-norm point.
        w = xm * tm / (1.0 + xm * xm)
        shape = "parabolic cylinder"
    b = tm - w * xm
    minimum = np.array([w, b])
    residual = v - w * u
    return QuadraticForm(
        n=n,
        Sxx=float(x @ x),
        Sx=float(x.sum()),
        Sxy=float(x @ t),
        Sy=float(t.sum()),
        Syy=float(t @ t),
        hessian=hessian,
        eigenvalues=eigenvalues,
        eigenvectors=eigenvectors,
        minimum=minimum,
        min_loss=float(residual @ residual) / n,
        shape=shape,
        x_mean=xm,
        t_mean=tm,
        Suu=suu,
        Suv=suv,
        Svv=svv,
    )
