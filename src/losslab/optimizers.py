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
from typing import IO, Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.analysis import quadratic_form
from losslab.errors import LosslabError
from losslab.i18n import Lang, tr
from losslab.objective import Objective, Problem, QuadraticBowl

FloatArray = NDArray[np.float64]
State = Any


class Optimizer(NamedTuple):
    """A pair of pure functions, with a name and hyper-parameters for the record."""

    init: Callable[[FloatArray], State]
    update: Callable[[FloatArray, State, FloatArray], tuple[FloatArray, State]]
    name: str
    hyperparameters: Mapping[str, float]


class _Step(NamedTuple):
    """State of optimizers that only count steps."""

    step: int


class _Velocity(NamedTuple):
    """State of Momentum and Nesterov: the velocity ``v``."""

    v: FloatArray


class _Accumulator(NamedTuple):
    """State of AdaGrad and RMSprop: the (decayed) sum of squared gradients ``h``."""

    h: FloatArray


class _Moments(NamedTuple):
    """State of Adam: step count, first moment ``m``, second moment ``v``."""

    step: int
    m: FloatArray
    v: FloatArray


#: The book's epsilon in AdaGrad, RMSprop and Adam (``common/optimizer.py``).
EPSILON = 1e-7


def gradient_descent(learning_rate: float = 0.1) -> Optimizer:
    """Plain (full-batch) gradient descent: ``params <- params - learning_rate * grad``.

    Cauchy (1847), "Méthode générale pour la résolution des systèmes d'équations
    simultanées"; the book's ``SGD`` class with the whole data as one batch.

    >>> opt = gradient_descent(0.1)
    >>> updates, _ = opt.update(np.array([1.0, -2.0]), opt.init(np.zeros(2)), np.zeros(2))
    >>> updates
    array([-0.1,  0.2])
    """
    return _plain("gradient descent", learning_rate)


def sgd(learning_rate: float = 0.01) -> Optimizer:
    """Stochastic gradient descent, the book's ``SGD``: ``params -= lr * grad``.

    The rule is that of gradient descent; what makes it stochastic is the
    gradient of a mini-batch (``run(..., batch_size=...)``). Robbins and Monro
    (1951), "A Stochastic Approximation Method".
    """
    return _plain("SGD", learning_rate)


def _plain(name: str, learning_rate: float) -> Optimizer:
    check_learning_rate(learning_rate)

    def init(params: FloatArray) -> State:
        return _Step(0)

    def update(grads: FloatArray, state: State, params: FloatArray) -> tuple[FloatArray, State]:
        return -learning_rate * grads, _Step(state.step + 1)

    return Optimizer(init, update, name, {"learning_rate": learning_rate})


def momentum(learning_rate: float = 0.01, momentum: float = 0.9) -> Optimizer:
    """Momentum, the book's rule: ``v <- momentum*v - lr*grad``; ``params += v``.

    Polyak (1964), "Some methods of speeding up the convergence of iteration methods".

    >>> opt = momentum(0.1, 0.9)
    >>> g = np.array([1.0])
    >>> u1, s = opt.update(g, opt.init(np.zeros(1)), np.zeros(1))
    >>> u2, s = opt.update(g, s, u1)
    >>> u1.tolist(), u2.round(12).tolist()
    ([-0.1], [-0.19])
    """
    check_learning_rate(learning_rate)

    def init(params: FloatArray) -> State:
        return _Velocity(np.zeros_like(params))

    def update(grads: FloatArray, state: State, params: FloatArray) -> tuple[FloatArray, State]:
        v = momentum * state.v - learning_rate * grads
        return v, _Velocity(v)

    return Optimizer(
        init, update, "Momentum", {"learning_rate": learning_rate, "momentum": momentum}
    )


def nesterov(learning_rate: float = 0.01, momentum: float = 0.9) -> Optimizer:
    """Nesterov's accelerated gradient in the book's current form.

    ``v <- momentum*v - lr*grad``;
    ``params += momentum^2 * v - (1 + momentum) * lr * grad``.
    Nesterov (1983); the reformulation of Bengio, Boulanger-Lewandowski and
    Pascanu (2012), "Advances in Optimizing Recurrent Networks", arXiv:1212.0901.
    """
    check_learning_rate(learning_rate)

    def init(params: FloatArray) -> State:
        return _Velocity(np.zeros_like(params))

    def update(grads: FloatArray, state: State, params: FloatArray) -> tuple[FloatArray, State]:
        v = momentum * state.v - learning_rate * grads
        return momentum * momentum * v - (1 + momentum) * learning_rate * grads, _Velocity(v)

    return Optimizer(
        init, update, "Nesterov", {"learning_rate": learning_rate, "momentum": momentum}
    )


