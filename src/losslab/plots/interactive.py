"""Interactive figures (plotly): rotatable 3D landscapes with paths.

Functions take library results and return a ``plotly.graph_objects.Figure``;
none evaluates a loss.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.utils
from numpy.typing import NDArray

from losslab.analysis.quadratic import QuadraticForm
from losslab.i18n import Lang, line_text, loss_label, optimizer_name, tr
from losslab.landscape.result import Landscape
from losslab.optim.trajectory import Trajectory
from losslab.plots.grid import thinned

EDGE = {"color": "black", "width": 1}
#: Plotly's toolbar upright at the right edge, where it covers no title.
MODEBAR = {"orientation": "v"}

FloatArray = NDArray[np.float64]
FONTS = (
    "'DejaVu Sans', 'Noto Sans CJK JP', 'IPAexGothic', 'IPAGothic', 'Hiragino Sans', "
    "'Yu Gothic', Meiryo, sans-serif"
)


def wrap_title(title: str, width: int = 40) -> str:
    """A long title on two lines, broken after its colon (plotly never wraps a title).

    >>> wrap_title("The loss over (w, b): a bowl with its lowest point in red")
    'The loss over (w, b):<br>a bowl with its lowest point in red'
    """
    head, sep, tail = title.partition(": ")
    return f"{head}:<br>{tail}" if sep and len(title) > width else title


def log_axis(values: NDArray[np.float64]) -> dict[str, object]:
    """A log axis with one plain label per decade when the values span several decades
    (plotly's default labels 2 and 5 in every decade too, which crowds a short axis), and
    only 2 and 5 between the decades on a short one (plotly's default there labels every
    digit 2-9, which crowds the app's loss plot at its first steps).

    >>> log_axis(np.array([1e-8, 1.0]))["dtick"], log_axis(np.array([1.0, 3.0]))["dtick"]
    (1, 'D2')
    """
    positive = values[np.isfinite(values) & (values > 0)]
    axis: dict[str, object] = {"type": "log", "exponentformat": "power"}
    if positive.size and np.log10(positive.max() / positive.min()) >= 2:
        decades = np.log10(positive.max() / positive.min())
        axis["dtick"] = 1 if decades <= 8 else int(np.ceil(decades / 8))
    else:
        axis["dtick"] = "D2"
    return axis


def _grid_traces(
    a: FloatArray, c: FloatArray, values: FloatArray, name: str, points: bool
) -> list[go.Scatter3d | go.Surface]:
    """The surface, and the grid points as a scatter when ``points``."""
    traces: list[go.Scatter3d | go.Surface] = [
        go.Surface(x=a, y=c, z=values, colorscale="Viridis", opacity=0.55, showscale=False,
                   name=name, hoverinfo="x+y+z")
    ]  # fmt: skip
    if points:
        A, C = np.meshgrid(a, c)
        marker = {"size": 1.8, "color": values.ravel(), "colorscale": "Viridis"}
        traces.append(
            go.Scatter3d(x=A.ravel(), y=C.ravel(), z=values.ravel(), mode="markers",
                         marker=marker, name=name, hoverinfo="x+y+z")
        )  # fmt: skip
    return traces


def _minimum_pin(quadratic: QuadraticForm, height: float, lang: Lang) -> go.Scatter3d:
    """A red pin: a stem rises from the minimum through the surface to a large head, so
    the point shows from every side (a point alone hides under the surface)."""
    w, b = quadratic.minimum
    return go.Scatter3d(
        x=[w, w],
        y=[b, b],
        z=[quadratic.min_loss, quadratic.min_loss + height],
        mode="lines+markers",
        line={"color": "red", "width": 9},
        marker={"size": [8, 12], "color": "red", "symbol": "diamond",
                "line": {"color": "black", "width": 2}},
        name=tr("fig.minimum", lang, w=w, b=b),
    )  # fmt: skip


def _path_3d(trajectory: Trajectory, lang: Lang) -> go.Scatter3d:
    """The optimizer's path over the surface: (w, b, loss) at every step."""
    p = trajectory.params
    lr = trajectory.meta.get("hyperparameters", {}).get("learning_rate", float("nan"))
    return go.Scatter3d(
        x=p[:, 0],
        y=p[:, 1],
        z=trajectory.losses,
        mode="lines+markers",
        line={"color": "black", "width": 4},
        marker={"size": 2.5, "color": "white"},
        name=tr("fig.path", lang, lr=lr),
    )


def landscape_3d(
    landscape: Landscape,
    quadratic: QuadraticForm | None = None,
    trajectory: Trajectory | None = None,
    lang: Lang = "en",
    points: bool = True,
) -> go.Figure:
    """The loss surface, the grid points as a scatter, the minimum in red and a path.

    Drag to rotate, scroll to zoom. ``points=False`` leaves out the scatter of
    grid points (for dense grids). At most 201 x 201 grid points are drawn (see
    :func:`losslab.plots.grid.thinned`).
    """
    a, c, values = thinned(landscape, 201)
    names = landscape.meta.get("param_names", ["w", "b"])
    fig = go.Figure(_grid_traces(a, c, values, loss_label(landscape.meta, lang), points))
    if quadratic is not None:
        fig.add_trace(_minimum_pin(quadratic, 0.45 * float(np.ptp(values)), lang))
    if trajectory is not None:
        fig.add_trace(_path_3d(trajectory, lang))
    fig.update_layout(
        title={"text": wrap_title(tr("fig.landscape_title", lang)), "font": {"size": 14}},
        scene={
            "xaxis_title": str(names[0]),
            "yaxis_title": str(names[1]),
            "zaxis_title": loss_label(landscape.meta, lang),
            # further out than plotly's default, so the bottom axis labels stay inside
            "camera": {"eye": {"x": -1.75, "y": -1.75, "z": 1.05}},
        },
        legend={"x": 0.0, "y": 0.92},
        margin={"l": 0, "r": 0, "t": 60, "b": 10},
        modebar=MODEBAR,  # at the right edge, not over the title
        height=540,
        font={
            "family": "DejaVu Sans, 'Noto Sans CJK JP', 'IPAexGothic', 'IPAGothic', "
            "'Hiragino Sans', 'Yu Gothic', Meiryo, sans-serif"
        },
    )
    return fig


def contour_map(
    landscape: Landscape,
    quadratic: QuadraticForm | None = None,
    trajectory: Trajectory | None = None,
    lang: Lang = "en",
) -> go.Figure:
    """Contours of the loss (click a point to choose a start), the minimum and a path."""
    a, c = landscape.axes
    names = landscape.meta.get("param_names", ["w", "b"])
    lo = float(landscape.values.min())
    fig = go.Figure()
    fig.add_trace(
        go.Contour(
            x=a,
            y=c,
            z=np.sqrt(np.maximum(landscape.values - lo, 0.0)),
            colorscale="Viridis",
            showscale=False,
            ncontours=18,
            name=loss_label(landscape.meta, lang),
            hovertemplate="%{x:.3g}, %{y:.3g}<extra></extra>",
            contours={"coloring": "fill"},
        )
    )  # contours of sqrt(loss - min): evenly spaced ellipses for a bowl
    if quadratic is not None:
        w, b = quadratic.minimum
        fig.add_trace(
            go.Scatter(
                x=[w],
                y=[b],
                mode="markers",
                name=tr("fig.minimum", lang, w=w, b=b),
                marker={"color": "red", "size": 11, "line": {"color": "black", "width": 1}},
            )
        )
    if trajectory is not None:
        fig.add_traces(_path_2d(trajectory, lang))
    fig.update_layout(
        xaxis_title=str(names[0]), yaxis_title=str(names[1]),
        xaxis={"range": [a[0], a[-1]]}, yaxis={"range": [c[0], c[-1]], "scaleanchor": "x"},
        modebar=MODEBAR,
        margin={"l": 50, "r": 10, "t": 30, "b": 40}, height=430,
        legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.8)"},
        title={"text": tr("fig.contour_title", lang), "font": {"size": 14}},
        font={"family": FONTS}, uirevision="keep",
    )  # fmt: skip
    return fig


def _path_2d(trajectory: Trajectory, lang: Lang) -> list[go.Scatter]:
    """The optimizer's path on the contour map (white) and its start (a blue square)."""
    p = trajectory.params
    lr = trajectory.meta.get("hyperparameters", {}).get("learning_rate", float("nan"))
    name = optimizer_name(str(trajectory.meta.get("optimizer", "")), lang)
    start = {"symbol": "square", "size": 11, "color": "#1f77b4",
             "line": {"color": "white", "width": 1}}  # fmt: skip
    return [
        go.Scatter(
            x=p[:, 0],
            y=p[:, 1],
            mode="lines+markers",
            name=tr("fig.optimizer_path", lang, name=name, lr=lr),
            line={"color": "white", "width": 2},
            marker={"size": 4, "color": "white", "line": {"color": "black", "width": 1}},
        ),
        go.Scatter(
            x=p[:1, 0],
            y=p[:1, 1],
            mode="markers",
            marker=start,
            name=tr("fig.start", lang, w=p[0, 0], b=p[0, 1]),
        ),
    ]


def data_and_lines(
    x: NDArray[np.float64],
    t: NDArray[np.float64],
    curve: tuple[NDArray[np.float64], NDArray[np.float64]],
    model_line: NDArray[np.float64],
    params: NDArray[np.float64],
    teacher: str,
    lang: Lang = "en",
) -> go.Figure:
    """The teacher's data and curve (orange) and the model's current line (blue)."""
    xs, ts = curve
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ts,
            mode="lines",
            line={"color": "#ff7f0e", "width": 3},
            name=tr("fig.teacher", lang, expr=teacher),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=t,
            mode="markers",
            name=tr("fig.data", lang),
            marker={"color": "#ff7f0e", "size": 7, "line": {"color": "black", "width": 1}},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=model_line,
            mode="lines",
            line={"color": "#1f77b4", "width": 3},
            name=tr("fig.model", lang, line=line_text(float(params[0]), float(params[1]))),
        )
    )
    fig.update_layout(
        xaxis_title=tr("fig.x", lang), yaxis_title=tr("fig.y", lang), height=360,
        modebar=MODEBAR,
        margin={"l": 50, "r": 10, "t": 30, "b": 40}, title={"text": tr("fig.setting_title", lang),
        "font": {"size": 14}}, legend={"x": 0.01, "y": 0.99}, font={"family": FONTS},
    )  # fmt: skip
    return fig


