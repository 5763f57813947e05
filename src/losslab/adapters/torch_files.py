"""What a PyTorch problem reads and how it holds a model: the user's factories
(``file.py:function``), checkpoints, data, the private model copy, and the one conversion
between the flat parameter vector (P,) and the model's named tensors.

The lowest of the torch adapters: it imports no other losslab torch module.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import math
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from torch import nn

from losslab.errors import LosslabError

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Data = Any  # (inputs, targets) tensors, or an iterable of (inputs, targets) batches
Batches = list[tuple[torch.Tensor, torch.Tensor]]


def materialize(
    data: Data,
    batch_size: int | None = None,
    device: torch.device | None = None,
    dtype: torch.dtype = torch.float32,
) -> Batches:
    """The data as a list of (inputs, targets) batches on ``device``: read once, reused.

    ``data`` is a pair of tensors (split into ``batch_size`` batches, or one) or
    any iterable of pairs such as a ``DataLoader``. Tensors already on the device
    with the dtype are used as they are (views, no copy).
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


@contextmanager
def ieee_float32(device: torch.device | str | None) -> Iterator[None]:
    """float32 as IEEE float32 on a CUDA ``device`` while the block runs: no TF32.

    cuDNN convolutions default to TF32 (10-bit mantissa) on Ampere and later GPUs; on an
    H200 that moved a small CNN's losses by 2e-4 relative to float64 (float32 proper:
    1e-7). The settings are put back afterwards; on a CPU nothing changes.
    """
    if device is None or torch.device(device).type != "cuda":
        yield
        return
    backends = torch.backends
    if hasattr(backends.cudnn, "conv") and hasattr(backends.cuda.matmul, "fp32_precision"):
        spots: list[tuple[Any, str, Any]] = [
            (backends.cudnn.conv, "fp32_precision", "ieee"),
            (backends.cuda.matmul, "fp32_precision", "ieee"),
        ]
    else:  # PyTorch before 2.9
        spots = [(backends.cudnn, "allow_tf32", False), (backends.cuda.matmul, "allow_tf32", False)]
    saved = [getattr(obj, name) for obj, name, _ in spots]
    try:
        for obj, name, value in spots:
            setattr(obj, name, value)
        yield
    finally:
        for (obj, name, _), value in zip(spots, saved, strict=True):
            setattr(obj, name, value)


def frozen_copy(
    model: nn.Module,
    device: torch.device | str | None,
    dtype: torch.dtype,
    train_mode: bool = False,
    copy_model: bool = True,
) -> tuple[nn.Module, torch.device]:
    """The model as losslab evaluates it: a private copy (unless ``copy_model`` is False) on
    ``device`` (default: where its parameters are) in ``dtype``, in train or eval mode, its
    parameters not requiring gradients (and without ``.grad``); and that device. The
    caller's model is untouched."""
    if device is None:
        first = next(model.parameters(), None)
        device = first.device if first is not None else torch.device("cpu")
    device = torch.device(device)
    net = copy.deepcopy(model) if copy_model else model
    net = net.to(device=device, dtype=dtype)
    net.train(train_mode)
    for p in net.parameters():
        p.requires_grad_(False)
        p.grad = None
    return net, device


def parameter_vector(model: nn.Module) -> torch.Tensor:
    """All parameters of ``model`` as one flat vector (in ``named_parameters`` order)."""
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def unflatten(
    flat: torch.Tensor, names: Sequence[str], shapes: Sequence[tuple[int, ...]]
) -> dict[str, torch.Tensor]:
    """The flat parameters (..., P) as named tensors (..., *shape): views, in the given order.

    The inverse of :func:`parameter_vector`; leading dimensions (a stack of grid points)
    are kept.

    >>> parts = unflatten(torch.arange(6.0).reshape(2, 3), ["weight", "bias"], [(1, 2), (1,)])
    >>> parts["weight"].shape, parts["bias"].tolist()
    (torch.Size([2, 1, 2]), [[2.0], [5.0]])
    """
    out, start = {}, 0
    for name, shape in zip(names, shapes, strict=True):
        size = math.prod(shape)
        out[name] = flat[..., start : start + size].reshape(*flat.shape[:-1], *shape)
        start += size
    return out


def state_vector(model: nn.Module, state_dict: dict[str, torch.Tensor]) -> torch.Tensor:
    """The parameters held in a checkpoint's ``state_dict``, flat, in the model's order."""
    try:
        return torch.cat([state_dict[name].detach().reshape(-1).to(torch.float64)
                          for name, _ in model.named_parameters()])  # fmt: skip
    except KeyError as exc:
        raise LosslabError("error.torch_checkpoint", name=str(exc)) from None


def load_callable(spec: str, what: str) -> Any:
    """``path/to/file.py:name`` -> the object ``name`` in that file (the user's own code)."""
    path, _, name = spec.rpartition(":")
    if not path or not name:
        raise LosslabError("error.torch_load", what=what, spec=spec, reason="no ':name'")
    try:
        # A module name of its own per file, in sys.modules (a dataclass in it needs that).
        digest = hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:8]
        module_name = f"losslab_user_{Path(path).stem}_{digest}"
        module_spec = importlib.util.spec_from_file_location(module_name, path)
        if module_spec is None or module_spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[module_name] = module
        sys.path.insert(0, str(Path(path).resolve().parent))
        try:
            module_spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(module_name, None)
            raise
        finally:
            sys.path.pop(0)
        return getattr(module, name)
    except ModuleNotFoundError as exc:
        raise missing_module(exc, what, spec) from None
    except (OSError, ImportError, AttributeError, SyntaxError) as exc:
        raise LosslabError("error.torch_load", what=what, spec=spec, reason=str(exc)) from None


def missing_module(exc: ModuleNotFoundError, what: str, spec: str) -> LosslabError:
    """The sentence for a factory whose file needs a module that is not installed: named."""
    module = (exc.name or str(exc)).split(".")[0]  # the top-level package is what is missing
    return LosslabError("error.torch_module", what=what, spec=spec, module=module)


def call_factory(spec: str, what: str) -> Any:
    """``load_callable(spec, what)()``: a module the factory imports when called is named too."""
    factory = load_callable(spec, what)
    try:
        return factory()
    except ModuleNotFoundError as exc:
        raise missing_module(exc, what, spec) from None


def load_state(path: str) -> Any:
    """A checkpoint's ``state_dict``, read on the CPU with ``weights_only=True``."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a file that is no checkpoint: KeyError, UnpicklingError, ...
        raise LosslabError("error.checkpoint_load", spec=path, reason=_reason(exc)) from None


def load_checkpoint(model: nn.Module, path: str) -> None:
    """Load the checkpoint at ``path`` into ``model`` (one sentence if it does not fit)."""
    try:
        model.load_state_dict(load_state(path))
    except RuntimeError as exc:
        raise LosslabError("error.checkpoint_load", spec=path, reason=_reason(exc)) from None


def _reason(exc: Exception) -> str:
    """torch's message on one line (its first line alone can be just a heading)."""
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    return text or type(exc).__name__


def loss_function(name: str) -> LossFn:
    """``cross-entropy``, ``mse``, or ``path/to/file.py:function`` for the user's own loss."""
    if name == "cross-entropy":
        return nn.CrossEntropyLoss()
    if name == "mse":
        return nn.MSELoss()
    return load_callable(name, "the loss")  # type: ignore[no-any-return]