def adagrad(learning_rate: float = 0.01) -> Optimizer:
    """AdaGrad, the book's rule: ``h += grad^2``; ``params -= lr * grad / (sqrt(h) + 1e-7)``.

    Duchi, Hazan and Singer (2011), "Adaptive Subgradient Methods for Online
    Learning and Stochastic Optimization", JMLR 12.
    """
    check_learning_rate(learning_rate)

    def init(params: FloatArray) -> State:
        return _Accumulator(np.zeros_like(params))

    def update(grads: FloatArray, state: State, params: FloatArray) -> tuple[FloatArray, State]:
        h = state.h + grads * grads
        return -learning_rate * grads / (np.sqrt(h) + EPSILON), _Accumulator(h)

    return Optimizer(init, update, "AdaGrad", {"learning_rate": learning_rate})


def rmsprop(learning_rate: float = 0.01, decay_rate: float = 0.99) -> Optimizer:
    """RMSprop, the book's rule: ``h <- decay*h + (1 - decay)*grad^2``;
    ``params -= lr * grad / (sqrt(h) + 1e-7)``.

    Tieleman and Hinton (2012), COURSERA: Neural Networks for Machine Learning, lecture 6.5.
    """
    check_learning_rate(learning_rate)

    def init(params: FloatArray) -> State:
        return _Accumulator(np.zeros_like(params))

    def update(grads: FloatArray, state: State, params: FloatArray) -> tuple[FloatArray, State]:
        h = decay_rate * state.h + (1 - decay_rate) * grads * grads
        return -learning_rate * grads / (np.sqrt(h) + EPSILON), _Accumulator(h)

    return Optimizer(
        init, update, "RMSprop", {"learning_rate": learning_rate, "decay_rate": decay_rate}
    )


def adam(learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999) -> Optimizer:
    """Adam with the book's bias-corrected step.

    ``m += (1 - beta1)(grad - m)``; ``v += (1 - beta2)(grad^2 - v)``;
    ``lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)``;
    ``params -= lr_t * m / (sqrt(v) + 1e-7)``.
    Kingma and Ba (2015), "Adam: A Method for Stochastic Optimization", arXiv:1412.6980.
    """
    check_learning_rate(learning_rate)

    def init(params: FloatArray) -> State:
        return _Moments(0, np.zeros_like(params), np.zeros_like(params))

    def update(grads: FloatArray, state: State, params: FloatArray) -> tuple[FloatArray, State]:
        t = state.step + 1
        m = state.m + (1 - beta1) * (grads - state.m)
        v = state.v + (1 - beta2) * (grads**2 - state.v)
        lr_t = learning_rate * np.sqrt(1.0 - beta2**t) / (1.0 - beta1**t)
        return -lr_t * m / (np.sqrt(v) + EPSILON), _Moments(t, m, v)

    return Optimizer(
        init,
        update,
        "Adam",
        {"learning_rate": learning_rate, "beta1": beta1, "beta2": beta2},
    )


#: Optimizers by the names the CLI takes, with the book's default learning rates.
OPTIMIZERS: Mapping[str, Callable[..., Optimizer]] = {
    "gd": gradient_descent,
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
}