def loss_curve(losses: NDArray[np.float64], min_loss: float, lang: Lang = "en") -> go.Figure:
    """Loss minus the minimum loss per step, on a log scale."""
    excess = np.maximum(np.asarray(losses) - min_loss, 1e-300)
    fig = go.Figure(
        go.Scatter(
            y=excess,
            mode="lines+markers",
            marker={"size": 4},
            line={"color": "#1f77b4"},
            name=tr("fig.loss_minus_min", lang),
        )
    )
    fig.update_layout(
        yaxis=log_axis(excess), xaxis_title=tr("fig.step", lang), modebar=MODEBAR,
        yaxis_title=tr("fig.loss_minus_min", lang), height=300,
        margin={"l": 60, "r": 10, "t": 30, "b": 40}, font={"family": FONTS},
        title={"text": tr("fig.loss_curve_title", lang), "font": {"size": 14}},
    )  # fmt: skip
    return fig


def plane_map(
    landscape: Landscape, path: NDArray[np.float64] | None, lang: Lang = "en"
) -> go.Figure:
    """Contours of a network's landscape plane (log of loss above its minimum), with a path."""
    a, c = landscape.axes
    names = landscape.meta.get("param_names", ["α", "β"])
    lo = float(np.nanmin(landscape.values))
    fig = go.Figure(
        go.Contour(x=a, y=c, z=np.log10(landscape.values - lo + 1e-4), colorscale="Viridis",
                   ncontours=20, showscale=False, hovertemplate="%{x:.3g}, %{y:.3g}<extra></extra>")
    )  # fmt: skip
    if path is not None and len(path):
        fig.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers",
                                 name=tr("fig.net_path", lang, steps=len(path) - 1),
                                 line={"color": "white", "width": 2},
                                 marker={"size": 3}))  # fmt: skip
        fig.add_trace(go.Scatter(x=path[-1:, 0], y=path[-1:, 1], mode="markers",
                                 name=tr("fig.plane_end", lang),
                                 marker={"color": "red", "size": 10, "line": EDGE}))  # fmt: skip
    fig.update_layout(
        xaxis_title=str(names[0]), yaxis_title=str(names[1]), height=400,
        modebar=MODEBAR,
        margin={"l": 50, "r": 10, "t": 30, "b": 40}, font={"family": FONTS},
        legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.8)"},
        title={"text": tr("app.net_plane_title", lang), "font": {"size": 14}},
    )  # fmt: skip
    return fig


