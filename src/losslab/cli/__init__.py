"""The ``losslab`` command: parses, calls the library, writes files; no math here."""

from __future__ import annotations

import argparse
import io
import math
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from losslab.cli.curvature import COMMANDS as CURVATURE_COMMANDS
from losslab.cli.curvature import add_parsers as add_curvature_parsers
from losslab.core.data import DEFAULT_SAMPLES, DEFAULT_TEACHER, Dataset, parse_point, teacher_data
from losslab.core.objective import Objective
from losslab.errors import LosslabError
from losslab.i18n import LANGS, Lang, tr
from losslab.optim.loop import stop_message

MAX_STEPS = 100_000
MAX_FRAMES = 600

#: Options whose value may start with '-' (a negative number), e.g. ``--x -1:3:21``.
_VALUE_OPTIONS = (
    "--x", "--init", "--grid", "--teacher", "--learning-rate", "--noise", "--fractions", "--lr",
    "--span",
)  # fmt: skip
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


def _data_flags(lang: Lang, noise: float = 0.0) -> argparse.ArgumentParser:
    """Flags shared by every command that makes perceptron data."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--teacher", default=DEFAULT_TEACHER, help=tr("cli.teacher", lang))
    p.add_argument("--x", default=DEFAULT_SAMPLES, help=tr("cli.x", lang))
    p.add_argument("--noise", type=float, default=noise, help=tr("cli.noise", lang))
    p.add_argument("--seed", type=int, default=0, help=tr("cli.seed", lang))
    return p


def _output_flags(lang: Lang) -> argparse.ArgumentParser:
    """Flags shared by every command that writes files."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--lang", choices=LANGS, default=lang, help=tr("cli.lang", lang))
    p.add_argument("--out", default="losslab-out", help=tr("cli.out", lang))
    p.add_argument("--overwrite", action="store_true", help=tr("cli.overwrite", lang))
    p.add_argument("--quiet", action="store_true", help=tr("cli.quiet", lang))
    return p


