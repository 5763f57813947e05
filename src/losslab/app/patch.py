"""Send the browser only what changed: a figure becomes a Dash ``Patch`` of its new parts.

The page keeps, in the ``view`` store, one digest per part (layout, each trace) of every
figure it shows. A step changes the path traces, not the 3D surface nor the 201 x 201
contour, so a step's answer carries only the path. The store comes from the browser and
is only compared for equality: a forged or broken one just gets whole figures.
"""

from __future__ import annotations

from typing import Any

from dash import Patch

from losslab.plots.interactive import figure_parts

#: The most parts a figure may have in the view store (more -> whole figures).
MAX_PARTS = 64


def old_digests(view: Any, name: str) -> list[str] | None:
    """The digests the page holds for figure ``name``, None if the store has none usable."""
    old = view.get(name) if isinstance(view, dict) else None
    if not isinstance(old, list) or len(old) > MAX_PARTS:
        return None
    return old if all(isinstance(d, str) for d in old) else None


def changes(fig: Any, view: Any, name: str) -> tuple[Any, list[str]]:
    """``fig`` itself, or a Patch of its changed parts; and its new digests."""
    parts, digests = figure_parts(fig)
    old = old_digests(view, name)
    if old is None or len(old) != len(digests):
        return fig, digests
    patch = Patch()
    if old[0] != digests[0]:
        patch["layout"] = parts[0]
    for i, (was, now) in enumerate(zip(old[1:], digests[1:], strict=True)):
        if was != now:
            patch["data"][i] = parts[i + 1]
    return patch, digests


def patched(figures: dict[str, Any], view: Any) -> tuple[list[Any], dict[str, list[str]]]:
    """Each figure (by name) as itself or a Patch, and the new view store."""
    out: list[Any] = []
    store: dict[str, list[str]] = {}
    for name, fig in figures.items():
        sent, store[name] = changes(fig, view, name)
        out.append(sent)
    return out, store
