"""The one scan engine: a plane task cut into row blocks, run by an executor, kept for resume.

:func:`run_plane` evaluates the grid ``a x c`` of a plane for any :class:`Problem` (or a
:class:`ProblemSpec` that builds one where the block runs). Blocks go through the executor
(:class:`SerialExecutor` by default) and are put into place as they arrive, in any order;
with ``resume`` each finished block is written at once to an .npz (temporary file, then
``os.replace``), and a rerun of the same scan computes only the blocks still missing.

Before a scan with a progress bar runs, :func:`estimate_first_row` times one grid row
(the first one still missing, evaluated here as a block of one row, its values kept)
and measures its peak memory; the engine prints the estimate of the time left and the
peak memory, and shows them in the bar's description, before the rest runs.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import time
import tracemalloc
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from losslab.core.problem import Problem, ProblemSpec
from losslab.errors import LosslabError
from losslab.i18n import Lang, tr
from losslab.landscape.executor import Block, RowExecutor, SerialExecutor, row_blocks
from losslab.landscape.progress import human_bytes, human_seconds, note, progress_bar

FloatArray = NDArray[np.float64]

#: Blocks per scan when a scan reports progress, resumes or runs elsewhere: often enough to
#: save and show work, seldom enough that a block's fixed cost does not show.
BLOCKS_PER_SCAN = 100


@lru_cache(maxsize=4)
def _built(spec: ProblemSpec) -> Problem:
    """A spec's problem, built once per process (a Dask worker keeps it for later blocks)."""
    return spec.build()


def resolve(source: Problem | ProblemSpec) -> Problem:
    """The problem itself, or the one its spec builds (once per process)."""
    if hasattr(source, "loss_grid"):
        return source  # type: ignore[return-value]
    return _built(source)  # type: ignore[arg-type]


@dataclass(frozen=True)
class PlaneTask:
    """Picklable work of one plane scan: ``run(block)`` is the loss on the block's grid rows."""

    source: Problem | ProblemSpec
    origin: FloatArray
    directions: FloatArray
    a: FloatArray
    c: FloatArray

    def run(self, block: Block) -> FloatArray:
        """Losses (block.rows, nx) on rows ``block.start:block.stop`` of the grid."""
        problem = resolve(self.source)
        rows = self.c[block.start : block.stop]
        return np.asarray(problem.loss_grid(self.origin, self.directions, self.a, rows))


def default_block_rows(n_rows: int, split: bool) -> int:
    """One block for a plain serial scan; else about :data:`BLOCKS_PER_SCAN` blocks."""
    return max(1, math.ceil(n_rows / BLOCKS_PER_SCAN)) if split else max(1, n_rows)


