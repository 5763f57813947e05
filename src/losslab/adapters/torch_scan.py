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
from losslab.errors import LosslabError
from losslab.landscape import directions as _directions
from losslab.landscape import scan as engine
from losslab.landscape.engine import resolve
from losslab.landscape.result import Landscape
from losslab.landscape.scan import TrajectoryPlane

FloatArray = NDArray[np.float64]
Given = TorchProblem | TorchSpec | None
ENGINE_KEYS = ("executor", "block_rows", "resume", "progress")


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
    directions: Sequence[torch.Tensor] | torch.Tensor | Literal["random"] = "random",
    span: float = 1.0,
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
    (:func:`random_directions`, biases zeroed unless ``keep_biases``); else give
    ``(d1, d2)`` or a (2, P) tensor. ``origin`` defaults to the model's parameters,
    ``axes`` (a, c) to ``points`` values in [-span, span]. ``problem`` reuses a
    :class:`TorchProblem`, or takes a :class:`TorchSpec` that the executor's workers
    build once each. ``options``: the problem's (``batch_size``, ``device``, ``dtype``,
    ``method``, ...) and the engine's: ``executor`` and ``block_rows``; ``resume`` (an
    .npz path) keeps finished blocks, and a scan interrupted and started again with the
    same arguments continues where it stopped; ``progress`` shows a bar.
    """
    prob, source, run = _prepare(model, loss_fn, data, problem, dict(options))
    o = _flat(prob.origin if origin is None else origin)
    if isinstance(directions, str):
        d = random_directions(prob.model if model is None else model, seed,
                              keep_biases=keep_biases).numpy()  # fmt: skip
    else:
        d = np.stack([_flat(directions[0]), _flat(directions[1])])
    if d.shape != (2, o.size):
        raise LosslabError("error.torch_direction", got=d.size // 2, expected=o.size)
    if axes is None:
        if not (3 <= points <= 1001) or not (math.isfinite(span) and span > 0):
            raise LosslabError("error.net_points", value=points, limit=1001)
        a = np.linspace(-span, span, points)
        axes = (a, a.copy())
    return engine.scan_plane(source, axes, o, d, **run)


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
