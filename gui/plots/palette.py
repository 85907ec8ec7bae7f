"""Colour maps for the output view and the dataset previews (numbers → uint8 RGB).

TF Playground's convention: orange is negative / class 0, blue is positive / class 1, white is
zero. Multi-class sets add more class colours; a pixel's colour is the class colours blended
by the predicted probabilities. Everything works on numpy arrays and returns uint8 images.
"""
from __future__ import annotations

import numpy as np

ORANGE = (245, 147, 34)  # #f59322
BLUE = (8, 119, 189)  # #0877bd
WHITE = (255, 255, 255)
MID = (232, 234, 235)  # the neutral middle of the diverging map
#: class k's colour; 0/1 are TF Playground's orange/blue so binary and multi-class agree
CLASS_COLORS = (ORANGE, BLUE, (44, 160, 44), (148, 103, 189), (214, 39, 40), (23, 190, 207))
#: how far the background is pulled towards white, so the data points stand out on it
BACKGROUND_LIGHTEN = 0.25


def class_color(k: int) -> tuple[int, int, int]:
    return CLASS_COLORS[int(k) % len(CLASS_COLORS)]


def _diverging_exact(t: np.ndarray) -> np.ndarray:
    t = t[..., None]
    mid = np.array(MID, dtype=float)
    neg, pos = np.array(ORANGE, dtype=float), np.array(BLUE, dtype=float)
    return np.where(t < 0, mid + (neg - mid) * -t, mid + (pos - mid) * t)


_LUT_SIZE = 511  # odd: the middle entry is exactly 0
_LUTS: dict[float, np.ndarray] = {}


def diverging(values: np.ndarray, lighten: float = 0.0) -> np.ndarray:
    """values (...) clipped to [-1, 1] → uint8 RGB (..., 3): -1 orange, 0 light grey, +1 blue.

    A lookup table per ``lighten``: one take() per frame instead of float arithmetic."""
    lut = _LUTS.get(lighten)
    if lut is None:
        lut = _LUTS[lighten] = _finish(_diverging_exact(np.linspace(-1.0, 1.0, _LUT_SIZE)),
                                       lighten)
    t = np.clip(np.nan_to_num(np.asarray(values, dtype=float)), -1.0, 1.0)
    index = np.rint((t + 1.0) * (0.5 * (_LUT_SIZE - 1))).astype(np.intp)
    return lut[index]


