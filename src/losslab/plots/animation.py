"""Training animations: the model's line, the point rolling on the landscape, the loss.

Frames are drawn by matplotlib (static parts once, moving parts per frame) and
encoded as a GIF with Pillow and, where ``ffmpeg`` is on the PATH, as an MP4; they
come back as bytes (:class:`Animation`), which the caller writes with :mod:`losslab.io`.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import NDArray
from PIL import Image

from losslab.i18n import Lang, line_text, loss_label, optimizer_name, tr
from losslab.landscape.progress import progress as counted
from losslab.lessons.optimizers import TrainingRun
from losslab.plots.static import (
    MINIMUM_COLOR,
    MODEL_COLOR,
    TEACHER_COLOR,
    _contour_levels,
    _label_axes,
    _new_figure,
    curve_label,
    style,
)

FloatArray = NDArray[np.float64]
View = Literal["contour", "3d"]


def frame_steps(steps: int, frames: int) -> NDArray[np.int_]:
    """Which step each frame shows: ``frames`` steps spread evenly from 0 to ``steps``.

    >>> frame_steps(100, 5).tolist()
    [0, 25, 50, 75, 100]
    """
    return np.round(np.linspace(0, steps, max(1, frames))).astype(int)


def _data_panel(fig: Figure, slot: Any, training: TrainingRun, lang: Lang) -> tuple[Any, Any]:
    """The data, the curve behind them and the model's line (returned, with its axes)."""
    xs, ts = training.teacher_curve
    ax = fig.add_subplot(slot)
    label = curve_label(training.data.meta, training.minimum, lang)
    ax.plot(xs, ts, color=TEACHER_COLOR, lw=2.5, label=label)
    ax.scatter(*training.data.drawn(), color=TEACHER_COLOR, edgecolor="black", s=16, zorder=3)
    (model_line,) = ax.plot(xs, training.predictions[0], color=MODEL_COLOR, lw=2)
    lo = min(float(ts.min()), float(training.data.t.min()))
    hi = max(float(ts.max()), float(training.data.t.max()))
    pad = 0.6 * (hi - lo) + 1.0
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlabel(tr("fig.x", lang))
    ax.set_ylabel(tr("fig.y", lang))
    ax.grid(alpha=0.3)
    return ax, model_line


def _landscape_panel(
    fig: Figure, slot: Any, training: TrainingRun, view: View, lang: Lang
) -> tuple[Any, Any]:
    """The landscape (contour map or 3D surface) with the minimum; returns the path and point."""
    traj, land = training.trajectory, training.landscape
    A, C = np.meshgrid(*land.axes)
    p = traj.params
    if view == "3d":
        ax = fig.add_subplot(slot, projection="3d", computed_zorder=False)
        ax.plot_surface(
            A, C, land.values, cmap="viridis", alpha=0.55, rstride=5, cstride=5, linewidth=0
        )
        ax.scatter(
            [training.minimum[0]], [training.minimum[1]], [training.min_loss],
            color=MINIMUM_COLOR, s=50, depthshade=False,
        )  # fmt: skip
        (path_line,) = ax.plot(p[:1, 0], p[:1, 1], traj.losses[:1], "-", color="black")
        (point,) = ax.plot(
            p[:1, 0], p[:1, 1], traj.losses[:1], "o", color="white", mec="black", ms=8
        )
        ax.set_zlabel(loss_label(land.meta, lang))
        ax.view_init(elev=35, azim=-120)
    else:
        ax = fig.add_subplot(slot)
        levels = _contour_levels(land.values)
        ax.contourf(A, C, land.values, levels=levels, cmap="viridis", extend="both")
        ax.plot(*training.minimum, "o", color=MINIMUM_COLOR, mec="black", ms=7)
        (path_line,) = ax.plot(p[:1, 0], p[:1, 1], "-", color="white", lw=1.2)
        (point,) = ax.plot(p[:1, 0], p[:1, 1], "o", color="white", mec="black", ms=8)
        ax.set_aspect("equal")
        ax.set_xlim(land.axes[0][0], land.axes[0][-1])
        ax.set_ylim(land.axes[1][0], land.axes[1][-1])
    _label_axes(ax, land)
    lr = traj.meta["hyperparameters"].get("learning_rate", float("nan"))
    name = optimizer_name(traj.meta["optimizer"], lang)
    ax.set_title(tr("fig.optimizer_path", lang, name=name, lr=lr))
    return path_line, point


def _loss_panel(fig: Figure, slot: Any, excess: FloatArray, lang: Lang) -> tuple[Any, Any]:
    """The loss above its minimum per step (grey), with the part so far and a point."""
    ax = fig.add_subplot(slot)
    ax.semilogy(excess, color="lightgrey", lw=1.5)
    (loss_line,) = ax.semilogy(excess[:1], color=MODEL_COLOR, lw=2)
    (loss_point,) = ax.semilogy(excess[:1], "o", color=MODEL_COLOR)
    ax.set_xlabel(tr("fig.step", lang))
    ax.set_ylabel(tr("fig.loss_minus_min", lang))
    ax.grid(alpha=0.3, which="both")
    return loss_line, loss_point


