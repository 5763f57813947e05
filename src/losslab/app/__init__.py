"""The interactive lab in the browser (``losslab serve``): Dash, served from 127.0.0.1.

Every number comes from the library; this module only turns it into views.
Each browser tab keeps its own state in a ``dcc.Store`` (in the page's memory);
the server holds no mutable state, only a cache of landscapes keyed by the
data and grid that made them.

Limits (documented in the README): at most 10,000 samples, 1,000 steps per
"Run", 5,000 points of path; the landscape grid is -10..10 in steps of 0.5
for the 3D view and 201 x 201 points around the data's minimum for the map.
The small network: at most 3 hidden layers of 64 units, 2,000 training steps,
a 41 x 41 plane.
"""

from __future__ import annotations

import functools
import json
import math
import socket
from dataclasses import dataclass
from typing import Any

import numpy as np
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update

from losslab import __version__
from losslab.analysis.quadratic import QuadraticForm, quadratic_form
from losslab.core.data import (
    Dataset,
    parse_expression,
    parse_point,
    parse_samples,
    teacher_curve,
    teacher_data,
)
from losslab.core.datasets import TOY_SETS, toy_data
from losslab.core.mlp import ACTIVATIONS, parse_hidden
from losslab.core.objective import Objective, perceptron_objective
from losslab.errors import LosslabError
from losslab.i18n import LANGS, Lang, loss_label, optimizer_name, tr
from losslab.landscape.result import Landscape
from losslab.landscape.scan import scan_plane
from losslab.lessons.networks import NetworkRun, Plane, accuracy, build_objective, train_and_scan
from losslab.optim.loop import continue_run
from losslab.optim.rules import OPTIMIZERS, make_optimizer
from losslab.optim.trajectory import Trajectory
from losslab.plots import interactive

MAX_SAMPLES = 10_000
MAX_RUN = 1_000
MAX_PATH = 5_000
NET_MAX_STEPS = 2_000
DEFAULTS: dict[str, str] = {"teacher": "2*x + 1", "x": "-1:3:21", "init": "3,2"}
LR_MIN, LR_MAX = 1e-3, 2.0


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
    objective = perceptron_objective(data)
    axis = np.arange(-10.0, 10.25, 0.5)
    bowl = scan_plane(objective, (axis, axis))
    return Setting(data, objective, quadratic_form(data), bowl,
                   teacher_curve(parse_expression(teacher), data.x))  # fmt: skip


@functools.lru_cache(maxsize=64)
def zoom(teacher: str, x: str, noise: float, seed: int, box: tuple[float, ...]) -> Landscape:
    """The landscape on a 201 x 201 grid of the box (w0, w1, b0, b1), cached."""
    s = setting(teacher, x, noise, seed)
    return scan_plane(
        s.objective, (np.linspace(box[0], box[1], 201), np.linspace(box[2], box[3], 201))
    )


# --- per-tab state: plain JSON in the page -------------------------------------------------
def _state_to_json(state: Any) -> Any:
    if isinstance(state, tuple) and hasattr(state, "_fields"):
        return {name: _state_to_json(getattr(state, name)) for name in state._fields}
    if isinstance(state, np.ndarray):
        return state.tolist()
    return state


def _state_from_json(template: Any, data: Any) -> Any:
    if isinstance(template, tuple) and hasattr(template, "_fields"):
        return type(template)(*[
            _state_from_json(getattr(template, name), data[name]) for name in template._fields
        ])  # fmt: skip
    if isinstance(template, np.ndarray):
        return np.asarray(data, dtype=np.float64)
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
    st = session["settings"]
    s = setting(st["teacher"], st["x"], st["noise"], st["seed"])
    opt = make_optimizer(optimizer, lr)
    params = np.asarray(session["path"][-1], dtype=np.float64)
    template = opt.init(params)
    saved = session.get("opt")
    if saved and saved.get("name") == optimizer and saved.get("lr") == lr:
        state = _state_from_json(template, saved["state"])
    else:
        state = template
    path, losses = list(session["path"]), list(session["losses"])
    message = None
    bound = 1e12 * max(1.0, abs(losses[0]))
    steps = min(steps, MAX_PATH - len(path))
    if steps <= 0:
        return {**session, "message": {"key": "app.path_full", "params": {"limit": MAX_PATH}}}
    n = s.data.n
    if batch is not None and not 1 <= batch <= n:
        raise LosslabError("error.batch_size", value=batch, n=n)
    use_batches = optimizer == "sgd" and batch is not None and batch < n
    more = continue_run(s.objective, opt, params, state, steps, bound,
                        batch_size=batch if use_batches else None, seed=st["seed"],
                        first_step=len(path) - 1)  # fmt: skip
    path += [p.tolist() for p in more.params]
    losses += more.losses
    state = more.state
    if more.stop == "diverged":
        message = {"kind": "diverged", "step": more.diverged_at, "lr": lr,
                   "limit": s.quadratic.stability_limit}  # fmt: skip
    return {**session, "path": path, "losses": losses, "message": message,
            "opt": {"name": optimizer, "lr": lr, "state": _state_to_json(state)}}  # fmt: skip


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


