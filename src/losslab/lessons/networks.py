"""Beyond the perceptron: train a small network and scan its landscape in a plane and a line.

Everything the ``landscape`` command and the report's XOR section show is
computed here: the model and loss for the data, the training trajectory,
the plane (random filter-normalised, PCA of the path, or two named
parameters), the 1D interpolation from the start to the trained network,
and the decision boundary or fitted curve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from losslab.core.data import MAX_MAGNITUDE, Dataset
from losslab.core.losses import LOSSES, Loss, sigmoid
from losslab.core.mlp import MLP
from losslab.core.objective import Objective
from losslab.core.summary import Summarised
from losslab.defaults import MAX_AXIS_POINTS, MIN_AXIS_POINTS, NETWORK_LEARNING_RATE
from losslab.errors import LosslabError
from losslab.i18n import Lang
from losslab.landscape.directions import (
    PCAPlane,
    hessian_directions,
    normalisation,
    parameter_directions,
    pca_directions,
    random_directions,
)
from losslab.landscape.executor import RowExecutor
from losslab.landscape.result import Landscape
from losslab.landscape.scan import box_axes, scan_line, scan_plane
from losslab.landscape.span import AutoSpan, auto_axes
from losslab.optim.loop import run
from losslab.optim.rules import make_optimizer
from losslab.optim.trajectory import Trajectory

FloatArray = NDArray[np.float64]


Plane = Literal["pca", "random", "params", "hessian", "saddle"]


def default_loss(data: Dataset) -> str:
    """MSE for regression, binary cross-entropy for two classes, softmax CE for more."""
    if data.meta.get("task") == "classification" or _looks_like_labels(data.t):
        return "bce" if int(np.max(data.t)) <= 1 else "softmax-ce"
    return "mse"


def _looks_like_labels(t: FloatArray) -> bool:
    return bool(np.all(t == np.round(t)) and np.min(t) >= 0 and np.unique(t).size <= 10)


def build_objective(
    data: Dataset, hidden: Sequence[int] = (8,), activation: str = "tanh", loss: str | None = None
) -> Objective:
    """An MLP sized for the data (inputs from x, outputs from the loss) with its loss."""
    name = default_loss(data) if loss is None else loss.strip().lower()
    if name not in LOSSES:
        raise LosslabError("error.loss", name=name, names=", ".join(LOSSES))
    inputs = 1 if data.x.ndim == 1 else int(data.x.shape[1])
    if name in ("bce", "softmax-ce") and not _looks_like_labels(data.t):
        raise LosslabError("error.labels", loss=name)
    outputs = int(np.max(data.t)) + 1 if name == "softmax-ce" else 1
    if name == "bce" and np.max(data.t) > 1:
        raise LosslabError("error.labels", loss=name)
    loss_fn: Loss = LOSSES[name]()
    return Objective(MLP((inputs, *hidden, outputs), activation), loss_fn, data)


#: The named models of the network commands: the loss each one fixes (None: from the data).
MODEL_LOSSES: Mapping[str, str | None] = {"mlp": None, "linear": "mse", "logistic": "bce"}


def model_objective(
    data: Dataset,
    model: str = "mlp",
    hidden: Sequence[int] = (8,),
    activation: str = "tanh",
    loss: str | None = None,
) -> Objective:
    """The objective of a named model: ``mlp`` (hidden layers; loss from :func:`default_loss`),
    ``linear`` (no hidden layer, MSE) or ``logistic`` (no hidden layer, BCE); ``loss`` overrides.
    """
    sizes = tuple(hidden) if model == "mlp" else ()
    return build_objective(data, sizes, activation, loss or MODEL_LOSSES[model])


@dataclass(frozen=True, repr=False)
class NetworkRun(Summarised):
    """A trained network with its landscapes (plane and line) and what it predicts."""

    objective: Objective
    trajectory: Trajectory
    plane: Landscape
    plane_kind: Plane
    path_coords: FloatArray  # (T, 2): the trajectory in the plane's coordinates
    line: Landscape
    prediction_grid: tuple[FloatArray, ...]  # (gx, gy, p) for 2 inputs, (xs, ys) for 1
    pca: PCAPlane | None
    accuracy: float | None  # the trained network's fraction right (classification), else None


def train_network(
    objective: Objective,
    optimizer: str = "adam",
    learning_rate: float | None = NETWORK_LEARNING_RATE,
    steps: int = 500,
    seed: int = 0,
) -> Trajectory:
    """Train the objective's network from its seeded start for ``steps`` updates (full batch).

    The trajectory's parameters are (steps + 1, P), the start first; it stops early only
    when the loss diverges.
    """
    start = seeded_start(objective, seed)
    return run(objective, make_optimizer(optimizer, learning_rate), start, steps=steps, tolerance=0)


def seeded_start(objective: Objective, seed: int = 0) -> FloatArray:
    """The network's parameters (P,) before training: the MLP's seeded initialisation."""
    model = objective.model
    assert isinstance(model, MLP)
    return model.init_params(seed)


def train_and_scan(
    objective: Objective,
    optimizer: str = "adam",
    learning_rate: float | None = NETWORK_LEARNING_RATE,
    steps: int = 500,
    seed: int = 0,
    plane: Plane = "pca",
    params: Sequence[str] = (),
    span: float | AutoSpan = 1.0,
    points: int = 51,
    ignore_biases: bool = True,
    *,
    executor: RowExecutor | None = None,
    resume: str | Path | None = None,
    progress: bool = False,
    lang: Lang = "en",
) -> NetworkRun:
    """Train from a seeded start, then scan a plane around the trained parameters.

    ``span`` is the half-width of the plane in its coordinates: for random
    (filter-normalised) directions, 1.0 means a step as large as the weights
    themselves; for PCA it is multiplied by the path's extent; for named
    parameters it is in the parameters' own units. An :class:`AutoSpan` chooses the
    half-width along each direction from a probe (:func:`~losslab.landscape.span.auto_axes`:
    the loss at the edge reaches 10x the trained network's, or a ceiling), recorded in
    ``plane.meta["span"]``. The plane runs through
    ``executor`` (serial by default; a Dask one gives the same values bit for bit),
    kept in the ``resume`` file as it goes, with a progress bar if ``progress``.
    """
    limit = MAX_AXIS_POINTS["network"]
    if not MIN_AXIS_POINTS <= points <= limit:
        raise LosslabError("error.net_points", value=points, limit=limit)
    auto = span if isinstance(span, AutoSpan) else None
    half = 1.0 if isinstance(span, AutoSpan) else span
    if not (np.isfinite(half) and 0 < half <= MAX_MAGNITUDE):
        raise LosslabError("error.span", value=span)
    traj = train_network(objective, optimizer, learning_rate, steps, seed)
    start, final = traj.params[0], traj.params[-1]
    origin, directions, coords, axes, labels, pca = _plane_of(
        objective, traj, plane, params, half, points, seed, ignore_biases
    )
    record: dict[str, Any] = {"mode": "fixed", "span": span}
    if auto is not None:
        (a, c), record = auto_axes(objective, origin, directions, auto, points, executor=executor)
        axes = (a, c)
    landscape = scan_plane(objective, axes, origin, directions, labels=labels,
                           executor=executor, resume=resume, progress=progress,
                           lang=lang)  # fmt: skip
    made = {"span": record, "seed": seed, "normalisation": normalisation(plane, not ignore_biases)}
    landscape = replace(landscape, meta={**landscape.meta, **made})
    line = scan_line(objective, start, final)
    return NetworkRun(
        objective=objective,
        trajectory=traj,
        plane=landscape,
        plane_kind=plane,
        path_coords=coords,
        line=line,
        prediction_grid=prediction_grid(objective, final),
        pca=pca,
        accuracy=accuracy(objective, final),
    )


def _plane_of(
    objective: Objective,
    traj: Trajectory,
    plane: Plane,
    params: Sequence[str],
    span: float,
    points: int,
    seed: int,
    ignore_biases: bool,
) -> tuple[FloatArray, FloatArray, FloatArray, tuple[FloatArray, FloatArray], tuple[str, str],
           PCAPlane | None]:  # fmt: skip
    """The plane to scan (origin, directions), the path's coordinates in it, its axes and
    labels, and the PCA of the path when the plane is ``pca``."""
    final = traj.params[-1]
    if plane == "pca":
        if traj.meta.get("stop") == "diverged" and len(traj.params) < 3:
            raise LosslabError("error.pca_diverged", step=traj.meta.get("diverged_at"),
                               count=len(traj.params))  # fmt: skip
        pca = pca_directions(traj.params)
        extent = float(np.max(np.abs(pca.coords))) if pca.coords.size else 1.0
        half = span * max(extent, 1e-3) * 1.2
        axes = (np.linspace(-half, half, points), np.linspace(-half, half, points))
        return pca.origin, pca.directions, pca.coords, axes, ("PC1", "PC2"), pca
    if plane == "random":
        model = objective.model
        assert isinstance(model, MLP)
        directions = random_directions(model, final, seed=seed, keep_biases=not ignore_biases)
        coords = _project(traj.params - final, directions)
        axes = (np.linspace(-span, span, points), np.linspace(-span, span, points))
        return final, directions, coords, axes, ("α", "β"), None
    if plane in ("hessian", "saddle"):
        hessian = hessian_directions(objective, final, "top" if plane == "hessian" else plane,
                                     seed=seed)  # fmt: skip
        coords = _project(traj.params - final, hessian.directions)
        axes = (np.linspace(-span, span, points), np.linspace(-span, span, points))
        names = ("v₁", "v₂") if plane == "hessian" else ("v_max", "v_min")
        labels = (f"{names[0]} (λ = {hessian.eigenvalues[0]:.4g})",
                  f"{names[1]} (λ = {hessian.eigenvalues[1]:.4g})")  # fmt: skip
        return final, hessian.directions, coords, axes, labels, None
    if plane == "params":
        directions = parameter_directions(objective.param_names, params)
        coords = (traj.params - final) @ directions.T
        axes = box_axes(np.vstack([coords, [[-span, -span], [span, span]]]), n=points)
        labels = (f"Δ {params[0]}", f"Δ {params[1]}")  # offsets from the trained value
        return final, directions, coords, axes, labels, None
    raise LosslabError("error.plane", name=plane)


def _project(vectors: FloatArray, directions: FloatArray) -> FloatArray:
    """Least-squares coordinates of vectors in the span of two (not orthogonal) directions."""
    coefficients, *_ = np.linalg.lstsq(directions.T, vectors.T, rcond=None)
    return np.asarray(coefficients.T)


def prediction_grid(
    objective: Objective, params: FloatArray, n: int = 200
) -> tuple[FloatArray, ...]:
    """What the network predicts over the input range: a grid for 2 inputs, a curve for 1.

    For 2 inputs returns ``(gx, gy, value)`` with value the probability of
    class 1 (sigmoid), the most likely class (softmax), or the output; for 1
    input ``(xs, ys)``.
    """
    model = objective.model
    assert isinstance(model, MLP)
    x = objective.data.x
    if x.ndim == 1 or x.shape[1] == 1:
        lo, hi = float(x.min()), float(x.max())
        pad = 0.05 * (hi - lo)
        xs = np.linspace(lo - pad, hi + pad, n)
        return xs, _readout(objective, model.predict(params, xs))
    if x.shape[1] != 2:
        return ()
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = 0.15 * (hi - lo)
    gx, gy = np.meshgrid(
        np.linspace(lo[0] - pad[0], hi[0] + pad[0], n),
        np.linspace(lo[1] - pad[1], hi[1] + pad[1], n),
    )
    out = model.predict(params, np.column_stack([gx.ravel(), gy.ravel()]))
    return gx, gy, _readout(objective, out).reshape(gx.shape)


def _readout(objective: Objective, out: FloatArray) -> FloatArray:
    name = objective.loss_fn.name
    if name == "bce":
        return sigmoid(out)
    if name == "softmax-ce":
        return np.asarray(np.argmax(out, axis=-1), dtype=np.float64)
    return out


def accuracy(objective: Objective, params: FloatArray) -> float | None:
    """The fraction of samples classified right (classification losses), else None."""
    name = objective.loss_fn.name
    out = objective.model.predict(params, objective.data.x)
    if name == "bce":
        return float(np.mean((out > 0) == (objective.data.t > 0.5)))
    if name == "softmax-ce":
        return float(np.mean(np.argmax(out, axis=-1) == objective.data.t))
    return None
