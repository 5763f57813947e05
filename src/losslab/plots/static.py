"""Static figures (matplotlib) of landscapes, trajectories and data.

Every function takes library results and returns a ``matplotlib.figure.Figure``
(shown inline by a notebook); none evaluates a loss. Japanese labels render
with the IPAexGothic font shipped by the ``matplotlib-fontja`` package.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, ScalarFormatter
from numpy.typing import NDArray

from losslab.analysis.quadratic import QuadraticForm
from losslab.i18n import Lang, line_text, loss_label, tr
from losslab.landscape.result import Landscape
from losslab.lessons.perceptron import Walkthrough
from losslab.optim.trajectory import Trajectory
from losslab.plots.grid import thinned

TEACHER_COLOR = "tab:orange"
MODEL_COLOR = "tab:blue"
MINIMUM_COLOR = "red"
PATH_COLOR = "white"

_FONT_READY = False


def _register_japanese_font() -> None:
    """Add IPAexGothic from matplotlib-fontja without changing global rcParams."""
    global _FONT_READY
    if _FONT_READY:
        return
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is not None and spec.submodule_search_locations:
        ttf = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "ipaexg.ttf"
        if ttf.exists():
            font_manager.fontManager.addfont(str(ttf))
    _FONT_READY = True


@contextmanager
def style() -> Iterator[None]:
    """Fonts with a Japanese fallback, and readable sizes, for figures made inside."""
    _register_japanese_font()
    with matplotlib.rc_context(
        {
            "font.family": ["DejaVu Sans", "IPAexGothic"],
            "font.size": 10,
            "axes.titlesize": 11,
            "figure.dpi": 100,
            "savefig.dpi": 110,
        }
    ):
        yield


def axis_names(landscape: Landscape) -> tuple[str, str]:
    """The names of a landscape's two axes (``w`` and ``b`` for the perceptron)."""
    names = landscape.meta.get("param_names", ["w", "b"])
    return str(names[0]), str(names[1])


def _label_axes(ax: Axes, landscape: Landscape) -> None:
    xname, yname = axis_names(landscape)
    ax.set_xlabel(xname)
    ax.set_ylabel(yname)


def _new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _single_axes(ax: Axes | None, width: float, height: float) -> tuple[Figure, Axes]:
    """``ax`` and its figure, or a new figure of ``width`` x ``height`` inches with one axes."""
    if ax is not None:
        return ax.get_figure(root=True), ax  # type: ignore[return-value]
    fig = _new_figure(width, height)
    return fig, fig.add_subplot()


def reference_label(wt: Walkthrough, lang: Lang = "en") -> str:
    """The legend of the curve behind the data: the teacher, or measured data's best line."""
    return curve_label(wt.data.meta, wt.quadratic.minimum, lang)


def curve_label(meta: Mapping[str, Any], minimum: NDArray[np.float64], lang: Lang = "en") -> str:
    """``teacher 2*x + 1`` if the data have a teacher, else ``least-squares line y = ...``."""
    if "teacher" in meta:
        return tr("fig.teacher", lang, expr=meta["teacher"])
    return tr("fig.least_squares", lang, line=line_text(minimum[0], minimum[1]))


def data_label(wt: Walkthrough, lang: Lang = "en") -> str:
    """The legend of the data points: teacher data, or the file they came from."""
    source = str(wt.data.meta.get("source", ""))
    if "teacher" in wt.data.meta or not source:
        return tr("fig.data", lang)
    return tr("fig.data_from", lang, source=source.removeprefix("csv:"))


def label_xy(ax: Axes, wt: Walkthrough, lang: Lang = "en") -> None:
    """Axis labels of a data figure: ``input x`` and ``output y``, or the CSV columns."""
    inputs, target = wt.data.meta.get("inputs"), wt.data.meta.get("target")
    ax.set_xlabel(tr("fig.x_column", lang, column=inputs[0]) if inputs else tr("fig.x", lang))
    ax.set_ylabel(tr("fig.y_column", lang, column=target) if target else tr("fig.y", lang))