# --- layout -------------------------------------------------------------------------------
LABELS = [
    ("label-teacher", "app.teacher"), ("label-x", "app.x"), ("label-noise", "app.noise"),
    ("label-seed", "app.seed"), ("apply", "app.apply"), ("label-optimizer", "app.optimizer"),
    ("label-lr", "app.lr"), ("label-init", "app.init"), ("set-init", "app.set_init"),
    ("step", "app.step"), ("run", "app.run"), ("reset", "app.reset"),
    ("label-runn", "app.run_steps"), ("label-batch", "app.batch"),
    ("hint-click", "app.click_hint"), ("title", "app.title"),
    ("net-title", "app.net_title"), ("net-intro", "app.net_intro"),
    ("label-net-data", "app.net_data"), ("label-net-hidden", "app.net_hidden"),
    ("label-net-activation", "app.net_activation"), ("label-net-optimizer", "app.optimizer"),
    ("label-net-lr", "app.net_lr"), ("label-net-steps", "app.net_steps"),
    ("label-net-plane", "app.net_plane"), ("net-train", "app.net_train"),
]  # fmt: skip


def _field(label_id: str, control: Any) -> html.Div:
    return html.Div([html.Label(id=label_id, htmlFor=getattr(control, "id", None)), control],
                    className="field")  # fmt: skip


def layout() -> html.Div:
    """The page: controls on the left, the views on the right."""
    controls = html.Div(
        [
            html.H1(id="title"),
            dcc.RadioItems(
                id="lang",
                options=[{"label": "English", "value": "en"}, {"label": "日本語", "value": "ja"}],
                value="en",
                inline=True,
            ),
            _field(
                "label-teacher",
                dcc.Input(id="teacher", value=DEFAULTS["teacher"], type="text", debounce=True),
            ),
            _field("label-x", dcc.Input(id="x", value=DEFAULTS["x"], type="text", debounce=True)),
            _field("label-noise", dcc.Input(id="noise", value=0, type="number", min=0, step=0.05)),
            _field("label-seed", dcc.Input(id="seed", value=0, type="number", step=1)),
            html.Button(id="apply", n_clicks=0),
            html.Hr(),
            _field(
                "label-optimizer",
                dcc.Dropdown(
                    id="optimizer",
                    value="gd",
                    clearable=False,
                    options=[{"label": optimizer_name(n), "value": n} for n in OPTIMIZERS],
                ),
            ),
            _field(
                "label-lr",
                dcc.Slider(
                    id="lr",
                    min=math.log10(LR_MIN),
                    max=math.log10(LR_MAX),
                    step=0.01,
                    value=-1.0,
                    updatemode="mouseup",
                ),
            ),
            html.Div(id="lr-value", className="lr-value"),
            _field("label-batch", dcc.Input(id="batch", type="number", min=1, step=1)),
            _field(
                "label-init",
                dcc.Input(id="init", value=DEFAULTS["init"], type="text", debounce=True),
            ),
            html.Button(id="set-init", n_clicks=0),
            html.Div(id="hint-click", className="hint"),
            html.Div(
                [
                    html.Button(id="step", n_clicks=0),
                    html.Button(id="run", n_clicks=0),
                    html.Button(id="reset", n_clicks=0),
                ],
                className="buttons",
            ),
            _field("label-runn", dcc.Input(id="runn", value=20, type="number", min=1, max=MAX_RUN)),
            html.Div(id="message", role="alert", className="message"),
            html.Div(id="numbers", className="numbers"),
        ],
        className="controls",
    )
    views = html.Div(
        [
            html.Div([dcc.Graph(id="data-graph"), dcc.Graph(id="contour-graph")], className="row"),
            html.Div([dcc.Graph(id="surface-graph"), dcc.Graph(id="loss-graph")], className="row"),
            network_section(),
        ],
        className="views",
    )
    return html.Div([dcc.Store(id="session", storage_type="memory"), controls, views],
                    className="page")  # fmt: skip


