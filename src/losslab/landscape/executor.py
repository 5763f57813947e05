"""The executor seam: how the scan engine runs blocks of grid rows.

A scan is cut into :class:`Block` s of consecutive grid rows. A *task* is a picklable
object with ``run(block) -> values`` (shape ``(block.stop - block.start, nx)``); it holds
what every block needs (the problem, or a spec that builds it, and the plane), so that an
executor ships it once per worker, not once per block. An executor yields
``(block, values)`` pairs as blocks finish, in any order; the engine puts each into place.

``SerialExecutor`` (the default) runs the blocks in this process, in order. The Dask
executor (``losslab.adapters.dask``) runs them on a local or remote cluster, with the same
results bit for bit because each block is computed by the same code on the same inputs.

>>> import numpy as np
>>> class Rows:
...     def run(self, block):
...         return np.arange(block.start, block.stop, dtype=float)[:, None] * np.ones((1, 3))
>>> out = dict(SerialExecutor().map_blocks(Rows(), row_blocks(5, 2)))
>>> [b.start for b in out], out[Block(2, 4, 5)].tolist()
([0, 2, 4], [[4.0, 4.0, 4.0]])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, order=True)
class Block:
    """Grid rows ``start:stop`` of a scan; ``index`` numbers the blocks from 0."""

    index: int
    start: int
    stop: int

    @property
    def rows(self) -> int:
        """How many grid rows the block holds."""
        return self.stop - self.start


class BlockTask(Protocol):
    """Picklable work shared by all blocks of one scan: ``run(block)`` gives its values."""

    def run(self, block: Block) -> FloatArray: ...


class RowExecutor(Protocol):
    """Runs a task on blocks and yields ``(block, values)`` as they finish, in any order."""

    def map_blocks(
        self, task: BlockTask, blocks: Sequence[Block]
    ) -> Iterator[tuple[Block, FloatArray]]: ...


class SerialExecutor:
    """Runs every block in this process, one after the other (the default)."""

    def map_blocks(
        self, task: BlockTask, blocks: Sequence[Block]
    ) -> Iterator[tuple[Block, FloatArray]]:
        for block in blocks:
            yield block, np.asarray(task.run(block), dtype=np.float64)

    def __repr__(self) -> str:
        return "SerialExecutor()"


def row_blocks(n_rows: int, rows_per_block: int, skip: Iterable[int] = ()) -> list[Block]:
    """Cut ``n_rows`` grid rows into blocks of ``rows_per_block``, leaving out indices in ``skip``.

    >>> [(b.index, b.start, b.stop) for b in row_blocks(5, 2, skip=[1])]
    [(0, 0, 2), (2, 4, 5)]
    """
    step = max(1, int(rows_per_block))
    done = set(skip)
    starts = range(0, max(0, int(n_rows)), step)
    return [Block(k, s, min(s + step, n_rows)) for k, s in enumerate(starts) if k not in done]
