"""Seeded 2-D toy data sets, ported from TensorFlow Playground's ``dataset.ts``.

Points live in about [-6, 6]^2 like TF Playground's. Every generator has the signature
``(n_points, noise, rng) -> (X, y)`` where ``noise`` in [0, 1] is exactly the value TF
passes to its generators (its UI's percent / 100). TF's ±1 class labels become 0 / 1
(-1 -> 0, +1 -> 1). Unlike TF, which makes ceil(n/2) points per class (n + 1 points for an
odd n), a binary generator returns exactly n points: ceil(n/2) of the class TF makes first.

``generate`` draws a dataset from ``np.random.default_rng(seed)`` and then shuffles the rows
(TF Playground shuffles right after generating, so classes are not in blocks).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from model.data import curves

MAX_POINTS = 100_000
MIN_CLASSES, MAX_CLASSES = 3, 6  # selectable class counts of the multi-class sets
DEFAULT_CLASSES = 3


# --- binary classification (TF Playground) ------------------------------------------------

def _halves(n_points: int) -> tuple[int, int]:
    """(first, second) class sizes; the class TF generates first gets the odd point."""
    return n_points - n_points // 2, n_points // 2


def circle(n_points: int, noise: float, rng: np.random.Generator):
    """TF classifyCircleData: class 1 inside radius 2.5, class 0 in the ring 3.5..5.

    Returns X (n, 2) float64, y (n,) int64. The label is taken at the point moved by noise,
    while the stored point is the clean one (as TF does), so noise flips labels near the edge.
    """
    radius = 5.0
    n_in, n_out = _halves(n_points)
    r = np.concatenate([rng.uniform(0.0, radius * 0.5, n_in),
                        rng.uniform(radius * 0.7, radius, n_out)])
    angle = rng.uniform(0.0, 2 * math.pi, n_points)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    moved = X + rng.uniform(-radius, radius, (n_points, 2)) * noise
    y = (np.hypot(moved[:, 0], moved[:, 1]) < radius * 0.5).astype(np.int64)
    return X, y


def xor(n_points: int, noise: float, rng: np.random.Generator):
    """TF classifyXORData: class 1 where x1*x2 >= 0 (taken at the noisy point).

    Coordinates are uniform in [-5, 5] pushed 0.3 away from the axes (TF's padding).
    """
    X = rng.uniform(-5.0, 5.0, (n_points, 2))
    X += np.where(X > 0, 0.3, -0.3)
    moved = X + rng.uniform(-5.0, 5.0, (n_points, 2)) * noise
    y = (moved[:, 0] * moved[:, 1] >= 0).astype(np.int64)
    return X, y


def gaussian(n_points: int, noise: float, rng: np.random.Generator):
    """TF classifyTwoGaussData: class 1 around (2, 2), class 0 around (-2, -2).

    TF maps noise 0..0.5 linearly (unclamped) to a variance 0.5..4.
    """
    variance = 0.5 + (4.0 - 0.5) / 0.5 * noise
    std = math.sqrt(variance)
    n_pos, n_neg = _halves(n_points)
    X = np.concatenate([rng.normal(2.0, std, (n_pos, 2)), rng.normal(-2.0, std, (n_neg, 2))])
    y = np.concatenate([np.ones(n_pos, np.int64), np.zeros(n_neg, np.int64)])
    return X, y


def _arms(counts: list[int], deltas: list[float], per_arm: float, noise, rng):
    """TF's spiral arm: point i at radius 5*i/per_arm, angle 1.75 turns * i/per_arm + delta."""
    parts = []
    for count, delta in zip(counts, deltas):
        i = np.arange(count, dtype=np.float64)
        r = i / per_arm * 5.0
        t = 1.75 * i / per_arm * 2 * math.pi + delta
        arm = np.column_stack([r * np.sin(t), r * np.cos(t)])
        parts.append(arm + rng.uniform(-1.0, 1.0, (count, 2)) * noise)
    return np.concatenate(parts)


def spiral(n_points: int, noise: float, rng: np.random.Generator):
    """TF classifySpiralData: two arms, class 1 at phase 0 and class 0 at phase pi."""
    counts = list(_halves(n_points))
    # TF divides by numSamples / 2 (a float for odd n); keep that so even n matches exactly.
    X = _arms(counts, [0.0, math.pi], n_points / 2, noise, rng)
    y = np.concatenate([np.ones(counts[0], np.int64), np.zeros(counts[1], np.int64)])
    return X, y


def moons(n_points: int, noise: float, rng: np.random.Generator):
    """Two interleaving half circles (class 0 the upper, class 1 the lower one).

    The unit moons span x in [-1, 2], y in [-0.5, 1]; centred and scaled by 3.5 they span
    about [-5.25, 5.25] x [-2.6, 2.6]. Gaussian noise has std 0.5 * noise unit-moon radii.
    """
    n_top, n_bottom = _halves(n_points)
    t_top = rng.uniform(0.0, math.pi, n_top)
    t_bottom = rng.uniform(0.0, math.pi, n_bottom)
    X = np.concatenate([np.column_stack([np.cos(t_top), np.sin(t_top)]),
                        np.column_stack([1.0 - np.cos(t_bottom), 0.5 - np.sin(t_bottom)])])
    X = (X - [0.5, 0.25]) * 3.5
    X += rng.normal(0.0, 1.0, X.shape) * (0.5 * 3.5 * noise)
    y = np.concatenate([np.zeros(n_top, np.int64), np.ones(n_bottom, np.int64)])
    return X, y


# --- multi-class classification -------------------------------------------------------------

def _class_counts(n_points: int, n_classes: int) -> list[int]:
    """As equal as possible; the first classes take the remainder."""
    base, extra = divmod(n_points, n_classes)
    return [base + (k < extra) for k in range(n_classes)]


def blobs(n_points: int, noise: float, rng: np.random.Generator, n_classes: int = DEFAULT_CLASSES):
    """Gaussian clusters, class k centred at angle 90° + 360°*k/C on a circle of radius 3.5.

    The std grows from 0.5 (well separated, inside [-6, 6]) to 2.0 at noise 1 (overlapping).
    """
    counts = _class_counts(n_points, n_classes)
    angles = math.pi / 2 + 2 * math.pi * np.arange(n_classes) / n_classes
    centres = 3.5 * np.column_stack([np.cos(angles), np.sin(angles)])
    std = 0.5 + 1.5 * noise
    X = np.repeat(centres, counts, axis=0) + rng.normal(0.0, std, (n_points, 2))
    return X, np.repeat(np.arange(n_classes, dtype=np.int64), counts)


def spiral_arms(n_points: int, noise: float, rng: np.random.Generator,
                n_classes: int = DEFAULT_CLASSES):
    """C spiral arms like TF's spiral, arm k (class k) at phase 2*pi*k/C."""
    counts = _class_counts(n_points, n_classes)
    deltas = [2 * math.pi * k / n_classes for k in range(n_classes)]
    X = _arms(counts, deltas, n_points / n_classes, noise, rng)
    return X, np.repeat(np.arange(n_classes, dtype=np.int64), counts)


# --- regression (TF Playground) -----------------------------------------------------------

def plane(n_points: int, noise: float, rng: np.random.Generator):
    """TF regressPlane: target (x1 + x2) / 10 at the noisy point; y (n, 1).

    TF's scale maps [-10, 10] to [-1, 1] unclamped, so targets reach ±1.2 in the corners.
    """
    X = rng.uniform(-6.0, 6.0, (n_points, 2))
    moved = X + rng.uniform(-6.0, 6.0, (n_points, 2)) * noise
    return X, (moved.sum(axis=1) / 10.0)[:, None]


_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                   [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=np.float64)


def multi_gaussian(n_points: int, noise: float, rng: np.random.Generator):
    """TF regressGaussian: six ±1 bumps falling linearly to 0 at distance 2; y (n, 1) in [-1, 1].

    Each point takes the bump value largest in magnitude (the first one on ties, as TF).
    """
    X = rng.uniform(-6.0, 6.0, (n_points, 2))
    moved = X + rng.uniform(-6.0, 6.0, (n_points, 2)) * noise
    d = np.hypot(moved[:, None, 0] - _BUMPS[:, 0], moved[:, None, 1] - _BUMPS[:, 1])
    values = _BUMPS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)
    pick = np.argmax(np.abs(values), axis=1)
    # + 0.0 turns a -0.0 (sign * 0) into 0.0, TF's starting label.
    return X, values[np.arange(n_points), pick][:, None] + 0.0


