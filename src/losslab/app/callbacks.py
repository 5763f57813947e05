"""The app's callbacks, one small function each; :func:`register` wires them to the page.

They only display: each checks what the page sent (:mod:`losslab.app.schema`), calls the
lab's lesson (:mod:`losslab.lessons.lab`) and turns what it returns into views.
"""

from __future__ import annotations

import math
from typing import Any

from dash import Dash, Input, Output, State, ctx, html, no_update

from losslab.app import schema
from losslab.app.layout import LABELS
from losslab.app.patch import patched
from losslab.core.data import parse_point
from losslab.core.datasets import TOY_SETS
from losslab.core.mlp import ACTIVATIONS
from losslab.defaults import START_TEXT
from losslab.errors import LosslabError
from losslab.i18n import Lang, loss_label, optimizer_name, tr
from losslab.lessons import lab
from losslab.optim.rules import OPTIMIZERS, make_optimizer
from losslab.plots import interactive


def run_steps(trigger: Any, runn: Any) -> int:
    """How many updates the Step (1) or Run (the field, 1..lab.MAX_RUN) button asks for."""
    if trigger != "run":
        return 1
    if isinstance(runn, float) and runn.is_integer():
        runn = int(runn)
    if isinstance(runn, bool) or not isinstance(runn, int) or not 1 <= runn <= lab.MAX_RUN:
        raise LosslabError("error.app_run", limit=lab.MAX_RUN)
    return runn


def start_of(f: dict[str, Any]) -> list[float]:
    """The start field as a point (empty -> the default start)."""
    start: list[float] = parse_point(schema.text(f["init"], "init") or START_TEXT).tolist()
    return start


def fresh(f: dict[str, Any]) -> dict[str, Any]:
    """A new session from the data fields and the start field."""
    settings = lab.read_settings(schema.text(f["teacher"], "teacher"), schema.text(f["x"], "x"),
                             schema.noise(f["noise"]), schema.seed(f["seed"]))  # fmt: skip
    return lab.new_session(settings, start_of(f))


def next_session(trigger: Any, f: dict[str, Any], session: dict[str, Any] | None) -> Any:
    """The tab's next session (and the start field's new text) for what was clicked."""
    if session is None or trigger in ("apply", "teacher", "x"):
        return fresh(f), no_update
    if trigger == "contour-graph":
        start = schema.click_point(f["click"])
        if start is None:
            return no_update, no_update
        return lab.new_session(session["settings"], start), f"{start[0]:.3g},{start[1]:.3g}"
    if trigger in ("set-init", "init", "reset"):
        return lab.new_session(session["settings"], start_of(f)), no_update
    if trigger in ("step", "run"):
        steps = run_steps(trigger, f["runn"])
        lr = float(10 ** schema.log_lr(f["log_lr"]))
        optimizer = schema.optimizer(f["optimizer"])
        return lab.advance(session, optimizer, lr, steps, schema.batch(f["batch"])), no_update
    return no_update, no_update


FIELDS = ("teacher", "x", "noise", "seed", "init", "optimizer", "log_lr", "runn", "batch")


@schema.guarded(lambda _: (no_update, no_update))
def update(*values: Any) -> tuple[Any, Any]:
    """Any button, field or click on the map -> the tab's new session."""
    click, *fields, stored = values[8:]
    f = dict(zip(FIELDS, fields, strict=True), click=click)
    try:
        session = schema.session(stored)
    except LosslabError:  # not what the server wrote: start again from the fields
        restart = fresh(f)
        return {**restart, "message": {"key": "webapp.session", "params": {}}}, no_update
    try:
        result: tuple[Any, Any] = next_session(ctx.triggered_id, f, session)
        return result
    except LosslabError as exc:
        return (no_update, no_update) if session is None else (lab.error_message(session, exc),
                                                                no_update)  # fmt: skip