def render_frames(
    training: TrainingRun, frames: int = 40, view: View = "contour", lang: Lang = "en"
) -> Iterator[Image.Image]:
    """Yield one RGB image per frame (1000 x 720 pixels)."""
    traj = training.trajectory
    p = traj.params
    excess = np.maximum(traj.losses - training.min_loss, 1e-300)
    with style():
        fig = _new_figure(10.0, 7.2)
        fig.set_dpi(100)
        grid = fig.add_gridspec(2, 2, height_ratios=[1.5, 1])
        ax_data, model_line = _data_panel(fig, grid[0, 0], training, lang)
        path_line, point = _landscape_panel(fig, grid[0, 1], training, view, lang)
        loss_line, loss_point = _loss_panel(fig, grid[1, :], excess, lang)
        canvas = FigureCanvasAgg(fig)
        for k in frame_steps(traj.steps, frames):
            model_line.set_ydata(training.predictions[k])
            ax_data.set_title(
                tr("fig.anim_title", lang, step=k, line=line_text(*p[k]), loss=traj.losses[k])
            )
            if view == "3d":
                path_line.set_data_3d(p[: k + 1, 0], p[: k + 1, 1], traj.losses[: k + 1])
                point.set_data_3d(p[k : k + 1, 0], p[k : k + 1, 1], traj.losses[k : k + 1])
            else:
                path_line.set_data(p[: k + 1, 0], p[: k + 1, 1])
                point.set_data(p[k : k + 1, 0], p[k : k + 1, 1])
            loss_line.set_data(np.arange(k + 1), excess[: k + 1])
            loss_point.set_data([k], [excess[k]])
            canvas.draw()  # type: ignore[no-untyped-call]
            rgba = np.asarray(canvas.buffer_rgba())  # type: ignore[no-untyped-call]
            yield Image.fromarray(rgba[..., :3].copy())


def find_ffmpeg() -> str | None:
    """``ffmpeg`` on the PATH, else the one shipped by the ``imageio-ffmpeg`` package, else None."""
    found = shutil.which("ffmpeg")
    if found is None:
        try:
            import imageio_ffmpeg

            found = str(imageio_ffmpeg.get_ffmpeg_exe())
        except (ImportError, RuntimeError):
            return None
    return found


@dataclass(frozen=True, repr=False)
class Animation:
    """An encoded animation: the GIF's bytes, and the MP4's (None when not asked for or
    when no ffmpeg was found)."""

    gif: bytes
    mp4: bytes | None
    frames: int
    fps: float

    def __repr__(self) -> str:
        mp4 = "none" if self.mp4 is None else f"{len(self.mp4)} bytes"
        gif = f"gif {len(self.gif)} bytes"
        return f"Animation(frames={self.frames}, fps={self.fps:g}, {gif}, mp4 {mp4})"


def animation(
    training: TrainingRun,
    frames: int = 40,
    fps: float = 8.0,
    view: View = "contour",
    lang: Lang = "en",
    mp4: bool = False,
    progress: bool = False,
) -> Animation:
    """Render the frames and encode them: the GIF always, the MP4 when ``mp4`` and ffmpeg
    exists (:func:`find_ffmpeg`). A progress bar counts the frames if ``progress``."""
    rendered = render_frames(training, frames, view, lang)
    desc = tr("cli.rendering_frames", lang)
    images = list(counted(rendered, max(1, frames), progress, unit="frame", desc=desc))
    duration = max(20, round(1000 / fps))
    buf = io.BytesIO()
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:],
                   duration=duration, loop=0)  # fmt: skip
    ffmpeg = find_ffmpeg()
    video = _mp4(images, fps, ffmpeg) if mp4 and ffmpeg is not None else None
    return Animation(buf.getvalue(), video, len(images), float(fps))


def _mp4(images: list[Image.Image], fps: float, ffmpeg: str) -> bytes:
    """The frames as an H.264 MP4, encoded by ffmpeg (which needs a seekable file to write)."""
    import tempfile
    from pathlib import Path

    width, height = images[0].size
    with tempfile.TemporaryDirectory(prefix="losslab-") as folder:
        target = Path(folder) / "animation.mp4"
        command = [
            ffmpeg, "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
            "-s", f"{width}x{height}", "-r", f"{fps:g}", "-i", "-",
            "-pix_fmt", "yuv420p", "-vcodec", "libx264", str(target),
        ]  # fmt: skip
        data = b"".join(image.tobytes() for image in images)
        subprocess.run(command, input=data, check=True, capture_output=True)
        return target.read_bytes()