# --- registry -------------------------------------------------------------------------------

@dataclass(frozen=True)
class DatasetSpec:
    name: str
    title: str
    task: str        # "classification" | "regression"
    n_classes: int   # 2 binary, the default 3 for multi-class sets, 0 for regression
    multiclass: bool  # True if n_classes is selectable (MIN_CLASSES..MAX_CLASSES)


_GENERATORS: dict[str, Callable] = {
    "circle": circle, "xor": xor, "gaussian": gaussian, "spiral": spiral, "moons": moons,
    "blobs": blobs, "spiral_arms": spiral_arms, "plane": plane, "multi_gaussian": multi_gaussian,
}

DATASETS: dict[str, DatasetSpec] = {s.name: s for s in (
    DatasetSpec("circle", "Circle", "classification", 2, False),
    DatasetSpec("xor", "Exclusive or", "classification", 2, False),
    DatasetSpec("gaussian", "Gaussian", "classification", 2, False),
    DatasetSpec("spiral", "Spiral", "classification", 2, False),
    DatasetSpec("moons", "Moons", "classification", 2, False),
    DatasetSpec("blobs", "Blobs", "classification", DEFAULT_CLASSES, True),
    DatasetSpec("spiral_arms", "Spiral arms", "classification", DEFAULT_CLASSES, True),
    DatasetSpec("plane", "Plane", "regression", 0, False),
    DatasetSpec("multi_gaussian", "Multi Gaussian", "regression", 0, False),
)}
_GENERATORS.update({name: gen for name, (_, _, gen) in curves.GENERATORS.items()})
DATASETS.update({name: DatasetSpec(name, title, task, 2 if task == "classification" else 0, False)
                 for name, (title, task, _) in curves.GENERATORS.items()})