def numbers(shown: lab.LabView, lang: Lang) -> html.Div:
    """The table of numbers (point, loss, gradient, sums, eigenvalues) and the loss formula."""
    q, params, g = shown.setting.quadratic, shown.trajectory.params[-1], shown.gradient
    rows = [
        ("w", params[0]), ("b", params[1]), (tr("app.loss", lang), shown.trajectory.losses[-1]),
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


@schema.guarded(lambda text: (*(no_update,) * 5, text, no_update, no_update), lang_at=1)
def render(stored: Any, lang_value: Any, optimizer: Any, log_lr: Any, view: Any) -> Any:
    """The session -> the data, contour, 3D and loss views, the numbers and the message.

    Figures go out as Patches of their changed parts (see :mod:`losslab.app.patch`).
    """
    session, lang = schema.session(stored), schema.lang_of(lang_value)
    if not session:
        return (no_update,) * 8
    opt = session["opt"] or {"name": schema.optimizer(optimizer), "lr": 10 ** schema.log_lr(log_lr)}
    v = lab.view(session, opt["name"], opt["lr"])
    s, q, traj = v.setting, v.setting.quadratic, v.trajectory
    teacher = session["settings"]["teacher"]
    data_fig = interactive.data_and_lines(s.data.x, s.data.t, s.curve, v.line, traj.params[-1],
                                          teacher, lang)  # fmt: skip
    contour = interactive.contour_map(v.zoom, q, traj, lang)
    surface = interactive.landscape_3d(s.bowl, q, traj, lang, points=True)
    surface.update_layout(height=430)
    curve = interactive.loss_curve(traj.losses, q.min_loss, lang)
    marks = {
        math.log10(q.stability_limit): {"label": "2/λmax", "style": {"color": "#b00020"}},
        -3: "0.001", -2: "0.01", -1: "0.1", 0: "1",
    }  # fmt: skip
    figures, store = patched(
        {"data": data_fig, "contour": contour, "surface": surface, "loss": curve}, view
    )
    return (*figures, numbers(v, lang), message_text(session.get("message"), lang), marks,
            store)  # fmt: skip


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


def network_views(result: lab.NetworkLab, lang: Lang) -> tuple[Any, Any, Any, html.Span]:
    """The prediction map, the plane with the path, the loss curve and the summary line."""
    net = result.run
    obj, traj = net.objective, net.trajectory
    prediction = interactive.prediction_map(net.prediction_grid, obj.data.x, obj.data.t, lang)
    plane_fig = interactive.plane_map(net.plane, net.path_coords, lang)
    curve = interactive.loss_curve(traj.losses, 0.0, lang)
    curve.update_layout(height=400, yaxis_title=loss_label(net.plane.meta, lang))
    summary = tr("app.net_summary", lang, params=result.n_params, loss=result.final_loss)
    if result.accuracy is not None:
        summary += " " + tr("cli.accuracy", lang, value=result.accuracy * 100)
    return prediction, plane_fig, curve, html.Span(summary, id="net-summary-text")


@schema.guarded(lambda _: [no_update] * (len(LABELS) + 1))
def labels(lang_value: Any) -> list[Any]:
    """Every label and button text, and the optimizer names, in ``lang``."""
    lang = schema.lang_of(lang_value)
    options = [
        {"label": optimizer_name(make_optimizer(n).name, lang), "value": n} for n in OPTIMIZERS
    ]
    return [*(tr(key, lang) for _, key in LABELS), options]


@schema.guarded(lambda text: (*(no_update,) * 4, text), lang_at=1)
def network(
    clicks: Any, lang_value: Any, data_name: Any, hidden: Any, activation: Any, optimizer: Any,
    lr: Any, steps: Any, plane: Any,
) -> Any:  # fmt: skip
    """Train (button) -> the network's prediction, plane, loss curve and summary."""
    lang = schema.lang_of(lang_value)
    if not clicks:
        blank = interactive.blank(tr("app.net_empty", lang))
        return blank, blank, blank, "", ""
    result = lab.train_network(
        schema.choice(data_name, "data", TOY_SETS), schema.text(hidden, "hidden"),
        schema.choice(activation, "activation", ACTIVATIONS), schema.optimizer(optimizer),
        schema.net_lr(lr), steps, "random" if plane == "random" else "pca",
    )  # fmt: skip
    return (*network_views(result, lang), "")


@schema.guarded(lambda text: text, lang_at=1)
def lr_value(log_lr: Any, lang_value: Any, stored: Any) -> str:
    """The learning rate under the slider, with its share of 2/lambda_max."""
    lang, session = schema.lang_of(lang_value), schema.session(stored)
    lr = float(10 ** schema.log_lr(log_lr))
    if not session:
        return f"lr = {lr:.3g}"
    limit = lab.setting_of(session).quadratic.stability_limit
    return tr("app.lr_value", lang, lr=lr, ratio=lr / limit, limit=limit)


def register(app: Dash) -> None:
    """Wire every callback to the page's components."""
    app.callback(
        Output("session", "data"), Output("init", "value"),
        Input("apply", "n_clicks"), Input("teacher", "n_submit"), Input("x", "n_submit"),
        Input("set-init", "n_clicks"), Input("init", "n_submit"), Input("reset", "n_clicks"),
        Input("step", "n_clicks"), Input("run", "n_clicks"), Input("contour-graph", "clickData"),
        State("teacher", "value"), State("x", "value"), State("noise", "value"),
        State("seed", "value"), State("init", "value"), State("optimizer", "value"),
        State("lr", "value"), State("runn", "value"), State("batch", "value"),
        State("session", "data"),
    )(update)  # fmt: skip
    app.callback(
        Output("data-graph", "figure"), Output("contour-graph", "figure"),
        Output("surface-graph", "figure"), Output("loss-graph", "figure"),
        Output("numbers", "children"), Output("message", "children"), Output("lr", "marks"),
        Output("view", "data"),
        Input("session", "data"), Input("lang", "value"),
        State("optimizer", "value"), State("lr", "value"), State("view", "data"),
    )(render)  # fmt: skip
    app.callback(
        [Output(i, "children") for i, _ in LABELS], Output("optimizer", "options"),
        Input("lang", "value"),
    )(labels)  # fmt: skip
    app.callback(
        Output("net-prediction", "figure"), Output("net-plane-graph", "figure"),
        Output("net-loss", "figure"), Output("net-summary", "children"),
        Output("net-message", "children"),
        Input("net-train", "n_clicks"), Input("lang", "value"),
        State("net-data", "value"), State("net-hidden", "value"),
        State("net-activation", "value"), State("net-optimizer", "value"),
        State("net-lr", "value"), State("net-steps", "value"), State("net-plane", "value"),
    )(network)  # fmt: skip
    app.callback(
        Output("lr-value", "children"),
        Input("lr", "value"), Input("lang", "value"), Input("session", "data"),
    )(lr_value)  # fmt: skip
