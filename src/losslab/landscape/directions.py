"""Directions in parameter space for landscapes of models with more than two parameters.

- :func:`parameter_directions`: two parameters by name, the others fixed.
- :func:`normalize_filters`: filter normalisation of one parameter tensor, for the
  numpy MLP and PyTorch models alike.
- :func:`random_directions`: two seeded random directions with filter normalisation
  (Li, Xu, Taylor, Studer and Goldstein 2018, "Visualizing the Loss Landscape
  of Neural Nets", NeurIPS), for the numpy MLP and PyTorch models alike.
- :func:`pca_directions`: the two principal directions of a training
  trajectory, and the trajectory projected onto them.
- :func:`hessian_directions`: the Hessian's top two eigenvectors at a point (the
  plane of the sharpest curvature), or its top and most negative one (at a saddle:
  the way up and the way down), by Lanczos on Hessian-vector products.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from losslab.analysis.curvature import operator_of, top_eigenvalues
from losslab.core.mlp import MLP, param_index
from losslab.errors import LosslabError

FloatArray = NDArray[np.float64]
#: Parameter tensors in the order of the flat vector, each with its filter axis.
Tensors = Sequence[tuple[ArrayLike, int]]


def parameter_directions(names: Sequence[str], pick: Sequence[str]) -> FloatArray:
    """Unit vectors (2, P) along two parameters chosen by name, e.g. ``layer1.W[0,1]``.

    >>> parameter_directions(["a", "b", "c"], ["c", "a"])
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    if len(pick) != 2 or pick[0] == pick[1]:
        raise LosslabError("error.two_params", names=", ".join(pick))
    out = np.zeros((2, len(names)))
    for k, name in enumerate(pick):
        out[k, param_index(names, name)] = 1.0
    return out


