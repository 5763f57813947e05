"""Beyond the perceptron: data, losses, the MLP, directions and landscapes, against oracles."""

import numpy as np
import pytest

from losslab.cli import main
from losslab.core.data import Dataset
from losslab.core.datasets import load_csv, toy_data
from losslab.core.losses import LOSSES, BinaryCrossEntropy, Huber, SoftmaxCrossEntropy
from losslab.core.mlp import MLP
from losslab.errors import LosslabError
from losslab.landscape.critical import critical_points
from losslab.landscape.directions import (
    filter_normalize,
    pca_directions,
    random_directions,
)
from losslab.landscape.result import Landscape
from losslab.landscape.scan import scan_line, scan_plane
from losslab.lessons.networks import build_objective
from losslab.lessons.xor import xor_landscape

RNG = np.random.default_rng(0)


def assert_not_blank(png):
    """A PNG that decodes, is a figure's size and holds a drawing (not one flat colour)."""
    from PIL import Image

    with Image.open(png) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=float)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 200
    assert pixels.std() > 20 and len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50, png


def central_gradient(f, p, h=1e-6):
    g = np.empty_like(p)
    for i in range(p.size):
        e = np.zeros_like(p)
        e[i] = h
        g[i] = (f(p + e) - f(p - e)) / (2 * h)
    return g


# --- CSV --------------------------------------------------------------------------------
def write(tmp_path, text):
    path = tmp_path / "d.csv"
    path.write_text(text)
    return path


def test_csv_reads_columns_by_name(tmp_path):
    path = write(tmp_path, "b,a,y\n1,2,3\n4,5,6\n7,8,9\n")
    d = load_csv(path, ["a", "b"], "y")
    np.testing.assert_array_equal(d.x, [[2, 1], [5, 4], [8, 7]])
    np.testing.assert_array_equal(d.t, [3, 6, 9])
    assert load_csv(path, ["a"], "y").x.shape == (3,)


@pytest.mark.parametrize(
    ("text", "inputs", "words"),
    [
        ("a,y\n1,2\n3,4\n", ["z"], "no column 'z': its columns are a, y"),
        ("a,y\n1,2\n3,four\n", ["a"], "line 3, column 'y' holds 'four'"),
        ("a,y\n1,2\n", ["a"], "1 usable row(s); at least 2"),
        ("a,y\n1,2\n,4\n5,nan\n7,8\n", ["a"], "2 row(s) with missing values (lines 3, 4)"),
    ],
)
def test_csv_errors_say_what_and_where(tmp_path, text, inputs, words):
    with pytest.raises(LosslabError) as info:
        load_csv(write(tmp_path, text), inputs, "y")
    assert words in str(info.value)


def test_csv_missing_file_and_dropping_nan(tmp_path):
    with pytest.raises(LosslabError, match="There is no file"):
        load_csv(tmp_path / "nope.csv", ["a"], "y")
    d = load_csv(write(tmp_path, "a,y\n1,2\n,4\n5,nan\n7,8\n"), ["a"], "y", drop_nan=True)
    assert d.n == 2 and d.meta["dropped_rows"] == 2


# --- toy sets ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["moons", "circles", "xor", "spirals", "sine"])
def test_toy_sets_are_seeded(name):
    a, b, c = toy_data(name, seed=1), toy_data(name, seed=1), toy_data(name, seed=2)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.t, b.t)
    assert not (np.array_equal(a.x, c.x) and np.array_equal(a.t, c.t))
    if a.meta["task"] == "classification":
        assert set(np.unique(a.t)) == {0.0, 1.0} and a.x.shape[1] == 2


def test_toy_set_geometry():
    circles = toy_data("circles", noise=0.0)
    radius = np.linalg.norm(circles.x, axis=1)
    np.testing.assert_allclose(radius[circles.t == 0], 1.0)
    np.testing.assert_allclose(radius[circles.t == 1], 0.5)
    xor = toy_data("xor", noise=0.0)
    np.testing.assert_array_equal(xor.t, np.logical_xor(xor.x[:, 0], xor.x[:, 1]))
    with pytest.raises(LosslabError, match="choose one of"):
        toy_data("iris")


