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
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.core.data import Dataset
from losslab.core.objective import PerceptronSums
from losslab.core.summary import Summarised

FloatArray = NDArray[np.float64]

Shape = Literal["elliptic paraboloid", "parabolic cylinder"]


@dataclass(frozen=True, repr=False)
class QuadraticForm(Summarised):
    """The perceptron's MSE loss as a quadratic form in ``(w, b)``, with its analysis.

    Build it with :func:`quadratic_form`. All attributes are plain numbers or
    small arrays: ``hessian`` (2, 2), ``eigenvalues`` (2,) ascending,
    ``eigenvectors`` (2, 2) with eigenvector ``k`` in column ``k``, ``minimum`` (2,).

    The five sums of the article: ``Sxx = sum x_i^2``, ``Sx = sum x_i``,
    ``Sxy = sum x_i t_i``, ``Sy = sum t_i``, ``Syy = sum t_i^2``. Three more sums
    over the centred data ``u_i = x_i - x_mean``, ``v_i = t_i - t_mean``:
    ``Suu = sum u_i^2`` (= ``Sxx - Sx^2/n``), ``Suv = sum u_i v_i`` (= ``Sxy - Sx Sy/n``),
    ``Svv = sum v_i^2`` (= ``Syy - Sy^2/n``). They give the slope ``Suv / Suu``, the
    smallest eigenvalue ``4 Suu / (n lambda_max)`` and the minimum loss without the
    cancellation of the right-hand forms (which lose digits when ``|mean| >> spread``).
    The sums are computed once, in core (:class:`~losslab.core.objective.PerceptronSums`,
    ``sums``), for the objective's fast paths and for this form alike.

    Points may be given as two numbers ``(w, b)`` or as one vector ``[w, b]``:
    ``q(3, 2) == q([3, 2])`` and ``q.gradient(3, 2) == q.gradient([3, 2])``, as for
    an objective.

    >>> from losslab.core.data import teacher_data
    >>> q = quadratic_form(teacher_data("2*x + 1", "-1:3:21"))
    >>> q  # doctest: +NORMALIZE_WHITESPACE
    QuadraticForm(n=21, Sxx=51.8, Sx=21, Sxy=124.6, Sy=63, Syy=312.2, minimum=[2, 1],
        min_loss=0, eigenvalues=[0.9865, 5.947], stability_limit=0.3363,
        condition_number=6.028, shape=elliptic paraboloid)
    >>> q.gradient([3, 2]).tolist() == q.gradient(3, 2).tolist()
    True
    """

    sums: PerceptronSums
    hessian: FloatArray
    eigenvalues: FloatArray
    eigenvectors: FloatArray
    minimum: FloatArray
    min_loss: float
    shape: Shape

    # The sums themselves live in core (one computation for the objective and this form).
    @property
    def n(self) -> int:
        """The number of samples."""
        return self.sums.n

    @property
    def Sxx(self) -> float:
        """``sum x_i^2``."""
        return self.sums.Sxx

    @property
    def Sx(self) -> float:
        """``sum x_i``."""
        return self.sums.Sx

    @property
    def Sxy(self) -> float:
        """``sum x_i t_i``."""
        return self.sums.Sxy

    @property
    def Sy(self) -> float:
        """``sum t_i``."""
        return self.sums.Sy

    @property
    def Syy(self) -> float:
        """``sum t_i^2``."""
        return self.sums.Syy

    @property
    def x_mean(self) -> float:
        """``mean(x)``."""
        return self.sums.x_mean

    @property
    def t_mean(self) -> float:
        """``mean(t)``."""
        return self.sums.t_mean

    @property
    def Suu(self) -> float:
        """``sum (x_i - mean(x))^2``."""
        return self.sums.Suu

    @property
    def Suv(self) -> float:
        """``sum (x_i - mean(x)) (t_i - mean(t))``."""
        return self.sums.Suv

    @property
    def Svv(self) -> float:
        """``sum (t_i - mean(t))^2``."""
        return self.sums.Svv

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

    def summary_rows(self) -> list[tuple[str, Any]]:
        """The sums, the minimum and the curvature, as a short summary shows them."""
        sums = [(k, getattr(self, k)) for k in ("n", "Sxx", "Sx", "Sxy", "Sy", "Syy")]
        return [*sums, ("minimum", self.minimum), ("min_loss", self.min_loss),
                ("eigenvalues", self.eigenvalues), ("stability_limit", self.stability_limit),
                ("condition_number", self.condition_number), ("shape", self.shape)]  # fmt: skip

    def expanded(self, w: ArrayLike, b: ArrayLike | None = None) -> FloatArray:
        """The loss from the expanded formula with the five sums, as the article writes it."""
        w_, b_ = _point(w, b)
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

    def __call__(self, w: ArrayLike, b: ArrayLike | None = None) -> FloatArray:
        """The loss at ``(w, b)`` (broadcasting), in a numerically stable centred form.

        With ``u_i = x_i - mean(x)`` and ``v_i = t_i - mean(t)``, the cross terms
        vanish and ``loss = (Svv - 2w Suv + w^2 Suu)/n + (b + w mean(x) - mean(t))^2``:
        the same quadratic as :meth:`expanded`, without its cancellation.
        """
        w_, b_ = _point(w, b)
        n = self.n
        offset = b_ + w_ * self.x_mean - self.t_mean
        return np.asarray((self.Svv - 2 * w_ * self.Suv + w_**2 * self.Suu) / n + offset**2)

    def gradient(self, w: ArrayLike, b: ArrayLike | None = None) -> FloatArray:
        """``(dL/dw, dL/db) = (2/n) (w Sxx + b Sx - Sxy, w Sx + n b - Sy)``, shape (2,)
        for one point (points (..., 2) give (..., 2))."""
        w_, b_ = _point(w, b)
        n = self.n
        return np.stack(
            [
                2.0 / n * (w_ * self.Sxx + b_ * self.Sx - self.Sxy),
                2.0 / n * (w_ * self.Sx + n * b_ - self.Sy),
            ],
            axis=-1,
        )


def _point(w: ArrayLike, b: ArrayLike | None) -> tuple[FloatArray, FloatArray]:
    """``(w, b)`` from two arrays, or from one array whose last axis holds ``[w, b]``."""
    if b is not None:
        return np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
    p = np.asarray(w, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise TypeError("give a point as (w, b) or as one vector [w, b]")
    return p[..., 0], p[..., 1]


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
    sums = PerceptronSums.of(data)
    eigenvalues, eigenvectors = sums.eigen
    xm, tm, suu = sums.x_mean, sums.t_mean, sums.Suu
    if suu > 0.0:
        w = sums.Suv / suu
        shape: Shape = "elliptic paraboloid"
    else:
        # Every x equals x0: only w*x0 + b is determined; take the least-norm point.
        w = xm * tm / (1.0 + xm * xm)
        shape = "parabolic cylinder"
    b = tm - w * xm
    residual = (data.t - tm) - w * (data.x - xm)
    return QuadraticForm(
        sums=sums,
        hessian=sums.hessian,
        eigenvalues=eigenvalues,
        eigenvectors=eigenvectors,
        minimum=np.array([w, b]),
        min_loss=float(residual @ residual) / sums.n,
        shape=shape,
    )