def _choice(ident: str, value: str, names: Any) -> dcc.Dropdown:
    """A dropdown of names (shown as they are), with ``value`` chosen."""
    return dcc.Dropdown(id=ident, value=value, clearable=False,
                        options=[{"label": n, "value": n} for n in names])  # fmt: skip


def network_section() -> html.Div:
    """Beyond the perceptron: a toy data set, a small network and its landscape plane."""
    controls = html.Div(
        [
            _field(
                "label-net-data",
                _choice("net-data", "xor", TOY_SETS),
            ),
            _field("label-net-hidden", dcc.Input(id="net-hidden", value="4", type="text")),
            _field(
                "label-net-activation",
                _choice("net-activation", "tanh", ACTIVATIONS),
            ),
            _field(
                "label-net-optimizer",
                _choice("net-optimizer", "adam", OPTIMIZERS),
            ),
            _field("label-net-lr", dcc.Input(id="net-lr", value=0.05, type="number", min=0)),
            _field(
                "label-net-steps",
                dcc.Input(id="net-steps", value=300, type="number", min=1, max=NET_MAX_STEPS),
            ),
            _field(
                "label-net-plane",
                dcc.RadioItems(
                    id="net-plane",
                    value="pca",
                    inline=True,
                    options=[
                        {"label": "PCA", "value": "pca"},
                        {"label": "random", "value": "random"},
                    ],
                ),
            ),
            html.Button(id="net-train", n_clicks=0),
            html.Div(id="net-message", role="alert", className="message"),
            html.Div(id="net-summary"),
        ],
        className="net-controls",
    )
    graphs = html.Div([dcc.Graph(id="net-prediction"), dcc.Graph(id="net-plane-graph"),
                       dcc.Graph(id="net-loss")], className="row wrap")  # fmt: skip
    parts = [html.H2(id="net-title"), html.P(id="net-intro"),
             html.Div([controls, graphs], className="net")]  # fmt: skip
    return html.Div(parts, className="network")


def train_network(
    data_name: str,
    hidden: str,
    activation: str,
    optimizer: str,
    lr: Any,
    steps: Any,
    plane: str,
    seed: int = 0,
) -> NetworkRun:
    """Train the small network the section's fields ask for (raises LosslabError)."""
    sizes = parse_hidden(hidden or "")
    if len(sizes) > 3 or any(s > 64 for s in sizes):
        raise LosslabError("error.app_net", hidden=hidden)
    try:
        n_steps, rate = int(steps), float(lr)
    except (TypeError, ValueError):
        raise LosslabError("error.steps", value=steps) from None
    if not 1 <= n_steps <= NET_MAX_STEPS:
        raise LosslabError("error.steps_large", value=n_steps, limit=NET_MAX_STEPS)
    objective = build_objective(toy_data(data_name, seed=seed), sizes, activation)
    kind: Plane = "random" if plane == "random" else "pca"
    return train_and_scan(objective, optimizer, rate, n_steps, seed, kind, points=41)


