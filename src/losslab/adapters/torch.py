"""Landscapes of real PyTorch networks (``pip install 'losslab[torch]'``), as in Li et al. 2018.

Scan the loss of any ``torch.nn.Module`` along a line, over a plane, or in the
plane of a training trajectory, and get the same :class:`~losslab.landscape.Landscape`
as the rest of losslab (so the same figures draw it).

Correctness first:

- the caller's model is never changed: losslab works on a deep copy (its
  parameters, buffers, ``requires_grad`` flags and train/eval mode stay as they
  were), evaluated in eval mode by default (BatchNorm uses its running statistics);
- directions are seeded; filter normalisation follows the paper's code: each
  filter (slice along the first dimension) of a direction gets the norm of the
  matching filter of the weights; one-dimensional parameters (biases, BatchNorm)
  are zeroed with ``ignore="biasbn"`` or else set to the weights themselves.

Then speed: the data are materialised once (a DataLoader is iterated once, not
per grid point), grid points are evaluated many at a time with
``torch.func.vmap(functional_call)``, a model that starts with ``nn.Linear``
(inside ``nn.Sequential``) uses the first layer's linearity in the plane
coordinates, float32 by default, on the model's device. Long scans show a
progress bar with an ETA and can write their results as they go, to resume.

Li, Xu, Taylor, Studer, Goldstein (2018), "Visualizing the Loss Landscape of
Neural Nets", NeurIPS.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn
from torch.func import functional_call, vmap
from tqdm import tqdm

from losslab.errors import LosslabError
from losslab.landscape.directions import PCAPlane, pca_directions
from losslab.landscape.result import Landscape

FloatArray = NDArray[np.float64]
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Data = Any  # (inputs, targets) tensors, or an iterable of (inputs, targets) batches

#: Bytes of activations one chunk of grid points may hold (per batch of data).
CHUNK_BYTES = 64 * 2**20


def materialize(
    data: Data,
    batch_size: int | None = None,
    device: torch.device | None = None,
    dtype: torch.dtype = torch.float32,
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The data as a list of (inputs, targets) batches on ``device``: read once, reused.

    ``data`` is a pair of tensors (split into ``batch_size`` batches, or one) or
    any iterable of pairs such as a ``DataLoader``.
    """
    if isinstance(data, tuple | list) and len(data) == 2 and all(
        isinstance(t, torch.Tensor) for t in data
    ):  # fmt: skip
        x, y = data
        if x.shape[0] != y.shape[0]:
            raise LosslabError(
                "error.torch_data", detail=f"{x.shape[0]} inputs, {y.shape[0]} targets"
            )
        size = x.shape[0] if batch_size is None else int(batch_size)
        pairs: Iterable[Any] = [
            (x[i : i + size], y[i : i + size]) for i in range(0, x.shape[0], size)
        ]
    else:
        pairs = data
    batches = []
    try:
        for pair in pairs:
            x, y = pair[0], pair[1]
            x = x.to(device=device, dtype=dtype) if x.is_floating_point() else x.to(device)
            y = y.to(device=device, dtype=dtype) if y.is_floating_point() else y.to(device)
            batches.append((x, y))
    except (TypeError, IndexError, AttributeError) as exc:
        raise LosslabError("error.torch_data", detail=str(exc)) from None
    if not batches:
        raise LosslabError("error.torch_data", detail="no batches")
    return batches


def parameter_vector(model: nn.Module) -> torch.Tensor:
    """All parameters of ``model`` as one flat vector (in ``named_parameters`` order)."""
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def state_vector(model: nn.Module, state_dict: dict[str, torch.Tensor]) -> torch.Tensor:
    """The parameters held in a checkpoint's ``state_dict``, flat, in the model's order."""
    try:
        return torch.cat([state_dict[name].detach().reshape(-1).to(torch.float64)
                          for name, _ in model.named_parameters()])  # fmt: skip
    except KeyError as exc:
        raise LosslabError("error.torch_checkpoint", name=str(exc)) from None


