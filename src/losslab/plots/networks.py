"""Figures of small networks: landscape planes with the projected path, lines, predictions."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from losslab.i18n import Lang, loss_label, tr
from losslab.landscape.result import Landscape
from losslab.landscape.span import span_title
from losslab.lessons.networks import NetworkRun
from losslab.lessons.xor import XorLandscape
from losslab.plots.static import (
    MINIMUM_COLOR,
    MODEL_COLOR,
    _label_axes,
    _new_figure,
    _single_axes,
    style,
)

CLASS_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")


def _log_levels(values: np.ndarray, count: int = 18) -> np.ndarray:
    """Levels spaced evenly in log(loss - min): a network's losses span decades."""
    lo = float(values.min())
    excess = values - lo
    top = float(excess.max())
    if top <= 0:
        return np.array([lo, lo + 1.0])
    floor = max(top * 1e-4, 1e-12)
    return np.asarray(lo + np.geomspace(floor, top, count))


def _log_contours(ax: Any, land: Landscape, lang: Lang, number_format: str) -> None:
    """Filled and line contours at log-spaced levels, with a colour bar of the loss."""
    A, C = np.meshgrid(*land.axes)
    levels = _log_levels(land.values)
    filled = ax.contourf(A, C, land.values, levels=levels, cmap="viridis", extend="both")
    ax.contour(A, C, land.values, levels=levels, colors="k", linewidths=0.3, alpha=0.5)
    ax.figure.colorbar(filled, ax=ax, label=loss_label(land.meta, lang), format=number_format)


def figure_plane(run: NetworkRun, lang: Lang = "en", ax: Axes | None = None) -> Figure:
    """Contours of the plane with the training path projected onto it."""
    title = tr(f"fig.plane.{run.plane_kind}", lang)
    if run.pca is not None:
        explained = run.pca.explained * 100
        title += "\n" + tr("fig.pca_explained", lang, a=explained[0], b=explained[1])
    span = span_title(run.plane.meta.get("span"), lang)
    title += "\n" + span if span else ""
    projected = run.plane_kind in ("random", "hessian", "saddle")
    start_key = "fig.plane_start" if projected else "fig.plane_start_exact"
    return figure_landscape(run.plane, title, run.path_coords, run.trajectory.steps,
                            start_key, lang, ax)  # fmt: skip


def figure_landscape(
    land: Landscape,
    title: str,
    path: np.ndarray | None = None,
    steps: int | None = None,
    start_key: str = "fig.plane_start_exact",
    lang: Lang = "en",
    ax: Axes | None = None,
) -> Figure:
    """Contours of any 2D landscape (log-spaced levels), with a projected path if given.

    ``steps`` is the number of training steps of ``path``; ``None`` when its points are
    checkpoints, which the legend then counts.
    """
    with style():
        fig, ax = _single_axes(ax, 6.4, 5.4)
        _log_contours(ax, land, lang, "%.3g")
        if path is not None and len(path):
            # Without a step count the points are checkpoints (torch-scan --trajectory): count
            # them, since the steps between two checkpoints are unknown.
            label = (tr("fig.net_path", lang, steps=steps) if steps is not None
                     else tr("fig.net_checkpoints", lang, count=len(path)))  # fmt: skip
            ax.plot(path[:, 0], path[:, 1], "-o", ms=2.5, color="white", lw=1.4, label=label)
            ax.plot(*path[0], "s", color=MODEL_COLOR, mec="white", ms=7, label=tr(start_key, lang))
            ax.plot(*path[-1], "o", color=MINIMUM_COLOR, mec="black", ms=7,
                    label=tr("fig.plane_end", lang))  # fmt: skip
            ax.legend(loc="best", fontsize=8, framealpha=0.85)
        a, c = land.axes
        ax.set_xlim(a[0], a[-1])
        ax.set_ylim(c[0], c[-1])
        _label_axes(ax, land)
        ax.set_title(title)
        return fig


