"""The defaults every part of losslab starts from, in one place.

The perceptron lesson: teacher ``2*x + 1`` sampled at 21 points of ``[-1, 3]``, a
start at ``(w, b) = (3, 2)``, the landscape on ``-10..10`` in steps of 0.5, and the
learning rates of each lesson. The CLI, the report, the web app and the lessons all
read them from here, so that changing one number changes it everywhere.

>>> START, START_TEXT, GRID
((3.0, 2.0), '3,2', '-10:10:0.5')
>>> LEARNING_RATES["perceptron"]["gd"] == LEARNING_RATE
True
"""

from __future__ import annotations

from collections.abc import Mapping

#: The teacher expression in ``x`` that makes the perceptron's data.
TEACHER = "2*x + 1"
#: The perceptron's inputs, ``start:stop:count``.
SAMPLES = "-1:3:21"
#: The start of every perceptron run, ``(w, b)``.
START: tuple[float, float] = (3.0, 2.0)
#: :data:`START` as the command line and the web app write it.
START_TEXT = f"{START[0]:g},{START[1]:g}"
#: The landscape grid of the walk-through, ``start:stop:step`` for both ``w`` and ``b``.
GRID = "-10:10:0.5"
#: The number of updates of the walk-through and of each compared optimizer.
STEPS = 100

#: The book's chapter 6 comparison (``ch06/optimizer_compare_naive.py``): start and points.
BOOK_CH6_START: tuple[float, float] = (-7.0, 2.0)
BOOK_CH6_POINTS = 30  # the start and 29 updates

#: Learning rates, by lesson and optimizer: the only table of them.
#: ``perceptron``: the walk-through's data from :data:`START`; ``book-ch6``: the book's
#: chapter 6 rates; ``minibatch``: SGD on noisy data; ``network``: the small networks.
LEARNING_RATES: Mapping[str, Mapping[str, float]] = {
    "perceptron": {
        "gd": 0.1,
        "sgd": 0.1,
        "momentum": 0.05,
        "nesterov": 0.05,
        "adagrad": 0.5,
        "rmsprop": 0.05,
        "adam": 0.2,
    },
    "book-ch6": {"sgd": 0.95, "momentum": 0.1, "adagrad": 1.5, "adam": 0.3},
    "minibatch": {"sgd": 0.05},
    "network": {"adam": 0.05},
}
#: Gradient descent's rate in the walk-through (``LEARNING_RATES["perceptron"]["gd"]``).
LEARNING_RATE = LEARNING_RATES["perceptron"]["gd"]
#: SGD's rate in the mini-batch experiment.
MINIBATCH_LEARNING_RATE = LEARNING_RATES["minibatch"]["sgd"]
#: The rate of the network commands and the web app's network section.
NETWORK_LEARNING_RATE = LEARNING_RATES["network"]["adam"]
#: Noise on the teacher for the mini-batch experiment (SGD's jitter needs noisy data).
MINIBATCH_NOISE = 0.5

#: Grid points per axis at most, by kind of scan (each point is one loss evaluation):
#: ``perceptron``: the walk-through's grid (five sums per point, so it may be fine);
#: ``network``: a numpy network's plane (a forward pass per point);
#: ``torch``: a PyTorch model's plane (a batched forward pass per point).
MAX_AXIS_POINTS: Mapping[str, int] = {"perceptron": 5001, "network": 401, "torch": 1001}
#: Grid points per axis at least (a plane needs a centre and a point on each side).
MIN_AXIS_POINTS = 3
#: The automatic span (``--span auto``): the loss to reach at the plane's edge, as a
#: multiple of the loss at its centre, and the largest half-width the probe tries (in
#: the direction's own units) before it stops and says the loss never got there.
AUTO_SPAN_RISE = 10.0
AUTO_SPAN_LIMIT = 1e3
