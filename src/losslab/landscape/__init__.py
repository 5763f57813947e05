"""The scan engine: the loss on grids of a plane or a line of parameter space, for any
Problem; directions (named, filter-normalised random, PCA of a path); critical points.
"""

from losslab.landscape.critical import (
    CriticalPoints,
    critical_points,
)
from losslab.landscape.directions import (
    PCAPlane,
    filter_normalize,
    normalize_filters,
    parameter_directions,
    pca_directions,
    random_directions,
)
from losslab.landscape.result import (
    Landscape,
)
from losslab.landscape.scan import (
    MAX_GRID_POINTS,
    TrajectoryPlane,
    box_axes,
    scan_line,
    scan_plane,
    scan_trajectory,
)

__all__ = [
    "MAX_GRID_POINTS",
    "CriticalPoints",
    "Landscape",
    "PCAPlane",
    "TrajectoryPlane",
    "box_axes",
    "critical_points",
    "filter_normalize",
    "normalize_filters",
    "parameter_directions",
    "pca_directions",
    "random_directions",
    "scan_line",
    "scan_plane",
    "scan_trajectory",
]
