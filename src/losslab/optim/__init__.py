"""Optimizers as pure ``(init, update)`` pairs (the book's, exactly), the run loop, and
the Trajectory it records.
"""

from losslab.optim.loop import (
    Continuation,
    continue_run,
    minibatch,
    run,
    stability_limit,
    stop_message,
)
from losslab.optim.rules import (
    OPTIMIZERS,
    Optimizer,
    adagrad,
    adam,
    check_learning_rate,
    gradient_descent,
    make_optimizer,
    momentum,
    nesterov,
    rmsprop,
    sgd,
)
from losslab.optim.trajectory import (
    Trajectory,
)

__all__ = [
    "OPTIMIZERS",
    "Continuation",
    "Optimizer",
    "Trajectory",
    "adagrad",
    "adam",
    "check_learning_rate",
    "continue_run",
    "gradient_descent",
    "make_optimizer",
    "minibatch",
    "momentum",
    "nesterov",
    "rmsprop",
    "run",
    "sgd",
    "stability_limit",
    "stop_message",
]
