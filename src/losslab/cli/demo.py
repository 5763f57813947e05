"""``losslab demo``: the perceptron walk-through as an HTML report with its figures.

With ``--csv FILE --inputs COLUMN --target COLUMN`` it runs on the learner's own
pairs (:func:`~losslab.lessons.own_data.csv_walkthrough`); otherwise on the teacher.
"""

from __future__ import annotations

import argparse

from losslab.cli.common import (
    Command,
    Subparsers,
    add_command,
    add_learning_rate,
    check_steps,
    data_flags,
    dropped_rows_message,
    output_flags,
)
from losslab.core.data import parse_point
from losslab.defaults import STEPS
from losslab.i18n import Lang, tr
from losslab.lessons.perceptron import Walkthrough


def add_parser(sub: Subparsers, lang: Lang) -> argparse.ArgumentParser:
    p = add_command(sub, "demo", "cli.demo", lang, [data_flags(lang), output_flags(lang)])
    # None: the lesson's default (the teacher path's, or chosen from the CSV file's data).
    p.add_argument("--init", default=None, help=tr("cli.init", lang))
    add_learning_rate(p, tr("cli.lr", lang), type=float, default=None)
    p.add_argument("--steps", type=int, default=STEPS, help=tr("cli.steps", lang))
    p.add_argument("--grid", default=None, help=tr("cli.grid", lang))
    p.add_argument("--csv", help=tr("cli.csv", lang))
    p.add_argument("--inputs", default="", help=tr("cli.inputs", lang))
    p.add_argument("--target", default="", help=tr("cli.target", lang))
    p.add_argument("--drop-nan", action="store_true", help=tr("cli.drop_nan", lang))
    return p


def walkthrough_for(args: argparse.Namespace) -> Walkthrough:
    """The walk-through the flags ask for: on the CSV file's pairs, else on the teacher.

    A flag left out is left to the lesson, whose defaults differ by path (the CSV path
    chooses its start, learning rate and grid from the data).
    """
    from losslab.lessons.own_data import csv_walkthrough
    from losslab.lessons.perceptron import walkthrough

    given = {"learning_rate": args.learning_rate, "grid": args.grid,
             "init": None if args.init is None else parse_point(args.init)}  # fmt: skip
    chosen = {name: value for name, value in given.items() if value is not None}
    if args.csv:
        return csv_walkthrough(args.csv, args.inputs, args.target, drop_nan=args.drop_nan,
                               steps=args.steps, **chosen)  # fmt: skip
    return walkthrough(teacher=args.teacher, x=args.x, steps=args.steps, noise=args.noise,
                       seed=args.seed, **chosen)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from losslab.report import fmt, write_report

    lang: Lang = args.lang
    check_steps(args.steps)
    wt = walkthrough_for(args)
    if args.csv and wt.data.meta.get("dropped_rows"):
        print(dropped_rows_message(wt.data, args.csv, lang))
    written = write_report(wt, args.out, lang, overwrite=args.overwrite, progress=not args.quiet)
    q, traj = wt.quadratic, wt.trajectory
    summary = tr(
        "cli.summary",
        lang,
        w=fmt(q.minimum[0]),
        b=fmt(q.minimum[1]),
        limit=fmt(q.stability_limit, 4),
        steps=traj.steps,
        w1=fmt(traj.params[-1][0]),
        b1=fmt(traj.params[-1][1]),
        loss=fmt(traj.losses[-1]),
        stop=tr(f"report.stop.{traj.meta['stop']}", lang),
    )
    print(summary)
    print(tr("cli.wrote", lang, count=len(written), path=args.out))
    print(tr("cli.open", lang, path=written[0].resolve()))
    print(tr("lab.cli_open", lang, path=written[1].resolve()))
    return 0


COMMANDS = [Command("demo", add_parser, run)]
