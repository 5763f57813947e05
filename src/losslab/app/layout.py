"""The app's page: controls on the left, the views on the right, the network section below.

Texts are empty here: the ``labels`` callback fills them in the chosen language.
"""

from __future__ import annotations

import math
from typing import Any

from dash import dcc, html

from losslab.core.datasets import TOY_SETS
from losslab.core.mlp import ACTIVATIONS
from losslab.defaults import NETWORK_LEARNING_RATE, SAMPLES, START_TEXT, TEACHER
from losslab.i18n import Lang, optimizer_name
from losslab.lessons.lab import MAX_RUN, NET_MAX_STEPS
from losslab.optim.rules import OPTIMIZERS

LR_MIN, LR_MAX = 1e-3, 2.0

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


def controls(lang: Lang = "en") -> html.Div:
    """The perceptron's controls: data, optimizer, learning rate, start, buttons, numbers.

    ``lang`` is the language the page opens in (the radio buttons switch it).
    """
    return html.Div(
        [
            html.H1(id="title"),
            dcc.RadioItems(
                id="lang",
                options=[{"label": "English", "value": "en"}, {"label": "日本語", "value": "ja"}],
                value=lang,
                inline=True,
            ),
            _field(
                "label-teacher",
                dcc.Input(id="teacher", value=TEACHER, type="text", debounce=True),
            ),
            _field("label-x", dcc.Input(id="x", value=SAMPLES, type="text", debounce=True)),
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
                dcc.Input(id="init", value=START_TEXT, type="text", debounce=True),
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


def layout(lang: Lang = "en") -> html.Div:
    """The page, opening in ``lang``: controls on the left, the views on the right."""
    views = html.Div(
        [
            html.Div([dcc.Graph(id="data-graph"), dcc.Graph(id="contour-graph")], className="row"),
            html.Div([dcc.Graph(id="surface-graph"), dcc.Graph(id="loss-graph")], className="row"),
            network_section(),
        ],
        className="views",
    )
    stores = [dcc.Store(id="session", storage_type="memory"), dcc.Store(id="view")]
    return html.Div([*stores, controls(lang), views],
                    className="page")  # fmt: skip


def _choice(ident: str, value: str, names: Any) -> dcc.Dropdown:
    """A dropdown of names (shown as they are), with ``value`` chosen."""
    return dcc.Dropdown(id=ident, value=value, clearable=False,
                        options=[{"label": n, "value": n} for n in names])  # fmt: skip


def network_section() -> html.Div:
    """Beyond the perceptron: a toy data set, a small network and its landscape plane."""
    net_controls = html.Div(
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
            _field(
                "label-net-lr",
                dcc.Input(id="net-lr", value=NETWORK_LEARNING_RATE, type="number", min=0),
            ),
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
             html.Div([net_controls, graphs], className="net")]  # fmt: skip
    return html.Div(parts, className="network")


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
