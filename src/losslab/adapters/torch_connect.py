"""Paths between two PyTorch networks: BatchNorm statistics recomputed at each point, accuracy.

A network with BatchNorm evaluated at a point between two trained ones must not use
either end's running statistics: they describe other weights. :class:`RefreshedBatchNorm`
recomputes them at every point it evaluates, as ``torch.optim.swa_utils.update_bn`` does
(Garipov et al. 2018, sec. 5; Izmailov et al. 2018), then evaluates the loss in eval
mode; its gradient is the training-mode one (batch statistics), with which Garipov et
al. train their curves. :func:`path_problem` wraps a :class:`TorchProblem` so when its
model has BatchNorm (on by default), :func:`torch_accuracy` gives the accuracy along a
path for a classifier.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.utils import vector_to_parameters
from torch.optim.swa_utils import update_bn

from losslab.adapters.torch_problem import TorchProblem
from losslab.core.problem import PlaneFromBatch

FloatArray = NDArray[np.float64]

#: What a profile's meta says about BatchNorm.
BATCHNORM_REFRESHED = "running statistics recomputed at each point (update_bn)"


def has_batchnorm(model: nn.Module) -> bool:
    """Whether ``model`` holds a BatchNorm layer (1d, 2d, 3d or SyncBatchNorm)."""
    return any(isinstance(m, _BatchNorm) for m in model.modules())


@dataclass
class RefreshedBatchNorm(PlaneFromBatch):
    """``problem`` with BatchNorm's running statistics recomputed at every point.

    At each parameter vector (P,) a private copy of the model takes the parameters,
    ``update_bn`` runs it over all of ``problem``'s data in training mode (running
    statistics reset, cumulative average), and the loss is the eval-mode mean loss with
    those statistics. Planes and lines go point by point (one pass for the statistics,
    one for the loss).
    """

    problem: TorchProblem
    _net: nn.Module = field(init=False, repr=False)

    def __post_init__(self) -> None:
        net = copy.deepcopy(self.problem.model)
        net.to(device=self.problem.device, dtype=self.problem.dtype)
        for p in net.parameters():
            p.requires_grad_(False)
        self._net = net.eval()

    @property
    def param_names(self) -> tuple[str, ...]:
        return self.problem.param_names

    @property
    def n_samples(self) -> int:
        """The problem's samples (mini-batches of the curve's training are drawn from them)."""
        return int(self.problem.n_samples)

    def _set(self, params: ArrayLike | torch.Tensor) -> None:
        """Load ``params`` into the copy and recompute its running statistics."""
        flat = torch.as_tensor(params).to(device=self.problem.device, dtype=self.problem.dtype)
        vector_to_parameters(flat, self._net.parameters())
        update_bn([x for x, _ in self.problem.batches], self._net)
        self._net.eval()

    @torch.no_grad()
    def loss(self, params: ArrayLike | torch.Tensor) -> float:
        """The eval-mode mean loss at ``params`` after recomputing the statistics there."""
        self._set(params)
        total, count = 0.0, 0
        for x, y in self.problem.batches:
            total += float(self.problem.loss_fn(self._net(x), y)) * int(x.shape[0])
            count += int(x.shape[0])
        return total / count

    def gradient(
        self, params: ArrayLike | torch.Tensor, batch: NDArray[np.intp] | None = None
    ) -> FloatArray:
        """The training-mode gradient (each batch normalised by its own statistics)."""
        net = copy.deepcopy(self._net).train()
        flat = torch.as_tensor(params).to(device=self.problem.device, dtype=self.problem.dtype)
        vector_to_parameters(flat, net.parameters())
        for p in net.parameters():
            p.requires_grad_(True)
        pairs = self.problem.batches
        if batch is not None:
            index = torch.as_tensor(np.array(batch), device=self.problem.device)  # a copy:
            # mini-batch indices may be read-only (optim.loop.minibatch), tensors may not
            x_all = torch.cat([x for x, _ in pairs])
            y_all = torch.cat([y for _, y in pairs])
            pairs = [(x_all[index], y_all[index])]
        count = sum(int(x.shape[0]) for x, _ in pairs)
        total = torch.zeros((), device=self.problem.device, dtype=self.problem.dtype)
        for x, y in pairs:
            total = total + self.problem.loss_fn(net(x), y) * int(x.shape[0])
        grads = torch.autograd.grad(total / count, list(net.parameters()))
        return np.asarray(torch.cat([g.reshape(-1) for g in grads]).double().cpu().numpy())

    def loss_batch(self, points: ArrayLike) -> FloatArray:
        """The loss at many points (m, P), one point at a time."""
        return np.array([self.loss(p) for p in np.asarray(points, dtype=np.float64)])

    def loss_plane(
        self, origin: FloatArray, directions: FloatArray, coords: FloatArray
    ) -> FloatArray:
        """The loss at ``origin + a*d1 + c*d2`` for coords (m, 2), one point (P,) at a time."""
        return np.array([self.loss(origin + a * directions[0] + c * directions[1])
                         for a, c in np.asarray(coords, dtype=np.float64)])  # fmt: skip

    @torch.no_grad()
    def accuracy(self, params: ArrayLike) -> float:
        """The fraction of samples whose largest output is their label, statistics refreshed."""
        self._set(params)
        return _fraction_right(self._net, self.problem.batches)

    def describe(self) -> dict[str, Any]:
        return {**self.problem.describe(), "method": "torch update_bn per point",
                "batchnorm": BATCHNORM_REFRESHED}  # fmt: skip


def _fraction_right(net: Callable[[torch.Tensor], torch.Tensor], batches: Any) -> float:
    right = count = 0
    for x, y in batches:
        right += int((net(x).argmax(dim=-1) == y).sum())
        count += int(x.shape[0])
    return right / count


def path_problem(problem: TorchProblem, update_bn: bool = True) -> tuple[Any, bool]:
    """The problem to evaluate paths on, and whether BatchNorm statistics are recomputed.

    With ``update_bn`` (the default) a model with BatchNorm gets
    :class:`RefreshedBatchNorm`; a model without, or ``update_bn=False``, stays as it is.
    """
    if update_bn and has_batchnorm(problem.model):
        return RefreshedBatchNorm(problem), True
    return problem, False


def torch_accuracy(
    problem: TorchProblem | RefreshedBatchNorm,
) -> Callable[[FloatArray], float] | None:
    """The accuracy at one parameter vector for a classifier (cross-entropy against class
    labels), else None."""
    base = problem.problem if isinstance(problem, RefreshedBatchNorm) else problem
    if not isinstance(base.loss_fn, nn.CrossEntropyLoss):
        return None
    if any(y.dtype.is_floating_point or y.dim() != 1 for _, y in base.batches):
        return None
    if isinstance(problem, RefreshedBatchNorm):
        return problem.accuracy

    @torch.no_grad()
    def accuracy(params: FloatArray) -> float:
        flat = torch.as_tensor(params).to(device=base.device, dtype=base.dtype)
        return _fraction_right(lambda x: base.forward(flat, x), base.batches)

    return accuracy
