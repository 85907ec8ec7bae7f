"""Data sets that show what a decision boundary is: points above or below a curve y = f(x₁).

Points are uniform in the [−6, 6]² plane, except in a band of half-width ``margin`` around the
curve, which stays empty so that the boundary is visible with no noise. The band is measured
perpendicular to the curve to first order: |x₂ − f(x₁)| / √(1 + f′(x₁)²), so a steep part of
the curve gets a band as wide as a flat one. Class 1 is above the curve, class 0 below. As in
TF Playground's generators the stored point is the clean one while its label is taken at a
point moved by noise (up to ±``NOISE_SHIFT``·noise in each coordinate), so noise flips labels
near the curve. Where f is undefined (NaN, e.g. the log of a negative number) no point is
above it.

The curves, each scaled to the plane: y = 3·sin(πx/3) (sin x, two periods across the plane),
y = 4·(u³ − u) with u = x/4.5 (x³ − x, reaching ±4.15 at the edges), y = |x| − 3 (|x|, its corner
at (0, −3)), and a user's formula (``formula.py``), taken as it is in plane units.
Also a regression set, "sine wave": target sin(x₁)·cos(x₂).

Every generator has ``datasets.py``'s signature ``(n_points, noise, rng) -> (X, y)`` (the
formula set takes ``formula=`` too) and draws only from ``rng``: seeded and deterministic.
"""
from __future__ import annotations

import math

import numpy as np

from model.data.formula import Formula, FormulaError, parse_formula

PLANE = 6.0
MARGIN = 0.3  # half-width of the empty band around the curve, in plane units
NOISE_SHIFT = 3.0  # noise 1 moves the point where the label is taken by up to ±3
SINE_WAVE_SHIFT = 1.5  # the same for the sine wave (a quarter period)
DEFAULT_FORMULA = "x^2/3 - 2"
_MAX_ROUNDS = 50


def sine_curve(x):
    """sin x, two periods across [−6, 6], amplitude 3."""
    return 3.0 * np.sin(x * (math.pi / 3.0))


def cubic_curve(x):
    """x³ − x on u = x/4.5 ∈ [−4/3, 4/3], scaled by 4: wiggles of ±1.54, ±4.15 at the edges."""
    u = x / 4.5
    return 4.0 * (u * u * u - u)


def abs_curve(x):
    """|x| − 3: a V with its corner at (0, −3), reaching 3 at x = ±6."""
    return np.abs(x) - 3.0


def distance_to_curve(f, X: np.ndarray) -> np.ndarray:
    """First-order perpendicular distance of each point (n, 2) to y = f(x); inf where f or its
    slope is not finite."""
    x, y = X[:, 0], X[:, 1]
    h = 1e-4
    with np.errstate(all="ignore"):
        fx = f(x)
        slope = (f(x + h) - f(x - h)) / (2 * h)
        d = np.abs(y - fx) / np.sqrt(1.0 + slope * slope)
    return np.where(np.isfinite(d), d, np.inf)


def above_below(f, n_points: int, noise: float, rng: np.random.Generator,
                margin: float = MARGIN):
    """X (n, 2) uniform in the plane outside the band of half-width ``margin`` around y = f(x),
    y (n,) int64: 1 above the curve, 0 below, taken at the point moved by noise.

    Rejection sampling, at most 50 rounds; if a curve leaves almost no room outside its band
    (a wild formula), the rest of the points are taken from inside it."""
    kept, rejected, have = [], None, 0
    for _ in range(_MAX_ROUNDS):
        if have >= n_points:
            break
        candidates = rng.uniform(-PLANE, PLANE, (max(2 * (n_points - have), 256), 2))
        outside = distance_to_curve(f, candidates) >= margin
        kept.append(candidates[outside])
        rejected = candidates[~outside]
        have += int(outside.sum())
    X = np.concatenate(kept)
    if len(X) < n_points:
        X = np.concatenate([X, rejected])  # each round draws twice the shortfall: enough
    X = X[:n_points]
    moved = X + rng.uniform(-1.0, 1.0, X.shape) * (NOISE_SHIFT * noise)
    with np.errstate(invalid="ignore"):
        y = (moved[:, 1] > f(moved[:, 0])).astype(np.int64)
    return X, y


def curve_sin(n_points: int, noise: float, rng: np.random.Generator):
    return above_below(sine_curve, n_points, noise, rng)


def curve_cubic(n_points: int, noise: float, rng: np.random.Generator):
    return above_below(cubic_curve, n_points, noise, rng)


def curve_abs(n_points: int, noise: float, rng: np.random.Generator):
    return above_below(abs_curve, n_points, noise, rng)


def curve_formula(n_points: int, noise: float, rng: np.random.Generator,
                  formula: str | None = None):
    return above_below(check_formula(formula or DEFAULT_FORMULA), n_points, noise, rng)


def check_formula(text) -> Formula:
    """The parsed formula, if it is finite somewhere on the plane; FormulaError otherwise."""
    f = parse_formula(text)
    x = np.linspace(-PLANE, PLANE, 241)
    values = np.broadcast_to(f(x), x.shape)
    if not np.any(np.isfinite(values)):
        raise FormulaError("formula: y is not a finite number anywhere in −6 ≤ x ≤ 6")
    return f


def sine_wave(n_points: int, noise: float, rng: np.random.Generator):
    """Regression: target sin(x₁)·cos(x₂) at the point moved by noise; y (n, 1) in [−1, 1]."""
    X = rng.uniform(-PLANE, PLANE, (n_points, 2))
    moved = X + rng.uniform(-1.0, 1.0, X.shape) * (SINE_WAVE_SHIFT * noise)
    return X, (np.sin(moved[:, 0]) * np.cos(moved[:, 1]))[:, None]


#: name → (title, task, generator), in the order the data panel lists them
GENERATORS = {
    "curve_sin": ("Above/below y = sin x", "classification", curve_sin),
    "curve_cubic": ("Above/below y = x³ − x", "classification", curve_cubic),
    "curve_abs": ("Above/below y = |x|", "classification", curve_abs),
    "curve_formula": ("Above/below your formula", "classification", curve_formula),
    "sine_wave": ("Sine wave", "regression", sine_wave),
}
#: the sets that take ``formula=``
FORMULA_SETS = frozenset({"curve_formula"})
