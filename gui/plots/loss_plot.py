"""The live loss plot (train and test loss per epoch) and the current loss/accuracy figures.

Curves are created once and fed the snapshot's history arrays with setData; clip-to-view and
peak downsampling keep a long run cheap to draw. The plot is only touched when the history
grew or the run changed.
"""
from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.plots.plot_style import plain_plot

TRAIN_COLOR = (120, 120, 120)
TEST_COLOR = (20, 20, 20)
LOG_FLOOR = 1e-12  # log scale: a loss of exactly 0 is drawn here instead of at -inf
CURVE_INTERVAL_S = 0.2  # while training, the curves are redrawn at most 5 times a second


def _fmt_loss(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{x:.4f}" if x >= 1e-3 else f"{x:.2e}"


def _fmt_acc(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{100 * x:.1f}%"


def _log_ticks(lo: float, hi: float) -> list:
    """Tick positions (log10 units) and labels for a short log axis from 10**lo to 10**hi:
    the decades, plus 2× and 5× when fewer than three decades are shown (pyqtgraph would label
    every 2..9 and the labels overlap)."""
    multiples = (1, 2, 5) if hi - lo < 3 else (1,)
    ticks = []
    for e in range(math.floor(lo), math.ceil(hi) + 1):
        for m in multiples:
            pos = e + math.log10(m)
            if lo <= pos <= hi:
                ticks.append((pos, f"{m * 10.0 ** e:g}"))
    return [ticks, []]


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
        legend = item.addLegend(offset=(-5, 5), labelTextColor="#333", brush=(255, 255, 255, 200))
        # one-pixel pens: a wide antialiased polyline costs a millisecond per redraw
        self.train_curve = item.plot(pen=pg.mkPen(TRAIN_COLOR, width=1), name="train")
        self.test_curve = item.plot(pen=pg.mkPen(TEST_COLOR, width=1), name="test")
        legend.setLabelTextSize("8pt")

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
                figures.addWidget(QLabel(f"<span style='color:#777'>{text}</span>"), 0, col)
        for row, (name, loss, acc) in enumerate((("Train", self.train_loss, self.train_acc),
                                                 ("Test", self.test_loss, self.test_acc)), 1):
            figures.addWidget(QLabel(name), row, 0)
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
            w.setFixedSize(w.fontMetrics().horizontalAdvance("0.0000e-00") + 6,
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
        key = (snap.run_id, len(snap.history_epoch), log)
        now = time.perf_counter()
        if key == self._key or (snap.running and key[0] == (self._key or (None,))[0]
                                and now - self._drawn_at < CURVE_INTERVAL_S):
            return
        self._key, self._drawn_at = key, now
        m = snap.metrics
        for label, text in ((self.train_loss, _fmt_loss(m.get("train_loss", math.nan))),
                            (self.test_loss, _fmt_loss(m.get("test_loss", math.nan))),
                            (self.train_acc, _fmt_acc(m.get("train_accuracy", math.nan))),
                            (self.test_acc, _fmt_acc(m.get("test_accuracy", math.nan)))):
            if label.text() != text:
                label.setText(text)
        x = snap.history_epoch
        train, test = snap.history_train_loss, snap.history_test_loss
        if not (len(test) and np.all(np.isfinite(test))):
            test = test[:0]
        if log:
            train, test = np.maximum(train, LOG_FLOOR), np.maximum(test, LOG_FLOOR)
        self.train_curve.setData(x, train)
        self.test_curve.setData(x[:len(test)], test)
        self._set_range(len(x), np.concatenate([train, test]), log)

    def _set_range(self, n: int, values: np.ndarray, log: bool) -> None:
        item = self.plot.getPlotItem()
        x_max = max(10.0, float(n))
        if not len(values):
            lo, hi = (LOG_FLOOR, 1.0) if log else (0.0, 1.0)
        elif log:
            lo, hi = float(values.min()), float(values.max())
        else:
            lo, hi = 0.0, float(values.max())
        if log:
            lo, hi = math.log10(lo), math.log10(hi)
            pad = max(0.05 * (hi - lo), 0.05)
            lo, hi = lo - pad, hi + pad
            item.getAxis("left").setTicks(_log_ticks(lo, hi))
        else:
            hi = hi * 1.05 if hi > 0 else 1.0
            item.getAxis("left").setTicks(None)
        item.setRange(xRange=(0.0, x_max), yRange=(lo, hi), padding=0.0)

    def _on_log_scale_toggled(self, checked: bool) -> None:
        self.plot.getPlotItem().setLogMode(x=False, y=checked)
        if self._snap is not None:
            self.set_snapshot(self._snap)
