"""Optimizer experiments: the book's ch06 comparison, the sweep's theory, mini-batches, GIFs."""

import numpy as np
import pytest
from PIL import Image

from losslab.cli import main
from losslab.lessons.optimizers import compare, lr_sweep, minibatch_noise, training_run
from losslab.optim.trajectory import Trajectory


def book_reference():
    """The book's ch06 loop, transcribed: 30 recorded points, history before each update."""

    def df(x, y):
        return x / 10.0, 2.0 * y

    paths = {}
    # SGD lr 0.95
    x, y, hist = -7.0, 2.0, []
    for _ in range(30):
        hist.append((x, y))
        gx, gy = df(x, y)
        x, y = x - 0.95 * gx, y - 0.95 * gy
    paths["SGD"] = hist
    # Momentum lr 0.1, momentum 0.9
    x, y, vx, vy, hist = -7.0, 2.0, 0.0, 0.0, []
    for _ in range(30):
        hist.append((x, y))
        gx, gy = df(x, y)
        vx, vy = 0.9 * vx - 0.1 * gx, 0.9 * vy - 0.1 * gy
        x, y = x + vx, y + vy
    paths["Momentum"] = hist
    # AdaGrad lr 1.5
    x, y, hx, hy, hist = -7.0, 2.0, 0.0, 0.0, []
    for _ in range(30):
        hist.append((x, y))
        gx, gy = df(x, y)
        hx, hy = hx + gx * gx, hy + gy * gy
        x, y = x - 1.5 * gx / (np.sqrt(hx) + 1e-7), y - 1.5 * gy / (np.sqrt(hy) + 1e-7)
    paths["AdaGrad"] = hist
    # Adam lr 0.3, beta1 0.9, beta2 0.999
    x, y, m, v, hist = -7.0, 2.0, np.zeros(2), np.zeros(2), []
    for it in range(1, 31):
        hist.append((x, y))
        g = np.array(df(x, y))
        lr_t = 0.3 * np.sqrt(1.0 - 0.999**it) / (1.0 - 0.9**it)
        m += (1 - 0.9) * (g - m)
        v += (1 - 0.999) * (g**2 - v)
        x, y = np.array([x, y]) - lr_t * m / (np.sqrt(v) + 1e-7)
    paths["Adam"] = hist
    return paths


def test_book_ch6_preset_reproduces_the_books_paths():
    result = compare("book-ch6")
    reference = book_reference()
    assert list(result.trajectories) == list(reference)
    for name, traj in result.trajectories.items():
        assert traj.params.shape == (30, 2)
        np.testing.assert_allclose(traj.params, np.array(reference[name]), rtol=1e-12, atol=1e-12)
    a, c = result.landscape.axes
    assert (a.size, c.size) == (2000, 1000) and a[0] == -10 and c[0] == -5
    X, Y = np.meshgrid(a[::97], c[::89])
    np.testing.assert_allclose(result.landscape.values[::89, ::97], X**2 / 20 + Y**2, rtol=1e-12)


def test_sweep_outcomes_follow_the_theory():
    sweep = lr_sweep((0.3, 0.6, 0.9, 1.0, 1.1), steps=200)
    assert [r.outcome for r in sweep.runs] == ["smooth", "zigzag", "zigzag", "oscillates",
                                               "diverges"]  # fmt: skip
    losses = {r.fraction: r.trajectory.losses for r in sweep.runs}
    assert losses[0.3][-1] < 1e-6 and losses[0.9][-1] < 1e-6
    # At exactly 2/lambda_max the steep component never shrinks: the loss stalls above 0.
    assert losses[1.0][-1] > 0.1 and abs(losses[1.0][-1] - losses[1.0][-50]) < 1e-9
    assert losses[1.1][-1] > losses[1.1][0]
    # Zig-zag: the step along the steep eigenvector changes sign every update.
    zig = sweep.runs[2].trajectory.params
    from losslab.analysis.quadratic import quadratic_form
    from losslab.core.data import teacher_data

    q = quadratic_form(teacher_data())
    along = (zig - q.minimum) @ q.eigenvectors[:, 1]
    assert np.all(np.sign(along[1:20]) != np.sign(along[:19]))


def test_minibatch_noise_is_seeded():
    a, b = minibatch_noise(seed=3), minibatch_noise(seed=3)
    for size in a.trajectories:
        np.testing.assert_array_equal(a.trajectories[size].params, b.trajectories[size].params)
    assert a.trajectories[1].meta["batch_size"] == 1


