"""Activation functions: each forward formula a = f(z) sits beside its derivative.

Every method writes into ``out`` (preallocated by the network) so that a training
step allocates nothing; pass ``out=None`` to get a new array.
"""
from __future__ import annotations

import numpy as np


class Activation:
    """a = f(z) applied element-wise; ``derivative`` is f'(z) given z and a = f(z)."""

    name = "?"
    elementwise = True

    def forward(self, z, out=None):
        raise NotImplementedError

    def derivative(self, z, a, out=None):
        raise NotImplementedError

    def backward(self, z, a, grad_a, out=None, scratch=None):
        """delta = dC/dz from grad_a = dC/da: grad_a * f'(z). ``out`` may alias grad_a."""
        d = self.derivative(z, a, out=scratch)
        return np.multiply(grad_a, d, out=out)

    def __repr__(self):
        return f"<activation {self.name}>"


class Sigmoid(Activation):
    name = "sigmoid"

    def forward(self, z, out=None):
        # 1 / (1 + e^-z) overflows e^-z for z << 0; exp of a clipped argument keeps it finite
        # and changes nothing measurable (sigmoid(-500) is 7e-218).
        out = np.clip(z, -500.0, 500.0, out=out)
        np.negative(out, out=out)
        np.exp(out, out=out)
        out += 1.0
        return np.reciprocal(out, out=out)

    def derivative(self, z, a, out=None):
        # f'(z) = a (1 - a)
        out = np.subtract(1.0, a, out=out)
        return np.multiply(out, a, out=out)


class Tanh(Activation):
    name = "tanh"

    def forward(self, z, out=None):
        return np.tanh(z, out=out)

    def derivative(self, z, a, out=None):
        # f'(z) = 1 - a²
        out = np.multiply(a, a, out=out)
        return np.subtract(1.0, out, out=out)


class ReLU(Activation):
    name = "relu"

    def forward(self, z, out=None):
        return np.maximum(z, 0.0, out=out)

    def derivative(self, z, a, out=None):
        # f'(z) = 1 if z > 0 else 0 (0 at the kink, as TF Playground does)
        return np.greater(z, 0.0, out=out, casting="unsafe") if out is not None else (z > 0).astype(z.dtype)


class Linear(Activation):
    name = "linear"

    def forward(self, z, out=None):
        if out is None:
            return z.copy()
        np.copyto(out, z)
        return out

    def derivative(self, z, a, out=None):
        if out is None:
            return np.ones_like(z)
        out.fill(1.0)
        return out

    def backward(self, z, a, grad_a, out=None, scratch=None):
        if out is None:
            return grad_a.copy()
        if out is not grad_a:
            np.copyto(out, grad_a)
        return out


class Softmax(Activation):
    """a_j = e^{z_j} / Σ_k e^{z_k}, row by row. Output layer only."""

    name = "softmax"
    elementwise = False

    def forward(self, z, out=None):
        # Subtracting the row maximum changes nothing mathematically and keeps exp finite.
        shifted = np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(shifted, out=shifted)
        shifted /= shifted.sum(axis=1, keepdims=True)
        return shifted

    def derivative(self, z, a, out=None):
        """The diagonal of the Jacobian, a_j (1 - a_j): what one z_j does to its own a_j."""
        out = np.subtract(1.0, a, out=out)
        return np.multiply(out, a, out=out)

    def jacobian(self, a_row):
        """da_k/dz_j for one example: diag(a) - a aᵀ, shape (k, k)."""
        return np.diag(a_row) - np.outer(a_row, a_row)

    def backward(self, z, a, grad_a, out=None, scratch=None):
        # delta_j = Σ_k dC/da_k · da_k/dz_j = a_j (g_j - Σ_k g_k a_k)
        inner = np.einsum("nk,nk->n", grad_a, a)[:, None]
        out = np.subtract(grad_a, inner, out=out)
        return np.multiply(out, a, out=out)


ACTIVATIONS: dict[str, Activation] = {
    cls.name: cls() for cls in (Sigmoid, Tanh, ReLU, Linear, Softmax)
}
HIDDEN_ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear")
OUTPUT_ACTIVATIONS = ("sigmoid", "tanh", "linear", "relu", "softmax")


def get_activation(name: str) -> Activation:
    """The activation called ``name``; ValueError naming the choices otherwise."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r} (choose from: {', '.join(ACTIVATIONS)})"
        ) from None