def prediction_map(
    grid: tuple[NDArray[np.float64], ...],
    x: NDArray[np.float64],
    t: NDArray[np.float64],
    lang: Lang = "en",
) -> go.Figure:
    """The network's decision map (two inputs) or fitted curve (one input) with the data."""
    fig = go.Figure()
    if len(grid) == 3:
        gx, gy, value = grid
        fig.add_trace(go.Heatmap(x=gx[0], y=gy[:, 0], z=value, colorscale="RdBu", reversescale=True,
                                 opacity=0.5, showscale=False, hoverinfo="skip"))  # fmt: skip
        colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]  # class 0 blue, 1 red
        for k in np.unique(t.astype(int)):
            pts = x[t.astype(int) == k]
            fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="markers",
                                     name=tr("fig.class", lang, k=int(k)),
                                     marker={"size": 7, "line": EDGE,
                                             "color": colors[int(k) % len(colors)]}))  # fmt: skip
        title = tr("fig.decision_title", lang)
    elif len(grid) == 2:
        xs, ys = grid
        x1 = x if x.ndim == 1 else x[:, 0]
        fig.add_trace(go.Scatter(x=x1, y=t, mode="markers", name=tr("fig.data", lang),
                                 marker={"color": "#ff7f0e", "line": EDGE}))  # fmt: skip
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=tr("fig.net_fit", lang),
                                 line={"color": "#1f77b4", "width": 3}))  # fmt: skip
        title = tr("fig.fit_curve_title", lang)
    else:
        title = ""
    fig.update_layout(height=400, modebar=MODEBAR,
                      margin={"l": 50, "r": 10, "t": 30, "b": 40},
                      title={"text": title, "font": {"size": 14}}, font={"family": FONTS},
                      legend={"x": 0.01, "y": 0.99})  # fmt: skip
    return fig


