"""A snapshot's colours on the graph's items: edge pens (weight, gradient or update), bias
squares, neuron thumbnails, and the highlight that dims all but some edges.

Items are built once per architecture (NetworkView); this only restyles them. Edges take one
of a fixed set of cached pens and only edges whose pen changed are touched: building a QPen
per edge per frame is what makes large graphs slow. Likewise a thumbnail whose grid did not
change (the input column while training, a dead unit) keeps its image and is not repainted.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtGui import QImage

from gui.plots import palette
from gui.graph.colors import (N_COLOR_BINS, N_WIDTH_BINS, PenCache, edge_strength, lut_index,
                              pen_keys, rgba, thumbnail_values)

DIM = 0.12  # opacity of the edges a highlight leaves out


class GraphStyle:
    def __init__(self):
        self.pens = PenCache()
        self.reset(0, 0)

    def reset(self, n_edges: int, n_biases: int) -> None:
        """New items (a new architecture): every pen and brush is set again."""
        self.edge_keys = np.full(n_edges, -1, dtype=np.intp)
        self.bias_bins = np.full(n_biases, -1, dtype=np.intp)
        self.buffers: list[np.ndarray] = []  # pixels behind the thumbnails' QImages
        self.grids: list = []  # per column: (how it is coloured, the grids drawn)
        self.images_set = 0  # thumbnails given a new image (counted for the tests)

    def restyle(self, view, weights, biases, mode: str) -> None:
        """Pens of ``view._edges`` for ``weights`` (per layer) in ``mode``, brushes of its
        bias squares for ``biases``."""
        t, m = edge_strength(np.concatenate([np.ravel(w) for w in weights]), mode)
        keys = pen_keys(t, m)
        old = self.edge_keys
        pens, edges, key_list = self.pens.pens, view._edges, keys.tolist()
        for k in np.flatnonzero(keys != old).tolist():
            edges[k].setPen(pens[key_list[k]])
        wbin = np.where(keys >= 0, keys % N_WIDTH_BINS, -1)
        z_list = (wbin / N_WIDTH_BINS).tolist()
        for k in np.flatnonzero(wbin != np.where(old >= 0, old % N_WIDTH_BINS, -1)).tolist():
            edges[k].setZValue(z_list[k])  # strong edges on top
        self.edge_keys = keys
        for item in view._hovered:
            if item.kind == "edge":
                self.restyle_edge(view, item)
        tb, _ = edge_strength(np.concatenate([np.ravel(b) for b in biases]), mode)
        bins = lut_index(tb, N_COLOR_BINS)
        flat = [b for layer in view._biases for b in layer]
        brushes, bin_list = self.pens.brushes, bins.tolist()
        for k in np.flatnonzero(bins != self.bias_bins).tolist():
            flat[k].setBrush(brushes[bin_list[k]])
        self.bias_bins = bins

    def restyle_edge(self, view, edge) -> None:
        """One edge's pen again (drawn darker and wider while hovered)."""
        k = view._edge_index(edge.layer, edge.i, edge.j)
        if k is not None and k < len(self.edge_keys) and self.edge_keys[k] >= 0:
            edge.style(self.pens[int(self.edge_keys[k])])

    def thumbnails(self, view, snap) -> None:
        """Each neuron's output over the input plane as its thumbnail (none without grids)."""
        grids = snap.neuron_grids
        if grids is None:
            return
        buffers, drawn = [], []
        for c, grid in enumerate(grids):
            act = None if c == 0 else snap.activations[c - 1]
            ramps = c == len(grids) - 1 and palette.uses_class_ramps(snap.task, len(grid))
            old = self.grids[c] if c < len(self.grids) else None
            drawn.append(((act, ramps), grid))
            if old is not None and old[0] == (act, ramps) and old[1].shape == grid.shape:
                same = (old[1] == grid).reshape(len(grid), -1).all(axis=1)
                if same.all() and all(n.image is not None for n in view._neurons[c]):
                    # e.g. the inputs while training: nothing to colour, nothing to paint
                    buffers.append(self.buffers[c])
                    continue
            else:
                same = np.zeros(len(grid), dtype=bool)
            # rows of the grid are x2 increasing; image rows go down, so flip for x2 up
            if ramps:
                buf = palette.class_ramps_rgba(grid[:, ::-1])  # p(k): class k's own ramp
            else:
                buf = rgba(thumbnail_values(grid[:, ::-1], act))
            buffers.append(buf)
            h, w = buf.shape[1], buf.shape[2]
            for u, item in enumerate(view._neurons[c]):
                image = QImage(buf[u].data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
                if same[u] and item.image is not None:
                    # the same pixels (same grid, same colouring) in the new buffer: no repaint
                    item.set_image(image, repaint=False)
                    continue
                item.set_image(image)
                self.images_set += 1
        self.buffers, self.grids = buffers, drawn  # old buffers die only now

    @staticmethod
    def highlight(view, edges: dict | None) -> None:
        """Dim every edge and bias but ``edges[(layer, i, j)]`` (i = -1: a bias), shown in
        proportion to their value in [0, 1]; None: nothing dimmed."""
        biases = [b for layer in view._biases for b in layer]
        dim = 1.0 if edges is None else DIM
        for item in view._edges + biases:
            item.setOpacity(dim)
        for (l, i, j), v in (edges or {}).items():
            item = view._bias_item(l, j) if i == -1 else view._edge_item(l, i, j)
            if item is not None:
                v = float(v) if math.isfinite(v) else 0.0
                item.setOpacity(dim + (1.0 - dim) * min(1.0, max(0.0, v)))
