"""Curvature of numpy problems against independent oracles: finite differences of the
backpropagated gradient, dense Hessians, the quadratic form's closed form."""

import numpy as np
import pytest

from losslab.analysis.curvature import (
    HessianOperator,
    block_curvature,
    hutchinson_trace,
    operator_of,
    spectral_density,
    top_eigenvalues,
)
from losslab.analysis.hvp import hessian_vector_product, hvp_function, param_blocks
from losslab.analysis.quadratic import quadratic_form
from losslab.core.data import teacher_data
from losslab.core.datasets import toy_data
from losslab.core.losses import LOSSES, Huber, SoftmaxCrossEntropy
from losslab.core.mlp import MLP
from losslab.core.objective import Objective, perceptron_objective
from losslab.errors import LosslabError
from losslab.lessons.sharpness import edge_of_stability, sharpness_run, toy_mlp_problem


def fd_hvp(problem, params, v, h=1e-3):
    """Fourth-order central differences of the (backpropagated) gradient along v."""
    g = problem.gradient
    return (
        -g(params + 2 * h * v)
        + 8 * g(params + h * v)
        - 8 * g(params - h * v)
        + g(params - 2 * h * v)
    ) / (12 * h)


def dense_hessian(problem, params, h=1e-5):
    """The Hessian column by column from finite differences of the gradient, symmetrised
    (steps small enough not to cross a ReLU's kink)."""
    eye = np.eye(params.size)
    H = np.column_stack([fd_hvp(problem, params, e, h) for e in eye])
    return (H + H.T) / 2


def mlp_problem(activation="tanh", loss="mse", sizes=(2, 4, 3, 1), n=12, seed=1):
    data = toy_data("moons", n=n, seed=seed)
    if loss == "softmax-ce":
        sizes = (*sizes[:-1], 2)
    loss_fn = Huber(0.3) if loss == "huber" else LOSSES[loss]()
    net = MLP(sizes, activation)
    params = net.init_params(seed) + 0.1 * np.random.default_rng(seed).normal(size=net.n_params)
    return Objective(net, loss_fn, data), params


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("loss", ["mse", "bce", "softmax-ce", "huber"])
def test_mlp_hvp_matches_finite_differences_of_the_gradient(activation, loss):
    problem, params = mlp_problem(activation, loss)
    rng = np.random.default_rng(7)
    for _ in range(3):
        v = rng.normal(size=params.size)
        exact = hessian_vector_product(problem, params, v)
        oracle = fd_hvp(problem, params, v)
        np.testing.assert_allclose(exact, oracle, rtol=1e-6, atol=1e-8 * np.abs(oracle).max())


def test_mlp_hvp_is_symmetric_and_linear():
    problem, params = mlp_problem("sigmoid", "bce")
    hvp = hvp_function(problem, params)
    rng = np.random.default_rng(3)
    u, v = rng.normal(size=(2, params.size))
    assert u @ hvp(v) == pytest.approx(v @ hvp(u), rel=1e-12)
    np.testing.assert_allclose(hvp(2 * u + v), 2 * hvp(u) + hvp(v), rtol=1e-10, atol=1e-13)


def test_perceptron_hvp_is_the_quadratic_forms_hessian():
    data = teacher_data("2*x + 1", "-1:3:21")
    problem = perceptron_objective(data)
    q = quadratic_form(data)
    n = data.n
    expected = (2 / n) * np.array([[q.Sxx, q.Sx], [q.Sx, n]])
    for v in np.eye(2):
        np.testing.assert_allclose(hessian_vector_product(problem, [3.0, 2.0], v), expected @ v)
        np.testing.assert_allclose(
            hessian_vector_product(problem, [3.0, 2.0], v), fd_hvp(problem, np.array([3.0, 2.0]), v)
        )


def test_linear_mlp_under_mse_uses_the_exact_quadratic():
    data = toy_data("moons", n=10)
    net = MLP((2, 1))
    problem = Objective(net, LOSSES["mse"](), data)
    params = net.init_params(0)
    H = np.column_stack([hessian_vector_product(problem, params, e) for e in np.eye(3)])
    A = np.column_stack([data.x, np.ones(10)])
    np.testing.assert_allclose(H, 2 / 10 * A.T @ A, rtol=1e-12)
    np.testing.assert_allclose(H, dense_hessian(problem, params), rtol=1e-8)


def test_hvp_refuses_a_loss_without_curvature_and_an_unknown_problem():
    problem, params = mlp_problem()
    bad = Objective(problem.model, type("Odd", (), {"name": "odd"})(), problem.data)
    with pytest.raises(LosslabError, match="Curvature is not available"):
        hessian_vector_product(bad, params, params)
    with pytest.raises(LosslabError, match="not available for a str"):
        hvp_function("bowl", params)


