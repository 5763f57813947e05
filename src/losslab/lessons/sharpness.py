"""The edge of stability: full-batch gradient descent at learning rate η, watching λmax.

For the perceptron λmax is a constant (the quadratic form's larger eigenvalue): the run
converges when ``η < 2 / λmax`` and diverges when ``η > 2 / λmax``, exactly as the
walk-through says. A network's λmax moves while it trains: it rises ("progressive
sharpening") until it reaches ``2 / η``, then hovers there while the loss keeps going
down, not monotonically (Cohen, Kaur, Li, Kolter, Talwalkar 2021, "Gradient Descent on
Neural Networks Typically Occurs at the Edge of Stability", ICLR).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.analysis.curvature import operator_of, top_eigenvalues
from losslab.core.data import Dataset, teacher_data
from losslab.core.datasets import toy_data
from losslab.core.losses import MeanSquaredError
from losslab.core.mlp import MLP
from losslab.core.objective import Objective, perceptron_objective
from losslab.defaults import START
from losslab.errors import LosslabError
from losslab.io import save_npz
from losslab.optim.loop import run
from losslab.optim.rules import gradient_descent

FloatArray = NDArray[np.float64]
Stop = Literal["step limit", "diverged"]


@dataclass(frozen=True, repr=False)
class SharpnessRun:
    """A gradient-descent run with λmax measured every ``every`` steps.

    ``losses`` (T+1,) is the loss at every step (index 0: the start; a diverged run ends
    with the loss that broke the run loop's rule); ``steps`` (m,) the steps where λmax
    was measured and ``lambda_max`` (m,) its values; ``final_params`` (P,) the last point
    the run kept.
    """

    losses: FloatArray
    steps: NDArray[np.intp]
    lambda_max: FloatArray
    learning_rate: float
    every: int
    seed: int
    problem: str
    stopped: Stop
    final_params: FloatArray

    @property
    def stability_limit(self) -> float:
        """``2 / η``: the sharpness at which gradient descent at this learning rate is on
        the edge of stability."""
        return 2.0 / self.learning_rate

    @property
    def start_rate_limit(self) -> float:
        """``2 / λmax`` at the start: the largest learning rate that does not fly off at
        once, what a diverged run's rate is compared with."""
        return 2.0 / float(self.lambda_max[0])

    @property
    def diverged_at(self) -> int | None:
        """The step that broke the run loop's divergence rule (None if it did not)."""
        return len(self.losses) - 1 if self.stopped == "diverged" else None

    def edge_ratio(self, fraction: float = 0.5) -> tuple[float, float, float]:
        """λmax / (2/η) over the last ``fraction`` of the measurements: (mean, min, max)."""
        tail = self.lambda_max[int(len(self.lambda_max) * (1 - fraction)) :]
        ratio = tail / self.stability_limit
        return float(ratio.mean()), float(ratio.min()), float(ratio.max())

    def first_reach(self, level: float = 0.95) -> int | None:
        """The first measured step where λmax reaches ``level * 2/η`` (None if never)."""
        hits = np.flatnonzero(self.lambda_max >= level * self.stability_limit)
        return int(self.steps[hits[0]]) if hits.size else None

    def csv_text(self) -> str:
        """``step,loss,lambda_max`` per step (λmax empty where it was not measured)."""
        sharp = dict(zip(self.steps.tolist(), self.lambda_max.tolist(), strict=True))
        lines = ["step,loss,lambda_max"]
        lines += [f"{k},{loss!r},{sharp[k]!r}" if k in sharp else f"{k},{loss!r},"
                  for k, loss in enumerate(self.losses.tolist())]  # fmt: skip
        return "\n".join(lines) + "\n"

    def save(self, path: str | Path | IO[bytes]) -> None:
        """Write the arrays to an ``.npz`` with the settings as JSON metadata (never pickle)."""
        meta = {"problem": self.problem, "learning_rate": self.learning_rate,
                "every": self.every, "seed": self.seed, "stopped": self.stopped}  # fmt: skip
        arrays = {"losses": self.losses, "steps": self.steps, "lambda_max": self.lambda_max,
                  "final_params": self.final_params}  # fmt: skip
        save_npz(path, arrays, meta)

    def __repr__(self) -> str:
        return (
            f"SharpnessRun(learning_rate={self.learning_rate:g}, steps={len(self.losses) - 1}, "
            f"lambda_max {self.lambda_max[0]:.4g} -> {self.lambda_max[-1]:.4g}, "
            f"2/lr={self.stability_limit:.4g}, {self.stopped})"
        )


def sharpness_run(
    problem: Any,
    init: ArrayLike,
    learning_rate: float,
    steps: int,
    every: int = 10,
    seed: int = 0,
    tol: float = 1e-6,
    problem_text: str = "",
) -> SharpnessRun:
    """Full-batch gradient descent ``p <- p - η grad(p)`` from ``init``, λmax every ``every`` steps.

    ``problem`` is any Problem with the ``hvp`` capability (every numpy problem of
    losslab, a :class:`~losslab.adapters.torch_problem.TorchProblem`). The run is
    :func:`losslab.optim.loop.run` with an observer that measures λmax (Lanczos' largest
    eigenvalue, relative accuracy ``tol``, seeded start) at step 0, every ``every`` steps
    and at the last step; it stops early, as every run does, when the loop's one divergence
    rule says "diverged" (``losses`` then ends with the loss that broke it).

    >>> run = sharpness_run(perceptron_objective(teacher_data()), [3.0, 2.0], 0.1, 20, every=10)
    >>> run.steps.tolist(), round(float(run.lambda_max[0]), 6), run.stopped
    ([0, 10, 20], 5.94681, 'step limit')
    """
    if not (math.isfinite(learning_rate) and learning_rate > 0):
        raise LosslabError("error.learning_rate", value=learning_rate)
    if not 1 <= int(steps) <= 1_000_000:
        raise LosslabError("error.steps", value=steps)
    if not 1 <= int(every) <= int(steps):
        raise LosslabError("curvature.error_every", value=every)
    marks: list[int] = []
    sharp: list[float] = []

    def measure(step: int, params: FloatArray, loss: float) -> None:
        op = operator_of(problem, params, problem_text)
        marks.append(step)
        sharp.append(top_eigenvalues(op, k=1, tol=tol, seed=seed).lambda_max)

    traj = run(problem, gradient_descent(float(learning_rate)), init, int(steps), tolerance=0.0,
               every=int(every), observe=measure)  # fmt: skip
    losses, final = traj.losses, traj.params[-1]
    stopped: Stop = "diverged" if traj.meta["stop"] == "diverged" else "step limit"
    if stopped == "diverged":  # the point that broke the rule, as the figure and table show it
        losses = np.append(losses, traj.meta["diverged_loss"])
    return SharpnessRun(
        losses,
        np.array(marks, dtype=np.intp),
        np.array(sharp),
        float(learning_rate),
        int(every),
        seed,
        problem_text or operator_of(problem, final).problem,
        stopped,
        final,
    )


def toy_mlp_problem(
    data: str = "spirals", hidden: tuple[int, ...] = (16, 16), seed: int = 0
) -> tuple[Objective, FloatArray]:
    """The lab's small network: an MLP (tanh) with the mean squared error on a toy set,
    as Cohen et al. train theirs; returns the objective and its seeded start."""
    dataset = toy_data(data, seed=seed)
    x = dataset.x[:, np.newaxis] if dataset.x.ndim == 1 else dataset.x
    net = MLP((x.shape[1], *hidden, 1), "tanh")
    return Objective(net, MeanSquaredError(), dataset), net.init_params(seed)


@dataclass(frozen=True, repr=False)
class EdgeOfStability:
    """The lesson: the perceptron just below and just above ``2/λmax``, and a toy MLP."""

    perceptron_lambda_max: float
    perceptron_runs: tuple[SharpnessRun, ...]
    network: SharpnessRun

    @property
    def perceptron_stability_limit(self) -> float:
        """``2 / λmax`` of the perceptron: the largest learning rate at which it converges."""
        return 2.0 / self.perceptron_lambda_max

    @property
    def perceptron_fractions(self) -> tuple[float, ...]:
        """Each perceptron run's learning rate as a fraction of ``2 / λmax`` (0.9 and 1.1)."""
        limit = self.perceptron_stability_limit
        return tuple(run.learning_rate / limit for run in self.perceptron_runs)

    def __repr__(self) -> str:
        return f"EdgeOfStability(perceptron λmax={self.perceptron_lambda_max:.4g}, {self.network})"


def edge_of_stability(
    learning_rate: float = 0.1,
    steps: int = 2500,
    every: int = 10,
    seed: int = 0,
    data: Dataset | None = None,
) -> EdgeOfStability:
    """The perceptron at 0.9 and 1.1 times ``2/λmax`` and the toy MLP at ``learning_rate``.

    The perceptron runs on ``data`` (the walk-through's; default: the teacher data).
    """
    perceptron = perceptron_objective(teacher_data() if data is None else data)
    lam = top_eigenvalues(operator_of(perceptron, START), k=1).lambda_max
    runs = tuple(
        sharpness_run(perceptron, START, f * 2.0 / lam, 60, every=20, problem_text="y = wx + b")
        for f in (0.9, 1.1)
    )
    problem, init = toy_mlp_problem(seed=seed)
    network = sharpness_run(problem, init, learning_rate, steps, every, seed)
    return EdgeOfStability(lam, runs, network)