def figure_setting(wt: Walkthrough, lang: Lang = "en", ax: Axes | None = None) -> Figure:
    """Teacher data and curve in orange, the model's starting line in blue."""
    with style():
        fig, ax = _single_axes(ax, 6.4, 4.2)
        xs, ts = wt.teacher_curve
        ax.plot(xs, ts, color=TEACHER_COLOR, lw=2, label=reference_label(wt, lang))
        ax.scatter(
            *wt.data.drawn(),
            color=TEACHER_COLOR,
            edgecolor="black",
            zorder=3,
            s=22,
            label=data_label(wt, lang),
        )
        ax.plot(
            xs,
            wt.start_line,
            color=MODEL_COLOR,
            lw=2,
            label=tr("fig.model", lang, line=line_text(*wt.init)),
        )
        label_xy(ax, wt, lang)
        own = "teacher" not in wt.data.meta
        ax.set_title(tr("fig.setting_title_data" if own else "fig.setting_title", lang))
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left")
        return fig


def figure_landscape_3d(
    landscape: Landscape,
    quadratic: QuadraticForm,
    lang: Lang = "en",
    views: Sequence[tuple[float, float]] = ((28, -125), (6, -60)),
) -> Figure:
    """The loss at every grid point as a 3D scatter, the minimum in red, from several views."""
    a, c, values = thinned(landscape, 101)
    W, B = np.meshgrid(a, c)
    with style():
        fig = _new_figure(5.2 * len(views), 5.0)
        for k, (elev, azim) in enumerate(views, start=1):
            ax = fig.add_subplot(1, len(views), k, projection="3d", computed_zorder=False)
            ax.scatter(
                W.ravel(),
                B.ravel(),
                values.ravel(),
                c=values.ravel(),
                cmap="viridis",
                s=4,
                alpha=0.8,
                depthshade=False,
            )
            _mark_minimum_3d(ax, quadratic, lang, size=140)
            ax.view_init(elev=elev, azim=azim)
            ax.set_box_aspect(None, zoom=0.85)
            _tidy_3d_ticks(ax)
            _label_axes(ax, landscape)
            ax.set_zlabel(loss_label(landscape.meta, lang))
            ax.set_title(tr("fig.view", lang, k=k, elev=elev, azim=azim))
            ax.legend(loc="upper left")
        fig.suptitle(tr("fig.landscape_title", lang))
        return fig


def _tidy_3d_ticks(ax: Any) -> None:
    """At most 5 ticks per axis; numbers from 10^4 on as a common power of ten (no overlap
    of long tick labels with the axis label)."""
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_major_locator(MaxNLocator(5))
        axis.set_major_formatter(_power_of_ten())


def _power_of_ten() -> ScalarFormatter:
    """Tick labels with a common power of ten from 10^4 (and below 10^-3) on."""
    formatter = ScalarFormatter()
    formatter.set_powerlimits((-3, 4))
    return formatter


def _mark_minimum_3d(ax: Any, quadratic: QuadraticForm, lang: Lang, size: float) -> None:
    """The exact minimum as a red point on a 3D axes, drawn above the surface."""
    w, b = quadratic.minimum
    ax.scatter([w], [b], [quadratic.min_loss], color=MINIMUM_COLOR, s=size, edgecolor="black",
               depthshade=False, zorder=10, label=tr("fig.minimum", lang, w=w, b=b))  # fmt: skip


def _contour_levels(values: NDArray[np.float64], count: int = 14) -> NDArray[np.float64]:
    """Levels spaced as squares, so that a bowl's ellipses come out evenly spaced."""
    lo, hi = float(values.min()), float(values.max())
    levels = lo + (hi - lo) * np.linspace(0.02, 1.0, count) ** 2
    if not np.all(np.diff(levels) > 0):  # a flat (or overflowing) landscape: one band
        base = lo if np.isfinite(lo) else 0.0
        levels = base + np.spacing(max(abs(base), 1.0)) * np.arange(1, count + 1)
    return np.asarray(levels)


