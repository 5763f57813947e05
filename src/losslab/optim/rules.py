"""Update rules as pure ``(init, update)`` pairs, exactly as in the book's ``common/optimizer.py``.

As in optax, ``update(grads, state, params) -> (updates, new_state)`` and the
new parameters are ``params + updates``; nothing is changed in place.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from losslab.errors import LosslabError

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
