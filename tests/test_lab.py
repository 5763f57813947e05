"""The lab's lesson (what the web app shows) without a browser: sessions are plain JSON, a
path made in pieces equals one run of the library, divergence is the run loop's verdict,
the numbers on the page match finite differences and the closed form."""

import json

import numpy as np
import pytest

from losslab.analysis.quadratic import quadratic_form
from losslab.core.data import teacher_data
from losslab.core.objective import perceptron_objective
from losslab.errors import LosslabError
from losslab.lessons import lab
from losslab.optim.loop import run
from losslab.optim.rules import make_optimizer

SETTINGS = {"teacher": "2*x + 1", "x": "-1:3:21", "noise": 0.3, "seed": 2}


def data():
    return teacher_data(SETTINGS["teacher"], SETTINGS["x"], noise=0.3, seed=2)


@pytest.mark.parametrize(("optimizer", "batch"), [("sgd", 4), ("adam", None), ("momentum", None)])
def test_a_path_made_in_json_pieces_equals_one_run(optimizer, batch):
    session = lab.new_session(lab.read_settings(**SETTINGS), [3.0, 2.0])
    for steps in (1, 6, 13):  # through JSON each time, as the page stores it
        session = json.loads(json.dumps(lab.advance(session, optimizer, 0.05, steps, batch)))
    traj = run(perceptron_objective(data()), make_optimizer(optimizer, 0.05), [3.0, 2.0],
               steps=20, tolerance=0.0, batch_size=batch, seed=2)  # fmt: skip
    np.testing.assert_array_equal(np.array(session["path"]), traj.params)
    np.testing.assert_array_equal(session["losses"], traj.losses)


def test_divergence_is_the_run_loops_verdict_and_names_two_over_lambda_max():
    q = quadratic_form(data())
    lr = 1.5 * q.stability_limit
    session = lab.advance(lab.new_session(SETTINGS, [3.0, 2.0]), "gd", lr, 500)
    traj = run(perceptron_objective(data()), make_optimizer("gd", lr), [3.0, 2.0], steps=500)
    assert traj.meta["stop"] == "diverged"
    assert session["message"] == {"kind": "diverged", "step": traj.meta["diverged_at"],
                                  "lr": lr, "limit": q.stability_limit}  # fmt: skip
    assert len(session["path"]) == traj.params.shape[0]


def test_the_view_shows_the_gradient_the_line_and_a_zoom_around_the_path():
    session = lab.advance(lab.new_session(SETTINGS, [3.0, 2.0]), "gd", 0.1, 4)
    shown = lab.view(session, "gd", 0.1)
    p = np.array(session["path"][-1])
    obj = perceptron_objective(data())
    h = 1e-6
    fd = [(obj.loss(p + e) - obj.loss(p - e)) / (2 * h) for e in np.eye(2) * h]
    np.testing.assert_allclose(shown.gradient, fd, rtol=1e-6)
    np.testing.assert_allclose(shown.line, p[0] * shown.setting.curve[0] + p[1])
    a, c = shown.zoom.axes
    assert a.size == c.size == lab.ZOOM_POINTS
    for w, b in [*session["path"], quadratic_form(data()).minimum]:
        assert a[0] <= w <= a[-1] and c[0] <= b <= c[-1]
    assert shown.trajectory.meta["hyperparameters"] == {"learning_rate": 0.1}


def test_the_path_is_bounded_and_bad_settings_are_one_sentence():
    session = lab.new_session(SETTINGS, [3.0, 2.0])
    session = {**session, "path": session["path"] * lab.MAX_PATH,
               "losses": session["losses"] * lab.MAX_PATH}  # fmt: skip
    assert lab.advance(session, "gd", 0.1, 5)["message"]["key"] == "app.path_full"
    with pytest.raises(LosslabError, match="noise"):
        lab.read_settings("2*x", "0:1:3", -1.0, 0)
    with pytest.raises(LosslabError, match="hidden"):
        lab.train_network("xor", "65", "tanh", "adam", 0.05, 10, "pca")
    with pytest.raises(LosslabError):
        lab.train_network("xor", "4", "tanh", "adam", 0.05, lab.NET_MAX_STEPS + 1, "pca")


def test_the_small_network_reports_the_share_of_samples_it_classifies_right():
    result = lab.train_network("xor", "4", "tanh", "adam", 0.05, 150, "pca")
    net = result.run
    x, t = net.objective.data.x, net.objective.data.t
    logits = net.objective.model.predict(net.trajectory.params[-1], x)
    assert result.accuracy == pytest.approx(np.mean((logits > 0) == (t > 0.5)))
    assert result.final_loss == net.trajectory.losses[-1]
    assert net.plane.values.shape == (lab.NET_POINTS, lab.NET_POINTS)
