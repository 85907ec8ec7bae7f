"""Scene items of the network graph: neurons (thumbnail or disc), bias markers, edges, buttons;
the view they live in, and the texts (labels, tooltips) they show for a snapshot.

Items are created once per architecture and only restyled per snapshot. They do not emit
signals themselves; they report hovers and clicks to a handler (the NetworkView), which knows
the snapshot and owns the signals.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath,
                           QPainterPathStroker, QPen)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem, QGraphicsView

from model.data.features import input_label

BORDER = QColor(120, 124, 130)
DISC = QColor(218, 221, 225)
HOVER = QColor(40, 40, 40)
PICK_WIDTH = 7.0  # px around an edge that count as "on" it


def _cosmetic(color: QColor, width: float) -> QPen:
    pen = QPen(color, width)
    pen.setCosmetic(True)
    return pen


class _Reporting:
    """Hover and click reporting shared by the interactive items."""

    kind = "?"

    def _init_reporting(self, handler) -> None:
        self.handler = handler
        self.hovered = False
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)

    def hoverEnterEvent(self, event):
        self.hovered = True
        self.handler._on_item_hovered(self, True)
        self.update()

    def hoverLeaveEvent(self, event):
        self.hovered = False
        self.handler._on_item_hovered(self, False)
        self.update()

    def mousePressEvent(self, event):
        event.accept()  # become the mouse grabber so the release comes here

    def mouseReleaseEvent(self, event):
        if self.contains(event.pos()):
            self.handler._on_item_clicked(self)


class NeuronItem(_Reporting, QGraphicsItem):
    """A square thumbnail of the unit's output over the input plane, or a plain disc."""

    kind = "neuron"

    def __init__(self, column: int, unit: int, handler):
        super().__init__()
        self.column, self.unit = column, unit
        self.size = 30.0
        self.image = None  # QImage; its numpy buffer is kept alive by the view
        self._init_reporting(handler)
        self.setZValue(2)

    def set_size(self, size: float) -> None:
        self.prepareGeometryChange()
        self.size = size

    def set_image(self, image) -> None:
        self.image = image
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(-2, -2, self.size + 4, self.size + 4)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(QRectF(0, 0, self.size, self.size))
        return path

    def paint(self, painter: QPainter, option, widget=None) -> None:
        rect = QRectF(0, 0, self.size, self.size)
        pen = _cosmetic(HOVER if self.hovered else BORDER, 2.0 if self.hovered else 1.0)
        if self.image is None:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setBrush(QBrush(DISC))
            painter.setPen(pen)
            painter.drawEllipse(rect.adjusted(1, 1, -1, -1))
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(rect, self.image)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(pen)
        painter.drawRect(rect)


class BiasItem(_Reporting, QGraphicsRectItem):
    """The small square at a neuron's lower-left corner, coloured by the bias (as in TF)."""

    kind = "bias"

    def __init__(self, layer: int, unit: int, parent: NeuronItem, handler):
        super().__init__(parent)
        self.layer, self.unit = layer, unit
        self._init_reporting(handler)
        self.setPen(_cosmetic(BORDER, 1.0))

    def set_size(self, neuron_size: float, disc: bool = False) -> None:
        b = max(5.0, min(10.0, neuron_size * 0.26))
        # the lower-left corner of the square, or the lower-left point of the disc's rim
        corner = neuron_size * (0.5 - 0.5 * 0.7071) if disc else 0.0
        self.setRect(QRectF(corner - b * 0.5, neuron_size - corner - b * 0.5, b, b))

    def boundingRect(self) -> QRectF:
        return self.rect().adjusted(-2, -2, 2, 2)

    def paint(self, painter, option, widget=None):
        painter.setBrush(self.brush())
        painter.setPen(_cosmetic(HOVER, 2.0) if self.hovered else _cosmetic(BORDER, 1.0))
        painter.drawRect(self.rect())


