"""Activation functions: each forward formula a = f(z) sits beside its derivative.

Every method writes into ``out`` (preallocated by the network) so that a training
step allocates nothing; pass ``out=None`` to get a new array.
"""
from __future__ import annotations

import math
import re

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


class LeakyReLU(Activation):
    """f(z) = z if z > 0 else α·z, with a slope 0 < α < 1 (default 0.01).

    A parameterised activation is named by its kind and slope: ``leaky_relu`` is α = 0.01,
    ``leaky_relu:0.2`` is α = 0.2. That name is what weights files, sessions and settings store,
    so the slope travels with the network and needs no extra field anywhere.
    """

    kind = "leaky_relu"
    default_slope = 0.01

    def __init__(self, slope: float = default_slope):
        self.slope = float(slope)
        self.name = self.kind if self.slope == self.default_slope else f"{self.kind}:{self.slope!r}"

    def forward(self, z, out=None):
        # max(z, α·z) is z for z > 0 and α·z below, since 0 < α < 1
        out = np.multiply(z, self.slope, out=out)
        return np.maximum(z, out, out=out)

    def derivative(self, z, a, out=None):
        # f'(z) = 1 if z > 0 else α (α at the kink, as ReLU takes 0 there)
        if out is None:
            out = np.empty_like(z)
        np.greater(z, 0.0, out=out, casting="unsafe")
        out *= 1.0 - self.slope
        out += self.slope
        return out


class ELU(Activation):
    """f(z) = z if z > 0 else e^z − 1 (α = 1, the usual choice, which makes f′ continuous)."""

    name = "elu"

    def forward(self, z, out=None):
        # e^z − 1 ≥ z everywhere and e^min(z,0) − 1 is 0 for z > 0, so the max picks the branch
        out = np.minimum(z, 0.0, out=out)
        np.expm1(out, out=out)
        return np.maximum(z, out, out=out)

    def derivative(self, z, a, out=None):
        # f'(z) = 1 if z > 0 else e^z = a + 1 (< 1 there): min(a + 1, 1) is both branches
        out = np.add(a, 1.0, out=out)
        return np.minimum(out, 1.0, out=out)


class Softplus(Activation):
    """f(z) = log(1 + e^z), a smooth ReLU."""

    name = "softplus"

    def forward(self, z, out=None):
        # logaddexp(z, 0) = log(e^z + e^0), computed without overflowing e^z
        return np.logaddexp(z, 0.0, out=out)

    def derivative(self, z, a, out=None):
        # f'(z) = e^z / (1 + e^z) = sigmoid(z)
        return _SIGMOID.forward(z, out=out)


class SiLU(Activation):
    """f(z) = z·σ(z), σ the sigmoid (also called swish)."""

    name = "silu"

    def forward(self, z, out=None):
        out = _SIGMOID.forward(z, out=out)
        return np.multiply(out, z, out=out)

    def derivative(self, z, a, out=None):
        # f'(z) = σ(z) + z·σ(z)·(1 − σ(z)) = σ(z)·(1 + z·(1 − σ(z)))
        s = _SIGMOID.forward(z, out=out)
        return np.multiply(s, 1.0 + z * (1.0 - s), out=s)

    def backward(self, z, a, grad_a, out=None, scratch=None):
        # the same formula with both buffers, so a training step allocates nothing
        scratch = _SIGMOID.forward(z, out=scratch)  # σ(z)
        out = np.multiply(grad_a, scratch, out=out)  # g·σ(z)
        np.subtract(1.0, scratch, out=scratch)
        scratch *= z
        scratch += 1.0  # 1 + z·(1 − σ(z))
        return np.multiply(out, scratch, out=out)


GELU_C = math.sqrt(2.0 / math.pi)
GELU_K = 0.044715


