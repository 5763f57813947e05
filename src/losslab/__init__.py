"""losslab: see, and measure, why gradient descent trains a neural network.

The public API, by layer (each name is documented where it lives):

- data and models: :func:`teacher_data`, :func:`toy_data`, :func:`load_csv`, :class:`MLP`,
  :func:`perceptron_objective`, :func:`build_objective` (``losslab.core``);
- closed forms: :func:`quadratic_form`, :func:`gradient_check` (``losslab.analysis``);
- curvature from Hessian-vector products: :func:`operator_of`, :func:`top_eigenvalues`,
  :func:`hutchinson_trace`, :func:`spectral_density`, :func:`block_curvature`, all four
  at once as :func:`curvature_report` (``losslab.analysis.curvature``);
- landscapes: :func:`scan_plane`, :func:`scan_line`, :func:`random_directions`,
  :func:`pca_directions` (``losslab.landscape``);
- optimizers: :func:`gradient_descent`, :func:`sgd`, :func:`momentum`, :func:`nesterov`,
  :func:`adagrad`, :func:`rmsprop`, :func:`adam`, :func:`run` (``losslab.optim``);
- lessons: :func:`walkthrough`, :func:`csv_walkthrough`, :func:`data_walkthrough`,
  :func:`compare`, :func:`lr_sweep`, :func:`train_and_scan`,
  :func:`xor_landscape` (``losslab.lessons``);
- mode connectivity: :func:`connect`, :func:`fit_curve`, :func:`nudged_elastic_band`,
  :func:`make_curve`, :func:`path_profile` (``losslab.lessons.connect`` and below).

Drawing (``losslab.plots``), the report, the app, the CLI and PyTorch (``losslab.torch``)
are imported only when used.

>>> import losslab as ll
>>> wt = ll.walkthrough()
>>> wt.quadratic.minimum.round(10).tolist()
[2.0, 1.0]
"""

from losslab import optim
from losslab import optim as optimizers  # the name of earlier versions: ll.optimizers.adam
from losslab.analysis import GradientCheck, QuadraticForm, gradient_check, quadratic_form
from losslab.analysis.curvature import (
    CurvatureReport,
    HessianOperator,
    block_curvature,
    curvature_report,
    hutchinson_trace,
    operator_of,
    spectral_density,
    top_eigenvalues,
)
from losslab.core import (
    MLP,
    Dataset,
    Expression,
    MeanSquaredError,
    Objective,
    Perceptron,
    Problem,
    load_csv,
    parse_expression,
    perceptron_objective,
    teacher_data,
    toy_data,
)
from losslab.errors import LosslabError
from losslab.landscape import (
    Landscape,
    pca_directions,
    random_directions,
    scan_line,
    scan_plane,
)
from losslab.landscape.connect import Curve, PathProfile, make_curve, path_profile
from losslab.lessons import (
    StepByHand,
    Walkthrough,
    build_objective,
    compare,
    csv_walkthrough,
    data_walkthrough,
    lr_sweep,
    minibatch_noise,
    step_by_hand,
    train_and_scan,
    walkthrough,
    xor_landscape,
)
from losslab.lessons.connect import Connection, connect
from losslab.optim import (
    Optimizer,
    Trajectory,
    adagrad,
    adam,
    gradient_descent,
    make_optimizer,
    momentum,
    nesterov,
    rmsprop,
    run,
    sgd,
)
from losslab.optim.connect import CurveFit, fit_curve, nudged_elastic_band

__version__ = "0.1.0"

__all__ = [
    "MLP",
    "CurvatureReport",
    "Dataset",
    "Expression",
    "GradientCheck",
    "HessianOperator",
    "Landscape",
    "LosslabError",
    "MeanSquaredError",
    "Objective",
    "Optimizer",
    "Perceptron",
    "Problem",
    "QuadraticForm",
    "StepByHand",
    "Trajectory",
    "Walkthrough",
    "adagrad",
    "adam",
    "block_curvature",
    "build_objective",
    "compare",
    "csv_walkthrough",
    "curvature_report",
    "data_walkthrough",
    "gradient_check",
    "gradient_descent",
    "hutchinson_trace",
    "load_csv",
    "lr_sweep",
    "make_optimizer",
    "minibatch_noise",
    "momentum",
    "nesterov",
    "operator_of",
    "optim",
    "optimizers",
    "parse_expression",
    "pca_directions",
    "perceptron_objective",
    "quadratic_form",
    "random_directions",
    "rmsprop",
    "run",
    "scan_line",
    "scan_plane",
    "sgd",
    "spectral_density",
    "step_by_hand",
    "teacher_data",
    "top_eigenvalues",
    "toy_data",
    "train_and_scan",
    "walkthrough",
    "xor_landscape",
]

# Mode connectivity (issue 18): paths between two trained networks.
__all__ += [
    "Connection",
    "Curve",
    "CurveFit",
    "PathProfile",
    "connect",
    "fit_curve",
    "make_curve",
    "nudged_elastic_band",
    "path_profile",
]