class EdgeItem(_Reporting, QGraphicsPathItem):
    """A curve from unit i of column `layer` to unit j of column `layer + 1`.

    Painting is left to C++ (no Python paint/boundingRect overrides): with ~2000 edges the
    Python call per item per frame would cost more than the drawing itself."""

    kind = "edge"

    def __init__(self, layer: int, i: int, j: int, handler):
        super().__init__()
        self.layer, self.i, self.j = layer, i, j
        self._shape: QPainterPath | None = None
        self._init_reporting(handler)
        self.setZValue(0)

    def set_ends(self, a: QPointF, b: QPointF) -> None:
        dx = (b.x() - a.x()) * 0.5
        path = QPainterPath(a)
        path.cubicTo(QPointF(a.x() + dx, a.y()), QPointF(b.x() - dx, b.y()), b)
        self._shape = None
        self.setPath(path)

    def shape(self) -> QPainterPath:
        # A wide, cached stroke for picking: the visible pen can be half a pixel thin.
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(PICK_WIDTH)
            self._shape = stroker.createStroke(self.path())
        return self._shape

    def style(self, pen: QPen) -> None:
        """Set the pen, drawn darker and wider while the pointer is on the edge."""
        if self.hovered:
            pen = QPen(pen)
            pen.setColor(pen.color().darker(160))
            pen.setWidthF(pen.widthF() + 2.0)
        self.setPen(pen)

    def hoverEnterEvent(self, event):
        super().hoverEnterEvent(event)
        self.handler._restyle_edge(self)

    def hoverLeaveEvent(self, event):
        super().hoverLeaveEvent(event)
        self.handler._restyle_edge(self)


class SceneButton(QGraphicsItem):
    """A small clickable "+" / "−" in the scene (above a hidden column)."""

    def __init__(self, text: str, tooltip: str, callback, size: float = 17.0):
        super().__init__()
        self.text, self.callback, self.size = text, callback, size
        self.hovered = False
        self.setToolTip(tooltip)
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(5)

    def click(self) -> None:
        if self.isEnabled():
            self.callback()

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self.size, self.size)

    def paint(self, painter, option, widget=None):
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        on = self.isEnabled()
        fill = QColor(225, 230, 236) if on and self.hovered else QColor(246, 247, 248)
        painter.setBrush(fill)
        painter.setPen(_cosmetic(QColor(150, 155, 162) if on else QColor(215, 217, 220), 1.0))
        painter.drawRoundedRect(self.boundingRect().adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        font = QFont(painter.font())
        font.setPixelSize(int(self.size * 0.8))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(50, 55, 60) if on else QColor(190, 192, 196))
        painter.drawText(self.boundingRect(), Qt.AlignmentFlag.AlignCenter, self.text)

    def hoverEnterEvent(self, event):
        self.hovered = True
        self.update()

    def hoverLeaveEvent(self, event):
        self.hovered = False
        self.update()

    def mousePressEvent(self, event):
        event.accept()

    def mouseReleaseEvent(self, event):
        if self.boundingRect().contains(event.pos()):
            self.click()


def _fmt(v: float) -> str:
    return f"{v:.4g}"


class GraphView(QGraphicsView):
    """The view: pixel coordinates (no scaling), no scroll bars; reports resizes."""

    def __init__(self, scene, on_resize):
        super().__init__(scene)
        self._on_resize = on_resize
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setBackgroundBrush(QColor(252, 252, 253))
        self.setMouseTracking(True)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._on_resize()


# ---------------------------------------------------------------------- texts
def short_number(v: float) -> str:
    """A number for a label on the graph: 4 significant digits and a real minus sign."""
    v = float(v)
    if not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("∞" if v > 0 else "−∞")
    return f"{v:.4g}".replace("-", "−")


def unit_name(snap, c: int, u: int) -> str:
    if c == 0:
        name = snap.input_names[u]
        return input_label(name)
    if c == len(snap.sizes) - 1:
        return snap.output_names[u] if u < len(snap.output_names) else f"output {u}"
    return f"H{c}[{u}]"


def column_title(snap, c: int, short: bool) -> str:
    last = len(snap.sizes) - 1
    if c == 0:
        return "In" if short else "Input"
    if c == last:
        return "Out" if short else "Output"
    return f"H{c}" if short else f"Hidden {c}"


def column_count(snap, c: int, short: bool) -> str:
    n = snap.sizes[c]
    if c == len(snap.sizes) - 1:
        return snap.activations[-1]
    if short:
        return str(n)
    noun = "feature" if c == 0 else "neuron"
    return f"{n} {noun}{'' if n == 1 else 's'}"


