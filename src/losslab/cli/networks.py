"""``landscape`` and ``gradcheck``: small networks on toy data or a CSV file."""

from __future__ import annotations

import argparse
from contextlib import AbstractContextManager
from typing import Any

from losslab.cli.common import (
    Command,
    Subparsers,
    add_command,
    add_learning_rate,
    check_steps,
    dropped_rows_message,
    finish,
    output_flags,
    split_list,
)
from losslab.core.objective import Objective
from losslab.defaults import NETWORK_LEARNING_RATE
from losslab.i18n import LANGS, Lang, method_label, tr
from losslab.io import check_writable, npz_bytes, png_bytes, write_files


def network_flags(lang: Lang) -> argparse.ArgumentParser:
    """Flags that choose data, a model and a loss for the network commands."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--data", default="moons", help=tr("cli.data", lang))
    p.add_argument("--n", type=int, help=tr("cli.n", lang))
    p.add_argument("--noise", type=float, help=tr("cli.toy_noise", lang))
    p.add_argument("--seed", type=int, default=0, help=tr("cli.seed", lang))
    p.add_argument("--csv", help=tr("cli.csv", lang))
    p.add_argument("--inputs", default="", help=tr("cli.inputs", lang))
    p.add_argument("--target", default="", help=tr("cli.target", lang))
    p.add_argument("--drop-nan", action="store_true", help=tr("cli.drop_nan", lang))
    p.add_argument(
        "--model", choices=["mlp", "linear", "logistic"], default="mlp", help=tr("cli.model", lang)
    )
    p.add_argument("--hidden", default="8,8", help=tr("cli.hidden", lang))
    p.add_argument("--activation", default="tanh", help=tr("cli.activation", lang))
    p.add_argument("--loss", help=tr("cli.loss", lang))
    return p


def network(args: argparse.Namespace) -> Objective:
    """The data, model and loss that the network flags ask for."""
    from losslab.core.datasets import load_csv, toy_data
    from losslab.core.mlp import parse_hidden
    from losslab.lessons.networks import model_objective

    if args.csv:
        data = load_csv(args.csv, split_list(args.inputs, "--inputs") if args.inputs else [],
                        args.target or "", drop_nan=args.drop_nan)  # fmt: skip
    else:
        data = toy_data(args.data, args.n, args.noise, args.seed)
    hidden = parse_hidden(args.hidden) if args.model == "mlp" else ()
    return model_objective(data, args.model, hidden, args.activation, args.loss)


def add_landscape(sub: Subparsers, lang: Lang) -> argparse.ArgumentParser:
    parents = [network_flags(lang), output_flags(lang)]
    p = add_command(sub, "landscape", "cli.landscape", lang, parents)
    p.add_argument("--optimizer", default="adam", help=tr("cli.optimizer", lang))
    add_learning_rate(p, tr("cli.lr", lang), type=float, default=NETWORK_LEARNING_RATE)
    p.add_argument("--steps", type=int, default=500, help=tr("cli.steps", lang))
    p.add_argument(
        "--plane", choices=["pca", "random", "params"], default="pca", help=tr("cli.plane", lang)
    )
    p.add_argument("--params", default="", help=tr("cli.params", lang))
    p.add_argument("--span", type=float, default=1.0, help=tr("cli.span", lang))
    p.add_argument("--points", type=int, default=51, help=tr("cli.points", lang))
    add_keep_biases(p, lang)
    p.add_argument("--resume", help=tr("cli.resume", lang))
    add_distributed(p, lang)
    return p


def add_distributed(parser: argparse.ArgumentParser, lang: Lang) -> None:
    """``--workers N`` (a local Dask cluster) and ``--scheduler ADDRESS`` (a running one)."""
    parser.add_argument(
        "--workers", type=int, metavar="N", help=tr("distributed.cli_workers", lang)
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help=tr("distributed.cli_scheduler", lang)
    )


def open_scan_executor(args: argparse.Namespace) -> AbstractContextManager[Any]:
    """The executor ``--workers`` / ``--scheduler`` ask for (serial without them), for ``with``."""
    from losslab.adapters.dask import open_executor

    return open_executor(workers=args.workers, scheduler=args.scheduler)


def shows_progress(args: argparse.Namespace) -> bool:
    """A progress bar for scans that run on a cluster, unless ``--quiet``."""
    return not args.quiet and (args.workers is not None or args.scheduler is not None)


def add_keep_biases(parser: argparse.ArgumentParser, lang: Lang) -> None:
    """``--keep-biases``, with the paper's spelling ``--keep-biasbn`` as a hidden alias."""
    parser.add_argument("--keep-biases", action="store_true", help=tr("cli.keep_biases", lang))
    parser.add_argument("--keep-biasbn", dest="keep_biases", action="store_true",
                        default=argparse.SUPPRESS, help=argparse.SUPPRESS)  # fmt: skip


