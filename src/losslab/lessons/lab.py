"""The interactive lab's lesson: everything the web app shows, computed here, with plain
JSON-able sessions in and out.

A *session* is what one browser tab keeps: the data it chose (``settings``), the path of
the optimizer so far with its losses, the optimizer's state and a message. The app only
checks what the page sends (:mod:`losslab.app.schema`), calls these functions and draws
what they return:

- :func:`read_settings` and :func:`new_session`: a fresh path from a start point;
- :func:`advance`: more updates of an optimizer, through the one run loop
  (:func:`losslab.optim.loop.continue_run`) and its one divergence rule;
- :func:`view`: what the page draws for a session (the data and the fitted line, the
  landscape zoomed around the path, the bowl, the gradient at the current point);
- :func:`train_network`: the small-network section (train, scan a plane, accuracy).

What depends on the data alone (:class:`Setting`) and the zoomed landscapes are cached
per data and box, shared by every tab and never changed.

>>> session = new_session(read_settings("2*x + 1", "-1:3:21", 0.0, 0), [3.0, 2.0])
>>> session = advance(session, "gd", 0.1, 3)
>>> len(session["path"]), round(session["losses"][-1], 4)
(4, 0.075)
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from losslab.analysis.quadratic import QuadraticForm, quadratic_form
from losslab.core.data import (
    Dataset,
    check_noise,
    check_seed,
    parse_grid_axis,
    parse_samples,
    teacher_curve,
    teacher_data,
)
from losslab.core.datasets import toy_data
from losslab.core.mlp import parse_hidden
from losslab.core.objective import Objective, perceptron_objective
from losslab.defaults import GRID
from losslab.errors import LosslabError
from losslab.landscape.result import Landscape
from losslab.landscape.scan import box_axes, scan_plane
from losslab.lessons.networks import NetworkRun, Plane, build_objective, train_and_scan
from losslab.optim.loop import check_batch_size, continue_run, loss_bound
from losslab.optim.rules import make_optimizer
from losslab.optim.trajectory import Trajectory

FloatArray = NDArray[np.float64]
Session = dict[str, Any]

#: The most samples the lab's data may have.
MAX_SAMPLES = 10_000
#: The most updates one "Run" makes.
MAX_RUN = 1_000
#: The most points a path may have.
MAX_PATH = 5_000
#: Points per axis of the landscape zoomed around the path.
ZOOM_POINTS = 201
#: The small network: at most this many hidden layers of at most NET_MAX_UNITS units,
#: NET_MAX_STEPS training steps, a NET_POINTS x NET_POINTS plane.
NET_MAX_LAYERS, NET_MAX_UNITS, NET_MAX_STEPS, NET_POINTS = 3, 64, 2_000, 41


# --- the library's results, cached per data (read-only, shared by all tabs) ---------------
@dataclass(frozen=True)
class Setting:
    """Everything computed from the data alone."""

    data: Dataset
    objective: Objective
    quadratic: QuadraticForm
    bowl: Landscape  # -10..10, step 0.5 (the article's grid)
    curve: tuple[FloatArray, FloatArray]  # the teacher's curve (x (m,), t (m,))


@functools.lru_cache(maxsize=32)
def setting(teacher: str, x: str, noise: float, seed: int) -> Setting:
    """The data, objective, closed forms and landscape for one choice of data (cached)."""
    samples = parse_samples(x)
    if samples.size > MAX_SAMPLES:
        raise LosslabError("error.app_samples", limit=MAX_SAMPLES)
    data = teacher_data(teacher, samples, noise=noise, seed=seed)
    assert data.teacher is not None  # made from a teacher expression
    objective = perceptron_objective(data)
    axis = parse_grid_axis(GRID)
    bowl = scan_plane(objective, (axis, axis))
    curve = teacher_curve(data.teacher, data.x)
    return Setting(data, objective, quadratic_form(data), bowl, curve)


def setting_of(session: Session) -> Setting:
    """The cached :class:`Setting` of a session."""
    st = session["settings"]
    return setting(st["teacher"], st["x"], st["noise"], st["seed"])


@functools.lru_cache(maxsize=64)
def _zoom(teacher: str, x: str, noise: float, seed: int, box: tuple[float, ...]) -> Landscape:
    """The landscape on a 201 x 201 grid of the box (w0, w1, b0, b1), cached."""
    s = setting(teacher, x, noise, seed)
    return scan_plane(
        s.objective,
        (np.linspace(box[0], box[1], ZOOM_POINTS), np.linspace(box[2], box[3], ZOOM_POINTS)),
    )


def zoom(session: Session) -> Landscape:
    """The landscape around the session's path and the minimum (ZOOM_POINTS per axis), in a
    snapped box so that nearby paths share one cached scan."""
    st = session["settings"]
    path = np.asarray(session["path"], dtype=np.float64)
    points = np.vstack([path, setting_of(session).quadratic.minimum])
    a, c = box_axes(points, ZOOM_POINTS, margin=0.65, min_half=0.75, snap=True)
    box = (float(a[0]), float(a[-1]), float(c[0]), float(c[-1]))
    return _zoom(st["teacher"], st["x"], st["noise"], st["seed"], box)


def read_settings(teacher: str, x: str, noise: float, seed: int) -> dict[str, Any]:
    """Check the data (raises LosslabError) and return them as plain values.

    The fields come through :mod:`losslab.app.schema` first (types, lengths, ranges).
    """
    noise_value = check_noise(noise)
    seed_value = check_seed(seed)
    settings = {"teacher": str(teacher or ""), "x": str(x or ""), "noise": noise_value,
                "seed": seed_value}  # fmt: skip
    setting(**settings)  # parses and computes now, so errors show before the state changes
    return settings


# --- a session: plain JSON ------------------------------------------------------------------
def state_to_json(state: Any) -> Any:
    """An optimizer state (NamedTuple of arrays) as plain JSON values."""
    if isinstance(state, tuple) and hasattr(state, "_fields"):
        return {name: state_to_json(getattr(state, name)) for name in state._fields}
    if isinstance(state, np.ndarray):
        return state.tolist()
    return state


def state_from_json(template: Any, data: Any) -> Any:
    """The optimizer state that :func:`state_to_json` wrote, shaped like ``template``."""
    if isinstance(template, tuple) and hasattr(template, "_fields"):
        if not isinstance(data, dict) or set(data) != set(template._fields):
            raise LosslabError("webapp.session")
        return type(template)(*[
            state_from_json(getattr(template, name), data[name]) for name in template._fields
        ])  # fmt: skip
    if isinstance(template, np.ndarray):
        array = np.asarray(data, dtype=np.float64)
        if array.shape != template.shape:
            raise LosslabError("webapp.session")
        return array
    if isinstance(template, int | float) and not isinstance(data, int | float):
        raise LosslabError("webapp.session")
    return data


def new_session(settings: dict[str, Any], init: list[float]) -> Session:
    """A fresh path from ``init`` (w, b) for the data in ``settings``."""
    s = setting(settings["teacher"], settings["x"], settings["noise"], settings["seed"])
    loss = s.objective.loss(init)
    return {"settings": settings, "path": [list(init)], "losses": [loss], "opt": None,
            "stop": None, "message": None}  # fmt: skip


def advance(
    session: Session, optimizer: str, lr: float, steps: int, batch: int | None = None
) -> Session:
    """``steps`` more updates of ``optimizer`` from the end of the path (state kept).

    With ``batch`` (SGD only), each update uses the mini-batch of
    :func:`losslab.optim.loop.minibatch` for its step, as ``run`` does; the path in pieces
    equals one run made at once. Divergence is the run loop's verdict (its one rule, on
    the loss at the path's start); the message then names the step and ``2/lambda_max``.
    """
    s = setting_of(session)
    opt = make_optimizer(optimizer, lr)
    params = np.asarray(session["path"][-1], dtype=np.float64)
    template = opt.init(params)
    saved = session.get("opt")
    if saved and saved.get("name") == optimizer and saved.get("lr") == lr:
        state = state_from_json(template, saved["state"])
    else:
        state = template
    path, losses = list(session["path"]), list(session["losses"])
    steps = min(steps, MAX_PATH - len(path))
    if steps <= 0:
        return {**session, "message": {"key": "app.path_full", "params": {"limit": MAX_PATH}}}
    size = check_batch_size(s.objective, batch)
    use_batches = optimizer == "sgd" and size is not None and size < s.data.n
    more = continue_run(s.objective, opt, params, state, steps, loss_bound(losses[0]),
                        batch_size=size if use_batches else None, seed=session["settings"]["seed"],
                        first_step=len(path) - 1)  # fmt: skip
    path += [p.tolist() for p in more.params]
    losses += more.losses
    message = None
    if more.stop == "diverged":
        message = {"kind": "diverged", "step": more.diverged_at, "lr": lr,
                   "limit": s.quadratic.stability_limit}  # fmt: skip
    return {**session, "path": path, "losses": losses, "message": message,
            "opt": {"name": optimizer, "lr": lr, "state": state_to_json(more.state)}}  # fmt: skip


def error_message(session: Session, exc: LosslabError) -> Session:
    """The session with ``exc`` as its message (parameters made JSON-safe)."""
    params: dict[str, Any] = json.loads(json.dumps(exc.params, default=str))
    return {**session, "message": {"kind": "error", "key": exc.key, "params": params}}


# --- what the page draws ----------------------------------------------------------------
@dataclass(frozen=True)
class LabView:
    """What the page shows for a session.

    ``trajectory`` is the path (T, 2) with its losses (T,) and the optimizer in its meta
    (a session keeps no gradients along the path: they are zeros); ``gradient`` (2,) is
    the gradient at the current point ``trajectory.params[-1]``; ``line`` (m,) the
    perceptron's predictions there along the teacher curve's x; ``zoom`` the landscape
    around the path.
    """

    setting: Setting
    trajectory: Trajectory
    gradient: FloatArray
    line: FloatArray
    zoom: Landscape


def view(session: Session, optimizer: str, lr: float) -> LabView:
    """Everything the page draws for ``session``; ``optimizer`` and ``lr`` name the run in
    the figures when no update has been made yet."""
    s = setting_of(session)
    path = np.asarray(session["path"], dtype=np.float64)
    losses = np.asarray(session["losses"], dtype=np.float64)
    opt = session["opt"] or {"name": optimizer, "lr": lr}
    meta = {"optimizer": make_optimizer(opt["name"], opt["lr"]).name,
            "hyperparameters": {"learning_rate": opt["lr"]}}  # fmt: skip
    traj = Trajectory(path, losses, np.zeros_like(path), meta)
    current = path[-1]
    line = s.objective.model.predict(current, s.curve[0])
    return LabView(s, traj, s.objective.gradient(current), line, zoom(session))


# --- the small network ----------------------------------------------------------------------
@dataclass(frozen=True)
class NetworkLab:
    """The trained small network (``run``) and its accuracy on the training data (None
    for a regression set)."""

    run: NetworkRun

    @property
    def accuracy(self) -> float | None:
        """The trained network's fraction right (``run.accuracy``), None for regression."""
        return self.run.accuracy

    @property
    def n_params(self) -> int:
        return len(self.run.objective.param_names)

    @property
    def final_loss(self) -> float:
        return float(self.run.trajectory.losses[-1])


def train_network(
    data_name: str,
    hidden: str,
    activation: str,
    optimizer: str,
    lr: Any,
    steps: Any,
    plane: str,
    seed: int = 0,
) -> NetworkLab:
    """Train the small network the section's fields ask for (raises LosslabError) and scan
    a NET_POINTS x NET_POINTS plane (PCA of the path, or ``"random"``) around its end."""
    sizes = parse_hidden(hidden or "")
    if len(sizes) > NET_MAX_LAYERS or any(s > NET_MAX_UNITS for s in sizes):
        raise LosslabError("error.app_net", hidden=hidden)
    try:
        n_steps, rate = int(steps), float(lr)
    except (TypeError, ValueError, OverflowError):
        raise LosslabError("error.steps", value=steps) from None
    if not 1 <= n_steps <= NET_MAX_STEPS:
        raise LosslabError("error.steps_large", value=n_steps, limit=NET_MAX_STEPS)
    objective = build_objective(toy_data(data_name, seed=seed), sizes, activation)
    kind: Plane = "random" if plane == "random" else "pca"
    result = train_and_scan(objective, optimizer, rate, n_steps, seed, kind, points=NET_POINTS)
    return NetworkLab(result)
