"""Numbers over the graph (a lesson phase's z, a, δ, weights, gradients, Δw; one data point's
activations and pulls), placed so that no two cover each other, a neuron, a bias square or a
title, and none is cut off at the border.

``NetworkView.set_annotations`` hands the texts to an ``AnnotationLayer``; the view's layout
calls ``place`` with a ``Placer`` that already holds the obstacles. Labels are placed greedily
in order of importance (the active column's neurons, then the edges in the order given —
callers pass the largest magnitudes first — then the other neurons); a label with no free
spot is hidden and counted in a "+N more" hint under its column. Every value stays in the
items' tooltips (``note_for``) and in the owning dock's table.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

from gui.graph.placement import Placer, at, bezier, boxes, clamp_into

NOTE_FILL = QColor(255, 255, 255, 235)
NOTE_BORDER = QColor(196, 200, 206)
NOTE_TEXT = QColor(35, 38, 42)
HINT_FILL = QColor(240, 242, 245, 235)
HINT_TEXT = QColor(90, 95, 102)
ACTIVE_FILL = QColor(255, 236, 170, 120)
ACTIVE_BORDER = QColor(226, 176, 60)
PAD_X, PAD_Y = 6.0, 2.0  # a label's box around its text
#: where along an edge its label is tried, around its first guess (parameters of the curve)
EDGE_SHIFTS = (0.0, -0.07, 0.07, -0.14, 0.14, -0.21, 0.21, -0.28, 0.28, -0.35, 0.35)
HINT_TIP = ("{n} more value{s} here had no room on the graph: hover a neuron or an edge to "
            "read it, see the dock's table, or zoom in (Ctrl + wheel, Ctrl + =)")


def _cosmetic(color: QColor, width: float) -> QPen:
    pen = QPen(color, width)
    pen.setCosmetic(True)
    return pen


@dataclass
class Geometry:
    """Where things are, in scene pixels, for one layout: neuron squares per column (n_c, 4),
    bias squares per layer (the neurons of column l + 1), the bounds, and the band at the
    bottom kept free for the "+N more" hints."""

    neurons: list[np.ndarray]
    biases: list[np.ndarray]
    column_x: list[float]
    bounds: tuple[float, float, float, float]
    hint_top: float
    curve_points: dict = field(default_factory=dict)  # edge key → points tried for its label


class NoteItem(QGraphicsItem):
    """A small boxed text (one or two lines) drawn over the graph."""

    def __init__(self, font: QFont, z: float, hint: bool = False):
        super().__init__()
        self.font, self.hint = font, hint
        self.text = ""
        self._rect = QRectF()
        self.setZValue(z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks go to what is below

    def set_text(self, text: str) -> None:
        if text == self.text:
            return
        self.prepareGeometryChange()
        self.text = text
        w, h = text_size(self.font, text)
        self._rect = QRectF(0, 0, w, h)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter, option, widget=None):
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(HINT_FILL if self.hint else NOTE_FILL)
        painter.setPen(_cosmetic(NOTE_BORDER, 1.0))
        painter.drawRoundedRect(self._rect.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
        painter.setFont(self.font)
        painter.setPen(HINT_TEXT if self.hint else NOTE_TEXT)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


_SIZES: dict[tuple[str, str], tuple[float, float]] = {}


def text_size(font: QFont, text: str) -> tuple[float, float]:
    """The box a NoteItem draws around ``text`` (lines split at "\\n")."""
    key = (font.key(), text)
    size = _SIZES.get(key)
    if size is None:
        if len(_SIZES) > 5000:  # the data point view makes new numbers 4 times a second
            _SIZES.clear()
        r = QFontMetricsF(font).boundingRect(QRectF(0, 0, 4000, 4000),
                                             int(Qt.AlignmentFlag.AlignLeft), text)
        size = _SIZES[key] = (float(np.ceil(r.width() + PAD_X)), float(np.ceil(r.height() + PAD_Y)))
    return size


def _two_lines(text: str) -> str | None:
    """"z=0.38 a=0.59" → "z=0.38\\na=0.59" (a narrower box for a crowded column)."""
    return text.replace(" ", "\n", 1) if " " in text.strip() else None


class AnnotationLayer:
    """Labels under neurons, on edges and beside biases, "+N more" hints, and a band behind
    the active column. Items are made when a label first appears and reused while it stays."""

    def __init__(self):
        self.set(None, None, None)
        self.forget()

    def forget(self) -> None:
        """The scene was cleared (its items are gone): start again with new ones."""
        self._items: dict[tuple, NoteItem] = {}
        self._band: QGraphicsRectItem | None = None
        self.hidden: list[tuple] = []  # keys of labels that had no room
        self.unhinted = 0  # hidden labels whose column hint had no room either
        self._memo = None  # (geometry, obstacles, [((key, box sizes), spot)]) of the last place

    def set(self, neurons: dict | None, edges: dict | None, active: int | None) -> None:
        """A label is a text, or a tuple of texts from the full one to the shortest (tried
        in turn when space is short, each also on two lines)."""
        self._variants: dict[tuple, tuple[str, ...]] = {}
        for kind, given in (("n", neurons), ("e", edges)):
            for k, t in (given or {}).items():
                if t is not None:
                    texts = (t,) if isinstance(t, str) else tuple(str(v) for v in t)
                    self._variants[(kind,) + tuple(int(v) for v in k)] = texts
        self.neurons = {k[1:]: v[0] for k, v in self._variants.items() if k[0] == "n"}
        self.edges = {k[1:]: v[0] for k, v in self._variants.items() if k[0] == "e"}
        self.active = None if active is None else int(active)

    def _tries(self, key) -> list[str]:
        out = []
        for text in self._variants.get(key, ()):
            for t in (text, _two_lines(text)):
                if t and t not in out:
                    out.append(t)
        return out

    def has_neuron_labels(self) -> bool:
        return bool(self.neurons)

    def any(self) -> bool:
        return bool(self.neurons or self.edges or self.active is not None)

    def note_for(self, kind: str, key: tuple) -> str | None:
        """The text a neuron (column, unit) or an edge/bias (layer, i, j) is labelled with."""
        return (self.neurons if kind == "neuron" else self.edges).get(tuple(key))

    # ------------------------------------------------------------------ placing
    def place(self, scene, placer: Placer, geo: Geometry, font: QFont, describe=None) -> None:
        """(Re)position every label for the layout ``geo``; ``placer`` holds the obstacles.
        ``describe(key)`` names what a label is on (its tooltip: the name and the full
        text, which a crowded graph may show shortened)."""
        ncols = len(geo.neurons)
        wanted = [(("n",) + k, t) for k, t in self.neurons.items()
                  if 0 <= k[0] < ncols and 0 <= k[1] < len(geo.neurons[k[0]])]
        edges = [(("e",) + k, t) for k, t in self.edges.items() if self._edge_exists(k, geo)]
        active = [kt for kt in wanted if kt[0][1] == self.active]
        rest = [kt for kt in wanted if kt[0][1] != self.active]
        order = active + (edges + rest if self.active is not None else rest + edges)
        keep = {key for key, _ in order}
        for key in [k for k in self._items if k not in keep and k[0] != "hint"]:
            scene.removeItem(self._items.pop(key))
        self.hidden = []
        x0, y0, x1, _ = geo.bounds
        label_bounds = (x0, y0, x1, geo.hint_top)  # the hint band stays free for the hints
        # A label's spot depends only on the layout, the obstacles, its own box sizes and
        # the labels placed before it. The one-data-point view and the lessons relabel a few
        # times a second with new numbers of mostly the same widths: the spots of the labels
        # up to the first whose sizes changed are the last call's (the same answer, without
        # searching ~2000 labels' spots on a big graph, ~150 ms on the GUI thread).
        memo = self._memo
        reuse = (memo is not None and memo[0] is geo and memo[1].shape == placer.taken.shape
                 and np.array_equal(memo[1], placer.taken))
        static, entries = placer.taken.copy(), []
        for n, (key, _) in enumerate(order):
            tries = self._tries(key)
            sizes = tuple(text_size(font, variant) for variant in tries)
            if reuse and n < len(memo[2]) and memo[2][n][0] == (key, sizes):
                found = memo[2][n][1]
                if found is not None:
                    placer.add(found[1])
            else:
                reuse = False
                found = self._search(key, sizes, geo, placer, label_bounds)
            entries.append(((key, sizes), found))
            spot = None if found is None else (tries[found[0]], found[1])
            item = self._items.get(key)
            if spot is None:
                if item is not None:
                    item.hide()
                self.hidden.append(key)
                continue
            if item is None:
                item = self._items[key] = NoteItem(font, 6.0 if key[0] == "n" else 4.0)
                scene.addItem(item)
            item.set_text(spot[0])
            item.setPos(spot[1][0], spot[1][1])
            full = self._variants[key][0]
            item.setToolTip(f"{describe(key)}: {full}" if describe is not None else full)
            item.show()
        self._memo = (geo, static, entries)
        self._place_hints(scene, placer, geo, font)
        self._place_band(scene, geo)

    def _search(self, key, sizes, geo: Geometry, placer: Placer, label_bounds):
        """(variant index, rectangle) of the first free spot of a label, now taken; or None.
        Every variant's spots in one go, the full text's first: the first free one wins."""
        spots, owner = [], []
        for v, (w, h) in enumerate(sizes):
            spots.append(self._neuron_spots(key[1:], w, h, geo) if key[0] == "n"
                         else self._edge_spots(key[1:], w, h, geo))
            owner += [v] * len(spots[-1])
        if not spots:
            return None
        cands = clamp_into(np.concatenate(spots), label_bounds)
        k = placer.place(cands, label_bounds)
        return None if k is None else (owner[k], cands[k])

    @staticmethod
    def _edge_exists(k, geo: Geometry) -> bool:
        l, i, j = k
        return (0 <= l < len(geo.neurons) - 1 and -1 <= i < len(geo.neurons[l])
                and 0 <= j < len(geo.neurons[l + 1]))

    @staticmethod
    def _neuron_spots(key, w, h, geo: Geometry) -> np.ndarray:
        c, u = key
        x0, y0, x1, y1 = geo.neurons[c][u]
        low = max(y1, geo.biases[c - 1][u][3]) if c > 0 else y1  # below the bias square too
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        return np.array([at(cx - w / 2, low + 2, w, h),  # under the neuron, as in the tutorials
                         at(cx - w / 2, y0 - h - 2, w, h),  # above it
                         at(x0, low + 2, w, h), at(x1 - w, low + 2, w, h),
                         at(x1 + 3, cy - h / 2, w, h),  # right of it, among its edges
                         at(x0 - w - 3, y0, w, h)])  # left of it, clear of the bias square

    @staticmethod
    def _edge_spots(key, w, h, geo: Geometry) -> np.ndarray:
        l, i, j = key
        if i == -1:  # a bias: left of its square, then up or down the column
            bx0, by0, bx1, by1 = geo.biases[l][j]
            cy = (by0 + by1) / 2
            return np.array([at(bx0 - w - 2 - dx, cy - h / 2 + dy, w, h)
                             for dx in (0.0, w * 0.6) for dy in (0.0, h, -h, 2 * h, -2 * h)])
        p = geo.curve_points.get(key)
        if p is None:
            a, b = geo.neurons[l][i], geo.neurons[l + 1][j]
            n_out = len(geo.neurons[l + 1])
            # the first guess spreads the edges leaving one neuron along the curve, by target
            t0 = 0.3 + 0.4 * (j / (n_out - 1) if n_out > 1 else 0.5)
            t = np.clip(t0 + np.array(EDGE_SHIFTS), 0.08, 0.92)
            p = geo.curve_points[key] = bezier((a[2], (a[1] + a[3]) / 2),
                                               (b[0], (b[1] + b[3]) / 2), t)
        # on the curve, else just above or below it
        return boxes(np.concatenate([p, p - (0.0, 0.55 * h), p + (0.0, 0.55 * h)]), w, h)

    def _place_hints(self, scene, placer: Placer, geo: Geometry, font: QFont) -> None:
        per_column: dict[int, int] = {}
        for key in self.hidden:  # an edge's label belongs to the column it enters
            c = key[1] if key[0] == "n" else key[1] + 1
            per_column[c] = per_column.get(c, 0) + 1
        self.unhinted = 0
        for key in [k for k in self._items if k[0] == "hint" and k[1] not in per_column]:
            scene.removeItem(self._items.pop(key))
        for c, n in sorted(per_column.items()):
            placed = None
            for text in (f"+{n} more", f"+{n}"):
                w, h = text_size(font, text)
                cx, top = geo.column_x[c], geo.hint_top + 1
                cands = clamp_into([at(cx - w / 2 + dx, top, w, h)
                                    for dx in (0.0, -w / 2, w / 2, -w, w)], geo.bounds)
                k = placer.place(cands, geo.bounds)
                if k is not None:
                    placed = (text, cands[k])
                    break
            key = ("hint", c)
            item = self._items.get(key)
            if placed is None:
                self.unhinted += n
                if item is not None:
                    item.hide()
                continue
            if item is None:
                item = self._items[key] = NoteItem(font, 6.5, hint=True)
                scene.addItem(item)
            item.set_text(placed[0])
            item.setToolTip(HINT_TIP.format(n=n, s="" if n == 1 else "s"))
            item.setPos(placed[1][0], placed[1][1])
            item.show()

    def _place_band(self, scene, geo: Geometry) -> None:
        c = self.active
        if c is None or not 0 <= c < len(geo.neurons) or not len(geo.neurons[c]):
            if self._band is not None:
                self._band.hide()
            return
        if self._band is None:
            self._band = QGraphicsRectItem()
            self._band.setBrush(ACTIVE_FILL)
            self._band.setPen(_cosmetic(ACTIVE_BORDER, 1.0))
            self._band.setZValue(-1)
            self._band.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            scene.addItem(self._band)
        rects = [tuple(r) for r in geo.neurons[c]]
        rects += [tuple(geo.biases[c - 1][u]) for u in range(len(geo.neurons[c]))] if c else []
        rects += [(r.left(), r.top(), r.right(), r.bottom()) for r in
                  (it.sceneBoundingRect() for k, it in self._items.items()
                   if k[0] == "n" and k[1] == c and it.isVisible())]
        a = np.array(rects)
        x0, y0, x1, y1 = geo.bounds
        left, top = max(x0, a[:, 0].min() - 6), max(y0, a[:, 1].min() - 6)
        right, low = min(x1 - 1, a[:, 2].max() + 6), min(y1 - 1, a[:, 3].max() + 6)
        self._band.setRect(QRectF(left, top, right - left, low - top))
        self._band.show()

    # ------------------------------------------------------------------ reading back
    def items(self) -> dict:
        """The label items shown, by key (("n", column, unit), ("e", layer, i, j) or
        ("hint", column))."""
        return {k: it for k, it in self._items.items() if it.isVisible()}

    @property
    def band(self) -> QGraphicsRectItem | None:
        return self._band if self._band is not None and self._band.isVisible() else None
