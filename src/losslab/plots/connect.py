"""Figures of mode connectivity: the loss along each path, and the plane with the curve on it."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from losslab.i18n import Lang, loss_label, tr
from losslab.landscape.connect import CurvePlane, PathProfile
from losslab.lessons.connect import Connection
from losslab.plots.networks import _log_contours
from losslab.plots.static import MINIMUM_COLOR, MODEL_COLOR, _label_axes, _new_figure, style

#: How each path is drawn: colour and line style.
PATH_STYLES = {
    "line": ("tab:gray", "--"),
    "bezier": ("tab:blue", "-"),
    "polychain": ("tab:blue", "-"),
    "neb": ("tab:orange", "-."),
}


def _path_name(name: str, profile: PathProfile, lang: Lang) -> str:
    """``Bezier curve (1 bend)``, ``straight line``, ``elastic band (3 pivots)``."""
    bends = int(profile.curve.bends.shape[0])
    return tr(f"connect.fig_{name}", lang, count=bends)


def figure_profiles(connection: Connection, lang: Lang = "en") -> Figure:
    """The loss along each path against t (A at 0, B at 1), the barrier of each in the
    legend; beside it the accuracy along each path where there are labels."""
    profiles = connection.profiles()
    accuracy = connection.line.accuracies is not None
    with style():
        fig = _new_figure(11.5 if accuracy else 6.8, 4.4)
        axes = fig.subplots(1, 2 if accuracy else 1, squeeze=False)[0]
        ax = axes[0]
        for name, profile in profiles.items():
            color, dash = PATH_STYLES[name]
            label = tr("connect.fig_barrier", lang, path=_path_name(name, profile, lang),
                       value=profile.barrier)  # fmt: skip
            ax.plot(profile.t, profile.losses, dash, color=color, lw=2, label=label)
        line = connection.line
        for t, key, color in ((0.0, "connect.fig_a", MODEL_COLOR), (1.0, "connect.fig_b",
                                                                     MINIMUM_COLOR)):  # fmt: skip
            k = int(np.argmin(np.abs(line.t - t)))
            ax.plot(t, line.losses[k], "o", color=color, mec="black", ms=7, zorder=5,
                    label=tr(key, lang))  # fmt: skip
        values = np.concatenate([p.losses for p in profiles.values()])
        if values.min() > 0 and values.max() / values.min() > 100:
            ax.set_yscale("log")
        ax.set_xlabel(tr("connect.fig_t", lang))
        ax.set_ylabel(loss_label(line.meta, lang))
        ax.set_title(tr("connect.fig_profile_title", lang))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, framealpha=0.9)
        if accuracy:
            acc = axes[1]
            for name, profile in profiles.items():
                color, dash = PATH_STYLES[name]
                assert profile.accuracies is not None and profile.accuracy_barrier is not None
                label = tr("connect.fig_accuracy_drop", lang,
                           path=_path_name(name, profile, lang),
                           value=profile.accuracy_barrier * 100)  # fmt: skip
                acc.plot(profile.t, profile.accuracies * 100, dash, color=color, lw=2, label=label)
            acc.set_ylim(-3, 103)
            acc.set_xlabel(tr("connect.fig_t", lang))
            acc.set_ylabel(tr("connect.fig_accuracy", lang))
            acc.set_title(tr("connect.fig_accuracy_title", lang))
            acc.grid(alpha=0.3)
            acc.legend(fontsize=8, framealpha=0.9, loc="lower left")
        return fig


def figure_curve_plane(connection: Connection, lang: Lang = "en") -> Figure:
    """Contours of the plane through A, B and the bend, with the line and the curve on it."""
    plane = connection.plane
    if plane is None:
        raise ValueError("the connection has no plane (plane_points=None)")
    return figure_plane_of(plane, connection.curve, lang, connection.line)


def figure_plane_of(
    plane: CurvePlane, curve: PathProfile, lang: Lang = "en", line: PathProfile | None = None
) -> Figure:
    """The plane's contours (log-spaced levels) with the straight line, the curve, its
    bends and the two ends; with the ``line``'s profile the title says whether the curve
    lowered the line's barrier (not every pair of networks has one)."""
    land = plane.landscape
    name = _path_name(curve.curve.kind, curve, lang)
    with style():
        fig = _new_figure(6.8, 5.6)
        ax = fig.add_subplot()
        _log_contours(ax, land, lang, "%.3g")
        ax.plot([0.0, 1.0], [0.0, 0.0], "--", color="silver", lw=1.8,
                label=_path_name("line", curve, lang))  # fmt: skip
        ax.plot(plane.coords[:, 0], plane.coords[:, 1], "-", color="orange", lw=2.2, label=name)
        bends = plane.nodes[1:-1]
        ax.plot(bends[:, 0], bends[:, 1], "D", color="orange", mec="black", ms=7,
                label=tr("connect.fig_bend", lang, count=len(bends)))  # fmt: skip
        ax.plot(*plane.nodes[0], "o", color=MODEL_COLOR, mec="white", ms=9,
                label=tr("connect.fig_a", lang))  # fmt: skip
        ax.plot(*plane.nodes[-1], "o", color=MINIMUM_COLOR, mec="white", ms=9,
                label=tr("connect.fig_b", lang))  # fmt: skip
        a, c = land.axes
        ax.set_xlim(a[0], a[-1])
        ax.set_ylim(c[0], c[-1])
        ax.set_aspect("equal")
        _label_axes(ax, land)
        title = tr("connect.fig_plane_title", lang)
        if line is not None:
            lowered = line.barrier > 0 and curve.barrier < 0.9 * line.barrier
            key = "connect.fig_plane_lowered" if lowered else "connect.fig_plane_kept"
            title += "\n" + tr(key, lang, line=line.barrier, curve=curve.barrier)
        off = float(np.max(plane.off_plane)) if plane.off_plane.size else 0.0
        if off > 1e-6:  # several bends: the curve is projected
            title += "\n" + tr("connect.fig_projected", lang, value=off)
        ax.set_title(title)
        fig.legend(loc="outside lower center", ncols=3, fontsize=8, frameon=False)
        return fig
