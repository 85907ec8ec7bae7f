"""Gradient check: backprop's gradient against centred differences for every parameter of the
current network, per layer, with what each side costs, and the failing edges marked.

"Check gradients…" (Tools menu, Ctrl+G) runs ``model.lessons.gradcheck.gradient_check`` in the worker
thread on a copy of the network and the current minibatch; while the dock shows (and "re-check"
is on) it runs again as training goes, rate-limited so that it never takes more than
``MAX_SHARE`` of the trainer's time.

``make_checked_network(net) -> Network`` (run in the worker thread) builds the network whose
backprop is checked; the numeric side always uses the real copy. Tests substitute a double
with a broken derivative there.
"""
from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from functools import partial

import numpy as np
from PySide6.QtCore import QObject, QSize, QTimer, Signal
from PySide6.QtGui import QColor, QValidator
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDoubleSpinBox, QHBoxLayout,
                               QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from model.lessons.gradcheck import FAIL_THRESHOLD, GradCheckResult, gradient_check
from model.numbers import format_count
from model.snapshot import frozen_copy

from gui.shell.actions import add_action
from gui.shell.docks import (DOCK_HEIGHT, FutureRelay, add_dock, claim_highlight, future_error,
                    install_once, menu_named, release_highlight, show_dock)

GOOD = 1e-7  # cs231n: below this the analytic gradient is almost certainly right
FALLBACK_ROWS = 20  # rows checked when there is no minibatch to take
MIN_INTERVAL_S = 1.0  # live re-checks at most once a second...
MAX_SHARE = 0.05  # ...and at most 5% of the wall time
GREEN, AMBER, RED = QColor(210, 240, 210), QColor(250, 236, 200), QColor(250, 210, 205)


@dataclass(frozen=True, eq=False)
class CheckReport:
    """One gradient check, made in the worker: the engine's result plus what the view needs
    from the network it was made on (all fresh objects)."""

    result: GradCheckResult
    per_layer: tuple[float, ...]  # worst relative error of each layer
    layer_params: tuple[int, ...]  # parameters in each layer
    failing_edges: tuple[tuple[int, int, int], ...]  # (layer, i, j), i = -1 for a bias
    rows: str  # which rows were used, in words
    n_rows: int
    loss: str
    epoch: int
    steps: int

    @property
    def n_params(self) -> int:
        return len(self.result.rel_error)


def _edge_of(net, index: int) -> tuple[int, int, int]:
    """(layer, i, j) of the flat parameter ``index``; i = -1 for a bias."""
    layer, i, j = net.layout.locate(index)
    return (layer, -1 if i is None else i, j)


def run_check(make_checked_network, epsilon: float, pg) -> CheckReport:
    """Runs in the worker thread: check a copy of the network on the current minibatch."""
    t = pg.trainer
    if t.steps and t.last_batch.stop > t.last_batch.start:
        rows, words = t.order[t.last_batch].copy(), "the last minibatch"
    else:
        rows, words = t.peek_next_rows(), "the next minibatch"
    if not len(rows):
        rows, words = np.arange(min(FALLBACK_ROWS, len(t.X_train))), "the first training rows"
    net = pg.net.copy()
    checked = make_checked_network(net)
    with np.errstate(all="ignore"):  # a diverging network shows its NaNs, it does not warn
        result = gradient_check(checked, t.X_train[rows], t.Y_train[rows], t.loss.name,
                                epsilon, network_for_numeric=net)
    edges = tuple(_edge_of(net, k) for k in result.failing())
    layout = net.layout
    sizes = tuple(layout.block(l).stop - layout.block(l).start for l in range(layout.n_layers))
    per_layer = tuple(result.per_layer(net))
    # what crosses to the GUI is read-only: the arrays frozen, the names a tuple
    result = dataclasses.replace(result, analytic=frozen_copy(result.analytic),
                                 numeric=frozen_copy(result.numeric),
                                 rel_error=frozen_copy(result.rel_error), names=tuple(result.names))
    return CheckReport(result, per_layer, sizes, edges, words, len(rows),
                       t.loss.name, int(t.epoch), int(t.steps))


class LogSpinBox(QDoubleSpinBox):
    """A spin box for a small positive number: arrows multiply or divide by 10."""

    def __init__(self, lo: float, hi: float, value: float, parent=None):
        super().__init__(parent)
        self.setDecimals(15)
        self.setRange(lo, hi)
        self.setValue(value)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:
        return f"{value:.3g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            v = float(text)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        ok = self.minimum() <= v <= self.maximum()
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos

    def stepBy(self, steps: int) -> None:
        self.setValue(min(max(self.value() * 10.0 ** steps, self.minimum()), self.maximum()))


