"""Provenance: what a saved result records about how it was made, and the comparison of
two saved results (``losslab diff``).

Every ``.npz`` written through :func:`losslab.io.save_npz` carries a *card* in its
metadata (``meta["provenance"]``): the seed, a hash of each direction (rows of an array
named ``directions``), the normalisation of the directions, the BatchNorm mode, the data
(its source, subset and size), the dtype and the device, and the package versions and
command line of the run. The first group is the computation; versions and the command
line are the record, which :func:`compare` reports but does not count as a difference of
the computation.

>>> array_hash(np.zeros(3)) == array_hash(np.zeros(3)), array_hash([1.0]) == array_hash([2.0])
(True, False)
"""

from __future__ import annotations

import hashlib
import math
import platform
import shlex
import sys
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import ArrayLike

from losslab.i18n import TEXTS, Lang, tr

#: Packages whose versions a card records (each only when it is imported: torch is never
#: imported to be named).
PACKAGES = ("losslab", "numpy", "scipy", "torch", "dask")
#: Card fields that record the run but do not change the computation.
RECORD_FIELDS = ("versions", "command")


def array_hash(array: ArrayLike) -> str:
    """The first 16 hex digits of the SHA-256 of an array's float64 bytes and shape."""
    a = np.ascontiguousarray(np.asarray(array, dtype=np.float64))
    h = hashlib.sha256(a.tobytes())
    h.update(str(a.shape).encode())
    return h.hexdigest()[:16]


def versions() -> dict[str, str]:
    """Python's version and that of each package of :data:`PACKAGES` that is imported."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        if name in sys.modules or name in ("losslab", "numpy"):
            try:
                out[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                out[name] = str(getattr(sys.modules.get(name), "__version__", "unknown"))
    return out


#: The command line of the run in progress, when a shell set it (:func:`recorded_command`).
_COMMAND: ContextVar[str | None] = ContextVar("losslab_command", default=None)


@contextmanager
def recorded_command(argv: Sequence[str]) -> Iterator[None]:
    """Within the block, :func:`command_line` is ``losslab`` and ``argv`` (what the
    ``losslab`` command was given, also when it is called as a function)."""
    token = _COMMAND.set(shlex.join(["losslab", *argv]))
    try:
        yield
    finally:
        _COMMAND.reset(token)


def command_line() -> str:
    """The command that made this run, as a shell would read it (``losslab ...``): the one
    :func:`recorded_command` holds, else this process's arguments."""
    recorded = _COMMAND.get()
    if recorded is not None:
        return recorded
    argv = list(sys.argv)
    program = Path(argv[0]).name if argv else ""
    if program in ("losslab", "__main__.py"):
        argv = ["losslab", *argv[1:]]
    return shlex.join(argv)


def card(meta: Mapping[str, Any], directions: ArrayLike | None = None) -> dict[str, Any]:
    """The provenance card of a result with metadata ``meta``: read from the fields its
    maker set (``seed``, ``normalisation``, ``batchnorm``, ``data``, ``n_samples``,
    ``subset``, ``dtype``, ``device``), the hashes of the rows of ``directions`` (k, P),
    the versions and the command line. A card already in ``meta`` is kept as it is."""
    given = meta.get("provenance")
    if isinstance(given, Mapping):
        return dict(given)
    data = meta.get("data")
    source = data.get("source", data.get("teacher", "")) if isinstance(data, Mapping) else data
    rows = [] if directions is None else [array_hash(d) for d in np.atleast_2d(directions)]
    return {
        "seed": meta.get("seed", data.get("seed") if isinstance(data, Mapping) else None),
        "directions": rows,
        "normalisation": meta.get("normalisation", "none"),
        "batchnorm": meta.get("batchnorm", "none"),
        "data": {
            "source": source,
            "subset": meta.get("subset", "all"),
            "size": meta.get("n_samples"),
        },
        "dtype": str(meta.get("dtype", "float64")),
        "device": str(meta.get("device", "cpu")),
        "versions": versions(),
        "command": command_line(),
    }


def card_markdown(meta: Mapping[str, Any], lang: Lang = "en") -> str:
    """The card of a result (``meta["provenance"]``) as a Markdown table, in ``lang``.

    >>> print(card_markdown({"provenance": {"seed": 3}}))
    | | |
    |---|---|
    | seed | 3 |
    """
    lines = ["| | |", "|---|---|"]
    for key, text in card_rows(meta):
        lines.append(f"| {card_label(key, lang)} | {text.replace('|', '/')} |")
    return "\n".join(lines)


def card_label(key: str, lang: Lang = "en") -> str:
    """A card field's name in ``lang`` (the field itself when it has no text)."""
    return tr(f"card.{key}", lang) if f"card.{key}" in TEXTS else key


