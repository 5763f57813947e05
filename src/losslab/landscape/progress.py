"""The one progress bar of losslab (tqdm, imported only when a bar is asked for; a leaf module).

Every long loop that shows progress goes through it: the scan engine's grid points, the
report's figures, an animation's frames.

>>> with progress_bar(10, 0, enabled=False) as bar:
...     bar.update(5)
>>> list(progress(iter("ab"), 2, enabled=False))
['a', 'b']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Bar(Protocol):
    """What the engine calls on a bar."""

    def update(self, n: int) -> Any: ...


class _Silent:
    def update(self, n: int) -> None:
        return None


@contextmanager
def progress_bar(
    total: int, initial: int = 0, enabled: bool = True, *, unit: str = "pt", desc: str = "losslab"
) -> Iterator[Bar]:
    """A bar counting finished ``unit`` (grid points by default, with an ETA) of ``total``,
    starting at ``initial``; silent unless ``enabled``."""
    if not enabled:
        yield _Silent()
        return
    from tqdm import tqdm

    bar = tqdm(total=total, initial=initial, unit=unit, desc=desc)
    try:
        yield bar
    finally:
        bar.close()


def progress(
    items: Iterable[T], total: int, enabled: bool = True, *, unit: str = "it", desc: str = "losslab"
) -> Iterator[T]:
    """Yield ``items`` (``total`` of them), counting each one done on a :func:`progress_bar`."""
    with progress_bar(total, 0, enabled, unit=unit, desc=desc) as bar:
        for item in items:
            yield item
            bar.update(1)
