"""Look at one data point: click a point in the output view to see its forward pass on the
graph (every neuron's activation for that point), its loss and prediction, and its own
gradient on the edges — which weights this point pulls, and which way a step would move them.

The numbers come from ``inspect_point`` run in the worker thread on a copy of the network
(``worker.call``) and cross to the GUI thread as a frozen ``PointInfo``. While training runs
they are refreshed at most ``REFRESH_HZ`` a second. Clicks are ignored while a drawing tool is
on (the output view's "tool" property) or while another feature draws the graph itself
(lesson mode, a moment of the training history). Esc or a click on empty space clears.

Entry point: ``install(window) -> PointView``.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QSize, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from model.snapshot import frozen_copy
from model.core.trainer import predicted_classes
from model.numbers import count_of

from gui.shell.docks import (FutureRelay, add_dock, claim_highlight, frozen_by_others, future_error,
                    install_once, register_escape, release_highlight, show_dock)
from gui.graph.graph_text import label_rows, parameter_of, short_number, tiny_number

PICK_RADIUS_PX = 8  # a click this close to a point selects it
REFRESH_HZ = 4.0
TOP_EDGES = 12  # edges labelled on the graph (the largest per-example gradients)
OWNER = "point"


@dataclass(frozen=True, eq=False)
class PointInfo:
    """One data point through the current network; arrays are fresh read-only copies."""

    part: str  # "train" | "test"
    index: int  # row in that part of the data
    raw: np.ndarray  # (x1, x2, ...) as plotted
    acts: tuple[np.ndarray, ...]  # per column: inputs (features), then each layer's a
    zs: tuple[np.ndarray, ...]  # per layer
    target: np.ndarray  # encoded for the output layer (k,)
    label: str  # class name, or the target values
    prediction: str  # predicted class, or the output values
    correct: bool | None  # classification only
    loss: float
    grad_w: tuple[np.ndarray, ...]  # this example's ∂C/∂W per layer
    grad_b: tuple[np.ndarray, ...]
    steps: int


def inspect_point(part: str, index: int, raw, pg) -> PointInfo:
    """Runs in the worker thread: the point's forward pass, loss and gradient on a copy."""
    data = pg.data
    X = data.X_train if part == "train" else data.X_test
    if not 0 <= index < len(X) or not np.allclose(X[index], raw):
        raise ValueError("the data changed; click the point again")
    x = pg.transform(X[index:index + 1])
    Y = (pg.Y_train if part == "train" else pg.Y_test)[index:index + 1]
    net = pg.net.copy()
    with np.errstate(all="ignore"):
        zs, acts = net.forward_all(x)
        loss, grads = net.loss_and_gradients(x, Y, pg.trainer.loss)
    y_raw = (data.y_train if part == "train" else data.y_test)[index]
    out = acts[-1]
    if data.task == "classification":
        k = int(predicted_classes(out, net.output_activation)[0])
        names = data.target_names
        label, prediction = names[int(y_raw)], names[k] if k < len(names) else str(k)
        correct = k == int(y_raw)
    else:
        label = ", ".join(short_number(v) for v in np.ravel(y_raw))
        prediction = ", ".join(short_number(v) for v in out[0])
        correct = None
    return PointInfo(part, int(index), frozen_copy(X[index]), tuple(frozen_copy(a[0]) for a in acts),
                     tuple(frozen_copy(z[0]) for z in zs), frozen_copy(Y[0]), label, prediction,
                     correct, float(loss), tuple(frozen_copy(g[0]) for g in grads),
                     tuple(frozen_copy(g[1]) for g in grads), int(pg.trainer.steps))


def gradient_view(info: PointInfo, top: int = TOP_EDGES) -> tuple[dict, dict, dict]:
    """(neuron labels, edge labels, highlight shares) for the graph. An edge's arrow is the
    way a gradient step on this point alone would move the weight: the sign of −∂C/∂w."""
    # each label: its full text, then a short one for a crowded graph (``set_annotations``)
    neurons = {(c, u): (f"{'x' if c == 0 else 'a'}={short_number(v)}", tiny_number(v))
               for c, a in enumerate(info.acts) for u, v in enumerate(a)}
    g = {}
    for l, (gw, gb) in enumerate(zip(info.grad_w, info.grad_b)):
        g.update({(l, i, j): float(gw[i, j]) for i in range(gw.shape[0])
                  for j in range(gw.shape[1])})
        g.update({(l, -1, j): float(v) for j, v in enumerate(gb)})
    finite = {k: v for k, v in g.items() if math.isfinite(v)}
    biggest = max((abs(v) for v in finite.values()), default=0.0)
    shares = {k: (abs(finite.get(k, 0.0)) / biggest if biggest > 0 else 0.0) for k in g}
    strongest = sorted((k for k in finite if finite[k] != 0), key=lambda k: -abs(finite[k]))
    arrow = lambda k: "↑" if finite[k] < 0 else "↓"  # noqa: E731
    edges = {k: (f"{arrow(k)} {short_number(abs(finite[k]))}",
                 f"{arrow(k)}{tiny_number(abs(finite[k]))}") for k in strongest[:top]}
    return neurons, edges, shares


class PointPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setToolTip("The selected point: where it is, its label, what the "
                                "network predicts and the loss on it")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.pulls = QTextBrowser()
        self.pulls.setToolTip("The weights this point's gradient is largest on; ↑ a step on "
                              "this point alone would raise the weight, ↓ lower it")
        self.clear = QPushButton("Clear")
        self.clear.setToolTip("Forget the selected point (Esc, or click empty space)")
        self.clear.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        left = QVBoxLayout()
        left.addWidget(self.summary, 1)
        left.addWidget(self.clear, 0, Qt.AlignmentFlag.AlignLeft)
        box = QHBoxLayout(self)
        box.setContentsMargins(4, 2, 4, 4)
        box.addLayout(left, 1)
        box.addWidget(self.pulls, 1)

    def sizeHint(self) -> QSize:
        return QSize(900, 180)


_HINT = ("Click a data point in the output view to see its forward pass on the graph, its "
         "loss and prediction, and which weights its gradient pulls, and which way.")


class PointView(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.selected: tuple[str, int, np.ndarray] | None = None  # (part, index, raw point)
        self.info: PointInfo | None = None
        self.error: str | None = None
        self._busy = False
        self._dirty = False
        self._requested_at = -math.inf
        self._relay = FutureRelay(self, window.turns)
        self._relay.finished.connect(self._on_result)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._refresh)
        self.panel = PointPanel()
        self.dock = add_dock(window, "Data point", self.panel, None,
                             "Show the selected data point's numbers")
        self.clear_action = QAction("Clear selected data point", window)
        self.clear_action.setToolTip("Forget the selected data point (Esc)")
        self.clear_action.setEnabled(False)  # Esc is only taken while a point is selected
        self.clear_action.triggered.connect(self.clear)
        register_escape(window, self.clear_action)  # Esc, shared with the other views
        self.panel.clear.clicked.connect(self.clear)
        plot = window.output_view.plot
        self.marker = pg.ScatterPlotItem(size=17, symbol="o", brush=None,
                                         pen=pg.mkPen(20, 20, 20, 255, width=2.5))
        self.marker.setZValue(20)
        plot.addItem(self.marker)
        plot.scene().sigMouseClicked.connect(self._on_clicked)
        window.snapshot_feed.subscribe(self._on_snapshot)
        window.network_view.annotations_changed.connect(self._on_annotations_changed)
        self._show()

    # ------------------------------------------------------------------ public
    def select(self, part: str, index: int) -> None:
        """Inspect point ``index`` of the training ("train") or test ("test") data."""
        w = self.window
        if frozen_by_others(w, self, w.network_view):
            w.statusBar().showMessage("The graph shows a lesson or a past moment: go back to "
                                      "live training to inspect a data point")
            return
        snap = w.latest_snapshot
        X = snap.X_train if part == "train" else snap.X_test
        self.selected = (part, int(index), np.array(X[index]))
        self.info, self.error = None, None
        at = _plane_points(snap, part)[index]  # where it is drawn (a slice, PCA: not X[:2])
        self.marker.setData(x=[at[0]], y=[at[1]])
        self.clear_action.setEnabled(True)
        show_dock(self.dock)
        self._refresh()

    def select_at(self, x: float, y: float) -> bool:
        """Select the point nearest (x, y) (data coordinates) within PICK_RADIUS_PX pixels;
        clear the selection when there is none. Returns whether a point was selected."""
        snap = self.window.latest_snapshot
        if snap is None:
            return False
        px, py = self.window.output_view.plot.getPlotItem().vb.viewPixelSize()
        best = None
        parts = [("train", _plane_points(snap, "train"))]
        if self.window.output_view.show_test.isChecked():
            parts.append(("test", _plane_points(snap, "test")))
        for part, X in parts:
            if not len(X):
                continue
            d = np.hypot((X[:, 0] - x) / max(px, 1e-12), (X[:, 1] - y) / max(py, 1e-12))
            k = int(np.argmin(d))
            if d[k] <= PICK_RADIUS_PX and (best is None or d[k] < best[0]):
                best = (d[k], part, k)
        if best is None:
            self.clear()
            return False
        self.select(best[1], best[2])
        return True

    def clear(self) -> None:
        was = self.selected is not None
        self.selected, self.info, self.error = None, None, None
        self.marker.clear()
        self.clear_action.setEnabled(False)
        if was and not frozen_by_others(self.window, self, self.window.network_view):
            self._release_graph()
        self._show()

    # ------------------------------------------------------------------ events
    def _on_clicked(self, event) -> None:
        w = self.window
        if event.button() != Qt.MouseButton.LeftButton or w.output_view.property("tool"):
            return  # a drawing tool owns the clicks
        vb = w.output_view.plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return  # on an axis, not on the plane
        p = vb.mapSceneToView(event.scenePos())
        self.select_at(p.x(), p.y())

    def _on_snapshot(self, snap) -> None:
        if self.selected is None:
            return
        if frozen_by_others(self.window, self, self.window.network_view):
            self.clear()  # the graph shows something else now
            return
        wait = self._requested_at + 1.0 / REFRESH_HZ - time.perf_counter()
        if wait <= 0:
            self._refresh()
        elif not self._timer.isActive():
            self._timer.start(max(1, round(wait * 1000)))

    def _on_annotations_changed(self, owner: str) -> None:
        if owner != OWNER and self.selected is not None:
            self.selected, self.info = None, None  # another feature labels the graph now
            self.marker.clear()
            self.clear_action.setEnabled(False)
            self._show()

    # ------------------------------------------------------------------ worker round trips
    def _refresh(self) -> None:
        if self.selected is None:
            return
        if self._busy:
            self._dirty = True
            return
        self._busy, self._dirty = True, False
        self._requested_at = time.perf_counter()
        part, index, raw = self.selected
        future = self.window.worker.call(partial(inspect_point, part, index, raw))
        self._relay.watch(future, (part, index))

    def _on_result(self, tag, future) -> None:
        self._busy = False
        if self.selected is None or tag != self.selected[:2]:
            if self._dirty and self.selected is not None:
                self._refresh()
            return
        error = future_error(future)
        if error:
            self.window.statusBar().showMessage(f"Data point: {error}")
            self.clear()
            return
        self.info = future.result()
        if self._dirty:
            self._refresh()
        if frozen_by_others(self.window, self, self.window.network_view):
            self.clear()
            return
        self._show()

    # ------------------------------------------------------------------ drawing
    def _release_graph(self) -> None:
        w = self.window
        if w.network_view.annotations() != ({}, {}, None):
            w.network_view.set_annotations(None, None, None, owner=OWNER)
        release_highlight(w, self)

    def _show(self) -> None:
        p, info, snap = self.panel, self.info, self.window.latest_snapshot
        if self.selected is None:
            p.summary.setText(_HINT)
            p.pulls.setHtml("")
            return
        if info is None:
            p.summary.setText("Computing…")
            return
        neurons, edges, shares = gradient_view(info)
        w = self.window
        w.network_view.set_annotations(neurons, edges, None, owner=OWNER)
        claim_highlight(w, self, shares)
        where = ", ".join(short_number(v) for v in info.raw)
        if len(info.raw) > 2 and snap is not None and len(snap.input_names) == len(info.raw):
            where = ", ".join(f"{_html(name)} = {short_number(v)}"
                              for name, v in zip(snap.input_names, info.raw))
        if getattr(snap, "input_scaling", None):
            where += f"; scaled ({snap.input_scaling}) on the graph"
        verdict = "" if info.correct is None else (" ✓ correct" if info.correct else " ✗ wrong")
        p.summary.setText(
            f"<b>{'Training' if info.part == 'train' else 'Test'} point #{info.index}</b> at "
            f"({where})<br>label: <b>{info.label}</b><br>prediction: <b>{info.prediction}</b>"
            f"{verdict}<br>output: {', '.join(short_number(v) for v in info.acts[-1])}<br>"
            f"loss on this point: <b>{short_number(info.loss)}</b><br>"
            f"<span style='color:#888'>after {count_of(info.steps, 'step')}</span>")
        rows = []
        for (l, i, j), text in edges.items():
            name = parameter_of(snap, l, i, j)
            g = info.grad_b[l][j] if i < 0 else info.grad_w[l][i, j]
            rows.append(f"<tr><td>{_html(name)}</td><td align='right'>{short_number(g)}</td>"
                        f"<td align='center'>{text[0].split()[0]}</td></tr>")
        values = "".join(f"<tr><td>{_html(unit)}</td><td align='right'>{_html(text)}</td></tr>"
                         for unit, text in label_rows(snap, neurons, {}))
        p.pulls.setHtml("<p>The weights this point pulls hardest (∂C/∂w for this point "
                        "alone):</p>" + _TABLE + "<tr style='background:rgba(128,128,128,48)'><th>edge</th>"
                        "<th>∂C/∂w</th><th>step</th></tr>" + "".join(rows) + "</table>"
                        "<p>Its forward pass (the numbers under the neurons):</p>" + _TABLE +
                        "<tr style='background:rgba(128,128,128,48)'><th>neuron</th><th>value</th></tr>" +
                        values + "</table>")


_TABLE = "<table cellspacing='0' cellpadding='2' border='1' style='border-color:#ccc'>"


def _plane_points(snap, part: str) -> np.ndarray:
    """(n, 2) where the rows of ``part`` are drawn in the output view."""
    points = getattr(snap, "points", None)
    if points is not None:
        return points(part)
    return (snap.X_train if part == "train" else snap.X_test)[:, :2]


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def install(window) -> PointView:
    return install_once(window, "point_view", lambda: PointView(window))
