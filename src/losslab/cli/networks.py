"""``landscape`` and ``gradcheck``: small networks on toy data or a CSV file."""

from __future__ import annotations

import argparse

from losslab.cli.common import (
    Command,
    Subparsers,
    add_command,
    card_text,
    check_steps,
    finish,
    network,
    network_flags,
    network_messages,
    output_flags,
    scan_flags,
    shows_progress,
    split_list,
    train_flags,
)

# cli.torch_scan takes these from here; they live in cli.common with the other flags.
from losslab.cli.common import add_distributed as add_distributed
from losslab.cli.common import add_keep_biases as add_keep_biases
from losslab.cli.common import open_scan_executor as open_scan_executor
from losslab.i18n import LANGS, Lang, method_label, tr
from losslab.io import check_writable, npz_bytes, png_bytes, write_files
from losslab.landscape.span import parse_span


def add_landscape(sub: Subparsers, lang: Lang) -> argparse.ArgumentParser:
    parents = [network_flags(lang), train_flags(lang), scan_flags(lang), output_flags(lang)]
    p = add_command(sub, "landscape", "cli.landscape", lang, parents)
    p.add_argument(
        "--plane",
        choices=["pca", "random", "params", "hessian", "saddle"],
        default="pca",
        help=tr("cli.plane", lang),
    )
    p.add_argument("--params", default="", help=tr("cli.params", lang))
    return p


def run_landscape(args: argparse.Namespace) -> int:
    from losslab.lessons.networks import train_and_scan
    from losslab.plots import networks as figures

    check_steps(args.steps)
    objective = network(args)
    names = ["landscape-plane.png", "landscape-3d.png", "landscape-line.png", "prediction.png",
             "landscape.npz", "line.npz", "trajectory.csv", "landscape-card.md"]  # fmt: skip
    check_writable(args.out, names, args.overwrite)
    picks = split_list(args.params, "--params") if args.plane == "params" else []
    with open_scan_executor(args) as executor:
        result = train_and_scan(
            objective, args.optimizer, args.learning_rate, args.steps, args.seed, args.plane,
            picks, parse_span(args.span), args.points, ignore_biases=not args.keep_biases,
            executor=executor, resume=args.resume, progress=shows_progress(args), lang=args.lang,
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
    files[names[7]] = card_text(result.plane, names[4], lang)
    traj = result.trajectory
    messages = network_messages(args, objective)
    messages.append(
        tr("cli.net_summary", lang, params=len(objective.param_names), loss=traj.losses[-1],
           start=traj.losses[0], method=method_label(result.plane.meta["method"], lang)),
    )  # fmt: skip
    if result.accuracy is not None:
        messages.append(tr("cli.accuracy", lang, value=result.accuracy * 100))
    return finish(args, write_files(args.out, files, args.overwrite), messages)


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
