"""The app's small-network section: train what the fields ask for, and its views."""

from __future__ import annotations

from typing import Any

from dash import html

from losslab.app.layout import NET_MAX_STEPS
from losslab.core.datasets import toy_data
from losslab.core.mlp import parse_hidden
from losslab.errors import LosslabError
from losslab.i18n import Lang, loss_label, tr
from losslab.lessons.networks import NetworkRun, Plane, accuracy, build_objective, train_and_scan
from losslab.plots import interactive


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
    except (TypeError, ValueError, OverflowError):
        raise LosslabError("error.steps", value=steps) from None
    if not 1 <= n_steps <= NET_MAX_STEPS:
        raise LosslabError("error.steps_large", value=n_steps, limit=NET_MAX_STEPS)
    objective = build_objective(toy_data(data_name, seed=seed), sizes, activation)
    kind: Plane = "random" if plane == "random" else "pca"
    return train_and_scan(objective, optimizer, rate, n_steps, seed, kind, points=41)


def network_views(result: NetworkRun, lang: Lang) -> tuple[Any, Any, Any, html.Span]:
    """The prediction map, the plane with the path, the loss curve and the summary line."""
    obj, traj = result.objective, result.trajectory
    prediction = interactive.prediction_map(result.prediction_grid, obj.data.x, obj.data.t, lang)
    plane_fig = interactive.plane_map(result.plane, result.path_coords, lang)
    curve = interactive.loss_curve(traj.losses, 0.0, lang)
    curve.update_layout(height=400, yaxis_title=loss_label(result.plane.meta, lang))
    acc = accuracy(obj, traj.params[-1])
    summary = tr("app.net_summary", lang, params=len(obj.param_names), loss=traj.losses[-1])
    if acc is not None:
        summary += " " + tr("cli.accuracy", lang, value=acc * 100)
    return prediction, plane_fig, curve, html.Span(summary, id="net-summary-text")
