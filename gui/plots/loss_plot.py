"""The live loss plot (train and test loss per epoch) and the current loss/accuracy figures.

Curves are created once and fed the snapshot's history arrays with setData; clip-to-view and
peak downsampling keep a long run cheap to draw. The plot is only touched when the history
grew or the run changed.

Legible whatever the numbers do (``gui/plots/ranges.py``): the y range comes from the finite
values only, an exploding value is drawn at the top edge with a red mark instead of
flattening the history, a dashed line marks where training diverged, log axes get a few
decade ticks, and the read-outs print 6.7e9, 3.2e−5 or "diverged". The legend is the
figures' row labels below the plot, never on the curves.
"""
from __future__ import annotations

import math
import re
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui import theme
from gui.plots import ranges
from gui.plots.plot_style import plain_plot

TRAIN_COLOR = (120, 120, 120)
TEST_COLOR = (20, 20, 20)
DIVERGED_COLOR = (200, 60, 40)
LOG_FLOOR = ranges.LOG_FLOOR  # log scale: a loss of exactly 0 is drawn here instead of at -inf
CURVE_INTERVAL_S = 0.2  # while training, the curves are redrawn at most 5 times a second
MIN_PLOT_HEIGHT = 100  # px: the plot itself, without the figures below it


def _fmt_loss(x: float) -> str:
    return ranges.format_value(x)


def _fmt_acc(x: float) -> str:
    return ranges.format_percent(x)


def _log_ticks(lo: float, hi: float) -> list:
    return ranges.log_ticks(lo, hi)


def diverged_epoch(message: str | None) -> int | None:
    """The epoch a divergence message names ("training stopped at epoch 7: …"), or None."""
    if not message:
        return None
    found = re.search(r"stopped at epoch (\d+)", message)
    return int(found.group(1)) if found else None


def _swatch(color, text: str) -> str:
    r, g, b = color
    return f"<span style='color:rgb({r},{g},{b})'>━</span>&nbsp;{text}"