def blank(note: str, height: int = 400, width: int = 36) -> go.Figure:
    """An empty figure (no axes) with ``note`` in its middle: a view still waiting for data."""
    lines = textwrap.wrap(note, width) if " " in note else textwrap.wrap(note, width // 2)
    fig = go.Figure()
    fig.update_layout(
        height=height, xaxis={"visible": False}, yaxis={"visible": False},
        plot_bgcolor="#fafafa", paper_bgcolor="#fafafa", font={"family": FONTS},
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        annotations=[{"text": "<br>".join(lines), "showarrow": False, "xref": "paper",
                      "yref": "paper", "x": 0.5, "y": 0.5, "font": {"size": 13, "color": "#666"}}],
    )  # fmt: skip
    return fig


def figure_parts(fig: go.Figure) -> tuple[list[Any], list[str]]:
    """A figure's parts (its layout, then each trace, as plotly JSON) and a digest of each.

    Two renders whose digests agree at a place drew the same part there; the web app sends
    only the parts whose digest changed.
    """
    full = fig.to_plotly_json()
    parts = [full["layout"], *full["data"]]
    digests = [
        hashlib.sha1(  # a fingerprint, not security
            json.dumps(p, cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True).encode(),
            usedforsecurity=False,
        ).hexdigest()[:20]
        for p in parts
    ]
    return parts, digests
