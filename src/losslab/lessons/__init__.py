"""What the report, CLI, app and notebooks show, each computed once and returned as a
result object: the perceptron walk-through, optimizer experiments, small networks, XOR,
the gradient check and the report's experiments.
"""

from losslab.lessons.gradcheck import (
    GRADCHECK_TOLERANCE,
    GradcheckRow,
    gradcheck,
    gradcheck_cases,
)
from losslab.lessons.networks import (
    NetworkRun,
    accuracy,
    build_objective,
    default_loss,
    model_objective,
    prediction_grid,
    train_and_scan,
)
from losslab.lessons.optimizers import (
    Comparison,
    MinibatchNoise,
    Sweep,
    SweepRun,
    TrainingRun,
    compare,
    lr_sweep,
    minibatch_noise,
    perceptron_data,
    training_run,
)
from losslab.lessons.own_data import (
    csv_walkthrough,
    data_walkthrough,
    reference_curve,
)
from losslab.lessons.perceptron import (
    StepByHand,
    Walkthrough,
    step_by_hand,
    walkthrough,
)
from losslab.lessons.report import (
    ReportData,
    report_data,
)
from losslab.lessons.xor import (
    XorLandscape,
    xor_landscape,
)

__all__ = [
    "GRADCHECK_TOLERANCE",
    "Comparison",
    "GradcheckRow",
    "MinibatchNoise",
    "NetworkRun",
    "ReportData",
    "StepByHand",
    "Sweep",
    "SweepRun",
    "TrainingRun",
    "Walkthrough",
    "XorLandscape",
    "accuracy",
    "build_objective",
    "compare",
    "csv_walkthrough",
    "data_walkthrough",
    "default_loss",
    "gradcheck",
    "gradcheck_cases",
    "lr_sweep",
    "minibatch_noise",
    "model_objective",
    "perceptron_data",
    "prediction_grid",
    "reference_curve",
    "report_data",
    "step_by_hand",
    "train_and_scan",
    "training_run",
    "walkthrough",
    "xor_landscape",
]