def draw_surface(ax: Any, land: Landscape, alpha: float) -> None:
    """The landscape as a 3D surface on ``ax``, with at most about 60 facets a side."""
    A, C = np.meshgrid(*land.axes)
    stride = max(1, land.values.shape[0] // 60)
    ax.plot_surface(A, C, land.values, cmap="viridis", rstride=stride, cstride=stride,
                    linewidth=0, alpha=alpha)  # fmt: skip


def figure_surface(
    land: Landscape, lang: Lang = "en", title_key: str = "fig.net_surface"
) -> Figure:
    """The plane's loss as a 3D surface."""
    with style():
        fig = _new_figure(6.4, 5.2)
        ax = fig.add_subplot(projection="3d", computed_zorder=False)
        draw_surface(ax, land, alpha=0.9)
        ax.view_init(elev=35, azim=-125)
        _label_axes(ax, land)
        ax.set_zlabel(loss_label(land.meta, lang))
        ax.set_title(tr(title_key, lang))
        return fig


def figure_line(
    line: Landscape, lang: Lang = "en", ends: tuple[str, str] | None = None, ax: Axes | None = None
) -> Figure:
    """The loss along the straight line from the start (α = 0) to the trained network (α = 1).

    ``ends`` names the two ends instead (then the axis and title say A and B).
    """
    alphas, values = line.axes[0], line.values
    labels = (tr("fig.net_start", lang), tr("fig.net_end", lang)) if ends is None else (
        f"A: {ends[0]} (α = 0)", f"B: {ends[1]} (α = 1)")  # fmt: skip
    with style():
        fig, ax = _single_axes(ax, 6.4, 3.8)
        ax.plot(alphas, values, color=MODEL_COLOR, lw=2)
        for alpha, label, color in ((0.0, labels[0], MODEL_COLOR),
                                    (1.0, labels[1], MINIMUM_COLOR)):  # fmt: skip
            k = int(np.argmin(np.abs(alphas - alpha)))
            ax.plot(alphas[k], values[k], "o", color=color, mec="black", ms=7, label=label)
        ax.set_yscale("log" if values.min() > 0 and values.max() / values.min() > 100 else "linear")
        ab = ends is not None
        ax.set_xlabel(tr("fig.alpha_ab" if ab else "fig.alpha", lang))
        ax.set_ylabel(loss_label(line.meta, lang))
        ax.set_title(tr("fig.line_title_ab" if ab else "fig.line_title", lang))
        ax.grid(alpha=0.3)
        ax.legend()
        return fig


def figure_prediction(run: NetworkRun, lang: Lang = "en", ax: Axes | None = None) -> Figure:
    """The decision boundary (two inputs) or the fitted curve (one input) with the data."""
    data = run.objective.data
    grid = run.prediction_grid
    with style():
        fig, ax = _single_axes(ax, 6.0, 5.0)
        if len(grid) == 3:
            gx, gy, value = grid
            if run.objective.loss_fn.name == "bce":
                ax.contourf(gx, gy, value, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.5)
                ax.contour(gx, gy, value, levels=[0.5], colors="black", linewidths=2)
            else:
                ax.contourf(
                    gx, gy, value, levels=np.arange(-0.5, value.max() + 1), cmap="tab10", alpha=0.3
                )
            labels = data.t.astype(int)
            for k in np.unique(labels):
                pts = data.x[labels == k]
                ax.scatter(
                    pts[:, 0],
                    pts[:, 1],
                    s=18,
                    edgecolor="black",
                    linewidth=0.5,
                    color=CLASS_COLORS[k % len(CLASS_COLORS)],
                    label=tr("fig.class", lang, k=k),
                )
            ax.set_xlabel("x₁")
            ax.set_ylabel("x₂")
            ax.set_title(tr("fig.decision_title", lang))
        elif len(grid) == 2:
            xs, ys = grid
            x = data.x if data.x.ndim == 1 else data.x[:, 0]
            ax.scatter(
                x, data.t, color="tab:orange", edgecolor="black", s=18, label=tr("fig.data", lang)
            )
            ax.plot(xs, ys, color=MODEL_COLOR, lw=2, label=tr("fig.net_fit", lang))
            ax.set_xlabel(tr("fig.x", lang))
            ax.set_ylabel(tr("fig.y", lang))
            ax.set_title(tr("fig.fit_curve_title", lang))
        ax.legend(loc="best", fontsize=8)
        return fig


def _xor_title(xor: XorLandscape, lang: Lang) -> str:
    """The title with the minima's α as found on the grid and the number of saddles."""
    alphas = np.sort(xor.critical.minima[:, 0])
    left, right = (f"{alphas[0]:.2g}", f"{alphas[-1]:+.2g}") if alphas.size else ("?", "?")
    key = "fig.xor_title" if len(xor.critical.saddles) == 1 else "fig.xor_title_many"
    return tr(key, lang, left=left.replace("-", "−"), right=right,
              count=len(xor.critical.saddles))  # fmt: skip


def figure_xor(xor: XorLandscape, lang: Lang = "en") -> Figure:
    """The XOR network's plane: two equivalent minima, a saddle between them, on two panels."""
    land = xor.landscape
    with style():
        fig = _new_figure(11.5, 5.0)
        ax = fig.add_subplot(1, 2, 1)
        _log_contours(ax, land, lang, "%.2g")
        mins, saddles = xor.critical.minima, xor.critical.saddles
        ax.plot(
            mins[:, 0],
            mins[:, 1],
            "o",
            color=MINIMUM_COLOR,
            mec="white",
            ms=9,
            label=tr("fig.xor_minima", lang, count=len(mins)),
        )
        if len(saddles):
            ax.plot(
                saddles[:, 0],
                saddles[:, 1],
                "X",
                color="orange",
                mec="black",
                ms=11,
                label=tr("fig.xor_saddles", lang, count=len(saddles)),
            )
        _label_axes(ax, land)
        ax.set_aspect("equal")
        fig.suptitle(_xor_title(xor, lang))  # spans both panels: too long for one
        ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
        ax3 = fig.add_subplot(1, 2, 2, projection="3d", computed_zorder=False)
        draw_surface(ax3, land, alpha=0.85)
        ax3.scatter(mins[:, 0], mins[:, 1], mins[:, 2], color=MINIMUM_COLOR, s=60, depthshade=False)
        if len(saddles):
            ax3.scatter(
                saddles[:, 0],
                saddles[:, 1],
                saddles[:, 2],
                color="orange",
                marker="X",
                s=90,
                edgecolor="black",
                depthshade=False,
            )
        ax3.view_init(elev=40, azim=-70)
        for axis in (ax3.xaxis, ax3.yaxis, ax3.zaxis):
            axis.set_major_locator(MaxNLocator(5))
        _label_axes(ax3, land)
        ax3.set_zlabel(loss_label(land.meta, lang))
        return fig
