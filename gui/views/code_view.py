"""Show the code: the textbook backprop of ``model/core/reference.py`` beside the numbers.

A ``CodeView`` shows the reference functions a lesson phase (or the inspected parameter's
chain rule) computes, read from the module at run time (``model.lessons.reference_lines``),
with the lines it computes marked and, under each, the current numbers (``code_notes``).
One checkable action, "Show the code" (C), shared by the lesson dock and the chain-rule
inspector and remembered between runs, switches it on; each dock has a check box bound to it.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QAction, QColor, QFontDatabase, QKeySequence, QPalette, QTextCharFormat, \
    QTextCursor, QTextFormat
from PySide6.QtWidgets import QCheckBox, QPlainTextEdit, QTextEdit

from gui.shell.docks import install_once, menu_named

SHORTCUT = "C"
SETTINGS_KEY = "views/show_code"
TIP = ("Show the textbook code (model/core/reference.py) that computes this, with its lines "
       "marked and the current numbers under them")
NOTE = "┆ "  # starts a line of numbers under a code line


def code_action(window) -> QAction:
    """The window's one "Show the code" toggle (Lesson menu, C), remembered between runs."""
    def make() -> QAction:
        action = QAction("Show the &code", window)
        action.setCheckable(True)
        action.setShortcut(QKeySequence(SHORTCUT))
        action.setToolTip(f"{TIP} ({SHORTCUT})")
        action.setStatusTip(TIP)
        action.setChecked(_settings().value(SETTINGS_KEY, False, type=bool))
        action.toggled.connect(lambda on: _settings().setValue(SETTINGS_KEY, bool(on)))
        window.addAction(action)  # the shortcut works whichever widget has the focus
        menu_named(window, "&Lesson").addAction(action)
        return action
    return install_once(window, "show_code", make)


def _settings():
    from gui.files.sessions import app_settings  # the app's one preferences file
    return app_settings()


def code_toggle(window) -> QCheckBox:
    """A "Show the code" check box that follows (and drives) the window's action."""
    action = code_action(window)
    box = QCheckBox("Show the code")
    box.setToolTip(f"{TIP} ({SHORTCUT})")
    box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window's shortcuts
    box.setChecked(action.isChecked())
    box.toggled.connect(action.setChecked)
    action.toggled.connect(box.setChecked)
    return box


class CodeView(QPlainTextEdit):
    """Read-only, monospace, never wrapped (it scrolls): excerpts of the reference with their
    marked lines highlighted across the width and the numbers under them in a quieter colour."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setToolTip("The reference code of this step (model/core/reference.py): ▶ marks "
                        "the lines it computes, ┆ lines give their numbers now")
        self.excerpts: tuple = ()
        self._kinds: list[str] = []  # per text line: "head", "code", "marked", "note", ""

    def sizeHint(self) -> QSize:
        return QSize(420, 200)

    def show_code(self, excerpts, notes: dict[str, list[str]] | None = None) -> None:
        """Show ``excerpts`` (``reference_lines.Excerpt``) with ``notes`` ({pick: lines})
        after the last line each pick marked. Keeps the scroll position."""
        notes = notes or {}
        lines, kinds = [], []
        for e in excerpts:
            if lines:
                lines.append("")
                kinds.append("")
            lines.append(f"{e.path} · {e.function}()")
            kinds.append("head")
            last = {line.key: k for k, line in enumerate(e.lines) if line.key is not None}
            for k, line in enumerate(e.lines):
                mark = "▶" if line.key is not None else " "
                lines.append(f"{line.number:3d}{mark} {line.text}")
                kinds.append("marked" if line.key is not None else "code")
                if line.key is not None and last[line.key] == k:
                    indent = " " * 9  # under the code, but close: the numbers are wide
                    for note in notes.get(line.key, ()):
                        lines.append(indent + NOTE + note)
                        kinds.append("note")
        text = "\n".join(lines)
        same = tuple(excerpts) == self.excerpts  # only the numbers changed: stay where you read
        bar, hbar = self.verticalScrollBar().value(), self.horizontalScrollBar().value()
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        if text != self.toPlainText():
            self.setPlainText(text)
        self.excerpts, self._kinds = tuple(excerpts), kinds
        self._paint()
        marked = [k for k, kind in enumerate(kinds) if kind == "marked"]
        if same:
            self.verticalScrollBar().setValue(bar)
            self.horizontalScrollBar().setValue(hbar)
        elif marked:  # new code: its first marked line in view, not the docstring
            self.verticalScrollBar().setValue(max(0, marked[0] - 2))

    def show_message(self, text: str) -> None:
        """Plain words instead of code (no lesson running, no parameter selected)."""
        self.excerpts, self._kinds = (), []
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)  # words wrap, code never
        self.setPlainText(text)
        self.setExtraSelections([])

    def marked_lines(self) -> list[str]:
        """The text lines shown as marked (for tests and the screen reader)."""
        return [t for t, kind in zip(self.toPlainText().split("\n"), self._kinds) if kind == "marked"]

    def note_lines(self) -> list[str]:
        return [t.strip()[len(NOTE):] for t, kind in zip(self.toPlainText().split("\n"), self._kinds)
                if kind == "note"]

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._paint()  # the highlight follows a light or dark palette

    def _paint(self) -> None:
        """Colours from the palette: the marked lines on a translucent highlight (text keeps
        the palette's text colour, legible on light and dark), the numbers in a muted tone."""
        pal = self.palette()
        band = QColor(pal.color(QPalette.ColorRole.Highlight))
        band.setAlpha(60)
        muted = QColor(pal.color(QPalette.ColorRole.Text))
        muted.setAlphaF(0.62)
        selections = []
        doc = self.document()
        for k, kind in enumerate(self._kinds):
            if kind not in ("marked", "note", "head"):
                continue
            sel = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            if kind == "marked":
                fmt.setBackground(band)
                fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
            elif kind == "note":
                fmt.setForeground(muted)
            else:  # the file and function: bold in the text colour (a link colour can be
                fmt.setFontWeight(700)  # dark blue on a dark palette)
            sel.format = fmt
            cursor = QTextCursor(doc.findBlockByNumber(k))
            if kind != "marked":
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock,
                                    QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            selections.append(sel)
        self.setExtraSelections(selections)
