"""The picklable recipe of a PyTorch problem: :class:`TorchSpec`.

The model, data and loss factories (``path/to/file.py:function``) and an optional
checkpoint, which ``build()`` turns into a :class:`~losslab.adapters.torch_problem.TorchProblem`
where it runs, so that a Dask worker builds the model and reads the data once and keeps them
for later blocks. ``losslab torch-scan`` and ``losslab curvature`` build their problems
through it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from losslab.adapters.torch_files import call_factory, load_checkpoint, loss_function
from losslab.adapters.torch_problem import TorchProblem


@dataclass(frozen=True)
class TorchSpec:
    """A picklable recipe of a PyTorch problem: factories as ``path/to/file.py:function``.

    ``model`` builds the ``nn.Module``, ``data`` returns (inputs, targets) tensors or
    a DataLoader, ``loss`` is ``cross-entropy``, ``mse`` or a factory's function;
    ``checkpoint`` (a ``state_dict`` file) is loaded into the model. ``dtype`` is the
    name of a torch dtype (``float32``, ``float64``); ``method`` as in TorchProblem.
    ``build()`` makes the problem on the model it built (no copy), so a worker holds
    one model and one copy of the data.
    """

    model: str
    data: str
    loss: str = "cross-entropy"
    checkpoint: str | None = None
    batch_size: int | None = None
    device: str | None = None
    dtype: str = "float32"
    method: str = "auto"

    def build(self) -> TorchProblem:
        """The model, data and loss read from their files, bound into a TorchProblem."""
        model = call_factory(self.model, "the model")
        if self.checkpoint:
            load_checkpoint(model, self.checkpoint)
        data = call_factory(self.data, "the data")
        dtype = getattr(torch, self.dtype)
        return TorchProblem(model, loss_function(self.loss), data, self.batch_size,
                            self.device, dtype, method=self.method, copy_model=False)  # fmt: skip
