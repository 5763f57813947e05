"""``losslab demo``: the perceptron walk-through as an HTML report with its figures."""

from __future__ import annotations

import argparse

from losslab.cli.common import (
    Command,
    Subparsers,
    add_command,
    add_learning_rate,
    check_steps,
    data_flags,
    output_flags,
)
from losslab.core.data import parse_point
from losslab.defaults import GRID, LEARNING_RATE, START_TEXT, STEPS
from losslab.i18n import Lang, tr


def add_parser(sub: Subparsers, lang: Lang) -> argparse.ArgumentParser:
    p = add_command(sub, "demo", "cli.demo", lang, [data_flags(lang), output_flags(lang)])
    p.add_argument("--init", default=START_TEXT, help=tr("cli.init", lang))
    add_learning_rate(p, tr("cli.lr", lang), type=float, default=LEARNING_RATE)
    p.add_argument("--steps", type=int, default=STEPS, help=tr("cli.steps", lang))
    p.add_argument("--grid", default=GRID, help=tr("cli.grid", lang))
    return p


def run(args: argparse.Namespace) -> int:
    from losslab.lessons.perceptron import walkthrough
    from losslab.report import fmt, write_report

    lang: Lang = args.lang
    check_steps(args.steps)
    wt = walkthrough(
        teacher=args.teacher,
        x=args.x,
        init=parse_point(args.init),
        learning_rate=args.learning_rate,
        steps=args.steps,
        grid=args.grid,
        noise=args.noise,
        seed=args.seed,
    )
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
    return 0


COMMANDS = [Command("demo", add_parser, run)]
