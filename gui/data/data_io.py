"""Your own data from a CSV file, and the current data saved as one.

File → Open data… (Ctrl+Shift+O) asks for a file, then shows a preview dialog: the first rows
as they are in the file, what was detected (task, inputs, classes or targets, train/test
rows) or the first error with its line number (and then OK is disabled). OK hands the data
to the worker, which rebuilds the network for it. File → Export data… writes the current data
(generated, drawn or loaded) with its train/test split as a CSV that loads back exactly.

Entry point: ``install(window) -> DataIO``.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog,
                               QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout)

from model.data.csvdata import CSVError, load_csv, save_csv

from gui.shell.docks import install_once, menu_named

PREVIEW_ROWS = 20
PREVIEW_BYTES = 256 * 1024  # the preview reads only the start of a big file
CALL_TIMEOUT_S = 10.0
CSV_FILTERS = "CSV files (*.csv);;All files (*)"
OPEN_SHORTCUT = "Ctrl+Shift+O"
ERROR_BACKGROUND = "#f8d7d3"  # the row named by the error, when it is in the preview


def insert_before_quit(menu, window, actions) -> None:
    """Add ``actions`` (QAction or QMenu) as a group just above the Quit group."""
    quit_action = getattr(getattr(window, "actions_", None), "quit", None)
    items = menu.actions()
    before = None
    if quit_action in items:
        i = items.index(quit_action)
        before = items[i - 1] if i > 0 and items[i - 1].isSeparator() else quit_action
    menu.insertSeparator(before) if before else menu.addSeparator()
    for a in actions:
        if isinstance(a, QAction):
            menu.insertAction(before, a) if before else menu.addAction(a)
        else:
            menu.insertMenu(before, a) if before else menu.addMenu(a)


def _short(items, limit: int = 6) -> str:
    items = list(items)
    text = ", ".join(items[:limit])
    return text + (f", … ({len(items)} in all)" if len(items) > limit else "")


def describe(data, has_split: bool, ratio: float) -> str:
    """What the preview found, in a few short lines of rich text."""
    n_train, n_test = len(data.X_train), len(data.X_test)
    d = len(data.input_names)
    lines = []
    if data.task == "classification":
        lines.append(f"<b>Classification</b> with {data.n_classes} classes "
                     f"({_short(data.target_names)})")
    else:
        lines.append(f"<b>Regression</b> of {_short(data.target_names)}")
    lines.append(f"{d} input{'s' if d != 1 else ''}: {_short(data.input_names)}")
    how = "from the file's split column" if has_split else \
        f"{round(ratio * 100)}% for training, as the Training data slider"
    lines.append(f"{n_train + n_test} rows: {n_train} train / {n_test} test ({how})")
    if d == 2:
        lines.append("The two inputs are x₁, x₂ of the plane; the feature toggles apply.")
    else:
        lines.append("Not two inputs: the network sees the columns as they are, and the "
                     "output plane cannot be drawn.")
    return "<br>".join(lines)


def preview_rows(path, n: int = PREVIEW_ROWS):
    """(header, up to n (line number, fields) rows) as written at the start of the file;
    empty if it cannot be read. Line numbers are the file's (1 = the header)."""
    try:
        with open(path, "rb") as f:
            raw = f.read(PREVIEW_BYTES)
    except OSError:
        return [], []
    text = raw.decode("utf-8-sig", errors="replace").replace("\x00", "\ufffd")
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        line = 1
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
            if len(rows) > n:
                break
    except csv.Error:
        pass  # the error itself is shown by the real parse
    if not rows:
        return [], []
    return rows[0][1], rows[1:]


def error_line(message: str) -> int | None:
    """The line number in a CSVError message ("data.csv line 7: ..."), if any."""
    match = re.search(r" line (\d+): ", message)
    return int(match.group(1)) if match else None


