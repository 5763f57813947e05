"""Mode connectivity (issue 18 part 1): paths between two networks, checked against oracles.

Oracles: convexity (no barrier on a convex problem's paths), XOR's two equivalent minima
(a barrier on the line that a trained curve lowers), the Bezier and chain formulas
written out here, finite differences of the expected loss, and hand-computed NEB forces.
"""

from __future__ import annotations

import numpy as np
import pytest

from losslab.core.data import Dataset, teacher_data
from losslab.core.datasets import toy_data
from losslab.core.losses import MeanSquaredError, SoftmaxCrossEntropy
from losslab.core.mlp import MLP
from losslab.core.objective import Objective, QuadraticBowl, perceptron_objective
from losslab.errors import LosslabError
from losslab.landscape import Landscape
from losslab.landscape.connect import (
    Curve,
    PathProfile,
    barrier,
    curve_plane,
    make_curve,
    path_losses,
    path_profile,
)
from losslab.lessons.connect import connect, train_pair
from losslab.lessons.networks import build_objective
from losslab.lessons.xor import xor_landscape
from losslab.optim.connect import curve_gradient, fit_curve, neb_forces, nudged_elastic_band


def _mlp_objective(inputs: int = 5, seed: int = 0) -> Objective:
    """A small tanh MLP on random regression data (5 inputs: the plane shortcut applies)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(30, inputs))
    t = np.sin(x[:, 0]) + 0.5 * x[:, 1]
    return Objective(MLP((inputs, 4, 1), "tanh"), MeanSquaredError(), Dataset(x, t))


# --- convex problems: no barrier on any path --------------------------------------------


def _level_pair(obj: Objective, minimum: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two points on one level set of a quadratic: ``minimum -/+ v`` (equal losses)."""
    v = np.random.default_rng(seed).normal(size=minimum.size)
    return minimum - v, minimum + v


@pytest.mark.parametrize("kind", ["bezier", "polychain"])
def test_convex_problems_have_no_barrier_on_any_path(kind: str) -> None:
    perceptron = perceptron_objective(teacher_data("2*x + 1", "-1:3:21", noise=0.3, seed=1))
    rng = np.random.default_rng(2)
    x = rng.normal(size=(40, 3))
    linear = Objective(MLP((3, 1)), MeanSquaredError(), Dataset(x, x @ [1.0, -2.0, 0.5] + 0.3))
    for obj in (perceptron, linear):
        # the minimum by a least-squares solve (the oracle), not by the code under test
        xs = obj.data.x if obj.data.x.ndim == 2 else obj.data.x[:, None]
        design = np.column_stack([xs, np.ones(obj.data.n)])
        minimum, *_ = np.linalg.lstsq(design, obj.data.t, rcond=None)
        a, b = _level_pair(obj, minimum, seed=3)
        assert obj.loss(a) == pytest.approx(obj.loss(b), rel=1e-12)
        c = connect(obj, a, b, curve=kind, steps=300, neb_pivots=3, neb_steps=300,
                    plane_points=None)  # fmt: skip
        scale = obj.loss(a)
        for profile in c.profiles().values():
            assert profile.barrier <= 1e-12 * scale, (profile.curve.kind, profile.barrier)
        assert c.curve.losses.max() <= scale * (1 + 1e-12)


# --- XOR: two equivalent minima -----------------------------------------------------------


@pytest.fixture(scope="module")
def xor():  # type: ignore[no-untyped-def]
    return xor_landscape(points=5)


@pytest.mark.parametrize("kind", ["bezier", "polychain"])
def test_xor_line_has_a_barrier_that_the_trained_curve_lowers(xor, kind: str) -> None:  # type: ignore[no-untyped-def]
    obj = xor.objective
    # the twin computes the same function: the two ends have the same loss
    assert obj.loss(xor.minimum) == pytest.approx(obj.loss(xor.twin), rel=1e-9)
    c = connect(obj, xor.minimum, xor.twin, curve=kind, steps=1000, plane_points=None)
    assert c.line.barrier > 1.0  # between the twins both hidden units become equal
    assert c.curve.barrier < 0.5 * c.line.barrier
    assert c.neb is not None and c.neb.barrier < 0.5 * c.line.barrier
    # the accuracy is measured along each path (BCE: labels) and 1 at both ends
    assert c.line.accuracies is not None and c.line.accuracies[[0, -1]].tolist() == [1.0, 1.0]
    assert c.line.accuracy_barrier == pytest.approx(1.0 - c.line.accuracies.min())


