"""The one scan engine: a plane task cut into row blocks, run by an executor, kept for resume.

:func:`run_plane` evaluates the grid ``a x c`` of a plane for any :class:`Problem` (or a
:class:`ProblemSpec` that builds one where the block runs). Blocks go through the executor
(:class:`SerialExecutor` by default) and are put into place as they arrive, in any order;
with ``resume`` each finished block is written at once to an .npz (temporary file, then
``os.replace``), and a rerun of the same scan computes only the blocks still missing.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from losslab.core.problem import Problem, ProblemSpec
from losslab.errors import LosslabError
from losslab.landscape.executor import Block, RowExecutor, SerialExecutor, row_blocks
from losslab.landscape.progress import progress_bar

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


def run_plane(
    task: PlaneTask,
    facts: dict[str, Any],
    executor: RowExecutor | None = None,
    block_rows: int | None = None,
    resume: str | Path | None = None,
    progress: bool = False,
) -> FloatArray:
    """The values (ny, nx) of a plane task, block by block through ``executor``."""
    ny, nx = task.c.size, task.a.size
    path = None if resume is None else Path(resume)
    key = scan_key(task, facts) if path is not None else ""
    values: FloatArray | None = None
    done = np.zeros(ny, dtype=bool)
    if path is not None and path.exists():
        values, done = _load(path, key, (ny, nx))
    split = executor is not None or path is not None or progress
    rows = default_block_rows(ny, split) if block_rows is None else max(1, int(block_rows))
    todo = [b for b in row_blocks(ny, rows) if not done[b.start : b.stop].all()]
    runner = SerialExecutor() if executor is None else executor
    with progress_bar(ny * nx, int(done.sum()) * nx, enabled=progress) as bar:
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