def run_landscape(args: argparse.Namespace) -> int:
    from losslab.lessons.networks import accuracy, train_and_scan
    from losslab.plots import networks as figures

    check_steps(args.steps)
    objective = network(args)
    names = ["landscape-plane.png", "landscape-3d.png", "landscape-line.png", "prediction.png",
             "landscape.npz", "line.npz", "trajectory.csv"]  # fmt: skip
    check_writable(args.out, names, args.overwrite)
    picks = split_list(args.params, "--params") if args.plane == "params" else []
    with open_scan_executor(args) as executor:
        result = train_and_scan(
            objective, args.optimizer, args.learning_rate, args.steps, args.seed, args.plane,
            picks, args.span, args.points, ignore_biases=not args.keep_biases,
            executor=executor, resume=args.resume, progress=shows_progress(args),
        )  # fmt: skip
    lang: Lang = args.lang
    files: dict[str, bytes | str] = {
        names[0]: png_bytes(figures.figure_plane(result, lang)),
        names[1]: png_bytes(figures.figure_surface(result.plane, lang)),
        names[2]: png_bytes(figures.figure_line(result.line, lang)),
        names[3]: png_bytes(figures.figure_prediction(result, lang)),
    }
    for name, landscape in ((names[4], result.plane), (names[5], result.line)):
        files[name] = npz_bytes(landscape)
    files[names[6]] = result.trajectory.csv_text()
    traj = result.trajectory
    messages = (
        [dropped_rows_message(objective.data, args.csv, lang)] if dropped(args, objective) else []
    )
    messages.append(
        tr("cli.net_summary", lang, params=len(objective.param_names), loss=traj.losses[-1],
           start=traj.losses[0], method=method_label(result.plane.meta["method"], lang)),
    )  # fmt: skip
    acc = accuracy(objective, traj.params[-1])
    if acc is not None:
        messages.append(tr("cli.accuracy", lang, value=acc * 100))
    return finish(args, write_files(args.out, files, args.overwrite), messages)


def dropped(args: argparse.Namespace, objective: Objective) -> bool:
    """Whether ``--drop-nan`` dropped rows of the CSV file (then the CLI says how many)."""
    return bool(args.csv) and bool(objective.data.meta.get("dropped_rows"))


def add_gradcheck(sub: Subparsers, lang: Lang) -> argparse.ArgumentParser:
    p = add_command(sub, "gradcheck", "cli.gradcheck", lang, [network_flags(lang)])
    p.add_argument("--all", action="store_true", help=tr("cli.check_all", lang))
    p.add_argument("--lang", choices=LANGS, default=lang, help=tr("cli.lang", lang))
    return p


def run_gradcheck(args: argparse.Namespace) -> int:
    from losslab.lessons.gradcheck import GRADCHECK_TOLERANCE, gradcheck, gradcheck_cases

    lang: Lang = args.lang
    if args.all:
        cases = gradcheck_cases()
    else:
        cases = [(f"{args.model}, {args.loss or 'default loss'}", network(args))]
    rows = gradcheck(cases, args.seed)
    for row in rows:
        check = row.check
        print(tr("cli.gradcheck_row", lang, case=row.label, value=check.max_relative,
                 name=check.worst, verdict="OK" if row.ok else "FAIL"))  # fmt: skip
    worst = max(row.check.max_relative for row in rows)
    ok = all(row.ok for row in rows)
    print(tr("cli.gradcheck_ok" if ok else "cli.gradcheck_fail", lang, value=worst,
             tolerance=GRADCHECK_TOLERANCE))  # fmt: skip
    return 0 if ok else 1


COMMANDS = [
    Command("landscape", add_landscape, run_landscape),
    Command("gradcheck", add_gradcheck, run_gradcheck),
]
