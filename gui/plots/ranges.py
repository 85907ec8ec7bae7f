"""Plot ranges, ticks and read-outs that stay legible whatever the numbers do.

- A non-finite value never sets a range, and one exploding value (a loss of 6e286 just before a
  NaN) does not flatten the whole history: values far above their own curve's usual level are
  drawn at that level and marked (see ``value_range``).
- Log axes get a few readable ticks: decades, thinned to at most ``MAX_TICKS`` labels.
- Read-outs print large and small numbers briefly (6.7e9, 3.2e−5) and "diverged" for a NaN.

Pure functions on numbers: the plots (loss plot, health view) call them.
"""
from __future__ import annotations

import math

import numpy as np

#: a value more than this many times the curve's usual level is "exploding": clipped
CLIP_FACTOR = 10.0
#: the usual level: this quantile of the values, or the largest of the first few values
USUAL_QUANTILE = 0.75
START_VALUES = 5
MAX_TICKS = 5
LOG_FLOOR = 1e-12  # log scale: 0 is drawn here instead of at −inf
MINUS = "\u2212"


def format_value(x: float, *, diverged: bool = False) -> str:
    """A read-out: "0.6931", "123.4", "6.7e9", "3.2e−5"; "diverged" for a non-finite value
    (or whenever ``diverged``), "–" for a missing one (NaN that is not a divergence)."""
    if diverged:
        return "diverged"
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    x = float(x)
    if not math.isfinite(x):
        return "diverged"
    a = abs(x)
    if a == 0:
        return "0"
    if 1e-3 <= a < 10:
        text = f"{x:.4f}"
    elif 10 <= a < 1e4:
        text = f"{x:.1f}"
    else:
        mantissa, exponent = f"{x:.1e}".split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", MINUS)


def format_percent(x: float) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{100 * x:.1f}%"


def tick_label(value: float) -> str:
    """A short axis label: 0.01, 1, 100, 1e4, 1e−5."""
    if value == 0:
        return "0"
    e = math.log10(abs(value))
    if -3 <= e < 4:
        return f"{value:g}".replace("-", MINUS)
    mantissa = value / 10 ** math.floor(e)
    m = f"{mantissa:g}"
    return (f"{m}e{math.floor(e)}" if m != "1" else f"1e{math.floor(e)}").replace("-", MINUS)


def log_ticks(lo: float, hi: float, max_ticks: int = MAX_TICKS) -> list:
    """Ticks for a log axis shown from 10**lo to 10**hi (lo, hi in log10 units), as
    pyqtgraph's setTicks wants them: [[(position, label), ...], []]. Decades, thinned to at
    most ``max_ticks`` labels; on a short axis (under one decade) 1, 2 and 5 times a decade."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [[], []]
    first, last = math.ceil(lo), math.floor(hi)
    decades = list(range(first, last + 1))
    if len(decades) >= 2:
        step = max(1, math.ceil(len(decades) / max_ticks))
        return [[(float(e), tick_label(10.0 ** e)) for e in decades[::step]], []]
    ticks = []
    for e in range(math.floor(lo), math.ceil(hi) + 1):
        for m in (1, 2, 5):
            pos = e + math.log10(m)
            if lo <= pos <= hi:
                ticks.append((pos, tick_label(m * 10.0 ** e)))
    return [ticks[:: max(1, math.ceil(len(ticks) / max_ticks))], []]


def clip_level(values: np.ndarray) -> float:
    """The value above which points count as exploding (inf when there is no finite value)."""
    v = np.asarray(values, dtype=float)
    finite = v[np.isfinite(v)]
    if not len(finite):
        return math.inf
    usual = max(float(np.quantile(np.abs(finite), USUAL_QUANTILE)),
                float(np.max(np.abs(finite[:START_VALUES]))))
    return CLIP_FACTOR * usual if usual > 0 else math.inf


def value_range(curves, log: bool) -> tuple[float, float, list[float]]:
    """(low, high, caps) for a y axis showing ``curves`` (a list of 1-D arrays). Each curve
    has its own clip level (``caps``, see ``clip_level``): its values above it are drawn at
    it, inside the range (see ``drawn``); non-finite values never widen the range. Log
    ranges are in log10 units; a linear range starts at 0 for non-negative data."""
    caps, shown, any_clipped = [], [], False
    for values in curves:
        v = np.asarray(values, dtype=float).ravel()
        cap = clip_level(v)
        clipped = ~np.isnan(v) & (v > cap)
        any_clipped |= bool(clipped.any())
        caps.append(cap)
        keep = v[np.isfinite(v) & ~clipped]
        shown.append(keep[keep > 0] if log else keep)
        if clipped.any():
            shown.append(np.array([cap]))
    shown = np.concatenate(shown) if shown else np.zeros(0)
    if log:
        if not len(shown):
            return math.log10(LOG_FLOOR), 0.0, caps
        lo, hi = math.log10(float(shown.min())), math.log10(float(shown.max()))
        pad = max(0.05 * (hi - lo), 0.05)
        return lo - pad, hi + pad, caps
    if not len(shown):
        return 0.0, 1.0, caps
    lo, hi = min(0.0, float(shown.min())), float(shown.max())
    if hi <= lo:
        hi = lo + 1.0
    return lo, lo + (hi - lo) * 1.05, caps


def drawn(values: np.ndarray, cap: float, log: bool) -> tuple[np.ndarray, np.ndarray]:
    """(values as drawn, clipped mask): those above ``cap`` (or +inf) sit at ``cap``; on a log
    axis values ≤ 0 sit at LOG_FLOOR. NaN stays NaN (the caller leaves it out)."""
    v = np.asarray(values, dtype=float)
    clipped = ~np.isnan(v) & (v > cap)
    out = np.where(clipped, cap, v)
    if log:
        out = np.where(np.isnan(out), out, np.maximum(out, LOG_FLOOR))
    return out, clipped
