"""Gradient health: per-layer curves over the epochs (gradient norm, update/weight ratio,
saturated sigmoid/tanh units, dead ReLUs) and plain-language warnings, live.

A worker observer (``model.lessons.health_recorder.HealthRecorder``: it runs in the trainer's
thread, so it lives in the model) measures ``layer_health`` on a fixed sample of training rows
after epochs and discrete steps, within a time budget, into a bounded ``HealthHistory``. The
GUI takes its frozen copy on a timer while the dock shows and feeds curves created once per
architecture.
"""
from __future__ import annotations

from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from model.lessons.health import warnings_for
from model.lessons.health_recorder import HealthRecorder

from gui import theme
from gui.plots import ranges
from gui.shell.docks import DOCK_HEIGHT, FutureRelay, add_dock, future_error, install_once
from gui.plots.plot_style import plain_plot

REFRESH_MS = 200  # the panel redraws at most 5 times a second
COLORS = ((8, 119, 189), (245, 147, 34), (44, 160, 44), (148, 103, 189), (214, 39, 40),
          (23, 190, 207), (140, 86, 75), (127, 127, 127), (188, 189, 34))
PLOTS = (("grad_norm", "gradient norm", True),
         ("update_ratio", "update / weight", True),
         ("saturated", "saturated units", False),
         ("dead", "dead ReLUs", False))
TIPS = {
    "grad_norm": "Norm of each layer's gradient ‖∂C/∂W‖ (log scale): the first layers far "
                 "below the last means vanishing gradients",
    "update_ratio": "Size of each step relative to the weights, ‖Δw‖/‖w‖ (log scale); about "
                    "1e-3 is healthy, near 1 the weights are thrown around",
    "saturated": "Share of (example, unit) pairs of sigmoid/tanh layers in the flat tails, "
                 "where f′(z) < 0.1 of its peak",
    "dead": "Share of a ReLU layer's units that output 0 for every sampled example",
}


def _diverged_layer(observer: HealthRecorder, pg) -> tuple:
    """In the worker: the layer where the NaN started, the observer's version then, and the
    epoch it happened in (for the marker on the plots)."""
    with observer.lock:
        version = observer.version
    t = pg.trainer
    return getattr(t, "diverged_layer", None), version, t.epoch + 1


class HealthPanel(QWidget):
    def sizeHint(self) -> QSize:
        return QSize(900, DOCK_HEIGHT)  # a strip under the graph, not half the window

    def __init__(self, parent=None):
        super().__init__(parent)
        self.warnings = QLabel("No measurements yet: train a little.")
        self.warnings.setWordWrap(True)
        self.warnings.setToolTip("What the curves say, in plain words (latest measurement)")
        self.legend = QLabel()
        self.legend.setToolTip("One curve per layer, in these colours")
        self.plots: dict[str, pg.PlotItem] = {}
        grid = QGridLayout()
        grid.setSpacing(2)
        for col, (name, title, log) in enumerate(PLOTS):
            widget = plain_plot("epoch")
            widget.setMinimumSize(150, 110)
            item = widget.getPlotItem()
            item.setTitle(title, size="8pt", color="#333")
            item.setLogMode(x=False, y=log)
            for axis in ("bottom", "left"):
                item.getAxis(axis).enableAutoSIPrefix(False)
            # ranges come from the finite values (see GradientHealthView._set_ranges): after
            # a NaN, pyqtgraph's auto-range would span 1e-300…1e300 with smeared ticks
            item.disableAutoRange()
            item.setYRange(0, 1, padding=0.05)
            widget.setToolTip(TIPS[name])
            grid.addWidget(widget, 0, col)
            self.plots[name] = item
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 2, 4, 4)
        self.legend.setStyleSheet(f"color: {theme.muted()};")
        box.addWidget(self.warnings)
        box.addWidget(self.legend)
        box.addLayout(grid, 1)


