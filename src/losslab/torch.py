"""Landscapes of real PyTorch networks: the public face of :mod:`losslab.adapters.torch`.

``from losslab.torch import scan_plane, scan_line, scan_trajectory`` (``pip install
'.[torch]'``). Importing this module imports PyTorch; ``import losslab`` does not.
"""

from losslab.adapters.torch import (
    TorchObjective,
    TorchProblem,
    TorchSpec,
    TrajectoryPlane,
    materialize,
    parameter_vector,
    random_direction,
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
    "materialize",
    "parameter_vector",
    "random_direction",
    "scan_line",
    "scan_plane",
    "scan_trajectory",
    "state_vector",
]
