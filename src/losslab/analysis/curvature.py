"""The Hessian's spectrum without forming the Hessian: only products ``H v`` are needed.

- top-k eigenvalues by Lanczos (``scipy.sparse.linalg.eigsh`` on a ``LinearOperator``);
  ``2 / lambda_max`` is the largest learning rate at which gradient descent is stable;
- the trace by Hutchinson's estimator ``E[z^T H z]`` (Rademacher ``z``), with its standard
  error (Hutchinson 1990, "A stochastic estimator of the trace of the influence matrix");
- the spectral density by stochastic Lanczos quadrature, Gaussian-broadened (Ghorbani,
  Krishnan, Xiao 2019, "An Investigation into Neural Net Optimization via Hessian
  Eigenvalue Density", ICML; Lin, Saad, Yang 2016);
- the same per named parameter block (the block's own square of the Hessian);
- all four at once as a :class:`CurvatureReport` (:func:`curvature_report`), the one
  result that ``losslab curvature`` prints and saves.

Every function takes a :class:`HessianOperator` (from :func:`operator_of` for the numpy
problems, from :func:`losslab.torch.hessian_operator` for PyTorch), is seeded, and
returns a frozen result that carries its inputs. scipy is imported inside the functions.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.analysis.hvp import hvp_function, param_blocks
from losslab.errors import LosslabError
from losslab.io import load_npz, save_npz, write_files

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class HessianOperator:
    """``v -> H v`` for a Hessian (P, P), with its parameter blocks and a description.

    >>> op = HessianOperator(lambda v: np.array([2.0, 0.5]) * v, 2, {"w": slice(0, 1)}, "diag")
    >>> op.matvec(np.ones(2)).tolist()
    [2.0, 0.5]
    """

    matvec: Callable[[FloatArray], FloatArray]
    n_params: int
    blocks: Mapping[str, slice] = field(default_factory=dict)
    problem: str = ""

    def restrict(self, name: str) -> HessianOperator:
        """The block's own Hessian ``H[b, b]`` (the block's parameters only move)."""
        part = self.blocks[name]
        size = len(range(self.n_params)[part])

        def matvec(v: FloatArray) -> FloatArray:
            full = np.zeros(self.n_params)
            full[part] = v
            return np.asarray(self.matvec(full)[part])

        return HessianOperator(matvec, size, {name: slice(0, size)}, f"{self.problem} [{name}]")


def operator_of(problem: object, params: ArrayLike, description: str = "") -> HessianOperator:
    """The Hessian operator of a problem at ``params`` (P,): its own ``hvp(params, v)`` bound to
    ``params`` (:func:`~losslab.analysis.hvp.hvp_function`), or its ``hvp_operator(params)``
    (the same products prepared once for many, e.g. PyTorch's gradient graph kept) when it
    has one; with the blocks of its parameter names. A LosslabError when the problem
    offers neither."""
    p = np.asarray(params, dtype=np.float64)
    names = tuple(getattr(problem, "param_names", ()))
    blocks = param_blocks(names) if len(names) == p.size else {}
    text = description or _describe(problem)
    prepared = getattr(problem, "hvp_operator", None)
    matvec = prepared(p) if callable(prepared) else hvp_function(problem, p)
    return HessianOperator(matvec, int(p.size), blocks, text)


def _describe(problem: object) -> str:
    model = getattr(problem, "model", None)
    loss = getattr(getattr(problem, "loss_fn", None), "name", "")
    data = getattr(problem, "data", None)
    source = getattr(data, "meta", {}).get("source", "") if data is not None else ""
    parts = [str(getattr(model, "sizes", type(model).__name__ if model else "")), loss, source]
    return " ".join(str(x) for x in parts if x) or type(problem).__name__


def _short(values: FloatArray) -> str:
    return "[" + ", ".join(f"{v:.4g}" for v in np.ravel(values)) + "]"


@dataclass(frozen=True, repr=False)
class TopEigenvalues:
    """The k largest eigenvalues (descending) and their eigenvectors (P, k); from
    ``which="SA"`` the k smallest (ascending)."""

    values: FloatArray
    vectors: FloatArray
    k: int
    tol: float
    seed: int
    problem: str
    matvecs: int

    @property
    def lambda_max(self) -> float:
        return float(self.values[0])

    @property
    def stability_limit(self) -> float:
        """``2 / lambda_max``: the largest learning rate at which gradient descent is stable."""
        return 2.0 / self.lambda_max if self.lambda_max > 0 else float("inf")

    def __repr__(self) -> str:
        return f"TopEigenvalues({_short(self.values)}, problem={self.problem!r}, seed={self.seed})"


def _as_linear_operator(op: HessianOperator) -> tuple[Any, list[int]]:
    from scipy.sparse.linalg import LinearOperator

    count = [0]

    def matvec(v: FloatArray) -> FloatArray:
        count[0] += 1
        return np.asarray(op.matvec(np.asarray(v, dtype=np.float64).ravel()), dtype=np.float64)

    shape = (op.n_params, op.n_params)
    return LinearOperator(shape, matvec=matvec, dtype=np.float64), count


def dense(op: HessianOperator) -> FloatArray:
    """The Hessian (P, P) column by column (P products): for small problems only."""
    return np.column_stack([op.matvec(e) for e in np.eye(op.n_params)])


def top_eigenvalues(
    op: HessianOperator,
    k: int = 1,
    tol: float = 0.0,
    seed: int = 0,
    ncv: int | None = None,
    which: Literal["LA", "SA"] = "LA",
) -> TopEigenvalues:
    """The ``k`` largest (algebraic) eigenvalues by Lanczos (ARPACK's ``eigsh``, ``which="LA"``);
    with ``which="SA"`` the ``k`` smallest instead (the most negative first: at a saddle,
    the directions that go down), ascending.

    ``tol`` is eigsh's relative accuracy (0: machine precision). The start vector is
    seeded. ``ncv`` Lanczos vectors are kept between restarts (default ``max(2k + 2, 8)``,
    fewer than ARPACK's 20: on the digits MLP λmax to 1e-8 then takes 13 products, not 21).
    When ``k >= P - 1`` (ARPACK needs ``k < P``) the Hessian is formed densely.

    >>> op = HessianOperator(lambda v: np.array([3.0, 1.0, 0.5]) * v, 3, problem="diag")
    >>> top_eigenvalues(op, k=2)
    TopEigenvalues([3, 1], problem='diag', seed=0)
    >>> top_eigenvalues(op, k=1, which="SA").values.round(12).tolist()
    [0.5]
    """
    if not 1 <= int(k) <= op.n_params:
        raise LosslabError("curvature.error_k", k=k, limit=op.n_params)
    if k >= op.n_params - 1:
        H = dense(op)
        values, vectors = np.linalg.eigh((H + H.T) / 2)
        matvecs = op.n_params
    else:
        from scipy.sparse.linalg import eigsh

        linear, count = _as_linear_operator(op)
        v0 = np.random.default_rng(seed).normal(size=op.n_params)
        lanczos_vectors = min(op.n_params, ncv or max(2 * int(k) + 2, 8))
        values, vectors = eigsh(linear, k=int(k), which=which, tol=tol, v0=v0, ncv=lanczos_vectors)
        matvecs = count[0]
    ascending = np.argsort(values)
    order = (ascending if which == "SA" else ascending[::-1])[: int(k)]
    return TopEigenvalues(
        values[order], vectors[:, order], int(k), float(tol), seed, op.problem, matvecs
    )


@dataclass(frozen=True, repr=False)
class TraceEstimate:
    """Hutchinson's estimate of ``trace(H)``: the mean of ``z^T H z`` and its standard error."""

    value: float
    stderr: float
    samples: int
    seed: int
    problem: str

    def __repr__(self) -> str:
        return f"TraceEstimate({self.value:.5g} ± {self.stderr:.2g}, samples={self.samples})"


def rademacher(rng: np.random.Generator, size: int) -> FloatArray:
    """A vector of independent ±1 (each with probability 1/2)."""
    return np.asarray(rng.integers(0, 2, size) * 2.0 - 1.0)


def hutchinson_trace(op: HessianOperator, samples: int = 100, seed: int = 0) -> TraceEstimate:
    """``trace(H) ~ mean_i z_i^T H z_i`` over Rademacher vectors ``z_i`` (P,), seeded.

    >>> op = HessianOperator(lambda v: np.array([3.0, 1.0, 0.5]) * v, 3, problem="diag")
    >>> hutchinson_trace(op, samples=10)  # a diagonal H: every sample is exact
    TraceEstimate(4.5 ± 0, samples=10)
    """
    if not 2 <= int(samples) <= 100_000:
        raise LosslabError("curvature.error_samples", value=samples)
    rng = np.random.default_rng(seed)
    draws = np.empty(int(samples))
    for i in range(int(samples)):
        z = rademacher(rng, op.n_params)
        draws[i] = np.sum(z * op.matvec(z))  # no BLAS call: its idle threads would spin
    stderr = float(draws.std(ddof=1) / np.sqrt(draws.size))
    return TraceEstimate(float(draws.mean()), stderr, int(samples), seed, op.problem)


def lanczos(op: HessianOperator, start: FloatArray, steps: int) -> tuple[FloatArray, FloatArray]:
    """Ritz values (m,) and their weights (m,) from ``steps`` Lanczos steps started at ``start``.

    The weights are the squared first components of the tridiagonal matrix's
    eigenvectors: the Gauss quadrature of the spectral measure seen from ``start``.
    Fully re-orthogonalised; stops early on an invariant subspace.
    """
    q = start / np.linalg.norm(start)
    basis = [q]
    alphas: list[float] = []
    betas: list[float] = []
    for j in range(steps):
        w = op.matvec(basis[-1])
        alphas.append(float(basis[-1] @ w))
        Q = np.array(basis)
        w = w - Q.T @ (Q @ w)
        w = w - Q.T @ (Q @ w)  # twice is enough (Giraud et al. 2005)
        beta = float(np.linalg.norm(w))
        if j + 1 == steps or beta < 1e-12 * max(1.0, abs(alphas[0])):
            break
        betas.append(beta)
        basis.append(w / beta)
    T = np.diag(alphas) + np.diag(betas, 1) + np.diag(betas, -1)
    nodes, vectors = np.linalg.eigh(T)
    return nodes, vectors[0] ** 2


@dataclass(frozen=True, repr=False)
class SpectralDensity:
    """The Hessian's eigenvalue density, by stochastic Lanczos quadrature.

    ``nodes`` and ``weights`` (runs, m) are each run's quadrature (weights sum to 1 per
    run); ``density`` (g,) on ``grid`` (g,) is their average, each node broadened by a
    Gaussian of width ``sigma``. It integrates to 1 over the grid.
    """

    grid: FloatArray
    density: FloatArray
    nodes: FloatArray
    weights: FloatArray
    steps: int
    runs: int
    sigma: float
    seed: int
    problem: str

    def moment(self, power: int) -> tuple[float, float]:
        """The estimate of ``trace(H^power) / P`` (of the nodes, not broadened) and its
        standard error over the runs."""
        per_run = np.sum(self.weights * self.nodes**power, axis=1)
        err = per_run.std(ddof=1) / np.sqrt(self.runs) if self.runs > 1 else float("nan")
        return float(per_run.mean()), float(err)

    def __repr__(self) -> str:
        lo, hi = float(self.nodes.min()), float(self.nodes.max())
        return (
            f"SpectralDensity([{lo:.4g}, {hi:.4g}], steps={self.steps}, runs={self.runs}, "
            f"sigma={self.sigma:.3g}, seed={self.seed})"
        )


def spectral_density(
    op: HessianOperator,
    steps: int = 80,
    runs: int = 10,
    sigma: float | None = None,
    grid_points: int = 1000,
    seed: int = 0,
) -> SpectralDensity:
    """The eigenvalue density by stochastic Lanczos quadrature (Ghorbani et al. 2019).

    Each run starts Lanczos at a Rademacher vector; ``sigma`` defaults to 1% of the
    spectrum's width. The grid reaches 5 ``sigma`` beyond the extreme nodes.

    >>> op = HessianOperator(lambda v: np.array([3.0, 1.0, 1.0, 0.0]) * v, 4, problem="diag")
    >>> d = spectral_density(op, steps=4, runs=3)
    >>> [round(m, 12) for m in d.moment(1)]  # trace(H)/P = 5/4, the same for every run
    [1.25, 0.0]
    """
    limit = op.n_params
    if not 2 <= int(steps) <= max(2, limit):
        raise LosslabError("curvature.error_lanczos", value=steps, limit=max(2, limit))
    if not 2 <= int(runs) <= 100_000:
        raise LosslabError("curvature.error_samples", value=runs)
    rng = np.random.default_rng(seed)
    nodes = np.zeros((int(runs), int(steps)))
    weights = np.zeros((int(runs), int(steps)))
    for r in range(int(runs)):
        theta, tau = lanczos(op, rademacher(rng, op.n_params), int(steps))
        nodes[r, : theta.size], weights[r, : tau.size] = theta, tau
    lo, hi = float(nodes.min()), float(nodes.max())
    width = sigma if sigma is not None else max(0.01 * (hi - lo), 1e-12 * max(1.0, abs(hi)))
    grid = np.linspace(lo - 5 * width, hi + 5 * width, int(grid_points))
    kernel = np.exp(-0.5 * ((grid[:, None] - nodes.ravel()[None, :]) / width) ** 2)
    kernel /= width * np.sqrt(2 * np.pi)
    density = kernel @ weights.ravel() / int(runs)
    return SpectralDensity(
        grid, density, nodes, weights, int(steps), int(runs), float(width), seed, op.problem
    )


@dataclass(frozen=True, repr=False)
class BlockCurvature:
    """Per named parameter block: the block's top eigenvalue and its trace (with error)."""

    names: tuple[str, ...]
    sizes: tuple[int, ...]
    lambda_max: FloatArray
    trace: FloatArray
    trace_stderr: FloatArray
    samples: int
    seed: int
    problem: str

    def rows(self) -> list[dict[str, float | str | int]]:
        """One dict per block, for a table or a CSV file."""
        return [
            {"block": n, "size": s, "lambda_max": float(lm), "trace": float(t), "stderr": float(e)}
            for n, s, lm, t, e in zip(
                self.names, self.sizes, self.lambda_max, self.trace, self.trace_stderr, strict=True
            )
        ]

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}: {v:.4g}" for n, v in zip(self.names, self.lambda_max, strict=True))
        return f"BlockCurvature({{{inner}}}, seed={self.seed})"


def block_curvature(op: HessianOperator, samples: int = 100, seed: int = 0) -> BlockCurvature:
    """For each block ``b``: lambda_max of ``H[b, b]`` and its trace.

    The trace is exact (one product per parameter, standard error 0) when the block
    has no more parameters than ``samples``, else Hutchinson's estimate.

    >>> op = HessianOperator(lambda v: np.array([3.0, 1.0, 0.5]) * v, 3,
    ...                      {"W": slice(0, 2), "b": slice(2, 3)}, "diag")
    >>> block_curvature(op).rows()[0]
    {'block': 'W', 'size': 2, 'lambda_max': 3.0, 'trace': 4.0, 'stderr': 0.0}
    """
    names, sizes, tops, traces, errors = [], [], [], [], []
    for name in op.blocks:
        sub = op.restrict(name)
        names.append(name)
        sizes.append(sub.n_params)
        tops.append(top_eigenvalues(sub, k=1, seed=seed).lambda_max)
        if sub.n_params <= samples:
            traces.append(float(sum(e @ sub.matvec(e) for e in np.eye(sub.n_params))))
            errors.append(0.0)
        else:
            est = hutchinson_trace(sub, samples, seed)
            traces.append(est.value)
            errors.append(est.stderr)
    return BlockCurvature(
        tuple(names),
        tuple(sizes),
        np.array(tops),
        np.array(traces),
        np.array(errors),
        int(samples),
        seed,
        op.problem,
    )


@dataclass(frozen=True, repr=False)
class CurvatureReport:
    """The Hessian's spectrum in one result: top eigenvalues, trace, density, per block.

    What ``losslab curvature`` prints and writes; every number in its table, CSV file and
    ``.npz`` comes from here (``top.values`` (k,), ``top.vectors`` (P, k), ``density.grid``
    and ``density.density`` (g,), ``density.nodes`` and ``density.weights`` (runs, m)).
    """

    top: TopEigenvalues
    trace: TraceEstimate
    density: SpectralDensity
    blocks: BlockCurvature
    n_params: int
    problem: str
    seed: int

    @property
    def lambda_max(self) -> float:
        """The largest eigenvalue of the Hessian."""
        return self.top.lambda_max

    @property
    def stability_limit(self) -> float:
        """``2 / lambda_max``: the largest learning rate at which gradient descent is stable."""
        return self.top.stability_limit

    def rows(self) -> list[dict[str, float | str]]:
        """The table: one dict (quantity, block, value, stderr) per number measured."""
        rows: list[dict[str, float | str]] = [
            {"quantity": f"lambda_{k + 1}", "block": "all", "value": float(v), "stderr": 0.0}
            for k, v in enumerate(self.top.values.tolist())
        ]
        rows.append({"quantity": "trace", "block": "all", "value": self.trace.value,
                     "stderr": self.trace.stderr})  # fmt: skip
        for row in self.blocks.rows():
            block = str(row["block"])
            rows.append({"quantity": "lambda_max", "block": block,
                         "value": float(row["lambda_max"]), "stderr": 0.0})  # fmt: skip
            rows.append({"quantity": "trace", "block": block, "value": float(row["trace"]),
                         "stderr": float(row["stderr"])})  # fmt: skip
        return rows

    def csv_text(self) -> str:
        """:meth:`rows` as CSV text (``quantity,block,value,stderr``; numbers round-trip)."""
        lines = ["quantity,block,value,stderr"]
        for row in self.rows():
            exact = str(row["quantity"]).startswith("lambda")  # Lanczos: no sampling error
            stderr = "0" if exact else repr(float(row["stderr"]))
            lines.append(f"{row['quantity']},{row['block']},{float(row['value'])!r},{stderr}")
        return "\n".join(lines) + "\n"

    def meta(self) -> dict[str, Any]:
        """The settings and scalars, as the ``.npz`` file's JSON metadata."""
        return {
            "problem": self.problem, "n_params": self.n_params, "seed": self.seed,
            "tol": self.top.tol, "matvecs": self.top.matvecs, "samples": self.trace.samples,
            "trace": self.trace.value, "trace_stderr": self.trace.stderr,
            "lanczos_steps": self.density.steps, "runs": self.density.runs,
            "sigma": self.density.sigma, "blocks": list(self.blocks.names),
            "block_sizes": list(self.blocks.sizes), "block_samples": self.blocks.samples,
        }  # fmt: skip

    def save(self, path: str | Path | IO[bytes], overwrite: bool = False) -> None:
        """Write the arrays to an ``.npz`` with :meth:`meta` as JSON (never pickle).

        A path is written as given (its folder made if needed) by :func:`losslab.io.write_files`,
        which refuses (LosslabError) to replace an existing file unless ``overwrite``.
        """
        if isinstance(path, str | Path):
            buf = io.BytesIO()
            self.save(buf)
            target = Path(path)
            write_files(target.parent, {target.name: buf.getvalue()}, overwrite)
            return
        arrays = {
            "top_values": self.top.values, "top_vectors": self.top.vectors,
            "grid": self.density.grid, "density": self.density.density,
            "nodes": self.density.nodes, "weights": self.density.weights,
            "block_lambda_max": self.blocks.lambda_max, "block_trace": self.blocks.trace,
            "block_stderr": self.blocks.trace_stderr,
        }  # fmt: skip
        save_npz(path, arrays, self.meta())

    @classmethod
    def load(cls, path: str | Path | IO[bytes]) -> CurvatureReport:
        """Read what :meth:`save` wrote."""
        a, m = load_npz(path)
        problem, seed = str(m["problem"]), int(m["seed"])
        top = TopEigenvalues(a["top_values"], a["top_vectors"], int(a["top_values"].size),
                             float(m["tol"]), seed, problem, int(m["matvecs"]))  # fmt: skip
        trace = TraceEstimate(float(m["trace"]), float(m["trace_stderr"]), int(m["samples"]),
                              seed, problem)  # fmt: skip
        density = SpectralDensity(a["grid"], a["density"], a["nodes"], a["weights"],
                                  int(m["lanczos_steps"]), int(m["runs"]), float(m["sigma"]),
                                  seed, problem)  # fmt: skip
        blocks = BlockCurvature(tuple(m["blocks"]), tuple(m["block_sizes"]),
                                a["block_lambda_max"], a["block_trace"], a["block_stderr"],
                                int(m["block_samples"]), seed, problem)  # fmt: skip
        return cls(top, trace, density, blocks, int(m["n_params"]), problem, seed)

    def __repr__(self) -> str:
        return (
            f"CurvatureReport(lambda_max={self.lambda_max:.4g}, 2/lambda_max="
            f"{self.stability_limit:.4g}, trace={self.trace.value:.4g} ± "
            f"{self.trace.stderr:.2g}, blocks={len(self.blocks.names)}, "
            f"n_params={self.n_params}, problem={self.problem!r})"
        )


def curvature_report(
    op: HessianOperator,
    top_k: int = 3,
    samples: int = 100,
    lanczos_steps: int = 80,
    runs: int = 10,
    tol: float = 1e-8,
    seed: int = 0,
) -> CurvatureReport:
    """:func:`top_eigenvalues` (``top_k``), :func:`hutchinson_trace` (``samples``),
    :func:`spectral_density` (``lanczos_steps``, at most P, and ``runs``) and
    :func:`block_curvature` of one Hessian, with one seed.

    >>> op = HessianOperator(lambda v: np.array([3.0, 1.0, 0.5]) * v, 3,
    ...                      {"W": slice(0, 2), "b": slice(2, 3)}, "diag")
    >>> curvature_report(op, top_k=1, samples=10, runs=2)
    CurvatureReport(lambda_max=3, 2/lambda_max=0.6667, trace=4.5 ± 0, blocks=2, n_params=3, \
problem='diag')
    """
    top = top_eigenvalues(op, k=top_k, tol=tol, seed=seed)
    trace = hutchinson_trace(op, samples, seed)
    density = spectral_density(op, min(int(lanczos_steps), op.n_params), runs, seed=seed)
    blocks = block_curvature(op, samples, seed)
    return CurvatureReport(top, trace, density, blocks, op.n_params, op.problem, seed)
