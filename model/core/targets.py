"""Targets for the output layer: the one place that says how a class label becomes numbers.

Classification: integer labels (n,) become one-hot rows for several outputs; for a single
output, class 1 is the target 1 and class 0 is 0 (sigmoid) or −1 (tanh, as TF Playground).
Regression: (n,) or (n, k) targets pass through as float (n, k).
``predicted_classes`` is the inverse: the class each row of output activations stands for.
"""
from __future__ import annotations

import numpy as np


def low_target(output_activation: str) -> float:
    """The target of class 0 on a single output: −1 for tanh (its range), else 0."""
    return -1.0 if output_activation == "tanh" else 0.0


def encode_targets(y, task: str, n_outputs: int, output_activation: str) -> np.ndarray:
    """Targets as float (n, n_outputs) for the network's output layer (see the module doc)."""
    y = np.asarray(y)
    if task == "classification":
        if y.size and not np.all(np.isfinite(y.astype(float))):
            raise ValueError("class labels must be finite")
        y = y.astype(np.int64).ravel()
        if y.size and y.min() < 0:
            raise ValueError("class labels must not be negative")
        n_classes = int(y.max()) + 1 if y.size else 2
        if n_outputs == 1:
            if n_classes > 2:
                raise ValueError(f"{n_classes} classes need {n_classes} outputs (softmax), not 1")
            return np.where(y == 1, 1.0, low_target(output_activation))[:, None]
        if n_classes > n_outputs:
            raise ValueError(f"{n_classes} classes need {n_classes} outputs, not {n_outputs}")
        return np.eye(n_outputs)[y]
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape[1] != n_outputs:
        raise ValueError(f"{y.shape[-1] if y.ndim else 1} targets need as many outputs, "
                         f"not {n_outputs}")
    return y


def predicted_classes(a: np.ndarray, output_activation: str) -> np.ndarray:
    """Class index per row of output activations a (n, k): the larger output, or for one
    output the side of the midpoint between the two targets (0.5, or 0 for tanh)."""
    if a.shape[1] == 1:
        threshold = (1.0 + low_target(output_activation)) / 2
        return (a[:, 0] > threshold).astype(np.int64)
    return np.argmax(a, axis=1)
