"""Figures of curvature: λmax over a gradient-descent run with the line 2/lr, the loss
below it, and the Hessian's eigenvalue density. They draw results; they never evaluate."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from losslab.analysis.curvature import SpectralDensity, TopEigenvalues
from losslab.i18n import Lang, tr
from losslab.lessons.sharpness import SharpnessRun
from losslab.plots.static import _new_figure, style

SHARPNESS_COLOR = "tab:blue"
EDGE_COLOR = "tab:red"


def _axes(ax: Axes | None, width: float = 6.4, height: float = 3.2) -> Axes:
    return ax if ax is not None else _new_figure(width, height).add_subplot()


def plot_sharpness(
    run: SharpnessRun, ax: Axes | None = None, lang: Lang = "en", **plot_kwargs: Any
) -> Axes:
    """λmax at each measured step, and the dashed line ``2 / lr`` (the edge of stability)."""
    ax = _axes(ax)
    kwargs: dict[str, Any] = {"color": SHARPNESS_COLOR, "lw": 1.5}
    kwargs["marker"] = "." if len(run.steps) < 60 else None
    kwargs.update(plot_kwargs)
    ax.plot(run.steps, run.lambda_max, label=tr("curvature.fig_lambda_max", lang), **kwargs)
    ax.axhline(run.stability_limit, color=EDGE_COLOR, ls="--", lw=1.2,
               label=tr("curvature.fig_edge", lang, value=run.stability_limit))  # fmt: skip
    top = max(float(np.nanmax(run.lambda_max)), run.stability_limit)
    ax.set_ylim(0, top * 1.15)
    ax.set_ylabel(tr("curvature.fig_lambda_max", lang))
    ax.set_title(tr("curvature.fig_sharpness_title", lang, lr=run.learning_rate))
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    return ax


def plot_run_loss(
    run: SharpnessRun, ax: Axes | None = None, lang: Lang = "en", **plot_kwargs: Any
) -> Axes:
    """The loss at every step of the run, on a log scale."""
    ax = _axes(ax)
    kwargs: dict[str, Any] = {"color": "k", "lw": 1.0}
    kwargs.update(plot_kwargs)
    ax.plot(np.arange(run.losses.size), run.losses, **kwargs)
    ax.set_yscale("log")
    ax.set_xlabel(tr("curvature.fig_step", lang))
    ax.set_ylabel(tr("curvature.fig_loss", lang))
    ax.set_title(tr("curvature.fig_loss_title", lang))
    ax.grid(alpha=0.3)
    return ax


def figure_sharpness(run: SharpnessRun, lang: Lang = "en") -> Figure:
    """λmax over the steps with the line 2/lr (top) and the loss (below), one step axis."""
    with style():
        fig = _new_figure(7.0, 6.0)
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
        plot_sharpness(run, top, lang)
        plot_run_loss(run, bottom, lang)
    return fig


def plot_density(
    density: SpectralDensity,
    ax: Axes | None = None,
    lang: Lang = "en",
    top: TopEigenvalues | None = None,
    **plot_kwargs: Any,
) -> Axes:
    """The eigenvalue density (log scale), with the top eigenvalues as red ticks."""
    ax = _axes(ax)
    kwargs: dict[str, Any] = {"color": SHARPNESS_COLOR, "lw": 1.2}
    kwargs.update(plot_kwargs)
    floor = max(float(density.density.max()) * 1e-6, 1e-300)  # six decades are shown
    ax.semilogy(density.grid, np.maximum(density.density, floor * 1e-3), **kwargs)
    ax.set_ylim(floor, float(density.density.max()) * 3)
    if top is not None:
        for k, value in enumerate(top.values):
            ax.axvline(value, color=EDGE_COLOR, ls=":", lw=1.0,
                       label=tr("curvature.fig_top", lang) if k == 0 else None)  # fmt: skip
        ax.legend(loc="upper right")
    ax.set_xlabel(tr("curvature.fig_eigenvalue", lang))
    ax.set_ylabel(tr("curvature.fig_density", lang))
    ax.set_title(tr("curvature.fig_density_title", lang))
    ax.grid(alpha=0.3)
    return ax


def figure_density(
    density: SpectralDensity, top: TopEigenvalues | None = None, lang: Lang = "en"
) -> Figure:
    """The eigenvalue density on its own figure."""
    with style():
        fig = _new_figure(6.4, 4.0)
        plot_density(density, fig.add_subplot(), lang, top)
    return fig