class LossPlot(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._key = None  # (run_id, history length, log) drawn last
        self._drawn_at = 0.0

        self.plot = plain_plot("epoch", "loss")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setToolTip("Loss after each epoch: grey = training set, black = test set")
        item = self.plot.getPlotItem()
        for axis in ("bottom", "left"):
            item.getAxis(axis).enableAutoSIPrefix(False)

        # Ranges are set from the data in set_snapshot: auto-range would recompute them
        # during painting and schedule a second paint of every frame.
        item.disableAutoRange()
        item.setClipToView(True)
        item.setDownsampling(auto=True, mode="peak")
        # one-pixel pens: a wide antialiased polyline costs a millisecond per redraw
        self.train_curve = item.plot(pen=pg.mkPen(TRAIN_COLOR, width=1), name="train")
        self.test_curve = item.plot(pen=pg.mkPen(TEST_COLOR, width=1), name="test")
        # exploding values drawn at the top edge: a red triangle on each
        self.clipped_marks = pg.ScatterPlotItem(symbol="t1", size=7, pen=None,
                                                brush=pg.mkBrush(*DIVERGED_COLOR))
        item.addItem(self.clipped_marks)
        # where training diverged (the NaN); kept for the run, one line per divergence
        self._diverged_lines: list[pg.InfiniteLine] = []
        self._diverged_at: list[int] = []
        self._run = None
        self.plot.setMinimumHeight(MIN_PLOT_HEIGHT)

        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setToolTip("Show the loss on a logarithmic axis")
        self.log_scale.toggled.connect(self._on_log_scale_toggled)

        self.train_loss = QLabel("–")
        self.test_loss = QLabel("–")
        self.train_acc = QLabel("–")
        self.test_acc = QLabel("–")
        figures = QGridLayout()
        figures.setContentsMargins(0, 0, 0, 0)
        figures.setHorizontalSpacing(10)
        figures.setVerticalSpacing(0)
        for col, text in enumerate(("", "loss", "accuracy")):
            if text:
                figures.addWidget(QLabel(f"<span style='color:{theme.muted()}'>{text}"
                                         "</span>"), 0, col)
        # the row names are the curves' legend: outside the data, never over the newest part
        self.legend_labels = []
        for row, (name, color, loss, acc) in enumerate(
                (("Train", TRAIN_COLOR, self.train_loss, self.train_acc),
                 ("Test", TEST_COLOR, self.test_loss, self.test_acc)), 1):
            label = QLabel(_swatch(color, name))
            label.setToolTip(f"The {name.lower()} curve's colour")
            self.legend_labels.append(label)
            figures.addWidget(label, row, 0)
            figures.addWidget(loss, row, 1)
            figures.addWidget(acc, row, 2)
        for w, tip in ((self.train_loss, "Loss on the training set after the last epoch "
                        "(without regularization)"),
                       (self.test_loss, "Loss on the test set after the last epoch"),
                       (self.train_acc, "Share of training points classified correctly"),
                       (self.test_acc, "Share of test points classified correctly")):
            w.setToolTip(tip)
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            # fixed size: new figures then repaint the label only, not relayout the window
            w.setFixedSize(w.fontMetrics().horizontalAdvance("diverged 00") + 6,
                           w.fontMetrics().height() + 2)

        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addLayout(figures)
        bottom.addStretch(1)
        bottom.addWidget(self.log_scale, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.plot, 1)
        layout.addLayout(bottom)
        self._snap = None

    def set_snapshot(self, snap) -> None:
        self._snap = snap
        log = self.log_scale.isChecked()
        key = (snap.run_id, len(snap.history_epoch), log, snap.message)
        now = time.perf_counter()
        if key == self._key or (snap.running and key[0] == (self._key or (None,))[0]
                                and now - self._drawn_at < CURVE_INTERVAL_S):
            return
        self._key, self._drawn_at = key, now
        if snap.run_id != self._run:
            self._run = snap.run_id
            self._diverged_at = []
        at = diverged_epoch(snap.message)
        if at is not None and at not in self._diverged_at:
            self._diverged_at.append(at)
        m = snap.metrics
        stopped = snap.message is not None
        for label, text in ((self.train_loss, ranges.format_value(
                                m.get("train_loss", math.nan), diverged=stopped)),
                            (self.test_loss, ranges.format_value(
                                m.get("test_loss", math.nan),
                                diverged=stopped and len(snap.X_test) > 0)),
                            (self.train_acc, _fmt_acc(m.get("train_accuracy", math.nan))),
                            (self.test_acc, _fmt_acc(m.get("test_accuracy", math.nan)))):
            if label.text() != text:
                label.setText(text)
        x = np.asarray(snap.history_epoch, dtype=float)
        train = np.asarray(snap.history_train_loss, dtype=float)
        test = np.asarray(snap.history_test_loss, dtype=float)
        if not (len(test) and np.any(np.isfinite(test))):
            test = test[:0]
        lo, hi, (train_cap, test_cap) = ranges.value_range([train, test], log)
        train_y, train_clip = ranges.drawn(train, train_cap, log)
        test_y, test_clip = ranges.drawn(test, test_cap, log)
        keep = ~np.isnan(train_y)
        self.train_curve.setData(x[keep], train_y[keep])
        keep_t = ~np.isnan(test_y)
        self.test_curve.setData(x[:len(test)][keep_t], test_y[keep_t])
        marks_x = np.concatenate([x[train_clip], x[:len(test)][test_clip]])
        marks_y = np.concatenate([train_y[train_clip], test_y[test_clip]])
        self.clipped_marks.setData(marks_x, np.log10(marks_y) if log else marks_y)
        self._draw_divergence(lo, hi)
        self._set_range(max(len(x), int(x[-1]) if len(x) else 0,
                            max(self._diverged_at, default=0)), lo, hi, log)

    def _draw_divergence(self, lo: float, hi: float) -> None:
        item = self.plot.getPlotItem()
        while len(self._diverged_lines) > len(self._diverged_at):
            item.removeItem(self._diverged_lines.pop())
        while len(self._diverged_lines) < len(self._diverged_at):
            line = pg.InfiniteLine(angle=90, movable=False,
                                   pen=pg.mkPen(DIVERGED_COLOR, width=1,
                                                style=Qt.PenStyle.DashLine),
                                   label="diverged", labelOpts={
                                       "position": 0.85, "color": DIVERGED_COLOR,
                                       "anchors": [(1, 0.5), (1, 0.5)]})
            line.setToolTip("Training diverged here (the loss became NaN); the weights were "
                            "restored to the epoch before")
            item.addItem(line)
            self._diverged_lines.append(line)
        for line, epoch in zip(self._diverged_lines, self._diverged_at):
            line.setValue(epoch)

    def _set_range(self, n: int, lo: float, hi: float, log: bool) -> None:
        item = self.plot.getPlotItem()
        x_max = max(10.0, float(n))
        item.getAxis("left").setTicks(ranges.log_ticks(lo, hi) if log else None)
        item.setRange(xRange=(0.0, x_max), yRange=(lo, hi), padding=0.0)

    def _on_log_scale_toggled(self, checked: bool) -> None:
        self.plot.getPlotItem().setLogMode(x=False, y=checked)
        if self._snap is not None:
            self.set_snapshot(self._snap)
