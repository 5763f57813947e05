"""Interactive figures (plotly): rotatable 3D landscapes with paths.

Functions take library results and return a ``plotly.graph_objects.Figure``;
none evaluates a loss.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from losslab.analysis import QuadraticForm
from losslab.i18n import Lang, loss_label, tr
from losslab.landscape import Landscape
from losslab.optimizers import Trajectory


def landscape_3d(
    landscape: Landscape,
    quadratic: QuadraticForm | None = None,
    trajectory: Trajectory | None = None,
    lang: Lang = "en",
    points: bool = True,
) -> go.Figure:
    """The loss surface, the grid points as a scatter, the minimum in red and a path.

    Drag to rotate, scroll to zoom. ``points=False`` leaves out the scatter of
    grid points (for dense grids).
    """
    a, c = landscape.axes
    names = landscape.meta.get("param_names", ["w", "b"])
    fig = go.Figure()
    fig.add_trace(
        go.Surface(
            x=a,
            y=c,
            z=landscape.values,
            colorscale="Viridis",
            opacity=0.55,
            showscale=False,
            name=loss_label(landscape.meta, lang),
            hoverinfo="x+y+z",
        )
    )
    if points:
        A, C = np.meshgrid(a, c)
        fig.add_trace(
            go.Scatter3d(
                x=A.ravel(),
                y=C.ravel(),
                z=landscape.values.ravel(),
                mode="markers",
                marker={"size": 1.8, "color": landscape.values.ravel(), "colorscale": "Viridis"},
                name=loss_label(landscape.meta, lang),
                hoverinfo="x+y+z",
            )
        )
    if quadratic is not None:
        w, b = quadratic.minimum
        fig.add_trace(
            go.Scatter3d(
                x=[w],
                y=[b],
                z=[quadratic.min_loss],
                mode="markers",
                marker={"size": 9, "color": "red", "line": {"color": "black", "width": 1}},
                name=tr("fig.minimum", lang, w=w, b=b),
            )
        )
    if trajectory is not None:
        p = trajectory.params
        lr = trajectory.meta.get("hyperparameters", {}).get("learning_rate", float("nan"))
        fig.add_trace(
            go.Scatter3d(
                x=p[:, 0],
                y=p[:, 1],
                z=trajectory.losses,
                mode="lines+markers",
                line={"color": "black", "width": 4},
                marker={"size": 2.5, "color": "white"},
                name=tr("fig.path", lang, lr=lr),
            )
        )
    fig.update_layout(
        title={"text": tr("fig.landscape_title", lang)},
        scene={
            "xaxis_title": str(names[0]),
            "yaxis_title": str(names[1]),
            "zaxis_title": loss_label(landscape.meta, lang),
            "camera": {"eye": {"x": -1.5, "y": -1.5, "z": 0.9}},
        },
        legend={"x": 0.0, "y": 1.0},
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        height=520,
        font={
            "family": "DejaVu Sans, 'Noto Sans CJK JP', 'IPAexGothic', 'IPAGothic', "
            "'Hiragino Sans', 'Yu Gothic', Meiryo, sans-serif"
        },
    )
    return fig
