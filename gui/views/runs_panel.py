"""The Runs dock's widgets: the list of runs (a table) and the overlay of their curves.

Table columns: show (a check box, with the run's colour), name (edited in place: double-click
or F2), pin, what differs from the run before, final train/test loss, accuracy, epochs, steps,
training time, epochs/s. The newest run is at the top; ● marks the run training now.

The overlay draws every shown run's curve against epochs, minibatch steps or seconds (or
epochs and steps side by side, for the batch-size preset), train loss solid and test loss
dashed in the run's colour. Curves are created once per run and updated with setData; the
legend (the runs' names and what differs between them) sits beside the plot, never on it.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView,
                               QLabel, QPushButton, QSplitter, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from model.lessons.runs import settings_changes, show_value
from model.lessons.runs_ab import describe_changes

from gui import theme
from gui.plots import palette
from gui.plots.plot_style import plain_plot
from gui.plots import ranges
from gui.plots.ranges import format_percent, format_value
from gui.shell.docks import DOCK_HEIGHT

COLUMNS = ("", "run", "pin", "what differs", "loss (train / test)", "accuracy", "epochs",
           "steps", "time", "epochs/s")
SHOW, NAME, PIN, DIFFERS = 0, 1, 2, 3
X_CHOICES = (("epoch", "epochs"), ("steps", "minibatch steps"), ("seconds", "seconds"),
             ("both", "epochs and steps"))
Y_CHOICES = (("loss", "train and test loss"), ("train_loss", "train loss"),
             ("test_loss", "test loss"), ("train_accuracy", "train accuracy"),
             ("test_accuracy", "test accuracy"))
X_LABELS = {"epoch": "epoch", "steps": "minibatch steps", "seconds": "training seconds"}


def run_color(run_id: int) -> tuple[int, int, int]:
    return palette.series_color(run_id - 1)


def swatch_icon(color) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(*color))
    return QIcon(pixmap)


def seconds_text(s: float) -> str:
    if not math.isfinite(s):
        return "–"
    if s < 60:
        return f"{s:.1f} s"
    return f"{int(s // 60)} min {int(s % 60):02d} s"


def loss_text(final: dict) -> str:
    a, b = final.get("train_loss", math.nan), final.get("test_loss", math.nan)
    return format_value(a) if not math.isfinite(b) else f"{format_value(a)} / {format_value(b)}"


def accuracy_text(final: dict) -> str:
    a, b = final.get("train_accuracy", math.nan), final.get("test_accuracy", math.nan)
    if not math.isfinite(a) and not math.isfinite(b):
        return "–"
    return f"{format_percent(a)} / {format_percent(b)}"


class RunsPanel(QWidget):
    def sizeHint(self) -> QSize:
        return QSize(900, DOCK_HEIGHT)

    def __init__(self, parent=None):
        super().__init__(parent)
        # ------------------------------------------------------------ buttons
        self.duplicate = QPushButton("Duplicate with a change…")
        self.duplicate.setToolTip("Start a new run from a run's initial weights, data and seed "
                                  "with one setting changed: a fair A/B comparison")
        self.preset = QPushButton("Full batch vs minibatch vs SGD")
        self.preset.setToolTip("Train three runs from the same initial weights and data with "
                               "batch size N (all rows), 10 and 1, and overlay them against "
                               "epochs and against steps (the tutorials' comparison)")
        self.export = QPushButton("Export CSV…")
        self.export.setToolTip("Save the runs' curves (or a summary) as CSV")
        self.remove = QPushButton("Remove")
        self.remove.setToolTip("Forget the selected runs (the run training now stays) (Delete)")
        self.x_axis = QComboBox()
        for key, text in X_CHOICES:
            self.x_axis.addItem(text, key)
        self.x_axis.setToolTip("What the curves are drawn against")
        self.y_axis = QComboBox()
        for key, text in Y_CHOICES:
            self.y_axis.addItem(text, key)
        self.y_axis.setToolTip("Which curves: train loss solid, test loss dashed")
        self.log = QCheckBox("log")
        self.log.setToolTip("A logarithmic loss axis")
        self.log.setChecked(True)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        for w in (self.duplicate, self.preset, self.export, self.remove):
            top.addWidget(w)
        top.addStretch(1)
        # ------------------------------------------------------------ the table
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DIFFERS, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(DIFFERS, 160)
        header.setStretchLastSection(False)
        self.table.setToolTip("Every run since the window opened: a run lasts from a Reset or a "
                              "change that rebuilds the network to the next. Tick runs to "
                              "overlay their curves; double-click a name to rename it")
        for c, tip in ((SHOW, "Tick to overlay this run's curves (in its colour)"),
                       (NAME, "Double-click to rename; ● marks the run training now"),
                       (PIN, "Pinned runs are never dropped (otherwise the 20 newest are kept)"),
                       (DIFFERS, "The settings that differ from the run before it")):
            self.table.horizontalHeaderItem(c).setToolTip(tip)
        # ------------------------------------------------------------ the overlay
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setStyleSheet("font-style: italic;")
        self.sentence.hide()
        self.plots = [plain_plot("epoch", "loss"), plain_plot("minibatch steps", "loss")]
        for plot in self.plots:
            plot.setMinimumSize(160, 110)
            item = plot.getPlotItem()
            for axis in ("bottom", "left"):
                item.getAxis(axis).enableAutoSIPrefix(False)
            item.disableAutoRange()  # set from the data in draw(), finite values only
            item.setClipToView(True)
            item.setDownsampling(auto=True, mode="peak")
        self.plots[1].hide()
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet(theme.caption_style(8.5))
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setToolTip("The runs shown, and the settings in which they differ")
        axes = QHBoxLayout()
        axes.setContentsMargins(0, 0, 0, 0)
        axes.addWidget(QLabel("against"))
        axes.addWidget(self.x_axis)
        axes.addWidget(self.y_axis)
        axes.addWidget(self.log)
        axes.addStretch(1)
        plots = QHBoxLayout()
        plots.setContentsMargins(0, 0, 0, 0)
        for plot in self.plots:
            plots.addWidget(plot, 1)
        overlay = QWidget()
        right = QVBoxLayout(overlay)
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(2)
        right.addLayout(axes)
        right.addLayout(plots, 1)
        right.addWidget(self.legend)
        # the preset's sentence goes under the list, which has room to spare, not the plots
        listing = QWidget()
        left = QVBoxLayout(listing)
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(2)
        left.addWidget(self.table, 1)
        left.addWidget(self.sentence)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(listing)
        self.splitter.addWidget(overlay)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.table.setMinimumWidth(160)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 2, 4, 2)
        box.setSpacing(2)
        box.addLayout(top)
        box.addWidget(self.splitter, 1)
        self._curves: list[dict] = [{}, {}]  # per plot: (run id, y key) → PlotDataItem

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_split_once", False) and self.width() > 0:
            self._split_once = True  # the list gets a little more room than the plot
            self.splitter.setSizes([int(self.width() * 0.5), int(self.width() * 0.5)])

    # ------------------------------------------------------------------ the table
    def fill(self, runs, shown: set) -> None:
        """One row per run (a RunView), newest first; keeps a name being edited."""
        by_id = {r.id: r for r in runs}
        table = self.table
        editing = table.state() == QAbstractItemView.State.EditingState
        table.blockSignals(True)
        # Columns sized to their contents measured every row again on each cell's change
        # (200 cells: ~400 ms on the GUI thread); they are measured once, after the fill.
        header = table.horizontalHeader()
        modes = [header.sectionResizeMode(c) for c in range(table.columnCount())]
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.setRowCount(len(runs))
        for row, r in enumerate(reversed(runs)):
            cells = ["", r.name, "", _differs(r, by_id), loss_text(r.final), accuracy_text(r.final),
                     f"{r.epochs:,}", f"{r.steps:,}", seconds_text(r.seconds),
                     "–" if not math.isfinite(r.epochs_per_s) else f"{r.epochs_per_s:,.0f}"]
            for c, text in enumerate(cells):
                item = table.item(row, c)
                if item is None:
                    item = QTableWidgetItem()
                    table.setItem(row, c, item)
                if c == NAME and editing and table.currentRow() == row and \
                        item.data(Qt.ItemDataRole.UserRole) == r.id:
                    continue  # the user is typing its new name
                item.setData(Qt.ItemDataRole.UserRole, r.id)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if c in (SHOW, PIN):
                    flags |= Qt.ItemFlag.ItemIsUserCheckable
                    checked = r.id in shown if c == SHOW else r.pinned
                    item.setCheckState(Qt.CheckState.Checked if checked else
                                       Qt.CheckState.Unchecked)
                if c == SHOW:
                    item.setIcon(swatch_icon(run_color(r.id)))
                if c == NAME:
                    flags |= Qt.ItemFlag.ItemIsEditable
                    text = r.name
                    item.setToolTip(_run_tip(r, by_id))
                    font = item.font()
                    font.setBold(r.current)
                    item.setFont(font)
                    item.setText(("● " if r.current else "") + text)
                else:
                    item.setText(text)
                if c == DIFFERS:
                    item.setToolTip(_run_tip(r, by_id))
                if c >= 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                item.setFlags(flags)
        for c, mode in enumerate(modes):
            header.setSectionResizeMode(c, mode)
        table.blockSignals(False)

    def run_id_at(self, row: int) -> int | None:
        item = self.table.item(row, NAME)
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.run_id_at(r) for r in rows if self.run_id_at(r) is not None]

    # ------------------------------------------------------------------ the overlay
    @property
    def x_key(self) -> str:
        return self.x_axis.currentData()

    @property
    def y_key(self) -> str:
        return self.y_axis.currentData()

    def draw(self, runs, labels: list[str]) -> None:
        """Overlay the curves of ``runs`` (RunViews) with the legend ``labels``."""
        both = self.x_key == "both"
        self.plots[1].setVisible(both)
        xs = ("epoch", "steps") if both else (self.x_key,)
        ys = ("train_loss", "test_loss") if self.y_key == "loss" else (self.y_key,)
        log = self.log.isChecked() and "loss" in self.y_key
        # one y range for every curve shown, from finite values only; an exploding value is
        # drawn at its curve's clip level instead of flattening the others (gui/plots/ranges)
        values = [r.columns[y] for r in runs for y in ys]
        lo, hi, caps = ranges.value_range(values, log)
        if "accuracy" in self.y_key:
            lo, hi = 0.0, 1.02
        for k, x in enumerate(xs):
            item = self.plots[k].getPlotItem()
            item.setLabel("bottom", X_LABELS[x])
            item.setLabel("left", "accuracy" if "accuracy" in self.y_key else "loss")
            item.setLogMode(y=log)
            wanted, x_max = set(), 0.0
            for n, (r, y) in enumerate((r, y) for r in runs for y in ys):
                key = (r.id, y)
                wanted.add(key)
                curve = self._curves[k].get(key)
                if curve is None:
                    style = Qt.PenStyle.DashLine if y == "test_loss" else Qt.PenStyle.SolidLine
                    curve = item.plot(pen=pg.mkPen(run_color(r.id), width=1.5, style=style))
                    self._curves[k][key] = curve
                xv = r.columns[x]
                yv, _ = ranges.drawn(r.columns[y], caps[n], log)
                ok = np.isfinite(xv) & ~np.isnan(yv)
                curve.setData(xv[ok], yv[ok])
                if ok.any():
                    x_max = max(x_max, float(xv[ok].max()))
            for key in [key for key in self._curves[k] if key not in wanted]:
                item.removeItem(self._curves[k].pop(key))
            item.getAxis("left").setTicks(ranges.log_ticks(lo, hi) if log else None)
            item.setRange(xRange=(0.0, max(x_max, 1e-9)), yRange=(lo, hi), padding=0.02)
        self.legend.setText(" &nbsp; ".join(
            f"<span style='color:rgb{run_color(r.id)}'>━</span>&nbsp;{label}"
            for r, label in zip(runs, labels))
            + ("" if self.y_key != "loss" else " &nbsp; (solid: train, dashed: test)"))

    def curves(self, plot: int = 0) -> dict:
        """(run id, y key) → the curve item, for tests."""
        return dict(self._curves[plot])


def _differs(r, by_id: dict) -> str:
    """What differs from the run before it, or, for a duplicate, from the run it duplicates."""
    parent = by_id.get(r.parent) if r.origin == "duplicate" else None
    if parent is not None:
        return (f"duplicate of {parent.name}: "
                f"{describe_changes(settings_changes(parent.settings, r.settings))}")
    return describe_changes(r.changes) if r.changes else "—"


def _run_tip(r, by_id: dict) -> str:
    lines = [f"{r.name} ({r.origin})", _differs(r, by_id)]
    for epoch, key, old, new in r.events[:10]:
        lines.append(f"after epoch {epoch}: {key} {show_value(old)} → {show_value(new)}")
    return "\n".join(lines)
