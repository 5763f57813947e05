"""Mode connectivity on the digits MLP: a curve fit and its profile against training one network.

In one run, one thread: the numpy MLP 64-128-128-10 (ReLU, softmax cross-entropy; the
network of examples/digits.py, in numpy) on all 1,797 digits of scikit-learn's bundled
data is trained twice from two seeds (``--steps`` full-batch Adam steps each, the first
one timed), then a quadratic Bezier curve between the two minima is trained for the same
number of steps (one sampled t per step) and its loss and accuracy profile evaluated at
61 points of t. Prints both times, their ratio (target: at most 3x) and the barriers of
the line and the curve, so that the speed is not bought with a curve that does nothing.

    python benchmarks/bench_connect.py [--steps 300] [--learning-rate 0.005]

Needs scikit-learn (the ``examples`` extra).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from losslab.core.data import Dataset
from losslab.core.losses import SoftmaxCrossEntropy
from losslab.core.mlp import MLP
from losslab.core.objective import Objective
from losslab.landscape.connect import make_curve, path_profile
from losslab.lessons.connect import accuracy_metric
from losslab.optim.connect import fit_curve
from losslab.optim.loop import run
from losslab.optim.rules import make_optimizer


def digits_objective() -> Objective:
    """The digits MLP in numpy: pixels in [0, 1], labels 0..9."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    data = Dataset(digits.data / 16.0, digits.target.astype(np.float64),
                   {"task": "classification"})  # fmt: skip
    return Objective(MLP((64, 128, 128, 10), "relu"), SoftmaxCrossEntropy(), data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--learning-rate", type=float, default=0.005)
    args = parser.parse_args()
    objective = digits_objective()
    model = objective.model
    assert isinstance(model, MLP)
    ends = []
    times = []
    for seed in (0, 1):
        began = time.perf_counter()
        traj = run(objective, make_optimizer("adam", args.learning_rate),
                   model.init_params(seed), steps=args.steps, tolerance=0)  # fmt: skip
        times.append(time.perf_counter() - began)
        ends.append(traj.params[-1])
    train = times[0]
    metric = accuracy_metric(objective)
    began = time.perf_counter()
    fit = fit_curve(objective, make_curve(ends[0], ends[1], "bezier"), args.steps, "adam",
                    args.learning_rate, seed=0)  # fmt: skip
    curve = path_profile(objective, fit.curve, 61, metric)
    connect = time.perf_counter() - began
    line = path_profile(objective, make_curve(ends[0], ends[1], "line"), 61, metric)
    size = len(objective.param_names)
    print(f"digits MLP 64-128-128-10 (numpy, {size:,} parameters), {objective.data.n} samples, "
          f"{args.steps} full-batch Adam steps, one thread")  # fmt: skip
    print(f"  training one network:        {train:7.2f} s (the second: {times[1]:.2f} s)")
    print(f"  curve fit + 61-point profile: {connect:7.2f} s")
    print(f"  ratio: {connect / train:.2f}x (target: at most 3x)")
    assert line.accuracies is not None and curve.accuracies is not None
    print(f"  ends: loss {line.losses[0]:.4f} and {line.losses[-1]:.4f}, accuracy "
          f"{line.accuracies[0]:.1%} and {line.accuracies[-1]:.1%}")  # fmt: skip
    print(f"  line:   loss barrier {line.barrier:.4f}, accuracy drop {line.accuracy_barrier:.1%}")
    print(f"  Bezier: loss barrier {curve.barrier:.4f}, accuracy drop {curve.accuracy_barrier:.1%}")


if __name__ == "__main__":
    main()
