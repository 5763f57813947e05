"""Files: arrays as ``.npz`` with JSON metadata (never pickle), PNG bytes, and writing a
folder of outputs that refuses to replace what the user already has unless asked.

>>> import io as _io
>>> buf = _io.BytesIO()
>>> save_npz(buf, {"values": np.arange(3.0)}, {"model": "perceptron"})
>>> arrays, meta = load_npz(_io.BytesIO(buf.getvalue()))
>>> arrays["values"].tolist(), meta["model"], sorted(meta["provenance"])[:3]
([0.0, 1.0, 2.0], 'perceptron', ['batchnorm', 'command', 'data'])
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any, Protocol

import numpy as np

from losslab.errors import LosslabError
from losslab.provenance import card


class Saveable(Protocol):
    """A result that writes itself as ``.npz`` (Landscape, Trajectory)."""

    def save(self, path: str | Path | IO[bytes]) -> None: ...


class Drawable(Protocol):
    """A figure that saves itself (a matplotlib Figure)."""

    def savefig(self, fname: Any, *, format: str) -> None: ...


def save_npz(
    target: str | Path | IO[bytes], arrays: Mapping[str, Any], meta: Mapping[str, Any]
) -> None:
    """Write ``arrays`` and ``meta`` (as one JSON string under ``"meta"``) to an ``.npz``.

    The metadata gets the provenance card (:func:`losslab.provenance.card`: seed, a hash
    of each row of ``arrays["directions"]``, normalisation, BatchNorm mode, data, dtype,
    device, versions, command line) under ``"provenance"``, unless it has one.
    """
    stamped = {**meta, "provenance": card(meta, arrays.get("directions"))}
    np.savez(
        Path(target) if isinstance(target, str) else target,
        **arrays,
        meta=np.array(json.dumps(stamped)),
    )


def load_npz(source: str | Path | IO[bytes]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read what :func:`save_npz` wrote: the arrays (without ``meta``) and the metadata."""
    with np.load(Path(source) if isinstance(source, str) else source, allow_pickle=False) as z:
        arrays = {key: z[key] for key in z.files if key != "meta"}
        meta: dict[str, Any] = json.loads(str(z["meta"]))
    return arrays, meta


def npz_bytes(result: Saveable) -> bytes:
    """A Landscape or Trajectory as the bytes of its .npz file (see their ``save``)."""
    buf = io.BytesIO()
    result.save(buf)
    return buf.getvalue()


def png_bytes(figure: Drawable) -> bytes:
    """A matplotlib figure as PNG bytes."""
    buf = io.BytesIO()
    figure.savefig(buf, format="png")
    return buf.getvalue()


def check_writable(folder: str | Path, names: Iterable[str], overwrite: bool = False) -> None:
    """Raise LosslabError if ``folder`` is a file, or holds one of ``names`` (unless overwrite).

    >>> check_writable("/nonexistent-losslab-folder", ["report.html"])
    """
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise LosslabError("error.out_not_dir", path=str(out))
    if not overwrite:
        for name in names:
            if (out / name).exists():
                raise LosslabError("error.out_exists", path=str(out / name))


def make_folder(folder: str | Path) -> Path:
    """Create ``folder`` (and its parents) if needed; LosslabError when the system refuses."""
    out = Path(folder)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LosslabError("error.os", path=str(out), reason=exc.strerror or str(exc)) from None
    return out


def write_files(
    folder: str | Path, files: Mapping[str, bytes | str], overwrite: bool = False
) -> list[Path]:
    """Write ``files`` (name -> bytes or UTF-8 text) into ``folder``; return the paths in order.

    Refuses (LosslabError), before writing anything, to replace an existing
    file unless ``overwrite``.
    """
    out = Path(folder)
    check_writable(out, files, overwrite)
    make_folder(out)
    written = []
    try:
        for name, data in files.items():
            path = out / name
            if isinstance(data, str):
                path.write_text(data, encoding="utf-8")
            else:
                path.write_bytes(data)
            written.append(path)
    except OSError as exc:
        raise LosslabError("error.os", path=str(out), reason=exc.strerror or str(exc)) from None
    return written