def test_softmax_hvp_matches_for_three_classes():
    data = toy_data("moons", n=9, seed=2)
    t = np.arange(9) % 3.0
    data = type(data)(x=data.x, t=t)
    net = MLP((2, 5, 3), "tanh")
    problem = Objective(net, SoftmaxCrossEntropy(), data)
    params = net.init_params(4)
    v = np.random.default_rng(0).normal(size=net.n_params)
    np.testing.assert_allclose(
        hessian_vector_product(problem, params, v), fd_hvp(problem, params, v), rtol=1e-6
    )


def test_param_blocks_of_an_mlp_cover_every_parameter_once():
    net = MLP((2, 3, 1))
    blocks = param_blocks(net.param_names)
    assert list(blocks) == ["layer1.W", "layer1.b", "layer2.W", "layer2.b"]
    covered = np.concatenate([np.arange(net.n_params)[s] for s in blocks.values()])
    assert covered.tolist() == list(range(net.n_params))


# --- the spectrum ---


@pytest.mark.parametrize(
    ("activation", "loss"), [("tanh", "mse"), ("sigmoid", "bce"), ("relu", "softmax-ce")]
)
def test_top3_eigenvalues_match_the_dense_hessian(activation, loss):
    problem, params = mlp_problem(activation, loss, sizes=(2, 6, 5, 1), n=16)
    oracle = np.sort(np.linalg.eigvalsh(dense_hessian(problem, params)))[::-1][:3]
    top = top_eigenvalues(operator_of(problem, params), k=3, seed=0)
    np.testing.assert_allclose(top.values, oracle, rtol=1e-6)
    assert top.k == 3 and top.seed == 0 and top.tol == 0.0
    assert top.stability_limit == pytest.approx(2 / oracle[0], rel=1e-6)
    assert "TopEigenvalues([" in repr(top) and len(repr(top)) < 200


def test_perceptron_eigenvalues_are_the_quadratic_forms():
    data = teacher_data("2*x + 1", "-1:3:21")
    q = quadratic_form(data)
    top = top_eigenvalues(operator_of(perceptron_objective(data), [3.0, 2.0]), k=2)
    np.testing.assert_allclose(top.values, q.eigenvalues[::-1], rtol=1e-12)
    assert top.stability_limit == pytest.approx(q.stability_limit, rel=1e-12)


def test_hutchinson_trace_is_within_its_standard_error_of_the_dense_trace():
    problem, params = mlp_problem("tanh", "mse", sizes=(2, 6, 5, 1), n=16)
    H = dense_hessian(problem, params)
    est = hutchinson_trace(operator_of(problem, params), samples=400, seed=3)
    assert abs(est.value - np.trace(H)) < 4 * est.stderr
    # Rademacher: Var(z^T H z) = 2 sum_{i != j} H_ij^2 (Hutchinson 1990)
    theory = np.sqrt(2 * (np.sum(H**2) - np.sum(np.diag(H) ** 2)) / 400)
    assert est.stderr == pytest.approx(theory, rel=0.2)
    assert est.samples == 400 and est.seed == 3


def test_block_values_match_the_dense_hessians_diagonal_blocks():
    problem, params = mlp_problem("tanh", "bce", sizes=(2, 4, 1), n=12)
    H = dense_hessian(problem, params)
    blocks = block_curvature(operator_of(problem, params), samples=100)
    spans = param_blocks(problem.param_names)
    assert blocks.names == tuple(spans)
    for name, top, trace in zip(blocks.names, blocks.lambda_max, blocks.trace, strict=True):
        sub = H[spans[name], spans[name]]
        assert top == pytest.approx(np.linalg.eigvalsh(sub)[-1], rel=1e-6, abs=1e-12)
        assert trace == pytest.approx(np.trace(sub), rel=1e-6, abs=1e-12)


def test_slq_density_integrates_to_one_and_its_moments_match_the_traces():
    problem, params = mlp_problem("tanh", "mse", sizes=(2, 8, 6, 1), n=20)
    H = dense_hessian(problem, params)
    P = params.size
    density = spectral_density(operator_of(problem, params), steps=30, runs=40, seed=1)
    assert np.trapezoid(density.density, density.grid) == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(density.weights.sum(axis=1), 1.0, rtol=1e-12)
    for power, oracle in ((1, np.trace(H) / P), (2, np.trace(H @ H) / P)):
        mean, err = density.moment(power)
        assert abs(mean - oracle) < 4 * err, (power, mean, oracle, err)
    # the broadened density's own moments: the nodes' plus sigma^2 for the second
    m1 = np.trapezoid(density.grid * density.density, density.grid)
    m2 = np.trapezoid(density.grid**2 * density.density, density.grid)
    assert m1 == pytest.approx(density.moment(1)[0], rel=1e-6, abs=1e-9)
    assert m2 == pytest.approx(density.moment(2)[0] + density.sigma**2, rel=1e-6)


def test_slq_with_full_lanczos_recovers_every_eigenvalue():
    values = np.array([4.0, 2.0, 1.0, 0.5, -0.25])
    op = HessianOperator(lambda v: values * v, 5, problem="diag")
    density = spectral_density(op, steps=5, runs=2, seed=0)
    for run in range(2):
        np.testing.assert_allclose(np.sort(density.nodes[run]), np.sort(values), atol=1e-12)
        np.testing.assert_allclose(density.weights[run], 0.2, atol=1e-12)  # Rademacher: 1/P


