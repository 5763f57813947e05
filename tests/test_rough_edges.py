"""Rough edges a new user met in the figures, each checked where it can fail."""

import losslab as ll
from losslab.plots import optimizers as optimizer_figures


def test_coinciding_optimizer_paths_stay_visible():
    wt = ll.walkthrough()
    names = ["gd", "momentum", "adagrad", "rmsprop", "adam"]
    comparison = ll.compare(None, names, init=wt.init, data=wt.data)
    # AdaGrad, RMSprop and Adam all set off along the same diagonal: their first steps
    # are parallel, so one line alone would hide the others.
    steps = [comparison.trajectories[k].params[1] - wt.init for k in ("AdaGrad", "RMSprop",
                                                                      "Adam")]  # fmt: skip
    assert all(abs(s[0] / s[1] - 1) < 1e-6 for s in steps)
    ax = optimizer_figures.figure_compare_overlay(comparison).axes[0]
    paths = [line for line in ax.get_lines() if "lr =" in line.get_label()]
    assert len(paths) == len(names)
    widths = [line.get_linewidth() for line in paths]
    assert widths == sorted(widths, reverse=True) and len(set(widths)) == len(widths)
    assert len({line.get_marker() for line in paths}) == len(names)


def test_a_log_axis_within_one_decade_has_a_few_plain_labels():
    sweep = ll.lr_sweep()
    fig = optimizer_figures.figure_lr_sweep(sweep)
    fig.canvas.draw()
    oscillating = fig.axes[2 * 2 + 1]  # (path, loss) per run: the loss at 1.0 x 2/lambda_max
    assert sweep.runs[2].outcome == "oscillates"
    ticks = oscillating.yaxis.get_majorticklabels() + oscillating.yaxis.get_minorticklabels()
    lo, hi = oscillating.get_ylim()
    labels = [t.get_text() for t in ticks if t.get_text() and lo <= t.get_position()[1] <= hi]
    assert 2 <= len(labels) <= 5 and not any("times" in s or "^" in s for s in labels)
    assert all(lo <= float(s) <= hi for s in labels)
