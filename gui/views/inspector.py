"""The chain-rule inspector: every factor of ∂C/∂W[i][j] (or ∂C/∂b[j]) of the edge selected
in the network graph, with its current value, live while training runs.

The numbers come from ``model.lessons.chain_rule`` run in the worker thread (``worker.call``) on a copy
of the network, for the last minibatch, the next one, or one chosen training example; the
result crosses to the GUI thread as a frozen ``InspectorResult`` of fresh arrays. Requests are
throttled (one in flight, at most ``REFRESH_HZ`` a second) and only made while the dock shows.

The shared dock plumbing lives in ``docks.py``, the rich text in ``inspector_text.py``.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from types import MappingProxyType
from functools import partial

import numpy as np
from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton,
                               QSizePolicy, QSpinBox, QSplitter, QTextBrowser, QVBoxLayout,
                               QWidget)

from model.core.naming import has_parameter
from model.lessons.chain_rule import ChainRule, chain_rule
from model.snapshot import frozen_copy

from gui.shell.docks import (DOCK_HEIGHT, FutureRelay, add_dock, claim_highlight, future_error,
                    install_once, register_escape, release_highlight)
from gui.views.code_notes import inspector_code, inspector_notes
from gui.views.code_view import CodeView, code_action, code_toggle
from gui.views.inspector_text import _escape, parameter_title, render_html

REFRESH_HZ = 5.0
MODES = (("last", "Last minibatch (mean)"), ("next", "Next minibatch (mean)"),
         ("example", "One training example"))


# ----------------------------------------------------------------------------- the numbers
@dataclass(frozen=True, eq=False)
class InspectorResult:
    """The chain rule of one parameter on some rows, computed in the worker; arrays are
    fresh copies no other thread holds."""

    selection: tuple[int, int, int]  # (layer, i, j), i = -1 for the bias b[j]
    mode: str  # "last", "next" or "example"
    rows: np.ndarray  # rows of the training set used
    x: np.ndarray  # their network inputs (features), (n, d)
    y: np.ndarray  # their encoded targets, (n, k)
    chain: ChainRule
    epoch: int
    steps: int


def compute_chain_rule(selection, mode: str, example: int, pg) -> InspectorResult | None:
    """Runs in the worker thread: the chain rule of ``selection`` at the current weights
    (None if the network has no such parameter any more)."""
    layer, i, j = selection
    net, t = pg.net, pg.trainer
    sizes = net.sizes
    if not (0 <= layer < len(sizes) - 1 and 0 <= j < sizes[layer + 1] and -1 <= i < sizes[layer]):
        return None
    n = len(t.X_train)
    if mode == "example":
        rows = np.array([min(max(int(example), 0), n - 1)])
    elif mode == "next" or t.steps == 0 or t.last_batch.stop <= t.last_batch.start:
        rows = t.peek_next_rows()
    else:
        rows = t.order[t.last_batch].copy()
    with np.errstate(all="ignore"):  # a diverging network shows its inf/nan, it does not warn
        cr = chain_rule(net.copy(), t.X_train[rows], t.Y_train[rows], t.loss.name, layer,
                        None if i < 0 else i, j, t.optimizer, t.regularizer)
    chain = ChainRule(cr.layer, cr.i, cr.j, cr.is_output, cr.activation, cr.loss,
                      frozen_copy(cr.source), frozen_copy(cr.fprime), frozen_copy(cr.dC_da),
                      frozen_copy(cr.delta), frozen_copy(cr.products), cr.gradient, cr.trainer_gradient,
                      tuple(cr.downstream), cr.output_formula, _plain(cr.update))
    return InspectorResult((layer, i, j), mode, frozen_copy(rows, np.int64),
                           frozen_copy(t.X_train[rows]), frozen_copy(t.Y_train[rows]), chain,
                           int(t.epoch), int(t.steps))


def _plain(d: dict) -> MappingProxyType:
    """A read-only deep copy of the update dict, numpy scalars as floats."""
    return MappingProxyType({k: _plain(v) if isinstance(v, dict) else
                             (float(v) if isinstance(v, np.floating) else v)
                             for k, v in d.items()})


def path_highlight(result: InspectorResult) -> dict:
    """The selected edge at 1.0 and, for a hidden neuron, each downstream path W_next[j][k]
    in proportion to its share of ∂C/∂a_j (the largest share at 1.0)."""
    layer, i, j = result.selection
    edges = {(layer, i, j): 1.0}
    if not result.chain.is_output and result.chain.downstream:
        top = max(t.share for t in result.chain.downstream) or 1.0
        for t in result.chain.downstream:
            edges[(layer + 1, j, t.k)] = t.share / top if math.isfinite(t.share) else 0.0
    return edges


class InspectorPanel(QWidget):
    """The dock's contents: what to average over, and the chain rule in two columns (side by
    side in a wide dock, stacked in a narrow one)."""

    def sizeHint(self) -> QSize:
        return QSize(900, DOCK_HEIGHT)  # a strip under the graph, not half the window

    def __init__(self, show_code=None, parent=None):
        super().__init__(parent)
        self.title = QLabel("<b>No parameter selected</b>")
        self.title.setToolTip("The weight or bias whose gradient is taken apart below")
        # a long parameter name is clipped (its words stay in the tooltip and the columns)
        # rather than widening the dock, and with it the window
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(120)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Forget the selected edge and clear its highlight (Esc)")
        self.mode = QComboBox()
        for mode, text in MODES:
            self.mode.addItem(text, mode)
        self.mode.setToolTip("Average the chain rule over the minibatch the trainer just used, "
                             "the one it uses next, or show it for one training example")
        self.example = QSpinBox()
        self.example.setRange(0, 0)
        self.example.setPrefix("example #")
        self.example.setToolTip("Which training example (row of the training set) to show")
        self.example.setEnabled(False)
        self.factors = QTextBrowser()
        self.factors.setToolTip("∂C/∂w = ∂z/∂w · ∂a/∂z · ∂C/∂a with the current numbers")
        self.paths = QTextBrowser()
        self.paths.setToolTip("Where ∂C/∂a comes from, the trainer's own gradient, and the "
                              "update this parameter gets next step")
        self.show_code = show_code or QCheckBox("Show the code")
        self.code = CodeView()  # the reference lines of this parameter's gradient and step
        self.code.hide()
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.factors)
        self.split.addWidget(self.paths)
        self.split.addWidget(self.code)
        self.split.setChildrenCollapsible(False)
        self.set_html(_HINT, "")

        top = QHBoxLayout()  # the title has a row of its own: a narrow dock keeps its controls
        top.addWidget(QLabel("Rows:"))
        top.addWidget(self.mode)
        top.addWidget(self.example)
        top.addWidget(self.show_code)
        top.addWidget(self.clear_button)
        top.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 2, 4, 4)
        box.addWidget(self.title)
        box.addLayout(top)
        box.addWidget(self.split, 1)

    def set_html(self, left: str, right: str) -> None:
        for browser, html in ((self.factors, left), (self.paths, right)):
            bar = browser.verticalScrollBar()
            at = bar.value()  # a refresh must not jump back to the top while reading
            browser.setHtml(html)
            bar.setValue(at)

    def set_code_visible(self, on: bool) -> None:
        if on != self.code.isVisible():
            self.code.setVisible(on)
            self._orient(self.size())

    def resizeEvent(self, event) -> None:
        self._orient(event.size())
        super().resizeEvent(event)

    def _orient(self, size) -> None:
        """Side by side in a wide dock (three columns need more width), stacked otherwise."""
        columns = 3 if self.code.isVisible() else 2
        wide = size.width() >= columns * size.height()
        self.split.setOrientation(Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical)


_HINT = ("<p style='color:#888'>Click an edge or a bias in the network graph to see the chain "
         "rule of its gradient: ∂C/∂W[i][j] = a_prev_i · f′(z_j) · ∂C/∂a_j, with the numbers "
         "of the current network.</p>")


class ChainRuleInspector(QObject):
    """Controller: selection → worker request → rendered result and graph highlight."""

    shown = Signal(object)  # the InspectorResult just displayed

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.selection: tuple[int, int, int] | None = None
        self.result: InspectorResult | None = None
        self.error: str | None = None
        self.code_action = code_action(window)  # "Show the code" (C), shared with the lesson
        self.panel = InspectorPanel(code_toggle(window))
        self.dock = add_dock(window, "Chain rule", self.panel, "Ctrl+I",
                             "Show the chain rule of the selected edge's gradient")
        self._snap = None
        self._busy = False
        self._dirty = False
        self._requested_at = -math.inf
        self._relay = FutureRelay(self, window.turns)
        self._relay.finished.connect(self._on_result)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._schedule)
        self.clear_action = QAction("Clear chain-rule selection", window)
        self.clear_action.setToolTip("Forget the inspected edge and clear its highlight (Esc)")
        self.clear_action.setEnabled(False)  # Esc is only taken while there is a selection
        self.clear_action.triggered.connect(self.clear_selection)
        register_escape(window, self.clear_action)  # Esc, shared with the other views

        window.network_view.edge_selected.connect(self._on_edge_selected)
        window.network_view.selection_cleared.connect(self.clear_selection)
        window.snapshot_feed.subscribe(self._on_snapshot)
        self.dock.visibilityChanged.connect(self._on_visibility_changed)
        self.panel.clear_button.clicked.connect(self.clear_selection)
        self.panel.mode.currentIndexChanged.connect(self._on_mode_changed)
        self.panel.example.valueChanged.connect(self._on_example_changed)
        self.code_action.toggled.connect(self._on_code_toggled)
        self._show_code()
        if window.latest_snapshot is not None:
            self._on_snapshot(window.latest_snapshot)

    # ------------------------------------------------------------------ public
    def select(self, layer: int, i: int, j: int) -> None:
        """Inspect W[i][j] of ``layer`` (i = -1: the bias b[j])."""
        self.selection = (int(layer), int(i), int(j))
        self.window.network_view.select(*self.selection, emit=False)  # marked on the graph
        self.clear_action.setEnabled(self.dock.isVisible())
        self._update_title()
        self._schedule()

    def clear_selection(self) -> None:
        self.selection = None
        self.result = None
        self.window.network_view.clear_selection()  # the graph's mark goes too
        self.clear_action.setEnabled(False)
        self._update_title()
        self.panel.set_html(_HINT, "")
        self._show_code()
        release_highlight(self.window, self)

    @property
    def mode(self) -> str:
        return self.panel.mode.currentData()

    def set_mode(self, mode: str, example: int = 0) -> None:
        self.panel.example.setValue(int(example))
        self.panel.mode.setCurrentIndex([m for m, _ in MODES].index(mode))

    # ------------------------------------------------------------------ slots
    def _on_edge_selected(self, layer: int, i: int, j: int) -> None:
        if self._snap is not None and not has_parameter(layer, i, j, self._snap.sizes):
            return  # the graph still drew the network before the snapshot this view has
        self.select(layer, i, j)  # a click on the graph: it marks the edge itself

    def _on_snapshot(self, snap) -> None:
        old, self._snap = self._snap, snap
        n_train = len(snap.X_train)
        self.panel.example.setMaximum(max(n_train - 1, 0))
        if self.selection is not None and (old is None or tuple(old.sizes) != tuple(snap.sizes)):
            if not has_parameter(*self.selection, snap.sizes):
                self.clear_selection()  # the architecture changed: no such edge any more
        self._update_title()
        self._schedule()

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            self._schedule()
            if self.result is not None:
                claim_highlight(self.window, self, path_highlight(self.result))
        else:
            release_highlight(self.window, self)
        self.clear_action.setEnabled(visible and self.selection is not None)

    def _on_code_toggled(self, _on: bool) -> None:
        self._show_code()

    def _on_mode_changed(self, _index: int) -> None:
        self.panel.example.setEnabled(self.mode == "example")
        self._schedule()

    def _on_example_changed(self, _value: int) -> None:
        if self.mode == "example":
            self._schedule()

    # ------------------------------------------------------------------ requests
    def _wanted(self) -> tuple:
        return (self.selection, self.mode,
                self.panel.example.value() if self.mode == "example" else None)

    def _schedule(self) -> None:
        """Ask the worker for the numbers now, or as soon as the rate limit allows."""
        if self.selection is None or not self.dock.isVisible():
            return
        if self._busy:
            self._dirty = True
            return
        wait = self._requested_at + 1.0 / REFRESH_HZ - time.perf_counter()
        if wait > 0:
            if not self._timer.isActive():
                self._timer.start(max(1, math.ceil(wait * 1000)))
            return
        self._busy, self._dirty = True, False
        self._requested_at = time.perf_counter()
        selection, mode, example = self._wanted()
        future = self.window.worker.call(partial(compute_chain_rule, selection, mode,
                                                 example or 0))
        self._relay.watch(future, self._wanted())

    def _on_result(self, wanted, future) -> None:
        self._busy = False
        error = future_error(future)
        if wanted == self._wanted() and self.selection is not None:
            if error is not None:
                self.error = error
                self.panel.set_html(f"<p style='color:#b4501e'>Cannot compute the chain rule: "
                                    f"{_escape(error)}</p>", "")
            else:
                result = future.result()
                if result is None:
                    self.clear_selection()
                else:
                    self._show(result)
        if self._dirty or wanted != self._wanted():
            self._schedule()

    def _show(self, result: InspectorResult) -> None:
        self.result, self.error = result, None
        self.panel.set_html(*render_html(result, self._snap))
        self._show_code()
        if self.dock.isVisible():
            claim_highlight(self.window, self, path_highlight(result))
        self.shown.emit(result)

    def _show_code(self) -> None:
        """The reference lines of the selected parameter's gradient and update: an output
        neuron's delta (R3) or a hidden one's (R4), then R5 (a weight) or R6 (a bias)."""
        p, on = self.panel, self.code_action.isChecked()
        p.set_code_visible(on)
        if not on:
            return
        if self.result is None:
            p.code.show_message("Click an edge or a bias on the graph: the reference code of "
                                "its gradient shows here, with its numbers.")
        else:
            p.code.show_code(inspector_code(self.result), inspector_notes(self.result))

    def _update_title(self) -> None:
        if self.selection is None or self._snap is None:
            self.panel.title.setText("<b>No parameter selected</b>")
            return
        self.panel.title.setText(parameter_title(self.selection, self._snap))


def install(window) -> ChainRuleInspector:
    """Add the "Chain rule" dock (View menu, Ctrl+I) to ``window``; returns its controller."""
    return install_once(window, "inspector", lambda: ChainRuleInspector(window))