def make_optimizer(name: str, learning_rate: float | None = None) -> Optimizer:
    """An optimizer by name (see :data:`OPTIMIZERS`), with its default or a given learning rate.

    >>> make_optimizer("adam", 0.3).hyperparameters["learning_rate"]
    0.3
    """
    key = name.strip().lower()
    if key not in OPTIMIZERS:
        raise LosslabError("error.optimizer", name=name, names=", ".join(OPTIMIZERS))
    factory = OPTIMIZERS[key]
    return factory() if learning_rate is None else factory(learning_rate)


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

    def save(self, path: str | Path | IO[bytes]) -> None:
        """Write to ``path`` (.npz, or a binary file) with the metadata as JSON; never pickle."""
        np.savez(
            path if not isinstance(path, str) else Path(path),
            params=self.params,
            losses=self.losses,
            gradients=self.gradients,
            meta=np.array(json.dumps(dict(self.meta))),
        )

    def csv_text(self) -> str:
        """One row per step (step, parameters, loss, gradient) after a ``# {json}`` line."""
        names = list(self.meta.get("param_names", [f"p{k}" for k in range(self.params.shape[1])]))
        header = ["step", *names, "loss", *[f"grad_{name}" for name in names]]
        table = np.column_stack(
            [np.arange(self.params.shape[0]), self.params, self.losses, self.gradients]
        )
        lines = ["# " + json.dumps(dict(self.meta)), ",".join(header)]
        lines += [",".join(repr(float(v)) for v in row) for row in table]
        return "\n".join(lines) + "\n"

    def save_csv(self, path: str | Path) -> None:
        """Write :meth:`csv_text` to ``path``."""
        Path(path).write_text(self.csv_text(), encoding="utf-8")

    @classmethod
    def load_csv(cls, path: str | Path) -> Trajectory:
        """Read a trajectory written by :meth:`save_csv`."""
        with Path(path).open(encoding="utf-8") as f:
            meta = json.loads(f.readline().removeprefix("# "))
            columns = f.readline().strip().split(",")
            table = np.loadtxt(f, delimiter=",", ndmin=2)
        p = (len(columns) - 2) // 2
        return cls(
            params=table[:, 1 : 1 + p],
            losses=table[:, 1 + p],
            gradients=table[:, 2 + p :],
            meta=meta,
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


def stability_limit(problem: Problem) -> float | None:
    """``2 / lambda_max`` for a quadratic problem (the perceptron with MSE, a bowl), else None."""
    if isinstance(problem, QuadraticBowl):
        return float(2.0 / np.linalg.eigvalsh(problem.hessian)[-1])
    if isinstance(problem, Objective) and problem.is_linear_mse and len(problem.param_names) == 2:
        return quadratic_form(problem.data).stability_limit
    return None


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
    order = np.random.default_rng([seed, epoch]).permutation(n)
    return order[k * batch_size : (k + 1) * batch_size]


@dataclass(frozen=True)
class Continuation:
    """What :func:`continue_run` made: the new points (after each update), and where it stopped."""

    params: list[FloatArray]
    losses: list[float]
    gradients: list[FloatArray]
    state: State
    stop: str
    diverged_at: int | None


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
) -> Continuation:
    """Up to ``steps`` updates from ``params`` and optimizer ``state``, as :func:`run` makes them.

    Update ``first_step + k`` (k = 1, 2, ...) uses the mini-batch of step
    ``first_step + k - 1`` (see :func:`minibatch`) when ``batch_size`` is given, so a
    run continued in pieces (as the web app does) equals one made at once. Stops
    when the gradient norm is below ``tolerance`` or the loss leaves ``[.., bound]``
    or is not finite (``diverged_at = first_step + k``); the bad point is not kept.
    """
    n = problem.data.n if isinstance(problem, Objective) else 0
    grad = problem.gradient(params) if grad is None else grad
    path: list[FloatArray] = []
    losses: list[float] = []
    grads: list[FloatArray] = []
    stop, diverged_at = "step limit", None
    for k in range(1, steps + 1):
        if float(np.linalg.norm(grad)) < tolerance:
            stop = "converged"
            break
        step_grad = grad
        if batch_size is not None:
            step_grad = problem.gradient(params, minibatch(n, batch_size, seed, first_step + k - 1))
        updates, state = optimizer.update(step_grad, state, params)
        with np.errstate(all="ignore"):
            params = params + updates
            loss = problem.loss(params)
            grad = problem.gradient(params)
        if not (np.all(np.isfinite(params)) and math.isfinite(loss) and loss <= bound):
            stop, diverged_at = "diverged", first_step + k
            break
        path.append(params)
        losses.append(loss)
        grads.append(grad)
    else:
        if float(np.linalg.norm(grad)) < tolerance:
            stop = "converged"
    return Continuation(path, losses, grads, state, stop, diverged_at)


def run(
    problem: Problem,
    optimizer: Optimizer,
    init: ArrayLike,
    steps: int = 100,
    tolerance: float = 1e-10,
    divergence_bound: float = 1e12,
    batch_size: int | None = None,
    seed: int = 0,
) -> Trajectory:
    """Run ``optimizer`` on ``problem`` from ``init`` for at most ``steps`` updates.

    Each update uses the gradient over all data or, with ``batch_size``, over a
    mini-batch (seeded shuffling each epoch, see :func:`minibatch`). The recorded
    loss is always over all data. Stops early when the full gradient's norm falls below
    ``tolerance`` (converged), or when the loss becomes non-finite or exceeds
    ``divergence_bound`` times ``max(1, initial loss)`` (diverged).
    Divergence is a result, not an error: the finite steps are kept.

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
    if params.shape != (len(problem.param_names),) or not np.all(np.isfinite(params)):
        raise LosslabError("error.init", value=np.asarray(init).tolist())
    if batch_size is not None:
        n = problem.data.n if isinstance(problem, Objective) else 0
        if int(batch_size) != batch_size or not 1 <= batch_size <= max(n, 1) or n == 0:
            raise LosslabError("error.batch_size", value=batch_size, n=n)
        batch_size = int(batch_size)
    loss = problem.loss(params)
    grad = problem.gradient(params)
    bound = divergence_bound * max(1.0, abs(loss))
    more = continue_run(problem, optimizer, params, optimizer.init(params), int(steps), bound,
                        tolerance, batch_size, seed, grad=grad)  # fmt: skip
    path, losses, grads = [params, *more.params], [loss, *more.losses], [grad, *more.gradients]
    stop, diverged_at = more.stop, more.diverged_at
    meta: dict[str, Any] = {
        "optimizer": optimizer.name,
        "hyperparameters": dict(optimizer.hyperparameters),
        "param_names": list(problem.param_names),
        "stop": stop,
        "diverged_at": diverged_at,
        "max_steps": int(steps),
        "tolerance": tolerance,
        "batch_size": batch_size,
        "seed": seed,
    }
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
