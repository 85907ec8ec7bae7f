"""The in-place editor of a weight or a bias: a small box over the graph, no dialog.

It opens over the edge or bias square (double-click, Enter, right-click ▸ Edit value…) with
the current value selected. Enter commits, Esc cancels, leaving it commits a valid change and
otherwise cancels; a value that is not a finite number with |v| ≤ 1e6 is refused with one
line saying why, and the editor stays open to correct it.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QVBoxLayout

MAX_EDIT = 1e6
WIDTH = 190  # px: room for "−0.000123456" and the one-line reasons below


def parse_value(text: str) -> tuple[float | None, str | None]:
    """(value, None) for an acceptable weight, else (None, the reason in a few words)."""
    t = text.strip().replace("−", "-").replace("\u2009", "")
    if not t:
        return None, "type a number, e.g. 0.5 or −1.2e−3"
    try:
        v = float(t.replace("e−", "e-"))
    except ValueError:
        return None, f"“{text.strip()[:24]}” is not a number"
    if not math.isfinite(v):
        return None, "the value must be a finite number"
    if abs(v) > MAX_EDIT:
        return None, "too large: |value| must be at most 1e6"
    return v, None


class _Line(QLineEdit):
    """Keeps the keys typed into it: Esc, Enter and plain characters are not the window's
    shortcuts (N, B, L, Space, Esc) while the editor has the focus."""

    def __init__(self, editor):
        super().__init__(editor)
        self._editor = editor

    def event(self, event):
        if event.type() == QEvent.Type.ShortcutOverride:
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            plain = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)
            if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter) or (
                    plain and event.text().isprintable() and event.text()) or \
                    event.matches(QKeySequence.StandardKey.SelectAll):
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event):
        if event.key() == Qt.Key.Key_Escape:
            self._editor.cancel()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._editor.commit()
            return
        super().keyPressEvent(event)
        self._editor.clear_error()

    def focusOutEvent(self, event):
        super().focusOutEvent(event)
        self._editor._focus_lost(event.reason())


class ValueEditor(QFrame):
    """Child of the graph's viewport; ``committed`` carries the accepted value, ``closed``
    follows every close (commit or cancel)."""

    committed = Signal(float)
    closed = Signal()

    def __init__(self, parent):
        super().__init__(parent)
        self.setObjectName("valueEditor")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.caption = QLabel()  # the palette's text colour: legible on a dark palette too
        self.line = _Line(self)
        self.line.setToolTip("Enter sets the value, Esc cancels (|value| ≤ 1e6)")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b4501e;")
        self.error.hide()
        box = QVBoxLayout(self)
        box.setContentsMargins(5, 3, 5, 4)
        box.setSpacing(2)
        for w in (self.caption, self.line, self.error):
            box.addWidget(w)
        self._start = ""
        self._anchor = QPoint(0, 0)
        self.focus_back = None  # the widget that gets the keys back on Enter or Esc
        self.hide()

    def open(self, caption: str, value: float, anchor: QPoint) -> None:
        """Show over viewport point ``anchor`` (the line edit centred on it)."""
        self.caption.setText(caption)
        self._start = f"{value:.6g}"
        self.line.setText(self._start)
        self.error.hide()
        self.place(anchor)
        self.show()
        self.raise_()
        self.line.setFocus(Qt.FocusReason.OtherFocusReason)
        self.line.selectAll()

    def place(self, anchor: QPoint) -> None:
        self._anchor = anchor
        area = QRect(QPoint(0, 0), self.parentWidget().size())
        # wide enough for the reason on one line, never wider than the view
        need = self.error.sizeHint().width() + 14 if not self.error.isHidden() else 0
        width = max(WIDTH, min(need, area.width() - 4))
        self.setFixedWidth(width)
        self.adjustSize()
        line_y = self.line.geometry().center().y()
        x = min(max(2, anchor.x() - width // 2), max(2, area.width() - width - 2))
        y = min(max(2, anchor.y() - line_y), max(2, area.height() - self.height() - 2))
        self.move(x, y)

    def commit(self) -> bool:
        value, why = parse_value(self.line.text())
        if why is not None:
            self.error.setText(f"Not changed: {why}")
            self.error.show()
            self.place(self._anchor)
            return False
        self._hide()
        self.committed.emit(value)
        self.closed.emit()
        return True

    def cancel(self) -> None:
        if self.isVisible():
            self._close()

    def clear_error(self) -> None:
        if not self.error.isHidden():
            self.error.hide()
            self.place(self._anchor)

    def _close(self) -> None:
        self._hide()
        self.closed.emit()

    def _hide(self) -> None:
        typing = self.line.hasFocus()
        self.hide()
        if typing and self.focus_back is not None:
            self.focus_back.setFocus(Qt.FocusReason.OtherFocusReason)

    def _focus_lost(self, reason) -> None:
        if not self.isVisible() or reason in (Qt.FocusReason.ActiveWindowFocusReason,
                                              Qt.FocusReason.PopupFocusReason):
            return  # another window or a menu for a moment: keep editing
        value, why = parse_value(self.line.text())
        if why is None and self.line.text() != self._start:
            self.commit()  # clicking elsewhere keeps a valid change, as table editors do
        else:
            self.cancel()
