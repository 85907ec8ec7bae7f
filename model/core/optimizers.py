"""Optimizers and regularization, applied to the network's flat parameter buffer.

An optimizer reads the stored gradients (``net.grads``) and writes ``net.params``; nothing
else changes weights. Each step leaves the change it made in ``update`` (Δw, flat, same
layout as ``params``) so the GUI can colour edges by it.

Regularization (L1/L2) acts on weights only, never biases, after the gradient step and
with the weight from before it, as TensorFlow Playground does:

    w ← w − step(g) − lr·λ·R′(w_old),   R′ = sign(w) for L1, w for L2 (R = ½w²)

and under L1 a weight whose sign that regularization term flips becomes exactly 0.
"""
from __future__ import annotations

import numpy as np

REGULARIZATIONS = ("none", "l1", "l2")


class Optimizer:
    name = "?"

    def __init__(self, n_params: int, lr: float = 0.03):
        self.lr = lr
        self.update = np.zeros(n_params)  # Δw of the last step
        self.t = 0  # steps taken

    def _step(self, grads: np.ndarray) -> None:
        """Write the step (−lr·g for SGD) into ``self.update``."""
        raise NotImplementedError

    def state(self) -> dict[str, np.ndarray]:
        """The optimizer's own state by name (copies), e.g. velocity or Adam moments."""
        return {}

    def load_state(self, state: dict, t: int = 0) -> None:
        for key, value in state.items():
            getattr(self, key)[:] = value
        self.t = int(t)

    def reset(self) -> None:
        for arr in self.state():
            getattr(self, arr).fill(0.0)
        self.update.fill(0.0)
        self.t = 0


class SGD(Optimizer):
    """w ← w − lr·g"""

    name = "sgd"

    def _step(self, grads):
        np.multiply(grads, -self.lr, out=self.update)  # (R7) Δw = −lr·g


class Momentum(Optimizer):
    """v ← μ·v − lr·g;  w ← w + v"""

    name = "momentum"

    def __init__(self, n_params, lr=0.03, momentum=0.9):
        super().__init__(n_params, lr)
        self.momentum = momentum
        self.velocity = np.zeros(n_params)

    def _step(self, grads):
        v = self.velocity
        v *= self.momentum
        np.multiply(grads, self.lr, out=self.update)
        v -= self.update
        self.update[:] = v

    def state(self):
        return {"velocity": self.velocity.copy()}


class Adam(Optimizer):
    """m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  w ← w − lr·m̂ / (√v̂ + ε)
    with the bias corrections m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)."""

    name = "adam"

    def __init__(self, n_params, lr=0.03, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(n_params, lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = np.zeros(n_params)
        self.v = np.zeros(n_params)
        self._tmp = np.zeros(n_params)

    def _step(self, grads):
        t = self.t + 1
        b1, b2 = self.beta1, self.beta2
        self.m *= b1
        self.m += (1 - b1) * grads
        self.v *= b2
        np.multiply(grads, grads, out=self._tmp)
        self._tmp *= 1 - b2
        self.v += self._tmp
        # lr·m̂/(√v̂ + ε) with both corrections folded into scalars
        np.sqrt(self.v, out=self._tmp)
        self._tmp *= 1.0 / np.sqrt(1 - b2 ** t)
        self._tmp += self.eps
        np.divide(self.m, self._tmp, out=self.update)
        self.update *= -self.lr / (1 - b1 ** t)

    def state(self):
        return {"m": self.m.copy(), "v": self.v.copy()}


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Adam)}


def make_optimizer(name: str, n_params: int, lr: float = 0.03, **kwargs) -> Optimizer:
    try:
        cls = OPTIMIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown optimizer {name!r} (choose from: {', '.join(OPTIMIZERS)})") from None
    return cls(n_params, lr, **kwargs)


class Regularizer:
    """R′(w) for L1/L2 on the weights selected by ``mask`` (1 = weight, 0 = bias)."""

    def __init__(self, kind: str, rate: float, mask: np.ndarray):
        if kind not in REGULARIZATIONS:
            raise ValueError(f"unknown regularization {kind!r} (choose from: none, l1, l2)")
        self.kind = kind
        self.rate = float(rate)
        self.mask = mask
        self._old = np.zeros_like(mask)
        self._term = np.zeros_like(mask)

    @property
    def active(self) -> bool:
        return self.kind != "none" and self.rate != 0.0

    def derivative(self, w: np.ndarray) -> np.ndarray:
        """R′(w) (masked): sign(w) for L1, w for L2."""
        return (np.sign(w) if self.kind == "l1" else w) * self.mask


def apply_step(params: np.ndarray, grads: np.ndarray, optimizer: Optimizer,
               regularizer: Regularizer | None) -> None:
    """One optimizer step plus regularization; leaves Δw in ``optimizer.update``."""
    optimizer._step(grads)
    optimizer.t += 1
    if regularizer is None or not regularizer.active:
        params += optimizer.update
        return
    old, term = regularizer._old, regularizer._term
    np.copyto(old, params)
    # R′(w_old), masked to weights, times lr·λ
    if regularizer.kind == "l1":
        np.sign(old, out=term)
    else:
        np.copyto(term, old)
    term *= regularizer.mask
    term *= optimizer.lr * regularizer.rate
    params += optimizer.update  # the gradient step
    if regularizer.kind == "l1":
        after_grad = params.copy()
        params -= term
        # a weight that the L1 term pushed across zero stops at exactly 0
        params[(after_grad * params) < 0] = 0.0
    else:
        params -= term
    np.subtract(params, old, out=optimizer.update)
