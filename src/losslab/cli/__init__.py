"""The ``losslab`` command: parses, calls the library, writes files; no math here.

Each subcommand is a :class:`~losslab.cli.common.Command` in :data:`COMMANDS` (its
name, how it adds its parser, what runs it), defined in one module per command or
group: :mod:`~losslab.cli.demo`, :mod:`~losslab.cli.optimizers`,
:mod:`~losslab.cli.networks`, :mod:`~losslab.cli.torch_scan`, :mod:`~losslab.cli.serve`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from losslab.cli import connect, curvature, demo, diff, networks, optimizers, serve, torch_scan
from losslab.cli.common import Command, detect_lang, join_negative_values
from losslab.errors import LosslabError
from losslab.i18n import Lang, tr
from losslab.provenance import recorded_command

#: Every subcommand, in the order ``losslab --help`` lists them.
COMMANDS: tuple[Command, ...] = (
    *demo.COMMANDS,
    *optimizers.COMMANDS,
    networks.COMMANDS[0],  # landscape
    *torch_scan.COMMANDS,
    *serve.COMMANDS,
    networks.COMMANDS[1],  # gradcheck
    *curvature.COMMANDS,
    *connect.COMMANDS,
    *diff.COMMANDS,
)


def build_parser(lang: Lang = "en") -> argparse.ArgumentParser:
    """The argument parser, with help texts in ``lang``."""
    parser = argparse.ArgumentParser(prog="losslab", description=tr("cli.description", lang))
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub, lang)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``losslab`` console script; returns the exit status."""
    raw = list(sys.argv[1:] if argv is None else argv)
    lang = detect_lang(raw)
    args = build_parser(lang).parse_args(join_negative_values(raw))
    lang = getattr(args, "lang", lang)
    runners = {command.name: command.run for command in COMMANDS}
    try:
        with recorded_command(raw):
            return runners[args.command](args)
    except LosslabError as exc:
        print(f"losslab: {exc.localized(lang)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(tr("cli.interrupted", lang), file=sys.stderr)
        return 130


__all__ = ["COMMANDS", "Command", "build_parser", "main"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
