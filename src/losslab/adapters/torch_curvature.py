"""Curvature of a real PyTorch network: Hessian-vector products through ``torch.func``.

Two exact ways, both with ``functional_call`` on a private deep copy of the model, so
the caller's model (parameters, buffers, ``requires_grad`` flags, train/eval mode,
dtype, ``.grad``) is never changed:

- ``method="forward"``: ``H v = jvp(grad(loss), (params,), (v,))``, forward-mode
  differentiation of the reverse-mode gradient (Pearlmutter's R-operator done by
  PyTorch); nothing is kept between products, so memory stays that of one gradient;
- ``method="reverse"`` (the default of :meth:`TorchHessian.operator`): the gradient's
  graph is built once at the operator's point and each product is one more backward
  pass through it (``autograd.grad(g, params, v)``), about twice as fast per product,
  at the price of keeping that graph (all batches) in memory while the operator lives.

Float64 by default, so that eigenvalues are accurate to the last digits; the data are
materialised once.

The result is a :class:`~losslab.analysis.curvature.HessianOperator` with one block
per named parameter (``0.weight``, ``0.bias``, ...), for the functions of
:mod:`losslab.analysis.curvature`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn
from torch.func import functional_call, grad, jvp

from losslab.adapters.torch_files import frozen_copy, materialize
from losslab.analysis.curvature import HessianOperator
from losslab.errors import LosslabError

FloatArray = NDArray[np.float64]
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _load_forward_mode() -> None:
    """Load PyTorch's forward-mode decompositions once, silencing the deprecation warning
    that torch 2.13 emits from inside itself when it does (nothing the caller can fix)."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="`torch.jit.script` is deprecated", category=DeprecationWarning
        )
        from torch._decomp import decompositions_for_jvp  # noqa: F401


