"""How a :class:`~losslab.adapters.torch_problem.TorchProblem` evaluates a plane: its fast paths.

- ``shortcut``: for an ``nn.Sequential`` that starts with ``nn.Linear``, the first layer is
  linear in the plane coordinates, ``x (W0 + a D1 + c D2)^T = z0 + a z1 + c z2``: the three
  products are computed once per plane, and the tail runs as a plan of plain ``addmm`` and
  in-place activations (no module dispatch per grid point), one point at a time on CPU
  (measured faster than batched matmuls there) and batched with ``vmap`` on a GPU;
- ``vmap``: any model, grid points batched with ``torch.func.vmap(functional_call)``:
  the parameter sets of a chunk of points are stacked, (m, P), one batched kernel per
  layer instead of m small ones, which is what keeps a GPU busy. Buffers (BatchNorm's
  running statistics) are shared by all points, so BatchNorm works in eval mode;
- ``loop``: one functional forward pass per point.

The one chunk rule (:func:`chunk_size`): grid points per batched pass are the memory
budget of the device (on CUDA half of the free memory ``torch.cuda.mem_get_info``
reports, elsewhere :data:`CPU_BUDGET_BYTES`) over the bytes one point needs
(:func:`point_bytes`: its parameters and its activations over one data batch, measured
by one forward pass with hooks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import torch
from torch import nn
from torch.func import functional_call, vmap

from losslab.adapters.torch_files import Batches, LossFn, unflatten

Plan = list[tuple[Any, ...]]

#: Bytes one chunk of grid points may use on a device without a free-memory query (CPU).
CPU_BUDGET_BYTES = 256 * 2**20
#: The share of the free CUDA memory one chunk may use (the rest: the allocator, other work).
CUDA_FREE_SHARE = 0.5
#: Temporaries of a forward pass (pre-activations, softmax) on top of the module outputs.
OVERHEAD = 3
#: Never more grid points per chunk than this (beyond it a GPU is busy anyway).
MAX_CHUNK = 4096


class Evaluated(Protocol):
    """What the plans read from a problem: a
    :class:`~losslab.adapters.torch_problem.TorchProblem`."""

    @property
    def batches(self) -> Batches: ...

    @property
    def loss_fn(self) -> LossFn: ...

    @property
    def device(self) -> torch.device | str | None: ...

    @property
    def on_cpu(self) -> bool: ...

    @property
    def chunk_points(self) -> int: ...

    def forward(self, flat: torch.Tensor, x: torch.Tensor) -> torch.Tensor: ...


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


_ACTIVATIONS: dict[type[nn.Module], Callable[[torch.Tensor], torch.Tensor]] = {
    nn.ReLU: torch.relu_,
    nn.Tanh: torch.tanh_,
    nn.Sigmoid: torch.sigmoid_,
}


def first_linear(net: nn.Module, names: list[str]) -> tuple[nn.Linear, nn.Sequential] | None:
    """(first layer, the rest) when the model is nn.Sequential starting with nn.Linear."""
    if isinstance(net, nn.Sequential) and len(net) > 1 and isinstance(net[0], nn.Linear):
        if names[:2] == ["0.weight", "0.bias"] or names[:1] == ["0.weight"]:
            return net[0], nn.Sequential(*list(net)[1:])
    return None


def make_plan(rest: nn.Module) -> Plan | None:
    """Steps ``("linear", w_slice, shape, b_slice)`` / ``("act", fn)`` for a tail made only of
    nn.Linear and ReLU/Tanh/Sigmoid layers (in order), else None."""
    if not isinstance(rest, nn.Sequential):
        return None
    steps: Plan = []
    start = 0
    for module in rest:
        if isinstance(module, nn.Linear):
            w = module.weight.numel()
            bias = module.bias.numel() if module.bias is not None else 0
            steps.append(("linear", slice(start, start + w), module.weight.shape,
                          slice(start + w, start + w + bias) if bias else None))  # fmt: skip
            start += w + bias
        elif type(module) in _ACTIVATIONS:
            steps.append(("act", _ACTIVATIONS[type(module)]))
        else:
            return None
    return steps


def run_plan(plan: Plan, flat: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """The tail's output for its parameters ``flat`` and input ``h`` (which it overwrites)."""
    for step in plan:
        if step[0] == "act":
            h = step[1](h)
        else:
            _, w_slice, shape, b_slice = step
            weight = flat[w_slice].view(shape)
            h = h @ weight.T if b_slice is None else torch.addmm(flat[b_slice], h, weight.T)
    return h


