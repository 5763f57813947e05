"""Landscapes of PyTorch networks against plain loops, the paper's normalisation, and theory."""

import copy
from typing import ClassVar

import numpy as np
import pytest
import torch  # tools/test.sh installs the CPU build (torch==2.13.0) before the tests
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from losslab.core.data import Dataset
from losslab.core.losses import MeanSquaredError
from losslab.core.mlp import MLP
from losslab.core.objective import Objective
from losslab.errors import LosslabError
from losslab.landscape.directions import random_directions as numpy_directions
from losslab.landscape.scan import scan_plane as engine_scan
from losslab.torch import (
    TorchObjective,
    TorchProblem,
    parameter_vector,
    random_directions,
    scan_line,
    scan_plane,
    scan_trajectory,
)

torch.set_num_threads(1)


def data(n=60, d=5, k=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g), torch.randint(0, k, (n,), generator=g)


def mlp(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 6), nn.ReLU(), nn.Linear(6, 3))


class WithNorm(nn.Module):
    """Not a Sequential, with BatchNorm buffers: the generic (vmap / loop) paths."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(1)
        self.a = nn.Linear(5, 8)
        self.norm = nn.BatchNorm1d(8)
        self.b = nn.Linear(8, 3)

    def forward(self, x):
        return self.b(torch.relu(self.norm(self.a(x))))


def plain_loop(model, loss_fn, x, y, origin, d1, d2, axis):
    """The oracle: copy the model, set its weights for each point, call it."""
    net = copy.deepcopy(model).eval()
    out = np.empty((axis.size, axis.size))
    with torch.no_grad():
        for j, c in enumerate(axis):
            for i, a in enumerate(axis):
                vec = (origin + a * d1 + c * d2).float()
                nn.utils.vector_to_parameters(vec, net.parameters())
                out[j, i] = float(loss_fn(net(x), y))
    return out


# The shortcut needs an nn.Sequential that starts with nn.Linear: mlp, not WithNorm.
CASES = [(m, mlp) for m in ("auto", "shortcut", "vmap", "loop")] + [
    (m, WithNorm) for m in ("auto", "vmap", "loop")
]


@pytest.mark.parametrize(("method", "make"), CASES)
def test_plane_equals_a_plain_loop(method, make):
    model = make()
    x, y = data()
    loss_fn = nn.CrossEntropyLoss()
    axis = np.linspace(-1, 1, 5)
    land = scan_plane(model, loss_fn, (x, y), "random", axes=(axis, axis), method=method)
    d1, d2 = (torch.tensor(d) for d in land.directions)
    expected = plain_loop(model, loss_fn, x, y, parameter_vector(model).double(), d1, d2, axis)
    np.testing.assert_allclose(land.values, expected, rtol=2e-5, atol=1e-6)


def test_filter_normalisation_gives_each_filter_the_weights_norm():
    model = WithNorm()
    for keep in (False, True):
        for d in random_directions(model, seed=3, keep_biases=keep):
            start = 0
            for p in model.parameters():
                part = d[start : start + p.numel()].reshape(p.shape)
                start += p.numel()
                w = p.detach().double()
                if p.dim() > 1:
                    np.testing.assert_allclose(part.norm(dim=1), w.norm(dim=1), rtol=1e-9)
                elif keep:
                    assert torch.equal(part, w)
                else:
                    assert torch.all(part == 0)
    assert torch.equal(random_directions(model, 5), random_directions(model, 5))
    assert not torch.equal(random_directions(model, 5), random_directions(model, 6))
    d1, d2 = random_directions(model, 5, normalize=False)
    assert abs(float(d1 @ d2)) < 0.5 * float(d1.norm() * d2.norm())  # two different draws


def test_a_numpy_mlp_and_the_equal_torch_model_get_the_same_directions():
    net = MLP((3, 5, 4, 1), "tanh")
    params = net.init_params(1) + np.random.default_rng(2).normal(size=net.n_params) * 0.1
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 1))
    model.double()
    with torch.no_grad():  # numpy stores W as inputs x units, torch as units x inputs
        for (W, b), layer in zip(net.layers(params), model[::2], strict=True):
            layer.weight.copy_(torch.from_numpy(W.T))
            layer.bias.copy_(torch.from_numpy(b))
    # torch's flat vector is numpy's, reordered by this index
    index = net.layers(np.arange(net.n_params, dtype=float))
    order = np.concatenate([np.concatenate([W.T.ravel(), b]) for W, b in index]).astype(int)
    np.testing.assert_array_equal(parameter_vector(model).numpy(), params[order])
    for keep in (False, True):
        for seed in (0, 7):
            numpy_d = numpy_directions(net, params, seed=seed, keep_biases=keep)
            torch_d = random_directions(model, seed=seed, keep_biases=keep).numpy()
            np.testing.assert_allclose(torch_d, numpy_d[:, order], rtol=1e-14, atol=0)
            raw = numpy_directions(net, params, seed=seed, normalize=False)
            np.testing.assert_array_equal(
                random_directions(model, seed=seed, normalize=False).numpy(), raw[:, order]
            )
    # And the same landscape: torch's random plane is the numpy MLP's random plane.
    g = torch.Generator().manual_seed(3)
    x = torch.randn(20, 3, generator=g, dtype=torch.float64)
    t = torch.randn(20, 1, generator=g, dtype=torch.float64)
    axis = np.linspace(-1, 1, 4)
    torch_land = scan_plane(model, nn.MSELoss(), (x, t), "random", axes=(axis, axis), seed=4,
                            dtype=torch.float64)  # fmt: skip
    objective = Objective(net, MeanSquaredError(), Dataset(x.numpy(), t.numpy()[:, 0]))
    numpy_land = engine_scan(objective, (axis, axis), params,
                             numpy_directions(net, params, seed=4))  # fmt: skip
    np.testing.assert_allclose(torch_land.values, numpy_land.values, rtol=1e-10)


def test_the_callers_model_is_unchanged_bit_for_bit():
    model = WithNorm()
    model.train()
    model.a.weight.requires_grad_(False)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    flags = [p.requires_grad for p in model.parameters()]
    x, y = data()
    scan_plane(model, nn.CrossEntropyLoss(), (x, y), "random", points=3)
    scan_line(model, nn.CrossEntropyLoss(), (x, y), mlp_like_end(model), np.array([0.0, 1.0]))
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert [p.requires_grad for p in model.parameters()] == flags
    assert model.training and model.norm.training


def mlp_like_end(model):
    end = copy.deepcopy(model)
    with torch.no_grad():
        for p in end.parameters():
            p.add_(0.1)
    return end


def test_batchnorm_is_evaluated_in_eval_mode():
    model = WithNorm()
    with torch.no_grad():
        model.norm.running_mean.fill_(0.3)
        model.norm.running_var.fill_(2.0)
    x, y = data()
    obj = TorchObjective(model, nn.CrossEntropyLoss(), (x, y))
    reference = copy.deepcopy(model).eval()
    with torch.no_grad():
        expected = float(nn.CrossEntropyLoss()(reference(x), y))
    assert obj.loss(obj.origin) == pytest.approx(expected, rel=1e-6)


def test_pca_of_checkpoints_in_a_plane_recovers_that_plane():
    model = mlp()
    names = [n for n, _ in model.named_parameters()]
    origin = parameter_vector(model).double()
    g = torch.Generator().manual_seed(0)
    u, v = (
        torch.randn(origin.numel(), generator=g, dtype=torch.float64),
        torch.randn(origin.numel(), generator=g, dtype=torch.float64),
    )
    checkpoints = []
    for t in np.linspace(0, 1, 12):
        vec = origin + float(np.cos(2 * t)) * u + float(t**2) * v
        state, start = {}, 0
        for name, p in zip(names, model.parameters(), strict=True):
            state[name] = vec[start : start + p.numel()].reshape(p.shape).float()
            start += p.numel()
        checkpoints.append(state)
    x, y = data()
    result = scan_trajectory(model, nn.CrossEntropyLoss(), (x, y), checkpoints, points=5)
    basis = np.linalg.qr(np.stack([u.numpy(), v.numpy()], axis=1))[0]
    directions = result.landscape.directions
    np.testing.assert_allclose(directions.T @ directions @ basis, basis, atol=1e-6)
    assert result.coords.shape == (12, 2)
    assert result.pca.explained.sum() == pytest.approx(1.0)


def test_a_dataloader_and_tensors_give_the_same_landscape():
    model = mlp()
    x, y = data(n=64)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=False)
    axis = np.linspace(-0.5, 0.5, 3)
    a = scan_plane(model, nn.CrossEntropyLoss(), (x, y), "random", axes=(axis, axis))
    b = scan_plane(model, nn.CrossEntropyLoss(), loader, "random", axes=(axis, axis))
    np.testing.assert_allclose(a.values, b.values, rtol=1e-5)


def test_an_interrupted_scan_resumes_to_the_same_values(tmp_path, monkeypatch):
    model = mlp()
    x, y = data()
    kwargs = {"points": 6, "seed": 2}
    straight = scan_plane(model, nn.CrossEntropyLoss(), (x, y), "random", **kwargs)
    calls = {"n": 0}
    original = TorchObjective.loss_plane

    def flaky(self, *args, **kw):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return original(self, *args, **kw)

    monkeypatch.setattr(TorchObjective, "loss_plane", flaky)
    path = tmp_path / "scan.npz"
    with pytest.raises(KeyboardInterrupt):
        scan_plane(model, nn.CrossEntropyLoss(), (x, y), "random", resume=path, **kwargs)
    saved = np.load(path)["values"]
    assert np.isnan(saved).any() and np.isfinite(saved[:3]).all()
    monkeypatch.setattr(TorchObjective, "loss_plane", original)
    resumed = scan_plane(model, nn.CrossEntropyLoss(), (x, y), "random", resume=path, **kwargs)
    np.testing.assert_array_equal(resumed.values, straight.values)
    with pytest.raises(LosslabError, match="other settings"):
        scan_plane(model, nn.CrossEntropyLoss(), (x, y), "random", resume=path, points=7)


def test_line_between_two_models():
    model, end = mlp(0), mlp(1)
    x, y = data()
    line = scan_line(model, nn.CrossEntropyLoss(), (x, y), end, np.array([0.0, 0.5, 1.0]))
    with torch.no_grad():
        first = float(nn.CrossEntropyLoss()(model.eval()(x), y))
        last = float(nn.CrossEntropyLoss()(end.eval()(x), y))
    np.testing.assert_allclose(line.values[[0, 2]], [first, last], rtol=1e-5)


# --- the command and the example ---------------------------------------------------------
def test_torch_scan_command_and_the_digits_example(tmp_path, capsys):
    import subprocess
    import sys
    from pathlib import Path

    from losslab.cli import main
    from losslab.landscape.result import Landscape

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "digits"
    subprocess.run(
        [sys.executable, str(root / "examples" / "digits_landscape.py"), "--epochs", "3",
         "--points", "9", "--out", str(out)],
        check=True, capture_output=True, env={**__import__("os").environ, "OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    from PIL import Image

    for name in ("plane.png", "trajectory.png", "line.png"):  # decodes, and is not blank
        with Image.open(out / name) as image:
            assert np.asarray(image.convert("RGB"), dtype=float).std() > 20, name
    import importlib.util

    spec = importlib.util.spec_from_file_location("digits_example", root / "examples" / "digits.py")
    digits = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(digits)
    for name in ("final.pt", "epoch-003.pt"):  # the example's model takes the checkpoints
        digits.build().load_state_dict(torch.load(out / name, weights_only=True), strict=True)
    model = f"{root / 'examples' / 'digits.py'}:build"
    data = f"{root / 'examples' / 'digits.py'}:load"
    args = ["torch-scan", "--model", model, "--data", data, "--checkpoint", str(out / "final.pt"),
            "--points", "7", "--end", str(out / "epoch-001.pt"), "--out", str(tmp_path / "scan"),
            "--quiet"]  # fmt: skip
    assert main(args) == 0
    land = Landscape.load(tmp_path / "scan" / "torch-plane.npz")
    assert land.values.shape == (7, 7) and land.meta["n_params"] == 26122
    trajectory = ",".join(str(out / f"epoch-{k:03d}.pt") for k in (1, 2, 3))
    args = ["torch-scan", "--model", model, "--data", data, "--trajectory", trajectory,
            "--points", "5", "--out", str(tmp_path / "traj"), "--quiet"]  # fmt: skip
    assert main(args) == 0
    bad = ["torch-scan", "--model", model.replace(":build", ":nope"), "--data", data,
           "--out", str(tmp_path / "bad")]  # fmt: skip
    assert main(bad) == 2
    assert "Could not load the model" in capsys.readouterr().err


# --- the Problem protocol and the picklable spec ------------------------------------------
def test_torch_problem_gradient_and_batch_against_finite_differences():
    x, y = data(n=20)
    problem = TorchProblem(mlp(), nn.CrossEntropyLoss(), (x, y), batch_size=8,
                           dtype=torch.float64)  # fmt: skip
    p = problem.origin.numpy()
    grad = problem.gradient(p)
    rng = np.random.default_rng(0)
    for k in rng.choice(p.size, 6, replace=False):
        e = np.zeros(p.size)
        e[k] = 1e-6
        fd = (problem.loss(p + e) - problem.loss(p - e)) / 2e-6
        assert grad[k] == pytest.approx(fd, rel=1e-5, abs=1e-8)
    batch = np.array([1, 4, 7, 19])
    sub = TorchProblem(mlp(), nn.CrossEntropyLoss(), (x[batch], y[batch]), dtype=torch.float64)
    np.testing.assert_allclose(problem.gradient(p, batch), sub.gradient(p), rtol=1e-12)
    points = p + rng.normal(size=(3, p.size)) * 0.1
    np.testing.assert_allclose(problem.loss_batch(points), [problem.loss(q) for q in points])
    assert len(problem.param_names) == p.size and problem.param_names[0] == "0.weight[0]"


FACTORIES = """
import torch
from torch import nn


