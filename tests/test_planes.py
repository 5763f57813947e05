"""Issue 18, parts 2 to 5: Hessian eigenvector planes (against the dense Hessian and finite
differences of the loss), the automatic span (against the perceptron's closed form),
provenance and ``losslab diff``, and the estimate printed before a long scan."""

import numpy as np
import pytest

from losslab.core.data import Dataset
from losslab.core.losses import MeanSquaredError
from losslab.core.mlp import MLP
from losslab.core.objective import Objective
from losslab.landscape.executor import SerialExecutor
from losslab.landscape.scan import scan_plane


def small_net(hidden=3, n=12, seed=0):
    """A 2-hidden-1 tanh network on a few random points (MSE): small enough for dense."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    t = np.sin(x[:, 0]) + 0.5 * x[:, 1]
    return Objective(MLP((2, hidden, 1), "tanh"), MeanSquaredError(), Dataset(x, t))


# --- 5. the estimate before a long scan --------------------------------------------------


@pytest.mark.parametrize("lang, word", [("en", "scan estimate"), ("ja", "スキャンの見積もり")])
def test_the_estimate_is_printed_before_the_scan_and_changes_no_value(capsys, lang, word):
    problem = small_net()
    params = problem.model.init_params(0)
    directions = np.random.default_rng(1).normal(size=(2, params.size))
    axes = (np.linspace(-1, 1, 9), np.linspace(-2, 2, 7))
    plain = scan_plane(problem, axes, params, directions)
    assert capsys.readouterr().err == ""
    timed = scan_plane(problem, axes, params, directions, progress=True, lang=lang)
    err = capsys.readouterr().err
    assert word in err and "6" in err  # the rows left after the timed first one
    assert err.index(word) < err.rindex("63/63")  # printed before the bar finished
    np.testing.assert_array_equal(timed.values, plain.values)  # bit for bit
    calls = []

    class Counting(SerialExecutor):
        def map_blocks(self, task, blocks):
            calls.extend((b.start, b.stop) for b in blocks)
            return super().map_blocks(task, blocks)

    again = scan_plane(problem, axes, params, directions, progress=True, executor=Counting(),
                       block_rows=3)  # fmt: skip
    np.testing.assert_array_equal(again.values, plain.values)
    assert calls == [(1, 3), (3, 6), (6, 7)]  # the timed row is not computed twice


# --- 3. the automatic span ---------------------------------------------------------------


def noisy_perceptron():
    from losslab.core.data import teacher_data
    from losslab.core.objective import perceptron_objective

    return perceptron_objective(teacher_data("2*x + 1", "-1:3:21", noise=0.5, seed=3))


def quadratic_of(objective):
    """The perceptron's loss as L(p) = L0 + g.(p - p0) + (p - p0)' H (p - p0) / 2, from a
    least-squares solve on the data (the oracle: no losslab code)."""
    x, t = objective.data.x, objective.data.t
    X = np.column_stack([x, np.ones_like(x)])
    minimum = np.linalg.lstsq(X, t, rcond=None)[0]
    hessian = 2 * X.T @ X / x.size
    return minimum, hessian, lambda p: float(np.mean((X @ p - t) ** 2))


@pytest.mark.parametrize("direction", [[1.0, 0.0], [0.3, -2.0]])
@pytest.mark.parametrize("factor", [10.0, 3.0])
def test_the_automatic_span_reaches_the_rise_of_the_closed_form(direction, factor):
    from losslab.landscape.span import AutoSpan, choose_span

    objective = noisy_perceptron()
    minimum, hessian, loss = quadratic_of(objective)
    d = np.asarray(direction)
    curvature = d @ hessian @ d
    # At the minimum the loss along d is L0 + t^2 d'Hd / 2 on both sides.
    expected = np.sqrt(2 * (factor - 1) * loss(minimum) / curvature)
    choice = choose_span(objective, minimum, d, AutoSpan(factor=factor))
    assert choice.reached
    assert choice.span == pytest.approx(expected, rel=2e-6)
    assert choice.centre_loss == pytest.approx(loss(minimum), rel=1e-12)
    assert loss(minimum + choice.span * d) == pytest.approx(factor * loss(minimum), rel=5e-6)
    # Away from the minimum the steeper side reaches it first:
    # L0 + |g| t + c t^2 = target with c = d'Hd / 2.
    start = minimum + np.array([0.4, -0.7])
    slope = abs(
        2
        * np.mean(
            (np.column_stack([objective.data.x, np.ones(21)]) @ start - objective.data.t)[:, None]
            * np.column_stack([objective.data.x, np.ones(21)]),
            axis=0,
        )
        @ d
    )
    rise = (factor - 1) * loss(start)
    c = curvature / 2
    expected = (-slope + np.sqrt(slope**2 + 4 * c * rise)) / (2 * c)
    choice = choose_span(objective, start, d, AutoSpan(factor=factor))
    assert choice.span == pytest.approx(expected, rel=2e-6)


def test_a_ceiling_is_reached_and_a_flat_direction_stops_at_the_limit():
    from losslab.core.problem import PlaneFromBatch
    from losslab.landscape.span import AutoSpan, auto_axes, choose_span, span_title

    objective = noisy_perceptron()
    minimum, hessian, loss = quadratic_of(objective)
    choice = choose_span(objective, minimum, [0.0, 1.0], AutoSpan(ceiling=5.0))
    assert choice.span == pytest.approx(np.sqrt(2 * (5.0 - loss(minimum)) / hessian[1, 1]),
                                        rel=2e-6)  # fmt: skip

    class Valley(PlaneFromBatch):
        """x^2 + 1: flat along y."""

        param_names = ("x", "y")

        def loss(self, params):
            return float(params[0] ** 2 + 1)

        def gradient(self, params, batch=None):
            return np.array([2 * params[0], 0.0])

        def loss_batch(self, points):
            return np.asarray(points)[:, 0] ** 2 + 1

        def describe(self):
            return {"method": "batched evaluation"}

    rule = AutoSpan(limit=50.0)
    axes, record = auto_axes(Valley(), np.zeros(2), np.eye(2), rule, 5)
    assert record["reached"] == [True, False]
    assert record["spans"][0] == pytest.approx(3.0, rel=2e-6)  # x^2 + 1 = 10
    assert record["spans"][1] == 50.0 and axes[1].tolist() == [-50, -25, 0, 25, 50]
    assert "not reached" in span_title(record) and "届かず" in span_title(record, "ja")
    assert "10×" in span_title(record)


@pytest.mark.parametrize(
    "text",
    [
        "auto:1x",
        "auto:0.5x",
        "auto:x",
        "auto:",
        "auto:nan",
        "-1",
        "0",
        "inf",
        "1e16",
        "auto:abc",
        "wide",
        "auto:1e400x",
    ],
)
def test_a_bad_span_is_one_sentence(text):
    from losslab.errors import LosslabError
    from losslab.landscape.span import parse_span

    with pytest.raises(LosslabError, match="not valid"):
        parse_span(text)


def test_a_target_below_the_centre_is_one_sentence():
    from losslab.errors import LosslabError
    from losslab.landscape.span import AutoSpan, choose_span

    objective = noisy_perceptron()
    minimum, _, _ = quadratic_of(objective)
    with pytest.raises(LosslabError, match="nothing to reach"):
        choose_span(objective, minimum, [1.0, 0.0], AutoSpan(ceiling=0.0))


def test_parse_span_takes_any_number_or_says_one_sentence():
    from hypothesis import given
    from hypothesis import strategies as st

    from losslab.errors import LosslabError
    from losslab.landscape.span import AutoSpan, parse_span

    @given(st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                     st.floats().map(lambda v: f"auto:{v!r}x"),
                     st.floats().map(lambda v: f"auto:{v!r}"), st.text(max_size=12)))  # fmt: skip
    def check(text):
        try:
            out = parse_span(text)
        except LosslabError as exc:
            assert "\n" not in str(exc)
            return
        assert isinstance(out, AutoSpan) or (np.isfinite(out) and 0 < out <= 1e15)
        if isinstance(out, AutoSpan):
            assert out.factor > 1 and (out.ceiling is None or np.isfinite(out.ceiling))

    check()


def test_landscape_with_span_auto_says_so_in_the_title(tmp_path):
    from losslab.core.datasets import toy_data
    from losslab.landscape.span import AutoSpan
    from losslab.lessons.networks import model_objective, train_and_scan

    objective = model_objective(toy_data("moons", 60, 0.2, 0), "mlp", (4,))
    run = train_and_scan(objective, steps=50, plane="random", span=AutoSpan(), points=5)
    record = run.plane.meta["span"]
    trained = objective.loss(run.trajectory.params[-1])
    assert record["target"] == pytest.approx(10 * trained, rel=1e-12)
    for k, axis in enumerate(run.plane.axes):
        d = run.plane.directions[k]
        edge = max(objective.loss(run.plane.origin + s * axis[-1] * d) for s in (1, -1))
        assert edge == pytest.approx(10 * trained, rel=1e-4)  # the edge shows the rise


# --- 2. Hessian eigenvector planes -------------------------------------------------------


def dense_hessian_by_differences(objective, params, h=1e-5):
    """The Hessian (P, P) by central differences of the gradient (no hvp, no Lanczos)."""
    columns = []
    for e in np.eye(params.size):
        columns.append((objective.gradient(params + h * e) - objective.gradient(params - h * e))
                       / (2 * h))  # fmt: skip
    H = np.column_stack(columns)
    return (H + H.T) / 2


def second_derivative(objective, params, v, h=1e-4):
    """d^2/dt^2 L(params + t v) at t = 0, by central differences of the loss."""
    return (objective.loss(params + h * v) - 2 * objective.loss(params)
            + objective.loss(params - h * v)) / h**2  # fmt: skip


@pytest.mark.parametrize("kind", ["top", "saddle"])
def test_hessian_planes_match_the_dense_hessian(kind):
    from losslab.landscape.directions import hessian_directions

    objective = small_net(hidden=4)
    params = objective.model.init_params(3)  # untrained: the Hessian is indefinite
    values, vectors = np.linalg.eigh(dense_hessian_by_differences(objective, params))
    assert values[0] < -1e-3 < 1e-3 < values[-1]  # a saddle-like point: both signs
    picks = [-1, -2] if kind == "top" else [-1, 0]
    plane = hessian_directions(objective, params, kind, seed=5)
    np.testing.assert_allclose(plane.eigenvalues, values[picks], rtol=1e-6, atol=1e-8)
    for k, pick in enumerate(picks):
        d = plane.directions[k]
        assert np.linalg.norm(d) == pytest.approx(1.0, abs=1e-12)
        assert abs(d @ vectors[:, pick]) == pytest.approx(1.0, abs=1e-6)  # equal up to sign
        assert d[np.argmax(np.abs(d))] > 0  # the sign is fixed
        curvature = second_derivative(objective, params, d)
        assert curvature == pytest.approx(plane.eigenvalues[k], rel=1e-4, abs=1e-6)
    assert abs(plane.directions[0] @ plane.directions[1]) < 1e-8


def test_the_hessian_plane_of_a_trained_network(tmp_path):
    from losslab.core.datasets import toy_data
    from losslab.lessons.networks import model_objective, train_and_scan

    objective = model_objective(toy_data("moons", 60, 0.2, 0), "mlp", (4,))
    run = train_and_scan(objective, steps=200, plane="hessian", span=0.3, points=5)
    final = run.trajectory.params[-1]
    values = np.linalg.eigvalsh(dense_hessian_by_differences(objective, final))
    assert run.plane.meta["param_names"][0].endswith(f"{values[-1]:.4g})")
    np.testing.assert_array_equal(run.plane.origin, final)
    expected = [[objective.loss(final + a * run.plane.directions[0] + c * run.plane.directions[1])
                 for a in run.plane.axes[0]] for c in run.plane.axes[1]]  # fmt: skip
    np.testing.assert_allclose(run.plane.values, expected, rtol=1e-10)


def test_a_problem_without_hessian_products_is_one_sentence():
    from losslab.errors import LosslabError
    from losslab.landscape.directions import hessian_directions

    class NoCurvature:
        param_names = ("a", "b", "c")

    with pytest.raises(LosslabError):
        hessian_directions(NoCurvature(), np.zeros(3))
    with pytest.raises(LosslabError, match="no plane"):
        hessian_directions(small_net(), np.zeros(13), "sideways")


# --- 4. provenance and losslab diff ------------------------------------------------------


def landscape_run(tmp_path, name, *extra):
    from losslab.cli import main

    out = tmp_path / name
    argv = ["landscape", "--plane", "random", "--points", "7", "--steps", "20", "--data", "moons",
            "--n", "40", "--hidden", "4", "--out", str(out), *extra]  # fmt: skip
    assert main(argv) == 0
    return out


def diff(capsys, a, b, *extra):
    from losslab.cli import main

    capsys.readouterr()
    code = main(["diff", str(a), str(b), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_saved_scan_carries_its_card(tmp_path):
    from losslab.io import load_npz
    from losslab.provenance import array_hash

    out = landscape_run(tmp_path, "a", "--seed", "4")
    arrays, meta = load_npz(out / "landscape.npz")
    card = meta["provenance"]
    assert card["seed"] == 4
    assert card["directions"] == [array_hash(d) for d in arrays["directions"]]
    assert card["directions"][0] != card["directions"][1]
    assert card["normalisation"].startswith("filter")
    assert card["batchnorm"] == "none"
    assert card["data"] == {"source": "moons", "subset": "all", "size": 40}
    assert (card["dtype"], card["device"]) == ("float64", "cpu")
    assert card["versions"]["numpy"] == np.__version__
    assert card["command"].startswith("losslab landscape --plane random")
    text = (out / "landscape-card.md").read_text()
    assert card["directions"][0] in text and "losslab diff" in text
    _, trajectory = load_npz(out / "line.npz")
    assert trajectory["provenance"]["directions"]  # every saved result has one


def test_diff_says_same_for_two_identical_runs(tmp_path, capsys):
    a, b = landscape_run(tmp_path, "a"), landscape_run(tmp_path, "b")
    code, out, _ = diff(capsys, a / "landscape.npz", b / "landscape.npz")
    assert code == 0
    assert "same computation, and the same values bit for bit" in out
    assert "provenance.command" in out  # --out differs: said, but not counted


def test_diff_names_the_seed_and_the_direction_hashes(tmp_path, capsys):
    a, b = landscape_run(tmp_path, "a"), landscape_run(tmp_path, "b", "--seed", "1")
    code, out, _ = diff(capsys, a / "landscape.npz", b / "landscape.npz", "--lang", "en")
    assert code == 1
    assert "Not the same computation" in out
    assert "seed: 0 → 1" in out and "provenance.directions:" in out
    from losslab.io import load_npz

    hashes = [load_npz(p / "landscape.npz")[1]["provenance"]["directions"] for p in (a, b)]
    assert str(hashes[0]) in out and str(hashes[1]) in out
    code, out, _ = diff(capsys, a / "landscape.npz", b / "landscape.npz", "--lang", "ja")
    assert code == 1 and "同じ計算ではありません" in out


def test_diff_finds_a_hand_edited_value(tmp_path, capsys):
    a = landscape_run(tmp_path, "a")
    with np.load(a / "landscape.npz") as z:
        arrays = {key: z[key] for key in z.files}
    arrays["values"] = arrays["values"].copy()
    arrays["values"][3, 2] += 0.125
    np.savez(tmp_path / "edited.npz", **arrays)
    code, out, _ = diff(capsys, a / "landscape.npz", tmp_path / "edited.npz")
    assert code == 1
    assert "The same computation" in out and "values[3, 2]" in out
    assert "is 0.125," in out


def test_diff_of_a_file_that_is_no_result_is_one_sentence(tmp_path, capsys):
    a = landscape_run(tmp_path, "a")
    for bad in (tmp_path / "missing.npz", a / "trajectory.csv", a / "landscape-plane.png"):
        code, out, err = diff(capsys, a / "landscape.npz", bad)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and str(bad) in err and "Traceback" not in err


def test_compare_treats_nan_and_shapes_honestly():
    from losslab.provenance import compare

    nan = np.array([1.0, np.nan, np.inf])
    assert compare(({"v": nan}, {}), ({"v": nan.copy()}, {})).same
    c = compare(({"v": nan}, {}), ({"v": np.array([1.0, 2.0, np.inf])}, {}))
    assert c.same_computation and c.largest == np.inf and c.where == "v[1]"
    c = compare(({"v": nan}, {}), ({"v": np.zeros(2)}, {}))
    assert not c.same_computation and c.arrays == ["v"]
    c = compare(({}, {"provenance": {"command": "a", "seed": 1}}),
                ({}, {"provenance": {"command": "b", "seed": 1}}))  # fmt: skip
    assert c.same and c.record == [("provenance.command", "a", "b")]


# --- the PyTorch side: Hessian planes, the automatic span, the card, the estimate ---------


def torch_net():
    import torch
    from torch import nn

    torch.set_num_threads(1)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(2)
    x, y = torch.randn(30, 3, generator=g, dtype=torch.float64), torch.randint(0, 3, (30,))
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 3)).double()
    return model, nn.functional.cross_entropy, (x, y)


@pytest.mark.parametrize("plane", ["hessian", "saddle"])
def test_torch_hessian_planes_match_torch_autograd_hessian(plane):
    import torch
    from torch.func import functional_call

    from losslab import torch as ltorch

    model, loss_fn, (x, y) = torch_net()
    names = [n for n, _ in model.named_parameters()]
    shapes = [p.shape for p in model.parameters()]
    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])

    def loss_at(v):
        params, start = {}, 0
        for name, shape in zip(names, shapes, strict=True):
            size = int(np.prod(shape))
            params[name] = v[start : start + size].reshape(shape)
            start += size
        return loss_fn(functional_call(model, params, (x,)), y)

    H = torch.autograd.functional.hessian(loss_at, flat).numpy()
    values, vectors = np.linalg.eigh((H + H.T) / 2)
    picks = [-1, -2] if plane == "hessian" else [-1, 0]
    land = ltorch.scan_plane(model, loss_fn, (x, y), directions=plane, span=0.5, points=3,
                             dtype=torch.float32)  # fmt: skip
    np.testing.assert_allclose(land.meta["eigenvalues"], values[picks], rtol=1e-6, atol=1e-9)
    for k, pick in enumerate(picks):
        d = land.directions[k]
        assert abs(d @ vectors[:, pick]) == pytest.approx(1.0, abs=1e-6)
        h = 1e-3
        second = (loss_at(flat + h * torch.from_numpy(d)) - 2 * loss_at(flat)
                  + loss_at(flat - h * torch.from_numpy(d))).item() / h**2  # fmt: skip
        assert second == pytest.approx(values[pick], rel=1e-4, abs=1e-6)
    assert land.meta["normalisation"].startswith("Hessian eigenvectors")
    assert land.meta["param_names"][0].startswith("v")


def test_torch_span_auto_reaches_ten_times_the_loss():
    import torch

    from losslab import torch as ltorch
    from losslab.landscape.span import AutoSpan

    model, loss_fn, data = torch_net()
    land = ltorch.scan_plane(model, loss_fn, data, span=AutoSpan(), points=5, seed=3,
                             dtype=torch.float64)  # fmt: skip
    record = land.meta["span"]
    centre = land.values[2, 2]
    assert record["target"] == pytest.approx(10 * centre, rel=1e-12)
    for k in range(2):
        edge = land.values[2, [0, -1]] if k == 0 else land.values[[0, -1], 2]
        assert max(edge) == pytest.approx(10 * centre, rel=1e-5)


def test_torch_batchnorm_mode_is_in_the_card():
    import torch
    from torch import nn

    from losslab.provenance import card
    from losslab.torch import TorchProblem

    torch.set_num_threads(1)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    data = (torch.randn(10, 3), torch.randint(0, 2, (10,)))
    loss = nn.functional.cross_entropy
    assert card(TorchProblem(model, loss, data).describe())["batchnorm"] == (
        "eval (running statistics)")  # fmt: skip
    trained = TorchProblem(model, loss, data, train_mode=True).describe()
    assert card(trained)["batchnorm"] == "train (batch statistics)"
    plain = TorchProblem(nn.Linear(3, 2), loss, data).describe()
    assert card(plain) | {"versions": 0, "command": 0} == {
        "seed": None, "directions": [], "normalisation": "none", "batchnorm": "none",
        "data": {"source": None, "subset": "all", "size": 10}, "dtype": "torch.float32",
        "device": "cpu", "versions": 0, "command": 0,
    }  # fmt: skip


def test_torch_scan_cli_hessian_auto_card_and_estimate(tmp_path, capsys):
    from losslab.cli import main
    from losslab.io import load_npz
    from tests import distributed_tasks

    path = distributed_tasks.__file__
    common = ["torch-scan", "--model", f"{path}:torch_mlp", "--data", f"{path}:torch_data",
              "--points", "5", "--plane", "hessian", "--span", "auto"]  # fmt: skip
    assert main([*common, "--out", str(tmp_path / "a")]) == 0
    err = capsys.readouterr().err
    assert "scan estimate" in err and "4 rows left" in err
    _, meta = load_npz(tmp_path / "a" / "torch-plane.npz")
    card = meta["provenance"]
    assert card["data"] == {"source": f"{path}:torch_data", "subset": "all", "size": 64}
    assert (card["dtype"], card["device"], card["batchnorm"]) == ("torch.float32", "cpu", "none")
    assert card["seed"] == 0 and card["normalisation"].startswith("Hessian")
    assert card["command"].startswith("losslab torch-scan --model")
    assert meta["span"]["mode"] == "auto" and all(meta["span"]["reached"])
    assert (tmp_path / "a" / "torch-card.md").read_text().count(card["directions"][0]) == 1
    assert main([*common, "--quiet", "--out", str(tmp_path / "b")]) == 0
    assert capsys.readouterr().err == ""
    assert main(["diff", str(tmp_path / "a" / "torch-plane.npz"),
                 str(tmp_path / "b" / "torch-plane.npz")]) == 0  # fmt: skip
    assert main([*common[:-2], "--span", "auto:0.5x", "--out", str(tmp_path / "c")]) == 2


def test_a_long_landscape_prints_the_estimate_unless_quiet(tmp_path, capsys):
    from losslab.cli import main

    argv = ["landscape", "--points", "101", "--steps", "5", "--n", "20", "--hidden", "3",
            "--plane", "random"]  # fmt: skip
    assert main([*argv, "--out", str(tmp_path / "a"), "--lang", "ja"]) == 0
    assert "スキャンの見積もり" in capsys.readouterr().err
    assert main([*argv, "--out", str(tmp_path / "b"), "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    assert (
        main(["diff", str(tmp_path / "a" / "landscape.npz"), str(tmp_path / "b" / "landscape.npz")])
        == 0
    )  # the bar changes no value
