"""The walk-through's numbers against hand formulas and least squares."""

import numpy as np
import pytest

from losslab.lessons.perceptron import walkthrough


def test_first_step_by_hand():
    wt = walkthrough()
    s = wt.first_step
    x, t = np.linspace(-1, 3, 21), 2 * np.linspace(-1, 3, 21) + 1
    y = 3 * x + 2
    np.testing.assert_allclose(s.prediction, y)
    np.testing.assert_allclose(s.error, y - t)
    assert s.loss == pytest.approx(np.mean((y - t) ** 2))
    grad = np.array([2 * np.mean((y - t) * x), 2 * np.mean(y - t)])
    np.testing.assert_allclose(s.gradient, grad)
    np.testing.assert_allclose(s.new_params, np.array([3.0, 2.0]) - 0.1 * grad)
    np.testing.assert_allclose(wt.trajectory.params[1], s.new_params)


def test_default_setting_numbers():
    wt = walkthrough()
    assert wt.teacher_is_line
    assert wt.landscape.values.shape == (41, 41)
    assert wt.formula_points_checked == 41 * 41
    assert wt.formula_max_difference < 1e-9
    assert 0 < wt.learning_rate_ratio < 1
    np.testing.assert_allclose(wt.trajectory.params[-1], [2.0, 1.0], atol=1e-4)


def test_a_curved_teacher_gives_the_least_squares_line():
    wt = walkthrough(teacher="sin(x)")
    assert not wt.teacher_is_line
    np.testing.assert_allclose(wt.quadratic.minimum, np.polyfit(wt.data.x, wt.data.t, 1))
    assert wt.quadratic.min_loss > 0.01


def test_all_x_equal_does_not_crash():
    wt = walkthrough(x="1:1:5", teacher="x + 2")
    assert wt.quadratic.shape == "parabolic cylinder"
    assert wt.trajectory.meta["stop"] in {"converged", "step limit"}


def test_lines_the_figures_draw_are_the_model_at_those_steps():
    from matplotlib.figure import Figure

    from losslab.plots.static import figure_fit_steps, figure_setting

    wt = walkthrough()
    xs = wt.teacher_curve[0]
    np.testing.assert_allclose(wt.start_line, 3.0 * xs + 2.0, rtol=1e-12, atol=1e-12)
    assert wt.fit_steps == (0, 1, 3, 10, 30, 100)
    for k, line in zip(wt.fit_steps, wt.fit_lines, strict=True):
        w, b = wt.trajectory.params[k]
        np.testing.assert_allclose(line, w * xs + b, rtol=1e-12, atol=1e-12)
    fig = Figure()
    ax = fig.add_subplot()
    assert figure_setting(wt, ax=ax) is fig  # draws on the axes it is given
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 3.0 * xs + 2.0, atol=1e-12)
    other = Figure().add_subplot()
    figure_fit_steps(wt, ax=other)
    assert len(other.lines) == 1 + len(wt.fit_steps)


def test_the_quadratic_form_is_kept_with_its_data_set():
    from losslab.analysis.quadratic import quadratic_form
    from losslab.core.data import teacher_data

    wt = walkthrough()
    assert quadratic_form(wt.data) is wt.quadratic  # kept with the data, not computed again
    twin = teacher_data()  # the same numbers in another data set: its own form, equal values
    assert quadratic_form(twin) is not wt.quadratic
    np.testing.assert_array_equal(quadratic_form(twin).hessian, wt.quadratic.hessian)


def test_a_dataset_keeps_its_parsed_teacher():
    from losslab.core.data import teacher_data

    data = teacher_data("2*x + 1", "-1:3:5")
    assert data.teacher is not None and data.teacher.text == "2*x + 1"
    np.testing.assert_array_equal(data.teacher(data.x), 2 * data.x + 1)