def build():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3))


def load():
    g = torch.Generator().manual_seed(0)
    return torch.randn(30, 5, generator=g), torch.randint(0, 3, (30,), generator=g)
"""


class Pickling:
    """An executor test double that ships the task as Dask would: pickled, then run."""

    sizes: ClassVar[list[int]] = []

    def map_blocks(self, task, blocks):
        import pickle

        shipped = pickle.dumps(task)
        self.sizes.append(len(shipped))
        remote = pickle.loads(shipped)
        for block in blocks:
            yield block, remote.run(block)


def test_a_spec_builds_once_pickles_and_scans_like_the_model(tmp_path):
    from losslab.adapters.torch_spec import TorchSpec

    (tmp_path / "factories.py").write_text(FACTORIES)
    model = f"{tmp_path / 'factories.py'}:build"
    trained = mlp_like_end(load_factory(tmp_path, "build")())
    torch.save(trained.state_dict(), tmp_path / "ckpt.pt")
    spec = TorchSpec(
        model, f"{tmp_path / 'factories.py'}:load", checkpoint=str(tmp_path / "ckpt.pt")
    )
    problem = spec.build()
    np.testing.assert_array_equal(problem.origin.numpy(), parameter_vector(trained).numpy())
    x, y = load_factory(tmp_path, "load")()
    axis = np.linspace(-1, 1, 4)
    direct = scan_plane(trained, nn.CrossEntropyLoss(), (x, y), "random", axes=(axis, axis))
    origin, directions = direct.origin, direct.directions
    via_spec = engine_scan(spec, (axis, axis), origin, directions, executor=Pickling(),
                           block_rows=1)  # fmt: skip
    np.testing.assert_array_equal(via_spec.values, direct.values)
    expected = plain_loop(trained, nn.CrossEntropyLoss(), x, y, torch.tensor(origin),
                          *(torch.tensor(d) for d in directions), axis)  # fmt: skip
    np.testing.assert_allclose(via_spec.values, expected, rtol=2e-5, atol=1e-6)
    # The torch wrapper ships the spec too (not the model and data): a small task.
    wrapped = scan_plane(None, problem=spec, axes=(axis, axis), executor=Pickling())
    np.testing.assert_array_equal(wrapped.values, direct.values)
    assert Pickling.sizes[-1] < 4000


def load_factory(tmp_path, name):
    from losslab.adapters.torch_files import load_callable

    return load_callable(f"{tmp_path / 'factories.py'}:{name}", name)


def test_one_problem_serves_plane_and_line_without_copies():
    model = mlp()
    x, y = data()
    problem = TorchProblem(model, nn.CrossEntropyLoss(), (x, y))
    assert problem.batches[0][0].data_ptr() == x.data_ptr()  # the data, not a copy
    axis = np.linspace(-0.5, 0.5, 3)
    plane = scan_plane(None, problem=problem, axes=(axis, axis), block_rows=1)
    again = scan_plane(model, nn.CrossEntropyLoss(), (x, y), axes=(axis, axis))
    np.testing.assert_array_equal(plane.values, again.values)
    looped = scan_plane(None, problem=problem, axes=(axis, axis), method="loop")
    np.testing.assert_allclose(looped.values, plane.values, rtol=1e-5)
    assert problem.method == "auto" and looped.meta["method"] == "torch loop"
    with pytest.raises(TypeError, match="batch_size"):  # it would be silently ignored
        scan_plane(None, problem=problem, axes=(axis, axis), batch_size=4)
    line = scan_line(None, None, None, mlp(1), np.array([0.0, 1.0]), problem=problem)
    with torch.no_grad():
        last = float(nn.CrossEntropyLoss()(mlp(1).eval()(x), y))
    assert line.values[1] == pytest.approx(last, rel=1e-5)


def test_ieee_float32_switches_tf32_off_on_a_gpu_only_and_puts_settings_back():
    # cuDNN's TF32 moved a CNN's float32 losses by 2e-4 on an H200 (float32: 1e-7); the
    # flags are process-wide, so the context must restore exactly what the caller had.
    from losslab.adapters.torch_files import ieee_float32

    conv, matmul = torch.backends.cudnn.conv, torch.backends.cuda.matmul
    before = (conv.fp32_precision, matmul.fp32_precision)
    with ieee_float32("cuda:0"):
        assert (conv.fp32_precision, matmul.fp32_precision) == ("ieee", "ieee")
    assert (conv.fp32_precision, matmul.fp32_precision) == before
    with ieee_float32("cpu"):
        assert (conv.fp32_precision, matmul.fp32_precision) == before
    with pytest.raises(RuntimeError), ieee_float32("cuda"):
        raise RuntimeError("restored even when the block fails")
    assert (conv.fp32_precision, matmul.fp32_precision) == before


@pytest.mark.parametrize("content", ["text", "wrong shape", "missing"])
def test_a_bad_checkpoint_is_one_sentence_and_exit_2(tmp_path, capsys, content):
    # A text file made torch.load raise KeyError (a traceback) before; a checkpoint of
    # another model gave an empty reason ("Error(s) in loading state_dict for ...:").
    from losslab.cli import main

    (tmp_path / "factories.py").write_text(FACTORIES)
    ckpt = tmp_path / "ckpt.pt"
    if content == "text":
        ckpt.write_text("hello")
    elif content == "wrong shape":
        torch.save(nn.Linear(5, 2).state_dict(), ckpt)
    args = ["torch-scan", "--model", f"{tmp_path / 'factories.py'}:build",
            "--data", f"{tmp_path / 'factories.py'}:load", "--checkpoint", str(ckpt),
            "--points", "3", "--out", str(tmp_path / "out"), "--quiet"]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1
    assert f"Could not read the checkpoint '{ckpt}'" in err
    assert "file.py:function" not in err
    if content == "wrong shape":
        assert "size mismatch" in err or "Missing key" in err
    assert not (tmp_path / "out").exists()
