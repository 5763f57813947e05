"""``losslab.torch``'s scans: a model (or a ready problem or spec) handed to the one engine.

:func:`scan_plane`, :func:`scan_line` and :func:`scan_trajectory` take a model, a loss and
data (or ``problem=``: a :class:`TorchProblem`, or a :class:`TorchSpec` that each worker
builds once), make the plane's origin and directions, and call
:mod:`losslab.landscape.scan`; :func:`random_directions` is
:func:`losslab.landscape.directions.random_directions` for a PyTorch model. Keyword
options are the problem's (``batch_size``, ``device``, ``dtype``, ``method``,
``train_mode``, ``chunk``) and the engine's (``executor``, ``block_rows``, ``resume``,
``progress``).

Li, Xu, Taylor, Studer, Goldstein (2018), "Visualizing the Loss Landscape of Neural
Nets", NeurIPS.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any, Literal, cast

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from losslab.adapters.torch_files import Data, LossFn, parameter_vector, state_vector
from losslab.adapters.torch_problem import TorchProblem
from losslab.adapters.torch_spec import TorchSpec
from losslab.defaults import MAX_AXIS_POINTS, MIN_AXIS_POINTS
from losslab.errors import LosslabError
from losslab.landscape import directions as _directions
from losslab.landscape import scan as engine
from losslab.landscape.directions import HessianKind, hessian_directions, normalisation
from losslab.landscape.engine import resolve
from losslab.landscape.result import Landscape
from losslab.landscape.scan import TrajectoryPlane
from losslab.landscape.span import AutoSpan, auto_axes

FloatArray = NDArray[np.float64]
Given = TorchProblem | TorchSpec | None
#: The planes :func:`scan_plane` makes itself.
Plane = Literal["random", "hessian", "saddle"]
ENGINE_KEYS = ("executor", "block_rows", "resume", "progress", "lang")


def random_directions(
    model: nn.Module, seed: int = 0, normalize: bool = True, keep_biases: bool = False
) -> torch.Tensor:
    """Two seeded Gaussian directions (2, P) float64 for ``model``'s parameters, filter-normalised.

    The shared :func:`losslab.landscape.directions.random_directions` with each
    parameter's filters along its first dimension: each filter gets the norm of the
    matching filter of the weights; one-dimensional parameters (biases, BatchNorm) are
    zeroed (the paper's ``biasbn``), or with ``keep_biases`` set to the weights. The
    same seed gives a numpy MLP and the equal ``nn.Sequential`` the same directions.

    >>> d = random_directions(nn.Linear(3, 2), seed=0)
    >>> tuple(d.shape), d[:, 6:].tolist()  # the bias is zeroed
    ((2, 8), [[0.0, 0.0], [0.0, 0.0]])
    """
    tensors = [(p.detach().to("cpu", torch.float64).numpy(), 0) for p in model.parameters()]
    drawn = _directions.random_directions(tensors, seed=seed, normalize=normalize,
                                          keep_biases=keep_biases)  # fmt: skip
    return torch.from_numpy(drawn)


def _prepare(
    model: nn.Module | None, loss_fn: LossFn | None, data: Data, given: Given,
    options: dict[str, Any],
) -> tuple[TorchProblem, TorchProblem | TorchSpec, dict[str, Any]]:  # fmt: skip
    """(the problem here, what the engine ships to its executor, the engine's options).

    A new problem on a copy of ``model``, or the given one (a view of it with ``method``
    if that differs). A spec is built here once (for the origin and directions) and
    shipped as it is, so that every worker builds its own model and data once.
    """
    run = {k: options.pop(k) for k in ENGINE_KEYS if k in options}
    method = options.pop("method", None)
    if given is None:
        if model is None or loss_fn is None:
            raise TypeError("give model, loss_fn and data, or problem=")
        made = TorchProblem(model, loss_fn, data, method=method or "auto", **options)
        return made, made, run
    if options:
        raise TypeError(f"{', '.join(options)}: set these on the given problem")
    if isinstance(given, TorchSpec):
        spec = (
            given if method in (None, given.method) else dataclasses.replace(given, method=method)
        )
        return cast(TorchProblem, resolve(spec)), spec, run
    view = given.using(method) if method else given
    return view, view, run


def _flat(values: torch.Tensor | FloatArray | Sequence[float]) -> FloatArray:
    return np.asarray(torch.as_tensor(values).detach().double().cpu().reshape(-1).numpy())


def scan_plane(
    model: nn.Module | None = None,
    loss_fn: LossFn | None = None,
    data: Data = None,
    directions: Sequence[torch.Tensor] | torch.Tensor | Plane = "random",
    span: float | AutoSpan = 1.0,
    points: int = 51,
    seed: int = 0,
    keep_biases: bool = False,
    *,
    origin: torch.Tensor | None = None,
    axes: tuple[FloatArray, FloatArray] | None = None,
    problem: Given = None,
    **options: Any,
) -> Landscape:
    """The loss on a ``points x points`` grid of ``origin + a*d1 + c*d2``, a, c in [-span, span].

    ``directions="random"`` draws two filter-normalised directions from ``seed``
    (:func:`random_directions`, biases zeroed unless ``keep_biases``); ``"hessian"``
    takes the Hessian's top two eigenvectors at the origin, ``"saddle"`` its top and
    most negative ones (:func:`~losslab.landscape.directions.hessian_directions`, by
    Lanczos on float64 Hessian-vector products whatever the scan's dtype); else give
    ``(d1, d2)`` or a (2, P) tensor. ``span`` may be an
    :class:`~losslab.landscape.span.AutoSpan`: each axis then reaches the loss it asks
    for (10x the origin's by default), recorded in ``meta["span"]``. ``origin``
    defaults to the model's parameters, ``axes`` (a, c) to ``points`` values in
    [-span, span]. ``problem`` reuses a :class:`TorchProblem`, or takes a
    :class:`TorchSpec` that the executor's workers build once each. ``options``: the
    problem's (``batch_size``, ``device``, ``dtype``, ``method``, ...) and the engine's:
    ``executor`` and ``block_rows``; ``resume`` (an .npz path) keeps finished blocks,
    and a scan interrupted and started again with the same arguments continues where it
    stopped; ``progress`` shows a bar, and first the time left and the peak memory (in
    ``lang``).
    """
    prob, source, run = _prepare(model, loss_fn, data, problem, dict(options))
    o = _flat(prob.origin if origin is None else origin)
    made: dict[str, Any] = {"seed": seed, "span": {"mode": "fixed", "span": span}}
    labels = None
    if directions == "hessian" or directions == "saddle":
        kind: HessianKind = "top" if directions == "hessian" else "saddle"
        hessian = hessian_directions(_float64(prob), o, kind, seed=seed)
        d = hessian.directions
        names = ("v₁", "v₂") if kind == "top" else ("v_max", "v_min")
        labels = (f"{names[0]} (λ = {hessian.eigenvalues[0]:.4g})",
                  f"{names[1]} (λ = {hessian.eigenvalues[1]:.4g})")  # fmt: skip
        made["eigenvalues"] = hessian.eigenvalues.tolist()
    elif isinstance(directions, str):
        if directions != "random":
            raise LosslabError("error.plane", name=directions)
        d = random_directions(prob.model if model is None else model, seed,
                              keep_biases=keep_biases).numpy()  # fmt: skip
    else:
        d = np.stack([_flat(directions[0]), _flat(directions[1])])
    made["normalisation"] = normalisation(directions if isinstance(directions, str) else "given",
                                          keep_biases)  # fmt: skip
    if d.shape != (2, o.size):
        raise LosslabError("error.torch_direction", got=d.size // 2, expected=o.size)
    if axes is None:
        half = 1.0 if isinstance(span, AutoSpan) else span
        limit = MAX_AXIS_POINTS["torch"]
        if not (MIN_AXIS_POINTS <= points <= limit) or not (math.isfinite(half) and half > 0):
            raise LosslabError("error.net_points", value=points, limit=limit)
        a = np.linspace(-half, half, points)
        axes = (a, a.copy())
        if isinstance(span, AutoSpan):  # the probe goes through the same executor, no resume
            probe = {k: run[k] for k in ("executor",) if k in run}
            (a, c), made["span"] = auto_axes(source, o, d, span, points, **probe)
            axes = (a, c)
    land = engine.scan_plane(source, axes, o, d, labels=labels, **run)
    return dataclasses.replace(land, meta={**land.meta, **made})


def _float64(problem: TorchProblem) -> TorchProblem:
    """The problem in float64 (a copy of its model; the same data), for Lanczos: float32
    Hessian-vector products are too noisy for eigenvectors to machine precision."""
    if problem.dtype == torch.float64:
        return problem
    net = problem.__dict__["_net"]
    return TorchProblem(net, problem.loss_fn, problem.batches, None, problem.device,
                        torch.float64, problem.train_mode, copy_model=True)  # fmt: skip


def scan_line(
    model: nn.Module | None,
    loss_fn: LossFn | None,
    data: Data,
    end: nn.Module | torch.Tensor,
    alphas: Sequence[float] | FloatArray | None = None,
    *,
    problem: Given = None,
    **options: Any,
) -> Landscape:
    """The loss at ``(1 - alpha) * model + alpha * end`` (alpha in -0.5..1.5, 201 points).

    ``problem`` and ``options`` as in :func:`scan_plane`.
    """
    prob, source, run = _prepare(model, loss_fn, data, problem, dict(options))
    stop = parameter_vector(end) if isinstance(end, nn.Module) else end
    return engine.scan_line(source, _flat(prob.origin), _flat(stop), alphas, **run)


def scan_trajectory(
    model: nn.Module | None,
    loss_fn: LossFn | None,
    data: Data,
    checkpoints: Sequence[dict[str, torch.Tensor] | nn.Module],
    points: int = 51,
    margin: float = 1.3,
    *,
    problem: Given = None,
    **options: Any,
) -> TrajectoryPlane:
    """The loss in the plane of the checkpoints' two principal directions, centred on the last.

    ``problem`` and ``options`` as in :func:`scan_plane`. The caller's model is not changed.
    """
    prob, source, run = _prepare(model, loss_fn, data, problem, dict(options))
    reference = prob.model if model is None else model
    vectors = []
    for ckpt in checkpoints:
        state = ckpt.state_dict() if isinstance(ckpt, nn.Module) else ckpt
        vectors.append(state_vector(reference, state).numpy())
    return engine.scan_trajectory(source, np.stack(vectors), points, margin, **run)
