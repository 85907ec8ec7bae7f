"""Seeing a network with more than two inputs on a plane: a slice, or the principal components.

A **slice** varies two chosen inputs over a grid and holds every other input at a fixed value
(by default its mean over the training rows). The output over the slice is exactly what
``predict`` gives for those rows; the boundary drawn on it is the boundary *of this slice*, and
moves when the held values move.

The **principal-component view** projects the points onto the first two principal components of
the training rows (each input divided by its standard deviation first, so that units do not
decide the directions) and draws the output on the plane through the mean that those two
components span: the slice through the mean, in the directions in which the data varies most.

Pure numpy; the window's axis pickers and sliders call ``Playground.slice_view`` and
``Playground.pca_view``, which use these functions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

Extent = tuple[float, float, float, float]


def padded_range(values: np.ndarray) -> tuple[float, float]:
    """(lo, hi) of the values with 10 % padding (at least 0.5 on each side), as the output view
    pads the data's extent."""
    lo, hi = float(np.min(values)), float(np.max(values))
    pad = max((hi - lo) * 0.1, 0.5)
    return lo - pad, hi + pad


def check_axes(axes: Sequence[int], d: int) -> tuple[int, int]:
    axes = tuple(int(a) for a in axes)
    if len(axes) != 2 or axes[0] == axes[1] or not all(0 <= a < d for a in axes):
        raise ValueError(f"a slice needs two different inputs out of 0..{d - 1}, got {axes}")
    return axes


def plane_grid(extent: Extent, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """(u, v) each (r·r,): the grid's coordinates, row-major with v varying slowest, so values
    reshape to (r, r) as [v index, u index] (as ``Playground.grid_inputs``)."""
    if not 2 <= int(resolution) <= 1000:
        raise ValueError(f"resolution must be in 2..1000, got {resolution}")
    u = np.linspace(extent[0], extent[1], int(resolution))
    v = np.linspace(extent[2], extent[3], int(resolution))
    gu, gv = np.meshgrid(u, v)
    return gu.ravel(), gv.ravel()


def slice_inputs(axes: tuple[int, int], held, extent: Extent, resolution: int) -> np.ndarray:
    """Raw input rows (r·r, d) of a slice: input axes[0] varies along the grid's x, axes[1] along
    its y, every other input j stays at held[j]."""
    held = np.asarray(held, dtype=np.float64)
    if held.ndim != 1 or not np.all(np.isfinite(held)):
        raise ValueError("held values must be one finite number per input")
    axes = check_axes(axes, len(held))
    u, v = plane_grid(extent, resolution)
    X = np.repeat(held[None, :], len(u), axis=0)
    X[:, axes[0]], X[:, axes[1]] = u, v
    return X


@dataclass(frozen=True, eq=False)
class SliceView:
    """A slice (see the module doc) and every unit's value over it."""

    axes: tuple[int, int]  # the inputs on x and y
    held: np.ndarray  # (d,) raw value of every input; those on the axes vary instead
    extent: Extent  # x_lo, x_hi, y_lo, y_hi in the raw units of the two inputs
    inputs: np.ndarray  # (r·r, d) the raw rows of the grid
    grids: tuple[np.ndarray, ...]  # per layer, inputs first: (units, r, r) as [unit, y, x]

    @property
    def output(self) -> np.ndarray:
        return self.grids[-1]


def unit_grids(layer_values: Callable[[np.ndarray], list[np.ndarray]], X_raw: np.ndarray,
               resolution: int) -> tuple[np.ndarray, ...]:
    """Every unit's value for the grid rows X_raw, reshaped to (units, r, r) per layer."""
    r = int(resolution)
    return tuple(a.T.reshape(-1, r, r) for a in layer_values(X_raw))


def principal_components(X_train) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(mean (d,), std (d,), components (2, d), explained variance ratio (2,)) of the training
    rows, each input divided by its standard deviation (1 for a constant one). The sign of each
    component is fixed (its largest entry positive) so that the picture does not flip."""
    X = np.asarray(X_train, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < 2 or len(X) < 1:
        raise ValueError(f"principal components need rows with at least 2 inputs, got {X.shape}")
    mean, std = X.mean(axis=0), X.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    Z = (X - mean) / std
    _, s, vt = np.linalg.svd(Z, full_matrices=False)
    components = vt[:2] if len(vt) >= 2 else np.vstack([vt, np.zeros_like(vt)])
    for c in components:
        if c[np.argmax(np.abs(c))] < 0:
            c *= -1
    var = s ** 2
    total = var.sum()
    ratio = var[:2] / total if total > 0 else np.zeros(2)
    return mean, std, components, np.pad(ratio, (0, 2 - len(ratio)))


@dataclass(frozen=True, eq=False)
class PCAView:
    """Points projected on the first two principal components and the output over the plane
    through the mean that they span (see the module doc)."""

    mean: np.ndarray  # (d,) raw mean of the training rows
    std: np.ndarray  # (d,) their standard deviation (1 for constant inputs)
    components: np.ndarray  # (2, d) unit vectors in standardised units
    explained: np.ndarray  # (2,) share of the variance along each
    train_points: np.ndarray  # (n_train, 2)
    test_points: np.ndarray  # (n_test, 2)
    extent: Extent
    inputs: np.ndarray  # (r·r, d) the raw rows of the plane's grid
    grids: tuple[np.ndarray, ...]

    @property
    def output(self) -> np.ndarray:
        return self.grids[-1]

    def project(self, X_raw) -> np.ndarray:
        """Raw rows (n, d) → their coordinates (n, 2) on the components."""
        return ((np.asarray(X_raw, dtype=np.float64) - self.mean) / self.std) @ self.components.T

    def to_raw(self, points) -> np.ndarray:
        """Coordinates (n, 2) on the plane → raw rows (n, d) of the plane through the mean."""
        return self.mean + (np.asarray(points, dtype=np.float64) @ self.components) * self.std


def pca_view(X_train, X_test, layer_values, resolution: int) -> PCAView:
    """The principal-component view of the data (see ``PCAView``); ``layer_values(X_raw)`` gives
    every layer's values, inputs first (``Playground.layer_values``)."""
    mean, std, comps, explained = principal_components(X_train)
    base = PCAView(mean, std, comps, explained, np.zeros((0, 2)), np.zeros((0, 2)),
                   (0.0, 0.0, 0.0, 0.0), np.zeros((0, len(mean))), ())
    train, test = base.project(X_train), base.project(np.asarray(X_test).reshape(-1, len(mean)))
    both = np.concatenate([train, test])
    extent = (*padded_range(both[:, 0]), *padded_range(both[:, 1]))
    u, v = plane_grid(extent, resolution)
    inputs = base.to_raw(np.column_stack([u, v]))
    return PCAView(mean, std, comps, explained, train, test, extent, inputs,
                   unit_grids(layer_values, inputs, resolution))