def card_rows(meta: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The card of a result's metadata as (field, text) rows, for a table or a README.

    >>> rows = card_rows({"provenance": {"seed": 3, "directions": ["ab", "cd"]}})
    >>> rows[:2]
    [('seed', '3'), ('directions', 'ab, cd')]
    """
    given = meta.get("provenance", {})
    out = []
    for key, value in given.items() if isinstance(given, Mapping) else ():
        if isinstance(value, Mapping):
            text = ", ".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, list):
            text = ", ".join(map(str, value)) or "-"
        else:
            text = "-" if value is None else str(value)
        out.append((str(key), text))
    return out


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts and lists as ``{"a.b[0]": leaf}``."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value and any(isinstance(v, (Mapping, list)) for v in value):
        out = {}
        for k, item in enumerate(value):
            out.update(_flatten(item, f"{prefix}[{k}]"))
        return out
    return {prefix: value}


def _is_record(name: str) -> bool:
    return any(name.startswith(f"provenance.{f}") for f in RECORD_FIELDS)


@dataclass(frozen=True)
class Comparison:
    """How two saved results differ.

    ``differences`` are the metadata fields of the computation that differ, as
    ``(field, a, b)`` (``None`` for a field one side lacks); ``record`` the fields that
    only record the run (versions, command line); ``arrays`` the arrays one side lacks
    or that have other shapes; ``largest`` the largest absolute difference of the values
    of the arrays the two hold alike, ``where`` its array and index (``""`` when none).
    """

    differences: list[tuple[str, Any, Any]] = field(default_factory=list)
    record: list[tuple[str, Any, Any]] = field(default_factory=list)
    arrays: list[str] = field(default_factory=list)
    largest: float = 0.0
    where: str = ""

    @property
    def same_computation(self) -> bool:
        """The same metadata (but for the record) and the same arrays, by name and shape."""
        return not self.differences and not self.arrays

    @property
    def same(self) -> bool:
        """The same computation with the same values, bit for bit (NaN equal to NaN)."""
        return self.same_computation and self.largest == 0.0


def _largest(a: np.ndarray, b: np.ndarray) -> tuple[float, tuple[int, ...] | None]:
    """The largest |a - b| and its index; NaN against NaN is equal, NaN against a number
    (or unequal infinities) is infinitely far."""
    if a.size == 0:
        return 0.0, None
    if a.dtype.kind not in "fciub" or b.dtype.kind not in "fciub":
        equal = a == b
        return (0.0, None) if bool(np.all(equal)) else (math.inf, None)
    x, y = a.astype(np.complex128 if "c" in a.dtype.kind + b.dtype.kind else np.float64), b
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.abs(x - y)
    both_nan = np.isnan(x) & np.isnan(y)
    same_inf = np.isinf(x) & (x == y)
    gap = np.where(both_nan | same_inf, 0.0, np.where(np.isnan(gap), np.inf, gap))
    k = int(np.argmax(gap))
    return float(gap.flat[k]), tuple(int(i) for i in np.unravel_index(k, gap.shape))


def compare(
    a: tuple[Mapping[str, Any], Mapping[str, Any]], b: tuple[Mapping[str, Any], Mapping[str, Any]]
) -> Comparison:
    """Compare two saved results, each given as ``(arrays, meta)`` (:func:`losslab.io.load_npz`).

    >>> one = ({"values": np.array([1.0, 2.0])}, {"seed": 0})
    >>> two = ({"values": np.array([1.0, 2.5])}, {"seed": 1})
    >>> c = compare(one, two)
    >>> c.differences, c.largest, c.where
    ([('seed', 0, 1)], 0.5, 'values[1]')
    """
    (arrays_a, meta_a), (arrays_b, meta_b) = a, b
    flat_a, flat_b = _flatten(dict(meta_a)), _flatten(dict(meta_b))
    differences: list[tuple[str, Any, Any]] = []
    record: list[tuple[str, Any, Any]] = []
    for name in sorted(set(flat_a) | set(flat_b)):
        left, right = flat_a.get(name), flat_b.get(name)
        if left != right:
            (record if _is_record(name) else differences).append((name, left, right))
    shapes, largest, where = [], 0.0, ""
    for name in sorted(set(arrays_a) | set(arrays_b)):
        if name not in arrays_a or name not in arrays_b:
            shapes.append(name)
            continue
        x, y = np.asarray(arrays_a[name]), np.asarray(arrays_b[name])
        if x.shape != y.shape:
            shapes.append(name)
            continue
        gap, index = _largest(x, y)
        if gap > largest:
            largest = gap
            where = name + ("" if not index else "[" + ", ".join(map(str, index)) + "]")
    return Comparison(differences, record, shapes, largest, where)


def load_for_compare(source: str | Path | IO[bytes]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A saved result's arrays and metadata; a LosslabError (one sentence) when ``source``
    is not a file that losslab wrote."""
    from losslab.errors import LosslabError
    from losslab.io import load_npz

    try:
        return load_npz(source)
    except FileNotFoundError:
        raise LosslabError("error.diff_missing", path=str(source)) from None
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise LosslabError("error.diff_file", path=str(source), reason=type(exc).__name__) from None
