"""A PyTorch model, a loss and data as a :class:`~losslab.core.problem.Problem`: the one wrapper.

The scan engine treats it like any numpy objective: ``loss``, ``gradient``, ``loss_batch``,
``loss_plane`` and ``loss_grid`` take and return float64 numpy arrays. It also gives
Hessian-vector products (``hvp``, ``hvp_operator``, ``operator``) for the curvature
functions of :mod:`losslab.analysis.curvature`, and losses at many points at once on a
device in a dtype (``loss_batch``, ``vmap`` over stacked parameter sets).

Correctness first: the caller's model is never changed (the problem works on one private
deep copy, or on a model it built itself from a :class:`~losslab.adapters.torch_spec.TorchSpec`),
evaluated in eval mode by default (BatchNorm uses its running statistics); the data are
read once.

Hessian-vector products, both exact, both through ``functional_call`` on the private copy:

- ``"reverse"`` (the default of :meth:`TorchProblem.operator`): the gradient's graph is
  built once at the operator's point (every batch) and each product is one more backward
  pass through it (``autograd.grad(g, params, v)``): fastest per product, at the price of
  keeping that graph in memory while the operator lives;
- ``"forward"`` (and :meth:`TorchProblem.hvp`): nothing is kept between products; each is
  computed batch by batch (the batch's gradient with its graph, then its product with
  ``v``), so memory stays that of one batch's gradient. Earlier releases computed it by
  forward-mode differentiation (``jvp`` of ``grad``), which on current PyTorch loads
  decompositions written with the deprecated ``torch.jit``; both give ``H v`` exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, wraps
from typing import Any, TypeVar, cast

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
    ieee_float32,
    materialize,
    parameter_vector,
    unflatten,
)
from losslab.adapters.torch_plan import (
    chunk_size,
    first_linear,
    point_bytes,
    shortcut_totals,
    stacked_totals,
    vmap_totals,
)
from losslab.analysis.curvature import HessianOperator
from losslab.core.problem import GridFromPlane
from losslab.errors import LosslabError

FloatArray = NDArray[np.float64]

#: How planes (and batches of points) are evaluated; see :mod:`losslab.adapters.torch_plan`.
METHODS = ("auto", "shortcut", "vmap", "loop")
#: How Hessian-vector products are computed (see the module's doc).
HVP_METHODS = ("reverse", "forward")


def loss_name(loss_fn: LossFn) -> str:
    """``CrossEntropyLoss`` for an nn.Module loss, the function's name otherwise."""
    if isinstance(loss_fn, nn.Module):
        return type(loss_fn).__name__
    return str(getattr(loss_fn, "__name__", "loss"))


Method = TypeVar("Method", bound=Callable[..., Any])


def exact(method: Method) -> Method:
    """Run a TorchProblem method in IEEE float32 on a GPU (no TF32, see ieee_float32)."""

    @wraps(method)
    def wrapper(self: TorchProblem, *args: Any, **kwargs: Any) -> Any:
        with ieee_float32(self.device):
            return method(self, *args, **kwargs)

    return cast(Method, wrapper)


