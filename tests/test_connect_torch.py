"""Mode connectivity of PyTorch models: BatchNorm statistics recomputed at each point of a path
(against torch.optim.swa_utils.update_bn on a plain copy of the model), the CLI's checkpoints."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import torch  # tools/test.sh installs the CPU build before the tests
from torch import nn
from torch.nn.utils import vector_to_parameters
from torch.optim.swa_utils import update_bn

from losslab.adapters.torch_connect import (
    RefreshedBatchNorm,
    has_batchnorm,
    path_problem,
    torch_accuracy,
)
from losslab.cli import main
from losslab.landscape.connect import PathProfile, make_curve, path_profile
from losslab.lessons.connect import accuracy_metric, connect
from losslab.torch import TorchProblem, parameter_vector

torch.set_num_threads(1)

MODELS = """
import torch
from torch import nn


def build():
    return nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3))


def plain():
    return nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))


def wide():
    return nn.Sequential(nn.Linear(4, 7), nn.BatchNorm1d(7), nn.ReLU(), nn.Linear(7, 3))


def load():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(48, 4, generator=g) * 2 + 1
    return x, (x[:, 0] > 1).long() + (x[:, 1] > 1).long()
"""


def _data() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(48, 4, generator=g) * 2 + 1
    return x, (x[:, 0] > 1).long() + (x[:, 1] > 1).long()


def _trained(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3))
    x, y = _data()
    opt = torch.optim.Adam(net.parameters(), lr=0.05)
    for _ in range(60):
        opt.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    return net.eval()


def _oracle(model: nn.Module, flat: np.ndarray) -> tuple[float, float]:
    """The loss and accuracy at ``flat`` by hand: a plain copy, update_bn, eval mode."""
    net = copy.deepcopy(model)
    vector_to_parameters(torch.as_tensor(flat, dtype=torch.float32), net.parameters())
    x, y = _data()
    update_bn([x], net)
    net.eval()
    with torch.no_grad():
        out = net(x)
        return float(nn.functional.cross_entropy(out, y)), float(
            (out.argmax(1) == y).float().mean()
        )


def test_batchnorm_statistics_are_recomputed_at_each_point_as_update_bn() -> None:
    a, b = _trained(0), _trained(1)
    problem = TorchProblem(a, nn.CrossEntropyLoss(), _data())
    wrapped, refreshed = path_problem(problem)
    assert refreshed and isinstance(wrapped, RefreshedBatchNorm) and has_batchnorm(a)
    start, end = parameter_vector(a).double().numpy(), parameter_vector(b).double().numpy()
    metric = torch_accuracy(wrapped)
    assert metric is not None
    profile = path_profile(wrapped, make_curve(start, end, "line"), 5, metric)
    expected = [_oracle(a, p) for p in profile.curve.points(profile.t)]
    np.testing.assert_allclose(profile.losses, [e[0] for e in expected], rtol=1e-5)
    np.testing.assert_allclose(profile.accuracies, [e[1] for e in expected])  # type: ignore[arg-type]
    assert profile.meta["batchnorm"].startswith("running statistics recomputed")
    # without recomputing, the end B is evaluated with A's running statistics: another loss
    plain = path_profile(problem, make_curve(start, end, "line"), 5)
    assert abs(plain.losses[-1] - profile.losses[-1]) > 1e-3
    # a curve trained on mini-batches (training-mode statistics of each batch)
    c = connect(wrapped, start, end, steps=4, batch_size=16, neb_pivots=0, plane_points=None,
                points=3, metric=metric)  # fmt: skip
    assert c.fit.meta["batch_size"] == 16 and np.all(np.isfinite(c.curve.losses))
    # the option off, or a model without BatchNorm: the problem itself
    assert path_problem(problem, update_bn=False) == (problem, False)
    no_bn = TorchProblem(nn.Sequential(nn.Linear(4, 3)), nn.CrossEntropyLoss(), _data())
    assert path_problem(no_bn) == (no_bn, False)


def test_training_mode_gradient_matches_finite_differences() -> None:
    problem = TorchProblem(_trained(0), nn.CrossEntropyLoss(), _data(), dtype=torch.float64)
    wrapped, _ = path_problem(problem)
    p = parameter_vector(problem.model).double().numpy()
    grad = wrapped.gradient(p)
    net = copy.deepcopy(problem.model).double().train()
    x, y = _data()

    def train_loss(flat: np.ndarray) -> float:  # the oracle: batch statistics, by hand
        vector_to_parameters(torch.as_tensor(flat), net.parameters())
        with torch.no_grad():
            return float(nn.functional.cross_entropy(net(x.double()), y))

    h = 1e-6
    numeric = [(train_loss(p + h * e) - train_loss(p - h * e)) / (2 * h) for e in np.eye(p.size)]
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


def test_connect_on_a_torch_problem_without_batchnorm_has_accuracy() -> None:
    torch.manual_seed(0)
    nets = [nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3)) for _ in range(2)]
    problem = TorchProblem(nets[0], nn.CrossEntropyLoss(), _data())
    metric = torch_accuracy(problem)
    assert metric is not None and accuracy_metric(problem) is None
    ends = [parameter_vector(n).double().numpy() for n in nets]
    c = connect(problem, ends[0], ends[1], steps=10, neb_pivots=0, plane_points=5, metric=metric,
                batch_size=16)  # fmt: skip
    x, y = _data()
    with torch.no_grad():
        right = float((nets[1](x).argmax(1) == y).float().mean())
    assert c.line.accuracies is not None and c.line.accuracies[-1] == pytest.approx(right)


def test_cli_connect_reads_two_checkpoints_and_says_it_recomputed_batchnorm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "models.py").write_text(MODELS)
    torch.save(_trained(0).state_dict(), tmp_path / "a.pt")
    torch.save(_trained(1).state_dict(), tmp_path / "b.pt")
    m = str(tmp_path / "models.py")
    common = ["connect", "--model", f"{m}:build", "--data", f"{m}:load", "--checkpoint",
              str(tmp_path / "a.pt"), "--steps", "20", "--pivots", "2", "--points", "7",
              "--plane-points", "5"]  # fmt: skip
    assert main([*common, "--end", str(tmp_path / "b.pt"), "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "BatchNorm: running statistics recomputed" in out
    assert "accuracy drop" in out
    bezier = PathProfile.load(tmp_path / "o" / "connect-bezier.npz")
    assert bezier.meta["batchnorm"].startswith("running statistics recomputed")
    assert bezier.accuracies is not None and bezier.t.size == 7
    # the option off says so too
    assert main([*common, "--end", str(tmp_path / "b.pt"), "--out", str(tmp_path / "k"),
                 "--keep-bn-stats", "--lang", "ja"]) == 0  # fmt: skip
    assert "BatchNorm: すべての点で" in capsys.readouterr().out
    # a model without BatchNorm: nothing to recompute, nothing said; the accuracy still
    torch.manual_seed(0)
    for name in ("p0.pt", "p1.pt"):
        torch.save(nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3)).state_dict(),
                   tmp_path / name)  # fmt: skip
    plain = ["connect", "--model", f"{m}:plain", "--data", f"{m}:load", "--checkpoint",
             str(tmp_path / "p0.pt"), "--end", str(tmp_path / "p1.pt"), "--steps", "5",
             "--pivots", "0", "--plane-points", "0", "--out", str(tmp_path / "p")]  # fmt: skip
    assert main(plain) == 0
    out = capsys.readouterr().out
    assert "BatchNorm" not in out and "accuracy drop" in out
    # bad input: one sentence, exit 2
    torch.save(nn.Sequential(nn.Linear(4, 7), nn.BatchNorm1d(7), nn.ReLU(),
                             nn.Linear(7, 3)).state_dict(), tmp_path / "wide.pt")  # fmt: skip
    for end, words in ((tmp_path / "missing.pt", "checkpoint"),
                       (tmp_path / "wide.pt", "different shapes")):  # fmt: skip
        assert main([*common, "--end", str(end), "--out", str(tmp_path / "x")]) == 2
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err and err.count("\n") == 1
