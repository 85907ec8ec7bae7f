"""Gradient check: backprop's gradient against centred differences, parameter by parameter.

For each parameter p: numeric = (C(p + ε) − C(p − ε)) / 2ε, compared by the relative error
|a − n| / max(|a| + |n|, tiny) (cs231n: below 1e-7 is good, above 1e-2 is wrong).
Backprop costs one forward and one backward pass; the numeric gradient 2·P forward passes.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from model.core.losses import get_loss
from model.core.network import Network
from model.pause_points import pause_point

#: relative error above which a parameter's check fails
FAIL_THRESHOLD = 1e-4


@dataclass(frozen=True)
class GradCheckResult:
    analytic: np.ndarray  # flat, like net.params
    numeric: np.ndarray
    rel_error: np.ndarray
    names: list[str]  # a readable name per flat parameter: "layer2.W[0][1]", "layer1.b[3]"
    worst_index: int
    backprop_seconds: float
    numeric_seconds: float
    epsilon: float

    @property
    def worst_name(self) -> str:
        return self.names[self.worst_index]

    @property
    def worst_error(self) -> float:
        return float(self.rel_error[self.worst_index])

    @property
    def passed(self) -> bool:
        return self.worst_error <= FAIL_THRESHOLD

    def per_layer(self, net: Network) -> list[float]:
        """The worst relative error of each layer."""
        return [float(self.rel_error[net.layout.block(l)].max()) for l in range(len(net.layers))]

    def failing(self, threshold: float = FAIL_THRESHOLD) -> list[int]:
        return [int(i) for i in np.flatnonzero(self.rel_error > threshold)]


def parameter_names(net: Network) -> list[str]:
    """One name per entry of the flat ``params``, in its order."""
    return net.layout.names()


def relative_error(a, n) -> np.ndarray:
    a, n = np.asarray(a, float), np.asarray(n, float)
    return np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-12)


def gradient_check(net: Network, X, Y, loss: str = "mse", epsilon: float = 1e-5,
                   network_for_numeric: Network | None = None) -> GradCheckResult:
    """Compare backprop with centred differences for every parameter of ``net``.

    X (n, n_inputs), Y (n, n_outputs) or integer labels. The network is left unchanged.
    ``network_for_numeric`` (default ``net``) computes the numeric side: a test can pass a
    double with a broken derivative as ``net`` and the real network here.
    """
    if not (np.isfinite(epsilon) and 0 < epsilon < 1):
        raise ValueError(f"epsilon must be in (0, 1), got {epsilon}")
    loss_obj = get_loss(loss)
    ref = network_for_numeric or net
    Yp = net.prepare_targets(Y, loss_obj)
    X = np.asarray(X, dtype=float)
    saved = net.params.copy()
    t0 = time.perf_counter()
    _, grads = net.loss_and_gradients(X, Yp, loss)
    backprop_seconds = time.perf_counter() - t0
    analytic = np.concatenate([np.concatenate([dW.ravel(), db]) for dW, db in grads])
    numeric = np.zeros(ref.n_params)
    params = ref.params
    t0 = time.perf_counter()
    for k in range(ref.n_params):
        pause_point()  # a busy window goes first (model/pause_points.py)
        old = params[k]
        params[k] = old + epsilon
        plus = ref.loss(X, Yp, loss)
        params[k] = old - epsilon
        minus = ref.loss(X, Yp, loss)
        params[k] = old
        numeric[k] = (plus - minus) / (2 * epsilon)
    numeric_seconds = time.perf_counter() - t0
    # a layer without biases has no bias parameters: both sides are 0 there by definition
    for l, layer in enumerate(ref.layers):
        if not layer.use_bias:
            net.layout.split(numeric, l)[1][:] = 0.0
    net.params[:] = saved
    rel = relative_error(analytic, numeric)
    return GradCheckResult(analytic, numeric, rel, parameter_names(net), int(np.argmax(rel)),
                           backprop_seconds, numeric_seconds, epsilon)
