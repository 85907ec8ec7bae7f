"""Input scaling: each input of the network shifted and divided, x' = (x − offset) / scale.

Real measurements come in every range (areas in the thousands next to ratios below 1) and
saturate tanh units; the seeds' own advice is to normalise the inputs first. Two methods:

- ``standard``: offset = mean, scale = standard deviation (z-scores: mean 0, std 1);
- ``minmax``: offset = (max + min) / 2, scale = (max − min) / 2, so the training rows span
  [−1, 1], the range of tanh.

The statistics are computed on the training rows only (the test rows stay unseen) and belong to
the network: ``Network.predict`` applies them, weights files save them and the exports build
them in, so raw rows go in everywhere. A constant input gets scale 1 (nothing to divide).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHODS = ("standard", "minmax")
#: what the ``scale`` setting accepts; "auto" means standard for files, none otherwise
CHOICES = ("auto", "standard", "minmax", "none")


@dataclass(frozen=True, eq=False)
class InputScaling:
    """x' = (x − offset) / scale per input column; offset and scale are read-only (d,)."""

    method: str
    offset: np.ndarray
    scale: np.ndarray

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"unknown scaling {self.method!r} (choose from: {', '.join(METHODS)})")
        for name in ("offset", "scale"):
            a = np.array(getattr(self, name), dtype=np.float64, copy=True)
            if a.ndim != 1 or not a.size or not np.all(np.isfinite(a)):
                raise ValueError(f"scaling {name} must be a non-empty list of finite numbers")
            a.flags.writeable = False
            object.__setattr__(self, name, a)
        if self.offset.shape != self.scale.shape:
            raise ValueError(f"scaling offset and scale differ in length "
                             f"({self.offset.size} and {self.scale.size})")
        if not np.all(self.scale > 0):
            raise ValueError("scaling scale must be positive")

    @property
    def size(self) -> int:
        return int(self.offset.size)

    def apply(self, X) -> np.ndarray:
        """Scaled inputs: X (n, d) or (d,) → the same shape, float64, a new array."""
        X = np.asarray(X, dtype=np.float64)
        if X.shape[-1:] != (self.size,):
            raise ValueError(f"scaling expects {self.size} input columns, got shape {X.shape}")
        # Subtract, then divide: the exports compute it in this order too, to the last bit.
        return (X - self.offset) / self.scale

    def invert(self, X) -> np.ndarray:
        """Raw inputs from scaled ones (the inverse of ``apply``, up to rounding)."""
        return np.asarray(X, dtype=np.float64) * self.scale + self.offset

    def to_dict(self) -> dict:
        return {"method": self.method, "offset": self.offset.tolist(),
                "scale": self.scale.tolist()}

    def same_as(self, other: "InputScaling | None") -> bool:
        return other is not None and self.method == other.method \
            and np.array_equal(self.offset, other.offset) \
            and np.array_equal(self.scale, other.scale)

    def __repr__(self):
        return f"<InputScaling {self.method}, {self.size} inputs>"


def fit_scaling(X_train, method: str) -> InputScaling | None:
    """The scaling of ``method`` fitted to the training rows X_train (n ≥ 1, d); None for "none".

    Only the rows given are looked at: pass the training rows, never the test rows.
    """
    if method == "none":
        return None
    if method not in METHODS:
        raise ValueError(f"unknown scaling {method!r} (choose from: {', '.join(CHOICES)})")
    X = np.asarray(X_train, dtype=np.float64)
    if X.ndim != 2 or not len(X):
        raise ValueError(f"scaling needs training rows (n ≥ 1, d), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        bad = int(np.flatnonzero(~np.all(np.isfinite(X), axis=0))[0])
        raise ValueError(f"training inputs contain NaN or infinite values (input {bad + 1}; "
                         f"a feature such as x² can overflow on huge values)")
    lo, hi = X.min(axis=0), X.max(axis=0)
    if method == "standard":
        offset, scale = X.mean(axis=0), X.std(axis=0)
    else:
        offset, scale = (hi + lo) / 2, (hi - lo) / 2
    constant = hi == lo
    # A constant column: keep its value exactly as the offset (the mean of equal numbers can be
    # off by rounding) and divide by nothing, so it scales to exactly 0.
    offset = np.where(constant, lo, offset)
    scale = np.where(constant | ~(scale > 0), 1.0, scale)
    return InputScaling(method, offset, scale)


def resolve_method(choice: str, from_file: bool) -> str:
    """The method a ``scale`` setting stands for: "auto" is standard for data from a file and
    none for generated or drawn points (TF Playground's behaviour)."""
    if choice not in CHOICES:
        raise ValueError(f"unknown scaling {choice!r} (choose from: {', '.join(CHOICES)})")
    if choice == "auto":
        return "standard" if from_file else "none"
    return choice
