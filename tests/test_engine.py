"""The one scan engine: every problem kind against brute force, any block size or order,
resume after an interruption bit for bit, another scan's resume file refused."""

import pickle

import numpy as np
import pytest
import torch  # tools/test.sh installs the CPU build (torch==2.13.0) before the tests
from torch import nn

from losslab.core.data import Dataset, teacher_data
from losslab.core.losses import MeanSquaredError, SoftmaxCrossEntropy
from losslab.core.mlp import MLP
from losslab.core.objective import Objective, book_ch6_function, perceptron_objective
from losslab.errors import LosslabError
from losslab.landscape.executor import SerialExecutor
from losslab.landscape.scan import scan_line, scan_plane, scan_trajectory
from losslab.torch import TorchProblem

torch.set_num_threads(1)


def numpy_problems():
    """One problem of each kind, with the plane method it should choose."""
    rng = np.random.default_rng(0)
    x4 = rng.normal(size=(30, 5))
    labels = rng.integers(0, 3, 30).astype(float)
    x2 = rng.normal(size=(25, 2))
    x3 = rng.normal(size=(20, 3))
    return {
        "perceptron": (perceptron_objective(teacher_data("sin(x)", "-2:2:17")), "five sums"),
        "linear": (
            Objective(MLP((3, 1)), MeanSquaredError(), Dataset(x3, rng.normal(size=20))),
            "exact quadratic",
        ),
        "mlp-first-layer": (
            Objective(MLP((5, 6, 3), "relu"), SoftmaxCrossEntropy(), Dataset(x4, labels)),
            "batched",
        ),
        "mlp-plain": (
            Objective(MLP((2, 4, 1), "tanh"), MeanSquaredError(), Dataset(x2, x2[:, 0] ** 2)),
            "batched",
        ),
        "bowl": (book_ch6_function(), "batched"),
    }


def plane_of(problem, seed=1):
    rng = np.random.default_rng(seed)
    n = len(problem.param_names)
    return rng.normal(size=n), rng.normal(size=(2, n))


def brute_force(problem, origin, directions, a, c):
    """The oracle: one call of ``loss`` per grid point."""
    out = np.empty((c.size, a.size))
    for j, cj in enumerate(c):
        for i, ai in enumerate(a):
            out[j, i] = problem.loss(origin + ai * directions[0] + cj * directions[1])
    return out


AXES = (np.linspace(-1.5, 1.0, 7), np.linspace(-0.5, 2.0, 6))


