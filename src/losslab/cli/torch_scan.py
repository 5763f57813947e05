"""``losslab torch-scan``: the landscape of the user's own PyTorch model (moved as it was)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from losslab.cli.common import Command, Subparsers, add_command, output_flags
from losslab.cli.common import finish as _finish
from losslab.cli.common import split_list as _list
from losslab.cli.networks import add_keep_biases
from losslab.errors import LosslabError
from losslab.i18n import Lang, method_label, tr
from losslab.io import npz_bytes


def add_parser(sub: Subparsers, lang: Lang) -> argparse.ArgumentParser:
    ts = add_command(sub, "torch-scan", "cli.torch_scan", lang, [output_flags(lang)])
    ts.add_argument("--model", required=True, help=tr("cli.torch_model", lang))
    ts.add_argument("--data", required=True, help=tr("cli.torch_data", lang))
    ts.add_argument("--checkpoint", help=tr("cli.torch_checkpoint", lang))
    ts.add_argument("--loss", default="cross-entropy", help=tr("cli.torch_loss", lang))
    ts.add_argument("--trajectory", default="", help=tr("cli.torch_trajectory", lang))
    ts.add_argument("--end", help=tr("cli.torch_end", lang))
    ts.add_argument("--span", type=float, default=1.0, help=tr("cli.span", lang))
    ts.add_argument("--points", type=int, default=51, help=tr("cli.points", lang))
    ts.add_argument("--seed", type=int, default=0, help=tr("cli.seed", lang))
    add_keep_biases(ts, lang)
    ts.add_argument("--batch-size", type=int, help=tr("cli.batch_size", lang))
    ts.add_argument("--device", help=tr("cli.device", lang))
    ts.add_argument("--resume", help=tr("cli.resume", lang))
    return ts


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
    from losslab.io import check_writable, png_bytes, write_files
    from losslab.plots.networks import figure_landscape, figure_line, figure_surface

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
            ignore="none" if args.keep_biases else "biasbn", progress=not args.quiet,
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
                 method=method_label(land.meta["method"], lang))  # fmt: skip
    return _finish(args, write_files(args.out, files, args.overwrite), [message])


COMMANDS = [Command("torch-scan", add_parser, _torch_scan)]
