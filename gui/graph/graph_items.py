"""Scene items of the network graph: neurons (thumbnail or disc), bias markers, edges, buttons
and the mark around the selected edge or bias.

Items are created once per architecture and only restyled per snapshot. They do not emit
signals themselves; they report hovers, clicks and double-clicks to a handler (the
NetworkView), which knows the snapshot and owns the signals. Their texts are in
``graph_text``, the numbers drawn over them in ``annotations``.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QFont, QPainter, QPainterPath,
                           QPainterPathStroker, QPen)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem

from gui.graph.graph_text import short_number  # noqa: F401  (imported from here by views)

BORDER = QColor(120, 124, 130)
DISC = QColor(218, 221, 225)
HOVER = QColor(40, 40, 40)
PICK_WIDTH = 7.0  # px around an edge that count as "on" it


def _cosmetic(color: QColor, width: float) -> QPen:
    pen = QPen(color, width)
    pen.setCosmetic(True)
    return pen


# the outlines every neuron and bias paints in every frame, built once (a QPen per paint
# was a tenth of a thumbnail's paint)
_BORDER_PEN = _cosmetic(BORDER, 1.0)
_HOVER_PEN = _cosmetic(HOVER, 2.0)


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

    def mouseDoubleClickEvent(self, event):
        event.accept()
        self.handler._on_item_double_clicked(self)


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

    def set_image(self, image, repaint: bool = True) -> None:
        """``repaint=False``: the same pixels in a new buffer; nothing to draw again."""
        self.image = image
        if repaint:
            self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(-2, -2, self.size + 4, self.size + 4)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(QRectF(0, 0, self.size, self.size))
        return path

    def paint(self, painter: QPainter, option, widget=None) -> None:
        rect = QRectF(0, 0, self.size, self.size)
        pen = _HOVER_PEN if self.hovered else _BORDER_PEN
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
        painter.setPen(_HOVER_PEN if self.hovered else _BORDER_PEN)
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


class Pressable:
    """Mixin for a clickable scene item: ``hovered`` (repainted when it changes), and the
    press taken so that the release comes to the item (its mouseReleaseEvent clicks)."""

    hovered = False

    def hoverEnterEvent(self, event):
        self.hovered = True
        self.update()

    def hoverLeaveEvent(self, event):
        self.hovered = False
        self.update()

    def mousePressEvent(self, event):
        event.accept()


class SceneButton(Pressable, QGraphicsItem):
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

    def mouseReleaseEvent(self, event):
        if self.boundingRect().contains(event.pos()):
            self.click()


SELECTED = QColor(30, 30, 30)


class SelectionMark(QGraphicsPathItem):
    """The outline around the selected edge or bias square (what Enter edits)."""

    def __init__(self):
        super().__init__()
        self.setPen(_cosmetic(SELECTED, 1.5))
        self.setBrush(QBrush(QColor(255, 210, 80, 90)))
        self.setZValue(1.5)  # over every edge, under the neurons
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)
        self.hide()

    def follow(self, item) -> None:
        """Outline ``item`` (an EdgeItem or a BiasItem; None hides)."""
        if item is None:
            self.hide()
            return
        path = QPainterPath()
        if item.kind == "edge":
            stroker = QPainterPathStroker()
            stroker.setWidth(max(PICK_WIDTH, item.pen().widthF() + 5.0))
            stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
            path = stroker.createStroke(item.path())
        else:
            path.addRect(item.mapRectToScene(item.rect()).adjusted(-3, -3, 3, 3))
        self.setPath(path)
        self.show()