def test_two_seeds_on_xor_are_joined_by_a_lower_curve() -> None:
    obj = build_objective(toy_data("xor", 40, 0.1, 0), hidden=(6,), activation="tanh", loss="bce")
    first, second = train_pair(obj, (0, 1), steps=600)
    c = connect(obj, first.params[-1], second.params[-1], steps=1500, neb_pivots=0,
                plane_points=None)  # fmt: skip
    assert c.line.barrier > 0.05
    assert c.curve.barrier < 0.5 * c.line.barrier


# --- the path's loss equals a direct evaluation of its points --------------------------------


def test_bezier_loss_at_t_equals_the_interpolated_parameters() -> None:
    obj = _mlp_objective()
    rng = np.random.default_rng(5)
    a, b, c = (rng.normal(size=len(obj.param_names)) for _ in range(3))
    curve = Curve("bezier", np.stack([a, c, b]))
    ts = np.linspace(0.0, 1.0, 13)
    got = path_losses(obj, curve, ts)
    direct = [obj.loss((1 - t) ** 2 * a + 2 * t * (1 - t) * c + t**2 * b) for t in ts]
    np.testing.assert_allclose(got, direct, rtol=1e-12, atol=1e-14)


def test_chain_and_higher_bezier_equal_direct_evaluation() -> None:
    obj = _mlp_objective()
    rng = np.random.default_rng(6)
    a, c1, c2, b = (rng.normal(size=len(obj.param_names)) for _ in range(4))
    ts = np.array([0.0, 0.1, 1 / 3, 0.5, 2 / 3, 0.9, 1.0])
    chain = path_losses(obj, Curve("polychain", np.stack([a, c1, c2, b])), ts)

    def on_chain(t: float) -> np.ndarray:  # three pieces, knots at 1/3 and 2/3
        s = 3 * t
        if s <= 1:
            return (1 - s) * a + s * c1
        if s <= 2:
            return (2 - s) * c1 + (s - 1) * c2
        return (3 - s) * c2 + (s - 2) * b

    np.testing.assert_allclose(chain, [obj.loss(on_chain(t)) for t in ts], rtol=1e-12)
    cubic = path_losses(obj, Curve("bezier", np.stack([a, c1, c2, b])), ts)
    direct = [obj.loss((1 - t) ** 3 * a + 3 * t * (1 - t) ** 2 * c1 + 3 * t**2 * (1 - t) * c2
                       + t**3 * b) for t in ts]  # fmt: skip
    np.testing.assert_allclose(cubic, direct, rtol=1e-12)


def test_untrained_curves_trace_the_line() -> None:
    obj = _mlp_objective()
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(2, len(obj.param_names)))
    ts = np.linspace(0, 1, 11)
    line = [obj.loss((1 - t) * a + t * b) for t in ts]
    for kind, bends in (("bezier", 1), ("bezier", 3), ("polychain", 2)):
        np.testing.assert_allclose(path_losses(obj, make_curve(a, b, kind, bends), ts), line,
                                   rtol=1e-10)  # fmt: skip


# --- the bend's gradient ------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "bends"), [("bezier", 1), ("polychain", 1), ("polychain", 2)])
def test_bend_gradient_matches_finite_differences(kind: str, bends: int) -> None:
    obj = _mlp_objective()
    rng = np.random.default_rng(8)
    a, b = rng.normal(size=(2, len(obj.param_names)))
    curve = make_curve(a, b, kind, bends).with_bends(rng.normal(size=(bends, a.size)))
    ts = rng.uniform(0, 1, 5)

    def expected_loss(flat: np.ndarray) -> float:  # the mean loss over the fixed ts
        pts = curve.with_bends(flat).points(ts)
        return float(np.mean([obj.loss(p) for p in pts]))

    _, grad = curve_gradient(obj, curve, ts)
    flat = curve.bends.ravel()
    h = 1e-6
    numeric = np.array([(expected_loss(flat + h * e) - expected_loss(flat - h * e)) / (2 * h)
                        for e in np.eye(flat.size)])  # fmt: skip
    np.testing.assert_allclose(grad.ravel(), numeric, rtol=1e-6, atol=1e-8)


