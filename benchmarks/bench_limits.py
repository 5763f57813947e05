"""``losslab demo`` at the documented limits, in seconds (a benchmark, not a test).

Runs the console command in a fresh process, as a user would, at:

- the default settings (the baseline: 21 samples, a 41 x 41 grid);
- the sample limit: ``--x 0:1:1000000`` (1,000,000 samples);
- the grid limit: ``--grid -10:10:0.004`` (5,001 x 5,001 points);

and prints each wall time and its ratio to the baseline of the same run (the
machine's load changes the seconds, much less the ratios).

    python benchmarks/bench_limits.py [--repeats 1] [--python PATH]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

CASES = {
    "default (21 samples, 41 x 41 grid)": [],
    "sample limit (--x 0:1:1000000)": ["--x", "0:1:1000000"],
    "grid limit (--grid -10:10:0.004, 5001 x 5001)": ["--grid", "-10:10:0.004"],
}


def seconds(python: str, flags: list[str]) -> float:
    """Wall time of one ``losslab demo`` with ``flags`` into a fresh folder."""
    with tempfile.TemporaryDirectory() as out:
        command = [python, "-m", "losslab", "demo", *flags, "--out", out, "--quiet"]
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1, help="best of this many runs")
    parser.add_argument("--python", default=sys.executable, help="the interpreter to run")
    args = parser.parse_args()
    baseline = None
    for name, flags in CASES.items():
        best = min(seconds(args.python, flags) for _ in range(args.repeats))
        baseline = baseline or best
        print(f"{name:48s} {best:7.1f} s  {best / baseline:5.1f} x default", flush=True)


if __name__ == "__main__":
    main()