def blend_classes(probs: np.ndarray, lighten: float = 0.0) -> np.ndarray:
    """probs (k, ...) class probabilities → uint8 RGB (..., 3): Σ p_k·colour_k, faded towards
    the neutral colour where the prediction is unsure (max p near 1/k)."""
    probs = np.clip(np.nan_to_num(np.asarray(probs, dtype=float)), 0.0, 1.0)
    k = len(probs)
    colors = np.array([class_color(c) for c in range(k)], dtype=float)  # (k, 3)
    total = probs.sum(axis=0)
    p = probs / np.where(total > 0, total, 1.0)
    mix = np.tensordot(p, colors, axes=(0, 0))  # (..., 3)
    confidence = np.clip((p.max(axis=0) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)[..., None]
    rgb = np.array(MID, dtype=float) * (1.0 - confidence) + mix * confidence
    return _finish(rgb, lighten)


_RAMPS: dict[tuple[int, float], np.ndarray] = {}


def class_ramp(probs: np.ndarray, k: int, lighten: float = 0.0) -> np.ndarray:
    """p(class k) (...) in [0, 1] → uint8 RGB (..., 3): the neutral colour at 0, class k's
    own colour at 1, so the thumbnail of p(k) paints class k's region in class k's colour,
    as the legend says. (A binary output keeps the orange/blue diverging map: there class 0
    and class 1 are its two ends.)"""
    lut = _RAMPS.get((k, lighten))
    if lut is None:
        t = np.linspace(0.0, 1.0, _LUT_SIZE)[:, None]
        mid, color = np.array(MID, dtype=float), np.array(class_color(k), dtype=float)
        lut = _RAMPS[(k, lighten)] = _finish(mid + (color - mid) * t, lighten)
    t = np.clip(np.nan_to_num(np.asarray(probs, dtype=float)), 0.0, 1.0)
    return lut[np.rint(t * (_LUT_SIZE - 1)).astype(np.intp)]


def uses_class_ramps(task: str, n_outputs: int) -> bool:
    """Whether the output units are one class each (multi-class), coloured by class ramps."""
    return task == "classification" and n_outputs > 1


def class_ramps_rgba(grids: np.ndarray) -> np.ndarray:
    """The output column's grids (k, r, r) of class probabilities → uint8 RGBA (k, r, r, 4),
    unit k on class k's ramp: for the graph's p(k) thumbnails."""
    grids = np.asarray(grids)
    out = np.empty(grids.shape + (4,), dtype=np.uint8)
    out[..., 3] = 255
    for k in range(len(grids)):
        out[k, ..., :3] = class_ramp(grids[k], k)
    return out


def one_hot_argmax(probs: np.ndarray) -> np.ndarray:
    """probs (k, ...) → the same shape with 1 at the most likely class, 0 elsewhere."""
    return (probs == probs.max(axis=0, keepdims=True)).astype(float)


def _finish(rgb: np.ndarray, lighten: float) -> np.ndarray:
    if lighten:
        rgb = rgb + (np.array(WHITE, dtype=float) - rgb) * lighten
    return np.rint(rgb).astype(np.uint8)


def unit_values(grid: np.ndarray, activation: str | None) -> np.ndarray:
    """One unit's grid → values for the diverging map (clipped later to [-1, 1]).

    Inputs (activation None) are scaled by their largest |value|, sigmoid/softmax outputs
    0..1 become -1..1 so that 0.5 is neutral; others are shown as they are (TF clips them)."""
    if activation is None:
        peak = float(np.max(np.abs(grid), initial=0.0))
        return grid / peak if peak > 0 else grid
    if activation in ("sigmoid", "softmax"):
        return grid * 2.0 - 1.0
    return grid


_INTERP: dict[tuple[int, int], np.ndarray] = {}


def upsample(grid: np.ndarray, factor: int) -> np.ndarray:
    """Bilinear interpolation of the last two axes, (..., r, r) → (..., R, R) with
    R = (r − 1)·factor + 1: the samples keep their places, new ones lie between them."""
    r = grid.shape[-1]
    A = _INTERP.get((r, factor))
    if A is None:
        R = (r - 1) * factor + 1
        pos = np.arange(R) / factor
        lo = np.minimum(pos.astype(int), r - 2)
        frac = pos - lo
        A = np.zeros((R, r))
        A[np.arange(R), lo] = 1.0 - frac
        A[np.arange(R), lo + 1] = frac
        A = _INTERP[(r, factor)] = A
    return A @ grid @ A.T


#: a regression target's colour steps from -1 to 1 (33 colours). pyqtgraph renders one symbol
#: per distinct brush: 500 points of distinct colours took ~20 ms to set and draw, and the
#: frame that shows new data paid it twice (training and test points); 33 colours, 6.5 ms.
#: A step (1/16 of the range) is below what the eye tells apart on a dot of 7 pixels.
POINT_STEPS = 16


def point_colors(y: np.ndarray, task: str) -> np.ndarray:
    """Data targets → uint8 RGB (n, 3): classes by class colour, regression by value
    (rounded to 1/POINT_STEPS)."""
    y = np.asarray(y)
    if task == "classification":
        table = np.array(CLASS_COLORS, dtype=np.uint8)
        return table[y.astype(np.intp).ravel() % len(table)]
    t = np.clip(np.nan_to_num(np.asarray(y, dtype=float).reshape(len(y), -1)[:, 0]), -1.0, 1.0)
    return diverging(np.rint(t * POINT_STEPS) / POINT_STEPS)


def scatter_image(X: np.ndarray, y: np.ndarray, task: str, size: int = 56,
                  extent: float = 6.0) -> np.ndarray:
    """A size×size RGBA preview of the points (X (n, 2) within ±extent) for dataset icons."""
    img = np.zeros((size, size, 4), dtype=np.uint8)
    img[..., :3] = 250
    img[..., 3] = 255
    colors = point_colors(y, task)
    scale = (size - 3) / (2 * extent)
    cols = np.clip(np.rint((X[:, 0] + extent) * scale).astype(int), 0, size - 2)
    rows = np.clip(np.rint((extent - X[:, 1]) * scale).astype(int), 0, size - 2)  # x2 up
    for dr in (0, 1):
        for dc in (0, 1):
            img[rows + dr, cols + dc, :3] = colors
    img[[0, -1], :, :3] = 200  # a thin frame
    img[:, [0, -1], :3] = 200
    return img


# ----------------------------------------------------------------------------- series, surfaces
#: runs and paths told apart by colour (Tableau 10): legends name them, so the colour only
#: has to differ from its neighbours
SERIES_COLORS = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
                 (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207))
#: the loss landscape's colour map (pyqtgraph's name): perceptually uniform and readable with
#: colour-blindness; dark is a low loss, so valleys look like valleys
LANDSCAPE_MAP = "viridis"
#: what is drawn over the landscape: the live path (light over the dark valleys, dark outline)
PATH_COLOR = (255, 255, 255)
CURRENT_COLOR = (245, 147, 34)
#: other paths on the landscape (a lesson's), each over a dark outline: none is the live path's
#: white or the current point's orange
PATH_COLORS = ((214, 39, 40), (227, 119, 194), (23, 190, 207))
PATH_OUTLINE = (25, 25, 25)


def series_color(k: int) -> tuple[int, int, int]:
    return SERIES_COLORS[int(k) % len(SERIES_COLORS)]