def _n(v: float) -> str:
    return f"{v:.6g}".replace("-", "−") if math.isfinite(v) else str(v)


def _e(v: float) -> str:
    return f"{v:.1e}".replace("-", "−") if math.isfinite(v) else str(v)


class GradCheckPanel(QWidget):
    def sizeHint(self) -> QSize:
        return QSize(900, DOCK_HEIGHT)  # a strip under the graph, not half the window

    def __init__(self, parent=None):
        super().__init__(parent)
        self.epsilon = LogSpinBox(1e-9, 1e-1, 1e-5)
        self.epsilon.setToolTip("Step ε of the centred difference (C(w + ε) − C(w − ε)) / 2ε; "
                                "the arrows multiply or divide it by 10")
        self.check_button = QPushButton("Check now")
        self.check_button.setToolTip("Compare backprop with centred differences for every "
                                     "parameter (Ctrl+G)")
        self.live = QCheckBox("Re-check while training")
        self.live.setChecked(True)
        self.live.setToolTip("Check again as the weights change, while this panel shows "
                             f"(at most once a second and {MAX_SHARE:.0%} of the training time)")
        self.verdict = QLabel("Not checked yet: press “Check now” (Ctrl+G).")
        self.verdict.setToolTip(f"A parameter fails when the relative error |a − n| / (|a| + "
                                f"|n|) exceeds {FAIL_THRESHOLD:g} (cs231n: below {GOOD:g} is "
                                "good, above 1e-2 is wrong)")
        self.verdict.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        # short headers: a docked panel at 1024x640 elided a long one to "worst rel..."
        headers = (("layer", "The layer whose weights and biases are checked"),
                   ("params", "How many parameters the layer has"),
                   ("worst error", "The largest relative error |a − n| / (|a| + |n|) between "
                                   "backprop's gradient a and the numeric one n in the layer"),
                   ("result", f"PASS when the worst error is at most {FAIL_THRESHOLD:g}"))
        self.table.setHorizontalHeaderLabels([name for name, _ in headers])
        for column, (_, tip) in enumerate(headers):
            self.table.horizontalHeaderItem(column).setToolTip(tip)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setToolTip("Per layer, the largest relative error between backprop's and "
                              "the numeric gradient over its weights and biases")
        self.worst = QLabel()
        self.worst.setWordWrap(True)
        self.worst.setToolTip("The parameter where backprop and the numeric gradient differ most")
        self.timing = QLabel()
        self.timing.setWordWrap(True)
        self.timing.setToolTip("Backprop gets every gradient from one forward and one backward "
                               "pass; centred differences need two forward passes per parameter")

        top = QHBoxLayout()
        top.addWidget(QLabel("ε"))
        top.addWidget(self.epsilon)
        top.addWidget(self.check_button)
        top.addWidget(self.live)
        top.addStretch(1)
        text = QVBoxLayout()
        for w in (self.verdict, self.worst, self.timing):
            text.addWidget(w)
        text.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(text, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 2, 4, 4)
        box.addLayout(top)
        box.addLayout(body, 1)

    def show_report(self, report: CheckReport) -> None:
        r = report.result
        failing = r.failing()
        if r.passed:
            self.verdict.setText(f"<b style='color:#2c7a2c'>PASS</b>: backprop agrees with the "
                                 f"numeric gradient for all {format_count(report.n_params)} "
                                 f"parameters (worst relative error {_e(r.worst_error)} ≤ "
                                 f"{FAIL_THRESHOLD:g}). ε = {r.epsilon:g}, "
                                 f"{format_count(report.n_rows)} rows of {report.rows}, "
                                 f"loss {report.loss}, epoch {format_count(report.epoch)}.")
        else:
            self.verdict.setText(f"<b style='color:#b4501e'>FAIL</b>: {len(failing)} of "
                                 f"{format_count(report.n_params)} parameters have a relative "
                                 f"error above {FAIL_THRESHOLD:g}; their edges are marked in the "
                                 f"graph. ε = {r.epsilon:g}, {format_count(report.n_rows)} rows "
                                 f"of {report.rows}, "
                                 f"loss {report.loss}, epoch {format_count(report.epoch)}.")
        self.table.setRowCount(len(report.per_layer))
        last = len(report.per_layer) - 1
        for l, (err, n) in enumerate(zip(report.per_layer, report.layer_params)):
            name = f"{l + 1} (output)" if l == last else str(l + 1)
            ok = err <= FAIL_THRESHOLD
            text = ("good" if err <= GOOD else "pass") if ok else "FAIL"
            colour = (GREEN if err <= GOOD else AMBER) if ok else RED
            for c, value in enumerate((name, str(n), _e(err), text)):
                item = QTableWidgetItem(value)
                item.setBackground(colour)
                self.table.setItem(l, c, item)
        k = r.worst_index
        self.worst.setText(f"Worst: <b>{r.worst_name}</b>: backprop {_n(r.analytic[k])}, "
                           f"numeric {_n(r.numeric[k])}, relative error {_e(r.worst_error)}")
        P = report.n_params
        bp, nm = r.backprop_seconds * 1e3, r.numeric_seconds * 1e3
        ratio = f" ({format_count(round(nm / bp))}× slower)" if bp > 0 else ""
        self.timing.setText(f"Cost — backprop: 1 forward + 1 backward pass = {bp:.3g} ms; "
                            f"numeric: 2·P = 2·{P} = {2 * P} forward passes = {nm:.3g} ms{ratio}.")


