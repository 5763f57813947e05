"""Training a path between two networks: a curve's bends, or the pivots of an elastic band.

:func:`fit_curve` trains the bends of a Bezier curve or a polygonal chain to minimise the
expected loss along it, ``E_{t ~ U(0, 1)} loss(phi(t))`` (Garipov et al. 2018, "Loss
Surfaces, Mode Connectivity, and Fast Ensembling of DNNs", NeurIPS): each step draws
``t``, and the gradient with respect to bend ``i`` is the bend's weight at ``t`` times
the loss's gradient at ``phi(t)``, one gradient of the problem per sample.

:func:`nudged_elastic_band` moves the pivots of a chain by the nudged-elastic-band force
(Draxler et al. 2018, "Essentially No Barriers in Neural Network Energy Landscape",
ICML; Henkelman and Jónsson 2000): the loss's gradient across the path, a spring along
it, and from half-way on a climbing image (the highest pivot climbs along the path to
the saddle, so that the path's maximum is a saddle's height).

Both use the update rules of :mod:`losslab.optim.rules` on the stacked trainable points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from losslab.core.problem import Problem
from losslab.core.summary import Summarised
from losslab.errors import LosslabError
from losslab.landscape.connect import MAX_BENDS, Curve, make_curve
from losslab.optim.loop import check_batch_size, diverged, loss_bound, minibatch, n_samples
from losslab.optim.rules import check_learning_rate, make_optimizer

FloatArray = NDArray[np.float64]

#: Steps of a curve fit by default.
CURVE_STEPS = 1000

#: The largest number of steps of a fit.
MAX_FIT_STEPS = 100_000


@dataclass(frozen=True, repr=False)
class CurveFit(Summarised):
    """A trained path with its record: ``losses[k]`` is the loss at step k's sampled point(s)
    (a noisy estimate of the expected loss along the curve; for an elastic band, the
    highest pivot's loss)."""

    curve: Curve
    losses: FloatArray  # (steps,)
    meta: Mapping[str, Any] = field(default_factory=dict)


def _check_fit(steps: int, learning_rate: float | None, samples: int = 1) -> None:
    if int(steps) != steps or not 0 <= steps <= MAX_FIT_STEPS:
        raise LosslabError("connect.error_steps", value=steps, limit=MAX_FIT_STEPS)
    if learning_rate is not None:
        check_learning_rate(learning_rate)
    if int(samples) != samples or not 1 <= samples <= 1024:
        raise LosslabError("connect.error_samples", value=samples)


def _batches(problem: Problem, batch_size: int | None) -> tuple[int, int | None]:
    """The number of samples and the checked mini-batch size (None: all samples)."""
    return n_samples(problem), check_batch_size(problem, batch_size)


def curve_gradient(
    problem: Problem, curve: Curve, ts: FloatArray, batch: NDArray[np.intp] | None = None
) -> tuple[float, FloatArray]:
    """The mean loss at ``curve.points(ts)`` and its gradient (k, P) with respect to the bends.

    The point at ``t`` is ``sum_j w_j(t) nodes[j]``, so the gradient of its loss with
    respect to bend i is ``w_{1+i}(t)`` times the loss's gradient there (one gradient per
    t); ``batch`` (sample indices) restricts the gradients to a mini-batch, the loss
    stays over all samples.

    >>> from losslab.core.objective import QuadraticBowl
    >>> bowl = QuadraticBowl(np.eye(1), np.zeros(1))
    >>> curve_gradient(bowl, Curve("bezier", np.array([[0.0], [2.0], [0.0]])), np.array([0.5]))
    (0.5, array([[0.5]]))
    """
    grad = np.zeros_like(curve.bends)
    total = 0.0
    for w in curve.weights(ts):  # (k + 2,) per t
        point = w @ curve.nodes
        grad += w[1:-1, None] * problem.gradient(point, batch)[None, :]
        total += problem.loss(point)
    return total / len(ts), grad / len(ts)


def fit_curve(
    problem: Problem,
    curve: Curve,
    steps: int = CURVE_STEPS,
    optimizer: str = "adam",
    learning_rate: float | None = None,
    seed: int = 0,
    samples: int = 1,
    batch_size: int | None = None,
) -> CurveFit:
    """Train ``curve``'s bends to minimise the expected loss along it (Garipov et al. 2018).

    Each of ``steps`` updates draws ``samples`` values ``t ~ U(0, 1)``
    (``numpy.random.default_rng(seed)``) and moves the bends (k, P) by ``optimizer``
    along ``mean_t weights(t)[1:-1, None] * gradient(phi(t))``; with ``batch_size`` the
    gradients are over mini-batches (:func:`~losslab.optim.loop.minibatch`). The ends stay.
    A curve without bends (the line, ``bends=0``) has nothing to train: LosslabError.

    >>> from losslab.core.objective import QuadraticBowl
    >>> bowl = QuadraticBowl(np.eye(2), np.zeros(2))
    >>> fit = fit_curve(bowl, make_curve([-1.0, 1.0], [1.0, 1.0], "polychain"), steps=400,
    ...                 optimizer="sgd", learning_rate=0.5)
    >>> round(float(fit.curve.bends[0, 1]), 1)  # the optimum of y^2 along both pieces: -1/2
    -0.5
    """
    _check_fit(steps, learning_rate, samples)
    k = curve.bends.shape[0]
    if k == 0:
        raise LosslabError("connect.error_no_bends", kind=curve.kind)
    n, size = _batches(problem, batch_size)
    opt = make_optimizer(optimizer, learning_rate)
    rng = np.random.default_rng(seed)
    bends = curve.bends.copy()
    state = opt.init(bends)
    losses = np.empty(int(steps))
    current = curve
    bound = math.inf
    for step in range(int(steps)):
        ts = rng.uniform(0.0, 1.0, int(samples))
        batch = minibatch(n, size, seed, step) if size is not None and size < n else None
        with np.errstate(all="ignore"):  # overflow is caught below as divergence
            losses[step], grad = curve_gradient(problem, current, ts, batch)
            updates, state = opt.update(grad, state, bends)
            bends = bends + updates
        bound = loss_bound(losses[0]) if step == 0 else bound  # the run loop's rule
        if diverged(bends, losses[step], bound):
            raise LosslabError("connect.error_diverged", step=step + 1, lr=_lr(opt.hyperparameters))
        current = current.with_bends(bends)
    meta = {"trained": "curve", "optimizer": opt.name, "hyperparameters": dict(opt.hyperparameters),
            "steps": int(steps), "seed": seed, "samples": int(samples),
            "batch_size": size}  # fmt: skip
    return CurveFit(current, losses, meta)


def _lr(hyperparameters: Mapping[str, float]) -> float:
    return float(hyperparameters.get("learning_rate", math.nan))


def neb_forces(
    nodes: FloatArray, gradients: FloatArray, spring: float, climbing: int | None = None
) -> FloatArray:
    """The nudged-elastic-band force (k, P) on each of the k pivots ``nodes[1:-1]``.

    ``gradients`` (k, P) are the loss's gradients at the pivots. With the tangent ``tau``
    at pivot i (the unit vector from its left to its right neighbour), the force is the
    loss's downhill direction across the path plus a spring along it:

        F_i = -(g_i - (g_i . tau) tau) + spring * (|p_{i+1} - p_i| - |p_i - p_{i-1}|) tau

    The climbing pivot (index into the k pivots) feels no spring and the gradient's
    component along the path reversed, ``F = -g + 2 (g . tau) tau``: it climbs to a
    saddle along the path and goes down across it.

    >>> nodes = np.array([[0.0, 0.0], [0.2, 0.0], [2.0, 0.0]])
    >>> neb_forces(nodes, np.array([[1.0, 3.0]]), spring=1.0).tolist()  # pulled right
    [[1.6, -3.0]]
    """
    prev, here, nxt = nodes[:-2], nodes[1:-1], nodes[2:]
    tau = nxt - prev
    tau = tau / np.maximum(np.linalg.norm(tau, axis=1, keepdims=True), 1e-300)
    along = np.sum(gradients * tau, axis=1, keepdims=True)
    stretch = np.linalg.norm(nxt - here, axis=1) - np.linalg.norm(here - prev, axis=1)
    force = -(gradients - along * tau) + spring * stretch[:, None] * tau
    if climbing is not None:
        force[climbing] = -gradients[climbing] + 2.0 * along[climbing] * tau[climbing]
    return np.asarray(force)


def nudged_elastic_band(
    problem: Problem,
    start: FloatArray,
    end: FloatArray,
    pivots: int = 3,
    steps: int = CURVE_STEPS,
    optimizer: str = "adam",
    learning_rate: float | None = None,
    spring: float = 1.0,
    climb: bool = True,
    batch_size: int | None = None,
    seed: int = 0,
) -> CurveFit:
    """A chain of ``pivots`` points from ``start`` to ``end`` relaxed by the NEB force.

    The pivots start evenly on the straight line; each of ``steps`` updates computes the
    loss and gradient at every pivot and moves them by ``optimizer`` along
    :func:`neb_forces` (the optimizer descends ``-force``). From half-way on (``climb``)
    the highest pivot is the climbing image, while it is higher than both ends. Draxler
    et al. 2018 (AutoNEB, without its insertion of new pivots). Returns a ``polychain``
    :class:`CurveFit`.
    """
    _check_fit(steps, learning_rate)
    if int(pivots) != pivots or not 1 <= pivots <= MAX_BENDS:
        raise LosslabError("connect.error_bends", value=pivots, limit=MAX_BENDS)
    if not (math.isfinite(spring) and spring >= 0):
        raise LosslabError("connect.error_spring", value=spring)
    curve = make_curve(start, end, "polychain", int(pivots))
    n, size = _batches(problem, batch_size)
    opt = make_optimizer(optimizer, learning_rate)
    nodes = curve.nodes.copy()
    state = opt.init(nodes[1:-1])
    highest = np.empty(int(steps))
    climbs_from = int(steps) // 2 if climb else int(steps) + 1
    climber: int | None = None
    ends = max(problem.loss(nodes[0]), problem.loss(nodes[-1]))
    bound = math.inf
    for step in range(int(steps)):
        batch = minibatch(n, size, seed, step) if size is not None and size < n else None
        with np.errstate(all="ignore"):  # overflow is caught below as divergence
            losses = np.array([problem.loss(p) for p in nodes[1:-1]])
            grads = np.stack([problem.gradient(p, batch) for p in nodes[1:-1]])
        highest[step] = float(np.max(losses))
        # Climb only to a barrier: where no pivot is above both ends there is no saddle
        # between them to climb to (along a convex valley the image would run away).
        climbing = step >= climbs_from and highest[step] > ends
        climber = int(np.argmax(losses)) if climbing else None
        with np.errstate(all="ignore"):
            force = neb_forces(nodes, grads, spring, climber)
            updates, state = opt.update(-force, state, nodes[1:-1])
            nodes[1:-1] = nodes[1:-1] + updates
        bound = loss_bound(highest[0]) if step == 0 else bound  # the run loop's rule
        if diverged(nodes, highest[step], bound) or not np.all(np.isfinite(losses)):
            raise LosslabError("connect.error_band_diverged", step=step + 1,
                               lr=_lr(opt.hyperparameters), spring=spring)  # fmt: skip
    meta = {"trained": "elastic band", "optimizer": opt.name,
            "hyperparameters": dict(opt.hyperparameters), "steps": int(steps), "seed": seed,
            "spring": spring, "climbing_image": climber, "batch_size": size}  # fmt: skip
    return CurveFit(Curve("polychain", nodes), highest, meta)
