"""Per-layer activations on the graph: a clickable tag under each hidden column's title
("tanh ▾") that opens a menu of the hidden activations, with the leaky ReLU's slope typed in
the menu itself (a bad slope is refused in one line under the box, the menu stays open).

A choice is reported as ``(layer, name)``: ``layer`` counts hidden layers from 0, ``name`` is
an engine name (``leaky_relu:0.2``) or None for "the same as the top bar" (the layer follows
``Settings.activation`` again). The NetworkView turns it into its ``layer_activation_chosen``
signal; the main window makes the setting change. Right-clicking a hidden neuron offers the
same menu as a submenu, for when a crowded graph has no room for the tag.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QActionGroup, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (QGraphicsItem, QHBoxLayout, QLabel, QLineEdit, QMenu,
                               QVBoxLayout, QWidget, QWidgetAction)

from model.core.activations import kind_of

from gui.graph import activation_text as words
from gui.graph.graph_items import Pressable

TAG_Y = 58.0  # px from the top of the canvas: under the column's title (24) and count (41)
TEXT = QColor(50, 55, 60)
BORDER = QColor(170, 175, 182)
HOVER_FILL = QColor(225, 230, 236)
OWN_BORDER = QColor(8, 119, 189)  # a layer with its own choice (not the top bar's)
ERROR = "#b3261e"


class ActivationTag(Pressable, QGraphicsItem):
    """The "tanh ▾" chip under a hidden column's title; a click opens its layer's menu."""

    def __init__(self, layer: int, on_click, font: QFont):
        super().__init__()
        self.layer, self.on_click = layer, on_click
        self.font = QFont(font)
        self.text = ""
        self.own = False  # the layer has its own choice
        self.hovered = False
        self._rect = QRectF()
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(5)

    def set_text(self, text: str, own: bool, tip: str) -> bool:
        """Show ``text``; True if its size may have changed."""
        self.setToolTip(tip)
        if (text, own) != (self.text, self.own):
            self.prepareGeometryChange()
            self.text, self.own = text, own
            m = QFontMetricsF(self.font)
            self._rect = QRectF(0, 0, m.horizontalAdvance(text) + 10, m.height() + 2)
            self.update()
            return True
        return False

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(OWN_BORDER if self.own else BORDER, 1.5 if self.own else 1.0)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(HOVER_FILL if self.hovered else QColor(250, 250, 251))
        painter.drawRoundedRect(self._rect.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        painter.setFont(self.font)
        painter.setPen(TEXT)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)

    def mouseReleaseEvent(self, event):
        if self._rect.contains(event.pos()):
            self.on_click(self.layer)


class _SlopeEdit(QLineEdit):
    def keyPressEvent(self, event):
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # QLineEdit passes Enter on (for a dialog's default button); in a menu that would
            # close the menu even when the slope was refused
            event.accept()


class SlopeBox(QWidget):
    """"Leaky ReLU slope α: [0.01]" with the one-line reason a slope is refused under it;
    Enter applies."""

    def __init__(self, current: float, apply, parent=None):
        super().__init__(parent)
        self.apply = apply
        self.edit = _SlopeEdit(f"{current:g}")
        self.edit.setMaximumWidth(90)
        self.edit.setToolTip("The slope α of a leaky ReLU below zero: a number between 0 and "
                             "1 (exclusive). Enter applies it to this layer.")
        self.edit.returnPressed.connect(self._on_return)
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {ERROR};")
        # A menu keeps the size it opened with: the message's room (two lines, wrapped) is
        # there from the start, empty until a slope is refused.
        metrics = self.error.fontMetrics()
        self.error.setWordWrap(True)
        self.error.setFixedWidth(metrics.averageCharWidth() * 40)
        self.error.setFixedHeight(metrics.lineSpacing() * 2 + 2)
        self.error.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Leaky ReLU slope α:"))
        row.addWidget(self.edit)
        box = QVBoxLayout(self)
        box.setContentsMargins(28, 2, 8, 4)
        box.setSpacing(2)
        box.addLayout(row)
        box.addWidget(self.error)

    def name(self) -> tuple[str | None, str | None]:
        return words.slope_error(self.edit.text())

    def _on_return(self) -> None:
        name, problem = self.name()
        self.error.setText(problem or "")
        if name is not None:
            self.apply(name)


def fill_menu(menu: QMenu, layer: int, current: str, follows: bool, top_bar: str,
              choose) -> SlopeBox:
    """Add layer ``layer``'s choices to ``menu``: the top bar's choice, every hidden
    activation (``current`` checked) and the slope box. ``choose(layer, name or None)``."""
    menu.setToolTipsVisible(True)
    group = QActionGroup(menu)
    same = QAction(f"Same as the top bar ({words.title(top_bar)})", menu)
    same.setCheckable(True)
    same.setChecked(follows)
    same.setToolTip("This layer follows the top bar's Activation (which sets every layer)")
    same.triggered.connect(lambda: (menu.close(), choose(layer, None)))
    menu.addAction(same)
    menu.addSeparator()
    slope = words.slope_of(current) if kind_of(current) == "leaky_relu" else 0.01

    def apply(name: str) -> None:
        menu.close()
        choose(layer, name)

    box = SlopeBox(slope, apply)
    for kind in words.HIDDEN_KINDS:
        a = QAction(f"{words.INFO[kind][0]}\t{words.menu_formula(kind)}", menu)
        a.setCheckable(True)
        a.setChecked(not follows and kind == kind_of(current))
        a.setData(kind)
        a.setToolTip(words.tooltip(kind))
        if kind == "leaky_relu":
            # the slope in the box (or the one it showed first, when what is typed is wrong)
            first = words.slope_error(f"{slope!r}")[0] or "leaky_relu"
            a.triggered.connect(lambda: apply(box.name()[0] or first))
        else:
            a.triggered.connect(lambda _c=False, k=kind: apply(k))
        group.addAction(a)
        menu.addAction(a)
    holder = QWidgetAction(menu)
    holder.setDefaultWidget(box)
    menu.addAction(holder)
    return box


class LayerTags:
    """The tags of one NetworkView, rebuilt with its scene and placed by its layout."""

    def __init__(self, view):
        self.view = view
        self.tags: list[ActivationTag] = []
        self.menu: QMenu | None = None  # the open (or last) menu, for the tests
        self.slope_box: SlopeBox | None = None

    def build(self, scene, n_hidden: int, font: QFont) -> None:
        """New tags for ``n_hidden`` layers (the scene was cleared: the old ones went)."""
        self.tags = [ActivationTag(k, self.open_menu, font) for k in range(n_hidden)]
        for tag in self.tags:
            scene.addItem(tag)

    def _state(self, k: int) -> tuple[str, bool, str]:
        """(layer k's activation, whether it follows the top bar, the top bar's)."""
        snap = self.view._snap
        current = snap.activations[k]
        settings = snap.extras.get("settings")  # None in a snapshot made outside the window
        if settings is None or len(settings.hidden) != len(self.tags):
            return current, True, current
        per_layer = settings.layer_activations
        follows = not per_layer or per_layer[k] is None
        return current, follows, settings.activation

    def update(self, short: bool) -> bool:
        """Texts from the snapshot (an activation may change without a new architecture);
        True if a tag changed (it needs placing again)."""
        changed = False
        if self.view._snap is None:
            return changed
        for tag in self.tags:
            current, follows, _ = self._state(tag.layer)
            tip = (f"Activation of hidden layer {tag.layer + 1}: {words.tooltip(current)}\n"
                   f"{'Follows' if follows else 'Chosen here, not'} the top bar's. "
                   "Click to choose this layer's activation (the top bar sets every layer).")
            # crowded columns: no room for the arrow (the pointer and the tooltip say "click")
            text = words.compact(current, short) + ("" if short else " ▾")
            changed |= tag.set_text(text, not follows, tip)
        return changed

    def place(self, column_x: list[float]) -> None:
        """Centre each tag under its column (hidden layer k is column k + 1)."""
        for tag in self.tags:
            cx = column_x[tag.layer + 1]
            tag.setPos(QPointF(cx - tag.boundingRect().width() / 2, TAG_Y))

    def fill(self, menu: QMenu, k: int) -> None:
        current, follows, top_bar = self._state(k)
        self.slope_box = fill_menu(menu, k, current, follows, top_bar, self._choose)

    def open_menu(self, k: int) -> QMenu | None:
        """Pop up layer k's menu under its tag (popup, not exec: nothing blocks)."""
        if self.view._snap is None or not 0 <= k < len(self.tags):
            return None
        menu = QMenu(self.view)
        menu.addSection(f"Hidden layer {k + 1}: activation")
        self.fill(menu, k)
        self.menu = menu
        tag = self.tags[k]
        gv = self.view._view
        corner = gv.mapFromScene(tag.mapToScene(tag.boundingRect().bottomLeft()))
        menu.popup(gv.viewport().mapToGlobal(corner))
        return menu

    def add_submenu(self, menu: QMenu, k: int) -> None:
        """"Activation of hidden layer k ▸" in a context menu."""
        if self.view._snap is not None and 0 <= k < len(self.tags):
            sub = menu.addMenu(f"Activation of hidden layer {k + 1}")
            self.fill(sub, k)

    def _choose(self, k: int, name: str | None) -> None:
        if self.view._snap is not None and 0 <= k < len(self.tags):
            self.view.layer_activation_chosen.emit(k, name)
