"""Lesson mode's dock: the phase's title, progress and formula beside Back / Next / Apply /
Discard, the phase's numbers, and (with "Show the code") the reference code it computes."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox,
                               QSplitter, QTextBrowser, QVBoxLayout, QWidget)

from gui.views.code_view import CodeView


class LessonPanel(QWidget):
    def __init__(self, show_code: QCheckBox | None = None, parent=None):
        super().__init__(parent)
        self.title = QLabel("<b>Lesson mode is off</b>")
        self.title.setToolTip("The phase shown on the graph")
        self.progress = QLabel()
        self.progress.setWordWrap(True)  # a deep network has many phases
        self.progress.setToolTip("Forward through the layers, the loss, backward, the update")
        self.formula = QLabel()
        self.formula.setStyleSheet("font-family: monospace;")  # the palette's text colour
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.formula.setToolTip("What this phase computes (z = a_prev·W + b, a = f(z), "
                                "δ = ∂C/∂z)")
        self.source = QLabel()
        self.source.setToolTip("Which examples the step is computed on")
        self.details = QTextBrowser()
        self.details.setToolTip("The phase's numbers")
        self._details_html = ""  # what set_details last showed
        self.show_code = show_code or QCheckBox("Show the code")
        self.code = CodeView()  # the reference lines this phase computes
        self.code.hide()
        self.mode = QComboBox()
        self.mode.addItem("Next minibatch", "batch")
        self.mode.addItem("One training example", "example")
        self.mode.setToolTip("Step the trainer's next minibatch, or a single training example")
        self.row = QSpinBox()
        self.row.setPrefix("row ")
        self.row.setToolTip("Which training example (row of the training set)")
        self.back = QPushButton("◀ Back")
        self.back.setToolTip("The previous phase (B or Page Up)")
        self.next = QPushButton("Next ▶")
        self.next.setToolTip("The next phase (N or Page Down)")
        self.apply = QPushButton("Apply step")
        self.apply.setToolTip("Let the trainer take this step, then go on with the next one")
        self.discard = QPushButton("Discard")
        self.discard.setToolTip("Leave lesson mode without changing the network")
        top = QHBoxLayout()
        top.addWidget(self.mode)
        top.addWidget(self.row)
        top.addStretch(1)
        top.addWidget(self.show_code)
        buttons = QHBoxLayout()
        for b in (self.back, self.next, self.apply, self.discard):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window's shortcuts
            buttons.addWidget(b)
        left = QVBoxLayout()
        left.addLayout(top)
        for w in (self.title, self.progress, self.formula, self.source):
            left.addWidget(w)
        left.addStretch(1)
        left.addLayout(buttons)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.details)
        self.split.addWidget(self.code)
        self.split.setChildrenCollapsible(False)
        self.box = QHBoxLayout(self)  # side by side: a bottom dock must stay low
        self.box.setContentsMargins(4, 2, 4, 4)
        self.box.addLayout(left, 1)
        self.box.addWidget(self.split, 1)

    def set_details(self, html: str) -> None:
        """The phase's numbers. The same table again (a snapshot that changed nothing the
        lesson shows) is not laid out again: setHtml costs most of a lesson's redraw."""
        if html != self._details_html:
            self._details_html = html
            self.details.setHtml(html)

    def set_code_visible(self, on: bool) -> None:
        """The code beside the numbers: the controls keep about a quarter of the width, the
        code (which carries the phase's numbers too) gets most of the rest."""
        if on == self.code.isVisible():
            return
        self.code.setVisible(on)
        self.box.setStretch(0, 2 if on else 1)
        self.box.setStretch(1, 5 if on else 1)
        if on:
            w = max(self.split.width(), 2)
            self.split.setSizes([w * 2 // 5, w - w * 2 // 5])

    def sizeHint(self) -> QSize:
        return QSize(900, 200)
