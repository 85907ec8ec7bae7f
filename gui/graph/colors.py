"""Numbers to colours for the network graph: TF Playground's diverging orange/white/blue map.

Negative values are orange, zero is (nearly) white, positive values are blue; everything is
clipped to fixed symmetric limits so a colour means the same value in every frame.
Edges are drawn with a small set of cached pens (colour bin × width bin) because building a
QPen per edge per frame is what makes large graphs slow.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen

ORANGE = (245, 147, 34)  # TF Playground's #f59322 (negative)
WHITE = (232, 234, 235)  # #e8eaeb (zero)
BLUE = (8, 119, 189)  # #0877bd (positive)
EDGE_MID = (205, 208, 212)  # zero for edges: a light grey that stays visible on white

N_COLOR_BINS = 33  # odd, so that bin 16 is exactly zero
N_WIDTH_BINS = 12
MIN_WIDTH, MAX_WIDTH = 0.5, 6.0  # px
WEIGHT_FULL_WIDTH = 3.0  # |w| at and above which an edge is drawn at MAX_WIDTH
LOG_RANGE = (-6.0, 0.0)  # log10|g| mapped to 0..1 in the gradient/update modes


def diverging_lut(n: int = 256, neg=ORANGE, mid=WHITE, pos=BLUE) -> np.ndarray:
    """(n, 4) uint8 RGBA table: entry 0 is -1 (neg), the middle 0 (mid), entry n-1 is +1."""
    t = np.linspace(-1.0, 1.0, n)[:, None]
    neg, mid, pos = (np.array(c, dtype=float) for c in (neg, mid, pos))
    rgb = np.where(t < 0, mid + (neg - mid) * -t, mid + (pos - mid) * t)
    lut = np.empty((n, 4), dtype=np.uint8)
    lut[:, :3] = np.rint(rgb)
    lut[:, 3] = 255
    return lut


NEURON_LUT = diverging_lut()
EDGE_LUT = diverging_lut(N_COLOR_BINS, mid=EDGE_MID)


def lut_index(values: np.ndarray, n: int) -> np.ndarray:
    """Indices into an n-entry diverging table for values clipped to [-1, 1]; NaN → middle."""
    half = 0.5 * (n - 1)
    # float32 is plenty for 256 bins and halves the memory traffic on thumbnails
    # values far outside [-1, 1] (weights just before a divergence) overflow float32: that
    # is fine, they are clipped to the ends of the table right after
    with np.errstate(over="ignore", invalid="ignore"):
        t = np.multiply(values, half, dtype=np.float32 if n <= 256 else np.float64)
    t += half + 0.5  # truncation below then rounds
    np.clip(t, 0.0, n - 0.5, out=t)
    if not np.isfinite(t.sum()):  # cheaper than isnan() on the common, finite path
        t[np.isnan(t)] = half + 0.5
    return t.astype(np.uint8 if n <= 256 else np.intp)


def rgba(values: np.ndarray, lut: np.ndarray = NEURON_LUT) -> np.ndarray:
    """values (...) in [-1, 1] → uint8 RGBA (..., 4), C-contiguous."""
    # One 32-bit lookup per value is several times faster than indexing (n, 4) rows.
    lut32 = np.ascontiguousarray(lut).view(np.uint32).ravel()
    idx = lut_index(values, len(lut))
    return lut32.take(idx).view(np.uint8).reshape(*idx.shape, 4)


def thumbnail_values(grid: np.ndarray, activation: str | None) -> np.ndarray:
    """A column's grids (units, r, r) → values to colour in [-1, 1] (before clipping).

    Inputs (activation None) are scaled per unit by their largest |value| so x₁ shows as a
    gradient rather than a saturated step; sigmoid/softmax outputs 0..1 map to -1..1 so 0.5 is
    white; other activations are used as they are (clipped later)."""
    if activation is None:
        peak = np.abs(grid).reshape(len(grid), -1).max(axis=1, initial=0.0)
        return grid / np.where(peak > 0, peak, 1.0)[:, None, None]
    if activation in ("sigmoid", "softmax"):
        return grid * 2.0 - 1.0
    return grid


def edge_strength(values: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """(signed colour position t in [-1, 1], width fraction in [0, 1]) per edge.

    weights: t = clip(w, ±1), m = |w| / WEIGHT_FULL_WIDTH.
    gradients/updates: m = log10|g| over LOG_RANGE, t = sign(-g)·m, so the colour says which way
    the weight is being pushed (for Δw, the update already carries its sign: t = sign(Δw)·m);
    width m²."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0, posinf=1e300, neginf=-1e300)
    if mode == "weights":
        return np.clip(v, -1.0, 1.0), np.clip(np.abs(v) / WEIGHT_FULL_WIDTH, 0.0, 1.0)
    lo, hi = LOG_RANGE
    with np.errstate(divide="ignore"):
        mag = np.log10(np.abs(v))
    m = np.clip((mag - lo) / (hi - lo), 0.0, 1.0)
    direction = -np.sign(v) if mode == "gradients" else np.sign(v)
    # Width grows with m²: most gradients sit in the upper half of the log range, and a
    # linear width would draw them all fat; the square keeps the biggest ones standing out.
    return direction * m, m * m


def pen_keys(t: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Cache keys colour_bin · N_WIDTH_BINS + width_bin for PenCache."""
    cbin = lut_index(t, N_COLOR_BINS).astype(np.intp)
    wbin = np.rint(np.clip(m, 0.0, 1.0) * (N_WIDTH_BINS - 1)).astype(np.intp)
    return cbin * N_WIDTH_BINS + wbin


class PenCache:
    """Every cosmetic pen the edges can have, built once: pens[key] for key from pen_keys;
    brushes[colour bin] for the bias markers."""

    def __init__(self):
        self.pens: list[QPen] = []
        # bias markers: same bins, but white at zero like the thumbnails
        self.brushes = [QBrush(QColor(*(int(c) for c in rgb[:3])))
                        for rgb in diverging_lut(N_COLOR_BINS)]
        for cbin in range(N_COLOR_BINS):
            r, g, b, _ = (int(c) for c in EDGE_LUT[cbin])
            for wbin in range(N_WIDTH_BINS):
                width = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * wbin / (N_WIDTH_BINS - 1)
                pen = QPen(QColor(r, g, b), width)  # opaque: blending doubles paint time
                pen.setCosmetic(True)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                self.pens.append(pen)

    def __getitem__(self, key: int) -> QPen:
        return self.pens[key]
