"""Landscapes of real PyTorch networks (``pip install 'losslab[torch]'``), as in Li et al. 2018.

Scan the loss of any ``torch.nn.Module`` along a line, over a plane, or in the plane of a
training trajectory, and get the same :class:`~losslab.landscape.Landscape` as the rest of
losslab, through the same engine (executors, resume files, progress bar):

- :mod:`losslab.adapters.torch_problem`: :class:`TorchProblem`, the model, loss and data as
  a Problem (the name ``TorchObjective`` still works);
- :mod:`losslab.adapters.torch_plan`: its fast paths (first-layer shortcut, addmm plan, vmap);
- :mod:`losslab.adapters.torch_files`: data, checkpoints, the user's ``file.py:function``
  factories, and the picklable :class:`TorchSpec`;
- :mod:`losslab.adapters.torch_scan`: ``scan_plane``, ``scan_line``, ``scan_trajectory`` and
  ``random_direction`` as thin wrappers into the engine.
"""

from losslab.adapters.torch_files import (
    TorchSpec,
    load_callable,
    load_checkpoint,
    load_state,
    loss_function,
    materialize,
    parameter_vector,
    state_vector,
)
from losslab.adapters.torch_problem import TorchObjective, TorchProblem
from losslab.adapters.torch_scan import (
    random_direction,
    scan_line,
    scan_plane,
    scan_trajectory,
)
from losslab.landscape.scan import TrajectoryPlane

__all__ = [
    "TorchObjective",
    "TorchProblem",
    "TorchSpec",
    "TrajectoryPlane",
    "load_callable",
    "load_checkpoint",
    "load_state",
    "loss_function",
    "materialize",
    "parameter_vector",
    "random_direction",
    "scan_line",
    "scan_plane",
    "scan_trajectory",
    "state_vector",
]