# --- losses -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["mse", "mae", "huber", "bce"])
def test_loss_gradients_against_central_differences(name):
    loss = LOSSES[name]()
    target = (RNG.random(7) > 0.5).astype(float) if name == "bce" else RNG.normal(size=7)
    prediction = RNG.normal(size=7) * 2
    numeric = central_gradient(lambda y: float(loss.value(y, target)), prediction)
    np.testing.assert_allclose(loss.gradient(prediction, target), numeric, rtol=1e-6, atol=1e-9)


def test_softmax_gradient_and_value_by_hand():
    z = RNG.normal(size=(5, 3))
    labels = np.array([0, 2, 1, 1, 0], dtype=float)
    loss = SoftmaxCrossEntropy()
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert float(loss.value(z, labels)) == pytest.approx(
        -np.mean(np.log(p[range(5), [0, 2, 1, 1, 0]]))
    )
    numeric = central_gradient(lambda v: float(loss.value(v.reshape(5, 3), labels)), z.ravel())
    np.testing.assert_allclose(loss.gradient(z, labels).ravel(), numeric, rtol=1e-6, atol=1e-9)


def test_bce_is_the_cross_entropy_of_the_sigmoid_and_stable():
    z, t = np.array([-3.0, 0.5, 2.0]), np.array([0.0, 1.0, 1.0])
    s = 1 / (1 + np.exp(-z))
    expected = -np.mean(t * np.log(s) + (1 - t) * np.log(1 - s))
    assert float(BinaryCrossEntropy().value(z, t)) == pytest.approx(expected)
    assert np.isfinite(BinaryCrossEntropy().value(np.array([800.0, -800.0]), np.array([0.0, 1.0])))
    assert float(Huber(1.0).value(np.array([3.0]), np.array([0.0]))) == pytest.approx(2.5)


# --- the MLP ----------------------------------------------------------------------------
CASES = [
    ("sine", (), "tanh", "mse"),
    ("sine", (6,), "sigmoid", "huber"),
    ("sine", (5, 4), "relu", "mae"),
    ("moons", (), "tanh", "bce"),
    ("moons", (6, 3), "tanh", "bce"),
    ("spirals", (4,), "sigmoid", "bce"),
]


@pytest.mark.parametrize(("data", "hidden", "activation", "loss"), CASES)
def test_backpropagation_against_central_differences(data, hidden, activation, loss):
    obj = build_objective(toy_data(data, n=16, seed=3), hidden, activation, loss)
    p = obj.model.init_params(1) + RNG.normal(0, 0.1, len(obj.param_names))
    numeric = central_gradient(obj.loss, p)
    np.testing.assert_allclose(obj.gradient(p), numeric, rtol=1e-5, atol=1e-8)


def test_softmax_network_against_central_differences():
    base = toy_data("spirals", n=12, seed=1)
    data = Dataset(base.x, np.arange(12) % 3 * 1.0, {"task": "classification"})
    obj = build_objective(data, (5,), "tanh")
    assert obj.loss_fn.name == "softmax-ce" and obj.model.sizes == (2, 5, 3)
    p = obj.model.init_params(0)
    np.testing.assert_allclose(obj.gradient(p), central_gradient(obj.loss, p), rtol=1e-5, atol=1e-8)


def test_batched_prediction_equals_one_at_a_time():
    net = MLP((2, 4, 3, 2), "relu")
    x = RNG.normal(size=(9, 2))
    params = RNG.normal(size=(6, net.n_params))
    batched = net.predict(params, x)
    for k in range(6):
        np.testing.assert_allclose(batched[k], net.predict(params[k], x), rtol=1e-13)


@pytest.mark.parametrize(("n", "inputs"), [(30, 2), (30, 6), (3000, 6)])
def test_plane_evaluation_equals_the_points(n, inputs):
    # 6 inputs take the first-layer shortcut; 3000 samples go one grid point at a time.
    x = RNG.normal(size=(n, inputs))
    obj = build_objective(Dataset(x, (x[:, 0] > 0) * 1.0), (5, 4), "tanh")
    origin = obj.model.init_params(0)
    directions = RNG.normal(size=(2, origin.size))
    coords = RNG.normal(size=(7, 2))
    fast = obj.loss_plane(origin, directions, coords)
    slow = [obj.loss(origin + a * directions[0] + c * directions[1]) for a, c in coords]
    np.testing.assert_allclose(fast, slow, rtol=1e-12)
    predict = obj.model.plane_predictor(origin, directions, x)
    one = predict(coords[:1])
    np.testing.assert_allclose(one[0], obj.model.predict(origin + coords[0] @ directions, x))