def draw_contour(
    ax: Axes,
    landscape: Landscape,
    quadratic: QuadraticForm | None = None,
    trajectory: Trajectory | None = None,
    lang: Lang = "en",
) -> None:
    """Draw contours of ``landscape`` on ``ax``, with the eigen-axes and a path if given."""
    a, c, values = thinned(landscape, 801)
    W, B = np.meshgrid(a, c)
    filled = ax.contourf(
        W,
        B,
        values,
        levels=_contour_levels(values),
        cmap="viridis",
        extend="both",
    )
    ax.contour(
        W,
        B,
        values,
        levels=_contour_levels(values),
        colors="k",
        linewidths=0.4,
        alpha=0.5,
    )
    bar = ax.figure.colorbar(filled, ax=ax, label=loss_label(landscape.meta, lang), shrink=0.9)
    bar.ax.yaxis.set_major_formatter(_power_of_ten())  # 4.75 x 10^5, not 474915
    if quadratic is not None:
        _draw_eigen_axes(ax, landscape, quadratic, lang)
    if trajectory is not None:
        p = trajectory.params
        lr = trajectory.meta.get("hyperparameters", {}).get("learning_rate", float("nan"))
        ax.plot(
            p[:, 0],
            p[:, 1],
            "-o",
            color=PATH_COLOR,
            mec="black",
            ms=3,
            lw=1.2,
            label=tr("fig.path", lang, lr=lr),
        )
        ax.plot(
            *p[0],
            "s",
            color=MODEL_COLOR,
            mec="white",
            ms=8,
            label=tr("fig.start", lang, w=p[0, 0], b=p[0, 1]),
        )
    _label_axes(ax, landscape)
    ax.set_aspect("equal")
    ax.set_xlim(landscape.axes[0][0], landscape.axes[0][-1])
    ax.set_ylim(landscape.axes[1][0], landscape.axes[1][-1])
    ax.legend(loc="best", fontsize=8, framealpha=0.85)


def _draw_eigen_axes(ax: Axes, landscape: Landscape, q: QuadraticForm, lang: Lang) -> None:
    """The ellipses' axes: eigenvectors of the Hessian through the minimum."""
    centre = q.minimum
    span = 0.45 * min(np.ptp(landscape.axes[0]), np.ptp(landscape.axes[1]))
    lo, hi = q.eigenvalues
    # Semi-axes of one contour ellipse scale as 1/sqrt(lambda).
    fast = q.eigenvectors[:, 1] * span * (np.sqrt(lo / hi) if lo > 0 else 0.3)
    ends = np.array([centre - fast, centre + fast])
    ax.plot(
        ends[:, 0], ends[:, 1], color="orangered", lw=2.5, label=tr("fig.axis_fast", lang, value=hi)
    )
    slow = q.eigenvectors[:, 0] * span
    if lo > 0:
        ends = np.array([centre - slow, centre + slow])
        ax.plot(
            ends[:, 0], ends[:, 1], color="gold", lw=2.5, label=tr("fig.axis_slow", lang, value=lo)
        )
    else:
        ends = np.array([centre - 10 * slow, centre + 10 * slow])
        ax.plot(ends[:, 0], ends[:, 1], color="gold", lw=2, label=tr("fig.line_of_minima", lang))
    ax.plot(
        *centre,
        "o",
        color=MINIMUM_COLOR,
        mec="black",
        ms=8,
        label=tr("fig.minimum", lang, w=centre[0], b=centre[1]),
    )


def figure_contour(
    landscape: Landscape,
    quadratic: QuadraticForm | None = None,
    trajectory: Trajectory | None = None,
    lang: Lang = "en",
    title_key: str = "fig.contour_title",
    ax: Axes | None = None,
) -> Figure:
    """A contour map of the landscape, with eigen-axes and an optimizer's path if given."""
    with style():
        fig, ax = _single_axes(ax, 6.0, 5.2)
        draw_contour(ax, landscape, quadratic, trajectory, lang)
        ax.set_title(tr(title_key, lang))
        return fig


