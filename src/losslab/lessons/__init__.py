"""What the report, CLI, app and notebooks show, each computed once and returned as a
result object: the perceptron walk-through, optimizer experiments, small networks, XOR.
"""

from losslab.lessons.networks import (
    NetworkRun,
    accuracy,
    build_objective,
    default_loss,
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
from losslab.lessons.xor import (
    XorLandscape,
    xor_landscape,
)

__all__ = [
    "Comparison",
    "MinibatchNoise",
    "NetworkRun",
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
    "lr_sweep",
    "minibatch_noise",
    "perceptron_data",
    "prediction_grid",
    "reference_curve",
    "step_by_hand",
    "train_and_scan",
    "training_run",
    "walkthrough",
    "xor_landscape",
]
