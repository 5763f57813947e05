"""A PyTorch model, a loss and data as a :class:`~losslab.core.problem.Problem`.

The scan engine treats it like any numpy objective: ``loss``, ``gradient``, ``loss_batch``,
``loss_plane`` and ``loss_grid`` take and return float64 numpy arrays. Correctness first:
the caller's model is never changed (the problem works on one private deep copy, or on a
model it built itself from a :class:`~losslab.adapters.torch_files.TorchSpec`), evaluated
in eval mode by default (BatchNorm uses its running statistics); the data are read once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray
from torch import nn
from torch.func import functional_call

from losslab.adapters.torch_files import (
    Batches,
    Data,
    LossFn,
    frozen_copy,
    materialize,
    parameter_vector,
)
from losslab.adapters.torch_plan import first_linear, shortcut_totals, vmap_totals
from losslab.core.problem import GridFromPlane
from losslab.errors import LosslabError

FloatArray = NDArray[np.float64]

#: Bytes of activations one chunk of grid points may hold (per batch of data).
CHUNK_BYTES = 64 * 2**20

METHODS = ("auto", "shortcut", "vmap", "loop")


def loss_name(loss_fn: LossFn) -> str:
    """``CrossEntropyLoss`` for an nn.Module loss, the function's name otherwise."""
    if isinstance(loss_fn, nn.Module):
        return type(loss_fn).__name__
    return str(getattr(loss_fn, "__name__", "loss"))


