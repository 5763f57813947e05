"""``losslab serve``: the interactive lab in the browser, on the loopback by default."""

from __future__ import annotations

import argparse
import sys

from losslab.cli.common import Command, Subparsers, add_command
from losslab.errors import LosslabError
from losslab.i18n import LANGS, Lang, tr

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def add_parser(sub: Subparsers, lang: Lang) -> argparse.ArgumentParser:
    p = add_command(sub, "serve", "cli.serve", lang, [])
    p.add_argument("--host", default="127.0.0.1", help=tr("cli.host", lang))
    p.add_argument("--port", type=int, default=8050, help=tr("cli.port", lang))
    p.add_argument("--allow-remote", action="store_true", help=tr("cli.allow_remote", lang))
    p.add_argument("--lang", choices=LANGS, default=lang, help=tr("cli.lang", lang))
    return p


def run(args: argparse.Namespace) -> int:
    lang: Lang = args.lang
    if args.host not in LOOPBACK:
        if not args.allow_remote:
            raise LosslabError("error.remote", host=args.host)
        print(tr("app.remote_warning", lang, host=args.host), file=sys.stderr)
    try:
        from losslab.app import serve
    except ImportError:
        raise LosslabError("error.no_dash") from None
    serve(args.host, args.port, lang)
    return 0


COMMANDS = [Command("serve", add_parser, run)]