class TorchHessian:
    """The loss of a private copy of ``model`` over ``data`` and its Hessian-vector products.

    ``data`` is a pair of tensors ``(inputs, targets)`` (split into ``batch_size``
    batches, or one) or any iterable of pairs (a ``DataLoader``). The loss is the
    mean over all samples (batch losses weighted by their sizes).
    """

    def __init__(
        self,
        model: nn.Module,
        loss_fn: LossFn,
        data: Any,
        batch_size: int | None = None,
        device: torch.device | str | None = None,
        dtype: torch.dtype = torch.float64,
        train_mode: bool = False,
    ) -> None:
        net, self.device = frozen_copy(model, device, dtype, train_mode)
        self.dtype = dtype
        for p in net.parameters():
            p.grad = None
        self._net = net
        self.loss_fn = loss_fn
        named = list(net.named_parameters())
        self.names = tuple(name for name, _ in named)
        self.shapes = tuple(p.shape for _, p in named)
        self._buffers = dict(net.named_buffers())
        self.batches = materialize(data, batch_size, self.device, dtype)
        self._total = sum(int(x.shape[0]) for x, _ in self.batches)
        self.origin = torch.cat([p.detach().reshape(-1) for _, p in named])

    @property
    def n_params(self) -> int:
        return sum(math.prod(s) for s in self.shapes)

    @property
    def blocks(self) -> dict[str, slice]:
        """One block per named parameter, as slices of the flat vector."""
        out, start = {}, 0
        for name, shape in zip(self.names, self.shapes, strict=True):
            out[name] = slice(start, start + math.prod(shape))
            start += math.prod(shape)
        return out

    def _unflatten(self, flat: torch.Tensor) -> dict[str, torch.Tensor]:
        return {
            name: flat[part].reshape(shape)
            for (name, part), shape in zip(self.blocks.items(), self.shapes, strict=True)
        }

    def _tensor(self, values: Any) -> torch.Tensor:
        return torch.as_tensor(np.asarray(values), device=self.device, dtype=self.dtype)

    def _batch_loss(self, x: torch.Tensor, y: torch.Tensor) -> Callable[..., torch.Tensor]:
        def loss(params: dict[str, torch.Tensor]) -> torch.Tensor:
            out = functional_call(self._net, (params, self._buffers), (x,))
            return self.loss_fn(out, y) * (x.shape[0] / self._total)

        return loss

    def loss(self, params: FloatArray | None = None) -> float:
        """The mean loss at a flat parameter vector (P,) (default: the model's own)."""
        flat = self.origin if params is None else self._tensor(params)
        with torch.no_grad():
            tree = self._unflatten(flat)
            return float(sum(float(self._batch_loss(x, y)(tree)) for x, y in self.batches))

    def gradient(self, params: FloatArray | None = None) -> FloatArray:
        """d loss / d params (P,) at a flat parameter vector."""
        tree = self._unflatten(self.origin if params is None else self._tensor(params))
        total = torch.zeros(self.n_params, device=self.device, dtype=self.dtype)
        for x, y in self.batches:
            g = grad(self._batch_loss(x, y))(tree)
            total += torch.cat([g[name].reshape(-1) for name in self.names])
        return np.asarray(total.cpu().numpy(), dtype=np.float64)

    def hvp_tensor(self, params: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """``H v`` as a flat tensor: ``jvp(grad(loss), (params,), (v,))`` summed over batches."""
        _load_forward_mode()
        tree, tangent = self._unflatten(params), self._unflatten(v)
        total = torch.zeros_like(params)
        for x, y in self.batches:
            hv = jvp(grad(self._batch_loss(x, y)), (tree,), (tangent,))[1]
            total += torch.cat([hv[name].reshape(-1) for name in self.names])
        return total

    def hvp(self, params: FloatArray | None, v: FloatArray) -> FloatArray:
        """``H v`` (P,) at a flat parameter vector (P,) (``None``: the model's own)."""
        flat = self.origin if params is None else self._tensor(params)
        out = self.hvp_tensor(flat, self._tensor(v))
        return np.asarray(out.cpu().numpy(), dtype=np.float64)

    def reverse_hvp(self, params: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        """``v -> H v`` at ``params`` by reverse-over-reverse: the gradient's graph is built
        once here (every batch), each product is one backward pass through it."""
        leaves = [t.detach().clone().requires_grad_(True) for t in self._unflatten(params).values()]
        tree = dict(zip(self.names, leaves, strict=True))
        with torch.enable_grad():
            per_batch = [
                torch.autograd.grad(self._batch_loss(x, y)(tree), leaves, create_graph=True)
                for x, y in self.batches
            ]
        grads = [torch.stack(parts).sum(0) for parts in zip(*per_batch, strict=True)]
        live = [k for k, g in enumerate(grads) if g.requires_grad]  # constant pieces: H = 0

        def matvec(v: torch.Tensor) -> torch.Tensor:
            if not live:
                return torch.zeros_like(v)
            tangent = list(self._unflatten(v).values())
            hv = torch.autograd.grad([grads[k] for k in live], leaves,
                                     [tangent[k] for k in live], retain_graph=True,
                                     allow_unused=True)  # fmt: skip
            return torch.cat([(torch.zeros_like(leaf) if h is None else h).reshape(-1)
                              for h, leaf in zip(hv, leaves, strict=True)])  # fmt: skip

        return matvec

    def operator(
        self, params: FloatArray | None = None, problem: str = "", method: str = "reverse"
    ) -> HessianOperator:
        """The Hessian at ``params`` (default: the model's own) as a :class:`HessianOperator`,
        by ``method`` "reverse" (cached graph, faster) or "forward" (jvp of grad, lighter)."""
        flat = self.origin if params is None else self._tensor(params)
        text = problem or f"{type(self._net).__name__} ({self.n_params} parameters)"
        if method == "reverse":
            product = self.reverse_hvp(flat)
        elif method == "forward":
            product = lambda v: self.hvp_tensor(flat, v)  # noqa: E731
        else:
            raise LosslabError("curvature.error_method", value=method)

        def matvec(v: FloatArray) -> FloatArray:
            out = product(self._tensor(v))
            return np.asarray(out.detach().cpu().numpy(), dtype=np.float64)

        return HessianOperator(matvec, self.n_params, self.blocks, text)


def torch_operator(model: nn.Module, loss_fn: LossFn, data: Any, **options: Any) -> HessianOperator:
    """The Hessian of ``loss_fn(model(x), y)`` over ``data`` at the model's parameters.

    ``options`` go to :class:`TorchHessian` (``batch_size``, ``device``, ``dtype``,
    ``train_mode``), except ``method`` ("reverse" or "forward"), which goes to
    :meth:`TorchHessian.operator`. The caller's model is not changed.
    """
    method = options.pop("method", "reverse")
    return TorchHessian(model, loss_fn, data, **options).operator(method=method)
