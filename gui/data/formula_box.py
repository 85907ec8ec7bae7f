"""The data panel's formula box for "Above/below your formula": y = f(x), typed.

The text is parsed by the engine's own grammar (``model.data.formula``: numbers, x, + − * / ^,
parentheses and a few functions; never ``eval``). Enter (or leaving the box) submits it: a
valid formula rebuilds the data, a bad one is refused with the engine's one-line message under
the box, the offending character selected, and nothing changes.
"""
from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from model.data.curves import PLANE, check_formula
from model.data.formula import FUNCTIONS, MAX_LENGTH

ERROR = "#b3261e"
GRAMMAR = (f"Your curve y = f(x), e.g. x^2/3 - 2 or 3*sin(x) + x/2. Allowed: numbers, x, "
           f"+ − * / and ^ for powers (x^3), parentheses, and the functions "
           f"{', '.join(FUNCTIONS)}; nothing else (no other names, no Python). At most "
           f"{MAX_LENGTH} characters. The plane is −{PLANE:g} … {PLANE:g} both ways; points "
           f"above the curve are class 1, below it class 0. Enter applies it.")
_POSITION = re.compile(r"at position (\d+)")


class FormulaBox(QWidget):
    submitted = Signal(str)  # a valid formula: the data is to be rebuilt from it

    def __init__(self, parent=None):
        super().__init__(parent)
        self._shown = ""  # the formula the data uses (the worker's)
        self.edit = QLineEdit()
        self.edit.setMaxLength(MAX_LENGTH)
        self.edit.setPlaceholderText("e.g. x^2/3 - 2")
        self.edit.setClearButtonEnabled(True)
        self.edit.editingFinished.connect(self._on_edited)
        self.edit.textEdited.connect(self._on_typing)
        self.error = QLabel()
        self.error.setWordWrap(True)  # one message; the panel is narrow, so it may wrap
        self.error.setStyleSheet(f"color: {ERROR};")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        prefix = QLabel("y =")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(prefix)
        row.addWidget(self.edit, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(QLabel("Your formula:"))
        box.addLayout(row)
        box.addWidget(self.error)
        for w in (self, prefix, self.edit):
            w.setToolTip(GRAMMAR)

    def problem(self) -> str | None:
        """What is wrong with the text in the box (one line), or None."""
        return self._check(self.edit.text())[1]

    @staticmethod
    def _check(text: str) -> tuple[int | None, str | None]:
        try:
            check_formula(text)
        except ValueError as exc:  # FormulaError, in one line
            message = str(exc).removeprefix("formula: ")
            found = _POSITION.findall(message)  # the last: "the '(' at position 3" may come first
            return (int(found[-1]) if found else None), message
        return None, None

    def _on_typing(self, _text: str) -> None:
        if self.error.isVisible():  # the old message no longer describes the text
            self._show_error(None)

    def _on_edited(self) -> None:
        text = self.edit.text()
        position, problem = self._check(text)
        self._show_error(problem)
        if problem is not None:
            if position is not None and self.edit.hasFocus():
                self.edit.setSelection(max(0, min(position - 1, len(text) - 1)), 1)
            return
        if text.strip() != self._shown.strip():
            self._shown = text
            self.submitted.emit(text)

    def _show_error(self, problem: str | None) -> None:
        self.error.setText(problem or "")
        self.error.setVisible(problem is not None)
        self.edit.setStyleSheet(f"QLineEdit {{ border: 1px solid {ERROR}; }}" if problem else "")

    def set_formula(self, text: str) -> None:
        """Show the formula the data uses, unless the user is typing another one."""
        typing = self.edit.hasFocus() and self.edit.text() != self._shown
        self._shown = text
        if not typing and self.edit.text() != text:
            self.edit.setText(text)
            self._show_error(None)
