"""The XOR lesson: a network's landscape is not a bowl (two equivalent minima, a saddle between)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from losslab.core.mlp import MLP
from losslab.core.objective import Objective
from losslab.core.summary import Summarised
from losslab.defaults import NETWORK_LEARNING_RATE
from losslab.landscape.critical import CriticalPoints, critical_points
from losslab.landscape.result import Landscape
from losslab.landscape.scan import scan_plane
from losslab.lessons.networks import build_objective
from losslab.optim.loop import run
from losslab.optim.rules import make_optimizer
from losslab.optim.trajectory import Trajectory

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, repr=False)
class XorLandscape(Summarised):
    """The XOR network's landscape in the plane through two equivalent minima."""

    objective: Objective
    minimum: FloatArray  # one trained network (P,)
    twin: FloatArray  # the same network with its hidden units swapped
    landscape: Landscape  # a = -1 is the twin, a = +1 the trained network
    critical: CriticalPoints
    minimum_loss: float  # the loss of the trained network (and of its twin)
    saddle: FloatArray | None  # the lowest saddle point found, (α, β, loss); None if none


def xor_landscape(seed: int = 0, steps: int = 3000, points: int = 121) -> XorLandscape:
    """Train a 2-2-1 tanh network on XOR and scan the plane through it and its twin.

    Swapping the two hidden units (columns of W1 and b1, rows of W2) gives a
    different parameter vector that computes the same function: a second
    minimum of the same loss. Between them, on the straight line, both hidden
    units become equal and the network cannot compute XOR, so the loss rises:
    the landscape of a network is not a bowl.
    """
    from losslab.core.datasets import toy_data

    data = toy_data("xor", n=4, noise=0.0, seed=seed)
    objective = build_objective(data, hidden=(2,), activation="tanh", loss="bce")
    model = objective.model
    assert isinstance(model, MLP)
    best: Trajectory | None = None
    for attempt in range(8):  # a seed that reaches a minimum (XOR has plateaus)
        opt = make_optimizer("adam", NETWORK_LEARNING_RATE)
        traj = run(objective, opt, model.init_params(seed + attempt), steps=steps, tolerance=0)
        if best is None or traj.losses[-1] < best.losses[-1]:
            best = traj
        if traj.losses[-1] < 0.05:
            break
    assert best is not None
    theta = best.params[-1]
    (W1, b1), (W2, b2) = model.layers(theta)
    twin = np.concatenate([W1[:, ::-1].ravel(), b1[::-1], W2[::-1, :].ravel(), b2])
    origin = (theta + twin) / 2
    d1 = (theta - twin) / 2
    rng = np.random.default_rng(seed)
    d2 = rng.normal(size=d1.size)
    d2 -= (d2 @ d1) / (d1 @ d1) * d1
    d2 *= np.linalg.norm(d1) / np.linalg.norm(d2)
    axis = np.linspace(-2.0, 2.0, points)
    landscape = scan_plane(objective, (axis, axis), origin, np.stack([d1, d2]), labels=("α", "β"))
    critical = critical_points(landscape)
    saddles = critical.saddles
    saddle = saddles[np.argmin(saddles[:, 2])] if len(saddles) else None
    loss = float(objective.loss(theta))
    return XorLandscape(objective, theta, twin, landscape, critical, loss, saddle)
