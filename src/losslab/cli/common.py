"""What every command shares: the registry entry, shared flags, list parsing, printing."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from losslab.core.data import Dataset, teacher_data
from losslab.defaults import SAMPLES, TEACHER
from losslab.errors import LosslabError
from losslab.i18n import LANGS, Lang, tr

MAX_STEPS = 100_000

#: Options whose value may start with '-' (a negative number), e.g. ``--x -1:3:21``.
_VALUE_OPTIONS = (
    "--x", "--init", "--grid", "--teacher", "--learning-rate", "--noise", "--fractions", "--lr",
    "--span",
)  # fmt: skip
_NEGATIVE = re.compile(r"^-[\d.]")

Subparsers = Any  # argparse's private _SubParsersAction


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, how to add its parser, and what runs it (returns the exit code)."""

    name: str
    add_parser: Callable[[Subparsers, Lang], argparse.ArgumentParser]
    run: Callable[[argparse.Namespace], int]


def join_negative_values(argv: Sequence[str]) -> list[str]:
    """Turn ``--x -1:3:21`` into ``--x=-1:3:21`` so argparse does not take it for a flag.

    >>> join_negative_values(["demo", "--x", "-1:3:21", "--quiet"])
    ['demo', '--x=-1:3:21', '--quiet']
    """
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


def detect_lang(argv: Sequence[str]) -> Lang:
    """The language asked for by --lang, else by the LANG environment variable."""
    for k, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else None
        if arg == "--lang" and k + 1 < len(argv):
            value = argv[k + 1]
        for lang in LANGS:
            if value == lang:
                return lang
    return "ja" if os.environ.get("LANG", "").startswith("ja") else "en"


def add_command(
    sub: Subparsers, name: str, key: str, lang: Lang, parents: Sequence[argparse.ArgumentParser]
) -> argparse.ArgumentParser:
    """A subcommand's parser, its help and description the catalogue text ``key``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=tr(key, lang), description=tr(key, lang), parents=list(parents)
    )
    return parser


def data_flags(lang: Lang, noise: float = 0.0) -> argparse.ArgumentParser:
    """Flags shared by every command that makes perceptron data."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--teacher", default=TEACHER, help=tr("cli.teacher", lang))
    p.add_argument("--x", default=SAMPLES, help=tr("cli.x", lang))
    p.add_argument("--noise", type=float, default=noise, help=tr("cli.noise", lang))
    p.add_argument("--seed", type=int, default=0, help=tr("cli.seed", lang))
    return p


def output_flags(lang: Lang) -> argparse.ArgumentParser:
    """Flags shared by every command that writes files."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--lang", choices=LANGS, default=lang, help=tr("cli.lang", lang))
    p.add_argument("--out", default="losslab-out", help=tr("cli.out", lang))
    p.add_argument("--overwrite", action="store_true", help=tr("cli.overwrite", lang))
    p.add_argument("--quiet", action="store_true", help=tr("cli.quiet", lang))
    return p


def add_learning_rate(parser: argparse.ArgumentParser, help_text: str, **kwargs: Any) -> None:
    """``--learning-rate`` with its old spelling ``--lr`` kept as a hidden alias."""
    parser.add_argument("--learning-rate", dest="learning_rate", help=help_text, **kwargs)
    alias = {k: v for k, v in kwargs.items() if k not in ("default", "metavar")}
    parser.add_argument(
        "--lr", dest="learning_rate", default=argparse.SUPPRESS, help=argparse.SUPPRESS, **alias
    )


def check_steps(steps: int | None) -> None:
    """Refuse more than :data:`MAX_STEPS` updates."""
    if steps is not None and steps > MAX_STEPS:
        raise LosslabError("error.steps_large", value=steps, limit=MAX_STEPS)


def perceptron_data(args: argparse.Namespace) -> Dataset:
    """The data that the flags of :func:`data_flags` ask for."""
    return teacher_data(args.teacher, args.x, noise=args.noise, seed=args.seed)


def dropped_rows_message(data: Dataset, path: str, lang: Lang) -> str:
    """``msg.dropped_rows``: how many rows of the CSV file ``--drop-nan`` dropped, and where."""
    lines = ", ".join(map(str, data.meta.get("dropped_lines", [])))
    count = int(data.meta.get("dropped_rows", 0))
    return tr("msg.dropped_rows", lang, count=count, path=path, lines=lines, kept=data.n)


def split_list(text: str, what: str) -> list[str]:
    """Comma-separated items; commas inside brackets (``W[0,1]``) do not split.

    >>> split_list("W1[0,1], b1", "--params")
    ['W1[0,1]', 'b1']
    """
    items = [part.strip() for part in re.split(r",(?![^\[]*\])", text) if part.strip()]
    if not items:
        raise LosslabError("error.list", value=text, what=what)
    return items


def floats(text: str, what: str) -> list[float]:
    """Comma-separated numbers (LosslabError naming the flag ``what`` otherwise)."""
    try:
        return [float(item) for item in split_list(text, what)]
    except ValueError:
        raise LosslabError("error.list", value=text, what=what) from None


def finish(args: argparse.Namespace, written: list[Path], messages: Sequence[str] = ()) -> int:
    """Print the messages and the files written; exit code 0."""
    for message in messages:
        print(message)
    print(tr("cli.wrote", args.lang, count=len(written), path=args.out))
    for path in written:
        print(f"  {path}")
    return 0