class PreviewDialog(QDialog):
    """The first rows of a CSV, what was found in it, and OK only if it loads."""

    def __init__(self, path, train_ratio: float, seed: int, parent=None):
        super().__init__(parent)
        self.path = Path(path)
        self.setWindowTitle(f"Open data — {self.path.name}")
        self.data = None
        self.error = None
        header, rows = preview_rows(self.path)
        try:
            self.data = load_csv(self.path, train_ratio, seed)
        except CSVError as exc:
            self.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - never a traceback: one line in red
            self.error = f"{self.path.name}: cannot be read ({type(exc).__name__}: {exc})"

        self.table = QTableWidget(len(rows), len(header))
        self.table.setHorizontalHeaderLabels(header)
        self.table.setVerticalHeaderLabels([str(line) for line, _ in rows])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setToolTip(f"The first {PREVIEW_ROWS} rows as they are in the file "
                              "(numbered by line)")
        bad = error_line(self.error) if self.error else None
        self.error_row = None
        for r, (line, row) in enumerate(rows):
            if line == bad:
                self.error_row = r
            for c, value in enumerate(row[:len(header)]):
                item = QTableWidgetItem(value)
                if line == bad:
                    item.setBackground(QColor(ERROR_BACKGROUND))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        if self.error_row is not None:
            self.table.scrollToItem(self.table.item(self.error_row, 0)
                                    or self.table.item(0, 0))

        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setToolTip("What was found in the file")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c0392b; font-weight: bold;")
        self.error_label.setToolTip("Fix this in the file and open it again")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if self.data is not None:
            self.info.setText(describe(self.data, "split" in [h.strip() for h in header],
                                       train_ratio))
            self.error_label.hide()
        else:
            self.info.hide()
            self.error_label.setText(self.error)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Train on this data")
        self.ok.setToolTip("Replace the current data with this file's (rebuilds the network)")
        self.ok.setEnabled(self.data is not None)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            "Keep the current data")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{self.path.name}</b>"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.info)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(620, 460)


class DataIO(QObject):
    """File → Open data… / Export data…"""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog: PreviewDialog | None = None
        self.open_action = QAction("Open &data…", window)
        self.open_action.setShortcut(QKeySequence(OPEN_SHORTCUT))
        self.open_action.setToolTip("Train on your own points from a CSV file "
                                    f"({OPEN_SHORTCUT})")
        self.open_action.setStatusTip(self.open_action.toolTip())
        self.open_action.triggered.connect(self.open_data)
        self.export_action = QAction("Export d&ata…", window)
        self.export_action.setToolTip("Save the current points with their train/test split "
                                      "as CSV")
        self.export_action.setStatusTip(self.export_action.toolTip())
        self.export_action.triggered.connect(self.export_data)
        for a in (self.open_action, self.export_action):
            window.addAction(a)  # the shortcut works wherever the focus is
        insert_before_quit(menu_named(window, "&File"), window, [self.open_action, self.export_action])

    # ----------------------------------------------------------------- open
    def _ratio_and_seed(self) -> tuple[float, int]:
        snap = self.window.latest_snapshot
        settings = snap.extras.get("settings") if snap is not None else None
        if settings is None:
            return 0.5, 0
        return settings.train_ratio, settings.data_seed

    def open_data(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open data", "", CSV_FILTERS)
        if path:
            self.preview(path)

    def preview(self, path) -> PreviewDialog:
        """Show the preview dialog for ``path`` (window-modal, not blocking)."""
        if self.dialog is not None:
            self.dialog.close()
        ratio, seed = self._ratio_and_seed()
        self.dialog = PreviewDialog(path, ratio, seed, self.window)
        self.dialog.accepted.connect(self._on_accepted)
        self.dialog.open()
        return self.dialog

    def _on_accepted(self) -> None:
        dialog = self.dialog
        if dialog is None or dialog.data is None:
            return
        data = dialog.data
        self.window.worker.set_data(data)
        n = len(data.X_train) + len(data.X_test)
        self.window.statusBar().showMessage(f"Training on {n} rows from {dialog.path.name}")
        dialog.deleteLater()
        self.dialog = None

    # ----------------------------------------------------------------- export
    def export_data(self) -> None:
        try:
            data = self.window.worker.call(lambda pg: pg.data).result(timeout=CALL_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - reported, never fatal
            self.window.warn("Export data", f"The data was not saved: {exc}")
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Export data",
                                              f"{data.name or 'data'}.csv", CSV_FILTERS)
        if not path:
            return
        if Path(path).suffix.lower() != ".csv":
            path += ".csv"
        try:
            save_csv(data, path)  # atomic: a failed write leaves an older file intact
        except (CSVError, ValueError) as exc:
            self.window.warn("Export data", f"The data was not saved:\n{exc}")
            return
        n = len(data.X_train) + len(data.X_test)
        self.window.statusBar().showMessage(f"{n} rows saved to {path}")


def install(window) -> DataIO:
    """Add File → Open data… / Export data… to the window; returns the controller."""
    return install_once(window, "data_io", lambda: DataIO(window))
