"""``losslab diff A B``: are two saved results the same computation, and if not, what
differs and by how much (:func:`losslab.provenance.compare`)."""

from __future__ import annotations

import argparse
from typing import Any

from losslab.cli.common import Command, Subparsers, add_command
from losslab.i18n import LANGS, Lang, tr
from losslab.provenance import compare, load_for_compare

#: Differing fields listed at most; the rest are counted.
MAX_LINES = 20


def add_parser(sub: Subparsers, lang: Lang) -> argparse.ArgumentParser:
    p = add_command(sub, "diff", "diff.cli", lang, [])
    p.add_argument("a", metavar="A", help=tr("diff.cli_a", lang))
    p.add_argument("b", metavar="B", help=tr("diff.cli_b", lang))
    p.add_argument("--lang", choices=LANGS, default=lang, help=tr("cli.lang", lang))
    return p


def _short(value: Any, lang: Lang) -> str:
    text = tr("diff.missing", lang) if value is None else str(value)
    return text if len(text) <= 90 else text[:87] + "..."


def report_lines(args: argparse.Namespace) -> tuple[list[str], bool]:
    """The lines ``losslab diff`` prints, and whether the two are the same bit for bit."""
    lang: Lang = args.lang
    c = compare(load_for_compare(args.a), load_for_compare(args.b))
    lines = []
    if c.same:
        lines.append(tr("diff.same", lang))
    elif c.same_computation:
        lines.append(tr("diff.same_computation", lang))
    else:
        lines.append(tr("diff.other", lang, count=len(c.differences) + len(c.arrays)))
        for name, a, b in c.differences[:MAX_LINES]:
            lines.append(tr("diff.field", lang, name=name, a=_short(a, lang), b=_short(b, lang)))
        if len(c.differences) > MAX_LINES:
            lines.append(tr("diff.more", lang, count=len(c.differences) - MAX_LINES))
        if c.arrays:
            lines.append(tr("diff.arrays", lang, names=", ".join(c.arrays)))
    if c.same:
        pass
    elif c.where:
        lines.append(tr("diff.largest", lang, value=c.largest, where=c.where))
    else:
        lines.append(tr("diff.no_value", lang))
    if c.record:
        lines.append(tr("diff.record", lang, names=", ".join(sorted({n for n, *_ in c.record}))))
    return lines, c.same


def run_diff(args: argparse.Namespace) -> int:
    lines, same = report_lines(args)
    print("\n".join(lines))
    return 0 if same else 1


COMMANDS = [Command("diff", add_parser, run_diff)]
