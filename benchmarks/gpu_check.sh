#!/usr/bin/env bash
# One command on a machine with a GPU (under 5 minutes): batched grid points on CUDA against
# the CPU in float64, and points per second batched vs one at a time, for the digits MLP and
# a small CNN with BatchNorm. Without CUDA it says so and exits 0.
#   benchmarks/gpu_check.sh                  # PYTHON=... to choose the interpreter
#   benchmarks/gpu_check.sh --device cpu     # the whole path on the CPU
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" exec timeout 300 "$PYTHON" benchmarks/gpu_check.py "$@"