@dataclass
class TorchObjective:
    """The loss of a model over materialised data, at any flat parameter vector.

    Holds a private deep copy of ``model`` (in eval mode unless ``train_mode``);
    the caller's model is never touched.
    """

    model: nn.Module
    loss_fn: LossFn
    data: Data
    batch_size: int | None = None
    device: torch.device | str | None = None
    dtype: torch.dtype = torch.float32
    train_mode: bool = False
    _net: nn.Module = field(init=False, repr=False)
    _names: list[str] = field(init=False, repr=False)
    _shapes: list[torch.Size] = field(init=False, repr=False)
    _buffers: dict[str, torch.Tensor] = field(init=False, repr=False)
    batches: list[tuple[torch.Tensor, torch.Tensor]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.device is None:
            first = next(self.model.parameters(), None)
            self.device = first.device if first is not None else torch.device("cpu")
        self.device = torch.device(self.device)
        net = copy.deepcopy(self.model).to(device=self.device, dtype=self.dtype)
        net.train(self.train_mode)
        for p in net.parameters():
            p.requires_grad_(False)
        self._net = net
        self._names = [name for name, _ in net.named_parameters()]
        self._shapes = [p.shape for _, p in net.named_parameters()]
        self._buffers = dict(net.named_buffers())
        self.batches = materialize(self.data, self.batch_size, self.device, self.dtype)
        self._total = sum(int(x.shape[0]) for x, _ in self.batches)

    @property
    def n_params(self) -> int:
        return sum(math.prod(s) for s in self._shapes)

    @property
    def origin(self) -> torch.Tensor:
        """The model's own parameters, flat."""
        return parameter_vector(self._net)

    def _unflatten(self, flat: torch.Tensor) -> dict[str, torch.Tensor]:
        out, start = {}, 0
        lead = flat.shape[:-1]
        for name, shape in zip(self._names, self._shapes, strict=True):
            size = math.prod(shape)
            out[name] = flat[..., start : start + size].reshape(*lead, *shape)
            start += size
        return out

    @torch.no_grad()
    def loss(self, theta: torch.Tensor | FloatArray) -> float:
        """The mean loss over all data at one flat parameter vector."""
        flat = torch.as_tensor(theta, device=self.device, dtype=self.dtype)
        params = self._unflatten(flat)
        total = 0.0
        for x, y in self.batches:
            out = functional_call(self._net, (params, self._buffers), (x,))
            total += float(self.loss_fn(out, y)) * int(x.shape[0])
        return total / self._total

    def _widest(self) -> int:
        """A rough count of floats per sample in the widest activation (for chunk sizes)."""
        widths = [int(m.out_features) for m in self._net.modules() if isinstance(m, nn.Linear)]
        widths += [int(p.shape[0]) for p in self._net.parameters() if p.dim() > 1]
        return max(widths, default=1) * 2

    def _chunk(self) -> int:
        biggest = max(int(x.shape[0]) for x, _ in self.batches)
        per_point = biggest * self._widest() * torch.finfo(self.dtype).bits // 8
        return max(1, min(1024, CHUNK_BYTES // max(1, per_point)))

    def _first_linear(self) -> tuple[nn.Linear, nn.Module] | None:
        """(first layer, the rest) when the model is nn.Sequential starting with nn.Linear."""
        net = self._net
        if isinstance(net, nn.Sequential) and len(net) > 1 and isinstance(net[0], nn.Linear):
            if self._names[:2] == ["0.weight", "0.bias"] or self._names[:1] == ["0.weight"]:
                return net[0], nn.Sequential(*list(net)[1:])
        return None

    @torch.no_grad()
    def loss_plane(
        self,
        origin: torch.Tensor,
        d1: torch.Tensor,
        d2: torch.Tensor,
        coords: torch.Tensor,
        method: str = "auto",
    ) -> torch.Tensor:
        """Losses (m,) at ``origin + a*d1 + c*d2`` for coords (m, 2), many points at once.

        ``method``: ``"shortcut"`` (first layer linear in (a, c), computed once;
        needs an nn.Sequential starting with nn.Linear; the rest one point at a
        time on CPU, batched with vmap on a GPU), ``"vmap"`` (grid points batched
        with vmap), ``"loop"`` (one functional forward per point), or ``"auto"``:
        the shortcut where it applies, else vmap on a GPU and the loop on CPU
        (on CPU, vmap's batched matmuls measured slower than one matmul per point).
        """
        o, e1, e2 = (t.to(self.device, self.dtype) for t in (origin, d1, d2))
        c = coords.to(self.device, self.dtype)
        split = self._first_linear()
        on_cpu = torch.device(str(self.device)).type == "cpu"
        if method == "auto":
            fallback = "loop" if on_cpu else "vmap"
            method = "shortcut" if split is not None else fallback
        if method == "loop":
            return torch.tensor([self.loss(o + a * e1 + b * e2) for a, b in c.tolist()],
                                dtype=torch.float64)  # fmt: skip
        totals = torch.zeros(c.shape[0], dtype=torch.float64, device=self.device)
        if method == "shortcut" and split is not None:
            first, rest = split
            rest_buffers = {k.split(".", 1)[1] if "." in k else k: v for k, v in
                            dict(rest.named_buffers()).items()}  # fmt: skip
            names = [n for n, _ in rest.named_parameters()]
            w_size = first.weight.numel()
            has_bias = first.bias is not None

            def pieces(v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
                w = v[:w_size].reshape(first.weight.shape)
                b = v[w_size : w_size + first.out_features] if has_bias else None
                return w, b

            offset = w_size + (first.out_features if has_bias else 0)
            (w0, b0), (w1, b1), (w2, b2) = pieces(o), pieces(e1), pieces(e2)

            def rest_loss(flat: torch.Tensor, h: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
                params = self._rest_params(flat, names, rest)
                return self.loss_fn(functional_call(rest, (params, rest_buffers), (h,)), y)

            batched_rest = vmap(rest_loss, in_dims=(0, 0, None))
            one_at_a_time = on_cpu  # measured faster than vmap on CPU (see the README)
            for x, y in self.batches:
                z0 = x @ w0.T + (b0 if b0 is not None else 0)
                z1 = x @ w1.T + (b1 if b1 is not None else 0)
                z2 = x @ w2.T + (b2 if b2 is not None else 0)
                weight = int(x.shape[0])
                if one_at_a_time:
                    tail0, tail1, tail2 = o[offset:], e1[offset:], e2[offset:]
                    plan = _plan(rest)
                    h = torch.empty_like(z0)
                    for k, (a, b) in enumerate(c.tolist()):
                        torch.add(z0, z1, alpha=a, out=h).add_(z2, alpha=b)
                        flat = torch.add(tail0, tail1, alpha=a).add_(tail2, alpha=b)
                        if plan is not None:
                            out = _run_plan(plan, flat, h)
                            totals[k] += float(self.loss_fn(out, y)) * weight
                        else:
                            totals[k] += float(rest_loss(flat, h.clone(), y)) * weight
                    continue
                step = self._chunk()
                for s in range(0, c.shape[0], step):
                    a = c[s : s + step, 0, None, None]
                    b = c[s : s + step, 1, None, None]
                    h = z0 + a * z1 + b * z2
                    flat = o[offset:] + a[:, :, 0] * e1[offset:] + b[:, :, 0] * e2[offset:]
                    totals[s : s + step] += batched_rest(flat, h, y).double() * weight
            return (totals / self._total).cpu()

        def point_loss(flat: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            params = self._unflatten(flat)
            return self.loss_fn(functional_call(self._net, (params, self._buffers), (x,)), y)

        batched_all = vmap(point_loss, in_dims=(0, None, None))
        step = self._chunk()
        for s in range(0, c.shape[0], step):
            flats = o + c[s : s + step, :1] * e1 + c[s : s + step, 1:] * e2
            for x, y in self.batches:
                totals[s : s + step] += batched_all(flats, x, y).double() * int(x.shape[0])
        return (totals / self._total).cpu()

    def _rest_params(
        self, flat: torch.Tensor, names: list[str], rest: nn.Module
    ) -> dict[str, torch.Tensor]:
        out, start = {}, 0
        for name, p in zip(names, rest.parameters(), strict=True):
            size = p.numel()
            out[name] = flat[..., start : start + size].reshape(*flat.shape[:-1], *p.shape)
            start += size
        return out


# --- a plain-op plan for nn.Sequential tails (no module dispatch per grid point) ---------------
_ACTIVATIONS: dict[type[nn.Module], Callable[[torch.Tensor], torch.Tensor]] = {
    nn.ReLU: torch.relu_,
    nn.Tanh: torch.tanh_,
    nn.Sigmoid: torch.sigmoid_,
}


def _plan(rest: nn.Module) -> list[tuple[Any, ...]] | None:
    """Steps ``("linear", w_slice, shape, b_slice)`` / ``("act", fn)`` for a tail made only of
    nn.Linear and ReLU/Tanh/Sigmoid layers (in order), else None."""
    if not isinstance(rest, nn.Sequential):
        return None
    steps: list[tuple[Any, ...]] = []
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


def _run_plan(plan: list[tuple[Any, ...]], flat: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """The tail's output for its parameters ``flat`` and input ``h`` (which it overwrites)."""
    for step in plan:
        if step[0] == "act":
            h = step[1](h)
        else:
            _, w_slice, shape, b_slice = step
            weight = flat[w_slice].view(shape)
            if b_slice is None:
                h = h @ weight.T
            else:
                h = torch.addmm(flat[b_slice], h, weight.T)
    return h


# --- directions ------------------------------------------------------------------------------
Ignore = Literal["biasbn", "none"]


def random_direction(
    model: nn.Module, seed: int = 0, ignore: Ignore = "biasbn", normalize: bool = True
) -> torch.Tensor:
    """One seeded Gaussian direction (P,), filter-normalised as in Li et al.'s code.

    For each parameter tensor ``w`` with more than one dimension, each filter
    ``d[i]`` is scaled to ``||w[i]|| / (||d[i]|| + 1e-10)`` times itself; a
    one-dimensional parameter is zeroed (``ignore="biasbn"``) or set to ``w``.
    """
    generator = torch.Generator().manual_seed(int(seed))
    parts = []
    for param in model.parameters():
        w = param.detach().to("cpu", torch.float64)
        d = torch.randn(w.shape, generator=generator, dtype=torch.float64)
        if normalize:
            if w.dim() <= 1:
                d = torch.zeros_like(w) if ignore == "biasbn" else w.clone()
            else:
                for i in range(d.shape[0]):
                    d[i] *= w[i].norm() / (d[i].norm() + 1e-10)
        parts.append(d.reshape(-1))
    return torch.cat(parts)


@dataclass(frozen=True)
class TrajectoryPlane:
    """A landscape in the PCA plane of checkpoints, with the checkpoints' coordinates."""

    landscape: Landscape
    coords: FloatArray  # (T, 2)
    pca: PCAPlane


# --- scans -------------------------------------------------------------------------------------
def _loss_name(loss_fn: LossFn) -> str:
    """``CrossEntropyLoss`` for an nn.Module loss, the function's name otherwise."""
    if isinstance(loss_fn, nn.Module):
        return type(loss_fn).__name__
    return str(getattr(loss_fn, "__name__", "loss"))


def _digest(*arrays: Any) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(np.asarray(a, dtype=np.float64)).tobytes())
    return h.hexdigest()


def scan_plane(
    model: nn.Module,
    loss_fn: LossFn,
    data: Data,
    directions: tuple[torch.Tensor, torch.Tensor] | Literal["random"] = "random",
    span: float = 1.0,
    points: int = 51,
    seed: int = 0,
    ignore: Ignore = "biasbn",
    origin: torch.Tensor | None = None,
    batch_size: int | None = None,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
    method: str = "auto",
    progress: bool = False,
    resume: str | Path | None = None,
    axes: tuple[FloatArray, FloatArray] | None = None,
    objective: TorchObjective | None = None,
) -> Landscape:
    """The loss on a ``points x points`` grid of ``origin + a*d1 + c*d2``, a, c in [-span, span].

    ``directions="random"`` draws two filter-normalised directions (seeds
    ``seed`` and ``seed + 1``). With ``resume`` (a .npz path) the values are
    written after each row; a scan interrupted and started again with the same
    arguments continues where it stopped.
    """
    obj = objective or TorchObjective(model, loss_fn, data, batch_size, device, dtype)
    o = obj.origin.double().cpu() if origin is None else torch.as_tensor(origin).double().cpu()
    if directions == "random":
        d1 = random_direction(model, seed, ignore)
        d2 = random_direction(model, seed + 1, ignore)
    else:
        d1, d2 = (torch.as_tensor(d).double().cpu().reshape(-1) for d in directions)
    if d1.numel() != o.numel() or d2.numel() != o.numel():
        raise LosslabError("error.torch_direction", got=d1.numel(), expected=o.numel())
    if axes is None:
        if not (3 <= points <= 1001) or not (math.isfinite(span) and span > 0):
            raise LosslabError("error.net_points", value=points, limit=1001)
        a = np.linspace(-span, span, points)
        axes = (a, a.copy())
    a_axis, c_axis = np.asarray(axes[0], dtype=np.float64), np.asarray(axes[1], dtype=np.float64)
    values = np.full((c_axis.size, a_axis.size), np.nan)
    key = _digest(o.numpy(), d1.numpy(), d2.numpy(), a_axis, c_axis)
    if resume is not None and Path(resume).exists():
        with np.load(resume, allow_pickle=False) as z:
            if str(z["key"]) != key:
                raise LosslabError("error.torch_resume", path=str(resume))
            values = z["values"].copy()
    rows = [j for j in range(c_axis.size) if np.isnan(values[j]).any()]
    bar = tqdm(total=values.size, initial=values.size - len(rows) * a_axis.size,
               disable=not progress, unit="pt", desc="losslab")  # fmt: skip
    for j in rows:
        coords = torch.tensor(np.column_stack([a_axis, np.full(a_axis.size, c_axis[j])]))
        values[j] = obj.loss_plane(o, d1, d2, coords, method).numpy()
        bar.update(a_axis.size)
        if resume is not None:
            tmp = Path(str(resume) + ".tmp.npz")
            np.savez(tmp, values=values, key=np.array(key))
            os.replace(tmp, resume)
    bar.close()
    meta = {"method": f"torch {method}", "param_names": ["α", "β"], "loss": _loss_name(loss_fn),
            "n_params": obj.n_params, "dtype": str(dtype), "device": str(obj.device)}  # fmt: skip
    return Landscape(origin=o.numpy(), directions=torch.stack([d1, d2]).numpy(),
                     axes=(a_axis, c_axis), values=values, meta=meta)  # fmt: skip


def scan_line(
    model: nn.Module,
    loss_fn: LossFn,
    data: Data,
    end: nn.Module | torch.Tensor,
    alphas: Sequence[float] | FloatArray | None = None,
    **kwargs: Any,
) -> Landscape:
    """The loss at ``(1 - alpha) * model + alpha * end`` (alpha in -0.5..1.5, 201 points)."""
    obj = TorchObjective(model, loss_fn, data, **kwargs)
    start = obj.origin.double().cpu()
    stop = (
        parameter_vector(end).double().cpu()
        if isinstance(end, nn.Module)
        else torch.as_tensor(end).double()
    )
    a = np.linspace(-0.5, 1.5, 201) if alphas is None else np.asarray(alphas, dtype=np.float64)
    d = stop - start
    coords = torch.tensor(np.column_stack([a, np.zeros_like(a)]))
    values = obj.loss_plane(start, d, torch.zeros_like(d), coords).numpy()
    meta = {"method": "torch line", "param_names": ["α"], "loss": _loss_name(loss_fn),
            "distance": float(d.norm())}  # fmt: skip
    return Landscape(origin=start.numpy(), directions=d.numpy()[None], axes=(a,), values=values,
                     meta=meta)  # fmt: skip


def scan_trajectory(
    model: nn.Module,
    loss_fn: LossFn,
    data: Data,
    checkpoints: Sequence[dict[str, torch.Tensor] | nn.Module],
    points: int = 51,
    margin: float = 1.3,
    **kwargs: Any,
) -> TrajectoryPlane:
    """The loss in the plane of the checkpoints' two principal directions, centred on the last.

    The model's parameters are replaced by the last checkpoint's (on the private copy).
    """
    vectors = []
    for ckpt in checkpoints:
        state = ckpt.state_dict() if isinstance(ckpt, nn.Module) else ckpt
        vectors.append(state_vector(model, state).numpy())
    plane = pca_directions(np.stack(vectors))
    extent = float(np.max(np.abs(plane.coords))) * margin or 1.0
    axis = np.linspace(-extent, extent, points)
    d = torch.tensor(plane.directions)
    land = scan_plane(model, loss_fn, data, (d[0], d[1]), origin=torch.tensor(plane.origin),
                      axes=(axis, axis.copy()), **kwargs)  # fmt: skip
    meta = {**land.meta, "param_names": ["PC1", "PC2"], "explained": plane.explained.tolist()}
    return TrajectoryPlane(dataclasses.replace(land, meta=meta), plane.coords, plane)
