#!/usr/bin/env bash
# The torch benchmark in its own environment: losslab, torch 2.13.0 (CPU), scikit-learn,
# and the peer loss-landscapes==3.0.6, which the project itself never depends on.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv-bench
.venv-bench/bin/python -m pip install -q --disable-pip-version-check torch==2.13.0
.venv-bench/bin/python -m pip install -q --disable-pip-version-check -e '.[torch]' \
    scikit-learn loss-landscapes==3.0.6
.venv-bench/bin/python benchmarks/bench_torch.py "$@"
