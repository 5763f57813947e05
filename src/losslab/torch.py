"""Landscapes and curvature of real PyTorch networks: the public :mod:`losslab.adapters.torch`.

``from losslab.torch import scan_plane, scan_line, scan_trajectory, hessian_operator``
(``pip install '.[torch]'``). Importing this module imports PyTorch; ``import losslab``
does not.

The Hessian of a model's mean loss, for the curvature functions (Lanczos, Hutchinson,
spectral density, per layer):

>>> import torch
>>> from torch import nn
>>> from losslab.analysis.curvature import block_curvature, top_eigenvalues
>>> _ = torch.manual_seed(0)
>>> model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
>>> x, y = torch.randn(50, 3), torch.randint(0, 2, (50,))
>>> op = hessian_operator(model, nn.CrossEntropyLoss(), (x, y))  # float64, a private copy
>>> op.n_params, list(op.blocks)
(26, ['0.weight', '0.bias', '2.weight', '2.bias'])
>>> top = top_eigenvalues(op, k=2)
>>> bool(top.values[0] >= top.values[1] > 0), len(block_curvature(op, samples=10).names)
(True, 4)
"""

from losslab.adapters.torch import (
    TorchObjective,
    TorchProblem,
    TorchSpec,
    TrajectoryPlane,
    hessian_operator,
    materialize,
    parameter_vector,
    random_directions,
    scan_line,
    scan_plane,
    scan_trajectory,
    state_vector,
)

__all__ = [
    "TorchObjective",
    "TorchProblem",
    "TorchSpec",
    "TrajectoryPlane",
    "hessian_operator",
    "materialize",
    "parameter_vector",
    "random_directions",
    "scan_line",
    "scan_plane",
    "scan_trajectory",
    "state_vector",
]
