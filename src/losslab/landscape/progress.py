"""The one progress bar of losslab (tqdm, imported only when a bar is asked for; a leaf module).

Every long loop that shows progress goes through it: the scan engine's grid points, the
report's figures, an animation's frames.

>>> with progress_bar(10, 0, enabled=False) as bar:
...     bar.update(5)
>>> list(progress(iter("ab"), 2, enabled=False))
['a', 'b']
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Bar(Protocol):
    """What the engine calls on a bar: count finished work, show a short description."""

    def update(self, n: int) -> Any: ...

    def set_description(self, desc: str) -> Any: ...


class _Silent:
    def update(self, n: int) -> None:
        return None

    def set_description(self, desc: str) -> None:
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


def note(text: str, enabled: bool = True) -> None:
    """Print one line on standard error above any bar (tqdm's ``write``), if ``enabled``."""
    if enabled:
        from tqdm import tqdm

        tqdm.write(text, file=sys.stderr)


def human_seconds(seconds: float) -> str:
    """A duration for people: seconds below two minutes, then minutes, then hours.

    >>> human_seconds(0.01234), human_seconds(150.0), human_seconds(9000.0)
    ('0.0123 s', '2.5 min', '2.5 h')
    """
    if seconds < 120:
        return f"{seconds:.3g} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def human_bytes(count: float) -> str:
    """A size in bytes for people, in binary units.

    >>> human_bytes(512), human_bytes(3 * 2**20), human_bytes(5.5 * 2**30)
    ('512 B', '3.0 MiB', '5.5 GiB')
    """
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{int(count)} B"


def progress(
    items: Iterable[T], total: int, enabled: bool = True, *, unit: str = "it", desc: str = "losslab"
) -> Iterator[T]:
    """Yield ``items`` (``total`` of them), counting each one done on a :func:`progress_bar`."""
    with progress_bar(total, 0, enabled, unit=unit, desc=desc) as bar:
        for item in items:
            yield item
            bar.update(1)