def shortcut_totals(
    problem: Evaluated,
    split: tuple[nn.Linear, nn.Sequential],
    o: torch.Tensor,
    e1: torch.Tensor,
    e2: torch.Tensor,
    coords: torch.Tensor,
) -> torch.Tensor:
    """Summed losses (m,) over all batches (each times its size), first layer precomputed."""
    first, rest = split
    buffers = {k: v for k, v in rest.named_buffers()}
    names = [name for name, _ in rest.named_parameters()]
    shapes = [p.shape for _, p in rest.named_parameters()]
    w_size, has_bias = first.weight.numel(), first.bias is not None
    offset = w_size + (first.out_features if has_bias else 0)

    def first_layer(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        z = x @ v[:w_size].reshape(first.weight.shape).T
        return z + v[w_size:offset] if has_bias else z

    def rest_loss(flat: torch.Tensor, h: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = functional_call(rest, (unflatten(flat, names, shapes), buffers), (h,))
        return problem.loss_fn(out, y)

    totals = torch.zeros(coords.shape[0], dtype=torch.float64, device=problem.device)
    tail0, tail1, tail2 = o[offset:], e1[offset:], e2[offset:]
    plan = make_plan(rest)
    for x, y in problem.batches:
        z0, z1, z2 = first_layer(x, o), first_layer(x, e1), first_layer(x, e2)
        weight = int(x.shape[0])
        if problem.on_cpu:  # one point at a time: plain 2D products (see the module doc)
            h = torch.empty_like(z0)
            for k, (a, b) in enumerate(coords.tolist()):
                torch.add(z0, z1, alpha=a, out=h).add_(z2, alpha=b)
                flat = torch.add(tail0, tail1, alpha=a).add_(tail2, alpha=b)
                out = run_plan(plan, flat, h) if plan is not None else None
                value = (
                    problem.loss_fn(out, y) if out is not None else rest_loss(flat, h.clone(), y)
                )
                totals[k] += float(value) * weight
            continue
        batched = vmap(rest_loss, in_dims=(0, 0, None))
        step = problem.chunk_points
        for s in range(0, coords.shape[0], step):
            a = coords[s : s + step, 0, None, None]
            b = coords[s : s + step, 1, None, None]
            flat = tail0 + a[:, :, 0] * tail1 + b[:, :, 0] * tail2
            totals[s : s + step] += batched(flat, z0 + a * z1 + b * z2, y).double() * weight
    return totals


def stacked_totals(problem: Evaluated, flats: torch.Tensor) -> torch.Tensor:
    """Summed losses (m,) float64 over all batches (each times its size) at the stacked flat
    parameter vectors (m, P) of one chunk, by ``vmap(functional_call)``."""

    def point_loss(flat: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return problem.loss_fn(problem.forward(flat, x), y)

    batched = vmap(point_loss, in_dims=(0, None, None))
    totals = torch.zeros(flats.shape[0], dtype=torch.float64, device=problem.device)
    for x, y in problem.batches:
        totals += batched(flats, x, y).double() * int(x.shape[0])
    return totals


def vmap_totals(
    problem: Evaluated, o: torch.Tensor, e1: torch.Tensor, e2: torch.Tensor, c: torch.Tensor
) -> torch.Tensor:
    """Summed losses (m,) over all batches at the plane's points, a chunk of points per pass
    (each chunk's parameter sets made on the device as they are needed)."""
    step = problem.chunk_points
    parts = [stacked_totals(problem, o + c[s : s + step, :1] * e1 + c[s : s + step, 1:] * e2)
             for s in range(0, c.shape[0], step)]  # fmt: skip
    return torch.cat(parts) if parts else torch.zeros(0, dtype=torch.float64, device=o.device)
