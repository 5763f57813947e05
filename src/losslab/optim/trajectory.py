"""Trajectory: the path of an optimizer, with why it stopped; saved as .npz + JSON or CSV."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from losslab.io import load_npz, save_npz

FloatArray = NDArray[np.float64]


State = Any


@dataclass(frozen=True)
class Trajectory:
    """The path of an optimizer: parameters (T, P), losses (T,), gradients (T, P).

    Row 0 is the start; row k is after k updates. ``meta["stop"]`` says why it
    stopped: ``"converged"`` (gradient norm below the tolerance), ``"step limit"``
    or ``"diverged"`` (then ``meta["diverged_at"]`` is the first update whose
    loss was non-finite or past the bound; only the finite steps are kept).
    """

    params: FloatArray
    losses: FloatArray
    gradients: FloatArray
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """The number of updates made (rows minus one)."""
        return int(self.params.shape[0]) - 1

    def save(self, path: str | Path | IO[bytes]) -> None:
        """Write to ``path`` (.npz, or a binary file) with the metadata as JSON; never pickle."""
        arrays = {"params": self.params, "losses": self.losses, "gradients": self.gradients}
        save_npz(path, arrays, self.meta)

    def csv_text(self) -> str:
        """One row per step (step, parameters, loss, gradient) after a ``# {json}`` line."""
        names = list(self.meta.get("param_names", [f"p{k}" for k in range(self.params.shape[1])]))
        header = ["step", *names, "loss", *[f"grad_{name}" for name in names]]
        table = np.column_stack(
            [np.arange(self.params.shape[0]), self.params, self.losses, self.gradients]
        )
        lines = ["# " + json.dumps(dict(self.meta)), ",".join(header)]
        lines += [",".join(repr(float(v)) for v in row) for row in table]
        return "\n".join(lines) + "\n"

    def save_csv(self, path: str | Path) -> None:
        """Write :meth:`csv_text` to ``path``."""
        Path(path).write_text(self.csv_text(), encoding="utf-8")

    @classmethod
    def load_csv(cls, path: str | Path) -> Trajectory:
        """Read a trajectory written by :meth:`save_csv`."""
        with Path(path).open(encoding="utf-8") as f:
            meta = json.loads(f.readline().removeprefix("# "))
            columns = f.readline().strip().split(",")
            table = np.loadtxt(f, delimiter=",", ndmin=2)
        p = (len(columns) - 2) // 2
        return cls(
            params=table[:, 1 : 1 + p],
            losses=table[:, 1 + p],
            gradients=table[:, 2 + p :],
            meta=meta,
        )

    @classmethod
    def load(cls, path: str | Path) -> Trajectory:
        """Read a trajectory written by :meth:`save`."""
        arrays, meta = load_npz(Path(path))
        return cls(arrays["params"], arrays["losses"], arrays["gradients"], meta)
