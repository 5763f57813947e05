"""``losslab curvature`` and ``losslab sharpness``: parse, call the library, write files.

``curvature`` measures the Hessian's top eigenvalues, trace, eigenvalue density and
per-block values of a numpy network (the flags of ``landscape``: trained first with
``--steps``) or of a PyTorch model (the flags of ``torch-scan``: ``--model file.py:build
--data file.py:load``). ``sharpness`` runs the edge-of-stability lab.
"""

from __future__ import annotations

import argparse
import io
import json
from typing import Any

import numpy as np

from losslab.cli.common import Command, add_command, output_flags
from losslab.errors import LosslabError
from losslab.i18n import Lang, tr

MAX_STEPS = 100_000
NUMPY_MODELS = ("mlp", "linear", "logistic")


def _flag(p: argparse.ArgumentParser, name: str, key: str, lang: Lang, **kw: Any) -> None:
    p.add_argument(name, help=tr(key, lang), **kw)


def add_curvature(subparsers: Any, lang: Lang = "en") -> argparse.ArgumentParser:
    """The ``curvature`` command's parser."""
    cur = add_command(
        subparsers, "curvature", "curvature.cli_curvature", lang, [output_flags(lang)]
    )
    _flag(cur, "--model", "curvature.cli_model", lang, default="mlp")
    _flag(cur, "--data", "curvature.cli_data", lang, default="moons")
    _flag(cur, "--loss", "curvature.cli_loss", lang)
    _flag(cur, "--hidden", "cli.hidden", lang, default="8,8")
    _flag(cur, "--activation", "cli.activation", lang, default="tanh")
    _flag(cur, "--n", "cli.n", lang, type=int)
    _flag(cur, "--noise", "cli.toy_noise", lang, type=float)
    _flag(cur, "--seed", "cli.seed", lang, type=int, default=0)
    _flag(cur, "--optimizer", "cli.optimizer", lang, default="adam")
    _flag(cur, "--learning-rate", "cli.lr", lang, type=float, default=0.05)
    _flag(cur, "--steps", "curvature.cli_train_steps", lang, type=int, default=500)
    _flag(cur, "--checkpoint", "cli.torch_checkpoint", lang)
    _flag(cur, "--batch-size", "cli.batch_size", lang, type=int)
    _flag(cur, "--device", "cli.device", lang)
    _flag(cur, "--top-k", "curvature.cli_top_k", lang, type=int, default=3)
    _flag(cur, "--samples", "curvature.cli_samples", lang, type=int, default=100)
    _flag(cur, "--lanczos-steps", "curvature.cli_lanczos", lang, type=int, default=80)
    _flag(cur, "--runs", "curvature.cli_runs", lang, type=int, default=10)
    _flag(cur, "--tol", "curvature.cli_tol", lang, type=float, default=1e-8)
    return cur


def add_sharpness(subparsers: Any, lang: Lang = "en") -> argparse.ArgumentParser:
    """The ``sharpness`` command's parser."""
    sh = add_command(subparsers, "sharpness", "curvature.cli_sharpness", lang, [output_flags(lang)])
    _flag(sh, "--model", "curvature.cli_model", lang, default="mlp")
    _flag(sh, "--data", "cli.data", lang, default="spirals")
    _flag(sh, "--loss", "cli.loss", lang, default="mse")
    _flag(sh, "--hidden", "cli.hidden", lang, default="16,16")
    _flag(sh, "--activation", "cli.activation", lang, default="tanh")
    _flag(sh, "--n", "cli.n", lang, type=int)
    _flag(sh, "--noise", "cli.toy_noise", lang, type=float)
    _flag(sh, "--seed", "cli.seed", lang, type=int, default=0)
    _flag(sh, "--learning-rate", "cli.lr", lang, type=float, default=0.1)
    _flag(sh, "--steps", "cli.steps", lang, type=int, default=2500)
    _flag(sh, "--every", "curvature.cli_every", lang, type=int, default=10)
    return sh


def _numpy_problem(args: argparse.Namespace) -> Any:
    """The objective that ``--model/--data/--hidden/--loss`` ask for (a numpy network)."""
    from losslab.core.datasets import toy_data
    from losslab.core.mlp import parse_hidden
    from losslab.lessons.networks import build_objective

    if args.model not in NUMPY_MODELS:
        raise LosslabError("curvature.error_model", value=args.model)
    data = toy_data(args.data, args.n, args.noise, args.seed)
    hidden = parse_hidden(args.hidden) if args.model == "mlp" else ()
    loss = args.loss or ("bce" if args.model == "logistic" else None)
    if args.model == "linear" and loss is None:
        loss = "mse"
    return build_objective(data, hidden, args.activation, loss)


def _check_steps(steps: int) -> None:
    if steps < 0:
        raise LosslabError("error.steps", value=steps)
    if steps > MAX_STEPS:
        raise LosslabError("error.steps_large", value=steps, limit=MAX_STEPS)


def _numpy_operator(args: argparse.Namespace) -> Any:
    from losslab.analysis.curvature import operator_of
    from losslab.optim.loop import run
    from losslab.optim.rules import make_optimizer

    _check_steps(args.steps)
    problem = _numpy_problem(args)
    params = problem.model.init_params(args.seed)
    if args.steps > 0:
        optimizer = make_optimizer(args.optimizer, args.learning_rate)
        params = run(problem, optimizer, params, args.steps, seed=args.seed).params[-1]
    return operator_of(problem, params)


