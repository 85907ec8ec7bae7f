"""The network graph's QGraphicsView: zoom, pan and the keys and clicks on empty space.

The view never scales: one scene pixel is one logical pixel, so texts keep their size at
every zoom. Zooming asks the owner (NetworkView) to lay the graph out again on a canvas
``zoom`` times the viewport, which spreads neurons and edges apart and leaves room for more
labels; scroll bars (or a drag on empty space) move around a canvas larger than the view.
Hit-testing is Qt's own (items under the pointer, scroll offset included), so it stays right
at every zoom.

Ctrl + wheel and a pinch zoom around the pointer; Ctrl + = / Ctrl + − zoom around the centre;
Ctrl + 0, a double-click on empty space or the header's button fit the graph to the view.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter
from PySide6.QtWidgets import QGraphicsView

WHEEL_STEP = 1.0015  # zoom factor per eighth of a degree: one notch (120) ≈ ×1.2
MIN_ZOOM, MAX_ZOOM = 1.0, 8.0


class GraphView(QGraphicsView):
    def __init__(self, scene, owner):
        super().__init__(scene)
        self._owner = owner
        self.zoom = MIN_ZOOM
        self._drag: QPoint | None = None  # last pointer position while panning
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setBackgroundBrush(QColor(252, 252, 253))
        self.setMouseTracking(True)
        # clicks give the focus (for Enter on the selection); Tab does not stop here
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._owner.relayout_soon()

    def interactive_at(self, pos: QPoint) -> bool:
        """Whether a neuron, edge, bias or button is under viewport point ``pos``."""
        return any(it.acceptedMouseButtons() & Qt.MouseButton.LeftButton
                   for it in self.items(pos))

    def pannable(self) -> bool:
        r = self.sceneRect()
        vp = self.viewport()
        return r.width() > vp.width() + 0.5 or r.height() > vp.height() + 0.5

    # ------------------------------------------------------------------ zoom
    def set_zoom(self, zoom: float, anchor: QPoint | None = None) -> None:
        """The owner lays the graph out again for ``zoom``; the neuron nearest viewport point
        ``anchor`` (default: the centre) stays under it."""
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, float(zoom)))
        vp = self.viewport()
        if anchor is None:
            anchor = QPoint(vp.width() // 2, vp.height() // 2)
        at = self.mapToScene(anchor)
        neurons = [it for it in self.scene().items() if getattr(it, "kind", None) == "neuron"]
        near = min(neurons, default=None,
                   key=lambda n: (n.sceneBoundingRect().center() - at).manhattanLength())
        if near is not None:
            offset = QPointF(anchor) - QPointF(self.mapFromScene(near.sceneBoundingRect().center()))
        self.zoom = zoom
        self._owner._layout()
        if near is not None:
            c = near.sceneBoundingRect().center()
            self.horizontalScrollBar().setValue(round(c.x() + offset.x() - anchor.x()))
            self.verticalScrollBar().setValue(round(c.y() + offset.y() - anchor.y()))

    def make_zoom_actions(self, parent) -> list[QAction]:
        """Zoom in, zoom out and fit as actions of ``parent`` with window-wide shortcuts."""
        out = []
        for text, keys, tip, factor in (
                ("Zoom &in on the graph", ("Ctrl+=", "Ctrl++"),
                 "More room for the numbers on the graph", 1.25),
                ("Zoom &out of the graph", ("Ctrl+-",), "Less zoom on the graph", 0.8),
                ("&Fit the graph to the view", ("Ctrl+0",), "The whole graph in the view",
                 0.0)):  # factor 0: down to the smallest zoom, the fit
            a = QAction(text, parent)
            a.setShortcuts([QKeySequence(k) for k in keys])
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.setToolTip(f"{tip} ({keys[0]})")
            a.triggered.connect(lambda _=False, f=factor: self.set_zoom(self.zoom * f))
            parent.addAction(a)
            out.append(a)
        return out

    def wheelEvent(self, event):
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() or event.pixelDelta().y()
            if steps:
                self._owner.zoom_by(WHEEL_STEP ** steps, event.position().toPoint())
            event.accept()
            return
        super().wheelEvent(event)  # scrolls a canvas larger than the view

    def viewportEvent(self, event):
        if event.type() == QEvent.Type.Gesture:
            pinch = event.gesture(Qt.GestureType.PinchGesture)
            if pinch is not None:
                factor = pinch.scaleFactor()
                if factor > 0 and factor != 1.0:
                    at = self.viewport().mapFromGlobal(pinch.centerPoint().toPoint())
                    self._owner.zoom_by(factor, at)
                event.accept(pinch)
                return True
        if event.type() == QEvent.Type.NativeGesture and \
                event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture:
            self._owner.zoom_by(1.0 + event.value(), event.position().toPoint())
            return True
        return super().viewportEvent(event)

    # ------------------------------------------------------------------ pan, fit, keys, menu
    def mousePressEvent(self, event):
        pos = event.position().toPoint()
        empty = event.button() == Qt.MouseButton.LeftButton and not self.interactive_at(pos)
        if empty:
            self._owner._editing.clear(emit=True)  # a click on empty space deselects
        pan = event.button() == Qt.MouseButton.MiddleButton or empty
        if pan and self.pannable():
            self._drag = pos
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if self._drag is not None:
            pos = event.position().toPoint()
            d = pos - self._drag
            self._drag = pos
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - d.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - d.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._drag is not None:
            self._drag = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton and \
                not self.interactive_at(event.position().toPoint()):
            self._owner.fit_to_view()
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2) and \
                self._owner.edit_selected():
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape and self._owner.selection() is not None:
            self._owner._editing.clear(emit=True)
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event):
        self._owner._context_menu(event.pos(), event.globalPos())
        event.accept()
