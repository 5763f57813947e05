"""The result of a scan: loss values on a grid, with the plane and axes that made them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from losslab.io import save_npz

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Landscape:
    """Loss values on a grid, with the plane and axes that made them.

    ``values[j, i]`` is the loss at ``origin + axes[0][i]*directions[0] +
    axes[1][j]*directions[1]`` (meshgrid "xy" order: rows follow the second axis).
    """

    origin: FloatArray
    directions: FloatArray
    axes: tuple[FloatArray, ...]
    values: FloatArray
    meta: Mapping[str, Any] = field(default_factory=dict)

    def argmin(self) -> tuple[float, float, float]:
        """The grid point with the lowest loss, as ``(a, c, loss)``."""
        j, i = np.unravel_index(int(np.argmin(self.values)), self.values.shape)
        return float(self.axes[0][i]), float(self.axes[1][j]), float(self.values[j, i])

    def save(self, path: str | Path | IO[bytes]) -> None:
        """Write arrays to ``path`` (.npz, or a binary file) and ``meta`` as JSON, with the
        provenance card (:func:`losslab.io.save_npz`); never pickle."""
        arrays: dict[str, Any] = {f"axis{k}": axis for k, axis in enumerate(self.axes)}
        arrays.update(origin=self.origin, directions=self.directions, values=self.values)
        save_npz(path, arrays, self.meta)

    @classmethod
    def load(cls, path: str | Path) -> Landscape:
        """Read a landscape written by :meth:`save`."""
        with np.load(Path(path), allow_pickle=False) as z:
            count = sum(1 for key in z.files if key.startswith("axis"))
            return cls(
                origin=z["origin"],
                directions=z["directions"],
                axes=tuple(z[f"axis{k}"] for k in range(count)),
                values=z["values"],
                meta=json.loads(str(z["meta"])),
            )