def test_spectrum_inputs_are_checked():
    op = HessianOperator(lambda v: v, 3, problem="identity")
    with pytest.raises(LosslabError, match="number of eigenvalues 4"):
        top_eigenvalues(op, k=4)
    with pytest.raises(LosslabError, match="number of samples 1"):
        hutchinson_trace(op, samples=1)
    with pytest.raises(LosslabError, match="Lanczos steps 9"):
        spectral_density(op, steps=9)


# --- the edge of stability ---


@pytest.mark.parametrize(("fraction", "stopped"), [(0.95, "step limit"), (1.05, "diverged")])
def test_perceptron_converges_or_diverges_as_two_over_lambda_max_says(fraction, stopped):
    data = teacher_data("2*x + 1", "-1:3:21")
    q = quadratic_form(data)
    run = sharpness_run(
        perceptron_objective(data), [3.0, 2.0], fraction * q.stability_limit, 400, every=50
    )
    np.testing.assert_allclose(run.lambda_max, q.eigenvalues[1], rtol=1e-12)  # constant
    assert run.stopped == stopped
    if stopped == "step limit":
        assert run.losses[-1] - q.min_loss < 1e-6 * (run.losses[0] - q.min_loss)


def test_toy_mlp_sharpens_to_two_over_lr_and_hovers_there():
    problem, init = toy_mlp_problem()
    run = sharpness_run(problem, init, 0.1, 1600, every=20)
    assert run.lambda_max[0] < 0.5 * run.stability_limit  # starts well below the edge
    reached = run.first_reach(1.0)
    assert reached is not None and reached < 1200
    after = run.lambda_max[run.steps > reached + 100]
    assert 0.9 < after.mean() / run.stability_limit < 1.1  # hovers around 2/lr
    assert after.max() < 1.4 * run.stability_limit  # and does not run away
    assert run.losses[-1] < run.losses[reached]  # while the loss still goes down
    assert np.any(np.diff(run.losses[reached:]) > 0)  # not monotonically


def test_edge_of_stability_lesson_and_bad_settings():
    with pytest.raises(LosslabError, match="every 0 steps"):
        sharpness_run(perceptron_objective(teacher_data()), [3.0, 2.0], 0.1, 10, every=0)
    with pytest.raises(LosslabError, match="learning rate"):
        sharpness_run(perceptron_objective(teacher_data()), [3.0, 2.0], -1.0, 10)
    lesson = edge_of_stability(steps=200, every=50)
    assert [r.stopped for r in lesson.perceptron_runs] == ["step limit", "diverged"]
    assert "EdgeOfStability(" in repr(lesson)


def test_curvature_report_gathers_the_four_and_saves_them(tmp_path):
    import csv

    from losslab.analysis.curvature import CurvatureReport, curvature_report

    problem, params = mlp_problem("tanh", "bce", sizes=(2, 4, 1), n=12)
    H = dense_hessian(problem, params)
    exact = np.linalg.eigvalsh(H)[::-1]
    op = operator_of(problem, params)
    report = curvature_report(op, top_k=2, samples=50, lanczos_steps=400, runs=3, seed=2)
    np.testing.assert_allclose(report.top.values, exact[:2], rtol=1e-6)
    assert report.stability_limit == pytest.approx(2 / exact[0], rel=1e-6)
    assert report.density.steps == params.size == report.n_params  # Lanczos: at most P steps
    rows = list(csv.DictReader(report.csv_text().splitlines()))
    assert [r["quantity"] for r in rows[:3]] == ["lambda_1", "lambda_2", "trace"]
    assert float(rows[0]["value"]) == report.lambda_max  # repr: the numbers round-trip
    spans = param_blocks(problem.param_names)
    for name, span in spans.items():  # a block's trace is exact (fewer parameters than samples)
        (row,) = (r for r in rows if r["block"] == name and r["quantity"] == "trace")
        assert float(row["value"]) == pytest.approx(np.trace(H[span, span]), rel=1e-6, abs=1e-12)
    assert "CurvatureReport(lambda_max=" in repr(report) and len(repr(report)) < 200
    path = tmp_path / "curvature.npz"
    report.save(path)
    before = path.read_bytes()
    with pytest.raises(LosslabError, match="already exists"):
        report.save(path)
    assert path.read_bytes() == before
    loaded = CurvatureReport.load(path)
    for a, b in ((loaded.top.vectors, report.top.vectors), (loaded.density.density,
                 report.density.density), (loaded.blocks.trace, report.blocks.trace)):  # fmt: skip
        np.testing.assert_array_equal(a, b)
    assert repr(loaded) == repr(report) and loaded.csv_text() == report.csv_text()
    report.save(path, overwrite=True)
    report.save(tmp_path / "new" / "spectrum")  # the name as given, its folder made
    assert CurvatureReport.load(tmp_path / "new" / "spectrum").n_params == report.n_params
