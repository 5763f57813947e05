"""losslab: see, and measure, why gradient descent trains a neural network.

The computation layers (data, models, losses, objective, analysis, landscape,
optimizers, walkthrough) are imported here; drawing (``losslab.plots``), the
report (``losslab.report``) and the CLI are imported only when used.

>>> import losslab as ll
>>> wt = ll.walkthrough()
>>> wt.quadratic.minimum.round(10).tolist()
[2.0, 1.0]
"""

from losslab.analysis import QuadraticForm, quadratic_form
from losslab.data import Dataset, Expression, parse_expression, teacher_data
from losslab.errors import LosslabError
from losslab.landscape import Landscape, scan_plane
from losslab.losses import MeanSquaredError
from losslab.models import Perceptron
from losslab.objective import Objective, perceptron_objective
from losslab.optimizers import Optimizer, Trajectory, gradient_descent, run
from losslab.walkthrough import StepByHand, Walkthrough, step_by_hand, walkthrough

__version__ = "0.1.0"

__all__ = [
    "Dataset",
    "Expression",
    "Landscape",
    "LosslabError",
    "MeanSquaredError",
    "Objective",
    "Optimizer",
    "Perceptron",
    "QuadraticForm",
    "StepByHand",
    "Trajectory",
    "Walkthrough",
    "gradient_descent",
    "parse_expression",
    "perceptron_objective",
    "quadratic_form",
    "run",
    "scan_plane",
    "step_by_hand",
    "teacher_data",
    "walkthrough",
]