@dataclass
class TorchProblem(GridFromPlane):
    """The mean loss of ``model`` over materialised ``data`` at any flat parameter vector (P,).

    ``data`` is a pair of tensors ``(inputs, targets)`` (split into ``batch_size``
    batches, or one) or any iterable of pairs (a ``DataLoader``); the loss is the mean
    over all samples (batch losses weighted by their sizes). The model is evaluated in
    ``dtype`` on ``device`` (default: where its parameters are). ``method`` chooses how
    planes and batches of points are evaluated (see :mod:`losslab.adapters.torch_plan`):
    ``"auto"`` takes the first-layer shortcut where it applies, else vmap on a GPU and
    the loop on CPU. ``chunk`` fixes the grid points per batched pass (default: from
    memory, :func:`~losslab.adapters.torch_plan.chunk_size`). ``copy_model=False`` uses
    ``model`` itself (for a model the caller built only for this, e.g. by
    :class:`~losslab.adapters.torch_spec.TorchSpec`).

    >>> _ = torch.manual_seed(0)
    >>> net, x, y = nn.Linear(3, 2), torch.rand(5, 3), torch.tensor([0, 1, 0, 1, 1])
    >>> problem = TorchProblem(net, nn.functional.cross_entropy, (x, y), dtype=torch.float64)
    >>> problem.n_params, problem.n_samples, problem.describe()["method"]
    (8, 5, 'torch auto')
    >>> points = problem.origin.numpy() + np.random.default_rng(0).normal(size=(4, 8))
    >>> batched = problem.using("vmap").loss_batch(points)  # 4 points in one forward pass
    >>> bool(np.allclose(batched, [problem.loss(p) for p in points], rtol=1e-12))
    True
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
    chunk: int | None = None
    _net: nn.Module = field(init=False, repr=False)
    _names: list[str] = field(init=False, repr=False)
    _shapes: list[torch.Size] = field(init=False, repr=False)
    _buffers: dict[str, torch.Tensor] = field(init=False, repr=False)
    batches: Batches = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_method(self.method)
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
        """Pickled without ``data`` (the batches hold it), without the caller's model, and
        without the chunk size (it depends on the memory where the problem runs)."""
        state = dict(self.__dict__)
        state.update(data=None, model=state["_net"])
        state.pop("chunk_points", None)
        return state

    def using(self, method: str) -> TorchProblem:
        """The same problem evaluating planes by ``method``: a view that shares the model
        copy and the batches (no copy, no second read of the data)."""
        if method == self.method:
            return self
        _check_method(method)
        view = object.__new__(TorchProblem)
        view.__dict__.update(self.__dict__, method=method)
        return view

    # --- sizes -----------------------------------------------------------------------------
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
    def n_samples(self) -> int:
        """The number of samples the loss averages over (all batches together)."""
        return self._total

    @property
    def blocks(self) -> dict[str, slice]:
        """One block per named parameter (``0.weight``, ``0.bias``, ...): slices of (P,)."""
        out, start = {}, 0
        for name, shape in zip(self._names, self._shapes, strict=True):
            out[name] = slice(start, start + math.prod(shape))
            start += math.prod(shape)
        return out

    @property
    def origin(self) -> torch.Tensor:
        """The model's own parameters, flat (P,), in ``dtype`` on ``device``."""
        return parameter_vector(self._net)

    @property
    def on_cpu(self) -> bool:
        return torch.device(str(self.device)).type == "cpu"

    @cached_property
    def chunk_points(self) -> int:
        """Grid points per batched pass: ``chunk``, else from the device's memory over the
        bytes one point needs on the widest batch (measured once, when first needed)."""
        if self.chunk:
            return max(1, int(self.chunk))
        widest = max(self.batches, key=lambda b: int(b[0].shape[0]))[0]
        return chunk_size(point_bytes(self._net, widest), torch.device(str(self.device)))

    # --- the Problem protocol --------------------------------------------------------------
    def _tensor(self, values: ArrayLike | torch.Tensor) -> torch.Tensor:
        return torch.as_tensor(values).to(device=self.device, dtype=self.dtype)

    def forward(self, flat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """The model's output at the flat parameters ``flat`` (P,) or (m, P) for inputs ``x``."""
        params = unflatten(flat, self._names, self._shapes)
        return functional_call(self._net, (params, self._buffers), (x,))  # type: ignore[no-any-return]

    @exact
    @torch.no_grad()
    def loss(self, params: ArrayLike | torch.Tensor) -> float:
        """The mean loss over all data at one flat parameter vector."""
        flat = self._tensor(params)
        total = 0.0
        for x, y in self.batches:
            total += float(self.loss_fn(self.forward(flat, x), y)) * int(x.shape[0])
        return total / self._total

    @exact
    def gradient(
        self, params: ArrayLike | torch.Tensor, batch: NDArray[np.intp] | None = None
    ) -> FloatArray:
        """d loss / d params (P,) by autograd; with ``batch``, over those samples only."""
        flat = self._tensor(params).detach().clone().requires_grad_(True)
        pairs = self.batches
        if batch is not None:
            index = torch.as_tensor(np.array(batch), device=self.device)  # writable copy
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

    @exact
    def loss_batch(self, points: ArrayLike | torch.Tensor) -> FloatArray:
        """The loss at many points (m, P) -> (m,) float64.

        By ``method``: ``"vmap"`` (and ``"auto"`` off the CPU) stacks ``chunk_points``
        points per forward pass, each chunk moved to the device on its own (all m points
        may not fit there); ``"loop"`` (and ``"auto"`` on the CPU) one pass per point.
        """
        if self.method == "loop" or (self.method != "vmap" and self.on_cpu):
            return np.array([self.loss(p) for p in torch.as_tensor(points)])
        pts = torch.as_tensor(points)
        step = self.chunk_points
        with torch.no_grad():
            parts = [stacked_totals(self, pts[s : s + step].to(self.device, self.dtype)).cpu()
                     for s in range(0, pts.shape[0], step)]  # fmt: skip
        totals = torch.cat(parts) if parts else torch.zeros(0, dtype=torch.float64)
        return np.asarray((totals / self._total).numpy())

    @exact
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
        """How planes are evaluated, the loss, the size, the dtype, the device, the samples
        and the BatchNorm mode (a landscape's meta, and its provenance card)."""
        return {"method": f"torch {self.method}", "loss": loss_name(self.loss_fn),
                "n_params": self.n_params, "dtype": str(self.dtype),
                "device": str(self.device), "n_samples": self._total,
                "batchnorm": self.batchnorm_mode()}  # fmt: skip

    def batchnorm_mode(self) -> str:
        """How BatchNorm layers normalise: ``eval (running statistics)`` (the default),
        ``train (batch statistics)``, or ``none`` for a model without them."""
        if not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in self._net.modules()):
            return "none"
        return "train (batch statistics)" if self.train_mode else "eval (running statistics)"

    def device_peak_memory(self) -> int | None:
        """The peak bytes allocated on the problem's CUDA device since the last call, which
        resets the count (``torch.cuda.max_memory_allocated``); None on other devices."""
        device = torch.device(str(self.device))
        if device.type != "cuda":
            return None
        peak = int(torch.cuda.max_memory_allocated(device))
        torch.cuda.reset_peak_memory_stats(device)
        return peak

    # --- curvature: Hessian-vector products ------------------------------------------------
    def _share(self, flat: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The batch's share of the mean loss: its loss times its size over all samples."""
        return self.loss_fn(self.forward(flat, x), y) * (x.shape[0] / self._total)

    @staticmethod
    def _product(grad: torch.Tensor, leaf: torch.Tensor, v: torch.Tensor, retain: bool
                 ) -> torch.Tensor:  # fmt: skip
        """``d <grad, v> / d leaf``: one backward pass through the gradient's graph (zero
        where the gradient does not depend on the parameters)."""
        if not grad.requires_grad:
            return torch.zeros_like(leaf)
        (hv,) = torch.autograd.grad(grad, leaf, v, retain_graph=retain, allow_unused=True)
        return torch.zeros_like(leaf) if hv is None else hv

    def _reverse_hvp(self, params: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        """``v -> H v`` at ``params`` by reverse-over-reverse: the gradient's graph is built
        once here (every batch), each product is one backward pass through it."""
        leaf = params.detach().clone().requires_grad_(True)
        with torch.enable_grad():
            grads = [torch.autograd.grad(self._share(leaf, x, y), leaf, create_graph=True)[0]
                     for x, y in self.batches]  # fmt: skip
            grad = torch.stack(grads).sum(0)
        return lambda v: self._product(grad, leaf, v, retain=True)

    def _fresh_hvp(self, params: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """``H v`` with nothing kept: per batch, its gradient with a graph, then the product."""
        leaf = params.detach().clone().requires_grad_(True)
        total = torch.zeros_like(params)
        for x, y in self.batches:
            with torch.enable_grad():
                (grad,) = torch.autograd.grad(self._share(leaf, x, y), leaf, create_graph=True)
                total += self._product(grad, leaf, v, retain=False).detach()
        return total

    @exact
    def hvp(self, params: ArrayLike | torch.Tensor, v: ArrayLike | torch.Tensor) -> FloatArray:
        """``H v`` (P,) float64 for the Hessian of the mean loss at ``params`` (P,).

        One product, nothing kept (method ``"forward"``); for many products at one point
        :meth:`hvp_operator` is faster.
        """
        out = self._fresh_hvp(self._tensor(params), self._tensor(v))
        return np.asarray(out.cpu().numpy(), dtype=np.float64)

    def hvp_operator(
        self, params: ArrayLike | torch.Tensor | None = None, method: str = "reverse"
    ) -> Callable[[FloatArray], FloatArray]:
        """``v (P,) -> H v (P,)`` (float64 numpy) at ``params`` (default: the model's own).

        ``method``: ``"reverse"`` builds the gradient's graph here once and reuses it for
        every product (fast; the graph lives as long as the returned function);
        ``"forward"`` computes each product afresh (memory of one batch's gradient).
        """
        flat = self.origin if params is None else self._tensor(params)
        if method == "reverse":
            with ieee_float32(self.device):
                product = self._reverse_hvp(flat)
        elif method == "forward":
            product = lambda v: self._fresh_hvp(flat, v)  # noqa: E731
        else:
            raise LosslabError("curvature.error_method", value=method)

        def matvec(v: FloatArray) -> FloatArray:
            with ieee_float32(self.device):
                out = product(self._tensor(v))
            return np.asarray(out.detach().cpu().numpy(), dtype=np.float64)

        return matvec

    def operator(
        self,
        params: ArrayLike | torch.Tensor | None = None,
        problem: str = "",
        method: str = "reverse",
    ) -> HessianOperator:
        """The Hessian at ``params`` (default: the model's own) as a :class:`HessianOperator`
        with one block per named parameter, by ``method`` (see :meth:`hvp_operator`);
        ``problem`` describes it (default: the model's class and size)."""
        text = problem or f"{type(self._net).__name__} ({self.n_params} parameters)"
        return HessianOperator(self.hvp_operator(params, method), self.n_params, self.blocks, text)


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise LosslabError("error.torch_method", name=method, names=", ".join(METHODS))


def hessian_operator(
    model: nn.Module,
    loss_fn: LossFn,
    data: Data,
    params: ArrayLike | torch.Tensor | None = None,
    method: str = "reverse",
    **options: Any,
) -> HessianOperator:
    """The Hessian (P, P) of the mean of ``loss_fn(model(x), y)`` over ``data``, as an operator.

    At ``params`` (P,) (default: the model's own parameters), for the functions of
    :mod:`losslab.analysis.curvature` (``top_eigenvalues``, ``hutchinson_trace``,
    ``spectral_density``, ``block_curvature``); one block per named parameter.
    ``method`` is ``"reverse"`` (fast, keeps the gradient's graph) or ``"forward"``
    (lighter). ``options`` go to :class:`TorchProblem` (``batch_size``, ``device``,
    ``dtype``: float64 unless given, ``train_mode``). The caller's model is not changed.

    >>> from losslab.analysis.curvature import top_eigenvalues
    >>> net = nn.Linear(2, 1, bias=False)
    >>> x, y = torch.tensor([[1.0, 0.0], [0.0, 2.0]]), torch.zeros(2, 1)
    >>> op = hessian_operator(net, nn.MSELoss(), (x, y))  # H = (2/n) X^T X = diag(1, 4)
    >>> op.matvec(np.array([1.0, 1.0])).tolist(), op.blocks
    ([1.0, 4.0], {'weight': slice(0, 2, None)})
    >>> top_eigenvalues(op, k=1).lambda_max
    4.0
    """
    options.setdefault("dtype", torch.float64)
    return TorchProblem(model, loss_fn, data, **options).operator(params, method=method)


#: The name of earlier releases; the same class.
TorchObjective = TorchProblem
