#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine (run as root) and runs them:
# Debian's Chromium and a Japanese font for the browser tests, Node.js for ESLint (the lab's
# script), a virtual environment with losslab, PyTorch (CPU) and the test extras, then ruff,
# mypy, ESLint and pytest (doctests included).
set -euo pipefail
cd "$(dirname "$0")/.."

# Only what is missing: this machine kind's image may already carry Node.js with npm (from
# NodeSource, whose nodejs conflicts with Debian's npm package). No `grep -q` after a pipe:
# with pipefail, grep leaving early makes fc-list die of SIGPIPE and the test look false.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -i ipagothic >/dev/null || missing+=(fonts-ipafont-gothic)
command -v npm >/dev/null 2>&1 || missing+=(npm)  # Debian's npm brings its nodejs
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python3 -m venv .venv
# PyTorch's CPU build that lies on this kind of machine's disk, first, so that the
# 'torch' extra's lower bound is already met and no CUDA build is downloaded.
.venv/bin/python -m pip install -q --disable-pip-version-check torch==2.13.0
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,torch]'

.venv/bin/ruff check src tests benchmarks examples
.venv/bin/ruff format --check src tests benchmarks examples
.venv/bin/mypy
# ESLint for the browser script src/losslab/report/lab.js (versions pinned by the lock file).
npm ci --prefix tools/eslint --no-audit --no-fund --silent
tools/eslint/node_modules/.bin/eslint --config tools/eslint/eslint.config.mjs src/losslab/report/lab.js
.venv/bin/python -m pytest -p no:cacheprovider
