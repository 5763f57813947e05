"""``losslab curvature`` and ``losslab sharpness``: parse, call the library, write files.

``curvature`` measures the Hessian's top eigenvalues, trace, eigenvalue density and
per-block values of a numpy network (the flags of ``landscape``: trained first with
``--steps``) or of a PyTorch model (the flags of ``torch-scan``: ``--model file.py:build
--data file.py:load``). ``sharpness`` runs the edge-of-stability lab.
"""

from __future__ import annotations

import argparse
from typing import Any

from losslab.cli.common import (
    Command,
    add_command,
    check_steps,
    finish,
    is_torch_model,
    network,
    network_flags,
    network_messages,
    output_flags,
    train_flags,
)
from losslab.errors import LosslabError
from losslab.i18n import Lang, tr
from losslab.io import npz_bytes


def _flag(p: argparse.ArgumentParser, name: str, key: str, lang: Lang, **kw: Any) -> None:
    p.add_argument(name, help=tr(key, lang), **kw)


def add_curvature(subparsers: Any, lang: Lang = "en") -> argparse.ArgumentParser:
    """The ``curvature`` command's parser: the flags of ``landscape`` and its own."""
    steps = "curvature.cli_train_steps"
    parents = [network_flags(lang, torch=True), train_flags(lang, steps_help=steps),
               output_flags(lang)]  # fmt: skip
    cur = add_command(subparsers, "curvature", "curvature.cli_curvature", lang, parents)
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
    """The ``sharpness`` command's parser: the network flags of ``landscape`` and ``--every``."""
    parents = [network_flags(lang, data="spirals", hidden="16,16", loss="mse"),
               train_flags(lang, learning_rate=0.1, steps=2500, optimizer=None),
               output_flags(lang)]  # fmt: skip
    sh = add_command(subparsers, "sharpness", "curvature.cli_sharpness", lang, parents)
    _flag(sh, "--every", "curvature.cli_every", lang, type=int, default=10)
    return sh


def _numpy_operator(args: argparse.Namespace) -> tuple[Any, list[str]]:
    """The Hessian of the numpy network the flags ask for, trained ``--steps`` first, and
    what to say about its data."""
    from losslab.analysis.curvature import operator_of
    from losslab.lessons.networks import train_network

    check_steps(args.steps)
    problem = network(args)
    trained = train_network(problem, args.optimizer, args.learning_rate, args.steps, args.seed)
    return operator_of(problem, trained.params[-1]), network_messages(args, problem)


def _torch_operator(args: argparse.Namespace) -> Any:
    try:
        from losslab.adapters.torch_spec import TorchSpec
    except ImportError:
        raise LosslabError("error.no_torch") from None
    spec = TorchSpec(args.model, args.data, args.loss or "cross-entropy", args.checkpoint,
                     args.batch_size, args.device, dtype="float64")  # fmt: skip
    return spec.build().operator(problem=f"{args.model} {args.data}")


def run_curvature(args: argparse.Namespace) -> int:
    """``losslab curvature``: the spectrum of a numpy network or of a PyTorch model."""
    from losslab.analysis.curvature import curvature_report
    from losslab.io import check_writable, png_bytes, write_files
    from losslab.plots.curvature import figure_density

    lang: Lang = args.lang
    names = ["curvature-density.png", "curvature.csv", "curvature.npz"]
    check_writable(args.out, names, args.overwrite)
    if is_torch_model(args):
        if args.csv:
            raise LosslabError("curvature.error_csv_torch")
        op, messages = _torch_operator(args), list[str]()
    else:
        op, messages = _numpy_operator(args)
    report = curvature_report(op, args.top_k, args.samples, args.lanczos_steps, args.runs,
                              args.tol, args.seed)  # fmt: skip
    files: dict[str, bytes | str] = {
        names[0]: png_bytes(figure_density(report.density, report.top, lang)),
        names[1]: report.csv_text(),
        names[2]: npz_bytes(report),
    }
    written = write_files(args.out, files, args.overwrite)
    messages.append(tr("curvature.cli_summary", lang, params=report.n_params,
                       lmax=report.lambda_max, limit=report.stability_limit,
                       trace=report.trace.value, stderr=report.trace.stderr))  # fmt: skip
    messages += [tr("curvature.cli_block", lang, **row) for row in report.blocks.rows()]
    return finish(args, written, messages)


def run_sharpness(args: argparse.Namespace) -> int:
    """``losslab sharpness``: full-batch gradient descent with λmax every ``--every`` steps."""
    from losslab.io import check_writable, png_bytes, write_files
    from losslab.lessons.networks import seeded_start
    from losslab.lessons.sharpness import sharpness_run
    from losslab.plots.curvature import figure_sharpness

    lang: Lang = args.lang
    names = ["sharpness.png", "sharpness.csv", "sharpness.npz"]
    check_writable(args.out, names, args.overwrite)
    check_steps(args.steps)
    problem = network(args)
    init = seeded_start(problem, args.seed)
    run = sharpness_run(problem, init, args.learning_rate, args.steps, args.every, args.seed)
    files: dict[str, bytes | str] = {
        names[0]: png_bytes(figure_sharpness(run, lang)),
        names[1]: run.csv_text(),
        names[2]: npz_bytes(run),
    }
    written = write_files(args.out, files, args.overwrite)
    mean, low, high = run.edge_ratio()
    reached = run.first_reach(1.0)
    messages = network_messages(args, problem)
    messages.append(tr("curvature.cli_sharpness_summary", lang, start=run.lambda_max[0],
                       end=run.lambda_max[-1], limit=run.stability_limit, mean=mean, low=low,
                       high=high, reached="-" if reached is None else reached,
                       stopped=tr(f"curvature.stopped_{run.stopped.replace(' ', '_')}",
                                  lang)))  # fmt: skip
    if run.diverged_at is not None:  # say why, and what rate would do
        limit = run.start_rate_limit
        messages.append(tr("msg.diverged_limit", lang, step=run.diverged_at, limit=limit,
                           lr=run.learning_rate, ratio=run.learning_rate / limit))  # fmt: skip
    return finish(args, written, messages)


COMMANDS = (
    Command("curvature", add_curvature, run_curvature),
    Command("sharpness", add_sharpness, run_sharpness),
)