@dataclass
class TorchProblem(GridFromPlane):
    """The mean loss of ``model`` over materialised ``data`` at any flat parameter vector.

    ``method`` chooses how planes are evaluated (see :mod:`losslab.adapters.torch_plan`):
    ``"auto"`` takes the first-layer shortcut where it applies, else vmap on a GPU and
    the loop on CPU. ``copy_model=False`` uses ``model`` itself (for a model the caller
    built only for this, e.g. by :class:`TorchSpec`).
    """

    model: nn.Module
    loss_fn: LossFn
    data: Data
    batch_size: int | None = None
    device: torch.device | str | None = None
    dtype: torch.dtype = torch.float32
    train_mode: bool = False
    method: str = "auto"
    copy_model: bool = True
    _net: nn.Module = field(init=False, repr=False)
    _names: list[str] = field(init=False, repr=False)
    _shapes: list[torch.Size] = field(init=False, repr=False)
    _buffers: dict[str, torch.Tensor] = field(init=False, repr=False)
    batches: Batches = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise LosslabError("error.torch_method", name=self.method, names=", ".join(METHODS))
        net, self.device = frozen_copy(
            self.model, self.device, self.dtype, self.train_mode, self.copy_model
        )
        self._net = net
        self._names = [name for name, _ in net.named_parameters()]
        self._shapes = [p.shape for _, p in net.named_parameters()]
        self._buffers = dict(net.named_buffers())
        self.batches = materialize(self.data, self.batch_size, self.device, self.dtype)
        self._total = sum(int(x.shape[0]) for x, _ in self.batches)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without ``data`` (the batches hold it) and without the caller's model."""
        state = dict(self.__dict__)
        state.update(data=None, model=state["_net"])
        return state

    # --- the Problem protocol --------------------------------------------------------------
    @cached_property
    def param_names(self) -> tuple[str, ...]:
        """One name per scalar parameter, e.g. ``0.weight[5]``."""
        return tuple(f"{name}[{k}]" for name, shape in zip(self._names, self._shapes,
                                                           strict=True)
                     for k in range(math.prod(shape)))  # fmt: skip

    @property
    def n_params(self) -> int:
        return sum(math.prod(s) for s in self._shapes)

    @property
    def origin(self) -> torch.Tensor:
        """The model's own parameters, flat."""
        return parameter_vector(self._net)

    @property
    def on_cpu(self) -> bool:
        return torch.device(str(self.device)).type == "cpu"

    def _tensor(self, values: ArrayLike | torch.Tensor) -> torch.Tensor:
        return torch.as_tensor(values).to(device=self.device, dtype=self.dtype)

    def forward(self, flat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """The model's output at the flat parameters ``flat`` (P,) for inputs ``x``."""
        params, start = {}, 0
        for name, shape in zip(self._names, self._shapes, strict=True):
            size = math.prod(shape)
            params[name] = flat[..., start : start + size].reshape(*flat.shape[:-1], *shape)
            start += size
        return functional_call(self._net, (params, self._buffers), (x,))  # type: ignore[no-any-return]

    @torch.no_grad()
    def loss(self, params: ArrayLike | torch.Tensor) -> float:
        """The mean loss over all data at one flat parameter vector."""
        flat = self._tensor(params)
        total = 0.0
        for x, y in self.batches:
            total += float(self.loss_fn(self.forward(flat, x), y)) * int(x.shape[0])
        return total / self._total

    def gradient(
        self, params: ArrayLike | torch.Tensor, batch: NDArray[np.intp] | None = None
    ) -> FloatArray:
        """d loss / d params (P,) by autograd; with ``batch``, over those samples only."""
        flat = self._tensor(params).detach().clone().requires_grad_(True)
        pairs = self.batches
        if batch is not None:
            index = torch.as_tensor(np.asarray(batch), device=self.device)
            x_all = torch.cat([x for x, _ in self.batches])
            y_all = torch.cat([y for _, y in self.batches])
            pairs = [(x_all[index], y_all[index])]
        count = sum(int(x.shape[0]) for x, _ in pairs)
        with torch.enable_grad():
            total = torch.zeros((), dtype=self.dtype, device=self.device)
            for x, y in pairs:
                total = total + self.loss_fn(self.forward(flat, x), y) * int(x.shape[0])
            (grad,) = torch.autograd.grad(total / count, flat)
        return np.asarray(grad.detach().cpu().double().numpy())

    def loss_batch(self, points: ArrayLike) -> FloatArray:
        """The loss at many points (m, P) -> (m,), one forward pass per point."""
        return np.array([self.loss(p) for p in np.asarray(points, dtype=np.float64)])

    @torch.no_grad()
    def loss_plane(
        self, origin: FloatArray, directions: FloatArray, coords: FloatArray
    ) -> FloatArray:
        """Losses (m,) at ``origin + a*d1 + c*d2`` for coords (m, 2), by ``self.method``."""
        o, e1, e2 = (self._tensor(np.asarray(v, dtype=np.float64)) for v in
                     (origin, directions[0], directions[1]))  # fmt: skip
        c = self._tensor(np.asarray(coords, dtype=np.float64))
        method, split = self.method, first_linear(self._net, self._names)
        if method == "auto":
            method = "shortcut" if split is not None else ("loop" if self.on_cpu else "vmap")
        if method == "loop":
            return np.array([self.loss(o + a * e1 + b * e2) for a, b in c.tolist()])
        if method == "shortcut" and split is not None:
            totals = shortcut_totals(self, split, o, e1, e2, c)
        else:
            totals = vmap_totals(self, o, e1, e2, c)
        return np.asarray((totals / self._total).cpu().numpy())

    def describe(self) -> dict[str, Any]:
        """How planes are evaluated, the loss, the size and the dtype (a landscape's meta)."""
        return {"method": f"torch {self.method}", "loss": loss_name(self.loss_fn),
                "n_params": self.n_params, "dtype": str(self.dtype),
                "device": str(self.device)}  # fmt: skip

    # --- sizes -----------------------------------------------------------------------------
    def _widest(self) -> int:
        """A rough count of floats per sample in the widest activation (for chunk sizes)."""
        widths = [int(m.out_features) for m in self._net.modules() if isinstance(m, nn.Linear)]
        widths += [int(p.shape[0]) for p in self._net.parameters() if p.dim() > 1]
        return max(widths, default=1) * 2

    def chunk(self) -> int:
        """Grid points per batched evaluation (activations within :data:`CHUNK_BYTES`)."""
        biggest = max(int(x.shape[0]) for x, _ in self.batches)
        per_point = biggest * self._widest() * torch.finfo(self.dtype).bits // 8
        return max(1, min(1024, CHUNK_BYTES // max(1, per_point)))


#: The name of earlier releases; the same class.
TorchObjective = TorchProblem