class GradientCheckView(QObject):
    """Controller: the Tools action, the dock, worker requests and the failing-edge marks."""

    checked = Signal(object)  # the CheckReport just shown

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.make_checked_network = _copy  # hook: see the module docstring
        self.report: CheckReport | None = None
        self.error: str | None = None
        self.panel = GradCheckPanel()
        self.dock = add_dock(window, "Gradient check", self.panel, None,
                             "Show the gradient check: backprop against centred differences")
        self.action = add_action(window, "Check &gradients…", "Ctrl+G", "Compare backprop "
                                 "with centred differences for every parameter", self.check)
        menu_named(window, "&Tools").addAction(self.action)
        self._relay = FutureRelay(self, window.turns)
        self._relay.finished.connect(self._on_result)
        self._busy = False
        self._again = False
        self._next_live = 0.0
        self._run_id = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_live_due)
        self.panel.check_button.clicked.connect(self._on_check_clicked)
        self.panel.epsilon.valueChanged.connect(self._on_epsilon_changed)
        window.snapshot_feed.subscribe(self._on_snapshot)
        self.dock.visibilityChanged.connect(self._on_visibility_changed)

    # ------------------------------------------------------------------ public
    def check(self) -> None:
        """Show the dock and check the current network now (or right after a running check)."""
        show_dock(self.dock)
        self._run()

    def _run(self) -> None:
        if self._busy:
            self._again = True
            return
        self._busy, self._again = True, False
        self.panel.check_button.setEnabled(False)
        future = self.window.worker.call(partial(run_check, self.make_checked_network,
                                                 self.panel.epsilon.value()))
        self._relay.watch(future, time.perf_counter())

    # ------------------------------------------------------------------ slots
    def _on_check_clicked(self) -> None:
        self.check()

    def _on_epsilon_changed(self, _value: float) -> None:
        if self.report is not None:
            self._run()

    def _on_result(self, started: float, future) -> None:
        self._busy = False
        self.panel.check_button.setEnabled(True)
        cost = time.perf_counter() - started
        self._next_live = time.perf_counter() + max(MIN_INTERVAL_S, cost / MAX_SHARE)
        self.error = future_error(future)
        if self.error is not None:
            self.panel.verdict.setText(f"<span style='color:#b4501e'>The check failed: "
                                       f"{self.error}</span>")
        else:
            self.report = future.result()
            self.panel.show_report(self.report)
            self._mark_edges()
            self.checked.emit(self.report)
        if self._again:
            self._run()

    def _mark_edges(self) -> None:
        if self.report is not None and self.report.failing_edges and self.dock.isVisible():
            claim_highlight(self.window, self, {e: 1.0 for e in self.report.failing_edges})
        else:
            release_highlight(self.window, self)

    def _on_snapshot(self, snap) -> None:
        if snap.run_id != self._run_id:
            self._run_id = snap.run_id
            if self.report is not None:  # its edges may not exist any more
                release_highlight(self.window, self)
                self.panel.verdict.setText(self.panel.verdict.text() + " <i>(network rebuilt "
                                           "since: check again)</i>")
                self.report = None
        if self.panel.live.isChecked() and self.dock.isVisible() and not self._timer.isActive():
            self._timer.start(max(0, math.ceil((self._next_live - time.perf_counter()) * 1000)))

    def _on_live_due(self) -> None:
        if self.panel.live.isChecked() and self.dock.isVisible() and not self._busy:
            self._run()

    def _on_visibility_changed(self, visible: bool) -> None:
        self._mark_edges()


def _copy(net):
    return net.copy()


def install(window) -> GradientCheckView:
    """Add Tools ▸ Check gradients… (Ctrl+G) and the "Gradient check" dock to ``window``."""
    return install_once(window, "gradcheck", lambda: GradientCheckView(window))