def test_linear_model_plane_is_an_exact_quadratic():
    data = toy_data("moons", n=25)
    obj = build_objective(Dataset(data.x, data.x[:, 0] * 2 - data.x[:, 1]), (), "tanh", "mse")
    origin = RNG.normal(size=3)
    directions = RNG.normal(size=(2, 3))
    axes = (np.linspace(-3, 3, 7), np.linspace(-2, 2, 5))
    land = scan_plane(obj, axes, origin, directions)
    assert land.meta["method"] == "exact quadratic from 9 evaluations"
    for j, c in enumerate(axes[1]):
        for i, a in enumerate(axes[0]):
            point = origin + a * directions[0] + c * directions[1]
            assert land.values[j, i] == pytest.approx(obj.loss(point), rel=1e-10)


# --- directions -------------------------------------------------------------------------
def test_filter_normalisation_matches_each_filters_norm():
    net = MLP((3, 5, 2))
    params = net.init_params(4)
    d = random_directions(net, params, seed=1)
    for direction in d:
        for (dW, db), (W, _) in zip(net.layers(direction), net.layers(params), strict=True):
            np.testing.assert_allclose(np.linalg.norm(dW, axis=0), np.linalg.norm(W, axis=0))
            np.testing.assert_array_equal(db, 0.0)
    kept = filter_normalize(RNG.normal(size=net.n_params), params, net, keep_biases=True)
    np.testing.assert_array_equal(net.layers(kept)[0][1], net.layers(params)[0][1])
    np.testing.assert_array_equal(
        random_directions(net, params, 7), random_directions(net, params, 7)
    )


def test_pca_recovers_the_plane_of_a_planar_trajectory():
    u, v = RNG.normal(size=10), RNG.normal(size=10)
    t = np.linspace(0, 1, 40)
    path = 3.0 + np.outer(np.cos(3 * t) * 2, u) + np.outer(t**2, v)
    plane = pca_directions(path)
    basis = np.linalg.qr(np.stack([u, v], axis=1))[0]
    np.testing.assert_allclose(plane.directions.T @ plane.directions @ basis, basis, atol=1e-10)
    np.testing.assert_allclose(plane.origin + plane.coords @ plane.directions, path, atol=1e-10)
    assert plane.explained.sum() == pytest.approx(1.0)


def test_line_scan_interpolates_between_two_parameter_sets():
    obj = build_objective(toy_data("moons", n=20), (4,), "tanh")
    start, end = obj.model.init_params(0), obj.model.init_params(1)
    line = scan_line(obj, start, end, np.array([0.0, 0.3, 1.0]))
    expected = [obj.loss(start), obj.loss(0.7 * start + 0.3 * end), obj.loss(end)]
    np.testing.assert_allclose(line.values, expected, rtol=1e-12)


# --- landscapes that are not bowls ------------------------------------------------------
def test_critical_points_of_a_double_well():
    a = np.linspace(-2, 2, 41)
    A, C = np.meshgrid(a, a)
    land = Landscape(np.zeros(2), np.eye(2), (a, a), (A**2 - 1) ** 2 + C**2)
    found = critical_points(land)
    assert sorted(found.minima[:, 0].round(6).tolist()) == [-1.0, 1.0]
    assert found.saddles[:, :2].round(6).tolist() == [[0.0, 0.0]]


