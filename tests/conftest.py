"""Shared test set-up: a non-interactive matplotlib backend."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
