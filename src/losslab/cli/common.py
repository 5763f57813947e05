"""What every command shares: the registry entry, the flags, list parsing, printing.

The flags live here once, as parent parsers that commands combine: :func:`data_flags`
(the perceptron's teacher data), :func:`network_flags` (toy data or a CSV file, a model
and a loss), :func:`train_flags` (optimizer, learning rate, steps), :func:`scan_flags`
(span, points, resume, workers) and :func:`output_flags` (language and files).
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from losslab.core.data import Dataset, teacher_data
from losslab.defaults import NETWORK_LEARNING_RATE, SAMPLES, TEACHER
from losslab.errors import LosslabError
from losslab.i18n import LANGS, Lang, tr

if TYPE_CHECKING:
    from losslab.core.objective import Objective

MAX_STEPS = 100_000
#: The numpy models of the network commands (``--model``).
NETWORK_MODELS = ("mlp", "linear", "logistic")

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


def network_flags(
    lang: Lang,
    *,
    data: str = "moons",
    hidden: str = "8,8",
    loss: str | None = None,
    torch: bool = False,
) -> argparse.ArgumentParser:
    """Flags that choose data (a toy set or a CSV file), a model and a loss.

    With ``torch``, ``--model`` and ``--data`` also take ``file.py:function`` (a PyTorch
    model and its data; the command checks the model's name, see :func:`is_torch_model`).
    """
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--data", default=data,
                   help=tr("curvature.cli_data" if torch else "cli.data", lang))  # fmt: skip
    p.add_argument("--n", type=int, help=tr("cli.n", lang))
    p.add_argument("--noise", type=float, help=tr("cli.toy_noise", lang))
    p.add_argument("--seed", type=int, default=0, help=tr("cli.seed", lang))
    p.add_argument("--csv", help=tr("cli.csv", lang))
    p.add_argument("--inputs", default="", help=tr("cli.inputs", lang))
    p.add_argument("--target", default="", help=tr("cli.target", lang))
    p.add_argument("--drop-nan", action="store_true", help=tr("cli.drop_nan", lang))
    if torch:
        p.add_argument("--model", default="mlp", help=tr("curvature.cli_model", lang))
    else:
        p.add_argument("--model", choices=NETWORK_MODELS, default="mlp",
                       help=tr("cli.model", lang))  # fmt: skip
    p.add_argument("--hidden", default=hidden, help=tr("cli.hidden", lang))
    p.add_argument("--activation", default="tanh", help=tr("cli.activation", lang))
    p.add_argument("--loss", default=loss,
                   help=tr("curvature.cli_loss" if torch else "cli.loss", lang))  # fmt: skip
    return p


def is_torch_model(args: argparse.Namespace) -> bool:
    """Whether ``--model`` names a PyTorch model (``file.py:build``) rather than a numpy one."""
    return ":" in str(args.model)


def network(args: argparse.Namespace) -> Objective:
    """The data, model and loss that the flags of :func:`network_flags` ask for."""
    from losslab.core.datasets import load_csv, toy_data
    from losslab.core.mlp import parse_hidden
    from losslab.lessons.networks import model_objective

    if args.model not in NETWORK_MODELS:
        raise LosslabError("curvature.error_model", value=args.model)
    if args.csv:
        data = load_csv(args.csv, split_list(args.inputs, "--inputs") if args.inputs else [],
                        args.target or "", drop_nan=args.drop_nan)  # fmt: skip
    else:
        data = toy_data(args.data, args.n, args.noise, args.seed)
    hidden = parse_hidden(args.hidden) if args.model == "mlp" else ()
    return model_objective(data, args.model, hidden, args.activation, args.loss)


def network_messages(args: argparse.Namespace, objective: Objective) -> list[str]:
    """What the CLI says about the data before its summary: the rows ``--drop-nan`` dropped."""
    if args.csv and objective.data.meta.get("dropped_rows"):
        return [dropped_rows_message(objective.data, args.csv, args.lang)]
    return []


def train_flags(
    lang: Lang,
    *,
    learning_rate: float | None = NETWORK_LEARNING_RATE,
    steps: int = 500,
    steps_help: str = "cli.steps",
    optimizer: str | None = "adam",
) -> argparse.ArgumentParser:
    """``--optimizer`` (unless ``optimizer`` is None), ``--learning-rate`` and ``--steps``."""
    p = argparse.ArgumentParser(add_help=False)
    if optimizer is not None:
        p.add_argument("--optimizer", default=optimizer, help=tr("cli.optimizer", lang))
    add_learning_rate(p, tr("cli.lr", lang), type=float, default=learning_rate)
    p.add_argument("--steps", type=int, default=steps, help=tr(steps_help, lang))
    return p


def scan_flags(lang: Lang, points: int = 51) -> argparse.ArgumentParser:
    """The plane's size and how it runs: ``--span``, ``--points``, ``--keep-biases``,
    ``--resume``, ``--workers``, ``--scheduler``."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--span", default="1", help=tr("cli.span", lang))
    p.add_argument("--points", type=int, default=points, help=tr("cli.points", lang))
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


def add_keep_biases(parser: argparse.ArgumentParser, lang: Lang) -> None:
    """``--keep-biases``, with the paper's spelling ``--keep-biasbn`` as a hidden alias."""
    parser.add_argument("--keep-biases", action="store_true", help=tr("cli.keep_biases", lang))
    parser.add_argument("--keep-biasbn", dest="keep_biases", action="store_true",
                        default=argparse.SUPPRESS, help=argparse.SUPPRESS)  # fmt: skip


def open_scan_executor(args: argparse.Namespace) -> AbstractContextManager[Any]:
    """The executor ``--workers`` / ``--scheduler`` ask for (serial without them), for ``with``."""
    from losslab.adapters.dask import open_executor

    return open_executor(workers=args.workers, scheduler=args.scheduler)


#: Grid points per axis from which ``landscape`` shows a bar (and, first, the estimate of
#: the time left and the peak memory) without ``--workers``: 101 x 101 points take about
#: 1.5 s for the default 8-8 MLP on moons, more for bigger networks and data.
LONG_SCAN_POINTS = 101


def shows_progress(args: argparse.Namespace) -> bool:
    """A progress bar (and the estimate before it) for scans that run on a cluster or are
    long (``--points`` at least :data:`LONG_SCAN_POINTS`), unless ``--quiet``."""
    spread = args.workers is not None or args.scheduler is not None
    return not args.quiet and (spread or args.points >= LONG_SCAN_POINTS)


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
    """Refuse a negative number of updates, or more than :data:`MAX_STEPS`."""
    if steps is not None and steps < 0:
        raise LosslabError("error.steps", value=steps)
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


def card_text(landscape: Any, name: str, lang: Lang) -> str:
    """The provenance card of a saved landscape, as the Markdown file beside it."""
    from losslab.provenance import card, card_markdown

    table = card_markdown({"provenance": card(landscape.meta, landscape.directions)}, lang)
    return f"# {tr('card.title', lang)}: {name}\n\n{table}\n\n{tr('card.note', lang)}\n"


def finish(args: argparse.Namespace, written: list[Path], messages: Sequence[str] = ()) -> int:
    """Print the messages and the files written; exit code 0."""
    for message in messages:
        print(message)
    print(tr("cli.wrote", args.lang, count=len(written), path=args.out))
    for path in written:
        print(f"  {path}")
    return 0
