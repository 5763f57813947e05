"""Rough edges a new user met in the figures, each checked where it can fail."""

import re

import numpy as np
import pytest

import losslab as ll
from losslab.plots import networks as network_figures
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


def test_the_bend_of_a_curved_valley_is_not_a_saddle():
    from losslab.landscape.critical import critical_points
    from losslab.landscape.result import Landscape

    a = np.linspace(-2, 2, 81)
    A, C = np.meshgrid(a, a)
    # d/da at the valley floor c = sin(3a) is 0.1: no critical point anywhere, although
    # going round a point of a bend the neighbours change sign 4 times.
    valley = (C - np.sin(3 * A)) ** 2 + 0.1 * A
    found = critical_points(Landscape(np.zeros(2), np.eye(2), (a, a), valley))
    assert len(found.saddles) == 0 and len(found.minima) == 0
    # A true saddle off the grid points is still found, next to where it is.
    pass_ = (A - 0.31) ** 2 - (C + 0.52) ** 2 + 0.3 * (A - 0.31) * (C + 0.52)
    found = critical_points(Landscape(np.zeros(2), np.eye(2), (a, a), pass_))
    assert len(found.saddles) == 1
    np.testing.assert_allclose(found.saddles[0, :2], [0.31, -0.52], atol=a[1] - a[0])


def test_xor_title_says_where_the_minima_are_and_how_many_saddles():
    xor = ll.xor_landscape()
    assert len(xor.critical.saddles) == 1 and len(xor.critical.minima) == 2
    for alpha, beta, _ in xor.critical.saddles:
        point = xor.landscape.origin + alpha * xor.landscape.directions[0] + beta * (
            xor.landscape.directions[1])  # fmt: skip
        slope = xor.landscape.directions @ xor.objective.gradient(point)
        assert np.all(np.abs(slope) < 0.5), slope  # nearly flat, as a saddle is
    title = network_figures.figure_xor(xor)._suptitle.get_text()
    left, right = sorted(xor.critical.minima[:, 0])
    assert f"α ≈ {left:.2g}".replace("-", "−") in title and f"{right:+.2g}" in title
    assert "a saddle point between" in title


def test_a_path_of_checkpoints_is_counted_as_checkpoints():
    from losslab.landscape.result import Landscape

    a = np.linspace(-1, 1, 11)
    A, C = np.meshgrid(a, a)
    land = Landscape(np.zeros(2), np.eye(2), (a, a), A**2 + C**2 + 0.1, {"loss": "mse"})
    three = np.array([[0.8, 0.8], [0.4, 0.3], [0.0, 0.0]])
    ax = network_figures.figure_landscape(land, "t", three).axes[0]
    assert "training path (3 checkpoints)" in [t.get_text() for t in ax.get_legend().get_texts()]
    ax = network_figures.figure_landscape(land, "t", three, steps=500).axes[0]
    assert "training path (500 steps)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_named_parameter_plane_says_its_axes_are_offsets():
    data = ll.toy_data("xor", n=8, noise=0.0)
    objective = ll.build_objective(data, hidden=(2,), activation="tanh")
    names = ["layer1.W[0,0]", "layer2.b[0]"]
    run = ll.train_and_scan(objective, steps=20, plane="params", params=names, points=5)
    assert run.plane.meta["param_names"] == ["Δ layer1.W[0,0]", "Δ layer2.b[0]"]
    # the plane's centre (0, 0) is the trained parameters, so the axes are offsets from them
    np.testing.assert_allclose(run.plane.origin, run.trajectory.params[-1])
    ax = network_figures.figure_plane(run).axes[0]
    assert ax.get_xlabel() == "Δ layer1.W[0,0]"


def test_grid_methods_are_said_in_the_learners_words():
    from losslab.i18n import method_label

    wt = ll.walkthrough()
    for lang in ("en", "ja"):
        for method in (wt.landscape.meta["method"], "batched evaluation", "torch auto"):
            text = method_label(method, lang)
            assert text != method and "batched" not in text and "auto" not in text


def test_the_digits_example_names_the_missing_module(monkeypatch):
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).parent.parent / "examples" / "digits.py"
    spec = importlib.util.spec_from_file_location("digits_example", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if scikit-learn were not installed
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # also after an earlier import
    try:
        module.load()
    except ll.LosslabError as err:
        text = str(err)
    else:
        raise AssertionError("no error without scikit-learn")
    assert "'sklearn'" in text and "scikit-learn" in text and ".[torch,examples]" in text


def test_interactive_3d_minimum_is_a_pin_and_the_toolbar_leaves_the_title_alone():
    from losslab.plots import interactive

    wt = ll.walkthrough()
    fig = interactive.landscape_3d(wt.landscape, wt.quadratic)
    pin = next(t for t in fig.data if t.name.startswith("minimum"))
    assert list(pin.x) == [2.0, 2.0] and pin.z[0] == wt.quadratic.min_loss
    assert pin.z[1] - pin.z[0] > 0.3 * np.ptp(wt.landscape.values)  # rises above the bowl
    assert max(pin.marker.size) >= 10 and pin.line.width >= 8
    assert fig.layout.modebar.orientation == "v" and "<br>" in fig.layout.title.text
    eye = fig.layout.scene.camera.eye
    assert np.hypot(np.hypot(eye.x, eye.y), eye.z) > 2.2  # plotly's default is 2.17
    curve = interactive.loss_curve(wt.trajectory.losses, wt.quadratic.min_loss)
    assert curve.layout.yaxis.type == "log" and curve.layout.yaxis.dtick in (1, 2)


def test_install_hints_work_from_the_checkout():
    from losslab.i18n import CATALOGUES

    for lang, catalogue in CATALOGUES.items():
        for key, text in catalogue.items():
            assert "losslab[" not in text, (lang, key)  # not on PyPI: 'losslab[x]' fails
            if "pip install" in text:
                assert re.search(r"pip install '\.\[([a-z,]+|{extra})\]'", text), (lang, key, text)


def test_an_objective_is_callable_and_gives_the_mean_squared_error():
    from losslab.core.data import teacher_data
    from losslab.core.objective import perceptron_objective

    data = teacher_data("2*x + 1", "-1:3:21")
    w, b = 3.0, 2.0
    direct = float(np.mean((w * data.x + b - data.t) ** 2))  # the definition, by hand
    assert perceptron_objective(data)([w, b]) == pytest.approx(direct, rel=1e-12)


def test_the_apps_loss_plot_labels_only_2_and_5_between_decades_on_a_short_axis():
    from losslab.plots.interactive import loss_curve

    first_step = loss_curve(np.array([5.46667]), 0.0).layout.yaxis
    long_run = loss_curve(np.logspace(1, -6, 50), 0.0).layout.yaxis
    assert first_step.type == "log" and first_step.dtick == "D2"  # not every digit 2-9
    assert long_run.dtick == 1  # one label per decade over seven decades