def build_parser(lang: Lang = "en") -> argparse.ArgumentParser:
    """The argument parser, with help texts in ``lang``."""
    parser = argparse.ArgumentParser(prog="losslab", description=tr("cli.description", lang))
    sub = parser.add_subparsers(dest="command", required=True)
    data, output = _data_flags(lang), _output_flags(lang)

    def command(name: str, key: str, parents: list[argparse.ArgumentParser]) -> Any:
        return sub.add_parser(name, help=tr(key, lang), description=tr(key, lang), parents=parents)

    demo = command("demo", "cli.demo", [data, output])
    demo.add_argument("--init", default="3,2", help=tr("cli.init", lang))
    demo.add_argument("--learning-rate", type=float, default=0.1, help=tr("cli.lr", lang))
    demo.add_argument("--steps", type=int, default=100, help=tr("cli.steps", lang))
    demo.add_argument("--grid", default="-10:10:0.5", help=tr("cli.grid", lang))

    compare = command("compare", "cli.compare", [data, output])
    compare.add_argument("--preset", choices=["book-ch6"], help=tr("cli.preset", lang))
    compare.add_argument(
        "--optimizers", default="sgd,momentum,adagrad,adam", help=tr("cli.optimizers", lang)
    )
    compare.add_argument(
        "--lr", action="append", default=[], metavar="NAME=VALUE", help=tr("cli.lr_each", lang)
    )
    compare.add_argument("--steps", type=int, help=tr("cli.steps_compare", lang))
    compare.add_argument("--init", help=tr("cli.init_compare", lang))

    sweep = command("lr-sweep", "cli.lr_sweep", [data, output])
    sweep.add_argument("--fractions", default="0.3,0.9,1.0,1.1", help=tr("cli.fractions", lang))
    sweep.add_argument("--steps", type=int, default=30, help=tr("cli.steps", lang))
    sweep.add_argument("--init", default="3,2", help=tr("cli.init", lang))

    batch = command("minibatch", "cli.minibatch", [_data_flags(lang, noise=0.5), output])
    batch.add_argument("--batch-sizes", default="1,4,full", help=tr("cli.batch_sizes", lang))
    batch.add_argument("--learning-rate", type=float, default=0.05, help=tr("cli.lr", lang))
    batch.add_argument("--steps", type=int, default=150, help=tr("cli.steps", lang))
    batch.add_argument("--init", default="3,2", help=tr("cli.init", lang))

    anim = command("animate", "cli.animate", [data, output])
    anim.add_argument("--optimizer", default="gd", help=tr("cli.optimizer", lang))
    anim.add_argument("--learning-rate", type=float, help=tr("cli.lr_default", lang))
    anim.add_argument("--batch-size", type=int, help=tr("cli.batch_size", lang))
    anim.add_argument("--steps", type=int, default=100, help=tr("cli.steps", lang))
    anim.add_argument("--init", default="3,2", help=tr("cli.init", lang))
    anim.add_argument("--frames", type=int, default=40, help=tr("cli.frames", lang))
    anim.add_argument("--fps", type=float, default=8.0, help=tr("cli.fps", lang))
    anim.add_argument(
        "--view", choices=["contour", "3d"], default="contour", help=tr("cli.view", lang)
    )
    anim.add_argument("--mp4", action="store_true", help=tr("cli.mp4", lang))

    nets = _network_flags(lang)
    land = command("landscape", "cli.landscape", [nets, output])
    land.add_argument("--optimizer", default="adam", help=tr("cli.optimizer", lang))
    land.add_argument("--learning-rate", type=float, default=0.05, help=tr("cli.lr", lang))
    land.add_argument("--steps", type=int, default=500, help=tr("cli.steps", lang))
    land.add_argument(
        "--plane", choices=["pca", "random", "params"], default="pca", help=tr("cli.plane", lang)
    )
    land.add_argument("--params", default="", help=tr("cli.params", lang))
    land.add_argument("--span", type=float, default=1.0, help=tr("cli.span", lang))
    land.add_argument("--points", type=int, default=51, help=tr("cli.points", lang))
    land.add_argument("--keep-biases", action="store_true", help=tr("cli.keep_biases", lang))

    ts = command("torch-scan", "cli.torch_scan", [output])
    ts.add_argument("--model", required=True, help=tr("cli.torch_model", lang))
    ts.add_argument("--data", required=True, help=tr("cli.torch_data", lang))
    ts.add_argument("--checkpoint", help=tr("cli.torch_checkpoint", lang))
    ts.add_argument("--loss", default="cross-entropy", help=tr("cli.torch_loss", lang))
    ts.add_argument("--trajectory", default="", help=tr("cli.torch_trajectory", lang))
    ts.add_argument("--end", help=tr("cli.torch_end", lang))
    ts.add_argument("--span", type=float, default=1.0, help=tr("cli.span", lang))
    ts.add_argument("--points", type=int, default=51, help=tr("cli.points", lang))
    ts.add_argument("--seed", type=int, default=0, help=tr("cli.seed", lang))
    ts.add_argument("--keep-biasbn", action="store_true", help=tr("cli.keep_biases", lang))
    ts.add_argument("--batch-size", type=int, help=tr("cli.batch_size", lang))
    ts.add_argument("--device", help=tr("cli.device", lang))
    ts.add_argument("--resume", help=tr("cli.resume", lang))

    srv = command("serve", "cli.serve", [])
    srv.add_argument("--host", default="127.0.0.1", help=tr("cli.host", lang))
    srv.add_argument("--port", type=int, default=8050, help=tr("cli.port", lang))
    srv.add_argument("--allow-remote", action="store_true", help=tr("cli.allow_remote", lang))
    srv.add_argument("--lang", choices=LANGS, default=lang, help=tr("cli.lang", lang))

    check = command("gradcheck", "cli.gradcheck", [nets])
    check.add_argument("--all", action="store_true", help=tr("cli.check_all", lang))
    check.add_argument("--lang", choices=LANGS, default=lang, help=tr("cli.lang", lang))
    add_curvature_parsers(sub, lang)
    return parser


