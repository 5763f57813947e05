"""Grid landscapes against a brute-force loop over the data."""

import numpy as np
import pytest

from losslab.core.data import teacher_data
from losslab.core.objective import perceptron_objective
from losslab.errors import LosslabError
from losslab.landscape.result import Landscape
from losslab.landscape.scan import scan_plane


def brute_force(data, w, b):
    return float(np.mean([(t - (w * x + b)) ** 2 for x, t in zip(data.x, data.t, strict=True)]))


def test_perceptron_grid_from_five_sums_equals_brute_force():
    data = teacher_data("2*x + 1", "-1:3:21", noise=0.4, seed=2)
    axis_w, axis_b = np.linspace(-10, 10, 41), np.linspace(-6, 8, 29)
    land = scan_plane(perceptron_objective(data), (axis_w, axis_b))
    assert land.meta["method"].startswith("quadratic form")
    assert land.values.shape == (29, 41)  # rows follow b, columns follow w
    for j in range(0, 29, 4):
        for i in range(0, 41, 5):
            assert land.values[j, i] == pytest.approx(brute_force(data, axis_w[i], axis_b[j]))


def test_default_grid_argmin_is_the_teachers_line():
    data = teacher_data("2*x + 1", "-1:3:21")
    axis = np.arange(-10, 10.25, 0.5)
    land = scan_plane(perceptron_objective(data), (axis, axis))
    assert land.values.shape == (41, 41)
    w, b, value = land.argmin()
    assert (w, b) == (2.0, 1.0) and value == pytest.approx(0.0, abs=1e-20)
    # Brute force over the whole grid finds the same point.
    best = min((brute_force(data, w_, b_), w_, b_) for w_ in axis for b_ in axis)
    assert best[1:] == (2.0, 1.0)


def test_any_plane_equals_the_batched_evaluation():
    data = teacher_data("sin(x)", "-2:2:15")
    obj = perceptron_objective(data)
    origin, directions = np.array([0.5, -1.0]), np.array([[1.0, 2.0], [-0.5, 0.3]])
    axes = (np.linspace(-2, 2, 9), np.linspace(-1, 3, 7))
    land = scan_plane(obj, axes, origin, directions)
    A, C = np.meshgrid(*axes)
    for j in range(7):
        for i in range(9):
            w, b = origin + A[j, i] * directions[0] + C[j, i] * directions[1]
            assert land.values[j, i] == pytest.approx(brute_force(data, w, b))


def test_too_large_a_grid_is_refused_before_allocating():
    obj = perceptron_objective(teacher_data())
    with pytest.raises(LosslabError, match="fewer points"):
        scan_plane(obj, (np.zeros(10_000), np.zeros(10_000)))


def test_save_and_load_keep_arrays_and_metadata(tmp_path):
    land = scan_plane(perceptron_objective(teacher_data()), (np.arange(3.0), np.arange(4.0)))
    land.save(tmp_path / "l.npz")
    back = Landscape.load(tmp_path / "l.npz")
    np.testing.assert_array_equal(back.values, land.values)
    np.testing.assert_array_equal(back.axes[1], land.axes[1])
    assert back.meta["data"]["teacher"] == "2*x + 1"