def normalize_filters(
    direction: ArrayLike, weight: ArrayLike, filter_axis: int = 0, keep_biases: bool = False
) -> FloatArray:
    """Filter normalisation of one parameter tensor (Li et al. 2018), the one implementation.

    Each filter (a slice along ``filter_axis``) of ``direction`` is scaled to
    ``||w_filter|| / (||d_filter|| + 1e-10)`` times itself. A one-dimensional
    parameter (a bias, a BatchNorm scale) is set to zero, or with ``keep_biases``
    to the weights themselves, as in the paper's code (its ``biasbn`` option).

    >>> normalize_filters([[3.0, 0.0], [0.0, 1.0]], [[0.0, 2.0], [1.0, 1.0]]).round(6).tolist()
    [[2.0, 0.0], [0.0, 1.414214]]
    >>> normalize_filters([5.0, 5.0], [1.0, 2.0], keep_biases=True).tolist()
    [1.0, 2.0]
    """
    d = np.asarray(direction, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    if w.ndim <= 1:
        return w.copy() if keep_biases else np.zeros_like(w)
    axes = tuple(k for k in range(w.ndim) if k != filter_axis % w.ndim)
    norms_w = np.sqrt(np.sum(w * w, axis=axes, keepdims=True))
    norms_d = np.sqrt(np.sum(d * d, axis=axes, keepdims=True))
    return np.asarray(d * (norms_w / (norms_d + 1e-10)))


def mlp_tensors(model: MLP, params: ArrayLike) -> list[tuple[FloatArray, int]]:
    """The numpy MLP's parameter tensors with their filter axes: ``W`` (inputs x units), whose
    filters (the weights into one unit) are its columns (axis 1), and ``b`` (units,)."""
    out: list[tuple[FloatArray, int]] = []
    for W, b in model.layers(np.asarray(params, dtype=np.float64)):
        out += [(W, 1), (b, 0)]
    return out


def filter_normalize(
    direction: FloatArray, params: FloatArray, model: MLP, keep_biases: bool = False
) -> FloatArray:
    """Scale each filter of ``direction`` (P,) to the norm of the matching filter of ``params``.

    A filter of a fully connected layer is the set of weights into one unit:
    a column of ``W`` (inputs x units), so ``filter_axis=1`` in :func:`normalize_filters`.
    """
    out = np.array(direction, dtype=np.float64, copy=True)
    d_layers = model.layers(out)  # views into out
    for (dW, db), (W, b) in zip(d_layers, model.layers(params), strict=True):
        dW[...] = normalize_filters(dW, W, filter_axis=1)
        db[...] = normalize_filters(db, b, keep_biases=keep_biases)
    return out


def random_directions(
    model: MLP | Tensors,
    params: ArrayLike | None = None,
    seed: int = 0,
    normalize: bool = True,
    keep_biases: bool = False,
) -> FloatArray:
    """Two seeded Gaussian directions (2, P), filter-normalised by default (Li et al. 2018).

    ``model`` is a numpy :class:`~losslab.core.mlp.MLP` with its ``params`` (P,), or
    the parameter tensors themselves as ``(tensor, filter axis)`` pairs in the order of
    the flat vector (what :func:`losslab.torch.random_directions` passes for a PyTorch
    model: axis 0, ``nn.Linear``'s weight being units x inputs). One draw
    ``numpy.random.default_rng(seed).normal(size=(2, P))`` fills each tensor with its
    filter axis last, so a layer stored as inputs x units (the numpy MLP) and as
    units x inputs (PyTorch) gets the same direction from the same seed. One-dimensional
    tensors (biases, BatchNorm) are zeroed, or with ``keep_biases`` set to the weights.

    >>> net = MLP((2, 3, 1))
    >>> d = random_directions(net, net.init_params(0), seed=0)
    >>> d.shape, bool(np.all(d[:, 6:9] == 0))  # layer1.b is zeroed
    ((2, 13), True)
    >>> (W1, b1), (W2, b2) = net.layers(net.init_params(0))  # as PyTorch stores them:
    >>> t = random_directions([(W1.T, 0), (b1, 0), (W2.T, 0), (b2, 0)], seed=0)
    >>> bool(np.allclose(t[:, :6].reshape(2, 3, 2), d[:, :6].reshape(2, 2, 3).swapaxes(1, 2)))
    True
    """
    if isinstance(model, MLP):
        if params is None:
            raise TypeError("random_directions(mlp, params): the MLP's parameters are needed")
        tensors = mlp_tensors(model, params)
    else:
        tensors = [(np.asarray(w, dtype=np.float64), int(axis)) for w, axis in model]
    sizes = [math.prod(np.shape(w)) for w, _ in tensors]
    raw = np.random.default_rng(seed).normal(size=(2, sum(sizes)))
    out = np.empty_like(raw)
    start = 0
    for (w, axis), size in zip(tensors, sizes, strict=True):
        axis %= max(w.ndim, 1)
        last = np.moveaxis(np.empty(w.shape), axis, -1).shape if w.ndim else ()
        for k in range(2):
            d = raw[k, start : start + size].reshape(last)
            d = np.moveaxis(d, -1, axis) if w.ndim else d
            if normalize:
                d = normalize_filters(d, w, axis, keep_biases)
            out[k, start : start + size] = d.reshape(-1)
        start += size
    return out


@dataclass(frozen=True)
class PCAPlane:
    """The plane of a trajectory's two principal directions.

    ``origin`` (P,) is the last point of the path; ``directions`` (2, P) are
    orthonormal; ``coords`` (T, 2) is the path projected onto them;
    ``explained`` (2,) the fraction of the path's variance along each.
    """

    origin: FloatArray
    directions: FloatArray
    coords: FloatArray
    explained: FloatArray


def pca_directions(path: ArrayLike) -> PCAPlane:
    """PCA of the parameter path (T, P) relative to its last point (Li et al. 2018, sec. 7).

    >>> t = np.linspace(0, 1, 20)
    >>> plane = pca_directions(np.stack([t, t**2, 0*t], axis=1))
    >>> np.abs(plane.directions[:, 2]).max() < 1e-12, plane.explained.sum().round(12)
    (np.True_, np.float64(1.0))
    """
    p = np.asarray(path, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] < 3:
        raise LosslabError("error.pca_short", count=p.shape[0] if p.ndim == 2 else 0)
    origin = p[-1]
    centred = p - origin
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    total = float(np.sum(s**2))
    if total == 0.0:
        raise LosslabError("error.pca_short", count=p.shape[0])
    directions = vt[:2] if vt.shape[0] >= 2 else np.vstack([vt, np.zeros_like(vt)])
    explained = np.zeros(2)
    explained[: min(2, s.size)] = s[:2] ** 2 / total
    return PCAPlane(origin, directions, centred @ directions.T, explained)


#: The Hessian planes: ``top`` (the two largest eigenvalues) or ``saddle`` (the largest
#: and the smallest, i.e. the most negative at a saddle).
HessianKind = Literal["top", "saddle"]


@dataclass(frozen=True)
class HessianPlane:
    """Two unit eigenvectors of the Hessian at ``params``, as the directions of a plane.

    ``directions`` (2, P) are orthonormal, each signed so that its largest component is
    positive (an eigenvector's sign is arbitrary; this makes the plane reproducible);
    ``eigenvalues`` (2,) are theirs, in the same order; ``matvecs`` counts the
    Hessian-vector products Lanczos used.
    """

    directions: FloatArray
    eigenvalues: FloatArray
    kind: HessianKind
    matvecs: int


def _signed(vector: FloatArray) -> FloatArray:
    """The unit vector, its largest-magnitude component made positive."""
    v = vector / np.linalg.norm(vector)
    return v if v[int(np.argmax(np.abs(v)))] >= 0 else -v


def hessian_directions(
    problem: object,
    params: ArrayLike,
    kind: HessianKind = "top",
    seed: int = 0,
    tol: float = 0.0,
) -> HessianPlane:
    """The plane of the Hessian's top two eigenvectors at ``params`` (P,) (``kind="top"``),
    or of its top and its most negative one (``kind="saddle"``), by Lanczos
    (:func:`~losslab.analysis.curvature.top_eigenvalues`) on the problem's
    Hessian-vector products (``hvp``; a problem without them gets one sentence).

    Along a unit eigenvector ``v`` with eigenvalue ``lambda`` the loss curves as
    ``L(p + t v) = L(p) + t g.v + lambda t^2 / 2 + O(t^3)``: the ``top`` plane shows the
    sharpest valley walls; at a saddle the ``saddle`` plane shows a way up and a way down.

    >>> from losslab.core.data import teacher_data
    >>> from losslab.core.objective import perceptron_objective
    >>> obj = perceptron_objective(teacher_data("2*x + 1", "-1:3:21"))
    >>> plane = hessian_directions(obj, [2.0, 1.0])
    >>> plane.eigenvalues.round(4).tolist()  # eigenvalues of (2/n) [[Sxx, Sx], [Sx, n]]
    [5.9468, 0.9865]
    """
    if kind not in ("top", "saddle"):
        raise LosslabError("error.plane", name=kind)
    op = operator_of(problem, params)
    if kind == "top":
        top = top_eigenvalues(op, k=2, tol=tol, seed=seed)
        vectors, values, matvecs = top.vectors.T, top.values, top.matvecs
    else:
        high = top_eigenvalues(op, k=1, tol=tol, seed=seed)
        low = top_eigenvalues(op, k=1, tol=tol, seed=seed, which="SA")
        vectors = np.vstack([high.vectors.T, low.vectors.T])
        values = np.concatenate([high.values, low.values])
        matvecs = high.matvecs + low.matvecs
    directions = np.stack([_signed(v) for v in vectors])
    return HessianPlane(directions, np.asarray(values, dtype=np.float64), kind, matvecs)


def normalisation(plane: str, keep_biases: bool = False) -> str:
    """How the directions of a kind of plane are scaled, in words (a provenance card's
    ``normalisation``).

    >>> normalisation("random"), normalisation("hessian")
    ('filter (Li et al. 2018), biases zero', 'Hessian eigenvectors, top two (unit)')
    """
    if plane == "random":
        return "filter (Li et al. 2018), biases " + ("kept" if keep_biases else "zero")
    named = {"pca": "PCA of the path (orthonormal)", "params": "unit parameter axes",
             "hessian": "Hessian eigenvectors, top two (unit)",
             "saddle": "Hessian eigenvectors, top and lowest (unit)"}  # fmt: skip
    return named.get(plane, "as given")