def _torch_operator(args: argparse.Namespace) -> Any:
    try:
        from losslab.adapters.torch_spec import TorchSpec
    except ImportError:
        raise LosslabError("error.no_torch") from None
    spec = TorchSpec(args.model, args.data, args.loss or "cross-entropy", args.checkpoint,
                     args.batch_size, args.device, dtype="float64")  # fmt: skip
    return spec.build().operator(problem=f"{args.model} {args.data}")


def _npz(arrays: dict[str, Any], meta: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays, meta=np.array(json.dumps(meta)))
    return buf.getvalue()


def run_curvature(args: argparse.Namespace) -> int:
    """``losslab curvature``: the spectrum of a numpy network or of a PyTorch model."""
    from losslab.analysis.curvature import (
        block_curvature,
        hutchinson_trace,
        spectral_density,
        top_eigenvalues,
    )
    from losslab.io import check_writable, png_bytes, write_files
    from losslab.plots.curvature import figure_density

    lang: Lang = args.lang
    names = ["curvature-density.png", "curvature.csv", "curvature.npz"]
    check_writable(args.out, names, args.overwrite)
    op = _torch_operator(args) if ":" in args.model else _numpy_operator(args)
    top = top_eigenvalues(op, k=args.top_k, tol=args.tol, seed=args.seed)
    trace = hutchinson_trace(op, args.samples, args.seed)
    density = spectral_density(op, min(args.lanczos_steps, op.n_params), args.runs, seed=args.seed)
    blocks = block_curvature(op, args.samples, args.seed)
    lines = ["quantity,block,value,stderr"]
    lines += [f"lambda_{k + 1},all,{v!r},0" for k, v in enumerate(top.values.tolist())]
    lines.append(f"trace,all,{trace.value!r},{trace.stderr!r}")
    for row in blocks.rows():
        lines.append(f"lambda_max,{row['block']},{row['lambda_max']!r},0")
        lines.append(f"trace,{row['block']},{row['trace']!r},{row['stderr']!r}")
    meta = {"problem": op.problem, "n_params": op.n_params, "seed": args.seed, "tol": args.tol,
            "samples": args.samples, "lanczos_steps": density.steps, "runs": density.runs,
            "sigma": density.sigma}  # fmt: skip
    arrays = {"top_values": top.values, "grid": density.grid, "density": density.density,
              "nodes": density.nodes, "weights": density.weights}  # fmt: skip
    files: dict[str, bytes | str] = {
        names[0]: png_bytes(figure_density(density, top, lang)),
        names[1]: "\n".join(lines) + "\n",
        names[2]: _npz(arrays, meta),
    }
    written = write_files(args.out, files, args.overwrite)
    print(tr("curvature.cli_summary", lang, params=op.n_params, lmax=top.lambda_max,
             limit=top.stability_limit, trace=trace.value, stderr=trace.stderr))  # fmt: skip
    for row in blocks.rows():
        print(tr("curvature.cli_block", lang, **row))
    return _finish(args, written)


def _finish(args: argparse.Namespace, written: list[Any]) -> int:
    print(tr("cli.wrote", args.lang, count=len(written), path=args.out))
    for path in written:
        print(f"  {path}")
    return 0


def run_sharpness(args: argparse.Namespace) -> int:
    """``losslab sharpness``: full-batch gradient descent with λmax every ``--every`` steps."""
    from losslab.io import check_writable, png_bytes, write_files
    from losslab.lessons.sharpness import sharpness_run
    from losslab.plots.curvature import figure_sharpness

    lang: Lang = args.lang
    names = ["sharpness.png", "sharpness.csv", "sharpness.npz"]
    check_writable(args.out, names, args.overwrite)
    _check_steps(args.steps)
    problem = _numpy_problem(args)
    init = problem.model.init_params(args.seed)
    run = sharpness_run(problem, init, args.learning_rate, args.steps, args.every, args.seed)
    sharp = dict(zip(run.steps.tolist(), run.lambda_max.tolist(), strict=True))
    lines = ["step,loss,lambda_max"]
    lines += [f"{k},{loss!r},{sharp[k]!r}" if k in sharp else f"{k},{loss!r},"
              for k, loss in enumerate(run.losses.tolist())]  # fmt: skip
    meta = {"problem": run.problem, "learning_rate": run.learning_rate, "every": run.every,
            "seed": run.seed, "stopped": run.stopped}  # fmt: skip
    arrays = {"losses": run.losses, "steps": run.steps, "lambda_max": run.lambda_max}
    files: dict[str, bytes | str] = {
        names[0]: png_bytes(figure_sharpness(run, lang)),
        names[1]: "\n".join(lines) + "\n",
        names[2]: _npz(arrays, meta),
    }
    written = write_files(args.out, files, args.overwrite)
    mean, low, high = run.edge_ratio()
    reached = run.first_reach(1.0)
    print(tr("curvature.cli_sharpness_summary", lang, start=run.lambda_max[0],
             end=run.lambda_max[-1], limit=run.stability_limit, mean=mean, low=low, high=high,
             reached="-" if reached is None else reached,
             stopped=tr(f"curvature.stopped_{run.stopped.replace(' ', '_')}", lang)))  # fmt: skip
    return _finish(args, written)


COMMANDS = (
    Command("curvature", add_curvature, run_curvature),
    Command("sharpness", add_sharpness, run_sharpness),
)
