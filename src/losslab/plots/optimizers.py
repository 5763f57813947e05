"""Figures of optimizer experiments: comparison, learning-rate sweep, mini-batch noise."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, MaxNLocator, NullFormatter, NullLocator

from losslab.i18n import Lang, optimizer_name, tr
from losslab.landscape.result import Landscape
from losslab.lessons.optimizers import Comparison, MinibatchNoise, Sweep
from losslab.plots.static import _label_axes, _new_figure, _single_axes, axis_names, style

COLORS = [matplotlib.colormaps["tab10"](k) for k in range(10)]
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def tidy_log_axis(axis: Axis, values: np.ndarray) -> None:
    """On a log axis that spans less than a decade (where matplotlib labels every minor tick
    as ``5.4 x 10^0``), put 4 plainly labelled ticks instead."""
    positive = values[np.isfinite(values) & (values > 0)]
    if positive.size and positive.max() < 10 * positive.min():
        axis.set_major_locator(MaxNLocator(4))
        axis.set_major_formatter(FormatStrFormatter("%.4g"))
        axis.set_minor_locator(NullLocator())
        axis.set_minor_formatter(NullFormatter())


def _contour(ax: Axes, land: Landscape, book: bool = False) -> None:
    A, C = np.meshgrid(*land.axes)
    if book:
        # The book's figure: contour lines of f with f > 7 set to 0, default levels.
        ax.contour(A, C, np.where(land.values > 7, 0.0, land.values))
        return
    lo, hi = float(land.values.min()), float(land.values.max())
    levels = lo + (hi - lo) * np.linspace(0.0, 1.0, 16)[1:] ** 2
    ax.contourf(A, C, land.values, levels=levels, cmap="Greys", alpha=0.35, extend="both")
    ax.contour(A, C, land.values, levels=levels, colors="grey", linewidths=0.5)


def _limits(ax: Axes, comparison: Comparison) -> None:
    if comparison.preset == "book-ch6":
        ax.set_xlim(-10, 10)
        ax.set_ylim(-10, 10)
    else:
        a, c = comparison.landscape.axes
        ax.set_xlim(a[0], a[-1])
        ax.set_ylim(c[0], c[-1])
        ax.set_aspect("equal")


def _mark_minimum(ax: Axes, minimum: np.ndarray, lang: Lang) -> None:
    """The minimum as a black '+', labelled with its coordinates."""
    ax.plot(*minimum, "+", color="black", ms=14, mew=2,
            label=tr("fig.minimum", lang, w=minimum[0], b=minimum[1]))  # fmt: skip


def _label(name: str, hyper: dict[str, float], lang: Lang = "en") -> str:
    lr = hyper.get("learning_rate", float("nan"))
    return tr("fig.optimizer_path", lang, name=optimizer_name(name, lang), lr=lr)


def figure_compare_overlay(
    comparison: Comparison, lang: Lang = "en", ax: Axes | None = None
) -> Figure:
    """Every optimizer's path on one shared contour map, one colour each."""
    xname, yname = axis_names(comparison.landscape)
    with style():
        fig, ax = _single_axes(ax, 7.0, 5.6)
        _contour(ax, comparison.landscape, book=comparison.preset == "book-ch6")
        count = len(comparison.trajectories)
        for k, (name, traj) in enumerate(comparison.trajectories.items()):
            p = traj.params
            # Earlier paths wider and with larger markers, so that paths which coincide
            # (AdaGrad, RMSprop and Adam all start along the diagonal) stay visible.
            wide = (count - 1 - k) / max(count - 1, 1)
            ax.plot(
                p[:, 0],
                p[:, 1],
                "-",
                marker=MARKERS[k % len(MARKERS)],
                ms=3 + 5 * wide,
                lw=1.0 + 2.4 * wide,
                color=COLORS[k % 10],
                label=_label(name, traj.meta["hyperparameters"], lang),
            )
        _mark_minimum(ax, comparison.minimum, lang)
        _limits(ax, comparison)
        ax.set_xlabel(xname)
        ax.set_ylabel(yname)
        ax.set_title(tr("fig.compare_title", lang))
        ax.legend(loc="best", fontsize=8, framealpha=0.9)
        return fig