def item_tooltip(snap, item) -> str:
    if item.kind == "edge":
        l, i, j = item.layer, item.i, item.j
        return (f"w[{i}][{j}] of layer {l + 1}: {unit_name(snap, l, i)} → "
                f"{unit_name(snap, l + 1, j)}\nweight: {_fmt(snap.weights[l][i, j])}\n"
                f"dC/dw: {_fmt(snap.grad_weights[l][i, j])}\n"
                f"last Δw: {_fmt(snap.update_weights[l][i, j])}\nclick to edit")
    c, u = (item.column, item.unit) if item.kind == "neuron" else (item.layer + 1, item.unit)
    last = len(snap.sizes) - 1
    where = "Input" if c == 0 else "Output" if c == last else f"Hidden layer {c}"
    lines = [f"{where}: {unit_name(snap, c, u)} (column {c}, unit {u})"]
    if item.kind == "bias":
        lines[0] = "Bias of " + lines[0]
    if c > 0:
        l = c - 1
        lines += [f"activation: {snap.activations[l]}", f"bias: {_fmt(snap.biases[l][u])}",
                  f"dC/db: {_fmt(snap.grad_biases[l][u])}",
                  f"last Δb: {_fmt(snap.update_biases[l][u])}"]
    if snap.neuron_grids is not None and item.kind == "neuron":
        g = snap.neuron_grids[c][u]
        lines.append(f"output over the plane: {_fmt(g.min())} … {_fmt(g.max())}")
    if item.kind == "bias":
        lines.append("click to edit")
    return "\n".join(lines)


# ---------------------------------------------------------------------- annotations
NOTE_FILL = QColor(255, 255, 255, 228)
NOTE_BORDER = QColor(196, 200, 206)
NOTE_TEXT = QColor(35, 38, 42)
ACTIVE_FILL = QColor(255, 236, 170, 120)
ACTIVE_BORDER = QColor(226, 176, 60)
#: where along an edge its label is tried first (the middle of the curve is where every edge
#: between two columns crosses the others), then these offsets when that spot is taken
NOTE_SHIFTS = (0.0, -0.08, 0.08, -0.16, 0.16, -0.24, 0.24)