def scan_key(task: PlaneTask, facts: dict[str, Any]) -> str:
    """A digest of the plane, the axes and the problem's facts: what makes two scans equal."""
    h = hashlib.sha256()
    for array in (task.origin, task.directions, task.a, task.c):
        h.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
        h.update(str(np.shape(array)).encode())
    h.update(json.dumps(facts, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _load(path: Path, key: str, shape: tuple[int, int]) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Values and finished rows of a resume file of this scan; another scan's is refused."""
    try:
        with np.load(path, allow_pickle=False) as z:
            same = str(z["key"]) == key and z["values"].shape == shape
            if same:
                return z["values"].astype(np.float64), z["done"].astype(bool)
    except (OSError, KeyError, ValueError):
        pass
    raise LosslabError("error.torch_resume", path=str(path))


def _save(path: Path, key: str, values: FloatArray, done: NDArray[np.bool_]) -> None:
    """Write the resume file atomically: a temporary file beside it, then ``os.replace``."""
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, values=values, done=done, key=np.array(key))
    os.replace(tmp, path)


@dataclass(frozen=True)
class ScanEstimate:
    """What one grid row cost: its time, the time left, its peak memory.

    ``eta`` is ``seconds`` times ``rows_left`` (the time left for one process; workers
    share it). ``peak_bytes`` is the process's peak resident memory after the row
    (:func:`peak_resident_bytes`), or the peak of Python's allocations during it by
    :mod:`tracemalloc` where the system cannot say; ``device_bytes`` the peak on the
    problem's device when it reports one (``device_peak_memory()``, e.g.
    ``torch.cuda.max_memory_allocated``), else None.

    >>> ScanEstimate(0.5, 51, 50, 3 * 2**20, None).short()
    '≈25 s left, peak 3.0 MiB'
    """

    seconds: float
    points: int
    rows_left: int
    peak_bytes: int
    device_bytes: int | None

    @property
    def eta(self) -> float:
        """Seconds for the rows left, at the first row's pace."""
        return self.seconds * self.rows_left

    def text(self, lang: Lang = "en") -> str:
        """The line printed before the rest of the scan runs."""
        memory = human_bytes(self.peak_bytes)
        if self.device_bytes is not None:
            memory += tr("engine.device_memory", lang, memory=human_bytes(self.device_bytes))
        return tr("engine.estimate", lang, points=self.points, seconds=human_seconds(self.seconds),
                  rows=self.rows_left, eta=human_seconds(self.eta), memory=memory)  # fmt: skip

    def short(self, lang: Lang = "en") -> str:
        """The same, short, for the progress bar's description."""
        peak = self.peak_bytes if self.device_bytes is None else self.device_bytes
        return tr("engine.estimate_short", lang, eta=human_seconds(self.eta),
                  memory=human_bytes(peak))  # fmt: skip


def peak_resident_bytes() -> int | None:
    """This process's peak resident memory so far (``getrusage``'s ``ru_maxrss``), or None
    where the system has no :mod:`resource` module (Windows)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    peak = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return peak if sys.platform == "darwin" else peak * 1024  # macOS: bytes; Linux: KiB


def estimate_first_row(
    task: PlaneTask, row: int, rows_left: int
) -> tuple[ScanEstimate, FloatArray]:
    """Time grid row ``row`` alone (a block of one row) and measure the peak memory.

    Returns the estimate and the row's values (1, nx), which are the scan's own: a block
    of one row gives the same values bit for bit as any other block size. The memory is
    the process's peak resident size after the row; where the system cannot say it, the
    peak of Python's allocations during the row (:mod:`tracemalloc`, which slows the
    row, so the time left is then overstated).
    """
    problem = resolve(task.source)
    device_peak = getattr(problem, "device_peak_memory", None)
    if callable(device_peak):
        device_peak()  # resets the device's peak counter
    traced = peak_resident_bytes() is None and not tracemalloc.is_tracing()
    if traced:
        tracemalloc.start()
    begin = time.perf_counter()
    try:
        values = np.asarray(task.run(Block(-1, row, row + 1)), dtype=np.float64)
        seconds = time.perf_counter() - begin
        resident = peak_resident_bytes()
        peak = tracemalloc.get_traced_memory()[1] if resident is None else resident
    finally:
        if traced:
            tracemalloc.stop()
    device = device_peak() if callable(device_peak) else None
    estimate = ScanEstimate(seconds, int(task.a.size), rows_left, int(peak),
                            None if device is None else int(device))  # fmt: skip
    return estimate, values


def _trimmed(block: Block, done: NDArray[np.bool_]) -> Block:
    """The block without its leading rows already done (the timed first row)."""
    start = block.start + int(np.argmin(done[block.start : block.stop]))
    return Block(block.index, start, block.stop)


def run_plane(
    task: PlaneTask,
    facts: dict[str, Any],
    executor: RowExecutor | None = None,
    block_rows: int | None = None,
    resume: str | Path | None = None,
    progress: bool = False,
    lang: Lang = "en",
) -> FloatArray:
    """The values (ny, nx) of a plane task, block by block through ``executor``.

    With ``progress`` a bar counts the grid points, and when more than one row is left
    the first of them is timed first (:func:`estimate_first_row`): the estimate is
    printed on standard error, in ``lang``, and shown in the bar, before the rest runs.
    """
    ny, nx = task.c.size, task.a.size
    path = None if resume is None else Path(resume)
    key = scan_key(task, facts) if path is not None else ""
    values: FloatArray | None = None
    done = np.zeros(ny, dtype=bool)
    if path is not None and path.exists():
        values, done = _load(path, key, (ny, nx))
    split = executor is not None or path is not None or progress
    rows = default_block_rows(ny, split) if block_rows is None else max(1, int(block_rows))
    runner = SerialExecutor() if executor is None else executor
    with progress_bar(ny * nx, int(done.sum()) * nx, enabled=progress) as bar:
        left = np.flatnonzero(~done)
        if progress and left.size > 1:
            first = int(left[0])
            estimate, row = estimate_first_row(task, first, int(left.size) - 1)
            values = np.full((ny, nx), np.nan) if values is None else values
            values[first] = row[0]
            done[first] = True
            if path is not None:
                _save(path, key, values, done)
            bar.update(nx)
            note(estimate.text(lang))
            bar.set_description(estimate.short(lang))
        todo = [_trimmed(b, done) for b in row_blocks(ny, rows) if not done[b.start : b.stop].all()]
        for block, block_values in runner.map_blocks(task, todo):
            part = np.asarray(block_values, dtype=np.float64).reshape(block.rows, nx)
            if values is None and block.rows == ny:
                values = part  # one block holds the whole grid: no copy
            else:
                values = np.full((ny, nx), np.nan) if values is None else values
                values[block.start : block.stop] = part
            done[block.start : block.stop] = True
            if path is not None:
                _save(path, key, values, done)
            bar.update(block.rows * nx)
    return np.full((ny, nx), np.nan) if values is None else values
