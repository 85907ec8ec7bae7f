"""The CSV preview: the first rows as they are in the file, which column to predict, which
columns are inputs, the task (detected, switchable), the share of training rows, and what the
app found, or the first problem with its line and column (then OK is disabled).

The file is read once (``model.data.csvread.read_table``); every choice in the dialog then only
re-assembles the Data from the columns already read (``table_to_data``), so changing the target
is instant. A file bigger than ``BACKGROUND_BYTES`` is read in a Python thread with a progress
bar and a Cancel button, so that the window never freezes; no Qt object is touched from that
thread (a QTimer in the GUI thread polls it).
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDialog,
                               QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QProgressBar, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from model.data.csvdata import (CSVError, CSVOptions, choose_roles, column_kind, detect_task,
                                read_table, table_to_data)
from model.data.holdout import DEFAULT_TRAIN_RATIO
from model.numbers import count_of, format_count

from gui.data.csv_reading import PREVIEW_ROWS, BackgroundRead, error_line, preview_rows

BACKGROUND_BYTES = 2 ** 20  # bigger files are read in a thread, with progress and Cancel
ERROR_BACKGROUND = "#f8d7d3"  # the row named by the error, when it is in the preview
TEXT_COLUMN = "#8a8a8a"  # header of a column that is not an input
ERROR_TEXT = "#c0392b"  # as the error line: an input that cannot be one
TASKS = (("classification", "Classification"), ("regression", "Regression"))


def _short(items, limit: int = 6) -> str:
    items = list(items)
    text = ", ".join(items[:limit])
    return text + (f", … ({len(items)} in all)" if len(items) > limit else "")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def describe(data, has_split: bool, ratio: float, scaling: str = "standard") -> str:
    """What the preview found, in a few short lines of rich text."""
    n_train, n_test = len(data.X_train), len(data.X_test)
    d = len(data.input_names)
    lines = []
    if data.task == "classification":
        lines.append(f"<b>Classification</b> with {data.n_classes} classes "
                     f"({_html(_short(data.target_names))})")
    else:
        lines.append(f"<b>Regression</b> of {_html(_short(data.target_names))}")
    lines.append(f"{d} input{'s' if d != 1 else ''}: {_html(_short(data.input_names))}")
    how = "from the file's split column" if has_split else \
        f"{round(ratio * 100)}% for training" + (
            ", the same share of each class" if data.task == "classification" else "")
    lines.append(f"{count_of(n_train + n_test, 'row')}: {format_count(n_train)} train / "
                 f"{format_count(n_test)} test ({how})")
    if scaling != "none":
        lines.append(f"Inputs are scaled ({scaling}) with the training rows' statistics; "
                     "switch it with Input scaling.")
    if d == 2:
        lines.append("The two inputs are x₁, x₂ of the plane; the feature toggles apply.")
    else:
        lines.append("Not two inputs: the network sees the columns as they are; the output "
                     "view shows a slice of them.")
    return "<br>".join(lines)


class PreviewDialog(QDialog):
    """The first rows of a CSV, the roles of its columns, and OK only if it loads."""

    def __init__(self, path, train_ratio: float | None, seed: int, parent=None, *,
                 scaling: str = "standard", stand_aside=None):
        super().__init__(parent)
        self.path = Path(path)
        self._stand_aside = stand_aside  # a big file's reader waits there for a busy window
        self.seed = seed
        self.scaling = scaling
        self.setWindowTitle(f"Open data — {self.path.name}")
        self.data = self.table_data = self.error = None
        self.error_row = None
        self._reader: BackgroundRead | None = None
        self._updating = False
        self.header, self.rows = preview_rows(self.path)
        self._build(train_ratio)
        try:
            size = os.stat(self.path).st_size
        except OSError:
            size = 0
        if size > BACKGROUND_BYTES:
            self._start_background()
        else:
            self._read_now()

    # ----------------------------------------------------------------- widgets
    def _build(self, train_ratio: float | None) -> None:
        self.table = QTableWidget(len(self.rows), len(self.header))
        self.table.setHorizontalHeaderLabels(self.header)
        self.table.setVerticalHeaderLabels([str(line) for line, _ in self.rows])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setToolTip(f"The first {PREVIEW_ROWS} rows as they are in the file "
                              "(numbered by line)")
        for r, (line, row) in enumerate(self.rows):
            for c, value in enumerate(row[:len(self.header)]):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)

        self.target = QComboBox()
        self.target.setToolTip("The column to predict")
        self.task = QComboBox()
        for key, label in TASKS:
            self.task.addItem(label, key)
        self.task.setToolTip("Classes for text or a few integers, a regression for other "
                             "numbers; switch it if the guess is wrong")
        self.ratio = QSpinBox()
        self.ratio.setRange(5, 100)
        self.ratio.setSuffix(" %")
        self.ratio.setValue(round((train_ratio or DEFAULT_TRAIN_RATIO) * 100))
        self.ratio.setToolTip("Share of the rows used for training; the rest are test rows, "
                              "the same share of each class")
        self.use_split = QCheckBox("Use the file's split column")
        self.use_split.setToolTip("The file's 'split' column says which rows are for "
                                  "testing; untick to split by the share instead")
        self.use_split.setChecked(True)
        self.inputs = QListWidget()
        self.inputs.setToolTip("Tick the columns the network takes as inputs; a text column "
                               "must be left out (or be the target)")
        self.inputs.setMaximumHeight(120)
        for widget in (self.target, self.task):
            widget.currentIndexChanged.connect(self._on_choice)
        self.target.currentIndexChanged.connect(self._on_target)
        self.ratio.valueChanged.connect(self._on_choice)
        self.use_split.toggled.connect(self._on_choice)
        self.inputs.itemChanged.connect(self._on_choice)

        self.tick_all = QPushButton("All")
        self.tick_all.setToolTip("Tick every column as an input")
        self.tick_none = QPushButton("None")
        self.tick_none.setToolTip("Untick every input column")
        self.tick_all.clicked.connect(lambda: self._tick_every(True))
        self.tick_none.clicked.connect(lambda: self._tick_every(False))
        inputs_box = QWidget()
        row = QHBoxLayout(inputs_box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.inputs, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.tick_all)
        buttons.addWidget(self.tick_none)
        buttons.addStretch(1)
        row.addLayout(buttons)

        split_row = QWidget()
        row = QHBoxLayout(split_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.ratio)
        row.addWidget(self.use_split)
        row.addStretch(1)
        form = QFormLayout()
        form.addRow("Target:", self.target)
        form.addRow("Task:", self.task)
        form.addRow("Inputs:", inputs_box)
        form.addRow("Training rows:", split_row)
        self.form = QWidget()
        self.form.setLayout(form)

        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setToolTip("What was found in the file")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR_TEXT}; font-weight: bold;")
        self.error_label.setToolTip("Change the choices above, or fix the file and open it again")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        self.progress = QProgressBar()
        self.progress.setFormat("Reading the file… %p%")
        self.cancel_read = QPushButton("Stop reading")
        self.cancel_read.setToolTip("Stop reading the file (nothing changes)")
        self.cancel_read.clicked.connect(self._cancel_reading)
        reading = QWidget()
        row = QHBoxLayout(reading)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_read)
        self.reading = reading
        reading.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Train on this data")
        self.ok.setToolTip("Replace the current data with this file's (rebuilds the network)")
        self.ok.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            "Keep the current data")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{_html(self.path.name)}</b>"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.reading)
        layout.addWidget(self.form)
        layout.addWidget(self.info)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.form.setEnabled(False)
        # fits a 1024×640 screen with its title bar; the table takes what is left
        self.resize(680, 560)

    # ----------------------------------------------------------------- reading
    def _read_now(self) -> None:
        try:
            self._loaded(read_table(self.path), None)
        except CSVError as exc:
            self._loaded(None, str(exc))
        except Exception as exc:  # noqa: BLE001 - never a traceback: one line in red
            self._loaded(None, f"{self.path.name}: cannot be read ({type(exc).__name__}: {exc})")

    def _start_background(self) -> None:
        self._reader = BackgroundRead(self.path, self._stand_aside)
        try:
            self._size = max(os.stat(self.path).st_size, 1)
        except OSError:
            self._size = 1
        self.reading.show()
        self._poll = QTimer(self)
        self._poll.setInterval(50)
        self._poll.timeout.connect(self._on_poll)
        self._poll.start()

    def _on_poll(self) -> None:
        reader = self._reader
        self.progress.setValue(min(100, round(100 * reader.bytes_read / self._size)))
        if not reader.done:
            return
        self._poll.stop()
        self.reading.hide()
        if reader.cancelled:
            self._loaded(None, f"{self.path.name}: reading stopped (nothing was changed)")
        else:
            self._loaded(reader.result, reader.error)

    def _cancel_reading(self) -> None:
        if self._reader is not None:
            self._reader.cancel()

    def reading_done(self) -> bool:
        return self._reader is None or self._reader.done

    def done(self, result: int) -> None:  # closing the dialog stops a read in progress
        self._cancel_reading()
        super().done(result)

    def _loaded(self, table, error: str | None) -> None:
        self.table_data = table
        if table is None:
            self._show(None, error)
            return
        self._updating = True
        self.target.clear()
        self.target.addItems(table.names)
        try:
            roles = choose_roles(table.names, CSVOptions(), table.fail, table.header_line)
            self.target.setCurrentIndex(roles.targets[-1])
        except CSVError:
            self.target.setCurrentIndex(len(table.names) - 1)
        has_split = "split" in table.names
        self.use_split.setVisible(has_split)
        self._fill_inputs()
        self._set_detected_task()
        self._updating = False
        self.form.setEnabled(True)
        self._on_choice()

    # ----------------------------------------------------------------- choices
    def _fill_inputs(self) -> None:
        table, target = self.table_data, self.target.currentText()
        self.inputs.clear()
        for col in table.columns:
            if col.name == target or col.name == "split":
                continue
            item = QListWidgetItem(f"{col.name}  ({column_kind(table, col)})")
            item.setData(Qt.ItemDataRole.UserRole, col.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            if col.n_numbers < table.n_rows:  # cannot be an input: say so where it is ticked
                item.setForeground(QColor(ERROR_TEXT))
                item.setToolTip(f"{col.name} is not all numbers: untick it, or make it the "
                                "target")
            self.inputs.addItem(item)

    def _tick_every(self, checked: bool) -> None:
        self._updating = True  # one re-assembly, not one per column
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for i in range(self.inputs.count()):
            self.inputs.item(i).setCheckState(state)
        self._updating = False
        self._on_choice()

    def _set_detected_task(self) -> None:
        table = self.table_data
        options = CSVOptions(target=(self.target.currentText(),))
        try:
            roles = choose_roles(table.names, options, table.fail, table.header_line)
            task = detect_task(table, roles)
        except CSVError:
            task = "regression"
        for i, (key, label) in enumerate(TASKS):
            self.task.setItemText(i, f"{label} (detected)" if key == task else label)
        self.task.setCurrentIndex([k for k, _ in TASKS].index(task))

    def _on_target(self) -> None:
        if self._updating or self.table_data is None:
            return
        self._updating = True
        self._fill_inputs()
        self._set_detected_task()
        self._updating = False
        self._on_choice()

    def options(self) -> tuple[CSVOptions, float | None]:
        """The roles chosen in the dialog, and the train ratio (None: the split column)."""
        inputs = tuple(self.inputs.item(i).data(Qt.ItemDataRole.UserRole)
                       for i in range(self.inputs.count())
                       if self.inputs.item(i).checkState() == Qt.CheckState.Checked)
        has_split = self.table_data is not None and "split" in self.table_data.names
        use_split = has_split and self.use_split.isChecked()
        options = CSVOptions(target=(self.target.currentText(),), inputs=inputs,
                             drop=("split",) if has_split and not use_split else (),
                             task=self.task.currentData())
        return options, None if use_split else self.ratio.value() / 100

    def _on_choice(self, *_) -> None:
        if self._updating or self.table_data is None:
            return
        options, ratio = self.options()
        self.ratio.setEnabled(ratio is not None)
        try:
            data = table_to_data(self.table_data, options, ratio, self.seed)
        except CSVError as exc:
            self._show(None, str(exc))
            return
        self._show(data, None)

    def _show(self, data, error: str | None) -> None:
        self.data, self.error = data, error
        self.ok.setEnabled(data is not None)
        self._mark_error_row(error_line(error) if error else None)
        self._mark_columns()
        if data is not None:
            _, ratio = self.options()
            self.info.setText(describe(data, ratio is None, ratio or 1.0, self.scaling))
            self.info.show()
            self.error_label.hide()
        else:
            self.info.hide()
            self.error_label.setText(error or "")
            self.error_label.show()

    def _mark_error_row(self, bad: int | None) -> None:
        self.error_row = None
        for r, (line, row) in enumerate(self.rows):
            if line == bad:
                self.error_row = r
            for c in range(len(row[:len(self.header)])):
                item = self.table.item(r, c)
                if item is not None:
                    item.setBackground(QColor(ERROR_BACKGROUND) if line == bad else QColor(0, 0, 0, 0))
        if self.error_row is not None:
            self.table.scrollToItem(self.table.item(self.error_row, 0) or self.table.item(0, 0))

    def _mark_columns(self) -> None:
        """Header tooltips say each column's role and kind; columns that are not inputs or the
        target are greyed."""
        table = self.table_data
        if table is None:
            return
        options, _ = self.options()
        for c, name in enumerate(self.header):
            item = self.table.horizontalHeaderItem(c)
            if item is None or name.strip() not in table.names:
                continue
            col = table.column(name.strip())
            role = "target" if name.strip() in options.target else \
                "input" if name.strip() in options.inputs else \
                "train/test split" if name.strip() == "split" and "split" not in options.drop \
                else "left out"
            item.setToolTip(f"{col.name}: {column_kind(table, col)}; {role}")
            item.setForeground(QColor(TEXT_COLUMN) if role == "left out" else
                               self.palette().color(self.foregroundRole()))
