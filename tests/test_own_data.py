"""The walk-through on a learner's own CSV pairs, against numpy on the same file."""

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

import losslab as ll
from losslab.plots import static

HUBBLE = Path(__file__).parent.parent / "examples" / "hubble1929.csv"


def _columns(path: Path) -> tuple[np.ndarray, np.ndarray]:
    table = np.genfromtxt(path, delimiter=",", skip_header=1, usecols=(1, 2))
    return table[:, 0], table[:, 1]


@pytest.fixture(scope="module")
def hubble() -> ll.Walkthrough:
    return ll.csv_walkthrough(HUBBLE, "distance_mpc", "velocity_km_s", steps=300)


def test_sums_and_minimum_come_from_the_file(hubble):
    x, t = _columns(HUBBLE)
    q = hubble.quadratic
    assert q.n == x.size == 24
    for got, want in [(q.Sxx, x @ x), (q.Sx, x.sum()), (q.Sxy, x @ t), (q.Sy, t.sum()),
                      (q.Syy, t @ t)]:  # fmt: skip
        assert got == pytest.approx(want, rel=1e-12)
    np.testing.assert_allclose(q.minimum, np.polyfit(x, t, 1), rtol=1e-10)
    assert q.min_loss == pytest.approx(np.mean((np.polyval(np.polyfit(x, t, 1), x) - t) ** 2))
    assert not hubble.teacher_is_line
    np.testing.assert_allclose(hubble.trajectory.params[-1], q.minimum, rtol=1e-3)
    assert hubble.learning_rate < q.stability_limit  # the automatic rate converges


def test_grid_and_figures_adapt_to_the_data_scale(hubble):
    w, b = hubble.quadratic.minimum
    for land in (hubble.landscape, hubble.zoom):
        assert land.axes[0][0] < w < land.axes[0][-1]
        assert land.axes[1][0] < b < land.axes[1][-1]
    assert hubble.landscape.axes[0][0] <= 0.0 <= hubble.landscape.axes[0][-1]  # the start
    contour: Figure = static.figure_contour(hubble.landscape, hubble.quadratic)
    ax = contour.axes[0]
    assert ax.get_xlim()[0] < w < ax.get_xlim()[1] and ax.get_ylim()[0] < b < ax.get_ylim()[1]
    contour.canvas.draw()
    bar = contour.axes[1].yaxis  # the colour bar: 4.75 with a common 1e5, not 474915
    labels = [t.get_text() for t in bar.get_majorticklabels() if t.get_text()]
    assert labels and max(map(len, labels)) <= 6 and bar.get_major_formatter().get_offset()
    marker = next(line for line in ax.get_lines() if line.get_label().startswith("minimum"))
    np.testing.assert_allclose(np.ravel(marker.get_xydata()), [w, b])
    setting = static.figure_setting(hubble).axes[0]
    assert "distance_mpc" in setting.get_xlabel() and "velocity_km_s" in setting.get_ylabel()
    labels = [text.get_text() for text in setting.get_legend().get_texts()]
    assert labels[0].startswith("least-squares line y = 454x") and "hubble1929.csv" in labels[1]
    fit = static.figure_fit_steps(hubble).axes[0]
    assert fit.get_ylim()[1] > 1000  # the data's velocities, not the default teacher's


def test_one_input_column_only(tmp_path):
    with pytest.raises(ll.LosslabError, match="one input column, but 2"):
        ll.csv_walkthrough(HUBBLE, "distance_mpc,velocity_km_s", "velocity_km_s")


def test_csv_errors_name_file_line_and_column(tmp_path):
    bad = tmp_path / "mine.csv"
    bad.write_text("height,weight\n170,65\n165,sixty\n180,80\n", encoding="utf-8")
    with pytest.raises(ll.LosslabError) as err:
        ll.csv_walkthrough(bad, "height", "weight")
    assert all(part in str(err.value) for part in ("mine.csv", "line 3", "'weight'", "sixty"))
    with pytest.raises(ll.LosslabError, match="no column 'mass'"):
        ll.csv_walkthrough(bad, "height", "mass")


def test_drop_nan_keeps_the_rest(tmp_path):
    gaps = tmp_path / "gaps.csv"
    gaps.write_text("x,t\n0,1\n1,\n2,5\n3,7\n", encoding="utf-8")
    wt = ll.csv_walkthrough(gaps, "x", "t", drop_nan=True)
    assert wt.data.meta["dropped_rows"] == 1 and wt.data.meta["dropped_lines"] == [3]
    from losslab.i18n import tr

    meta = wt.data.meta
    said = tr("msg.dropped_rows", "en", count=meta["dropped_rows"], path="gaps.csv",
              lines=", ".join(map(str, meta["dropped_lines"])), kept=wt.data.n)  # fmt: skip
    assert said == "Dropped 1 row(s) of gaps.csv with missing values (lines 3); 3 row(s) used."
    np.testing.assert_allclose(wt.quadratic.minimum, np.polyfit([0, 2, 3], [1, 5, 7], 1))


def test_given_grid_and_learning_rate_are_used():
    wt = ll.csv_walkthrough(HUBBLE, "distance_mpc", "velocity_km_s", learning_rate=0.05,
                            grid=("0:600:50", "-300:300:50"), steps=5)  # fmt: skip
    assert wt.learning_rate == 0.05 and wt.landscape.values.shape == (13, 13)


def test_teacher_line_is_drawn_above_the_last_step_and_the_3d_path_marks_its_start():
    wt = ll.walkthrough()
    ax = static.figure_fit_steps(wt).axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    teacher = lines["teacher 2*x + 1"]
    last = lines[next(k for k in lines if k.startswith("step 100"))]
    np.testing.assert_allclose(last.get_ydata(), teacher.get_ydata(), atol=1e-3)  # same line
    assert teacher.get_zorder() > last.get_zorder() and teacher.get_linestyle() == "--"
    ax3 = static.figure_path_3d(wt.zoom, wt.trajectory, wt.quadratic).axes[0]
    start = [c for c in ax3.collections if c.get_label().startswith("start")]
    assert len(start) == 1
    np.testing.assert_allclose(np.ravel(start[0]._offsets3d)[:2], [3.0, 2.0])


def test_an_animation_of_own_data_draws_their_least_squares_line():
    from losslab.lessons import training_run
    from losslab.plots.animation import render_frames

    data = ll.load_csv(HUBBLE, ["distance_mpc"], "velocity_km_s")
    run = training_run("gd", None, steps=5, init=(0, 0), data=data)
    xs, ts = run.teacher_curve
    np.testing.assert_allclose(ts, np.polyval(np.polyfit(data.x, data.t, 1), xs))
    frame = next(render_frames(run, frames=2))
    assert frame.size == (1000, 720)