def is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_real(value) -> bool:
    return is_int(value) or isinstance(value, (float, np.floating))


def check_seed(seed) -> int:
    """The seed as an int; ValueError unless it is a non-negative integer."""
    if not is_int(seed) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def resolve_classes(name: str, n_classes: int | None) -> int:
    """The class count ``generate(name, n_classes=...)`` will produce (0 for regression)."""
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r} (choose from: {', '.join(DATASETS)})")
    spec = DATASETS[name]
    if n_classes is None:
        return spec.n_classes
    if not spec.multiclass:
        if is_int(n_classes) and n_classes == spec.n_classes:
            return spec.n_classes  # harmless: the set's own count
        raise ValueError(f"dataset {name!r} has a fixed number of classes; n_classes is only "
                         f"for {', '.join(n for n, s in DATASETS.items() if s.multiclass)}")
    if not is_int(n_classes) or not MIN_CLASSES <= n_classes <= MAX_CLASSES:
        raise ValueError(f"n_classes must be an integer in {MIN_CLASSES}..{MAX_CLASSES}, "
                         f"got {n_classes!r}")
    return int(n_classes)


def generate(name: str, n_points: int = 500, noise: float = 0.0, seed: int = 0,
             n_classes: int | None = None, formula: str | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
    """Draw dataset ``name`` from ``np.random.default_rng(seed)``, rows shuffled.

    Returns X (n_points, 2) float64 and y: (n_points,) int64 class indices for
    classification, (n_points, 1) float64 targets for regression. ``formula``: the curve of
    "curve_formula" (None: ``curves.DEFAULT_FORMULA``), ignored by the others.
    """
    classes = resolve_classes(name, n_classes)
    if not is_int(n_points) or not 1 <= n_points <= MAX_POINTS:
        raise ValueError(f"n_points must be an integer in 1..{MAX_POINTS}, got {n_points!r}")
    if not is_real(noise) or not (math.isfinite(noise) and 0.0 <= noise <= 1.0):
        raise ValueError(f"noise must be a number in [0, 1], got {noise!r}")
    noise = float(noise)
    rng = np.random.default_rng(check_seed(seed))
    generator = _GENERATORS[name]
    n_points = int(n_points)
    if DATASETS[name].multiclass:
        X, y = generator(n_points, noise, rng, n_classes=classes)
    elif name in curves.FORMULA_SETS:
        X, y = generator(n_points, noise, rng, formula=formula)
    else:
        X, y = generator(n_points, noise, rng)
    order = rng.permutation(n_points)
    X = np.ascontiguousarray(X[order], dtype=np.float64)
    dtype = np.int64 if DATASETS[name].task == "classification" else np.float64
    return X, np.ascontiguousarray(y[order], dtype=dtype)


# --- train/test split --------------------------------------------------------------------

TASKS = ("classification", "regression")
#: where a Data came from: a generator, points drawn in the window, or a file (CSV, bundled)
ORIGINS = ("generated", "drawn", "file")


@dataclass(frozen=True, eq=False)
class Data:
    """Raw inputs and targets split into train and test (arrays read-only)."""

    X_train: np.ndarray  # (n_train, d) float64, raw inputs (before feature transforms)
    y_train: np.ndarray  # classification: (n_train,) int64; regression: (n_train, k) float64
    X_test: np.ndarray   # (n_test, d); n_test may be 0
    y_test: np.ndarray   # (n_test,) or (n_test, k)
    task: str            # "classification" | "regression"
    input_names: tuple[str, ...]   # d names, e.g. ("x1", "x2")
    target_names: tuple[str, ...]  # class names (classification) or k target names
    name: str = "custom"
    # "file" data is scaled and split 80/20 by class by default; the others keep TF's ways
    origin: str = "drawn"

    def __post_init__(self):
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {self.task!r}")
        if self.origin not in ORIGINS:
            raise ValueError(f"origin must be one of {ORIGINS}, got {self.origin!r}")
        d, k = len(self.input_names), len(self.target_names)
        for X, y in ((self.X_train, self.y_train), (self.X_test, self.y_test)):
            if X.ndim != 2 or X.shape[1] != d or len(y) != len(X):
                raise ValueError(f"X {X.shape} and y {y.shape} do not fit {d} inputs")
            if self.task == "regression" and (y.ndim != 2 or y.shape[1] != k):
                raise ValueError(f"regression y must be (n, {k}), got {y.shape}")
            if self.task == "classification" and (y.ndim != 1 or (y.size and (
                    y.min() < 0 or y.max() >= k))):
                raise ValueError(f"classification y must be (n,) indices into {k} class names")

    @property
    def n_classes(self) -> int:
        """Number of classes; 0 for regression."""
        return len(self.target_names) if self.task == "classification" else 0

    @property
    def n_outputs(self) -> int:
        """Classes for classification, targets for regression."""
        return len(self.target_names)


def readonly(a: np.ndarray, dtype) -> np.ndarray:
    """A read-only copy of ``a`` as ``dtype``."""
    out = np.array(a, dtype=dtype, copy=True)
    out.flags.writeable = False
    return out


def split(X, y, train_ratio: float, seed: int, *, task: str, input_names, target_names,
          name: str = "custom", origin: str = "drawn") -> Data:
    """Split X (n, d) and y (n,) | (n, k) into a Data; both parts keep the original row order.

    n_train = round(train_ratio * n) clamped to [1, n]; which rows train is a seeded random
    choice. train_ratio 1.0 gives every row in order and an empty test set.
    """
    if not is_real(train_ratio) or not 0.0 < train_ratio <= 1.0:
        raise ValueError(f"train_ratio must be in (0, 1], got {train_ratio!r}")
    X = np.asarray(X, dtype=np.float64)
    y_dtype = np.int64 if task == "classification" else np.float64
    y = np.asarray(y, dtype=y_dtype)
    y = y[:, None] if task == "regression" and y.ndim == 1 else y
    if X.ndim != 2 or len(X) < 1 or len(y) != len(X):
        raise ValueError(f"need X (n, d) with n >= 1 and y with n rows, got {X.shape}, {y.shape}")
    n = len(X)
    n_train = min(max(round(float(train_ratio) * n), 1), n)
    # Salted so the split is not drawn from the same stream generate(seed) used for points.
    rng = np.random.default_rng([check_seed(seed), 0x5B117])
    train = np.zeros(n, dtype=bool)
    train[rng.choice(n, size=n_train, replace=False)] = True
    return Data(readonly(X[train], np.float64), readonly(y[train], y_dtype),
                readonly(X[~train], np.float64), readonly(y[~train], y_dtype),
                task=task, input_names=tuple(input_names), target_names=tuple(target_names),
                name=name, origin=origin)


def make_data(name: str, n_points: int = 500, noise: float = 0.0, train_ratio: float = 0.5,
              seed: int = 0, n_classes: int | None = None, formula: str | None = None) -> Data:
    """``generate`` then ``split`` with the same seed; inputs named x1, x2.

    Class names are "0".."C-1"; the regression target is named "y".
    """
    X, y = generate(name, n_points, noise, seed, n_classes, formula)
    spec = DATASETS[name]
    classes = resolve_classes(name, n_classes)
    targets = tuple(str(k) for k in range(classes)) if classes else ("y",)
    return split(X, y, train_ratio, seed, task=spec.task, input_names=("x1", "x2"),
                 target_names=targets, name=name, origin="generated")
