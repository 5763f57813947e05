"""Everything the HTML report shows, computed once: the walk-through and, on its data and
from its start, the optimizer comparison, the learning-rate sweep, mini-batch noise and XOR.
"""

from __future__ import annotations

from dataclasses import dataclass

from losslab.core.data import teacher_data
from losslab.defaults import MINIBATCH_NOISE
from losslab.lessons.optimizers import (
    Comparison,
    MinibatchNoise,
    Sweep,
    compare,
    lr_sweep,
    minibatch_noise,
)
from losslab.lessons.perceptron import Walkthrough
from losslab.lessons.sharpness import EdgeOfStability, edge_of_stability
from losslab.lessons.xor import XorLandscape, xor_landscape

#: The optimizers section 7 of the report compares.
REPORT_OPTIMIZERS = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


@dataclass(frozen=True)
class ReportData:
    """The walk-through and the optimizer experiments on its data: all the report draws."""

    wt: Walkthrough
    comparison: Comparison
    sweep: Sweep
    minibatch: MinibatchNoise
    xor: XorLandscape
    edge: EdgeOfStability | None = None


def report_data(wt: Walkthrough) -> ReportData:
    """Run the experiments of section 7 (and the XOR of section 8) on the walk-through's data.

    Mini-batch SGD runs on the same teacher and x with noise (the data's own, or
    :data:`~losslab.defaults.MINIBATCH_NOISE` when it has none: SGD's jitter needs noise);
    on data without a teacher (a learner's CSV file) it runs on the data themselves.
    """
    data = wt.data
    if "teacher" in data.meta or data.teacher is not None:
        noise = float(data.meta.get("noise", 0.0)) or MINIBATCH_NOISE
        teacher = data.teacher if data.teacher is not None else str(data.meta["teacher"])
        noisy = teacher_data(teacher, data.x, noise=noise, seed=int(data.meta.get("seed", 0)))
    else:  # measured data have their own scatter: mini-batches of the data themselves
        noisy = data
    return ReportData(
        wt=wt,
        comparison=compare(None, REPORT_OPTIMIZERS, init=wt.init, data=data),
        sweep=lr_sweep(init=wt.init, data=data),
        minibatch=minibatch_noise([*sorted({1, min(4, data.n)}), None], init=wt.init, data=noisy),
        xor=xor_landscape(),
        edge=edge_of_stability(data=data),
    )