def test_xor_network_has_two_equivalent_minima_and_a_saddle():
    xor = xor_landscape()
    obj = xor.objective
    x = obj.data.x
    np.testing.assert_allclose(obj.model.predict(xor.twin, x), obj.model.predict(xor.minimum, x))
    assert obj.loss(xor.minimum) < 0.05
    assert len(xor.critical.minima) >= 2 and len(xor.critical.saddles) >= 1
    lowest_saddle = xor.critical.saddles[:, 2].min()
    assert lowest_saddle > 10 * xor.critical.minima[:, 2].max()
    # the result's own numbers, against the loss evaluated directly at those parameters
    assert xor.minimum_loss == pytest.approx(obj.loss(xor.twin), abs=1e-12)  # the twin's, too
    alpha, beta, loss = xor.saddle
    land = xor.landscape
    point = land.origin + alpha * land.directions[0] + beta * land.directions[1]
    assert loss == pytest.approx(obj.loss(point), rel=1e-12) and loss == lowest_saddle


def test_a_trained_networks_accuracy_is_counted_from_its_predictions():
    from losslab.lessons.networks import train_and_scan

    data = Dataset(np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 3),
                   np.array([0.0, 1.0, 1.0, 1.0] * 3), {"task": "classification"})  # fmt: skip
    obj = build_objective(data, (3,), "tanh", "bce")
    result = train_and_scan(obj, steps=2, points=3)
    logits = obj.model.predict(result.trajectory.params[-1], data.x).ravel()
    probability = 1 / (1 + np.exp(-logits))  # of class 1
    right = sum(int((p >= 0.5) == (t == 1)) for p, t in zip(probability, data.t, strict=True))
    assert result.accuracy == right / 12
    regression = build_objective(toy_data("sine", 20), (3,), "tanh")
    assert train_and_scan(regression, steps=2, points=3).accuracy is None


# --- the commands -----------------------------------------------------------------------
def test_landscape_command_writes_figures_and_data(tmp_path, capsys):
    args = ["landscape", "--data", "xor", "--hidden", "4", "--steps", "200", "--points", "21",
            "--out", str(tmp_path), "--quiet"]  # fmt: skip
    assert main(args) == 0
    assert "accuracy 100.0%" in capsys.readouterr().out
    for name in ("landscape-plane.png", "landscape-3d.png", "landscape-line.png", "prediction.png"):
        assert_not_blank(tmp_path / name)
    land = Landscape.load(tmp_path / "landscape.npz")
    assert land.values.shape == (21, 21) and land.meta["param_names"] == ["PC1", "PC2"]
    assert Landscape.load(tmp_path / "line.npz").values.shape == (201,)


def test_landscape_command_on_csv_and_two_named_parameters(tmp_path, capsys):
    x = np.linspace(-2, 2, 30)
    rows = "\n".join(f"{v},{np.sin(v)}" for v in x)
    csv = tmp_path / "s.csv"
    csv.write_text("x,y\n" + rows + "\n")
    args = ["landscape", "--csv", str(csv), "--inputs", "x", "--target", "y", "--hidden", "6",
            "--plane", "params", "--params", "layer1.W[0,1], layer2.b[0]", "--points", "11",
            "--steps", "50", "--out", str(tmp_path / "o"), "--quiet"]  # fmt: skip
    assert main(args) == 0
    land = Landscape.load(tmp_path / "o" / "landscape.npz")
    assert land.meta["param_names"] == ["Δ layer1.W[0,1]", "Δ layer2.b[0]"]  # offsets


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--csv", "nope.csv", "--inputs", "x", "--target", "y"], "There is no file"),
        (["--data", "iris"], "no toy data set"),
        (["--plane", "params", "--params", "layer9.W[0,0],layer1.b[0]"], "no parameter"),
        (["--hidden", "8,x"], "layer sizes"),
        (["--activation", "gelu"], "no activation"),
        (["--data", "sine", "--loss", "bce"], "class labels"),
        (["--points", "5000"], "grid points"),
        # diverged at once: the cause is the learning rate, not too few steps
        (["--data", "xor", "--learning-rate", "1e6"], "Training diverged at step 1"),
    ],
)
def test_landscape_errors(tmp_path, capsys, args, words):
    assert main(["landscape", *args, "--steps", "5", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_gradcheck_command_passes_for_every_model_and_loss(capsys):
    assert main(["gradcheck", "--all"]) == 0
    out = capsys.readouterr().out
    assert out.count(": OK") == 20 and "agrees" in out
