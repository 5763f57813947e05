"""The gradient check the ``gradcheck`` command shows: which networks, at which point.

The comparison itself is :func:`losslab.analysis.gradcheck.gradient_check`; this module
chooses the cases (every loss with a linear model and three activations of a 5,4 MLP) and
the point each one is checked at, so that the command only prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from losslab.analysis.gradcheck import GradientCheck, gradient_check
from losslab.core.data import Dataset
from losslab.core.datasets import toy_data
from losslab.core.objective import Objective
from losslab.lessons.networks import build_objective

#: The largest relative difference between backprop and central differences that passes.
GRADCHECK_TOLERANCE = 1e-6


@dataclass(frozen=True)
class GradcheckRow:
    """One checked case: its label, the check, and whether it passed."""

    label: str
    check: GradientCheck

    @property
    def ok(self) -> bool:
        """True when the largest relative difference is below :data:`GRADCHECK_TOLERANCE`."""
        return self.check.max_relative < GRADCHECK_TOLERANCE


def gradcheck_cases() -> list[tuple[str, Objective]]:
    """Every loss with a linear model and a 5,4 MLP of each activation, on 12 samples.

    >>> cases = gradcheck_cases()
    >>> len(cases), cases[0][0]
    (20, 'linear, mse')
    """
    regression, classes = toy_data("sine", 12, seed=1), toy_data("spirals", 12, seed=1)
    labels = np.arange(12, dtype=np.float64) % 3
    three = Dataset(classes.x, labels, {"task": "classification"})
    cases: list[tuple[str, Objective]] = []
    for loss, data in (("mse", regression), ("mae", regression), ("huber", regression),
                       ("bce", classes), ("softmax-ce", three)):  # fmt: skip
        cases.append((f"linear, {loss}", build_objective(data, (), "tanh", loss)))
        for act in ("sigmoid", "tanh", "relu"):
            cases.append((f"mlp 5,4 {act}, {loss}", build_objective(data, (5, 4), act, loss)))
    return cases


def check_point(objective: Objective, seed: int = 0) -> np.ndarray:
    """The point a case is checked at: its initial parameters plus N(0, 0.1) noise (seeded)."""
    model = objective.model
    params = model.init_params(seed) if hasattr(model, "init_params") else np.zeros(2)
    return np.asarray(params + np.random.default_rng(seed).normal(0, 0.1, params.size))


def gradcheck(cases: Sequence[tuple[str, Objective]], seed: int = 0) -> list[GradcheckRow]:
    """Check each case's gradient at :func:`check_point`.

    >>> rows = gradcheck(gradcheck_cases()[:2])
    >>> [row.ok for row in rows]
    [True, True]
    """
    return [
        GradcheckRow(label, gradient_check(objective, check_point(objective, seed)))
        for label, objective in cases
    ]