def test_training_run_predictions_are_the_models_lines():
    r = training_run("adam", 0.2, steps=10)
    xs = r.teacher_curve[0]
    for k in (0, 5, 10):
        w, b = r.trajectory.params[k]
        np.testing.assert_allclose(r.predictions[k], w * xs + b)


def not_blank(path):
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=float)
    return pixels.std() > 20


def test_compare_command_writes_figures_and_trajectories(tmp_path, capsys):
    assert main(["compare", "--preset", "book-ch6", "--out", str(tmp_path), "--quiet"]) == 0
    for name in ("compare-paths.png", "compare-panels.png", "compare-losses.png"):
        assert not_blank(tmp_path / name)
    back = Trajectory.load_csv(tmp_path / "compare-adam.csv")
    assert back.params.shape == (30, 2) and back.meta["hyperparameters"]["learning_rate"] == 0.3
    assert Trajectory.load(tmp_path / "compare-sgd.npz").meta["optimizer"] == "SGD"


def test_compare_on_the_perceptron_with_every_optimizer(tmp_path):
    every = "gd,sgd,momentum,nesterov,adagrad,rmsprop,adam"
    args = ["compare", "--optimizers", every, "--learning-rate-of", "adam=0.1", "--steps", "50",
            "--out", str(tmp_path), "--lang", "ja"]  # fmt: skip
    assert main(args) == 0
    assert not_blank(tmp_path / "compare-panels.png")
    assert Trajectory.load(tmp_path / "compare-adam.npz").meta["hyperparameters"][
        "learning_rate"
    ] == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["compare", "--optimizers", "sgd,lion"], "no optimizer 'lion'"),
        (["compare", "--lr", "adam"], "NAME=VALUE"),
        (["lr-sweep", "--fractions", "a,b"], "comma-separated"),
        (["lr-sweep", "--fractions", "-1"], "positive number"),
        (["minibatch", "--batch-sizes", "0"], "batch size"),
        (["minibatch", "--batch-sizes", "x"], "comma-separated"),
        (["animate", "--frames", "0"], "frames"),
        (["animate", "--optimizer", "newton"], "no optimizer"),
    ],
)
def test_bad_experiment_input_is_one_sentence(tmp_path, capsys, args, words):
    assert main([*args, "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_lr_sweep_and_minibatch_commands(tmp_path, capsys):
    assert main(["lr-sweep", "--out", str(tmp_path), "--quiet"]) == 0
    assert "diverges" in capsys.readouterr().out
    assert main(["minibatch", "--out", str(tmp_path), "--quiet"]) == 0
    assert not_blank(tmp_path / "lr-sweep.png") and not_blank(tmp_path / "minibatch.png")


@pytest.mark.parametrize("view", ["contour", "3d"])
def test_animation_has_its_frames_and_moves(tmp_path, view):
    args = ["animate", "--frames", "6", "--steps", "30", "--view", view, "--mp4",
            "--out", str(tmp_path), "--quiet"]  # fmt: skip
    assert main(args) == 0
    frames = []
    with Image.open(tmp_path / "animation.gif") as gif:
        assert gif.n_frames == 6
        for k in (0, 5):
            gif.seek(k)
            frames.append(np.asarray(gif.convert("RGB"), dtype=float))
    assert frames[0].std() > 20
    assert np.abs(frames[0] - frames[1]).mean() > 0.5  # the line and the point moved
    import imageio_ffmpeg

    count, _ = imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "animation.mp4"))
    assert count == 6


def test_figures_draw_on_the_axes_they_are_given():
    from matplotlib.figure import Figure

    from losslab.plots.optimizers import (
        figure_compare_losses,
        figure_compare_overlay,
        figure_minibatch,
    )

    result = compare(None, ["gd", "adam"], steps=5)
    noise = minibatch_noise([1, None], steps=5)
    for draw, arg, lines in (
        (figure_compare_overlay, result, 2),
        (figure_compare_losses, result, 2),
        (figure_minibatch, noise, 2),
    ):
        fig = Figure()
        ax = fig.add_subplot()
        assert draw(arg, "en", ax=ax) is fig and len(fig.axes) >= 1
        assert ax in fig.axes and len(ax.lines) >= lines
    # the paths drawn are the trajectories' own points
    fig = Figure()
    ax = fig.add_subplot()
    figure_compare_losses(result, "en", ax=ax)
    gd = result.trajectories["gradient descent"]
    np.testing.assert_allclose(ax.lines[0].get_xdata(), np.arange(gd.losses.size))
