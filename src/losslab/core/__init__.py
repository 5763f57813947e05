"""The bottom layer: data and safe expressions, CSV files and toy sets, models (perceptron,
numpy MLP), losses, and objectives (a model, a loss and data bound into one Problem).
"""

from losslab.core.data import (
    Dataset,
    Expression,
    parse_expression,
    parse_grid_axis,
    parse_point,
    parse_samples,
    teacher_curve,
    teacher_data,
)
from losslab.core.datasets import (
    load_csv,
    toy_data,
)
from losslab.core.losses import (
    LOSSES,
    BinaryCrossEntropy,
    Huber,
    Loss,
    MeanAbsoluteError,
    MeanSquaredError,
    SoftmaxCrossEntropy,
    sigmoid,
)
from losslab.core.mlp import (
    MLP,
    Affine,
    Relu,
    Sigmoid,
    Tanh,
    param_index,
    parse_hidden,
)
from losslab.core.models import (
    Model,
    Perceptron,
)
from losslab.core.objective import (
    Objective,
    QuadraticBowl,
    book_ch6_function,
    perceptron_objective,
)
from losslab.core.problem import (
    GridFromPlane,
    PlaneFromBatch,
    Problem,
    ProblemSpec,
)

__all__ = [
    "LOSSES",
    "MLP",
    "Affine",
    "BinaryCrossEntropy",
    "Dataset",
    "Expression",
    "GridFromPlane",
    "Huber",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "Model",
    "Objective",
    "Perceptron",
    "PlaneFromBatch",
    "Problem",
    "ProblemSpec",
    "QuadraticBowl",
    "Relu",
    "Sigmoid",
    "SoftmaxCrossEntropy",
    "Tanh",
    "book_ch6_function",
    "load_csv",
    "param_index",
    "parse_expression",
    "parse_grid_axis",
    "parse_hidden",
    "parse_point",
    "parse_samples",
    "perceptron_objective",
    "sigmoid",
    "teacher_curve",
    "teacher_data",
    "toy_data",
]
