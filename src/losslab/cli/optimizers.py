"""``compare``, ``lr-sweep``, ``minibatch`` and ``animate``: optimizers on the perceptron."""

from __future__ import annotations

import argparse
import math

from losslab.cli.common import (
    Command,
    Subparsers,
    add_command,
    add_learning_rate,
    check_steps,
    data_flags,
    finish,
    floats,
    output_flags,
    perceptron_data,
    split_list,
)
from losslab.core.data import parse_point
from losslab.defaults import MINIBATCH_LEARNING_RATE, MINIBATCH_NOISE, START_TEXT, STEPS
from losslab.errors import LosslabError
from losslab.i18n import Lang, tr
from losslab.io import check_writable, npz_bytes, png_bytes, write_files
from losslab.optim.loop import stop_message

MAX_FRAMES = 600


def add_compare(sub: Subparsers, lang: Lang) -> argparse.ArgumentParser:
    p = add_command(sub, "compare", "cli.compare", lang, [data_flags(lang), output_flags(lang)])
    p.add_argument("--preset", choices=["book-ch6"], help=tr("cli.preset", lang))
    p.add_argument(
        "--optimizers", default="sgd,momentum,adagrad,adam", help=tr("cli.optimizers", lang)
    )
    # NAME=VALUE, one per optimizer: its own name, so that --learning-rate always means a
    # number; the spellings of earlier versions (--learning-rate, --lr) stay as hidden aliases.
    p.add_argument("--learning-rate-of", dest="learning_rates", action="append", default=[],
                   metavar="NAME=VALUE", help=tr("cli.lr_each", lang))  # fmt: skip
    for alias in ("--learning-rate", "--lr"):
        p.add_argument(alias, dest="learning_rates", action="append", default=argparse.SUPPRESS,
                       help=argparse.SUPPRESS)  # fmt: skip
    p.add_argument("--steps", type=int, help=tr("cli.steps_compare", lang))
    p.add_argument("--init", help=tr("cli.init_compare", lang))
    return p


def learning_rates(items: list[str]) -> dict[str, float]:
    """``["adam=0.3", ...]`` -> ``{"adam": 0.3, ...}`` (LosslabError for a bad item).

    >>> learning_rates(["Adam=0.3"])
    {'adam': 0.3}
    """
    rates: dict[str, float] = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            rates[name.strip().lower()] = float(value)
        except ValueError:
            raise LosslabError("error.lr_item", value=item) from None
    return rates


def run_compare(args: argparse.Namespace) -> int:
    from losslab.lessons.optimizers import compare
    from losslab.plots import optimizers as figures

    check_steps(args.steps)
    rates = learning_rates(args.learning_rates)
    names = [name.lower() for name in split_list(args.optimizers, "--optimizers")]
    data = None if args.preset else perceptron_data(args)
    init = parse_point(args.init) if args.init else None
    files = ["compare-paths.png", "compare-panels.png", "compare-losses.png"]
    check_writable(args.out, files, args.overwrite)
    result = compare(args.preset, names, rates, args.steps, init, data)
    lang: Lang = args.lang
    out: dict[str, bytes | str] = {
        files[0]: png_bytes(figures.figure_compare_overlay(result, lang)),
        files[1]: png_bytes(figures.figure_compare_panels(result, lang)),
        files[2]: png_bytes(figures.figure_compare_losses(result, lang)),
    }
    messages = []
    for name, traj in result.trajectories.items():
        stem = "compare-" + name.lower().replace(" ", "-")
        out[stem + ".csv"] = traj.csv_text()
        out[stem + ".npz"] = npz_bytes(traj)
        messages.append(f"{name}: {stop_message(traj, lang)}")
    return finish(args, write_files(args.out, out, args.overwrite), messages)


def add_lr_sweep(sub: Subparsers, lang: Lang) -> argparse.ArgumentParser:
    p = add_command(sub, "lr-sweep", "cli.lr_sweep", lang, [data_flags(lang), output_flags(lang)])
    p.add_argument("--fractions", default="0.3,0.9,1.0,1.1", help=tr("cli.fractions", lang))
    p.add_argument("--steps", type=int, default=30, help=tr("cli.steps", lang))
    p.add_argument("--init", default=START_TEXT, help=tr("cli.init", lang))
    return p


def run_lr_sweep(args: argparse.Namespace) -> int:
    from losslab.lessons.optimizers import lr_sweep
    from losslab.plots.optimizers import figure_lr_sweep

    check_steps(args.steps)
    fractions = floats(args.fractions, "--fractions")
    check_writable(args.out, ["lr-sweep.png"], args.overwrite)
    sweep = lr_sweep(fractions, args.steps, parse_point(args.init), perceptron_data(args))
    lang: Lang = args.lang
    png = png_bytes(figure_lr_sweep(sweep, lang))
    messages = [
        f"{r.fraction:g} × 2/λmax = {r.learning_rate:.4g}: {tr(f'fig.outcome.{r.outcome}', lang)}"
        for r in sweep.runs
    ]
    return finish(args, write_files(args.out, {"lr-sweep.png": png}, args.overwrite), messages)


