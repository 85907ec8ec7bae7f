"""Contour lines of a grid as line segments, vectorised (marching squares), for a
``PlotCurveItem(connect="pairs")``.

pyqtgraph's ``IsocurveItem`` runs marching squares in Python on the GUI thread: 8 levels of a
41×41 grid took 24 ms there, once per refresh. This does the same in a few numpy calls, so the
landscape's worker computes the lines with the surface and the GUI thread only draws them.

Z is indexed [row, column] = [v index, u index], rows along ``vs`` and columns along ``us``.
Each cell crossed by a level gets one segment, or two where the level passes a saddle (the
cell's centre value, the mean of its corners, decides which corners are joined). Cells with a
NaN corner are skipped. Interpolation along an edge is linear, so a plane's contours are exact.
"""
from __future__ import annotations

import numpy as np


def contour_levels(lo: float, hi: float, n: int, log: bool) -> np.ndarray:
    """``n`` levels strictly between ``lo`` and ``hi``, evenly spaced (in log10 if ``log``;
    then lo and hi are loss values > 0)."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo or n < 1:
        return np.zeros(0)
    if log:
        return 10.0 ** np.linspace(np.log10(lo), np.log10(hi), n + 2)[1:-1]
    return np.linspace(lo, hi, n + 2)[1:-1]


def contour_segments(Z, us, vs, levels) -> tuple[np.ndarray, np.ndarray]:
    """(x, y): the end points of every segment of every level, in pairs (2·segments,)."""
    Z = np.asarray(Z, dtype=np.float64)
    us, vs = np.asarray(us, dtype=np.float64), np.asarray(vs, dtype=np.float64)
    if Z.ndim != 2 or Z.shape != (len(vs), len(us)) or min(Z.shape) < 2:
        raise ValueError(f"Z must be (len(vs), len(us)) with at least 2×2 points, got {Z.shape}")
    a, b = Z[:-1, :-1], Z[:-1, 1:]  # the cell's corners: a (u0, v0), b (u1, v0),
    c, d = Z[1:, 1:], Z[1:, :-1]  # c (u1, v1), d (u0, v1)
    finite = np.isfinite(a) & np.isfinite(b) & np.isfinite(c) & np.isfinite(d)
    u0, u1 = np.broadcast_to(us[:-1], a.shape), np.broadcast_to(us[1:], a.shape)
    v0, v1 = np.broadcast_to(vs[:-1, None], a.shape), np.broadcast_to(vs[1:, None], a.shape)
    levels = np.atleast_1d(np.asarray(levels, dtype=np.float64))
    if not len(levels):
        return np.zeros(0), np.zeros(0)
    level = levels[:, None, None]  # every level at once: arrays are (levels, rows, cols)
    shape = (len(levels),) + a.shape
    xs, ys = [], []
    with np.errstate(all="ignore"):
        # the cell's 4 edges, in order around it: bottom a–b, right b–c, top d–c, left a–d
        ends = ((a, b, u0, u1, v0, v0), (b, c, u1, u1, v0, v1),
                (d, c, u0, u1, v1, v1), (a, d, u0, u0, v0, v1))
        crossed, px, py = [], [], []
        for z0, z1, x0, x1, y0, y1 in ends:
            t = (level - z0) / (z1 - z0)
            crossed.append(((z0 > level) != (z1 > level)) & finite)
            px.append(x0 + t * (x1 - x0))
            py.append(y0 + t * (y1 - y0))
        crossed, px, py = np.stack(crossed), np.stack(px), np.stack(py)  # (4, L, rows, cols)
        count = crossed.sum(axis=0)
        # two crossings: one segment between them
        two = count == 2
        if two.any():
            first = np.argmax(crossed, axis=0)[None]
            last = 3 - np.argmax(crossed[::-1], axis=0)[None]
            ends_x = [np.take_along_axis(px, e, 0)[0][two] for e in (first, last)]
            ends_y = [np.take_along_axis(py, e, 0)[0][two] for e in (first, last)]
            xs.append(np.stack(ends_x, axis=1).ravel())
            ys.append(np.stack(ends_y, axis=1).ravel())
        # four crossings (a saddle): join the edges around the two corners cut off
        four = count == 4
        if four.any():
            centre_above = np.broadcast_to((a + b + c + d) / 4.0, shape)[four] > level.ravel()[
                np.nonzero(four)[0]]
            a_above = np.broadcast_to(a, shape)[four] > level.ravel()[np.nonzero(four)[0]]
            a_side = centre_above == a_above  # a joins the centre: cut b and d off
            pairs = np.where(a_side[:, None], [[0, 1, 2, 3]], [[3, 0, 1, 2]])
            cx, cy = px[:, four], py[:, four]  # (4, m)
            m = np.arange(cx.shape[1])
            order = pairs.T  # (4, m): edge indices, two segments of two ends each
            xs.append(cx[order, m].T.ravel())
            ys.append(cy[order, m].T.ravel())
    if not xs:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(xs), np.concatenate(ys)