class NoteItem(QGraphicsItem):
    """A small boxed text (one or more lines) drawn over the graph: a phase's numbers."""

    def __init__(self, font: QFont, z: float):
        super().__init__()
        self.font = font
        self.text = ""
        self._rect = QRectF()
        self.setZValue(z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks go to what is below

    def set_text(self, text: str) -> None:
        if text == self.text:
            return
        self.prepareGeometryChange()
        self.text = text
        r = QFontMetricsF(self.font).boundingRect(QRectF(0, 0, 2000, 2000),
                                                  int(Qt.AlignmentFlag.AlignLeft), text)
        self._rect = QRectF(0, 0, r.width() + 6, r.height() + 2)
        self.update()

    def size(self):
        return self._rect.width(), self._rect.height()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter, option, widget=None):
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(NOTE_FILL)
        painter.setPen(_cosmetic(NOTE_BORDER, 1.0))
        painter.drawRoundedRect(self._rect.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
        painter.setFont(self.font)
        painter.setPen(NOTE_TEXT)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


class AnnotationLayer:
    """Text labels under neurons, on edges and beside biases, and a band behind the active
    column (NetworkView.set_annotations). Items are made when a label first appears and
    reused while it stays; labels are placed greedily so that they do not cover each other
    or a neuron."""

    def __init__(self):
        self.neurons: dict[tuple[int, int], str] = {}
        self.edges: dict[tuple[int, int, int], str] = {}
        self.active: int | None = None
        self.forget()

    def forget(self) -> None:
        """The scene was cleared (its items are gone): start again with new ones."""
        self._items: dict[tuple, NoteItem] = {}
        self._band: QGraphicsRectItem | None = None

    def set(self, neurons: dict | None, edges: dict | None, active: int | None) -> None:
        self.neurons = {tuple(int(v) for v in k): str(t) for k, t in (neurons or {}).items()
                        if t is not None}
        self.edges = {tuple(int(v) for v in k): str(t) for k, t in (edges or {}).items()
                      if t is not None}
        self.active = None if active is None else int(active)

    def place(self, scene, columns: list, edge_item, bias_item, font: QFont) -> None:
        """(Re)position every label for the current layout; ``columns`` are NeuronItems per
        column, ``edge_item(l, i, j)`` / ``bias_item(l, j)`` give the scene items or None."""
        wanted = {("n",) + k: t for k, t in self.neurons.items()
                  if 0 <= k[0] < len(columns) and 0 <= k[1] < len(columns[k[0]])}
        for k, t in self.edges.items():
            item = bias_item(k[0], k[2]) if k[1] == -1 else edge_item(*k)
            if item is not None:
                wanted[("e",) + k] = t
        for key in [k for k in self._items if k not in wanted]:
            scene.removeItem(self._items.pop(key))
        # neurons are obstacles; labels already placed become obstacles for the next ones
        taken = [it.sceneBoundingRect() for col in columns for it in col]
        for key, text in sorted(wanted.items(), key=lambda kv: kv[0][0] != "n"):
            item = self._items.get(key)
            if item is None:
                item = self._items[key] = NoteItem(font, 6.0 if key[0] == "n" else 4.0)
                scene.addItem(item)
            item.set_text(text)
            w, h = item.size()
            if key[0] == "n":
                neuron = columns[key[1]][key[2]]
                r = neuron.sceneBoundingRect()
                right = scene.sceneRect().right() - w - 2  # kept inside the view
                item.setPos(max(2.0, min(r.center().x() - w / 2, right)), r.bottom() + 1)
            else:
                n_out = len(columns[key[1] + 1])
                item.setPos(self._free_spot(key[1:], n_out, w, h, taken, edge_item, bias_item))
            taken.append(item.sceneBoundingRect())
        self._place_band(scene, columns)

    @staticmethod
    def _free_spot(key, n_out, w, h, taken, edge_item, bias_item) -> QPointF:
        l, i, j = key
        if i == -1:  # a bias: left of its marker, moved up or down if that is taken
            r = bias_item(l, j).sceneBoundingRect()
            spots = [QPointF(r.left() - w - 2 - dx, r.center().y() - h / 2 + dy)
                     for dx in (0.0, w * 0.6) for dy in (0.0, h, -h, 2 * h, -2 * h)]
        else:
            edge = edge_item(l, i, j)
            path = edge.path()
            # the first guess spreads the edges leaving one neuron along the curve, by target
            t0 = 0.3 + 0.4 * (j / (n_out - 1) if n_out > 1 else 0.5)
            spots = []
            for dy in (0.0, -0.6 * h, 0.6 * h):  # on the curve, else just above or below it
                for dt in NOTE_SHIFTS:
                    p = path.pointAtPercent(min(0.9, max(0.1, t0 + dt)))
                    spots.append(QPointF(p.x() - w / 2, p.y() - h / 2 + dy))
        def overlap(spot) -> float:
            rect = QRectF(spot.x(), spot.y(), w, h)
            return sum(max(0.0, i.width()) * max(0.0, i.height())
                       for i in (rect.intersected(r) for r in taken))

        best, least = spots[0], math.inf
        for spot in spots:  # the first free spot, else the one covering the least
            area = overlap(spot)
            if area <= 0.0:
                return spot
            if area < least:
                best, least = spot, area
        return best

    def _place_band(self, scene, columns: list) -> None:
        c = self.active
        if c is None or not 0 <= c < len(columns) or not columns[c]:
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
        top = columns[c][0].sceneBoundingRect()
        bottom = columns[c][-1].sceneBoundingRect()
        labels = [it.sceneBoundingRect() for k, it in self._items.items()
                  if k[0] == "n" and k[1] == c]
        left = min([top.left()] + [r.left() for r in labels]) - 6
        right = min(max([top.right()] + [r.right() for r in labels]) + 6,
                    scene.sceneRect().right() - 1)
        low = max([bottom.bottom()] + [r.bottom() for r in labels]) + 6
        self._band.setRect(QRectF(left, top.top() - 6, right - left, low - top.top() + 6))
        self._band.show()

    def items(self) -> dict:
        """The label items by key (("n", column, unit) or ("e", layer, i, j)), for tests."""
        return dict(self._items)

    @property
    def band(self) -> QGraphicsRectItem | None:
        return self._band if self._band is not None and self._band.isVisible() else None
