"""How a :class:`~losslab.adapters.torch_problem.TorchProblem` evaluates a plane: its fast paths.

- ``shortcut``: for an ``nn.Sequential`` that starts with ``nn.Linear``, the first layer is
  linear in the plane coordinates, ``x (W0 + a D1 + c D2)^T = z0 + a z1 + c z2``: the three
  products are computed once per plane, and the tail runs as a plan of plain ``addmm`` and
  in-place activations (no module dispatch per grid point), one point at a time on CPU
  (measured faster than batched matmuls there) and batched with ``vmap`` on a GPU;
- ``vmap``: any model, grid points batched with ``torch.func.vmap(functional_call)``;
- ``loop``: one functional forward pass per point.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch
from torch import nn
from torch.func import functional_call, vmap

if TYPE_CHECKING:
    from losslab.adapters.torch_problem import TorchProblem

Plan = list[tuple[Any, ...]]

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


def _split_params(flat: torch.Tensor, rest: nn.Module) -> dict[str, torch.Tensor]:
    """The tail's parameters by name from its flat vector (..., P_rest)."""
    out, start = {}, 0
    for name, p in rest.named_parameters():
        size = p.numel()
        out[name] = flat[..., start : start + size].reshape(*flat.shape[:-1], *p.shape)
        start += size
    return out


def shortcut_totals(
    problem: TorchProblem,
    split: tuple[nn.Linear, nn.Sequential],
    o: torch.Tensor,
    e1: torch.Tensor,
    e2: torch.Tensor,
    coords: torch.Tensor,
) -> torch.Tensor:
    """Summed losses (m,) over all batches (each times its size), first layer precomputed."""
    first, rest = split
    buffers = {k: v for k, v in rest.named_buffers()}
    w_size, has_bias = first.weight.numel(), first.bias is not None
    offset = w_size + (first.out_features if has_bias else 0)

    def first_layer(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        z = x @ v[:w_size].reshape(first.weight.shape).T
        return z + v[w_size:offset] if has_bias else z

    def rest_loss(flat: torch.Tensor, h: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = functional_call(rest, (_split_params(flat, rest), buffers), (h,))
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
        step = problem.chunk()
        for s in range(0, coords.shape[0], step):
            a = coords[s : s + step, 0, None, None]
            b = coords[s : s + step, 1, None, None]
            flat = tail0 + a[:, :, 0] * tail1 + b[:, :, 0] * tail2
            totals[s : s + step] += batched(flat, z0 + a * z1 + b * z2, y).double() * weight
    return totals


def vmap_totals(
    problem: TorchProblem, o: torch.Tensor, e1: torch.Tensor, e2: torch.Tensor, c: torch.Tensor
) -> torch.Tensor:
    """Summed losses (m,) over all batches, grid points batched with vmap(functional_call)."""

    def point_loss(flat: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return problem.loss_fn(problem.forward(flat, x), y)

    batched = vmap(point_loss, in_dims=(0, None, None))
    totals = torch.zeros(c.shape[0], dtype=torch.float64, device=problem.device)
    step = problem.chunk()
    for s in range(0, c.shape[0], step):
        flats = o + c[s : s + step, :1] * e1 + c[s : s + step, 1:] * e2
        for x, y in problem.batches:
            totals[s : s + step] += batched(flats, x, y).double() * int(x.shape[0])
    return totals
