"""A small MLP (64-128-128-10) on scikit-learn's bundled digits data (no download).

Needs the ``torch`` and ``examples`` extras: ``pip install '.[torch,examples]'``.
Used by ``examples/digits_landscape.py`` and by the CLI:

    losslab torch-scan --model examples/digits.py:build --data examples/digits.py:load \\
        --checkpoint digits-out/final.pt
"""

from __future__ import annotations

import torch
from torch import nn

from losslab.errors import LosslabError


def build() -> nn.Module:
    """The network: 64 pixels -> 128 -> 128 -> 10 classes, ReLU."""
    return nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10)
    )


def load() -> tuple[torch.Tensor, torch.Tensor]:
    """All 1,797 digits: pixels scaled to [0, 1] (float32) and labels (int64)."""
    try:
        from sklearn.datasets import load_digits
    except ModuleNotFoundError as exc:  # say which module, and how to get it
        module = (exc.name or "sklearn").split(".")[0]  # the top-level package is what is missing
        raise LosslabError("error.example_module", module=module,
                           package="scikit-learn", extra="torch,examples") from None  # fmt: skip
    digits = load_digits()
    x = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    y = torch.tensor(digits.target, dtype=torch.int64)
    return x, y
