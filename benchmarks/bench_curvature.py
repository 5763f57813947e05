"""losslab's curvature against PyHessian 0.1 on the digits MLP (64-128-128-10, 26,122 weights).

Run by benchmarks/curvature_peers.sh, which makes the benchmark's own environment
(torch 2.13.0 CPU, scikit-learn, pyhessian==0.1). One process, ``torch.set_num_threads``
as given (default 1), the same trained model and all 1,797 digits for both tools:

- the top eigenvalue: PyHessian's power iteration (``eigenvalues()``: relative change
  below 1e-3, at most 100 products) against losslab's Lanczos (``eigsh``, ``tol`` 1e-3),
  and losslab to machine precision (``tol=0``) as the reference value;
- the same eigenvalue from PyHessian at ``tol=1e-7`` (at most 1000 products), to show
  that the two tools converge to the same number;
- the trace: PyHessian's Hutchinson (``trace(maxIter=N, tol=0)``: exactly N Rademacher
  samples) against losslab's ``hutchinson_trace(samples=N)``; the two estimates must
  agree within their standard errors.

Each tool is timed ``--repeat`` times, alternating, and its best time kept. Prints
seconds, the number of Hessian-vector products, the values and the ratios
(PyHessian time / losslab time: above 1 means losslab is faster), and whether each tool
left the caller's model as it was (parameters and ``.grad``).
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

import numpy as np
import torch
from pyhessian import hessian
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from digits import build, load

from losslab.analysis.curvature import hutchinson_trace, top_eigenvalues
from losslab.torch import TorchProblem


def trained(epochs: int = 5) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    model, (x, y) = build(), load()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(epochs):
        for batch in torch.randperm(x.shape[0]).split(64):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return model, x, y


#: The clock: CPU seconds of this process (``--clock cpu``, the default on a shared machine:
#: the neighbours' load does not count) or wall-clock seconds (``--clock wall``).
CLOCK = {"cpu": time.process_time, "wall": time.perf_counter}
clock = time.process_time


def timed(fn):  # type: ignore[no-untyped-def]
    start = clock()
    out = fn()
    return out, clock() - start


def unchanged(model: nn.Module, before: dict[str, torch.Tensor]) -> bool:
    same = all(torch.equal(v, before[k]) for k, v in model.state_dict().items())
    return same and all(p.grad is None for p in model.parameters())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clock", choices=list(CLOCK), default="cpu")
    args = parser.parse_args()
    global clock
    clock = CLOCK[args.clock]
    torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)
    model, x, y = trained()
    model = model.to(dtype)
    x = x.to(dtype)
    before = copy.deepcopy(model.state_dict())
    loss = nn.CrossEntropyLoss()
    print(f"digits MLP, {sum(p.numel() for p in model.parameters())} parameters, "
          f"{x.shape[0]} samples, {args.dtype}, {args.threads} thread(s), "
          f"best of {args.repeat}, {args.clock} seconds")  # fmt: skip

    # Alternate the two tools ``--repeat`` times and keep each one's best time: the machine
    # is shared, so a single timing measures the neighbours as much as the tool.
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(seconds, best.get(name, float("inf")))

    for _ in range(args.repeat):
        lab, t = timed(lambda: TorchProblem(model, loss, (x, y), dtype=dtype))
        keep("lab setup", t)
        op, t = timed(lambda: lab.operator())  # noqa: B023
        keep("lab graph", t)
        top, t = timed(lambda: top_eigenvalues(op, k=1, tol=1e-3, seed=0))  # noqa: B023
        keep("lab top", t)
        tr_lab, t = timed(lambda: hutchinson_trace(op, args.samples, seed=0))  # noqa: B023
        keep("lab trace", t)
        torch.manual_seed(0)
        peer, t = timed(lambda: hessian(model, loss, data=(x, y), cuda=False))
        keep("peer setup", t)
        (eig, _), t = timed(lambda: peer.eigenvalues(maxIter=100, tol=1e-3, top_n=1))  # noqa: B023
        keep("peer top", t)
        samples, t = timed(lambda: peer.trace(maxIter=args.samples, tol=0.0))  # noqa: B023
        keep("peer trace", t)
        for p in model.parameters():
            p.grad = None  # PyHessian's constructor leaves the gradient (and its graph) in .grad
    exact, t_exact = timed(lambda: top_eigenvalues(lab.operator(), k=1, tol=0.0, seed=0))
    lab_ok = unchanged(model, before)
    torch.manual_seed(0)
    tight = hessian(model, loss, data=(x, y), cuda=False)
    (tight_eig, _), t_tight = timed(lambda: tight.eigenvalues(maxIter=1000, tol=1e-7, top_n=1))
    peer_ok = unchanged(model, before)
    t_setup, t_top, t_tr = best["lab setup"] + best["lab graph"], best["lab top"], best["lab trace"]
    p_setup, p_top, p_tr = best["peer setup"], best["peer top"], best["peer trace"]

    ref = exact.lambda_max
    p_mean = float(np.mean(samples))
    p_err = float(np.std(samples, ddof=1) / np.sqrt(len(samples)))
    print(f"reference λmax (losslab, tol=0, {exact.matvecs} products, {t_exact:.2f} s): {ref:.8g}")
    print(f"{'':12s} {'setup s':>8s} {'λmax s':>8s} {'λmax':>12s} {'rel.err':>9s} "
          f"{'trace s':>8s} {'trace':>10s} {'± stderr':>9s}")  # fmt: skip
    print(f"{'losslab':12s} {t_setup:8.3f} {t_top:8.3f} {top.lambda_max:12.8g} "
          f"{abs(top.lambda_max - ref) / ref:9.1e} {t_tr:8.3f} {tr_lab.value:10.5g} "
          f"{tr_lab.stderr:9.3g}")  # fmt: skip
    print(f"{'pyhessian':12s} {p_setup:8.3f} {p_top:8.3f} {eig[0]:12.8g} "
          f"{abs(eig[0] - ref) / ref:9.1e} {p_tr:8.3f} {p_mean:10.5g} {p_err:9.3g}")  # fmt: skip
    print(f"PyHessian to tol 1e-7 (at most 1000 products, {t_tight:.2f} s): {tight_eig[0]:.8g}, "
          f"relative difference {abs(tight_eig[0] - ref) / ref:.1e}")  # fmt: skip
    print(f"losslab products for λmax: {top.matvecs}; PyHessian's: at most 100 (power iteration)")
    print(f"ratio pyhessian/losslab, λmax incl. setup: "
          f"{(p_setup + p_top) / (t_setup + t_top):.2f}; trace: {p_tr / t_tr:.2f}")  # fmt: skip
    gap = abs(tr_lab.value - p_mean) / np.hypot(tr_lab.stderr, p_err)
    print(f"trace estimates differ by {gap:.2f} combined standard errors")
    print(f"caller's model unchanged: losslab {lab_ok}, pyhessian {peer_ok}")


if __name__ == "__main__":
    main()
