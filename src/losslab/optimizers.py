"""Optimizers as pure ``(init, update)`` pairs, and :func:`run`, which records a Trajectory.

As in optax, ``update(grads, state, params) -> (updates, new_state)`` and the
new parameters are ``params + updates``; nothing is changed in place.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.analysis import quadratic_form
from losslab.errors import LosslabError
from losslab.objective import Objective

FloatArray = NDArray[np.float64]
State = Any


class Optimizer(NamedTuple):
    """A pair of pure functions, with a name and hyper-parameters for the record."""

    init: Callable[[FloatArray], State]
    update: Callable[[FloatArray, State, FloatArray], tuple[FloatArray, State]]
    name: str
    hyperparameters: Mapping[str, float]


def gradient_descent(learning_rate: float = 0.1) -> Optimizer:
    """Plain (full-batch) gradient descent: ``params <- params - learning_rate * grad``.

    Cauchy (1847), "Méthode générale pour la résolution des systèmes d'équations
    simultanées"; the book's ``SGD`` class with the whole data as one batch.

    >>> opt = gradient_descent(0.1)
    >>> updates, _ = opt.update(np.array([1.0, -2.0]), opt.init(np.zeros(2)), np.zeros(2))
    >>> updates
    array([-0.1,  0.2])
    """
    check_learning_rate(learning_rate)

    def init(params: FloatArray) -> State:
        return ()

    def update(grads: FloatArray, state: State, params: FloatArray) -> tuple[FloatArray, State]:
        return -learning_rate * grads, state

    return Optimizer(init, update, "gradient descent", {"learning_rate": learning_rate})


def check_learning_rate(learning_rate: float) -> None:
    """Raise a clear error unless the learning rate is a positive finite number."""
    if not (isinstance(learning_rate, int | float) and math.isfinite(learning_rate)) or (
        learning_rate <= 0
    ):
        raise LosslabError("error.learning_rate", value=learning_rate)


@dataclass(frozen=True)
class Trajectory:
    """The path of an optimizer: parameters (T, P), losses (T,), gradients (T, P).

    Row 0 is the start; row k is after k updates. ``meta["stop"]`` says why it
    stopped: ``"converged"`` (gradient norm below the tolerance), ``"step limit"``
    or ``"diverged"`` (then ``meta["diverged_at"]`` is the first update whose
    loss was non-finite or past the bound; only the finite steps are kept).
    """

    params: FloatArray
    losses: FloatArray
    gradients: FloatArray
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """The number of updates made (rows minus one)."""
        return int(self.params.shape[0]) - 1

    def save(self, path: str | Path) -> None:
        """Write to ``path`` (.npz) with the metadata as JSON; never pickle."""
        np.savez(
            Path(path),
            params=self.params,
            losses=self.losses,
            gradients=self.gradients,
            meta=np.array(json.dumps(dict(self.meta))),
        )

    @classmethod
    def load(cls, path: str | Path) -> Trajectory:
        """Read a trajectory written by :meth:`save`."""
        with np.load(Path(path), allow_pickle=False) as z:
            return cls(
                params=z["params"],
                losses=z["losses"],
                gradients=z["gradients"],
                meta=json.loads(str(z["meta"])),
            )


def run(
    objective: Objective,
    optimizer: Optimizer,
    init: ArrayLike,
    steps: int = 100,
    tolerance: float = 1e-10,
    divergence_bound: float = 1e12,
) -> Trajectory:
    """Run ``optimizer`` on ``objective`` from ``init`` for at most ``steps`` updates.

    Stops early when the gradient norm falls below ``tolerance`` (converged), or
    when the loss becomes non-finite or exceeds ``divergence_bound`` times
    ``max(1, initial loss)`` (diverged). Divergence is a result, not an error.

    >>> from losslab.data import teacher_data
    >>> from losslab.objective import perceptron_objective
    >>> obj = perceptron_objective(teacher_data("2*x + 1", "-1:3:21"))
    >>> traj = run(obj, gradient_descent(0.1), [3.0, 2.0], steps=500)
    >>> traj.meta["stop"], traj.params[-1].round(6).tolist()
    ('converged', [2.0, 1.0])
    """
    if int(steps) != steps or steps < 0:
        raise LosslabError("error.steps", value=steps)
    params = np.asarray(init, dtype=np.float64).copy()
    if params.shape != (len(objective.model.param_names),) or not np.all(np.isfinite(params)):
        raise LosslabError("error.init", value=np.asarray(init).tolist())
    state = optimizer.init(params)
    loss = objective.loss(params)
    grad = objective.gradient(params)
    bound = divergence_bound * max(1.0, abs(loss))
    path, losses, grads = [params], [loss], [grad]
    stop, diverged_at = "step limit", None
    for k in range(1, int(steps) + 1):
        if float(np.linalg.norm(grad)) < tolerance:
            stop = "converged"
            break
        updates, state = optimizer.update(grad, state, params)
        with np.errstate(all="ignore"):
            params = params + updates
            loss = objective.loss(params)
            grad = objective.gradient(params)
        if not (np.all(np.isfinite(params)) and math.isfinite(loss) and loss <= bound):
            stop, diverged_at = "diverged", k
            break
        path.append(params)
        losses.append(loss)
        grads.append(grad)
    else:
        if float(np.linalg.norm(grad)) < tolerance:
            stop = "converged"
    meta: dict[str, Any] = {
        "optimizer": optimizer.name,
        "hyperparameters": dict(optimizer.hyperparameters),
        "stop": stop,
        "diverged_at": diverged_at,
        "max_steps": int(steps),
        "tolerance": tolerance,
    }
    if objective.is_linear_mse and len(objective.model.param_names) == 2:
        meta["stability_limit"] = quadratic_form(objective.data).stability_limit
    return Trajectory(
        params=np.array(path), losses=np.array(losses), gradients=np.array(grads), meta=meta
    )
