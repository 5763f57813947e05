"""``losslab torch-scan``: the landscape of the user's own PyTorch model, on the one engine.

The flags become one picklable :class:`~losslab.adapters.torch_spec.TorchSpec`; with
``--workers`` / ``--scheduler`` each Dask worker builds the model and reads the data once.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from losslab.cli.common import Command, Subparsers, add_command, card_text, output_flags
from losslab.cli.common import finish as _finish
from losslab.cli.common import split_list as _list
from losslab.cli.networks import add_distributed, add_keep_biases, open_scan_executor
from losslab.errors import LosslabError
from losslab.i18n import Lang, method_label, tr
from losslab.io import npz_bytes
from losslab.landscape.directions import normalisation
from losslab.landscape.span import parse_span, span_title


def add_parser(sub: Subparsers, lang: Lang) -> argparse.ArgumentParser:
    ts = add_command(sub, "torch-scan", "cli.torch_scan", lang, [output_flags(lang)])
    ts.add_argument("--model", required=True, help=tr("cli.torch_model", lang))
    ts.add_argument("--data", required=True, help=tr("cli.torch_data", lang))
    ts.add_argument("--checkpoint", help=tr("cli.torch_checkpoint", lang))
    ts.add_argument("--loss", default="cross-entropy", help=tr("cli.torch_loss", lang))
    ts.add_argument("--trajectory", default="", help=tr("cli.torch_trajectory", lang))
    ts.add_argument("--end", help=tr("cli.torch_end", lang))
    ts.add_argument("--plane", choices=["random", "hessian", "saddle"], default="random",
                    help=tr("cli.torch_plane", lang))  # fmt: skip
    ts.add_argument("--span", default="1", help=tr("cli.span", lang))
    ts.add_argument("--points", type=int, default=51, help=tr("cli.points", lang))
    ts.add_argument("--seed", type=int, default=0, help=tr("cli.seed", lang))
    add_keep_biases(ts, lang)
    ts.add_argument("--batch-size", type=int, help=tr("cli.batch_size", lang))
    ts.add_argument("--device", help=tr("cli.device", lang))
    ts.add_argument("--resume", help=tr("cli.resume", lang))
    add_distributed(ts, lang)
    return ts


def _torch_scan(args: argparse.Namespace) -> int:
    try:
        from losslab import torch as ltorch
        from losslab.adapters.torch_files import call_factory, load_checkpoint, load_state
        from losslab.adapters.torch_spec import TorchSpec
    except ImportError:
        raise LosslabError("error.no_torch") from None
    from losslab.io import check_writable, png_bytes, write_files
    from losslab.plots.networks import figure_landscape, figure_line, figure_surface

    lang: Lang = args.lang
    span = parse_span(args.span)
    names = ["torch-plane.png", "torch-3d.png", "torch-plane.npz", "torch-card.md"]
    if args.end:
        names += ["torch-line.png", "torch-line.npz"]
    check_writable(args.out, names, args.overwrite)
    # One picklable recipe: built once here (origin, directions) and once on each worker.
    spec = TorchSpec(args.model, args.data, args.loss, args.checkpoint, args.batch_size,
                     args.device)  # fmt: skip
    run: dict[str, Any] = {"problem": spec, "progress": not args.quiet, "lang": lang}
    files: dict[str, bytes | str] = {}
    with open_scan_executor(args) as executor:
        if args.trajectory:
            checkpoints = [load_state(p) for p in _list(args.trajectory, "--trajectory")]
            plane = ltorch.scan_trajectory(None, None, None, checkpoints, points=args.points,
                                           executor=executor, **run)  # fmt: skip
            explained = plane.pca.explained * 100
            title = (
                tr("fig.plane.pca", lang)
                + "\n"
                + tr("fig.pca_explained", lang, a=explained[0], b=explained[1])
            )
            land, path = plane.landscape, plane.coords
        else:
            land = ltorch.scan_plane(
                None, directions=args.plane, span=span, points=args.points, seed=args.seed,
                keep_biases=args.keep_biases, resume=args.resume,
                executor=executor, **run,
            )  # fmt: skip
            title, path = tr(f"fig.plane.{args.plane}", lang), None
            auto = span_title(land.meta.get("span"), lang)
            title += "\n" + auto if auto else ""
        if args.end:
            end = call_factory(args.model, "the model")
            load_checkpoint(end, args.end)
            line = ltorch.scan_line(None, None, None, end, executor=executor, **run)
    files[names[0]] = png_bytes(figure_landscape(land, title, path, lang=lang))
    files[names[1]] = png_bytes(figure_surface(land, lang))
    land = replace(land, meta={**land.meta, **made_of(args)})
    files[names[2]] = npz_bytes(land)
    files[names[3]] = card_text(land, names[2], lang)
    if args.end:
        ends = (Path(args.checkpoint or "model").name, Path(args.end).name)
        files[names[4]] = png_bytes(figure_line(line, lang, ends))
        files[names[5]] = npz_bytes(replace(line, meta={**line.meta, **made_of(args)}))
    message = tr("cli.torch_summary", lang, params=land.meta["n_params"],
                 low=float(np.nanmin(land.values)), high=float(np.nanmax(land.values)),
                 method=method_label(land.meta["method"], lang))  # fmt: skip
    return _finish(args, write_files(args.out, files, args.overwrite), [message])


def made_of(args: argparse.Namespace) -> dict[str, Any]:
    """What the flags add to a scan's metadata (and so to its provenance card): the model,
    checkpoint and data files; the seed of the directions."""
    made = {"model": args.model, "checkpoint": args.checkpoint, "data": args.data,
            "seed": args.seed}  # fmt: skip
    if args.trajectory:
        made["normalisation"] = normalisation("pca")
    return made


COMMANDS = [Command("torch-scan", add_parser, _torch_scan)]
