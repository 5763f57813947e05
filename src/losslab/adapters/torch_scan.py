"""``losslab.torch``'s scans: thin wrappers that build a TorchProblem and call the one engine.

:func:`scan_plane`, :func:`scan_line` and :func:`scan_trajectory` take a model, a loss and
data as before (or a ready ``problem=``, e.g. from :class:`TorchSpec`, so that several scans
share one model copy and one read of the data), and pass ``executor``, ``block_rows``,
``resume`` and ``progress`` to :func:`losslab.landscape.scan.scan_plane`.

Li, Xu, Taylor, Studer, Goldstein (2018), "Visualizing the Loss Landscape of Neural
Nets", NeurIPS.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from losslab.adapters.torch_files import (
    Data,
    LossFn,
    TorchSpec,
    parameter_vector,
    state_vector,
)
from losslab.adapters.torch_problem import TorchProblem
from losslab.errors import LosslabError
from losslab.landscape import scan as engine
from losslab.landscape.directions import normalize_filters
from losslab.landscape.engine import resolve
from losslab.landscape.executor import RowExecutor
from losslab.landscape.result import Landscape
from losslab.landscape.scan import TrajectoryPlane

FloatArray = NDArray[np.float64]
Ignore = Literal["biasbn", "none"]
ENGINE_KEYS = ("executor", "block_rows", "resume", "progress")


def random_direction(
    model: nn.Module, seed: int = 0, ignore: Ignore = "biasbn", normalize: bool = True
) -> torch.Tensor:
    """One seeded Gaussian direction (P,), filter-normalised as in Li et al.'s code.

    Each filter (slice along the first dimension) of a parameter with more than
    one dimension gets the norm of the matching filter of the weights; a
    one-dimensional parameter is zeroed (``ignore="biasbn"``) or set to the weights
    (:func:`losslab.landscape.directions.normalize_filters`).
    """
    generator = torch.Generator().manual_seed(int(seed))
    parts = []
    for param in model.parameters():
        w = param.detach().to("cpu", torch.float64)
        d = torch.randn(w.shape, generator=generator, dtype=torch.float64)
        if normalize:
            d = torch.from_numpy(
                normalize_filters(d.numpy(), w.numpy(), 0, ignore_biases=ignore == "biasbn")
            )
        parts.append(d.reshape(-1))
    return torch.cat(parts)


Given = TorchProblem | TorchSpec | None


def _problem(
    model: nn.Module | None, loss_fn: LossFn | None, data: Data, given: Given,
    method: str | None = None, **options: Any,
) -> tuple[TorchProblem, TorchProblem | TorchSpec]:  # fmt: skip
    """(the problem here, what the engine ships to its executor).

    A new problem on a copy of ``model``, or the given one (a view of it with ``method``
    if that differs). A spec is built here once (for the origin and directions) and
    shipped as it is, so that every worker builds its own model and data once.
    """
    if isinstance(given, TorchSpec):
        spec = (
            given if method in (None, given.method) else dataclasses.replace(given, method=method)
        )
        return resolve(spec), spec  # type: ignore[return-value]
    if given is None:
        if model is None or loss_fn is None:
            raise TypeError("give model, loss_fn and data, or problem=")
        made = TorchProblem(model, loss_fn, data, method=method or "auto", **options)
        return made, made
    if method is not None and method != given.method:
        view = object.__new__(TorchProblem)  # shares the model copy and the batches
        view.__dict__.update(given.__dict__, method=method)
        return view, view
    return given, given


def _flat(values: torch.Tensor | FloatArray | Sequence[float]) -> FloatArray:
    return np.asarray(torch.as_tensor(values).detach().double().cpu().reshape(-1).numpy())


def scan_plane(
    model: nn.Module | None,
    loss_fn: LossFn | None = None,
    data: Data = None,
    directions: tuple[torch.Tensor, torch.Tensor] | Literal["random"] = "random",
    span: float = 1.0,
    points: int = 51,
    seed: int = 0,
    ignore: Ignore = "biasbn",
    origin: torch.Tensor | None = None,
    batch_size: int | None = None,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
    method: str | None = None,
    progress: bool = False,
    resume: str | Path | None = None,
    axes: tuple[FloatArray, FloatArray] | None = None,
    objective: TorchProblem | None = None,
    *,
    executor: RowExecutor | None = None,
    block_rows: int | None = None,
    problem: TorchProblem | TorchSpec | None = None,
) -> Landscape:
    """The loss on a ``points x points`` grid of ``origin + a*d1 + c*d2``, a, c in [-span, span].

    ``method`` (default: the given problem's, else ``"auto"``) chooses the plane
    evaluation (:class:`TorchProblem`). ``directions="random"`` draws two
    filter-normalised directions (seeds ``seed`` and ``seed + 1``) from the model's
    own weights; ``origin`` defaults to them.
    ``problem`` (or its older name ``objective``) reuses a TorchProblem, or takes a
    :class:`TorchSpec` that the executor's workers build once each. The scan
    runs through the one engine: ``executor`` and ``block_rows`` as there; with
    ``resume`` (an .npz path) finished blocks are kept, and a scan interrupted
    and started again with the same arguments continues where it stopped.
    """
    prob, source = _problem(model, loss_fn, data, problem or objective, method,
                            batch_size=batch_size, device=device, dtype=dtype)  # fmt: skip
    o = _flat(prob.origin if origin is None else origin)
    if directions == "random":
        weights = prob.model if model is None else model
        d1 = random_direction(weights, seed, ignore)
        d2 = random_direction(weights, seed + 1, ignore)
    else:
        d1, d2 = directions
    d = np.stack([_flat(d1), _flat(d2)]) if d1.numel() == d2.numel() == o.size else None
    if d is None:
        raise LosslabError("error.torch_direction", got=d1.numel(), expected=o.size)
    if axes is None:
        if not (3 <= points <= 1001) or not (math.isfinite(span) and span > 0):
            raise LosslabError("error.net_points", value=points, limit=1001)
        a = np.linspace(-span, span, points)
        axes = (a, a.copy())
    return engine.scan_plane(source, axes, o, d, max_points=engine.MAX_GRID_POINTS,
                             labels=("α", "β"), executor=executor, block_rows=block_rows,
                             resume=resume, progress=progress)  # fmt: skip


def _split(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(problem options, engine options) of a wrapper's keyword arguments."""
    run = {k: kwargs.pop(k) for k in ENGINE_KEYS if k in kwargs}
    return kwargs, run


def scan_line(
    model: nn.Module | None,
    loss_fn: LossFn | None,
    data: Data,
    end: nn.Module | torch.Tensor,
    alphas: Sequence[float] | FloatArray | None = None,
    **kwargs: Any,
) -> Landscape:
    """The loss at ``(1 - alpha) * model + alpha * end`` (alpha in -0.5..1.5, 201 points).

    ``kwargs``: a ``problem=``, or the TorchProblem options (``batch_size``, ``device``,
    ``dtype``, ``method``); and the engine's ``executor``, ``block_rows``, ``resume``,
    ``progress``.
    """
    options, run = _split(dict(kwargs))
    prob, source = _problem(model, loss_fn, data, options.pop("problem", None), **options)
    stop = parameter_vector(end) if isinstance(end, nn.Module) else end
    return engine.scan_line(source, _flat(prob.origin), _flat(stop), alphas, **run)


def scan_trajectory(
    model: nn.Module | None,
    loss_fn: LossFn | None,
    data: Data,
    checkpoints: Sequence[dict[str, torch.Tensor] | nn.Module],
    points: int = 51,
    margin: float = 1.3,
    **kwargs: Any,
) -> TrajectoryPlane:
    """The loss in the plane of the checkpoints' two principal directions, centred on the last.

    ``kwargs`` as in :func:`scan_line`. The caller's model is not changed.
    """
    options, run = _split(dict(kwargs))
    prob, source = _problem(model, loss_fn, data, options.pop("problem", None), **options)
    reference = prob.model if model is None else model
    vectors = []
    for ckpt in checkpoints:
        state = ckpt.state_dict() if isinstance(ckpt, nn.Module) else ckpt
        vectors.append(state_vector(reference, state).numpy())
    return engine.scan_trajectory(source, np.stack(vectors), points, margin, **run)
