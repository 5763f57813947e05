#!/usr/bin/env bash
# The curvature benchmark in its own environment (/tmp/losslab-curvature-bench): losslab,
# torch 2.13.0 (CPU), scikit-learn, scipy and the peer PyHessian 0.1 (pip name
# ``pyhessian``), which losslab itself never depends on.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-/tmp/losslab-curvature-bench}
python3 -m venv "$VENV"
"$VENV"/bin/python -m pip install -q --disable-pip-version-check torch==2.13.0
"$VENV"/bin/python -m pip install -q --disable-pip-version-check -e '.[torch]' \
    scikit-learn pyhessian==0.1
# One BLAS thread, as torch gets one (--threads): OpenBLAS's idle threads otherwise spin
# after every numpy call and take the CPU from torch on a busy machine.
OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} \
    "$VENV"/bin/python benchmarks/bench_curvature.py "$@"
