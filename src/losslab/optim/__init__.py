"""Optimizers as pure ``(init, update)`` pairs (the book's, exactly), the run loop, and
the Trajectory it records.
"""

from losslab.optim.loop import (
    DIVERGENCE_FACTOR,
    Continuation,
    Observer,
    continue_run,
    diverged,
    loss_bound,
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
    "DIVERGENCE_FACTOR",
    "OPTIMIZERS",
    "Continuation",
    "Observer",
    "Optimizer",
    "Trajectory",
    "adagrad",
    "adam",
    "check_learning_rate",
    "continue_run",
    "diverged",
    "gradient_descent",
    "loss_bound",
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