class GELUTanh(Activation):
    """GELU in its tanh approximation: f(z) = ½·z·(1 + tanh(u)), u = √(2/π)·(z + 0.044715·z³).

    The cubic is taken of z clipped to ±50: beyond |z| ≈ 10, tanh(u) is exactly ±1 in float64,
    so the clip changes no value and keeps z³ from overflowing.
    """

    name = "gelu_tanh"

    @staticmethod
    def _tanh_u(z):
        zc = np.clip(z, -50.0, 50.0)
        return np.tanh(GELU_C * (zc + GELU_K * zc * zc * zc))

    def forward(self, z, out=None):
        t = self._tanh_u(z)
        t += 1.0
        t *= 0.5
        return np.multiply(z, t, out=out)

    def derivative(self, z, a, out=None):
        # f'(z) = ½(1 + t) + ½·z·(1 − t²)·√(2/π)·(1 + 3·0.044715·z²),  t = tanh(u)
        zc = np.clip(z, -50.0, 50.0)
        t = np.tanh(GELU_C * (zc + GELU_K * zc * zc * zc))
        du = GELU_C * (1.0 + 3.0 * GELU_K * zc * zc)
        return np.add(0.5 * (1.0 + t), 0.5 * zc * (1.0 - t * t) * du, out=out)


_SIGMOID = Sigmoid()

ACTIVATIONS: dict[str, Activation] = {
    act.name: act for act in (Sigmoid(), Tanh(), ReLU(), Linear(), Softmax(), LeakyReLU(),
                              ELU(), Softplus(), SiLU(), GELUTanh())
}
HIDDEN_ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear", "leaky_relu", "elu", "softplus",
                      "silu", "gelu_tanh")
# SiLU and GELU dip below zero and come back: as an output a target could be reached from two
# sides, so they are offered for hidden layers only.
OUTPUT_ACTIVATIONS = ("sigmoid", "tanh", "linear", "relu", "softmax", "leaky_relu", "elu",
                      "softplus")

#: ``leaky_relu:SLOPE``: a plain decimal number (no sign, no nan/inf, no spaces)
_PARAMETERISED = re.compile(r"(leaky_relu):((?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)")


def get_activation(name: str) -> Activation:
    """The activation called ``name`` (``leaky_relu:0.2`` for a leaky ReLU of slope 0.2);
    ValueError naming the choices otherwise, or what is wrong with the slope."""
    act = ACTIVATIONS.get(name) if isinstance(name, str) else None
    if act is not None:
        return act
    match = _PARAMETERISED.fullmatch(name) if isinstance(name, str) and len(name) <= 40 else None
    if match is None:
        if isinstance(name, str) and name.startswith("leaky_relu:"):
            raise ValueError(f"activation {name[:40]!r}: the slope after 'leaky_relu:' must be a "
                             f"plain number between 0 and 1, e.g. leaky_relu:0.2")
        shown = repr(name[:40] + "…" if len(name) > 40 else name) if isinstance(name, str) \
            else type(name).__name__
        raise ValueError(f"unknown activation {shown} (choose from: {', '.join(ACTIVATIONS)}; "
                         f"leaky_relu:SLOPE for another slope)")
    slope = float(match.group(2))
    if not 0.0 < slope < 1.0:
        raise ValueError(f"activation {name!r}: the slope of a leaky ReLU must be between 0 and 1 "
                         f"(exclusive), got {slope:g}")
    return LeakyReLU(slope)


def kind_of(name: str) -> str:
    """The activation's family without its parameter: ``leaky_relu:0.2`` → ``leaky_relu``."""
    return name.partition(":")[0]


def check_activation_name(name, role: str = "hidden") -> str:
    """``name`` in its canonical spelling if it may be used for ``role`` ("hidden" or
    "output"); ValueError in one line otherwise."""
    allowed = HIDDEN_ACTIVATIONS if role == "hidden" else OUTPUT_ACTIVATIONS
    if not isinstance(name, str):
        raise ValueError(f"expected an activation name, got {type(name).__name__}")
    act = get_activation(name) if kind_of(name) in allowed else None
    if act is None:
        raise ValueError(f"unknown {role} activation {name[:40]!r} (choose from: "
                         f"{', '.join(allowed)}; leaky_relu:SLOPE for another slope)")
    return act.name
