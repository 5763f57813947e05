"""The run loop: :func:`run` and :func:`continue_run` step an optimizer and record a Trajectory.

There is one loop and one rule for divergence (:func:`diverged`): the web app, the
lessons and the edge-of-stability run all step through here. What a caller wants to
watch along the way (the sharpness every k steps, say) is an *observer*: a function
``observe(step, params, loss)`` called at step 0, every ``every`` steps and at the last step.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.core.data import check_seed
from losslab.core.problem import Problem
from losslab.errors import LosslabError
from losslab.i18n import Lang, tr
from losslab.optim.rules import Optimizer
from losslab.optim.trajectory import Trajectory

FloatArray = NDArray[np.float64]


State = Any

#: ``observe(step, params (P,), loss)``: what a run shows an observer (see :func:`run`).
Observer = Callable[[int, FloatArray, float], None]

#: A run has diverged once its loss exceeds this many times ``max(1, |initial loss|)``.
#: Gradient descent just past ``2/lambda_max`` (1.1x) grows the loss ~1.44-fold a step,
#: a million-fold in about 40 steps; the edge-of-stability sawtooth of a network, whose
#: loss spikes stay near its starting loss, is never called diverged.
DIVERGENCE_FACTOR = 1e6


def loss_bound(initial_loss: float, factor: float = DIVERGENCE_FACTOR) -> float:
    """The loss above which a run that started at ``initial_loss`` has diverged.

    >>> loss_bound(5.0), loss_bound(0.01)
    (5000000.0, 1000000.0)
    """
    return factor * max(1.0, abs(initial_loss))


def diverged(params: FloatArray, loss: float, bound: float) -> bool:
    """THE divergence rule: parameters or loss not finite, or the loss above ``bound``
    (:func:`loss_bound` of the run's initial loss).

    >>> diverged(np.zeros(2), float("inf"), 1e6), diverged(np.zeros(2), 2e6, 1e6)
    (True, True)
    >>> diverged(np.zeros(2), 5.0, 1e6)
    False
    """
    return not (np.all(np.isfinite(params)) and math.isfinite(loss) and loss <= bound)


def stability_limit(problem: Problem) -> float | None:
    """``2 / lambda_max`` where the problem knows it in closed form (its ``stability_limit``
    capability: the perceptron and other linear models with the MSE, a bowl), else None.

    >>> from losslab.core.objective import book_ch6_function
    >>> stability_limit(book_ch6_function())
    1.0
    """
    limit = getattr(problem, "stability_limit", None)
    return None if limit is None else float(limit)


def n_samples(problem: Problem) -> int:
    """How many samples ``problem`` averages over (its ``n_samples``; 0 without data)."""
    return int(getattr(problem, "n_samples", None) or 0)


def minibatch(n: int, batch_size: int, seed: int, step: int) -> NDArray[np.intp]:
    """The sample indices of update ``step`` (0-based) of mini-batch SGD.

    Each epoch is a permutation of the n samples drawn from
    ``numpy.random.default_rng([seed, epoch])``, cut in order into batches (the
    last one may be smaller). It depends on the step alone, so a run can be
    continued or replayed (the web app does) and gives the same batches.

    >>> minibatch(5, 2, seed=0, step=0).size, minibatch(5, 2, seed=0, step=2).size
    (2, 1)
    """
    per_epoch = -(-n // batch_size)
    epoch, k = divmod(step, per_epoch)
    return _epoch_order(n, seed, epoch)[k * batch_size : (k + 1) * batch_size]


@functools.lru_cache(maxsize=2)
def _epoch_order(n: int, seed: int, epoch: int) -> NDArray[np.intp]:
    """The permutation of one epoch, drawn once (O(n)) and shared by its batches (read-only)."""
    order = np.random.default_rng([seed, epoch]).permutation(n)
    order.flags.writeable = False
    return order


def check_batch_size(problem: Problem, batch_size: float | None) -> int | None:
    """``batch_size`` as an int, when it is a whole number in ``1..n`` (else LosslabError).

    None (the full batch) stays None. Problems without data have no mini-batches.

    >>> from losslab.core.data import teacher_data
    >>> from losslab.core.objective import perceptron_objective
    >>> check_batch_size(perceptron_objective(teacher_data()), 4.0)
    4
    """
    if batch_size is None:
        return None
    n = n_samples(problem)
    if int(batch_size) != batch_size or not 1 <= batch_size <= max(n, 1) or n == 0:
        raise LosslabError("error.batch_size", value=batch_size, n=n)
    return int(batch_size)


@dataclass(frozen=True)
class Continuation:
    """What :func:`continue_run` made: the new points (after each update), and where it stopped.

    ``diverged_loss`` is the loss at update ``diverged_at`` (the point that broke the
    rule, not kept in ``params``), None when the run did not diverge.
    """

    params: list[FloatArray]
    losses: list[float]
    gradients: list[FloatArray]
    state: State
    stop: str
    diverged_at: int | None
    diverged_loss: float | None = None


def _observes(step: int, every: int, last: int) -> bool:
    """True at the steps an observer sees: 0, every, 2*every, ... and the last planned one."""
    return step % every == 0 or step == last


def continue_run(
    problem: Problem,
    optimizer: Optimizer,
    params: FloatArray,
    state: State,
    steps: int,
    bound: float,
    tolerance: float = 0.0,
    batch_size: int | None = None,
    seed: int = 0,
    first_step: int = 0,
    grad: FloatArray | None = None,
    every: int = 1,
    observe: Observer | None = None,
) -> Continuation:
    """Up to ``steps`` updates from ``params`` and optimizer ``state``, as :func:`run` makes them.

    Update ``first_step + k`` (k = 1, 2, ...) uses the mini-batch of step
    ``first_step + k - 1`` (see :func:`minibatch`) when ``batch_size`` is given, so a
    run continued in pieces (as the web app does) equals one made at once. Stops
    when the gradient norm is below ``tolerance``, or when :func:`diverged` says so for
    ``bound`` (``diverged_at = first_step + k``; the bad point is not kept). ``observe``
    sees each kept point whose step is a multiple of ``every`` or ``first_step + steps``.
    """
    n = n_samples(problem)
    grad = problem.gradient(params) if grad is None else grad
    path: list[FloatArray] = []
    losses: list[float] = []
    grads: list[FloatArray] = []
    stop, diverged_at, diverged_loss = "step limit", None, None
    last = first_step + steps
    for k in range(1, steps + 1):
        if float(np.linalg.norm(grad)) < tolerance:
            stop = "converged"
            break
        step_grad = grad
        if batch_size is not None and batch_size < n:  # a batch of all samples: the full gradient
            step_grad = problem.gradient(params, minibatch(n, batch_size, seed, first_step + k - 1))
        with np.errstate(all="ignore"):  # overflow is caught below as divergence
            updates, state = optimizer.update(step_grad, state, params)
            params = params + updates
            loss = problem.loss(params)
            grad = problem.gradient(params)
        if diverged(params, loss, bound):
            stop, diverged_at, diverged_loss = "diverged", first_step + k, float(loss)
            break
        path.append(params)
        losses.append(loss)
        grads.append(grad)
        if observe is not None and _observes(first_step + k, every, last):
            observe(first_step + k, params, loss)
    else:
        if float(np.linalg.norm(grad)) < tolerance:
            stop = "converged"
    return Continuation(path, losses, grads, state, stop, diverged_at, diverged_loss)


def run(
    problem: Problem,
    optimizer: Optimizer,
    init: ArrayLike,
    steps: int = 100,
    tolerance: float = 1e-10,
    divergence_bound: float = DIVERGENCE_FACTOR,
    batch_size: int | None = None,
    seed: int = 0,
    *,
    every: int = 1,
    observe: Observer | None = None,
) -> Trajectory:
    """Run ``optimizer`` on ``problem`` from ``init`` for at most ``steps`` updates.

    Each update uses the gradient over all data or, with ``batch_size``, over a
    mini-batch (seeded shuffling each epoch, see :func:`minibatch`). The recorded
    loss is always over all data. Stops early when the full gradient's norm falls below
    ``tolerance`` (converged), or when the loss becomes non-finite or exceeds
    ``divergence_bound`` times ``max(1, |initial loss|)`` (diverged, :func:`diverged`;
    ``meta["diverged_loss"]`` is the loss that broke the rule). Divergence is a result,
    not an error: the steps before it are kept.

    ``observe(step, params, loss)``, when given, is called with the start (step 0),
    after every ``every``-th update and after update ``steps`` (if the run gets there):
    what a caller measures along the way (the edge-of-stability lesson, λmax).

    >>> from losslab.core.data import teacher_data
    >>> from losslab.core.objective import perceptron_objective
    >>> from losslab.optim.rules import gradient_descent
    >>> obj = perceptron_objective(teacher_data("2*x + 1", "-1:3:21"))
    >>> traj = run(obj, gradient_descent(0.1), [3.0, 2.0], steps=500)
    >>> traj.meta["stop"], traj.params[-1].round(6).tolist()
    ('converged', [2.0, 1.0])
    >>> seen = []
    >>> _ = run(obj, gradient_descent(0.1), [3.0, 2.0], steps=5, every=2,
    ...         observe=lambda step, params, loss: seen.append(step))
    >>> seen
    [0, 2, 4, 5]
    """
    if int(steps) != steps or steps < 0:
        raise LosslabError("error.steps", value=steps)
    if isinstance(every, bool) or int(every) != every or every < 1:
        raise LosslabError("curvature.error_every", value=every)
    params = np.asarray(init, dtype=np.float64).copy()
    if params.shape != (len(problem.param_names),) or not np.all(np.isfinite(params)):
        raise LosslabError("error.init", value=np.asarray(init).tolist())
    batch_size = check_batch_size(problem, batch_size)
    if batch_size is not None:
        seed = check_seed(seed)
    loss = problem.loss(params)
    grad = problem.gradient(params)
    if observe is not None:
        observe(0, params, loss)
    bound = loss_bound(loss, divergence_bound)
    more = continue_run(problem, optimizer, params, optimizer.init(params), int(steps), bound,
                        tolerance, batch_size, seed, grad=grad, every=int(every),
                        observe=observe)  # fmt: skip
    path, losses, grads = [params, *more.params], [loss, *more.losses], [grad, *more.gradients]
    meta: dict[str, Any] = {
        "optimizer": optimizer.name,
        "hyperparameters": dict(optimizer.hyperparameters),
        "param_names": list(problem.param_names),
        "stop": more.stop,
        "diverged_at": more.diverged_at,
        "max_steps": int(steps),
        "tolerance": tolerance,
        "batch_size": batch_size,
        "seed": seed,
    }
    if more.diverged_loss is not None:
        meta["diverged_loss"] = more.diverged_loss
    limit = stability_limit(problem)
    if limit is not None:
        meta["stability_limit"] = limit
    return Trajectory(
        params=np.array(path), losses=np.array(losses), gradients=np.array(grads), meta=meta
    )


def stop_message(trajectory: Trajectory, lang: Lang = "en") -> str:
    """One sentence on why a run stopped; for divergence, which step and the rate's limit."""
    meta = trajectory.meta
    stop = meta["stop"]
    if stop == "diverged":
        lr = meta["hyperparameters"].get("learning_rate", float("nan"))
        limit = meta.get("stability_limit")
        if limit is not None:
            return tr(
                "msg.diverged_limit",
                lang,
                step=meta["diverged_at"],
                lr=lr,
                limit=limit,
                ratio=lr / limit,
            )
        return tr("msg.diverged", lang, step=meta["diverged_at"], lr=lr)
    if stop == "converged":
        return tr("msg.converged", lang, steps=trajectory.steps)
    return tr("msg.step_limit", lang, steps=trajectory.steps)