# --- the nudged elastic band ---------------------------------------------------------------


def test_neb_forces_by_hand() -> None:
    nodes = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    g = np.array([[0.5, 2.0]])
    # equal spacing: no spring; only the gradient across the path (y) acts
    np.testing.assert_allclose(neb_forces(nodes, g, spring=3.0), [[0.0, -2.0]])
    # the climbing image: the component along the path reversed, no spring
    np.testing.assert_allclose(neb_forces(nodes, g, spring=3.0, climbing=0), [[0.5, -2.0]])
    # unequal spacing: the spring (along the tangent) pulls to the longer side
    uneven = np.array([[0.0, 0.0], [0.5, 0.0], [2.0, 0.0]])
    np.testing.assert_allclose(neb_forces(uneven, np.zeros((1, 2)), spring=2.0), [[2.0, 0.0]])


def test_neb_spreads_pivots_evenly_on_a_flat_loss() -> None:
    flat = QuadraticBowl(np.zeros((2, 2)), np.zeros(2))
    band = nudged_elastic_band(flat, np.zeros(2), np.array([4.0, 0.0]), pivots=3, steps=1,
                               learning_rate=0.1, optimizer="sgd")  # fmt: skip
    # no force at all on evenly spaced collinear pivots of a flat loss
    np.testing.assert_allclose(band.curve.bends, [[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])
    # uneven pivots relax to even spacing along the line (spring only)
    nodes = np.array([[0.0, 0.0], [0.3, 0.0], [0.6, 0.0], [3.5, 0.0], [4.0, 0.0]])
    for _ in range(400):
        nodes[1:-1] += 0.2 * neb_forces(nodes, np.zeros((3, 2)), spring=1.0)
    np.testing.assert_allclose(nodes[1:-1], [[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]], atol=1e-6)


def test_neb_climbing_image_finds_the_saddle_height() -> None:
    # two minima at (+-1, 0) of (x^2 - 1)^2 + y^2: the saddle at (0, 0) has height 1
    class DoubleWell(QuadraticBowl):
        def loss(self, params):  # type: ignore[no-untyped-def]
            x, y = np.asarray(params, dtype=float)
            return float((x * x - 1) ** 2 + y * y)

        def gradient(self, params, batch=None):  # type: ignore[no-untyped-def]
            x, y = np.asarray(params, dtype=float)
            return np.array([4 * x * (x * x - 1), 2 * y])

        def loss_batch(self, points):  # type: ignore[no-untyped-def]
            return np.array([self.loss(p) for p in np.asarray(points)])

    well = DoubleWell(np.eye(2), np.zeros(2))
    start, end = np.array([-1.0, 0.0]), np.array([1.0, 0.0])
    band = nudged_elastic_band(well, start, end, pivots=4, steps=600, optimizer="sgd",
                               learning_rate=0.02)  # fmt: skip
    assert band.meta["climbing_image"] is not None
    assert np.max([well.loss(p) for p in band.curve.bends]) == pytest.approx(1.0, abs=1e-3)


# --- results, files and bad input ---------------------------------------------------------


def test_profile_saves_and_loads_with_its_inputs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    obj = _mlp_objective()
    rng = np.random.default_rng(9)
    a, b = rng.normal(size=(2, len(obj.param_names)))
    c = connect(obj, a, b, steps=20, neb_pivots=2, neb_steps=20, plane_points=9)
    c.curve.save(tmp_path / "curve.npz")
    back = PathProfile.load(tmp_path / "curve.npz")
    np.testing.assert_array_equal(back.curve.nodes, c.curve.curve.nodes)
    np.testing.assert_array_equal(back.losses, c.curve.losses)
    assert back.barrier == c.curve.barrier and back.meta["optimizer"] == "Adam"
    # the plane holds the ends at (0, 0) and (1, 0) and the curve exactly on it
    plane = c.plane
    assert plane is not None
    np.testing.assert_allclose(plane.nodes[[0, -1]], [[0.0, 0.0], [1.0, 0.0]], atol=1e-12)
    assert plane.off_plane.max() < 1e-10
    plane.landscape.save(tmp_path / "plane.npz")
    drawn = Landscape.load(tmp_path / "plane.npz").meta["curve"]
    np.testing.assert_array_equal(drawn["coords"], plane.coords)
    assert repr(c).startswith("Connection(params=")


def test_bad_input_is_one_sentence() -> None:
    obj = _mlp_objective()
    p = len(obj.param_names)
    with pytest.raises(LosslabError, match="different shapes"):
        connect(obj, np.zeros(p), np.zeros(p + 1))
    with pytest.raises(LosslabError, match="no point to train"):
        connect(obj, np.zeros(p), np.ones(p), bends=0)
    with pytest.raises(LosslabError, match="no point to train"):
        fit_curve(obj, make_curve(np.zeros(p), np.ones(p), "line"))
    with pytest.raises(LosslabError, match="NaN"):
        make_curve(np.full(p, np.nan), np.ones(p))
    with pytest.raises(LosslabError, match="have 37 parameters"):
        connect(obj, np.zeros(37), np.ones(37))
    with pytest.raises(LosslabError, match="same point"):
        curve_plane(obj, make_curve(np.ones(p), np.ones(p)))


def test_barrier_definition() -> None:
    assert barrier([1.0, 1.0]) == 0.0
    assert barrier([2.0, 5.0, 0.0]) == 4.0
    assert barrier([0.0, -1.0, 0.0]) == 0.0  # the ends are the max: no barrier


def test_softmax_network_accuracy_along_a_path() -> None:
    rng = np.random.default_rng(10)
    x = rng.normal(size=(60, 2))
    t = (x[:, 0] > 0).astype(float) + (x[:, 1] > 0)
    obj = Objective(MLP((2, 5, 3), "tanh"), SoftmaxCrossEntropy(), Dataset(x, t))
    a, b = (obj.model.init_params(s) for s in (0, 1))  # type: ignore[attr-defined]

    def right(p: np.ndarray) -> float:  # the oracle: the fraction of labels predicted
        return float(np.mean(np.argmax(obj.model.predict(p, x), axis=-1) == t))

    prof = path_profile(obj, make_curve(a, b, "line"), 5, metric=right)
    c = connect(obj, a, b, steps=5, neb_pivots=0, plane_points=None, points=5)
    np.testing.assert_array_equal(c.line.accuracies, prof.accuracies)


# --- the command line ----------------------------------------------------------------------


def test_cli_connect_on_a_toy_set_writes_figures_and_profiles(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from losslab.cli import main

    out = tmp_path / "o"
    args = ["connect", "--data", "xor", "--n", "40", "--hidden", "4", "--steps", "200",
            "--pivots", "2", "--plane-points", "9", "--points", "11",
            "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "straight line: loss barrier" in text and "accuracy drop" in text
    names = sorted(p.name for p in out.iterdir())
    assert names == ["connect-bezier.npz", "connect-line.npz", "connect-neb.npz",
                     "connect-plane.npz", "connect-plane.png", "connect-profile.png"]  # fmt: skip
    line = PathProfile.load(out / "connect-line.npz")
    assert line.t.size == 11 and line.meta["kind"] == "line"
    assert (out / "connect-profile.png").read_bytes()[:4] == b"\x89PNG"
    # nothing overwritten unasked; Japanese on request
    assert main(args) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main([*args, "--overwrite", "--lang", "ja", "--pivots", "0"]) == 0
    assert "直線: 損失の障壁" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--bends", "0"], "no point to train"),
        (["--model", "m.py:build", "--data", "d.py:load"], "two checkpoints"),
        (["--model", "resnet"], "is not known"),
        (["--steps", "-1"], "steps"),
        (["--plane-points", "2"], "2"),
        (["--spring", "1e308", "--steps", "3"], "spring constant"),
        (["--learning-rate", "1e308", "--steps", "3"], "smaller learning rate"),
        (["--seed", "-1"], "seed"),
    ],
)
def test_cli_connect_bad_input_is_one_sentence(tmp_path, capsys, extra, words) -> None:  # type: ignore[no-untyped-def]
    from losslab.cli import main

    assert main(["connect", "--data", "xor", "--out", str(tmp_path), *extra]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err
    assert not any(tmp_path.iterdir())


def test_connect_figures_in_both_languages() -> None:
    from matplotlib.figure import Figure

    from losslab.plots.connect import figure_curve_plane, figure_profiles

    obj = _mlp_objective()
    rng = np.random.default_rng(11)
    a, b = rng.normal(size=(2, len(obj.param_names)))
    c = connect(obj, a, b, steps=10, neb_pivots=2, neb_steps=10, plane_points=7, points=9)
    for lang in ("en", "ja"):
        assert isinstance(figure_profiles(c, lang), Figure)
        assert isinstance(figure_curve_plane(c, lang), Figure)


def test_curve_plane_projects_a_curve_with_several_bends() -> None:
    obj = _mlp_objective()
    rng = np.random.default_rng(12)
    a, b = rng.normal(size=(2, len(obj.param_names)))
    curve = make_curve(a, b, "polychain", 3).with_bends(rng.normal(size=(3, a.size)))
    plane = curve_plane(obj, curve, points=5)
    d = plane.landscape.directions
    assert abs(d[0] @ d[1]) < 1e-9 * (d[0] @ d[0])  # orthogonal, equally long
    assert np.linalg.norm(d[1]) == pytest.approx(np.linalg.norm(b - a))
    # the oracle: a least-squares solve for each of the curve's points
    pts = curve.points(plane.t) - a
    coords, *_ = np.linalg.lstsq(d.T, pts.T, rcond=None)
    np.testing.assert_allclose(plane.coords, coords.T, atol=1e-10)
    off = np.linalg.norm(pts - coords.T @ d, axis=1) / np.linalg.norm(b - a)
    np.testing.assert_allclose(plane.off_plane, off, atol=1e-7)
    assert plane.off_plane.max() > 0.1  # three random bends: not in one plane
    # the scan's values are the loss at the plane's points
    (ax, cy), land = plane.landscape.axes, plane.landscape
    assert land.values[2, 3] == pytest.approx(obj.loss(a + ax[3] * d[0] + cy[2] * d[1]))


def test_cli_connect_help_in_both_languages() -> None:
    from losslab.cli import build_parser

    for lang, band in (("en", "elastic band"), ("ja", "エラスティックバンド")):
        words = (band, "file.py:build", "BatchNorm")
        sub = build_parser(lang)._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        text = sub["connect"].format_help()
        assert all(word in text for word in words)
    args = build_parser("en").parse_args(["connect", "--model", "m.py:build", "--data", "d.py:f"])
    assert (args.model, args.data, args.bends, args.curve) == ("m.py:build", "d.py:f", 1, "bezier")


def test_plane_title_says_whether_the_curve_lowered_the_lines_barrier(xor) -> None:  # type: ignore[no-untyped-def]
    # The title used to claim "goes around the barrier" even where the line had none.
    from losslab.plots.connect import figure_curve_plane

    c = connect(xor.objective, xor.minimum, xor.twin, steps=1000, neb_pivots=0, plane_points=5)
    title = figure_curve_plane(c, "en").axes[0].get_title()
    assert f"lowers the line's barrier from {c.line.barrier:.3g} to {c.curve.barrier:.3g}" in title
    obj = perceptron_objective(teacher_data("2*x + 1", "-1:3:21", noise=0.3, seed=1))
    convex = connect(obj, np.array([1.0, 0.0]), np.array([3.0, 2.0]), steps=50, neb_pivots=0,
                     plane_points=5)  # fmt: skip
    title = figure_curve_plane(convex, "ja").axes[0].get_title()
    assert "下がっていない" in title and "障壁" in title