def _network_flags(lang: Lang) -> argparse.ArgumentParser:
    """Flags that choose data, a model and a loss for the network commands."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--data", default="moons", help=tr("cli.data", lang))
    p.add_argument("--n", type=int, help=tr("cli.n", lang))
    p.add_argument("--noise", type=float, help=tr("cli.toy_noise", lang))
    p.add_argument("--seed", type=int, default=0, help=tr("cli.seed", lang))
    p.add_argument("--csv", help=tr("cli.csv", lang))
    p.add_argument("--inputs", default="", help=tr("cli.inputs", lang))
    p.add_argument("--target", default="", help=tr("cli.target", lang))
    p.add_argument("--drop-nan", action="store_true", help=tr("cli.drop_nan", lang))
    p.add_argument(
        "--model", choices=["mlp", "linear", "logistic"], default="mlp", help=tr("cli.model", lang)
    )
    p.add_argument("--hidden", default="8,8", help=tr("cli.hidden", lang))
    p.add_argument("--activation", default="tanh", help=tr("cli.activation", lang))
    p.add_argument("--loss", help=tr("cli.loss", lang))
    return p


def _check_steps(steps: int | None) -> None:
    if steps is not None and steps > MAX_STEPS:
        raise LosslabError("error.steps_large", value=steps, limit=MAX_STEPS)


def _data(args: argparse.Namespace) -> Dataset:
    return teacher_data(args.teacher, args.x, noise=args.noise, seed=args.seed)


def _list(text: str, what: str) -> list[str]:
    """Comma-separated items; commas inside brackets (``W[0,1]``) do not split."""
    items = [part.strip() for part in re.split(r",(?![^\[]*\])", text) if part.strip()]
    if not items:
        raise LosslabError("error.list", value=text, what=what)
    return items


def _floats(text: str, what: str) -> list[float]:
    try:
        return [float(item) for item in _list(text, what)]
    except ValueError:
        raise LosslabError("error.list", value=text, what=what) from None


def npz_bytes(result: Any) -> bytes:
    """A Landscape or Trajectory as the bytes of its .npz file (see their ``save``)."""
    buf = io.BytesIO()
    result.save(buf)
    return buf.getvalue()


def _finish(args: argparse.Namespace, written: list[Path], messages: Sequence[str] = ()) -> int:
    for message in messages:
        print(message)
    print(tr("cli.wrote", args.lang, count=len(written), path=args.out))
    for path in written:
        print(f"  {path}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from losslab.lessons.perceptron import walkthrough
    from losslab.report import fmt, write_report

    lang: Lang = args.lang
    _check_steps(args.steps)
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


def _compare(args: argparse.Namespace) -> int:
    from losslab.lessons.optimizers import compare
    from losslab.plots import optimizers as figures
    from losslab.report import check_writable, png_bytes, write_files

    _check_steps(args.steps)
    rates: dict[str, float] = {}
    for item in args.lr:
        name, _, value = item.partition("=")
        try:
            rates[name.strip().lower()] = float(value)
        except ValueError:
            raise LosslabError("error.lr_item", value=item) from None
    names = [name.lower() for name in _list(args.optimizers, "--optimizers")]
    data = None if args.preset else _data(args)
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
    return _finish(args, write_files(args.out, out, args.overwrite), messages)


def _lr_sweep(args: argparse.Namespace) -> int:
    from losslab.lessons.optimizers import lr_sweep
    from losslab.plots.optimizers import figure_lr_sweep
    from losslab.report import check_writable, png_bytes, write_files

    _check_steps(args.steps)
    fractions = _floats(args.fractions, "--fractions")
    check_writable(args.out, ["lr-sweep.png"], args.overwrite)
    sweep = lr_sweep(fractions, args.steps, parse_point(args.init), _data(args))
    lang: Lang = args.lang
    png = png_bytes(figure_lr_sweep(sweep, lang))
    messages = [
        f"{r.fraction:g} × 2/λmax = {r.learning_rate:.4g}: {tr(f'fig.outcome.{r.outcome}', lang)}"
        for r in sweep.runs
    ]
    return _finish(args, write_files(args.out, {"lr-sweep.png": png}, args.overwrite), messages)


def _minibatch(args: argparse.Namespace) -> int:
    from losslab.lessons.optimizers import minibatch_noise
    from losslab.plots.optimizers import figure_minibatch
    from losslab.report import check_writable, png_bytes, write_files

    _check_steps(args.steps)
    sizes: list[int | None] = []
    for item in _list(args.batch_sizes, "--batch-sizes"):
        if item.lower() == "full":
            sizes.append(None)
        elif item.isdigit():
            sizes.append(int(item))
        else:
            raise LosslabError("error.list", value=args.batch_sizes, what="--batch-sizes")
    check_writable(args.out, ["minibatch.png"], args.overwrite)
    result = minibatch_noise(
        sizes, args.learning_rate, args.steps, parse_point(args.init), _data(args), args.seed
    )
    png = png_bytes(figure_minibatch(result, args.lang))
    return _finish(args, write_files(args.out, {"minibatch.png": png}, args.overwrite))


def _animate(args: argparse.Namespace) -> int:
    from losslab.lessons.optimizers import PERCEPTRON_RATES, training_run
    from losslab.plots.animation import find_ffmpeg, write_animation
    from losslab.report import check_writable

    _check_steps(args.steps)
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
    result = training_run(
        args.optimizer,
        lr,
        args.steps,
        parse_point(args.init),
        _data(args),
        args.batch_size,
        args.seed,
    )
    folder = Path(args.out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LosslabError("error.os", path=str(folder), reason=exc.strerror or str(exc)) from None
    written = write_animation(
        result,
        folder / names[0],
        folder / "animation.mp4" if args.mp4 else None,
        frames=args.frames,
        fps=args.fps,
        view=args.view,
        lang=lang,
        progress=not args.quiet,
    )
    messages.append(stop_message(result.trajectory, lang))
    return _finish(args, written, messages)


def _network(args: argparse.Namespace) -> Objective:
    """The data, model and loss that the network flags ask for."""
    from losslab.core.datasets import load_csv, toy_data
    from losslab.core.mlp import parse_hidden
    from losslab.lessons.networks import build_objective

    if args.csv:
        data = load_csv(args.csv, _list(args.inputs, "--inputs") if args.inputs else [],
                        args.target or "", drop_nan=args.drop_nan)  # fmt: skip
    else:
        data = toy_data(args.data, args.n, args.noise, args.seed)
    hidden = parse_hidden(args.hidden) if args.model == "mlp" else ()
    loss = args.loss or ("bce" if args.model == "logistic" else None)
    if args.model == "linear" and loss is None:
        loss = "mse"
    return build_objective(data, hidden, args.activation, loss)


def _landscape(args: argparse.Namespace) -> int:
    from losslab.lessons.networks import accuracy, train_and_scan
    from losslab.plots import networks as figures
    from losslab.report import check_writable, png_bytes, write_files

    _check_steps(args.steps)
    objective = _network(args)
    names = ["landscape-plane.png", "landscape-3d.png", "landscape-line.png", "prediction.png",
             "landscape.npz", "line.npz", "trajectory.csv"]  # fmt: skip
    check_writable(args.out, names, args.overwrite)
    picks = _list(args.params, "--params") if args.plane == "params" else []
    result = train_and_scan(
        objective, args.optimizer, args.learning_rate, args.steps, args.seed, args.plane,
        picks, args.span, args.points, ignore_biases=not args.keep_biases,
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
    traj = result.trajectory
    messages = [
        tr("cli.net_summary", lang, params=len(objective.param_names), loss=traj.losses[-1],
           start=traj.losses[0], method=result.plane.meta["method"]),
    ]  # fmt: skip
    acc = accuracy(objective, traj.params[-1])
    if acc is not None:
        messages.append(tr("cli.accuracy", lang, value=acc * 100))
    return _finish(args, write_files(args.out, files, args.overwrite), messages)


GRADCHECK_TOLERANCE = 1e-6


def _gradcheck(args: argparse.Namespace) -> int:
    from losslab.analysis.gradcheck import gradient_check
    from losslab.core.datasets import toy_data
    from losslab.lessons.networks import build_objective

    lang: Lang = args.lang
    cases: list[tuple[str, Objective]] = []
    if args.all:
        regression, classes = toy_data("sine", 12, seed=1), toy_data("spirals", 12, seed=1)
        labels = np.arange(12, dtype=np.float64) % 3
        three = Dataset(classes.x, labels, {"task": "classification"})
        for loss, data in (("mse", regression), ("mae", regression), ("huber", regression),
                           ("bce", classes), ("softmax-ce", three)):  # fmt: skip
            cases.append((f"linear, {loss}", build_objective(data, (), "tanh", loss)))
            for act in ("sigmoid", "tanh", "relu"):
                cases.append((f"mlp 5,4 {act}, {loss}", build_objective(data, (5, 4), act, loss)))
    else:
        cases.append((f"{args.model}, {args.loss or 'default loss'}", _network(args)))
    worst = 0.0
    for label, objective in cases:
        model = objective.model
        params = model.init_params(args.seed) if hasattr(model, "init_params") else np.zeros(2)
        params = params + np.random.default_rng(args.seed).normal(0, 0.1, params.size)
        check = gradient_check(objective, params)
        worst = max(worst, check.max_relative)
        verdict = "OK" if check.max_relative < GRADCHECK_TOLERANCE else "FAIL"
        print(tr("cli.gradcheck_row", lang, case=label, value=check.max_relative,
                 name=check.worst, verdict=verdict))  # fmt: skip
    ok = worst < GRADCHECK_TOLERANCE
    print(tr("cli.gradcheck_ok" if ok else "cli.gradcheck_fail", lang, value=worst,
             tolerance=GRADCHECK_TOLERANCE))  # fmt: skip
    return 0 if ok else 1


def load_callable(spec: str, what: str) -> Any:
    """``path/to/file.py:name`` -> the object ``name`` in that file (the user's own code)."""
    import importlib.util

    path, _, name = spec.rpartition(":")
    if not path or not name:
        raise LosslabError("error.torch_load", what=what, spec=spec, reason="no ':name'")
    try:
        module_spec = importlib.util.spec_from_file_location(f"losslab_user_{name}", path)
        if module_spec is None or module_spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(module_spec)
        sys.path.insert(0, str(Path(path).resolve().parent))
        try:
            module_spec.loader.exec_module(module)
        finally:
            sys.path.pop(0)
        return getattr(module, name)
    except (OSError, ImportError, AttributeError, SyntaxError) as exc:
        raise LosslabError("error.torch_load", what=what, spec=spec, reason=str(exc)) from None


def _torch_scan(args: argparse.Namespace) -> int:
    try:
        import torch
        from torch import nn

        from losslab import torch as ltorch
    except ImportError:
        raise LosslabError("error.no_torch") from None
    from losslab.plots.networks import figure_landscape, figure_line, figure_surface
    from losslab.report import check_writable, png_bytes, write_files

    lang: Lang = args.lang
    names = ["torch-plane.png", "torch-3d.png", "torch-plane.npz"]
    if args.end:
        names += ["torch-line.png", "torch-line.npz"]
    check_writable(args.out, names, args.overwrite)
    model = load_callable(args.model, "the model")()
    data = load_callable(args.data, "the data")()
    if args.loss in ("cross-entropy", "mse"):
        loss_fn = nn.CrossEntropyLoss() if args.loss == "cross-entropy" else nn.MSELoss()
    else:
        loss_fn = load_callable(args.loss, "the loss")

    def state(path: str) -> Any:
        try:
            return torch.load(path, map_location="cpu", weights_only=True)
        except (OSError, RuntimeError, ValueError) as exc:
            raise LosslabError("error.torch_load", what="a checkpoint", spec=path,
                               reason=str(exc).splitlines()[0]) from None  # fmt: skip

    if args.checkpoint:
        try:
            model.load_state_dict(state(args.checkpoint))
        except RuntimeError as exc:
            raise LosslabError("error.torch_load", what="the checkpoint", spec=args.checkpoint,
                               reason=str(exc).splitlines()[0]) from None  # fmt: skip
    common = {"batch_size": args.batch_size, "device": args.device}
    files: dict[str, bytes | str] = {}
    if args.trajectory:
        checkpoints = [state(p) for p in _list(args.trajectory, "--trajectory")]
        plane = ltorch.scan_trajectory(model, loss_fn, data, checkpoints, points=args.points,
                                       progress=not args.quiet, **common)  # fmt: skip
        explained = plane.pca.explained * 100
        title = (
            tr("fig.plane.pca", lang)
            + "\n"
            + tr("fig.pca_explained", lang, a=explained[0], b=explained[1])
        )
        land, path = plane.landscape, plane.coords
    else:
        land = ltorch.scan_plane(
            model, loss_fn, data, "random", span=args.span, points=args.points, seed=args.seed,
            ignore="none" if args.keep_biasbn else "biasbn", progress=not args.quiet,
            resume=args.resume, **common,
        )  # fmt: skip
        title, path = tr("fig.plane.random", lang), None
    files[names[0]] = png_bytes(figure_landscape(land, title, path, lang=lang))
    files[names[1]] = png_bytes(figure_surface(land, lang))
    files[names[2]] = npz_bytes(land)
    if args.end:
        end = load_callable(args.model, "the model")()
        end.load_state_dict(state(args.end))
        line = ltorch.scan_line(model, loss_fn, data, end, **common)
        ends = (Path(args.checkpoint or "model").name, Path(args.end).name)
        files[names[3]] = png_bytes(figure_line(line, lang, ends))
        files[names[4]] = npz_bytes(line)
    message = tr("cli.torch_summary", lang, params=land.meta["n_params"],
                 low=float(np.nanmin(land.values)), high=float(np.nanmax(land.values)),
                 method=land.meta["method"])  # fmt: skip
    return _finish(args, write_files(args.out, files, args.overwrite), [message])


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _serve(args: argparse.Namespace) -> int:
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


COMMANDS = {
    "demo": _demo,
    "compare": _compare,
    "lr-sweep": _lr_sweep,
    "minibatch": _minibatch,
    "animate": _animate,
    "landscape": _landscape,
    "gradcheck": _gradcheck,
    "serve": _serve,
    "torch-scan": _torch_scan,
    **CURVATURE_COMMANDS,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``losslab`` console script; returns the exit status."""
    raw = list(sys.argv[1:] if argv is None else argv)
    lang = _detect_lang(raw)
    args = build_parser(lang).parse_args(_join_negative_values(raw))
    lang = getattr(args, "lang", lang)
    try:
        return COMMANDS[args.command](args)
    except LosslabError as exc:
        print(f"losslab: {exc.localized(lang)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(tr("cli.interrupted", lang), file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