class GradientHealthView(QObject):
    """Controller: the observer, the refresh timer, the curves and the warnings."""

    refreshed = Signal()  # after new numbers were drawn

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.observer = HealthRecorder()
        self.panel = HealthPanel()
        self.dock = add_dock(window, "Gradient health", self.panel, "Ctrl+Shift+H",
                             "Show per-layer gradient norms, update ratios, saturated and "
                             "dead units")
        self.warnings: list[str] = []
        self.diverged_layer: int | None = None
        self.diverged_epoch: float | None = None
        self._diverged_version = None
        self._marks: dict[str, pg.InfiniteLine] = {}
        self._clipped: dict[str, pg.ScatterPlotItem] = {}
        self._curves: dict[str, list] = {}  # per plot, layer l's curve (None: not measured)
        self._pool: dict[str, list] = {}  # per plot, every curve made so far (by layer)
        self._drawn = None  # (version, diverged) last drawn
        self._layout_key = None  # (run, activations) the curves were made for
        self._relay = FutureRelay(self, window.turns)
        self._relay.finished.connect(self._on_diverged_layer)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self.dock.visibilityChanged.connect(self._on_visibility_changed)
        window.worker.diverged.connect(self._on_diverged)
        window.worker.add_observer(self.observer)

    # ------------------------------------------------------------------ slots
    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            self._timer.start()
            self.refresh()
        else:
            self._timer.stop()

    def _on_diverged(self, _message: str) -> None:
        self._relay.watch(self.window.worker.call(partial(_diverged_layer, self.observer)))

    def _on_diverged_layer(self, _tag, future) -> None:
        if future_error(future) is None:
            self.diverged_layer, self._diverged_version, self.diverged_epoch = future.result()
            self.refresh()

    # ------------------------------------------------------------------ drawing
    def refresh(self) -> None:
        copy = self.observer.copy()
        version, run, acts, epochs = copy.version, copy.run, copy.activations, copy.epochs
        series, latest = copy.series, copy.latest
        if self._diverged_version is not None and version != self._diverged_version:
            # trained on (or reset) since: the advice is about the new numbers again, but the
            # mark on the plots stays for this run
            self.diverged_layer = self._diverged_version = None
        if self._layout_key is not None and run != self._layout_key[0]:
            self.diverged_epoch = None  # a new run: the old divergence is not on its plots
        key = (version, self.diverged_layer)
        if key == self._drawn:
            return
        self._drawn = key
        if (run, acts) != self._layout_key:
            self._make_curves(run, acts)
        for name, _, log in PLOTS:
            values = series[name]
            layers = [l for l, c in enumerate(self._curves[name])
                      if c is not None and l < values.shape[1]]
            caps = self._set_range(name, [values[:, l] for l in layers], epochs, log)
            marks_x, marks_y = [], []
            for l, cap in zip(layers, caps):
                y, clipped = ranges.drawn(values[:, l], cap, log)
                keep = ~np.isnan(y) & ((values[:, l] > 0) | clipped if log else True)
                self._curves[name][l].setData(epochs[keep], y[keep])
                marks_x.extend(epochs[clipped].tolist())
                marks_y.extend((np.log10(y[clipped]) if log else y[clipped]).tolist())
            self._clipped[name].setData(marks_x, marks_y)
            self._mark_divergence(name)
        self._show_warnings(latest, acts)
        self.refreshed.emit()

    def _set_range(self, name: str, curves: list, epochs: np.ndarray, log: bool) -> list:
        """The plot's y range from its curves' finite values (exploding ones clipped to their
        curve's usual level, see gui/plots/ranges.py) and a few readable log ticks; returns
        each curve's clip level."""
        item = self.panel.plots[name]
        x_hi = max(float(epochs[-1]) if len(epochs) else 1.0, self.diverged_epoch or 0.0, 1.0)
        lo, hi, caps = ranges.value_range(curves, log)
        if log:
            item.getAxis("left").setTicks(ranges.log_ticks(lo, hi))
        else:
            lo, hi = 0.0, 1.0  # shares: always 0…1
        item.setRange(xRange=(float(epochs[0]) if len(epochs) else 0.0, x_hi),
                      yRange=(lo, hi), padding=0.02)
        return caps

    def _mark_divergence(self, name: str) -> None:
        line = self._marks[name]
        line.setVisible(self.diverged_epoch is not None)
        if self.diverged_epoch is not None:
            line.setValue(self.diverged_epoch)

    def _pooled_curve(self, name: str, l: int):
        """Layer l's curve on plot ``name``, made once: a new network shows the same items
        again (making and adding ~30 plot items cost ~100 ms of the GUI thread, and far more
        on a busy machine, at every architecture change while the view shows)."""
        pool = self._pool.setdefault(name, [])
        while len(pool) <= l:
            pool.append(self.panel.plots[name].plot(
                pen=pg.mkPen(COLORS[len(pool) % len(COLORS)], width=1.5)))
        pool[l].show()
        return pool[l]

    def _make_curves(self, run: int, acts: tuple[str, ...]) -> None:
        self._layout_key = (run, acts)
        for name, item in self.panel.plots.items():
            if name not in self._marks:
                line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(
                    (200, 60, 40), width=1, style=Qt.PenStyle.DashLine))
                line.setToolTip("Training diverged here (the loss became NaN)")
                line.hide()
                item.addItem(line)
                self._marks[name] = line
                marks = pg.ScatterPlotItem(symbol="t1", size=7, pen=None,
                                           brush=pg.mkBrush(200, 60, 40))
                marks.setToolTip("Values far above the rest, drawn at the top edge")
                item.addItem(marks)
                self._clipped[name] = marks
        last = len(acts) - 1
        names = [f"layer {l + 1}" + (" (output)" if l == last else "") for l in range(len(acts))]
        for name, title, _ in PLOTS:
            item = self.panel.plots[name]
            wanted = {"saturated": ("sigmoid", "tanh"), "dead": ("relu",)}.get(name)
            self._curves[name] = [self._pooled_curve(name, l) if wanted is None or a in wanted
                                  else None for l, a in enumerate(acts)]
            for curve in self._pool.get(name, []):  # a layer's curve without a layer: hidden, empty
                if curve not in self._curves[name]:
                    curve.setData([], [])
                    curve.hide()
            none = wanted is not None and not any(self._curves[name])
            item.setTitle(f"{title}: none" if none else title,
                          size="8pt", color="#999" if none else "#333")
            self.panel.plots[name].getViewWidget().setToolTip(
                TIPS[name] + (f"\n(This network has no {' or '.join(wanted)} layer.)"
                              if none else ""))
        swatches = " ".join(f"<span style='color:rgb{COLORS[l % len(COLORS)]}'>■</span> {n} "
                            f"<span style='color:#888'>({a})</span>&nbsp;"
                            for l, (n, a) in enumerate(zip(names, acts)))
        self.panel.legend.setText(swatches)

    def _show_warnings(self, latest, activations) -> None:
        if not latest and self.diverged_layer is None:
            self.warnings = []
            self.panel.warnings.setText("No measurements yet: train a little.")
            return
        self.warnings = warnings_for(latest, self.diverged_layer, activations)
        if self.warnings:
            text = "<br>".join(f"⚠ {w}" for w in self.warnings)
            self.panel.warnings.setText(f"<span style='color:{theme.verdict_color(False)}'>"
                                        f"{text}</span>")
        else:
            self.panel.warnings.setText(f"<span style='color:{theme.verdict_color(True)}'>"
                                        "Healthy: gradients reach every layer and no layer is "
                                        "saturated or dead.</span>")


def install(window) -> GradientHealthView:
    """Add the "Gradient health" dock (View menu, Ctrl+Shift+H) to ``window``."""
    return install_once(window, "health", lambda: GradientHealthView(window))