def add_minibatch(sub: Subparsers, lang: Lang) -> argparse.ArgumentParser:
    parents = [data_flags(lang, noise=MINIBATCH_NOISE), output_flags(lang)]
    p = add_command(sub, "minibatch", "cli.minibatch", lang, parents)
    p.add_argument("--batch-sizes", default="1,4,full", help=tr("cli.batch_sizes", lang))
    add_learning_rate(p, tr("cli.lr", lang), type=float, default=MINIBATCH_LEARNING_RATE)
    p.add_argument("--steps", type=int, default=150, help=tr("cli.steps", lang))
    p.add_argument("--init", default=START_TEXT, help=tr("cli.init", lang))
    return p


def batch_sizes(text: str) -> list[int | None]:
    """``"1,4,full"`` -> ``[1, 4, None]`` (None: the full batch).

    >>> batch_sizes("1, 4, full")
    [1, 4, None]
    """
    sizes: list[int | None] = []
    for item in split_list(text, "--batch-sizes"):
        if item.lower() == "full":
            sizes.append(None)
        elif item.isdigit():
            sizes.append(int(item))
        else:
            raise LosslabError("error.list", value=text, what="--batch-sizes")
    return sizes


def run_minibatch(args: argparse.Namespace) -> int:
    from losslab.lessons.optimizers import minibatch_noise
    from losslab.plots.optimizers import figure_minibatch

    check_steps(args.steps)
    sizes = batch_sizes(args.batch_sizes)
    check_writable(args.out, ["minibatch.png"], args.overwrite)
    result = minibatch_noise(
        sizes, args.learning_rate, args.steps, parse_point(args.init), perceptron_data(args),
        args.seed,
    )  # fmt: skip
    png = png_bytes(figure_minibatch(result, args.lang))
    return finish(args, write_files(args.out, {"minibatch.png": png}, args.overwrite))


def add_animate(sub: Subparsers, lang: Lang) -> argparse.ArgumentParser:
    p = add_command(sub, "animate", "cli.animate", lang, [data_flags(lang), output_flags(lang)])
    p.add_argument("--optimizer", default="gd", help=tr("cli.optimizer", lang))
    add_learning_rate(p, tr("cli.lr_default", lang), type=float)
    p.add_argument("--batch-size", type=int, help=tr("cli.batch_size", lang))
    p.add_argument("--steps", type=int, default=STEPS, help=tr("cli.steps", lang))
    p.add_argument("--init", default=START_TEXT, help=tr("cli.init", lang))
    p.add_argument("--frames", type=int, default=40, help=tr("cli.frames", lang))
    p.add_argument("--fps", type=float, default=8.0, help=tr("cli.fps", lang))
    p.add_argument(
        "--view", choices=["contour", "3d"], default="contour", help=tr("cli.view", lang)
    )
    p.add_argument("--mp4", action="store_true", help=tr("cli.mp4", lang))
    return p


def run_animate(args: argparse.Namespace) -> int:
    from losslab.lessons.optimizers import PERCEPTRON_RATES, training_run
    from losslab.plots.animation import animation, find_ffmpeg

    check_steps(args.steps)
    if not 1 <= args.frames <= MAX_FRAMES:
        raise LosslabError("error.frames", value=args.frames, limit=MAX_FRAMES)
    if not (math.isfinite(args.fps) and 0.5 <= args.fps <= 50):
        raise LosslabError("error.fps", value=args.fps)
    lang: Lang = args.lang
    names = ["animation.gif"] + (["animation.mp4"] if args.mp4 else [])
    check_writable(args.out, names, args.overwrite)
    messages = []
    if args.mp4 and find_ffmpeg() is None:
        messages.append(tr("cli.no_ffmpeg", lang))
    lr = args.learning_rate
    if lr is None:
        lr = PERCEPTRON_RATES.get(args.optimizer.strip().lower())
    result = training_run(args.optimizer, lr, args.steps, parse_point(args.init),
                          perceptron_data(args), args.batch_size, args.seed)  # fmt: skip
    movie = animation(result, args.frames, args.fps, args.view, lang, mp4=args.mp4,
                      progress=not args.quiet)  # fmt: skip
    files = {names[0]: movie.gif} | ({"animation.mp4": movie.mp4} if movie.mp4 else {})
    messages.append(stop_message(result.trajectory, lang))
    return finish(args, write_files(args.out, files, args.overwrite), messages)


COMMANDS = [
    Command("compare", add_compare, run_compare),
    Command("lr-sweep", add_lr_sweep, run_lr_sweep),
    Command("minibatch", add_minibatch, run_minibatch),
    Command("animate", add_animate, run_animate),
]
