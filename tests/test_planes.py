"""Issue 18, parts 2 to 5: Hessian eigenvector planes (against the dense Hessian and finite
differences of the loss), the automatic span (against the perceptron's closed form),
provenance and ``losslab diff``, and the estimate printed before a long scan."""

import numpy as np
import pytest

from losslab.core.data import Dataset
from losslab.core.losses import MeanSquaredError
from losslab.core.mlp import MLP
from losslab.core.objective import Objective
from losslab.landscape.executor import SerialExecutor
from losslab.landscape.scan import scan_plane


def small_net(hidden=3, n=12, seed=0):
    """A 2-hidden-1 tanh network on a few random points (MSE): small enough for dense."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    t = np.sin(x[:, 0]) + 0.5 * x[:, 1]
    return Objective(MLP((2, hidden, 1), "tanh"), MeanSquaredError(), Dataset(x, t))


# --- 5. the estimate before a long scan --------------------------------------------------


@pytest.mark.parametrize("lang, word", [("en", "scan estimate"), ("ja", "スキャンの見積もり")])
def test_the_estimate_is_printed_before_the_scan_and_changes_no_value(capsys, lang, word):
    problem = small_net()
    params = problem.model.init_params(0)
    directions = np.random.default_rng(1).normal(size=(2, params.size))
    axes = (np.linspace(-1, 1, 9), np.linspace(-2, 2, 7))
    plain = scan_plane(problem, axes, params, directions)
    assert capsys.readouterr().err == ""
    timed = scan_plane(problem, axes, params, directions, progress=True, lang=lang)
    err = capsys.readouterr().err
    assert word in err and "6" in err  # the rows left after the timed first one
    assert err.index(word) < err.rindex("63/63")  # printed before the bar finished
    np.testing.assert_array_equal(timed.values, plain.values)  # bit for bit
    calls = []

    class Counting(SerialExecutor):
        def map_blocks(self, task, blocks):
            calls.extend((b.start, b.stop) for b in blocks)
            return super().map_blocks(task, blocks)

    again = scan_plane(problem, axes, params, directions, progress=True, executor=Counting(),
                       block_rows=3)  # fmt: skip
    np.testing.assert_array_equal(again.values, plain.values)
    assert calls == [(1, 3), (3, 6), (6, 7)]  # the timed row is not computed twice
