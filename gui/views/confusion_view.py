"""Classification read-outs, live: the confusion matrix of the training and the test rows
(counts or row-normalised) and the accuracy of each class, with the class names from the data.

The counts come with every snapshot (``Snapshot.confusion``: ``counts[true, predicted]``,
computed in the worker once per epoch while training runs, at once when paused; see
``model.core.confusion``); this view only lays them out and colours each cell by the share of
its row. It redraws only while its dock shows and only when the counts changed.

Entry point: ``install(window) -> ConfusionView``.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel,
                               QScrollArea, QSizePolicy, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from model.core.confusion import per_class_accuracy, row_normalised

from gui import theme
from gui.plots import palette
from gui.shell.docks import install_once

SHORTCUT = "Ctrl+Shift+M"
PARTS = (("train", "Training rows"), ("test", "Test rows"))
CELL_MIN_PX = 44
NO_CLASSES = ("The confusion matrix is for classification: this data is a regression "
              "(the loss plot shows how far the outputs are from the targets).")


def class_names(snap, n: int) -> tuple[str, ...]:
    """The names of the ``n`` classes of the counts: the data's, padded with numbers when the
    network has more outputs than the data has classes (as ``Playground.class_names``)."""
    names = tuple(snap.class_names)[:n]
    return names + tuple(str(i) for i in range(len(names), n))


def percent(v: float) -> str:
    return "n/a" if not np.isfinite(v) else f"{100 * v:.1f} %"


def cell_colors(share: float) -> tuple[QColor, QColor]:
    """(background, text) of a cell whose row share is ``share``: the more of its row, the
    deeper the blue; the text stays readable on it."""
    base = theme.palette().color(theme.palette().ColorRole.Base)
    t = 0.0 if not np.isfinite(share) else 0.85 * min(1.0, max(0.0, share))
    back = theme.mix(base, QColor(*palette.BLUE), t)
    text = theme.palette().color(theme.palette().ColorRole.Text)
    if theme.contrast(text, back) < theme.MIN_CONTRAST:
        white, black = QColor(255, 255, 255), QColor(0, 0, 0)
        text = white if theme.contrast(white, back) >= theme.contrast(black, back) else black
    return back, text


class MatrixTable(QTableWidget):
    """One part's matrix: a row per true class, a column per predicted class, then the
    class's accuracy; sized to its contents (the dock scrolls, not the table)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        # Sized once per update by show_counts: a ResizeToContents header measures every cell
        # again at each cell's change (n⁴ per update; hundreds of ms on a loaded machine).
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setMinimumSectionSize(CELL_MIN_PX)
        self._names: tuple = ()  # the classes the headers name

    def show_counts(self, counts: np.ndarray, names, normalised: bool) -> None:
        n = len(names)
        shares = row_normalised(counts)
        accuracy = per_class_accuracy(counts)
        if self.rowCount() != n or self.columnCount() != n + 1:
            self.setRowCount(n)
            self.setColumnCount(n + 1)
            self._names = ()
        if tuple(names) != self._names:
            self._names = tuple(names)
            self._name_headers(names)
        for i in range(n):
            rows = int(counts[i].sum())
            for j in range(n):
                share = shares[i, j]
                text = percent(share) if normalised else str(int(counts[i, j]))
                item = self._item(i, j, text)
                back, fore = cell_colors(share)
                item.setBackground(back)
                item.setForeground(fore)
                item.setToolTip(f"{int(counts[i, j])} of the {rows} rows of class {names[i]} "
                                f"predicted as {names[j]} ({percent(share)})")
            acc = self._item(i, n, percent(accuracy[i]))
            acc.setToolTip(f"class {names[i]}: {percent(accuracy[i])} of its {rows} rows "
                           f"predicted right")
        self.resizeColumnsToContents()
        self.resizeRowsToContents()
        self.setFixedSize(self._content_size())

    def _name_headers(self, names) -> None:
        n = len(names)
        self.setHorizontalHeaderLabels([*names, "accuracy"])
        self.setVerticalHeaderLabels(list(names))
        for k, name in enumerate(names):
            self.horizontalHeaderItem(k).setToolTip(f"predicted: {name}")
            self.verticalHeaderItem(k).setToolTip(f"true class: {name}")
        self.horizontalHeaderItem(n).setToolTip("The share of each true class predicted right "
                                                "(its recall)")

    def _item(self, i: int, j: int, text: str) -> QTableWidgetItem:
        item = self.item(i, j)
        if item is None:
            item = QTableWidgetItem()
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setItem(i, j, item)
        if item.text() != text:
            item.setText(text)
        return item

    def _content_size(self) -> QSize:
        # the headers' hints, not their widths: before the table is shown they are stale
        width = self.verticalHeader().sizeHint().width() + sum(
            self.columnWidth(c) for c in range(self.columnCount())) + 2 * self.frameWidth()
        height = self.horizontalHeader().sizeHint().height() + sum(
            self.rowHeight(r) for r in range(self.rowCount())) + 2 * self.frameWidth()
        return QSize(width, height)


class ConfusionPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.normalised = QCheckBox("Row-normalised")
        self.normalised.setToolTip("Show each row as shares of its true class (the diagonal "
                                   "is that class's accuracy) instead of counts")
        self.message = QLabel()
        self.message.setWordWrap(True)
        hint = QLabel("rows: true class · columns: predicted class")
        hint.setStyleSheet(theme.caption_style())
        top = QHBoxLayout()
        top.addWidget(self.normalised)
        top.addWidget(hint, 1)
        self.titles: dict[str, QLabel] = {}
        self.tables: dict[str, MatrixTable] = {}
        tables = QWidget()
        row = QHBoxLayout(tables)
        row.setContentsMargins(0, 0, 0, 0)
        for part, _title in PARTS:
            column = QVBoxLayout()
            self.titles[part] = QLabel()
            self.tables[part] = MatrixTable()
            column.addWidget(self.titles[part])
            column.addWidget(self.tables[part])
            column.addStretch(1)
            row.addLayout(column)
        row.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidget(tables)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 2, 4, 4)
        box.addLayout(top)
        box.addWidget(self.message)
        box.addWidget(self.scroll, 1)

    def sizeHint(self) -> QSize:
        return QSize(700, 200)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.scroll.hide()

    def show_matrices(self, confusion, names, normalised: bool) -> None:
        self.message.hide()
        self.scroll.show()
        for part, title in PARTS:
            counts = np.asarray(confusion[part])
            n = int(counts.sum())
            acc = float(np.trace(counts)) / n if n else float("nan")
            self.titles[part].setText(f"<b>{title}</b> ({n}) · accuracy {percent(acc)}")
            self.tables[part].setVisible(n > 0)
            if n:
                self.tables[part].show_counts(counts, names, normalised)
            else:
                self.titles[part].setText(f"<b>{title}</b>: none (every row trains)")


class ConfusionView(QObject):
    """The "Confusion matrix" dock (View menu, Ctrl+Shift+M), fed by the live snapshots."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.panel = ConfusionPanel()
        self.dock = window.views.add_dock(
            "Confusion matrix", self.panel, SHORTCUT,
            "Show the confusion matrix and each class's accuracy, train and test")
        self.shown = None  # (counts per part, names, normalised) on screen now
        self.panel.normalised.toggled.connect(self._on_normalised)
        self.dock.visibilityChanged.connect(self._on_visibility_changed)
        window.snapshot_feed.subscribe(self._on_snapshot)

    def _on_snapshot(self, snap) -> None:
        if self.dock.isVisible():
            self._draw(snap)

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible and self.window.latest_snapshot is not None:
            self._draw(self.window.latest_snapshot)

    def _on_normalised(self, _on: bool) -> None:
        self.shown = None
        if self.window.latest_snapshot is not None:
            self._draw(self.window.latest_snapshot)

    def _draw(self, snap) -> None:
        if snap.task != "classification" or snap.confusion is None:
            if self.shown != "message":
                self.shown = "message"
                self.panel.show_message(NO_CLASSES)
            return
        counts = {part: np.asarray(snap.confusion[part]) for part, _ in PARTS}
        names = class_names(snap, len(counts["train"]))
        normalised = self.panel.normalised.isChecked()
        key = (tuple(c.tobytes() for c in counts.values()), names, normalised)
        if key != self.shown:  # unchanged counts (most frames of an epoch): nothing to do
            self.shown = key
            self.panel.show_matrices(counts, names, normalised)


def install(window) -> ConfusionView:
    """Add the "Confusion matrix" dock (View menu, Ctrl+Shift+M) to ``window``."""
    return install_once(window, "confusion", lambda: ConfusionView(window))
