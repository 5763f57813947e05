"""Landscapes and curvature of real PyTorch networks (``pip install 'losslab[torch]'``).

Scan the loss of any ``torch.nn.Module`` along a line, over a plane, or in the plane of a
training trajectory (Li et al. 2018), and get the same :class:`~losslab.landscape.Landscape`
as the rest of losslab, through the same engine (executors, resume files, progress bar);
measure its Hessian through the same curvature functions. The modules, lowest first (each
imports only those above it):

- :mod:`losslab.adapters.torch_files`: data, checkpoints, the user's ``file.py:function``
  factories, the private model copy, the flat vector <-> named tensors;
- :mod:`losslab.adapters.torch_plan`: the fast paths of a plane (first-layer shortcut,
  addmm plan, vmap) and the one chunk-size rule;
- :mod:`losslab.adapters.torch_problem`: :class:`TorchProblem`, the model, loss and data as
  a Problem (the name ``TorchObjective`` still works), with Hessian-vector products and
  batched losses on a device; :func:`hessian_operator`;
- :mod:`losslab.adapters.torch_spec`: the picklable :class:`TorchSpec`;
- :mod:`losslab.adapters.torch_scan`: ``scan_plane``, ``scan_line``, ``scan_trajectory`` and
  ``random_directions``, thin calls into the engine.
"""

from losslab.adapters.torch_files import (
    load_callable,
    load_checkpoint,
    load_state,
    loss_function,
    materialize,
    parameter_vector,
    state_vector,
)
from losslab.adapters.torch_problem import TorchObjective, TorchProblem, hessian_operator
from losslab.adapters.torch_scan import (
    random_directions,
    scan_line,
    scan_plane,
    scan_trajectory,
)
from losslab.adapters.torch_spec import TorchSpec
from losslab.landscape.scan import TrajectoryPlane

__all__ = [
    "TorchObjective",
    "TorchProblem",
    "TorchSpec",
    "TrajectoryPlane",
    "hessian_operator",
    "load_callable",
    "load_checkpoint",
    "load_state",
    "loss_function",
    "materialize",
    "parameter_vector",
    "random_directions",
    "scan_line",
    "scan_plane",
    "scan_trajectory",
    "state_vector",
]
