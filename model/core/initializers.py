"""Weight initialisers. All seeded: the same seed gives the same weights.

Each returns (W, b) for one layer, W of shape (n_in, n_out) — W[i][j] from neuron i of the
previous layer to neuron j — and b of shape (n_out,).
"""
from __future__ import annotations

import numpy as np


def tf_playground(n_in, n_out, rng):
    """TensorFlow Playground: W ~ U(−0.5, 0.5), b = 0.1."""
    return rng.uniform(-0.5, 0.5, (n_in, n_out)), np.full(n_out, 0.1)


def uniform(n_in, n_out, rng):
    """W ~ U[0, 1), b = 0 (the tutorials' "random numbers between 0 and 1")."""
    return rng.random((n_in, n_out)), np.zeros(n_out)


def normal(n_in, n_out, rng):
    """W ~ N(0, 1), b = 0."""
    return rng.standard_normal((n_in, n_out)), np.zeros(n_out)


def xavier(n_in, n_out, rng):
    """Glorot/Xavier uniform: W ~ U(±√(6 / (n_in + n_out))), b = 0. Suits tanh and sigmoid."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out)), np.zeros(n_out)


def he(n_in, n_out, rng):
    """He/Kaiming normal: W ~ N(0, 2 / n_in), b = 0. Suits ReLU."""
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in), np.zeros(n_out)


INITIALIZERS = {
    "tf": tf_playground,
    "uniform": uniform,
    "normal": normal,
    "xavier": xavier,
    "he": he,
}


def get_initializer(name: str):
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown init scheme {name!r} (choose from: {', '.join(INITIALIZERS)})"
        ) from None
