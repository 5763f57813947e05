"""The edge of stability on the digits MLP (64-128-128-10, PyTorch): full-batch gradient
descent at learning rate lr, λmax every few steps (Cohen et al. 2021).

    python examples/digits_sharpness.py --learning-rate 0.1 --steps 1500 --every 25

Writes docs/images/sharpness-digits.png (refuses to overwrite without --overwrite) and
prints λmax against 2/lr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from digits import build, load

from losslab.lessons.sharpness import sharpness_run
from losslab.plots.curvature import figure_sharpness
from losslab.torch import TorchProblem


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--every", type=int, default=25)
    parser.add_argument("--loss", choices=["cross-entropy", "mse"], default="mse")
    parser.add_argument("--out", default="docs/images/sharpness-digits.png")
    parser.add_argument("--overwrite", action="store_true")
    parser.add_argument("--lang", default="en")
    args = parser.parse_args()
    out = Path(args.out)
    if out.exists() and not args.overwrite:
        sys.exit(f"{out} exists: pass --overwrite to replace it")
    torch.manual_seed(0)
    x, y = load()
    if args.loss == "mse":  # Cohen et al.'s main setting: squared error on one-hot targets
        targets = nn.functional.one_hot(y, 10).to(torch.float32)
        problem = TorchProblem(build(), nn.MSELoss(), (x, targets), dtype=torch.float32)
    else:
        problem = TorchProblem(build(), nn.CrossEntropyLoss(), (x, y), dtype=torch.float32)
    init = problem.origin.cpu().numpy().astype(np.float64)
    run = sharpness_run(problem, init, args.learning_rate, args.steps, args.every, tol=1e-4,
                        problem_text=f"digits MLP ({args.loss})")  # fmt: skip
    mean, low, high = run.edge_ratio()
    print(run)
    print(f"2/lr = {run.stability_limit:.4g}; λmax first at 2/lr on step {run.first_reach(1.0)}; "
          f"last half λmax/(2/lr): mean {mean:.3f}, from {low:.3f} to {high:.3f}")  # fmt: skip
    print(
        "step, loss, λmax: "
        + "; ".join(
            f"{s} {run.losses[s]:.4g} {v:.4g}"
            for s, v in zip(run.steps, run.lambda_max, strict=True)
        )
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    figure_sharpness(run, args.lang).savefig(out)


if __name__ == "__main__":
    main()