@pytest.mark.parametrize("kind", list(numpy_problems()))
def test_every_problem_kind_equals_brute_force(kind):
    problem, method = numpy_problems()[kind]
    origin, directions = plane_of(problem)
    land = scan_plane(problem, AXES, origin, directions)
    assert method in land.meta["method"]
    expected = brute_force(problem, origin, directions, *AXES)
    np.testing.assert_allclose(land.values, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", list(numpy_problems()))
def test_any_block_size_gives_the_same_values_bit_for_bit(kind):
    problem, _ = numpy_problems()[kind]
    origin, directions = plane_of(problem)
    whole = scan_plane(problem, AXES, origin, directions).values
    for rows in (1, 2, 4, 6, 100):
        blocked = scan_plane(
            problem, AXES, origin, directions, executor=SerialExecutor(), block_rows=rows
        )
        np.testing.assert_array_equal(blocked.values, whole)


class Reversed:
    """A test double of an out-of-order executor: it yields the blocks last first, each
    computed by a copy of the task that went through pickle (as a Dask worker gets it)."""

    def map_blocks(self, task, blocks):
        remote = pickle.loads(pickle.dumps(task))
        for block in reversed(list(blocks)):
            yield block, remote.run(block)


class FailsAfter:
    """An executor that runs ``k`` blocks, then fails as a killed job would."""

    def __init__(self, k):
        self.k = k

    def map_blocks(self, task, blocks):
        for n, block in enumerate(blocks):
            if n == self.k:
                raise KeyboardInterrupt
            yield block, task.run(block)


@pytest.mark.parametrize("kind", list(numpy_problems()))
def test_an_out_of_order_executor_gives_the_same_values(kind):
    problem, _ = numpy_problems()[kind]
    origin, directions = plane_of(problem)
    whole = scan_plane(problem, AXES, origin, directions, block_rows=2).values
    shuffled = scan_plane(problem, AXES, origin, directions, executor=Reversed(), block_rows=2)
    np.testing.assert_array_equal(shuffled.values, whole)


@pytest.mark.parametrize("kind", ["perceptron", "mlp-first-layer"])
def test_an_interrupted_scan_resumes_bit_for_bit(kind, tmp_path):
    problem, _ = numpy_problems()[kind]
    origin, directions = plane_of(problem)
    straight = scan_plane(problem, AXES, origin, directions)
    path = tmp_path / "scan.npz"
    with pytest.raises(KeyboardInterrupt):
        scan_plane(problem, AXES, origin, directions, executor=FailsAfter(2), block_rows=2,
                   resume=path)  # fmt: skip
    with np.load(path) as z:
        assert z["done"].tolist() == [True] * 4 + [False] * 2
        assert np.isnan(z["values"][4:]).all()
    calls = []

    class Counting(SerialExecutor):
        def map_blocks(self, task, blocks):
            calls.extend(b.start for b in blocks)
            return super().map_blocks(task, blocks)

    resumed = scan_plane(problem, AXES, origin, directions, executor=Counting(), block_rows=2,
                         resume=path)  # fmt: skip
    assert calls == [4]  # only the missing block ran
    np.testing.assert_array_equal(resumed.values, straight.values)
    assert not list(tmp_path.glob("*.tmp*"))  # written atomically, nothing left behind


def test_a_resume_file_of_another_scan_is_refused(tmp_path):
    problem, _ = numpy_problems()["perceptron"]
    origin, directions = plane_of(problem)
    path = tmp_path / "scan.npz"
    scan_plane(problem, AXES, origin, directions, resume=path)
    with pytest.raises(LosslabError, match="other settings"):
        scan_plane(problem, (AXES[0], AXES[1] + 1), origin, directions, resume=path)
    other, _ = numpy_problems()["linear"]
    with pytest.raises(LosslabError, match="other settings"):
        scan_plane(other, AXES, np.zeros(4), np.eye(2, 4), resume=path)
    path.write_bytes(b"not an npz")
    with pytest.raises(LosslabError, match="other settings"):
        scan_plane(problem, AXES, origin, directions, resume=path)


def test_line_and_trajectory_run_through_the_engine_against_brute_force():
    problem, _ = numpy_problems()["mlp-first-layer"]
    start, (d, _) = plane_of(problem)
    alphas = np.array([-0.5, 0.0, 0.25, 1.0])
    line = scan_line(problem, start, start + d, alphas, executor=Reversed(), block_rows=1)
    expected = [problem.loss(start + t * d) for t in alphas]
    np.testing.assert_allclose(line.values, expected, rtol=1e-12)
    t = np.linspace(0, 1, 8)[:, None]
    path = start + t * d + t**2 * plane_of(problem, 2)[1][0]
    traj = scan_trajectory(problem, path, points=5)
    land = traj.landscape
    expected = brute_force(problem, land.origin, land.directions, *land.axes)
    np.testing.assert_allclose(land.values, expected, rtol=1e-10)
    np.testing.assert_allclose(traj.coords @ land.directions + land.origin, path, atol=1e-10)


def test_an_unknown_torch_method_is_one_sentence():
    with pytest.raises(LosslabError, match="not a way to evaluate"):
        torch_problem("fastest")


def test_progress_bar_counts_points(capsys):
    problem, _ = numpy_problems()["bowl"]
    scan_plane(problem, AXES, progress=True)
    err = capsys.readouterr().err
    assert "42/42" in err and "pt" in err


# --- PyTorch problems through the same engine ------------------------------------------


def torch_problem(method, sequential=True):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(40, 5, generator=g), torch.randint(0, 3, (40,), generator=g)
    if sequential:
        model = nn.Sequential(nn.Linear(5, 6), nn.Tanh(), nn.Linear(6, 3))
    else:
        model = nn.Sequential(nn.Linear(5, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3))
        model = nn.Sequential(nn.Identity(), *model)  # no first-layer shortcut
    return TorchProblem(model, nn.CrossEntropyLoss(), (x, y), batch_size=16,
                        dtype=torch.float64, method=method)  # fmt: skip


TORCH_CASES = [("auto", True), ("shortcut", True), ("vmap", True), ("loop", True),
               ("auto", False), ("vmap", False)]  # fmt: skip


@pytest.mark.parametrize(("method", "sequential"), TORCH_CASES)
def test_torch_problems_through_the_engine(method, sequential):
    problem = torch_problem(method, sequential)
    origin = problem.origin.double().numpy()
    _, directions = plane_of(problem)
    directions *= 0.1
    land = scan_plane(problem, AXES, origin, directions)
    assert land.meta["method"] == f"torch {method}"
    expected = brute_force(problem, origin, directions, *AXES)
    np.testing.assert_allclose(land.values, expected, rtol=1e-10)
    for rows in (1, 4):
        blocked = scan_plane(problem, AXES, origin, directions, block_rows=rows,
                             executor=Reversed())  # fmt: skip
        np.testing.assert_array_equal(blocked.values, land.values)


def test_an_interrupted_torch_scan_resumes_bit_for_bit(tmp_path):
    problem = torch_problem("auto")
    origin, directions = problem.origin.double().numpy(), 0.1 * plane_of(problem)[1]
    straight = scan_plane(problem, AXES, origin, directions)
    path = tmp_path / "scan.npz"
    with pytest.raises(KeyboardInterrupt):
        scan_plane(problem, AXES, origin, directions, executor=FailsAfter(3), block_rows=1,
                   resume=path)  # fmt: skip
    resumed = scan_plane(problem, AXES, origin, directions, block_rows=1, resume=path)
    np.testing.assert_array_equal(resumed.values, straight.values)
