"""The plane the window draws for data with more than two inputs: a slice or the principal
components (see ``model.data.slices``), as chosen in the output view.

``PlaneSpec`` is what the user picked (which two inputs span the plane and the value of every
other one, or the principal-component view); it crosses from the GUI to the trainer's thread.
``make_plane`` resolves it against the current data into a ``Plane``: the held values (a
``None`` in the spec is the input's training mean), the plane's extent, the points' positions
on it and everything the controls show (means and ranges of every input, axis labels). The
snapshot then carries every unit's values over that plane (its neuron grids), so that the
output view and the graph's thumbnails draw the same slice.

Pure numpy; computed in the trainer's thread.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.data import slices
from model.frozen import frozen_copy

KINDS = ("slice", "pca")


@dataclass(frozen=True)
class PlaneSpec:
    """What to draw. ``axes``: the inputs on x and y (a slice); ``held``: one entry per input,
    a raw value or None for its training mean (``()``: every input at its mean); entries of
    the two axes are ignored. ``kind="pca"`` draws the first two principal components and the
    slice through the mean (``axes`` and ``held`` then wait for the slice to come back)."""

    kind: str = "slice"
    axes: tuple[int, int] = (0, 1)
    held: tuple[float | None, ...] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"plane kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        object.__setattr__(self, "axes", tuple(int(a) for a in self.axes))
        held = tuple(None if v is None else float(v) for v in self.held)
        if any(v is not None and not math.isfinite(v) for v in held):
            raise ValueError("held values must be finite numbers (or None for the mean)")
        object.__setattr__(self, "held", held)

    def check(self, d: int) -> None:
        """ValueError (one line) unless the spec fits data with ``d`` inputs."""
        if d < 3:
            raise ValueError(f"a slice needs more than two inputs, the data has {d}")
        slices.check_axes(self.axes, d)
        if self.held and len(self.held) != d:
            raise ValueError(f"held values: expected {d} (one per input), got {len(self.held)}")

    def held_value(self, k: int) -> float | None:
        return self.held[k] if self.held else None

    def with_held(self, k: int, value: float | None, d: int) -> "PlaneSpec":
        """A copy with input ``k`` held at ``value`` (None: its mean)."""
        held = list(self.held or (None,) * d)
        held[k] = value
        return PlaneSpec(self.kind, self.axes, tuple(held) if any(
            v is not None for v in held) else ())

    def to_dict(self) -> dict:
        """As JSON (a session's ``meta.plane``): held values, None (null) for a mean."""
        return {"kind": self.kind, "axes": list(self.axes), "held": list(self.held)}

    @classmethod
    def from_dict(cls, d) -> "PlaneSpec":
        """The spec ``to_dict`` wrote; ValueError (one line) for anything else."""
        if not isinstance(d, dict) or set(d) - {"kind", "axes", "held"}:
            raise ValueError("plane: expected an object with kind, axes and held")
        kind, axes, held = d.get("kind", "slice"), d.get("axes", [0, 1]), d.get("held", [])
        if not isinstance(kind, str):
            raise ValueError("plane.kind must be a string")
        if (not isinstance(axes, list) or len(axes) != 2
                or not all(type(a) is int for a in axes)):
            raise ValueError("plane.axes must be two input numbers")
        if not isinstance(held, list) or not all(
                v is None or (type(v) in (int, float)) for v in held):
            raise ValueError("plane.held must be a list of numbers or null")
        try:
            return cls(kind, tuple(axes), tuple(held))
        except OverflowError:
            raise ValueError("plane.held: a number too large") from None


@dataclass(frozen=True, eq=False)
class Plane:
    """A resolved plane (see the module doc); arrays are read-only copies."""

    spec: PlaneSpec
    input_names: tuple[str, ...]
    held: np.ndarray  # (d,) raw value of every input on the plane (slice: NaN on its axes)
    means: np.ndarray  # (d,) training means
    lo: np.ndarray  # (d,) smallest value of each input over all rows (the sliders' range)
    hi: np.ndarray  # (d,) largest
    extent: tuple[float, float, float, float]  # x_lo, x_hi, y_lo, y_hi in the plane's units
    train_points: np.ndarray  # (n_train, 2) where the training rows are drawn
    test_points: np.ndarray  # (n_test, 2)
    # principal components: (2, d) unit vectors in standardised units, the variance share of
    # each, and the standard deviations the inputs were divided by; None for a slice
    components: np.ndarray | None = None
    explained: np.ndarray | None = None
    std: np.ndarray | None = None

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def axes(self) -> tuple[int, int] | None:
        return self.spec.axes if self.kind == "slice" else None

    def labels(self) -> tuple[str, str]:
        """The x and y axis titles: the two inputs' names, or "PC1 (73 %)" and "PC2 (23 %)"."""
        if self.kind == "slice":
            return self.input_names[self.axes[0]], self.input_names[self.axes[1]]
        return tuple(f"PC{k + 1} ({100 * self.explained[k]:.0f} %)" for k in range(2))

    def rows(self, resolution: int) -> np.ndarray:
        """Raw input rows (r·r, d) of a resolution² grid over the extent, row-major with y
        varying slowest (values reshape to (r, r) as [y, x])."""
        if self.kind == "slice":
            held = np.where(np.isnan(self.held), self.means, self.held)
            return slices.slice_inputs(self.axes, held, self.extent, resolution)
        u, v = slices.plane_grid(self.extent, resolution)
        return self.means + (np.column_stack([u, v]) @ self.components) * self.std

    def unit_grids(self, layer_values, resolution: int) -> tuple[np.ndarray, ...]:
        """Every unit's value over the plane, per layer (inputs first): (units, r, r) [y, x]."""
        return slices.unit_grids(layer_values, self.rows(resolution), resolution)


# The data of a run does not change: the principal components of the last data set seen
# (data, result) and the last plane made (data, spec, plane) are kept, so that the SVD runs
# once per data set and a plane is resolved once per choice, not once per frame. The data
# object is held, so that a new one can never be mistaken for it.
_pca_cache: tuple = (None, None)
_plane_cache: tuple = (None, None, None)


def _principal_components(data):
    global _pca_cache
    cached_data, result = _pca_cache
    if cached_data is not data:
        result = slices.principal_components(data.X_train)
        _pca_cache = (data, result)
    return result


def make_plane(data, spec: PlaneSpec | None = None) -> Plane:
    """``spec`` (default: the first two inputs, the others at their means) resolved against
    ``data`` (a ``model.data.datasets.Data`` with more than two inputs)."""
    global _plane_cache
    spec = PlaneSpec() if spec is None else spec
    cached_data, cached_spec, cached = _plane_cache
    if cached_data is data and cached_spec == spec:
        return cached  # immutable: the same plane for every snapshot of this choice
    plane = _make_plane(data, spec)
    _plane_cache = (data, spec, plane)
    return plane


def _make_plane(data, spec: PlaneSpec) -> Plane:
    d = len(data.input_names)
    spec.check(d)
    X_all = np.concatenate([data.X_train, data.X_test])
    means = data.X_train.mean(axis=0)
    lo, hi = X_all.min(axis=0), X_all.max(axis=0)
    if spec.kind == "slice":
        i, j = spec.axes
        held = np.array([means[k] if spec.held_value(k) is None else spec.held_value(k)
                         for k in range(d)])
        held[[i, j]] = np.nan  # varied, not held
        extent = (*slices.padded_range(X_all[:, i]), *slices.padded_range(X_all[:, j]))
        return Plane(spec, tuple(data.input_names), frozen_copy(held), frozen_copy(means),
                     frozen_copy(lo), frozen_copy(hi), tuple(map(float, extent)),
                     frozen_copy(data.X_train[:, [i, j]]), frozen_copy(data.X_test[:, [i, j]]))
    mean, std, comps, explained = _principal_components(data)
    project = lambda X: ((X - mean) / std) @ comps.T  # noqa: E731 - PCAView.project
    train, test = project(data.X_train), project(data.X_test)
    both = np.concatenate([train, test])
    extent = (*slices.padded_range(both[:, 0]), *slices.padded_range(both[:, 1]))
    return Plane(spec, tuple(data.input_names), frozen_copy(mean), frozen_copy(means),
                 frozen_copy(lo), frozen_copy(hi), tuple(map(float, extent)),
                 frozen_copy(train), frozen_copy(test), frozen_copy(comps),
                 frozen_copy(explained), frozen_copy(std))
