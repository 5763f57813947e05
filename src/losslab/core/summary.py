"""Short, readable summaries of result objects: their ``repr`` and ``_repr_html_``.

Numbers are shown to 4 significant digits (``51.8``, not ``51.800000000000004``);
arrays by their shape unless they are tiny.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import fields, is_dataclass
from typing import Any

import numpy as np


def number(value: Any, digits: int = 4) -> str:
    """A number to ``digits`` significant digits, or a small array of such numbers.

    >>> number(51.800000000000004), number(np.array([2.0000000001, -1.5])), number(3)
    ('51.8', '[2, -1.5]', '3')
    """
    arr = np.asarray(value)
    if arr.ndim == 0:
        item = arr.item()
        if isinstance(item, bool | str) or not isinstance(item, int | float):
            return str(item)
        text = f"{item:.{digits}g}"
        return "0" if text == "-0" else text
    if arr.size <= 4:
        return "[" + ", ".join(number(v, digits) for v in arr.ravel()) + "]"
    return f"array{list(arr.shape)}"


def text_summary(title: str, rows: Sequence[tuple[str, Any]]) -> str:
    """``Title(name=value, ...)`` with every value through :func:`number`.

    >>> text_summary("Point", [("w", 2.0000000001), ("shape", "bowl")])
    'Point(w=2, shape=bowl)'
    """
    return f"{title}(" + ", ".join(f"{k}={number(v)}" for k, v in rows) + ")"


def html_summary(title: str, rows: Sequence[tuple[str, Any]]) -> str:
    """The same summary as a small HTML table, for notebooks.

    >>> html_summary("P", [("w", 1.5)])[-39:]
    '<tr><td>w</td><td>1.5</td></tr></table>'
    """
    cells = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{html.escape(number(v))}</td></tr>" for k, v in rows
    )
    caption = f'<caption style="text-align:left"><b>{html.escape(title)}</b></caption>'
    return f"<table>{caption}{cells}</table>"


def _field_value(value: Any) -> Any:
    """What a summary shows of a field: numbers, short texts, shapes, keys or a type name."""
    if value is None or isinstance(value, str | int | float | np.number | np.ndarray | bool):
        return str(value) if value is None else value
    if isinstance(value, Mapping):
        return "{" + ", ".join(map(str, value)) + "}"
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, Sequence):
        return f"{len(value)} items"
    return type(value).__name__


class Summarised:
    """A mixin for result dataclasses (declared with ``repr=False``): a short ``repr`` and a
    ``_repr_html_`` table, from :meth:`summary_rows` (by default every field, arrays by shape).
    """

    def summary_rows(self) -> list[tuple[str, Any]]:
        """The (name, value) pairs the summaries show."""
        names: list[str] = [f.name for f in fields(self)] if is_dataclass(self) else []
        return [(name, _field_value(getattr(self, name))) for name in names]

    def __repr__(self) -> str:
        return text_summary(type(self).__name__, self.summary_rows())

    def _repr_html_(self) -> str:
        return html_summary(type(self).__name__, self.summary_rows())
