"""The figures of the report: file name and how each is drawn from the report's results."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure

from losslab.i18n import Lang, tr
from losslab.io import png_bytes
from losslab.landscape.progress import progress as counted
from losslab.lessons.report import ReportData
from losslab.plots import networks as network_figures
from losslab.plots import optimizers as experiment_figures
from losslab.plots import static


@dataclass(frozen=True)
class FigureSpec:
    """A figure of the report: its file name and how to draw it from the walk-through."""

    filename: str
    draw: Callable[[ReportData, Lang], Figure]


FIGURES: Sequence[FigureSpec] = (
    FigureSpec("01-setting.png", lambda d, lang: static.figure_setting(d.wt, lang)),
    FigureSpec(
        "03-landscape-3d.png",
        lambda d, lang: static.figure_landscape_3d(d.wt.landscape, d.wt.quadratic, lang),
    ),
    FigureSpec(
        "03-contour.png",
        lambda d, lang: static.figure_contour(d.wt.landscape, d.wt.quadratic, None, lang),
    ),
    FigureSpec(
        "05-path-contour.png",
        lambda d, lang: static.figure_contour(
            d.wt.zoom, d.wt.quadratic, d.wt.trajectory, lang, "fig.path_title"
        ),
    ),
    FigureSpec(
        "05-path-3d.png",
        lambda d, lang: static.figure_path_3d(d.wt.zoom, d.wt.trajectory, d.wt.quadratic, lang),
    ),
    FigureSpec(
        "05-loss-curve.png",
        lambda d, lang: static.figure_loss_curve(d.wt.trajectory, d.wt.quadratic.min_loss, lang),
    ),
    FigureSpec("05-fit-steps.png", lambda d, lang: static.figure_fit_steps(d.wt, lang)),
    FigureSpec(
        "07-compare-paths.png",
        lambda d, lang: experiment_figures.figure_compare_overlay(d.comparison, lang),
    ),
    FigureSpec(
        "07-compare-losses.png",
        lambda d, lang: experiment_figures.figure_compare_losses(d.comparison, lang),
    ),
    FigureSpec(
        "07-lr-sweep.png", lambda d, lang: experiment_figures.figure_lr_sweep(d.sweep, lang)
    ),
    FigureSpec(
        "07-minibatch.png",
        lambda d, lang: experiment_figures.figure_minibatch(d.minibatch, lang),
    ),
    FigureSpec("08-xor.png", lambda d, lang: network_figures.figure_xor(d.xor, lang)),
)


def render_figures(data: ReportData, lang: Lang, progress: bool = False) -> dict[str, bytes]:
    """Every figure of the report as PNG bytes, keyed by file name."""
    out: dict[str, bytes] = {}
    desc = tr("cli.rendering", lang)
    for spec in counted(FIGURES, len(FIGURES), progress, unit="fig", desc=desc):
        out[spec.filename] = png_bytes(spec.draw(data, lang))
    return out
