"""Greedy label placement without overlaps: the geometry, free of Qt.

Rectangles are (x0, y0, x1, y1) in scene pixels. A ``Placer`` holds what is taken (neurons,
bias squares, texts already placed) and the bounds labels must stay inside; ``place`` takes a
label's candidate rectangles in order of preference and keeps the first one that is inside and
covers nothing, or reports that there is none (the caller then drops the label and counts it
in a "+N more" hint). Labels placed earlier win: callers place the most important first.

The test is vectorised (numpy, candidates × obstacles at once): a lesson phase on the largest
network places a few hundred labels against a few hundred obstacles in milliseconds.
"""
from __future__ import annotations

import numpy as np

GAP = 1.0  # px kept free around every placed label, so that two never touch


class Placer:
    def __init__(self, bounds: tuple[float, float, float, float], gap: float = GAP):
        self.bounds = tuple(float(v) for v in bounds)
        self.gap = float(gap)
        self._rects = np.empty((64, 4))
        self._n = 0
        self.compared = 0  # taken rectangles tested against candidates (for tests)

    @property
    def taken(self) -> np.ndarray:
        """(n, 4) rectangles taken so far (a view: copy before keeping it)."""
        return self._rects[:self._n]

    def add(self, rect) -> None:
        """Mark ``rect`` as taken (an obstacle, or a label placed by other means)."""
        if self._n == len(self._rects):
            self._rects = np.concatenate([self._rects, np.empty_like(self._rects)])
        self._rects[self._n] = rect
        self._n += 1

    def add_many(self, rects) -> None:
        for r in np.asarray(rects, dtype=float).reshape(-1, 4):
            self.add(r)

    def fits(self, candidates, bounds=None) -> np.ndarray:
        """Bool per candidate (k, 4): inside the bounds (``bounds`` if given, else the
        placer's) and clear of everything taken."""
        c = np.asarray(candidates, dtype=float).reshape(-1, 4)
        x0, y0, x1, y1 = self.bounds if bounds is None else bounds
        inside = (c[:, 0] >= x0) & (c[:, 1] >= y0) & (c[:, 2] <= x1) & (c[:, 3] <= y1)
        if self._n == 0 or not inside.any():
            return inside
        t, g = self.taken, self.gap
        # Only the taken rectangles near the candidates' common box can touch one of them:
        # testing those alone (same answer) keeps a few hundred labels against a thousand
        # obstacles from costing candidates × obstacles each time (a point view's refresh).
        near = ~((c[:, 0].min() - g >= t[:, 2]) | (c[:, 2].max() + g <= t[:, 0]) |
                 (c[:, 1].min() - g >= t[:, 3]) | (c[:, 3].max() + g <= t[:, 1]))
        t = t[near]
        self.compared += len(t)
        # overlap of the candidate grown by the gap with a taken rectangle: both extents > 0
        apart = ((c[:, None, 0] - g >= t[None, :, 2]) | (c[:, None, 2] + g <= t[None, :, 0]) |
                 (c[:, None, 1] - g >= t[None, :, 3]) | (c[:, None, 3] + g <= t[None, :, 1]))
        return inside & apart.all(axis=1)

    def place(self, candidates, bounds=None) -> int | None:
        """Index of the first candidate that fits (now taken), or None."""
        ok = np.flatnonzero(self.fits(candidates, bounds))
        if not len(ok):
            return None
        k = int(ok[0])
        self.add(np.asarray(candidates, dtype=float).reshape(-1, 4)[k])
        return k


def boxes(points, w: float, h: float) -> np.ndarray:
    """Rectangles of size w × h centred on ``points`` (k, 2)."""
    p = np.asarray(points, dtype=float).reshape(-1, 2)
    half = np.array([w / 2, h / 2])
    return np.concatenate([p - half, p + half], axis=1)


def at(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
    """The w × h rectangle whose top-left corner is (x, y)."""
    return (x, y, x + w, y + h)


def clamp_into(rects, bounds, margin: float = 1.0) -> np.ndarray:
    """Rectangles shifted (not resized) to lie inside ``bounds`` where they fit: a label at the
    border moves in rather than being cut off."""
    r = np.array(rects, dtype=float).reshape(-1, 4)
    x0, y0, x1, y1 = bounds
    for lo, hi, a, b in ((x0, x1, 0, 2), (y0, y1, 1, 3)):
        shift = np.where(r[:, a] < lo + margin, lo + margin - r[:, a], 0.0)
        shift = np.where(r[:, b] + shift > hi - margin, hi - margin - r[:, b], shift)
        r[:, a] += shift
        r[:, b] += shift
    return r


def bezier(a, b, t) -> np.ndarray:
    """Points (k, 2) at parameters t of the graph's edge curve from a to b: a cubic whose
    control points leave both ends horizontally (as ``EdgeItem.set_ends`` draws it)."""
    t = np.asarray(t, dtype=float)[:, None]
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    dx = (b[0] - a[0]) * 0.5
    c1, c2 = a + (dx, 0.0), b - (dx, 0.0)
    u = 1.0 - t
    return u ** 3 * a + 3 * u * u * t * c1 + 3 * u * t * t * c2 + t ** 3 * b


def overlaps(rects) -> list[tuple[int, int]]:
    """Pairs (k, m), k < m, of rectangles that overlap with a positive area (for checks)."""
    r = np.asarray(rects, dtype=float).reshape(-1, 4)
    ix = np.minimum(r[:, None, 2], r[None, :, 2]) - np.maximum(r[:, None, 0], r[None, :, 0])
    iy = np.minimum(r[:, None, 3], r[None, :, 3]) - np.maximum(r[:, None, 1], r[None, :, 1])
    hit = (ix > 0) & (iy > 0)
    return [(int(k), int(m)) for k, m in zip(*np.nonzero(np.triu(hit, 1)))]