CSS = """
body { font-family: 'DejaVu Sans', 'Noto Sans CJK JP', 'IPAexGothic', 'IPAGothic',
       'Hiragino Sans', 'Yu Gothic', Meiryo, sans-serif; margin: 0; color: #222; }
.page { display: flex; gap: 12px; padding: 10px; }
.controls { flex: 0 0 300px; font-size: 14px; }
.controls h1 { font-size: 18px; margin: 4px 0 8px; }
.field { margin: 6px 0; } .field label { display: block; font-weight: bold; margin-bottom: 2px; }
.field input { width: 95%; }
.buttons button, .controls > button { margin: 4px 4px 4px 0; padding: 4px 10px; }
.message { color: #b00020; min-height: 1.4em; margin: 6px 0; font-weight: bold; }
.hint { color: #666; font-size: 12px; } .lr-value { font-size: 13px; margin-top: -4px; }
.numbers table { border-collapse: collapse; font-size: 13px; width: 100%; }
.numbers td { border-top: 1px solid #ddd; padding: 2px 4px; }
.numbers td:last-child { text-align: right; font-variant-numeric: tabular-nums; }
.formula { font-family: 'DejaVu Sans Mono', monospace; font-size: 12px; margin: 6px 0; }
.views { flex: 1; min-width: 0; }
.network { border-top: 2px solid #f28e2b; margin-top: 8px; }
.network h2 { font-size: 17px; margin: 8px 0 2px; } .network p { margin: 2px 0 6px; }
.net { display: flex; gap: 8px; } .net-controls { flex: 0 0 200px; font-size: 14px; }
.row { display: flex; gap: 8px; } .wrap { flex-wrap: wrap; flex: 1; min-width: 0; }
.row.wrap > div { flex: 1 1 370px; }
.row > div { flex: 1; min-width: 0; }
"""


def create_app() -> Dash:
    """The Dash app, with its callbacks; all JavaScript is served by this server itself."""
    app = Dash(__name__, title="losslab", serve_locally=True, update_title="")
    app.index_string = app.index_string.replace("{%css%}", "{%css%}<style>" + CSS + "</style>")
    app.layout = layout
    _callbacks(app)
    return app


def _read_settings(teacher: Any, x: Any, noise: Any, seed: Any) -> dict[str, Any]:
    """Check the data fields (raises LosslabError) and return them as plain values."""
    try:
        noise_value = float(noise if noise not in (None, "") else 0.0)
        seed_value = int(seed if seed not in (None, "") else 0)
    except (TypeError, ValueError):
        raise LosslabError("error.noise", noise=noise) from None
    settings = {"teacher": str(teacher or ""), "x": str(x or ""), "noise": noise_value,
                "seed": seed_value}  # fmt: skip
    setting(**settings)  # parses and computes now, so errors show before the state changes
    return settings


