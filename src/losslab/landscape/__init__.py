"""The scan engine: the loss on grids of a plane or a line of parameter space, for any
Problem; directions (named, filter-normalised random, PCA of a path, Hessian
eigenvectors); the automatic span; critical points.
"""

from losslab.landscape.critical import (
    CriticalPoints,
    critical_points,
)
from losslab.landscape.directions import (
    HessianPlane,
    PCAPlane,
    filter_normalize,
    hessian_directions,
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
from losslab.landscape.span import (
    AutoSpan,
    SpanChoice,
    auto_axes,
    choose_span,
    parse_span,
)

__all__ = [
    "MAX_GRID_POINTS",
    "AutoSpan",
    "CriticalPoints",
    "HessianPlane",
    "Landscape",
    "PCAPlane",
    "SpanChoice",
    "TrajectoryPlane",
    "auto_axes",
    "box_axes",
    "choose_span",
    "critical_points",
    "filter_normalize",
    "hessian_directions",
    "normalize_filters",
    "parameter_directions",
    "parse_span",
    "pca_directions",
    "random_directions",
    "scan_line",
    "scan_plane",
    "scan_trajectory",
]
