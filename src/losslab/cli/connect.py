"""``losslab connect``: the paths between two trained networks, their barriers and figures.

A numpy network (the flags of ``landscape``) is trained twice, from ``--seed`` and
``--seed + 1``; a PyTorch model (``--model file.py:build --data file.py:load``, as
``torch-scan`` takes them) is read from two checkpoints, ``--checkpoint`` and ``--end``.
The library computes everything (:func:`losslab.lessons.connect.connect`); this module
parses, calls it and writes the figures and ``.npz`` files.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from losslab.cli.common import (
    Command,
    Subparsers,
    add_command,
    check_steps,
    finish,
    is_torch_model,
    network,
    network_flags,
    network_messages,
    output_flags,
    train_flags,
)
from losslab.defaults import MAX_AXIS_POINTS, MIN_AXIS_POINTS
from losslab.errors import LosslabError
from losslab.i18n import Lang, tr
from losslab.io import check_writable, npz_bytes, png_bytes, write_files
from losslab.landscape.connect import MAX_BENDS

#: The largest seed (numpy's); the second network's seed is the next one, or the one before.
MAX_SEED = 2**64 - 1


def add_parser(sub: Subparsers, lang: Lang) -> argparse.ArgumentParser:
    parents = [network_flags(lang, torch=True), train_flags(lang, steps_help="connect.cli_steps"),
               output_flags(lang)]  # fmt: skip
    p = add_command(sub, "connect", "connect.cli_connect", lang, parents)
    p.add_argument("--curve", choices=["bezier", "polychain"], default="bezier",
                   help=tr("connect.cli_curve", lang))  # fmt: skip
    p.add_argument("--bends", type=int, default=1, help=tr("connect.cli_bends", lang))
    p.add_argument("--curve-steps", type=int, help=tr("connect.cli_curve_steps", lang))
    p.add_argument("--pivots", type=int, default=3, help=tr("connect.cli_pivots", lang))
    p.add_argument("--spring", type=float, default=1.0, help=tr("connect.cli_spring", lang))
    p.add_argument("--points", type=int, default=61, help=tr("connect.cli_points", lang))
    p.add_argument("--plane-points", type=int, default=41,
                   help=tr("connect.cli_plane_points", lang))  # fmt: skip
    p.add_argument("--checkpoint", help=tr("connect.cli_checkpoint", lang))
    p.add_argument("--end", help=tr("connect.cli_end", lang))
    p.add_argument("--batch-size", type=int, help=tr("cli.batch_size", lang))
    p.add_argument("--device", help=tr("cli.device", lang))
    p.add_argument("--keep-bn-stats", action="store_true", help=tr("connect.cli_keep_bn", lang))
    return p


#: What each kind of model gives the command: the problem, the two ends (P,), the accuracy
#: along a path (or None) and what to say about them.
Ends = tuple[Any, Any, Any, Any, list[str]]


def _numpy_ends(args: argparse.Namespace, lang: Lang) -> Ends:
    """The objective, the two trained networks, the accuracy and what to say about them."""
    from losslab.lessons.connect import accuracy_metric, train_pair
    from losslab.optim.loop import stop_message

    objective = network(args)
    other = args.seed + 1 if args.seed < MAX_SEED else args.seed - 1
    first, second = train_pair(objective, (args.seed, other), args.optimizer,
                               args.learning_rate, args.steps)  # fmt: skip
    messages = network_messages(args, objective)
    messages += [tr("connect.msg_trained", lang, a=args.seed, b=other,
                   la=first.losses[-1], lb=second.losses[-1], steps=args.steps)]  # fmt: skip
    messages += [stop_message(t, lang) for t in (first, second) if t.meta["stop"] == "diverged"]
    return objective, first.params[-1], second.params[-1], accuracy_metric(objective), messages


def _torch_ends(args: argparse.Namespace, lang: Lang) -> Ends:
    """The PyTorch problem (BatchNorm statistics recomputed along the path unless
    ``--keep-bn-stats``), the two checkpoints' parameters, the accuracy of a classifier
    and what to say about them."""
    if not args.checkpoint or not args.end:
        raise LosslabError("connect.error_checkpoints")
    try:
        from losslab.adapters.torch_connect import path_problem, torch_accuracy
        from losslab.adapters.torch_files import load_state, state_vector
        from losslab.adapters.torch_spec import TorchSpec
    except ImportError:
        raise LosslabError("error.no_torch") from None
    loss = "cross-entropy" if args.loss is None else args.loss
    spec = TorchSpec(args.model, args.data, loss, args.checkpoint, args.batch_size, args.device)
    base = spec.build()
    start = base.origin.double().cpu().numpy()
    end = state_vector(base.model, load_state(args.end)).cpu().numpy()
    problem, refreshed = path_problem(base, update_bn=not args.keep_bn_stats)
    messages = []
    if refreshed:
        messages.append(tr("connect.msg_bn_on", lang))
    elif args.keep_bn_stats:
        messages.append(tr("connect.msg_bn_off", lang))
    return problem, start, end, torch_accuracy(problem), messages


def run_connect(args: argparse.Namespace) -> int:
    from losslab.lessons.connect import connect
    from losslab.plots.connect import figure_curve_plane, figure_profiles

    lang: Lang = args.lang
    check_steps(args.steps)
    check_steps(args.curve_steps)
    if args.bends < 1:
        raise LosslabError("connect.error_no_bends", kind=args.curve)
    if args.pivots < 0:
        raise LosslabError("connect.error_bends", value=args.pivots, limit=MAX_BENDS)
    limit = MAX_AXIS_POINTS["torch" if is_torch_model(args) else "network"]
    if args.plane_points != 0 and not MIN_AXIS_POINTS <= args.plane_points <= limit:
        raise LosslabError("error.net_points", value=args.plane_points, limit=limit)
    kind = args.curve
    names = ["connect-profile.png", "connect-line.npz", f"connect-{kind}.npz"]
    if args.pivots:
        names.append("connect-neb.npz")
    if args.plane_points:
        names += ["connect-plane.png", "connect-plane.npz"]
    check_writable(args.out, names, args.overwrite)
    ends = _torch_ends if is_torch_model(args) else _numpy_ends
    problem, start, end, metric, messages = ends(args, lang)
    result = connect(
        problem, start, end, kind, args.bends,
        args.steps if args.curve_steps is None else args.curve_steps,
        args.optimizer, args.learning_rate, args.seed, neb_pivots=args.pivots,
        spring=args.spring, points=args.points, plane_points=args.plane_points or None,
        metric=metric,
    )  # fmt: skip
    files: dict[str, bytes | str] = {names[0]: png_bytes(figure_profiles(result, lang))}
    for name, profile in result.profiles().items():
        files[f"connect-{name}.npz"] = npz_bytes(profile)
    if result.plane is not None:
        files["connect-plane.png"] = png_bytes(figure_curve_plane(result, lang))
        files["connect-plane.npz"] = npz_bytes(result.plane.landscape)
    messages.append(tr("connect.msg_distance", lang, params=len(problem.param_names),
                       distance=result.meta["distance"]))  # fmt: skip
    for name, profile in result.profiles().items():
        path = tr(f"connect.fig_{name}", lang, count=int(profile.curve.bends.shape[0]))
        if profile.accuracies is None or profile.accuracy_barrier is None:
            messages.append(tr("connect.msg_barrier", lang, path=path, loss=profile.barrier))
        else:
            messages.append(tr("connect.msg_barrier_accuracy", lang, path=path,
                               loss=profile.barrier, drop=profile.accuracy_barrier * 100,
                               low=float(np.min(profile.accuracies)) * 100))  # fmt: skip
    return finish(args, write_files(args.out, files, args.overwrite), messages)


COMMANDS = [Command("connect", add_parser, run_connect)]