def figure_compare_panels(comparison: Comparison, lang: Lang = "en") -> Figure:
    """One panel per optimizer (2 columns), in the style of the book's ch06 figure."""
    items = list(comparison.trajectories.items())
    rows = math.ceil(len(items) / 2)
    xname, yname = axis_names(comparison.landscape)
    book = comparison.preset == "book-ch6"
    with style():
        fig = _new_figure(9.0, 4.0 * rows)
        for k, (name, traj) in enumerate(items):
            ax = fig.add_subplot(rows, 2, k + 1)
            p = traj.params
            ax.plot(p[:, 0], p[:, 1], "o-", color="red", ms=4 if book else 2.5, lw=1.2)
            _contour(ax, comparison.landscape, book=book)
            _limits(ax, comparison)
            ax.plot(*comparison.minimum, "+", ms=10, mew=1.5)
            title = name if book else _label(name, traj.meta["hyperparameters"], lang)
            ax.set_title(title)
            ax.set_xlabel(xname)
            ax.set_ylabel(yname)
        return fig


def figure_compare_losses(
    comparison: Comparison, lang: Lang = "en", ax: Axes | None = None
) -> Figure:
    """Loss minus the minimum, per step, for every optimizer (log scale)."""
    with style():
        fig, ax = _single_axes(ax, 6.4, 4.0)
        for k, (name, traj) in enumerate(comparison.trajectories.items()):
            excess = np.maximum(traj.losses - comparison.min_loss, 1e-300)
            ax.semilogy(
                excess,
                "-",
                lw=1.6,
                color=COLORS[k % 10],
                label=_label(name, traj.meta["hyperparameters"], lang),
            )
        ax.set_xlabel(tr("fig.step", lang))
        ax.set_ylabel(tr("fig.loss_minus_min", lang))
        ax.set_title(tr("fig.loss_curve_title", lang))
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
        return fig


def figure_lr_sweep(sweep: Sweep, lang: Lang = "en") -> Figure:
    """One column per learning rate: the path on the contours above, the loss below."""
    cols = len(sweep.runs)
    with style():
        fig = _new_figure(3.6 * cols, 7.4)
        for k, r in enumerate(sweep.runs):
            ax = fig.add_subplot(2, cols, k + 1)
            _contour(ax, r.landscape)
            p = r.trajectory.params
            ax.plot(p[:, 0], p[:, 1], "o-", ms=2.5, lw=1.1, color=COLORS[k % 10])
            ax.plot(*p[0], "s", color="tab:blue", ms=6)
            ax.plot(*sweep.minimum, "+", color="black", ms=12, mew=2)
            a, c = r.landscape.axes
            ax.set_xlim(a[0], a[-1])
            ax.set_ylim(c[0], c[-1])
            ax.set_aspect("equal")
            _label_axes(ax, r.landscape)
            ax.set_title(
                tr("fig.sweep_title", lang, fraction=r.fraction, lr=r.learning_rate)
                + "\n"
                + tr(f"fig.outcome.{r.outcome}", lang),
                fontsize=10,
            )
            lx = fig.add_subplot(2, cols, cols + k + 1)
            excess = np.maximum(r.trajectory.losses - sweep.min_loss, 1e-300)
            lx.semilogy(excess, "-o", ms=2, color=COLORS[k % 10])
            tidy_log_axis(lx.yaxis, excess)
            lx.set_xlabel(tr("fig.step", lang))
            lx.set_ylabel(tr("fig.loss_minus_min", lang))
            lx.grid(alpha=0.3, which="both")
        fig.suptitle(tr("fig.sweep_suptitle", lang, limit=sweep.stability_limit))
        return fig


def figure_minibatch(noise: MinibatchNoise, lang: Lang = "en", ax: Axes | None = None) -> Figure:
    """SGD paths with several batch sizes on one contour map."""
    with style():
        fig, ax = _single_axes(ax, 6.6, 5.6)
        _contour(ax, noise.landscape)
        for k, (size, traj) in enumerate(sorted(noise.trajectories.items())):
            p = traj.params
            key = "fig.full_batch" if size == noise.n else "fig.batch"
            ax.plot(
                p[:, 0],
                p[:, 1],
                "-",
                lw=1.2,
                color=COLORS[k % 10],
                alpha=0.9,
                label=tr(key, lang, size=size),
            )
        _mark_minimum(ax, noise.minimum, lang)
        a, c = noise.landscape.axes
        ax.set_xlim(a[0], a[-1])
        ax.set_ylim(c[0], c[-1])
        ax.set_aspect("equal")
        _label_axes(ax, noise.landscape)
        ax.set_title(tr("fig.minibatch_title", lang))
        ax.legend(loc="best", fontsize=8)
        return fig
