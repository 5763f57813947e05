"""Hessian-vector products of the numpy MLP by Pearlmutter's R-operator (forward-over-reverse).

``R{f} = d/de f(params + e*v) at e = 0`` is the directional derivative of any
quantity ``f`` computed by the network. Applied to every line of the forward
pass and of backpropagation (:mod:`losslab.core.mlp`), it gives
``R{gradient} = H v``, the Hessian times ``v``, exactly, for about the cost
of two gradients and without ever forming ``H`` (P x P).

Layer by layer, with ``(V, c)`` the piece of ``v`` that belongs to ``(W, b)``:

- Affine forward ``z = x W + b``:      ``R{z} = R{x} W + x V + c``
- activation forward ``h = s(z)``:     ``R{h} = s'(z) R{z}``
- loss layer ``g = dL/dy``:            ``R{g} = (d^2 L / dy^2) R{y}``
- activation backward ``dz = dh s'(z)``: ``R{dz} = R{dh} s'(z) + dh R{s'(z)}``
- Affine backward ``dx = dz W^T, dW = x^T dz, db = sum dz``:
  ``R{dx} = R{dz} W^T + dz V^T``, ``R{dW} = R{x}^T dz + x^T R{dz}``, ``R{db} = sum R{dz}``

Pearlmutter (1994), "Fast Exact Multiplication by the Hessian", Neural Computation 6(1).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from losslab.core.losses import Loss, sigmoid
from losslab.core.mlp import ACTIVATIONS, MLP, Affine
from losslab.errors import LosslabError

FloatArray = NDArray[np.float64]


# --- R{s'(z)} for each activation, from its output ``out`` and R{out} ---
def _r_slope(activation: str, out: FloatArray, r_out: FloatArray) -> FloatArray:
    """The directional derivative of the activation's slope ``s'(z)``."""
    if activation == "sigmoid":  # s' = out (1 - out)
        return np.asarray((1.0 - 2.0 * out) * r_out)
    if activation == "tanh":  # s' = 1 - out^2
        return np.asarray(-2.0 * out * r_out)
    return np.zeros_like(out)  # relu: s' is 0 or 1, flat almost everywhere


def _slope(activation: str, out: FloatArray) -> FloatArray:
    """``s'(z)`` from the activation's output (``out > 0`` is ReLU's mask)."""
    if activation == "sigmoid":
        return np.asarray(out * (1.0 - out))
    if activation == "tanh":
        return np.asarray(1.0 - out * out)
    return np.asarray(out > 0, dtype=np.float64)


# --- R{dL/dy} = (d^2 L / dy^2) R{y} for each loss; y as the loss sees it: (n,) or (n, k) ---
def _mse(y: FloatArray, t: FloatArray, r: FloatArray, loss: Loss) -> FloatArray:
    return np.asarray(2.0 * r / y.shape[-1])


def _mae(y: FloatArray, t: FloatArray, r: FloatArray, loss: Loss) -> FloatArray:
    return np.zeros_like(r)  # piecewise linear: no curvature (almost everywhere)


def _huber(y: FloatArray, t: FloatArray, r: FloatArray, loss: Loss) -> FloatArray:
    delta = float(getattr(loss, "delta", 1.0))
    return np.asarray(np.where(np.abs(y - t) <= delta, r, 0.0) / y.shape[-1])


def _bce(y: FloatArray, t: FloatArray, r: FloatArray, loss: Loss) -> FloatArray:
    s = sigmoid(y)
    return np.asarray(s * (1.0 - s) * r / y.shape[-1])


def _softmax_ce(y: FloatArray, t: FloatArray, r: FloatArray, loss: Loss) -> FloatArray:
    p = np.exp(y - y.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    # (diag(p) - p p^T) r, sample by sample
    return np.asarray((p * r - p * np.sum(p * r, axis=1, keepdims=True)) / y.shape[-2])


LossHvp = Callable[[FloatArray, FloatArray, FloatArray, Loss], FloatArray]

#: The loss layer's second derivative times a vector, by loss name.
LOSS_HVP: dict[str, LossHvp] = {
    "mse": _mse,
    "mae": _mae,
    "huber": _huber,
    "bce": _bce,
    "softmax-ce": _softmax_ce,
}


def mlp_hvp(
    net: MLP, loss: Loss, params: FloatArray, v: FloatArray, x: FloatArray, t: FloatArray
) -> FloatArray:
    """``H v`` (P,): the Hessian of ``loss(net.predict(params, x), t)`` times ``v`` (P,).

    >>> from losslab.core.losses import MeanSquaredError
    >>> net = MLP((1, 1))  # y = w x + b: Hessian (2/n) [[Sxx, Sx], [Sx, n]]
    >>> x, t = np.array([0.0, 1.0, 2.0]), np.zeros(3)
    >>> mlp_hvp(net, MeanSquaredError(), np.ones(2), np.array([1.0, 0.0]), x, t).round(9).tolist()
    [3.333333333, 2.0]
    """
    if loss.name not in LOSS_HVP:
        raise LosslabError("curvature.error_loss", name=loss.name, names=", ".join(LOSS_HVP))
    act = ACTIVATIONS[net.activation]
    layers = net.layers(np.asarray(params, dtype=np.float64))
    dirs = net.layers(np.asarray(v, dtype=np.float64))
    last = len(layers) - 1
    # Forward pass and its R-pass: inputs to each Affine (h, R{h}), activation outputs.
    h = np.asarray(x, dtype=np.float64)
    h = h[:, np.newaxis] if h.ndim == 1 else h
    rh = np.zeros_like(h)
    inputs: list[tuple[FloatArray, FloatArray]] = []
    outs: list[tuple[FloatArray, FloatArray]] = []
    for k, ((W, b), (V, c)) in enumerate(zip(layers, dirs, strict=True)):
        inputs.append((h, rh))
        z, _ = Affine.forward(h, W, b)
        rz = rh @ W + h @ V + c
        if k < last:
            h, _ = act.forward(z)
            rh = _slope(net.activation, h) * rz
            outs.append((h, rh))
        else:
            h, rh = z, rz
    # The loss layer: dL/dy and R{dL/dy}.
    y, ry = (h[:, 0], rh[:, 0]) if h.shape[1] == 1 else (h, rh)  # as predict returns them
    target = np.asarray(t, dtype=np.float64)
    dout = np.asarray(loss.gradient(y, target), dtype=np.float64).reshape(h.shape)
    rdout = LOSS_HVP[loss.name](y, target, ry, loss).reshape(h.shape)
    # Backward pass and its R-pass, from the last layer to the first.
    grads: list[FloatArray] = []
    for k in range(last, -1, -1):
        (W, _), (V, _) = layers[k], dirs[k]
        xin, rxin = inputs[k]
        grads = [(rxin.T @ dout + xin.T @ rdout).ravel(), rdout.sum(axis=0), *grads]
        if k == 0:
            break
        dx, rdx = dout @ W.T, rdout @ W.T + dout @ V.T
        out, rout = outs[k - 1]
        slope = _slope(net.activation, out)
        dout, rdout = dx * slope, rdx * slope + dx * _r_slope(net.activation, out, rout)
    return np.concatenate(grads)
