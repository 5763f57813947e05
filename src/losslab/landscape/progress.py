"""The scan's progress bar: tqdm, imported only when a bar is asked for (a leaf module).

>>> with progress_bar(10, 0, enabled=False) as bar:
...     bar.update(5)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Bar(Protocol):
    """What the engine calls on a bar."""

    def update(self, n: int) -> Any: ...


class _Silent:
    def update(self, n: int) -> None:
        return None


@contextmanager
def progress_bar(total: int, initial: int, enabled: bool) -> Iterator[Bar]:
    """A bar counting finished grid points (with an ETA) of ``total``; silent unless enabled."""
    if not enabled:
        yield _Silent()
        return
    from tqdm import tqdm

    bar = tqdm(total=total, initial=initial, unit="pt", desc="losslab")
    try:
        yield bar
    finally:
        bar.close()
