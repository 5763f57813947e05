"""GPU batches: the loss of a PyTorch model at many grid points in one forward pass.

The parameter sets of a chunk of grid points are stacked, (m, P), and evaluated together
with ``torch.func.vmap(functional_call)``: one batched kernel per layer instead of m small
ones, which is what keeps a GPU busy. Buffers (BatchNorm's running statistics) are shared
by all points, so a model with BatchNorm works in eval mode, the mode landscapes use.

The chunk size comes from memory: on CUDA from the free memory that
``torch.cuda.mem_get_info`` reports (half of it), elsewhere from a fixed budget
(:data:`CPU_BUDGET_BYTES`), divided by what one grid point needs (its parameters plus its
activations over one data batch, measured by one forward pass with hooks).

>>> import torch
>>> from torch import nn
>>> _ = torch.manual_seed(0)
>>> net, x, y = nn.Linear(3, 2), torch.rand(5, 3), torch.tensor([0, 1, 0, 1, 1])
>>> batched = BatchedLoss(net, nn.functional.cross_entropy, (x, y), dtype=torch.float64)
>>> flats = batched.origin + torch.randn(4, batched.n_params, dtype=torch.float64)
>>> bool(torch.allclose(batched.losses(flats), batched.loop(flats), rtol=1e-12))
True
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn
from torch.func import functional_call, vmap

from losslab.adapters.torch_files import Data, frozen_copy, materialize

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

#: Bytes one chunk of grid points may use on a device without a free-memory query (CPU).
CPU_BUDGET_BYTES = 256 * 2**20
#: The share of the free CUDA memory one chunk may use (the rest: the allocator, other work).
CUDA_FREE_SHARE = 0.5
#: Temporaries of a forward pass (pre-activations, softmax) on top of the module outputs.
OVERHEAD = 3
#: Never more grid points per chunk than this (beyond it a GPU is busy anyway).
MAX_CHUNK = 4096


def chunk_size(per_point_bytes: int, device: torch.device | str = "cpu") -> int:
    """Grid points per chunk: the memory budget of ``device`` over the bytes one point needs.

    >>> chunk_size(2**20, "cpu"), chunk_size(2**40, "cpu"), chunk_size(1, "cpu")
    (256, 1, 4096)
    """
    dev = torch.device(device)
    if dev.type == "cuda":
        free, _ = torch.cuda.mem_get_info(dev)
        budget = int(free * CUDA_FREE_SHARE)
    else:
        budget = CPU_BUDGET_BYTES
    return max(1, min(MAX_CHUNK, budget // max(1, int(per_point_bytes))))


@torch.no_grad()
def point_bytes(net: nn.Module, x: torch.Tensor) -> int:
    """Bytes one grid point needs on inputs ``x``: parameters + OVERHEAD x module outputs."""
    sizes: list[int] = []

    def record(_module: nn.Module, _inputs: object, output: object) -> None:
        if isinstance(output, torch.Tensor):
            sizes.append(output.numel() * output.element_size())

    leaves = [m for m in net.modules() if not list(m.children())]
    handles = [m.register_forward_hook(record) for m in leaves]
    try:
        net(x)
    finally:
        for handle in handles:
            handle.remove()
    params = sum(p.numel() * p.element_size() for p in net.parameters())
    return params + OVERHEAD * (sum(sizes) + x.numel() * x.element_size())


class BatchedLoss:
    """The mean loss of ``model`` over ``data`` at many flat parameter vectors (m, P) at once.

    Works on a private copy of the model in eval mode, in ``dtype`` on ``device`` (the
    model's own device by default); losses come back as float64 (m,) on the CPU.
    ``chunk`` fixes the grid points per forward pass (default: from memory, see
    :func:`chunk_size`).
    """

    def __init__(
        self,
        model: nn.Module,
        loss_fn: LossFn,
        data: Data,
        device: torch.device | str | None = None,
        dtype: torch.dtype = torch.float32,
        batch_size: int | None = None,
        chunk: int | None = None,
    ) -> None:
        net, self.device = frozen_copy(model, device, dtype)  # eval mode
        self.dtype = dtype
        self.net = net
        self.loss_fn = loss_fn
        self.names = [name for name, _ in net.named_parameters()]
        self.shapes = [p.shape for _, p in net.named_parameters()]
        self.buffers = dict(net.named_buffers())
        self.batches = materialize(data, batch_size, self.device, dtype)
        self.total = sum(int(x.shape[0]) for x, _ in self.batches)
        widest = max(self.batches, key=lambda b: int(b[0].shape[0]))[0]
        self.chunk = int(chunk) if chunk else chunk_size(point_bytes(net, widest), self.device)

    @property
    def n_params(self) -> int:
        return sum(math.prod(s) for s in self.shapes)

    @property
    def origin(self) -> torch.Tensor:
        """The model's own parameters, flat (P,), in ``dtype`` on ``device``."""
        return torch.cat([p.reshape(-1) for p in self.net.parameters()])

    def _unflatten(self, flat: torch.Tensor) -> dict[str, torch.Tensor]:
        out, start = {}, 0
        for name, shape in zip(self.names, self.shapes, strict=True):
            size = math.prod(shape)
            out[name] = flat[..., start : start + size].reshape(*flat.shape[:-1], *shape)
            start += size
        return out

    def _point_loss(self, flat: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = functional_call(self.net, (self._unflatten(flat), self.buffers), (x,))
        return self.loss_fn(out, y)

    @torch.no_grad()
    def _chunk_losses(self, flats: torch.Tensor) -> torch.Tensor:
        batched = vmap(self._point_loss, in_dims=(0, None, None))
        totals = torch.zeros(flats.shape[0], dtype=torch.float64, device=self.device)
        for x, y in self.batches:
            totals += batched(flats, x, y).double() * int(x.shape[0])
        return totals / self.total

    def losses(self, flats: torch.Tensor) -> torch.Tensor:
        """Losses (m,) float64 at flat parameter vectors (m, P), ``chunk`` points per pass."""
        step = self.chunk  # each chunk moves to the device on its own: (m, P) may not fit
        parts = [self._chunk_losses(flats[s : s + step].to(self.device, self.dtype)).cpu()
                 for s in range(0, flats.shape[0], step)]  # fmt: skip
        return torch.cat(parts) if parts else torch.zeros(0, dtype=torch.float64)

    def plane(
        self, origin: torch.Tensor, d1: torch.Tensor, d2: torch.Tensor, coords: torch.Tensor
    ) -> torch.Tensor:
        """Losses (m,) at ``origin + a*d1 + c*d2`` for coords (m, 2); points made per chunk."""
        o, e1, e2 = (t.to(self.device, self.dtype) for t in (origin, d1, d2))
        c = coords.to(self.device, self.dtype)
        parts = []
        for s in range(0, c.shape[0], self.chunk):
            a, b = c[s : s + self.chunk, :1], c[s : s + self.chunk, 1:]
            parts.append(self._chunk_losses(o + a * e1 + b * e2).cpu())
        return torch.cat(parts) if parts else torch.zeros(0, dtype=torch.float64)

    @torch.no_grad()
    def loop(self, flats: torch.Tensor) -> torch.Tensor:
        """The same losses one point at a time (a plain functional forward per point)."""
        pts = flats.to(self.device, self.dtype)
        out = torch.zeros(pts.shape[0], dtype=torch.float64)
        for k in range(pts.shape[0]):
            total = 0.0
            for x, y in self.batches:
                total += float(self._point_loss(pts[k], x, y)) * int(x.shape[0])
            out[k] = total / self.total
        return out