def _callbacks(app: Dash) -> None:
    @app.callback(
        Output("session", "data"),
        Output("init", "value"),
        Input("apply", "n_clicks"),
        Input("teacher", "n_submit"),
        Input("x", "n_submit"),
        Input("set-init", "n_clicks"),
        Input("init", "n_submit"),
        Input("reset", "n_clicks"),
        Input("step", "n_clicks"),
        Input("run", "n_clicks"),
        Input("contour-graph", "clickData"),
        State("teacher", "value"),
        State("x", "value"),
        State("noise", "value"),
        State("seed", "value"),
        State("init", "value"),
        State("optimizer", "value"),
        State("lr", "value"),
        State("runn", "value"),
        State("batch", "value"),
        State("session", "data"),
    )
    def update(
        _apply: Any, _t: Any, _x: Any, _set: Any, _i: Any, _reset: Any, _step: Any, _run: Any,
        click: Any, teacher: Any, x: Any, noise: Any, seed: Any, init: Any, optimizer: str,
        log_lr: float, runn: Any, batch: Any, session: dict[str, Any] | None,
    ) -> tuple[Any, Any]:  # fmt: skip
        trigger = ctx.triggered_id
        lr = float(10**log_lr)
        try:
            if session is None or trigger in ("apply", "teacher", "x"):
                settings = _read_settings(teacher, x, noise, seed)
                start = parse_point(str(init or DEFAULTS["init"])).tolist()
                return new_session(settings, start), no_update
            if trigger == "contour-graph" and click and click.get("points"):
                point = click["points"][0]
                start = [float(point["x"]), float(point["y"])]
                text = f"{start[0]:.3g},{start[1]:.3g}"
                return new_session(session["settings"], start), text
            if trigger in ("set-init", "init", "reset"):
                start = parse_point(str(init or DEFAULTS["init"])).tolist()
                return new_session(session["settings"], start), no_update
            if trigger in ("step", "run"):
                steps = 1
                if trigger == "run":
                    try:
                        steps = int(runn)
                    except (TypeError, ValueError):
                        raise LosslabError("error.app_run", limit=MAX_RUN) from None
                    if not 1 <= steps <= MAX_RUN:
                        raise LosslabError("error.app_run", limit=MAX_RUN)
                size = None if batch in (None, "") else int(batch)
                return advance(session, optimizer, lr, steps, size), no_update
        except LosslabError as exc:
            if session is None:
                return no_update, no_update
            error = {"kind": "error", "key": exc.key, "params": _plain(exc.params)}
            return {**session, "message": error}, no_update
        return no_update, no_update

    @app.callback(
        Output("data-graph", "figure"),
        Output("contour-graph", "figure"),
        Output("surface-graph", "figure"),
        Output("loss-graph", "figure"),
        Output("numbers", "children"),
        Output("message", "children"),
        Output("lr", "marks"),
        Input("session", "data"),
        Input("lang", "value"),
        State("optimizer", "value"),
        State("lr", "value"),
    )
    def render(session: dict[str, Any] | None, lang: Lang, optimizer: str, log_lr: float) -> Any:
        if not session:
            return (no_update,) * 7
        st = session["settings"]
        s = setting(st["teacher"], st["x"], st["noise"], st["seed"])
        path = np.asarray(session["path"], dtype=np.float64)
        losses = np.asarray(session["losses"], dtype=np.float64)
        opt = session.get("opt") or {"name": optimizer, "lr": float(10**log_lr)}
        traj = Trajectory(path, losses, np.zeros_like(path), {
            "optimizer": make_optimizer(opt["name"], opt["lr"]).name,
            "hyperparameters": {"learning_rate": opt["lr"]}})  # fmt: skip
        q = s.quadratic
        pts = np.vstack([path, q.minimum])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        centre, half = (lo + hi) / 2, max(float(np.max(hi - lo)) * 0.65, 0.75)
        half = float(2 ** math.ceil(math.log2(half)))  # few distinct boxes: the cache hits
        centre = np.round(centre / (half / 4)) * (half / 4)
        box = (centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half)
        land = zoom(st["teacher"], st["x"], st["noise"], st["seed"], tuple(map(float, box)))
        current = path[-1]
        data_fig = interactive.data_and_lines(s.data.x, s.data.t, s.curve,
                                              s.objective.model.predict(current, s.curve[0]),
                                              current, st["teacher"], lang)  # fmt: skip
        contour = interactive.contour_map(land, q, traj, lang)
        surface = interactive.landscape_3d(s.bowl, q, traj, lang, points=True)
        surface.update_layout(height=430)
        curve = interactive.loss_curve(losses, q.min_loss, lang)
        numbers = _numbers(s, current, losses[-1], float(10**log_lr), lang)
        marks = {
            math.log10(q.stability_limit): {"label": "2/λmax", "style": {"color": "#b00020"}},
            -3: "0.001", -2: "0.01", -1: "0.1", 0: "1",
        }  # fmt: skip
        return data_fig, contour, surface, curve, numbers, message_text(session.get("message"),
                                                                        lang), marks  # fmt: skip

    @app.callback(
        [Output(i, "children") for i, _ in LABELS],
        Output("optimizer", "options"),
        Input("lang", "value"),
    )
    def labels(lang: Lang) -> list[Any]:
        options = [
            {"label": optimizer_name(make_optimizer(n).name, lang), "value": n} for n in OPTIMIZERS
        ]
        return [*(tr(key, lang) for _, key in LABELS), options]

    @app.callback(
        Output("net-prediction", "figure"),
        Output("net-plane-graph", "figure"),
        Output("net-loss", "figure"),
        Output("net-summary", "children"),
        Output("net-message", "children"),
        Input("net-train", "n_clicks"),
        Input("lang", "value"),
        State("net-data", "value"),
        State("net-hidden", "value"),
        State("net-activation", "value"),
        State("net-optimizer", "value"),
        State("net-lr", "value"),
        State("net-steps", "value"),
        State("net-plane", "value"),
    )
    def network(
        clicks: int, lang: Lang, data_name: str, hidden: str, activation: str, optimizer: str,
        lr: Any, steps: Any, plane: str,
    ) -> Any:  # fmt: skip
        if not clicks:
            return (no_update,) * 4 + ("",)
        try:
            result = train_network(data_name, hidden, activation, optimizer, lr, steps, plane)
        except LosslabError as exc:
            return (no_update,) * 4 + (exc.localized(lang),)
        obj, traj = result.objective, result.trajectory
        prediction = interactive.prediction_map(result.prediction_grid, obj.data.x, obj.data.t,
                                                lang)  # fmt: skip
        plane_fig = interactive.plane_map(result.plane, result.path_coords, lang)
        curve = interactive.loss_curve(traj.losses, 0.0, lang)
        curve.update_layout(height=400, yaxis_title=loss_label(result.plane.meta, lang))
        acc = accuracy(obj, traj.params[-1])
        summary = tr("app.net_summary", lang, params=len(obj.param_names), loss=traj.losses[-1])
        if acc is not None:
            summary += " " + tr("cli.accuracy", lang, value=acc * 100)
        return prediction, plane_fig, curve, html.Span(summary, id="net-summary-text"), ""

    @app.callback(Output("lr-value", "children"), Input("lr", "value"), Input("lang", "value"),
                  Input("session", "data"))  # fmt: skip
    def lr_value(log_lr: float, lang: Lang, session: dict[str, Any] | None) -> str:
        lr = float(10**log_lr)
        if not session:
            return f"lr = {lr:.3g}"
        st = session["settings"]
        limit = setting(st["teacher"], st["x"], st["noise"], st["seed"]).quadratic.stability_limit
        return tr("app.lr_value", lang, lr=lr, ratio=lr / limit, limit=limit)


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    """Error parameters as JSON-safe values."""
    plain: dict[str, Any] = json.loads(json.dumps(params, default=str))
    return plain


