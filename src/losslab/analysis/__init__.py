"""Closed forms and checks: the perceptron's quadratic form (five sums, Hessian,
``2 / lambda_max``) and backpropagation against central differences.
"""

from losslab.analysis.gradcheck import (
    GradientCheck,
    gradient_check,
)
from losslab.analysis.quadratic import (
    QuadraticForm,
    quadratic_form,
)

__all__ = [
    "GradientCheck",
    "QuadraticForm",
    "gradient_check",
    "quadratic_form",
]
