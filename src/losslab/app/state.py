"""The app's state: the library's results cached per data (shared, read-only) and each
browser tab's session (plain JSON in the page: the path, its losses, the optimizer state).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

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
from losslab.core.objective import Objective, perceptron_objective
from losslab.defaults import GRID
from losslab.errors import LosslabError
from losslab.i18n import Lang, tr
from losslab.landscape.result import Landscape
from losslab.landscape.scan import box_axes, scan_plane
from losslab.optim.loop import check_batch_size, continue_run
from losslab.optim.rules import make_optimizer

MAX_SAMPLES = 10_000
MAX_RUN = 1_000
MAX_PATH = 5_000
ZOOM_POINTS = 201


# --- the library's results, cached per data (read-only, shared by all tabs) ---------------
@dataclass(frozen=True)
class Setting:
    """Everything computed from the data alone."""

    data: Dataset
    objective: Objective
    quadratic: QuadraticForm
    bowl: Landscape  # -10..10, step 0.5 (the article's grid)
    curve: tuple[np.ndarray, np.ndarray]


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


def settings_of(session: dict[str, Any]) -> Setting:
    """The cached :class:`Setting` of a tab's session."""
    st = session["settings"]
    return setting(st["teacher"], st["x"], st["noise"], st["seed"])


@functools.lru_cache(maxsize=64)
def zoom(teacher: str, x: str, noise: float, seed: int, box: tuple[float, ...]) -> Landscape:
    """The landscape on a 201 x 201 grid of the box (w0, w1, b0, b1), cached."""
    s = setting(teacher, x, noise, seed)
    return scan_plane(
        s.objective,
        (np.linspace(box[0], box[1], ZOOM_POINTS), np.linspace(box[2], box[3], ZOOM_POINTS)),
    )


def zoom_around(session: dict[str, Any], path: np.ndarray) -> Landscape:
    """The landscape around the path and the minimum, in a snapped box so the cache hits."""
    st = session["settings"]
    points = np.vstack([path, settings_of(session).quadratic.minimum])
    a, c = box_axes(points, ZOOM_POINTS, margin=0.65, min_half=0.75, snap=True)
    box = (float(a[0]), float(a[-1]), float(c[0]), float(c[-1]))
    return zoom(st["teacher"], st["x"], st["noise"], st["seed"], box)


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


# --- per-tab state: plain JSON in the page -------------------------------------------------
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


def new_session(settings: dict[str, Any], init: list[float]) -> dict[str, Any]:
    """A fresh path from ``init`` for the data in ``settings``."""
    s = setting(settings["teacher"], settings["x"], settings["noise"], settings["seed"])
    loss = s.objective.loss(init)
    return {"settings": settings, "path": [list(init)], "losses": [loss], "opt": None,
            "stop": None, "message": None}  # fmt: skip


def advance(
    session: dict[str, Any], optimizer: str, lr: float, steps: int, batch: int | None = None
) -> dict[str, Any]:
    """``steps`` more updates of ``optimizer`` from the end of the path (state kept).

    With ``batch`` (SGD only), each update uses the mini-batch of
    :func:`losslab.optim.loop.minibatch` for its step, as ``run`` does.
    """
    s = settings_of(session)
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
    more = continue_run(s.objective, opt, params, state, steps, 1e12 * max(1.0, abs(losses[0])),
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


def error_message(session: dict[str, Any], exc: LosslabError) -> dict[str, Any]:
    """The session with ``exc`` as its message (parameters made JSON-safe)."""
    params: dict[str, Any] = json.loads(json.dumps(exc.params, default=str))
    return {**session, "message": {"kind": "error", "key": exc.key, "params": params}}


def message_text(message: dict[str, Any] | None, lang: Lang) -> str:
    """The page's message line in ``lang``."""
    if not message:
        return ""
    if message.get("kind") == "diverged":
        return tr("msg.diverged_limit", lang, step=message["step"], lr=message["lr"],
                  limit=message["limit"], ratio=message["lr"] / message["limit"])  # fmt: skip
    if message.get("kind") == "error":
        return str(LosslabError(message["key"], **message["params"]).localized(lang))
    return tr(message["key"], lang, **message.get("params", {}))
