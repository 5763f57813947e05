"""The ``losslab`` command: parses, calls the library, writes files; no math here."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence

from losslab.data import DEFAULT_SAMPLES, DEFAULT_TEACHER, parse_point
from losslab.errors import LosslabError
from losslab.i18n import LANGS, Lang, tr

MAX_STEPS = 100_000

#: Options whose value may start with '-' (a negative number), e.g. ``--x -1:3:21``.
_VALUE_OPTIONS = ("--x", "--init", "--grid", "--teacher", "--learning-rate", "--noise")
_NEGATIVE = re.compile(r"^-[\d.]")


def _join_negative_values(argv: Sequence[str]) -> list[str]:
    """Turn ``--x -1:3:21`` into ``--x=-1:3:21`` so argparse does not take it for a flag."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in _VALUE_OPTIONS and i + 1 < len(argv) and _NEGATIVE.match(argv[i + 1]):
            out.append(f"{arg}={argv[i + 1]}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def _detect_lang(argv: Sequence[str]) -> Lang:
    """The language asked for by --lang, else by the LANG environment variable."""
    for k, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else None
        if arg == "--lang" and k + 1 < len(argv):
            value = argv[k + 1]
        for lang in LANGS:
            if value == lang:
                return lang
    return "ja" if os.environ.get("LANG", "").startswith("ja") else "en"


def build_parser(lang: Lang = "en") -> argparse.ArgumentParser:
    """The argument parser, with help texts in ``lang``."""
    parser = argparse.ArgumentParser(prog="losslab", description=tr("cli.description", lang))
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help=tr("cli.demo", lang), description=tr("cli.demo", lang))
    demo.add_argument("--teacher", default=DEFAULT_TEACHER, help=tr("cli.teacher", lang))
    demo.add_argument("--x", default=DEFAULT_SAMPLES, help=tr("cli.x", lang))
    demo.add_argument("--init", default="3,2", help=tr("cli.init", lang))
    demo.add_argument("--learning-rate", type=float, default=0.1, help=tr("cli.lr", lang))
    demo.add_argument("--steps", type=int, default=100, help=tr("cli.steps", lang))
    demo.add_argument("--grid", default="-10:10:0.5", help=tr("cli.grid", lang))
    demo.add_argument("--noise", type=float, default=0.0, help=tr("cli.noise", lang))
    demo.add_argument("--seed", type=int, default=0, help=tr("cli.seed", lang))
    demo.add_argument("--lang", choices=LANGS, default=lang, help=tr("cli.lang", lang))
    demo.add_argument("--out", default="losslab-out", help=tr("cli.out", lang))
    demo.add_argument("--overwrite", action="store_true", help=tr("cli.overwrite", lang))
    demo.add_argument("--quiet", action="store_true", help=tr("cli.quiet", lang))
    return parser


def _demo(args: argparse.Namespace) -> int:
    from losslab.report import fmt, write_report
    from losslab.walkthrough import walkthrough

    lang: Lang = args.lang
    if args.steps > MAX_STEPS:
        raise LosslabError("error.steps_large", value=args.steps, limit=MAX_STEPS)
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
    print(
        tr(
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
    )
    print(tr("cli.wrote", lang, count=len(written), path=args.out))
    print(tr("cli.open", lang, path=written[0].resolve()))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``losslab`` console script; returns the exit status."""
    raw = list(sys.argv[1:] if argv is None else argv)
    lang = _detect_lang(raw)
    args = build_parser(lang).parse_args(_join_negative_values(raw))
    lang = getattr(args, "lang", lang)
    try:
        if args.command == "demo":
            return _demo(args)
    except LosslabError as exc:
        print(f"losslab: {exc.localized(lang)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(tr("cli.interrupted", lang), file=sys.stderr)
        return 130
    return 1  # pragma: no cover - argparse requires a known command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