def _numbers(s: Setting, params: np.ndarray, loss: float, lr: float, lang: Lang) -> html.Div:
    q = s.quadratic
    g = s.objective.gradient(params)
    rows = [
        ("w", params[0]), ("b", params[1]), (tr("app.loss", lang), loss),
        ("∂L/∂w", g[0]), ("∂L/∂b", g[1]), ("n", q.n), ("Sxx", q.Sxx), ("Sx", q.Sx),
        ("Sxy", q.Sxy), ("Sy", q.Sy), ("Syy", q.Syy), ("λmin", q.eigenvalues[0]),
        ("λmax", q.eigenvalues[1]), ("2/λmax", q.stability_limit),
        (tr("app.minimum", lang), f"({q.minimum[0]:.6g}, {q.minimum[1]:.6g})"),
    ]  # fmt: skip
    body = [html.Tr([html.Td(name), html.Td(value if isinstance(value, str) else f"{value:.6g}",
                                             id=f"num-{i}")])
            for i, (name, value) in enumerate(rows)]  # fmt: skip
    co = q.coefficients
    terms = [(co["w2"], "w²"), (co["b2"], "b²"), (co["wb"], "wb"), (co["w"], "w"), (co["b"], "b"),
             (co["const"], "")]  # fmt: skip
    parts = []
    for k, (c, v) in enumerate(terms):
        number = "" if v and f"{abs(c):.4g}" == "1" else f"{abs(c):.4g}"
        sign = "−" if c < 0 else ("+" if k else "")
        parts.append(f"{sign} {number}{v}".strip())
    formula = "loss = " + " ".join(parts)
    return html.Div(
        [html.Div(formula, className="formula", id="formula"), html.Table([html.Tbody(body)])]
    )


def port_free(host: str, port: int) -> bool:
    """True when ``port`` on ``host`` can be bound now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def serve(host: str = "127.0.0.1", port: int = 8050, lang: Lang = "en") -> None:
    """Start the app (blocks). Raises LosslabError when the port is taken."""
    if not 1 <= port <= 65535:
        raise LosslabError("error.port_range", port=port)
    if not port_free(host, port):
        raise LosslabError("error.port", port=port, host=host)
    app = create_app()
    print(tr("app.listening", lang, url=f"http://{host}:{port}/", version=__version__), flush=True)
    app.run(host=host, port=port, debug=False)


__all__ = ["LANGS", "create_app", "serve"]
