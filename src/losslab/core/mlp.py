"""A multi-layer perceptron in numpy, trained by backpropagation written out layer by layer.

As in the book, the network is a stack of layers, each with a ``forward`` and
a ``backward``: ``Affine`` (``x @ W + b``), then an activation (``Sigmoid``,
``Tanh`` or ``Relu``), ..., then a last ``Affine`` whose output goes to a loss
layer (the losses of :mod:`losslab.core.losses`: their ``gradient`` is the loss
layer's backward). Here the layers are pure functions: ``forward`` returns
the output and a cache, ``backward`` takes the cache; nothing is stored.

All parameters live in one flat vector (P,) with names such as ``layer1.W[0,1]``
(row 0, column 1 of the first weight matrix, 1-based layers) and ``layer2.b[0]``.
``predict`` accepts a stack of parameter vectors (..., P) and evaluates them
all at once with batched matrix products.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from losslab.core.losses import sigmoid
from losslab.errors import LosslabError

FloatArray = NDArray[np.float64]


# --- layers: forward returns (out, cache); backward(dout, cache) returns dx (and grads) ---
class Affine:
    """``out = x @ W + b``; backward: ``dx = dout W^T``, ``dW = x^T dout``, ``db = sum(dout)``."""

    @staticmethod
    def forward(x: FloatArray, W: FloatArray, b: FloatArray) -> tuple[FloatArray, Any]:
        return np.matmul(x, W) + b[..., np.newaxis, :], (x, W)

    @staticmethod
    def backward(dout: FloatArray, cache: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
        x, W = cache
        return dout @ W.T, x.T @ dout, dout.sum(axis=0)


class Sigmoid:
    """``out = 1/(1 + e^-x)``; backward ``dx = dout * out * (1 - out)``."""

    @staticmethod
    def forward(x: FloatArray) -> tuple[FloatArray, Any]:
        out = sigmoid(x)
        return out, out

    @staticmethod
    def backward(dout: FloatArray, cache: Any) -> FloatArray:
        return np.asarray(dout * cache * (1.0 - cache))


class Tanh:
    """``out = tanh(x)``; backward ``dx = dout * (1 - out^2)``."""

    @staticmethod
    def forward(x: FloatArray) -> tuple[FloatArray, Any]:
        out = np.tanh(x)
        return out, out

    @staticmethod
    def backward(dout: FloatArray, cache: Any) -> FloatArray:
        return np.asarray(dout * (1.0 - cache * cache))


class Relu:
    """``out = max(0, x)``; backward passes ``dout`` where ``x > 0``."""

    @staticmethod
    def forward(x: FloatArray) -> tuple[FloatArray, Any]:
        mask = x > 0
        return np.where(mask, x, 0.0), mask

    @staticmethod
    def backward(dout: FloatArray, cache: Any) -> FloatArray:
        return np.where(cache, dout, 0.0)


ACTIVATIONS: dict[str, Any] = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": Relu}


@dataclass(frozen=True)
class MLP:
    """A multi-layer perceptron with layer sizes ``sizes = (inputs, hidden..., outputs)``.

    Hidden layers use ``activation``; the last layer is linear (a regression
    value, or logits for a sigmoid or softmax loss). With no hidden layer it
    is the linear model with any number of inputs (the logistic perceptron
    under a binary cross-entropy). One output gives predictions (..., n);
    k outputs give (..., n, k).

    >>> net = MLP((2, 3, 1))
    >>> len(net.param_names), net.param_names[:2], net.param_names[-1]
    (13, ('layer1.W[0,0]', 'layer1.W[0,1]'), 'layer2.b[0]')
    """

    sizes: tuple[int, ...]
    activation: str = "tanh"
    _shapes: list[tuple[tuple[int, int], int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.sizes) < 2 or any(int(s) != s or s < 1 for s in self.sizes):
            raise LosslabError("error.layers", sizes=",".join(map(str, self.sizes)))
        if self.activation not in ACTIVATIONS:
            raise LosslabError(
                "error.activation", name=self.activation, names=", ".join(ACTIVATIONS)
            )
        shapes = [((a, b), b) for a, b in zip(self.sizes[:-1], self.sizes[1:], strict=True)]
        object.__setattr__(self, "_shapes", shapes)

    @property
    def linear_in_params(self) -> bool:
        """True without hidden layers: the output is then linear in the parameters."""
        return len(self.sizes) == 2

    @property
    def n_params(self) -> int:
        return sum(a * b + b for (a, b), _ in self._shapes)

    @property
    def param_names(self) -> tuple[str, ...]:
        names: list[str] = []
        for k, ((rows, cols), _) in enumerate(self._shapes, start=1):
            names += [f"layer{k}.W[{i},{j}]" for i in range(rows) for j in range(cols)]
            names += [f"layer{k}.b[{j}]" for j in range(cols)]
        return tuple(names)

    def layers(self, params: FloatArray) -> list[tuple[FloatArray, FloatArray]]:
        """Split parameters (..., P) into ``[(W (..., a, b), b (..., b)), ...]``.

        For one parameter vector these are views (writing to them writes the vector).
        """
        p = np.asarray(params, dtype=np.float64)
        if p.shape[-1] != self.n_params:
            raise LosslabError("error.init", value=f"{p.shape[-1]} values for {self.n_params}")
        out, start = [], 0
        lead = p.shape[:-1]
        for (rows, cols), _ in self._shapes:
            # Contiguous, so that batched matmul runs in BLAS rather than a strided loop.
            W = np.ascontiguousarray(p[..., start : start + rows * cols]).reshape(*lead, rows, cols)
            start += rows * cols
            b = p[..., start : start + cols]
            start += cols
            out.append((W, b))
        return out

    def init_params(self, seed: int = 0) -> FloatArray:
        """Random weights as in the book: He (sqrt(2/fan_in)) for ReLU, Xavier (sqrt(1/fan_in))
        otherwise; zero biases. Seeded with ``numpy.random.default_rng(seed)``."""
        rng = np.random.default_rng(seed)
        gain = 2.0 if self.activation == "relu" else 1.0
        parts = []
        for (rows, cols), _ in self._shapes:
            parts.append(rng.normal(0.0, np.sqrt(gain / rows), rows * cols))
            parts.append(np.zeros(cols))
        return np.concatenate(parts)

    def _inputs(self, x: FloatArray) -> FloatArray:
        xs = np.asarray(x, dtype=np.float64)
        xs = xs[:, np.newaxis] if xs.ndim == 1 else xs
        if xs.shape[1] != self.sizes[0]:
            raise LosslabError("error.inputs", got=xs.shape[1], expected=self.sizes[0])
        return xs

    def _output(self, out: FloatArray) -> FloatArray:
        return out[..., 0] if self.sizes[-1] == 1 else out

    def predict(self, params: FloatArray, x: FloatArray) -> FloatArray:
        """Outputs (..., n) or (..., n, k) for parameters (..., P) and inputs (n,) or (n, d)."""
        h = self._inputs(x)
        layers = self.layers(params)
        act = ACTIVATIONS[self.activation]
        for k, (W, b) in enumerate(layers):
            h, _ = Affine.forward(h, W, b)
            if k < len(layers) - 1:
                h, _ = act.forward(h)
        return self._output(h)

    def plane_predictor(
        self, origin: FloatArray, directions: FloatArray, x: FloatArray
    ) -> Callable[[FloatArray], FloatArray]:
        """A function of plane coordinates (m, 2) giving the outputs at ``origin + a*d1 + c*d2``.

        The first layer's pre-activation is linear in the plane coordinates:
        ``X (W0 + a D1 + c D2) = X W0 + a X D1 + c X D2``. The three products
        are computed once here; each grid point then costs additions only in
        the first layer, whatever the number of inputs.
        """
        xs = self._inputs(x)
        (W0, b0), *_ = self.layers(origin)
        (D1, e1), *_ = self.layers(directions[0])
        (D2, e2), *_ = self.layers(directions[1])
        base, z1, z2 = xs @ W0 + b0, xs @ D1 + e1, xs @ D2 + e2  # (n, h) each
        act = ACTIVATIONS[self.activation]

        def predict(coords: FloatArray) -> FloatArray:
            a, c = coords[:, 0, None, None], coords[:, 1, None, None]
            h = base + a * z1 + c * z2  # (m, n, h)
            points = origin + coords[:, :1] * directions[0] + coords[:, 1:] * directions[1]
            single = coords.shape[0] == 1  # one point: plain 2D matrix products (BLAS)
            if single:
                h, points = h[0], points[0]
            for W, b in self.layers(points)[1:]:
                h, _ = act.forward(h)
                h, _ = Affine.forward(h, W, b)
            out = self._output(h)
            return out[np.newaxis] if single else out

        return predict

    def vjp(self, params: FloatArray, x: FloatArray, grad_output: FloatArray) -> FloatArray:
        """Backpropagation: d loss / d params (P,) from d loss / d outputs, layer by layer."""
        h = self._inputs(x)
        layers = self.layers(params)
        act = ACTIVATIONS[self.activation]
        caches: list[tuple[str, Any]] = []
        for k, (W, b) in enumerate(layers):
            h, cache = Affine.forward(h, W, b)
            caches.append(("affine", cache))
            if k < len(layers) - 1:
                h, cache = act.forward(h)
                caches.append(("act", cache))
        dout = np.asarray(grad_output, dtype=np.float64)
        dout = dout[:, np.newaxis] if dout.ndim == 1 else dout
        grads: list[FloatArray] = []
        for kind, cache in reversed(caches):
            if kind == "act":
                dout = act.backward(dout, cache)
            else:
                dout, dW, db = Affine.backward(dout, cache)
                grads = [dW.ravel(), db, *grads]
        return np.concatenate(grads)


def parse_hidden(spec: str | Sequence[int]) -> tuple[int, ...]:
    """``"8,8"`` -> ``(8, 8)``; ``""`` -> ``()`` (no hidden layer)."""
    if not isinstance(spec, str):
        return tuple(int(s) for s in spec)
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise LosslabError("error.layers", sizes=spec) from None
    if any(s < 1 or s > 4096 for s in sizes):
        raise LosslabError("error.layers", sizes=spec)
    return sizes


def param_index(names: Sequence[str], name: str) -> int:
    """The position of parameter ``name`` (e.g. ``layer1.W[0,1]``), with a clear error."""
    key = name.replace(" ", "")
    try:
        return list(names).index(key)
    except ValueError:
        sample = ", ".join(names[:4]) + (", ..." if len(names) > 4 else "")
        raise LosslabError("error.param_name", name=name, names=sample) from None