def figure_path_3d(
    landscape: Landscape, trajectory: Trajectory, quadratic: QuadraticForm, lang: Lang = "en"
) -> Figure:
    """The path of gradient descent on the 3D surface of the loss."""
    a, c, values = thinned(landscape, 301)
    W, B = np.meshgrid(a, c)
    p = trajectory.params
    with style():
        fig = _new_figure(6.4, 5.2)
        ax = fig.add_subplot(projection="3d", computed_zorder=False)
        ax.plot_surface(W, B, values, cmap="viridis", alpha=0.55, linewidth=0, rstride=5, cstride=5)
        lr = trajectory.meta.get("hyperparameters", {}).get("learning_rate", float("nan"))
        ax.plot(
            p[:, 0],
            p[:, 1],
            trajectory.losses,
            "-o",
            color="black",
            mfc=PATH_COLOR,
            ms=3,
            zorder=10,
            label=tr("fig.path", lang, lr=lr),
        )
        ax.scatter([p[0, 0]], [p[0, 1]], [trajectory.losses[0]], marker="s", s=60,
                   color=MODEL_COLOR, edgecolor="white", depthshade=False, zorder=11,
                   label=tr("fig.start", lang, w=p[0, 0], b=p[0, 1]))  # fmt: skip
        _mark_minimum_3d(ax, quadratic, lang, size=70)
        ax.view_init(elev=35, azim=-120)
        _tidy_3d_ticks(ax)
        _label_axes(ax, landscape)
        ax.set_zlabel(loss_label(landscape.meta, lang))
        ax.set_title(tr("fig.path3d_title", lang))
        ax.legend(loc="upper left", fontsize=8)
        return fig


def figure_loss_curve(
    trajectory: Trajectory, min_loss: float = 0.0, lang: Lang = "en", ax: Axes | None = None
) -> Figure:
    """Loss minus the minimum loss per step, on a log scale."""
    with style():
        fig, ax = _single_axes(ax, 6.0, 3.8)
        excess = np.maximum(trajectory.losses - min_loss, np.finfo(float).tiny)
        ax.semilogy(np.arange(excess.size), excess, "-o", ms=2.5, color=MODEL_COLOR)
        ax.set_xlabel(tr("fig.step", lang))
        ax.set_ylabel(tr("fig.loss_minus_min", lang))
        ax.set_title(tr("fig.loss_curve_title", lang))
        ax.grid(alpha=0.3, which="both")
        return fig


def figure_fit_steps(wt: Walkthrough, lang: Lang = "en", ax: Axes | None = None) -> Figure:
    """The teacher and the model's line at a few steps of gradient descent (``wt.fit_steps``)."""
    traj = wt.trajectory
    xs, ts = wt.teacher_curve
    steps = wt.fit_steps
    colors = matplotlib.colormaps["Blues"](np.linspace(0.35, 1.0, len(steps)))
    with style():
        fig, ax = _single_axes(ax, 6.4, 4.2)
        ax.plot(
            xs,
            ts,
            color=TEACHER_COLOR,
            lw=2.2,
            ls=(0, (5, 3)),
            zorder=4,  # dashed on top: the last step's line lies exactly under it
            label=reference_label(wt, lang),
        )
        ax.scatter(*wt.data.drawn(), color=TEACHER_COLOR, edgecolor="black", s=18, zorder=5)
        for k, line, color in zip(steps, wt.fit_lines, colors, strict=True):
            ax.plot(
                xs,
                line,
                color=color,
                lw=1.6,
                label=tr("fig.fit_step", lang, k=k, line=line_text(*traj.params[k])),
            )
        label_xy(ax, wt, lang)
        ax.set_title(tr("fig.fit_title", lang))
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
        return fig
