"""Notices: messages in the main window that stay until they are dismissed or answered.

A notice is a coloured strip under the top bar with plain words, optional buttons, and a
close button (×). Notices stack, one row each, keyed by name: a new notice with the same key
replaces that one only, so no banner ever hides another (a divergence next to "Restore your
last session?" keeps both). Levels: "error" (training stopped), "warning" (a run going
wrong), "info" (an offer).

Feature modules use ``window.notify(key, text, ...)`` / ``window.dismiss_notice(key)``;
a prepared ``Notice`` (with its own buttons) goes in with ``window.notices.add(key, notice)``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy,
                               QStyle, QToolButton, QVBoxLayout, QWidget)

from gui import theme

LEVELS = ("error", "warning", "info")
#: the style's own message-box icons: no font needs to have a glyph for them
ICONS = {"error": QStyle.StandardPixmap.SP_MessageBoxCritical,
         "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
         "info": QStyle.StandardPixmap.SP_MessageBoxInformation}
ICON_SIZE = 16


class Notice(QFrame):
    """One message with its buttons. ``closed`` is emitted when it is dismissed."""

    closed = Signal()

    def __init__(self, text: str, level: str = "info", *, dismissable: bool = True,
                 tooltip: str = "", parent=None):
        super().__init__(parent)
        if level not in LEVELS:
            raise ValueError(f"unknown notice level {level!r} (choose from: {', '.join(LEVELS)})")
        self.level = level
        self.setObjectName("notice")
        background, border, text_color = theme.notice_colors(level)
        self.setStyleSheet(f"QFrame#notice {{ background: {background}; "
                           f"border: 1px solid {border}; border-left: 4px solid {border}; "
                           f"border-radius: 3px; }} "
                           f"QFrame#notice QLabel {{ color: {text_color}; }}")
        self.icon = QLabel()
        self.icon.setPixmap(self.style().standardIcon(ICONS[level]).pixmap(ICON_SIZE,
                                                                           ICON_SIZE))
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # a long message wraps instead of widening the window
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setMinimumWidth(200)
        if tooltip:
            self.label.setToolTip(tooltip)
        self.set_text(text)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(8, 3, 4, 3)
        self._row.setSpacing(6)
        self._row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        self._row.addWidget(self.label, 1)
        self.buttons: dict[str, QPushButton] = {}
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss this message")
        self.close_button.clicked.connect(self.close_notice)
        self.close_button.setVisible(dismissable)
        self._row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)

    def set_text(self, text: str) -> None:
        text = " ".join(str(text).split())
        if text != self.label.text():
            self.label.setText(text)

    def text(self) -> str:
        return self.label.text()

    def add_button(self, text: str, slot=None, tooltip: str = "") -> QPushButton:
        """A button before the close button; ``slot()`` runs when it is clicked."""
        button = QPushButton(text)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space must still reach Play
        if tooltip:
            button.setToolTip(tooltip)
        if slot is not None:
            button.clicked.connect(lambda _checked=False: slot())
        self._row.insertWidget(self._row.count() - 1, button, 0, Qt.AlignmentFlag.AlignTop)
        self.buttons[text] = button
        return button

    def close_notice(self) -> None:
        """Dismiss it (as its × button does): it leaves the window."""
        self.hide()
        self.closed.emit()


class NoticeArea(QWidget):
    """The stack of notices under the top bar (takes no room while empty)."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._notices: dict[str, Notice] = {}
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(6, 0, 6, 2)
        self._box.setSpacing(2)
        self.setVisible(False)

    def add(self, key: str, notice: Notice) -> Notice:
        """Show ``notice`` under ``key``, replacing the notice with that key (only that one).
        Errors come first, then warnings, then offers."""
        old = self._notices.pop(key, None)
        if old is not None:
            self._remove(old)
        self._notices[key] = notice
        notice.closed.connect(lambda: self._on_closed(key, notice))
        order = [LEVELS.index(n.level) for n in self._notices.values() if n is not notice]
        index = sum(1 for o in order if o <= LEVELS.index(notice.level))
        self._box.insertWidget(index, notice)
        notice.show()
        self.setVisible(True)
        self.changed.emit()
        return notice

    def show_text(self, key: str, text: str, level: str = "info", *, actions=(),
                  dismissable: bool = True, tooltip: str = "") -> Notice:
        """A notice with ``text`` and buttons ``actions`` = [(label, slot, tooltip), ...];
        an existing notice with this key and level only changes its text (no flicker)."""
        current = self._notices.get(key)
        labels = [a[0] for a in actions]
        if (current is not None and current.level == level
                and list(current.buttons) == labels):
            current.set_text(text)
            return current
        notice = Notice(text, level, dismissable=dismissable, tooltip=tooltip)
        for label, slot, *tip in actions:
            notice.add_button(label, slot, tip[0] if tip else "")
        return self.add(key, notice)

    def dismiss(self, key: str) -> None:
        notice = self._notices.get(key)
        if notice is not None:
            notice.close_notice()

    def get(self, key: str) -> Notice | None:
        return self._notices.get(key)

    def keys(self) -> list[str]:
        """The notices' keys, top to bottom as shown."""
        index = {id(n): self._box.indexOf(n) for n in self._notices.values()}
        return sorted(self._notices, key=lambda k: index[id(self._notices[k])])

    def texts(self) -> list[str]:
        """The notices' texts, top to bottom."""
        return [self._notices[k].text() for k in self.keys()]

    def _on_closed(self, key: str, notice: Notice) -> None:
        if self._notices.get(key) is notice:
            del self._notices[key]
        self._remove(notice)
        self.changed.emit()

    def _remove(self, notice: Notice) -> None:
        self._box.removeWidget(notice)
        notice.hide()
        notice.deleteLater()
        self.setVisible(bool(self._notices))
