"""Lesson mode: one minibatch (or one training example) taken through its phases by hand —
forward one layer at a time, the loss, backward one layer at a time, the update.

Training pauses; ``model.phases.PhaseStepper`` is built in the worker thread (it computes on
copies, so walking through the phases changes nothing) and its frozen phases are read here.
The graph shows the phase: labels under the neurons (z and a, then δ), on the edges (weights,
gradients, Δw), the active column on a band, and the edge colours from the stepper's own
gradients and updates. "Apply step" makes the trainer take exactly that step (its normal
step, or the one example's) and moves on to the next minibatch; leaving asks whether to apply
or discard.

While the lesson shows, the main window must not draw live snapshots over the graph: the
controller registers the network view in ``window.frozen_views`` (see ``freeze_views``).

Entry point: ``install(window) -> LessonController``.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import partial

import numpy as np
from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QMessageBox, QPushButton,
                               QSpinBox, QTextBrowser, QVBoxLayout, QWidget)

from model.phases import Phase, PhaseStepper

from .docks import (FutureRelay, add_dock, claim_highlight, future_error, install_once,
                    menu_named, release_highlight, show_dock)
from .graph_items import unit_name

MAX_EDGE_LABELS = 40  # more labels than this are unreadable: the largest ones are shown
OWNER = "lesson"


# ----------------------------------------------------------------------------- shared helpers
def freeze_views(window, owner, views) -> None:
    """Ask the main window not to draw live snapshots on ``views`` (owner draws them itself);
    an empty ``views`` thaws them. Several owners may freeze at once."""
    frozen = window.__dict__.setdefault("frozen_views", {})
    if views:
        frozen[owner] = set(views)
    else:
        frozen.pop(owner, None)


def frozen_by_others(window, owner, view) -> bool:
    return any(view in views for o, views in getattr(window, "frozen_views", {}).items()
               if o is not owner)


def _n(v: float) -> str:
    v = float(v)
    if not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("∞" if v > 0 else "−∞")
    return f"{v:.4g}".replace("-", "−")


def _frozen(a, dtype=float) -> np.ndarray:
    a = np.array(a, dtype=dtype, copy=True)
    a.flags.writeable = False
    return a


# ----------------------------------------------------------------------------- the worker side
@dataclass(frozen=True, eq=False)
class LessonBuild:
    """A PhaseStepper and what the GUI shows with it. ``stepper`` is only used in the worker
    thread (apply); its phases are frozen and read-only here."""

    stepper: PhaseStepper
    phases: tuple[Phase, ...]
    single: bool
    rows: np.ndarray
    x: np.ndarray  # the rows' network inputs (n, d)
    y: np.ndarray  # their encoded targets (n, k)
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    params: np.ndarray  # the network's parameters when built (to notice later changes)
    steps: int
    epoch: int
    settings: object
    n_train: int


def build_lesson(rows, pg) -> LessonBuild:
    """Runs in the worker thread: the phases of the next minibatch (rows None) or of rows."""
    t = pg.trainer
    if rows is not None:
        rows = [min(max(int(r), 0), len(t.X_train) - 1) for r in rows]
    with np.errstate(all="ignore"):
        stepper = PhaseStepper(t, rows)
    net = pg.net
    return LessonBuild(stepper, tuple(stepper.phases), stepper.single,
                       _frozen(stepper.rows, np.int64), _frozen(t.X_train[stepper.rows]),
                       _frozen(t.Y_train[stepper.rows]),
                       tuple(_frozen(layer.W) for layer in net.layers),
                       tuple(_frozen(layer.b) for layer in net.layers), _frozen(net.params),
                       int(t.steps), int(t.epoch), pg.settings, len(t.X_train))


def apply_lesson(stepper: PhaseStepper, pg) -> np.ndarray:
    """Runs in the worker thread: the trainer takes the step (as the Step button would)."""
    if pg.trainer is not stepper.trainer:
        raise RuntimeError("the network was rebuilt since the lesson started; nothing applied")
    pg.trainer.reset_divergence()
    stepper.apply()
    return pg.net.params.copy()


# ----------------------------------------------------------------------------- phase → graph
def _top(values: dict, n: int = MAX_EDGE_LABELS) -> dict:
    """The n entries of largest magnitude."""
    keep = sorted(values, key=lambda k: -abs(values[k]) if math.isfinite(values[k]) else 0)[:n]
    return {k: values[k] for k in keep}


def _layer_values(W, b, layer: int, with_biases: bool = True) -> dict:
    out = {(layer, i, j): float(W[i, j]) for i in range(W.shape[0]) for j in range(W.shape[1])}
    if with_biases:
        out.update({(layer, -1, j): float(b[j]) for j in range(len(b))})
    return out


def phase_view(build: LessonBuild, index: int) -> dict:
    """What the graph shows at phase ``index``: neuron and edge labels, the active column,
    the edge mode, the highlight, and the gradients/updates to colour the edges with."""
    phases = build.phases
    phase = phases[index]
    L = len(build.weights)
    mean = lambda a: np.mean(a, axis=0)  # noqa: E731 - a minibatch shows its mean
    acts = {0: mean(build.x)}
    zs, deltas, grads = {}, {}, {}
    for p in phases[:index + 1]:
        if p.kind == "forward":
            zs[p.layer + 1], acts[p.layer + 1] = mean(p.z), mean(p.a)
        elif p.kind == "backward":
            deltas[p.layer + 1], grads[p.layer] = mean(p.delta), (p.dW, p.db)
    neurons, edges, active, mode, highlight = {}, {}, None, "weights", None
    grad_w = [np.zeros_like(w) for w in build.weights]
    grad_b = [np.zeros_like(b) for b in build.biases]
    upd_w, upd_b = list(grad_w), list(grad_b)
    for layer, (dW, db) in grads.items():
        grad_w[layer], grad_b[layer] = dW, db
    if phase.kind in ("forward", "loss"):
        for c, a in acts.items():
            for u, v in enumerate(a):
                neurons[(c, u)] = f"x={_n(v)}" if c == 0 else f"a={_n(v)}"
    if phase.kind == "forward":
        c = active = phase.layer + 1
        for u in range(len(acts[c])):
            neurons[(c, u)] = f"z={_n(zs[c][u])} a={_n(acts[c][u])}"
        l = phase.layer
        values = _layer_values(build.weights[l], build.biases[l], l)
        edges = {k: f"{_n(v)}" for k, v in _top(values).items()}
        highlight = {k: 1.0 for k in values}
    elif phase.kind == "loss":
        active = L
        y = mean(build.y)
        for u, v in enumerate(acts[L]):
            neurons[(L, u)] = f"a={_n(v)} y={_n(y[u])}"
    elif phase.kind == "backward":
        mode, l = "gradients", phase.layer
        active = l + 1
        for c in range(1, L + 1):
            if c in deltas:
                for u, v in enumerate(deltas[c]):
                    neurons[(c, u)] = f"δ={_n(v)}"
            elif c <= l:
                for u, v in enumerate(acts[c]):
                    neurons[(c, u)] = f"a={_n(v)}"
        values = _layer_values(*grads[l], l)
        top = _top(values)
        edges = {k: f"{'+' if v > 0 else ''}{_n(v)}" for k, v in top.items()}
        biggest = max((abs(v) for v in values.values() if math.isfinite(v)), default=0.0)
        highlight = {k: (abs(v) / biggest if biggest > 0 and math.isfinite(v) else 0.0)
                     for k, v in values.items()}
    else:  # update
        mode = "updates"
        upd_w, upd_b = list(phase.delta_W), list(phase.delta_b)
        values = {}
        for l in range(L):
            values.update(_layer_values(upd_w[l], upd_b[l], l))
        edges = {k: f"Δ{'+' if v > 0 else ''}{_n(v)}" for k, v in _top(values).items()}
    return {"neurons": neurons, "edges": edges, "active": active, "mode": mode,
            "highlight": highlight, "grad": (grad_w, grad_b), "update": (upd_w, upd_b)}


def preview_snapshot(base, build: LessonBuild, view: dict):
    """The base snapshot with the lesson's weights, gradients and updates (read-only copies)."""
    t = lambda arrays: tuple(_frozen(a) for a in arrays)  # noqa: E731
    return dataclasses.replace(base, weights=t(build.weights), biases=t(build.biases),
                               grad_weights=t(view["grad"][0]), grad_biases=t(view["grad"][1]),
                               update_weights=t(view["update"][0]),
                               update_biases=t(view["update"][1]))


# ----------------------------------------------------------------------------- the dock's text
def _table(head, rows) -> str:
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td align='right'>{c}</td>" for c in r) + "</tr>"
                   for r in rows)
    return (f"<table cellspacing='0' cellpadding='2' border='1' style='border-color:#ccc'>"
            f"<tr style='background:#eef0f2'>{cells}</tr>{body}</table>")


def phase_html(build: LessonBuild, index: int, snap) -> str:
    p = build.phases[index]
    name = lambda c, u: unit_name(snap, c, u) if snap is not None else f"{c}:{u}"  # noqa: E731
    n = len(build.rows)
    where = ("one example" if build.single else
             f"the mean over the minibatch's {n} examples" if n > 1 else "the minibatch's example")
    out = [f"<p style='color:#666'>Numbers on the graph: {where}.</p>"]
    if p.kind == "forward":
        c = p.layer + 1
        out.append(_table(["neuron", "z", "a"], [(name(c, u), _n(z), _n(a)) for u, (z, a) in
                                                enumerate(zip(p.z.mean(0), p.a.mean(0)))]))
    elif p.kind == "loss":
        out.append(f"<p><b>C = {_n(p.loss)}</b></p>")
        k = p.outputs.shape[1]
        rows = [(f"row {r}",) + tuple(f"{_n(p.outputs[e, u])} / {_n(p.targets[e, u])}"
                                      for u in range(k)) for e, r in enumerate(build.rows[:8])]
        out.append(_table(["example"] + [f"{name(len(build.weights), u)}: a / y"
                                         for u in range(k)], rows))
    elif p.kind == "backward":
        c = p.layer + 1
        out.append(_table(["neuron", "δ", "∂C/∂b"], [(name(c, u), _n(d), _n(g)) for u, (d, g) in
                                                      enumerate(zip(p.delta.mean(0), p.db))]))
        if p.dW.size <= 64:
            out.append("<p>∂C/∂W (row: from, column: to)</p>")
            out.append(_table([""] + [name(c, j) for j in range(p.dW.shape[1])],
                              [(name(c - 1, i),) + tuple(_n(v) for v in p.dW[i])
                               for i in range(p.dW.shape[0])]))
    else:
        big = lambda a: _n(np.abs(a).max(initial=0.0))  # noqa: E731
        rows = [(f"layer {l + 1}", big(dw), big(db))
                for l, (dw, db) in enumerate(zip(p.delta_W, p.delta_b))]
        out.append(_table(["", "largest |Δw|", "largest |Δb|"], rows))
        out.append("<p>Apply the step to make these changes; Discard leaves the network as it "
                   "is.</p>")
    return "".join(out)


def progress_html(build: LessonBuild, index: int) -> str:
    chips = []
    for k, p in enumerate(build.phases):
        text = {"forward": f"F{(p.layer or 0) + 1}", "backward": f"B{(p.layer or 0) + 1}",
                "loss": "Loss", "update": "Update"}[p.kind]
        style = ("background:#fde7a9; font-weight:bold; color:#222" if k == index else
                 "color:#999" if k > index else "color:#444")
        chips.append(f"<span style='{style}'>&nbsp;{text}&nbsp;</span>")
    return " › ".join(chips) + f"&nbsp;&nbsp;<span style='color:#666'>(phase {index + 1} of " \
                               f"{len(build.phases)})</span>"


# ----------------------------------------------------------------------------- the dock
class LessonPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel("<b>Lesson mode is off</b>")
        self.title.setToolTip("The phase shown on the graph")
        self.progress = QLabel()
        self.progress.setToolTip("Forward through the layers, the loss, backward, the update")
        self.formula = QLabel()
        self.formula.setStyleSheet("font-family: monospace; color: #333;")
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.formula.setToolTip("What this phase computes (z = a_prev·W + b, a = f(z), "
                                "δ = ∂C/∂z)")
        self.source = QLabel()
        self.source.setToolTip("Which examples the step is computed on")
        self.details = QTextBrowser()
        self.details.setToolTip("The phase's numbers")
        self.mode = QComboBox()
        self.mode.addItem("Next minibatch", "batch")
        self.mode.addItem("One training example", "example")
        self.mode.setToolTip("Step the trainer's next minibatch, or a single training example")
        self.row = QSpinBox()
        self.row.setPrefix("row ")
        self.row.setToolTip("Which training example (row of the training set)")
        self.back = QPushButton("◀ Back")
        self.back.setToolTip("The previous phase (B or Page Up)")
        self.next = QPushButton("Next ▶")
        self.next.setToolTip("The next phase (N or Page Down)")
        self.apply = QPushButton("Apply step")
        self.apply.setToolTip("Let the trainer take this step, then go on with the next one")
        self.discard = QPushButton("Discard")
        self.discard.setToolTip("Leave lesson mode without changing the network")
        top = QHBoxLayout()
        top.addWidget(self.mode)
        top.addWidget(self.row)
        top.addStretch(1)
        buttons = QHBoxLayout()
        for b in (self.back, self.next, self.apply, self.discard):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window's shortcuts
            buttons.addWidget(b)
        left = QVBoxLayout()
        left.addLayout(top)
        for w in (self.title, self.progress, self.formula, self.source):
            left.addWidget(w)
        left.addStretch(1)
        left.addLayout(buttons)
        box = QHBoxLayout(self)  # side by side: a bottom dock must stay low
        box.setContentsMargins(4, 2, 4, 4)
        box.addLayout(left, 1)
        box.addWidget(self.details, 1)

    def sizeHint(self) -> QSize:
        return QSize(900, 200)


class LessonController(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.build: LessonBuild | None = None  # the phases shown
        self.index = 0
        self.active = False
        self.error: str | None = None
        self._busy = False  # a build is running in the worker
        self._dirty = False  # the network changed while it ran: build again afterwards
        self._saved: dict = {}  # what lesson mode changed, to restore on leaving
        self._relay = FutureRelay(self)
        self._relay.finished.connect(self._on_result)
        self.panel = LessonPanel()
        self.dock = add_dock(window, "Lesson", self.panel, "Ctrl+Shift+L",
                             "Show the lesson-mode panel")
        self.toggle = self._action("&Lesson mode", "L", "Step one minibatch (or one example) "
                                   "through its phases by hand", checkable=True)
        self.toggle.triggered.connect(self._on_toggle)
        self.next_action = self._action("&Next phase", "N", "The next phase of the lesson")
        self.next_action.setShortcuts([QKeySequence("N"), QKeySequence("PgDown")])
        self.back_action = self._action("&Previous phase", "B", "The previous phase")
        self.back_action.setShortcuts([QKeySequence("B"), QKeySequence("PgUp")])
        self.next_action.triggered.connect(self.next)
        self.back_action.triggered.connect(self.back)
        menu = menu_named(window, "&Lesson")
        menu.addActions([self.toggle, self.next_action, self.back_action])
        p = self.panel
        p.next.clicked.connect(self.next)
        p.back.clicked.connect(self.back)
        p.apply.clicked.connect(self._on_apply_clicked)
        p.discard.clicked.connect(self.discard)
        p.mode.currentIndexChanged.connect(self._on_source_changed)
        p.row.valueChanged.connect(self._on_source_changed)
        window.worker.snapshot_ready.connect(self._on_snapshot)
        window.network_view.annotations_changed.connect(self._on_annotations_changed)
        self._update_controls()

    def _action(self, text, key, tip, checkable=False) -> QAction:
        a = QAction(text, self.window)
        a.setShortcut(QKeySequence(key))
        a.setToolTip(f"{tip} ({key})")
        a.setStatusTip(tip)
        a.setCheckable(checkable)
        self.window.addAction(a)  # the shortcut works whichever widget has the focus
        return a

    # ------------------------------------------------------------------ public
    @property
    def phase(self) -> Phase | None:
        return self.build.phases[self.index] if self.build is not None else None

    def start(self, rows=None) -> None:
        """Enter lesson mode on the next minibatch, or on ``rows`` (one example: [row])."""
        p, w = self.panel, self.window
        if frozen_by_others(w, self, w.network_view):
            w.statusBar().showMessage("The graph shows a past moment: press Live in the "
                                      "training history first")
            self._update_controls()
            return
        if rows is not None:
            p.row.blockSignals(True)
            p.row.setMaximum(max(p.row.maximum(), int(rows[0])))
            p.row.setValue(int(rows[0]))
            p.row.blockSignals(False)
            p.mode.blockSignals(True)
            p.mode.setCurrentIndex(1)
            p.mode.blockSignals(False)
        if not self.active:
            self.active = True
            w.pause()
            acts = w.actions_
            self._saved = {"enabled": {a: a.isEnabled() for a in (acts.play, acts.step,
                                                                  acts.step_epoch)},
                           "mode": w.edge_mode.currentData()}
            for a in self._saved["enabled"]:
                a.setEnabled(False)  # the lesson's step is the only step meanwhile
            freeze_views(w, self, {w.network_view})
            show_dock(self.dock)
        self.build, self.index, self.error = None, 0, None
        self._request()
        self._update_controls()

    def next(self) -> None:
        if self.build is not None and self.index < len(self.build.phases) - 1:
            self.index += 1
            self._show()

    def back(self) -> None:
        if self.build is not None and self.index > 0:
            self.index -= 1
            self._show()

    def apply(self, leave: bool = False):
        """The trainer takes the step shown (exactly its normal step); the lesson goes on with
        the next minibatch (the next row for one example) unless ``leave``."""
        if self.build is None:
            return None
        if self.build.single:
            future = self.window.worker.call(partial(apply_lesson, self.build.stepper))
            self._relay.watch(future, "apply")
            self.window.worker.request_snapshot()
        else:
            # The Step command itself (PhaseStepper.apply is the same trainer.step_batch):
            # the worker's observers (history, health) then hear of the step too.
            future = None
            self.window.step()
        if leave:
            self.stop()
        elif self.build.single:
            p = self.panel
            p.row.blockSignals(True)
            p.row.setValue((p.row.value() + 1) % max(1, self.build.n_train))
            p.row.blockSignals(False)
        self.window.statusBar().showMessage("Lesson: step applied")
        return future

    def discard(self) -> None:
        if self.build is not None:
            self.window.worker.call(lambda pg, s=self.build.stepper: s.discard())
        self.stop()
        self.window.statusBar().showMessage("Lesson: step discarded, the network is unchanged")

    def leave(self) -> None:
        """Leave lesson mode, asking whether to apply or discard the step."""
        if not self.active:
            return
        answer = self.ask_leave() if self.build is not None else "discard"
        if answer == "apply":
            self.apply(leave=True)
        elif answer == "discard":
            self.discard()
        else:
            self.toggle.setChecked(True)

    def ask_leave(self) -> str:
        """"apply", "discard" or "cancel" (tests replace this)."""
        box = QMessageBox(QMessageBox.Icon.Question, "Leave lesson mode",
                          "Apply this step to the network, or discard it?", parent=self.window)
        apply = box.addButton("Apply step", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return ("apply" if box.clickedButton() is apply else
                "discard" if box.clickedButton() is discard else "cancel")

    def stop(self) -> None:
        """Leave lesson mode (nothing is applied here): restore the window."""
        if not self.active:
            return
        w = self.window
        self.active, self.build, self.index = False, None, 0
        for a, enabled in self._saved.get("enabled", {}).items():
            a.setEnabled(enabled)
        mode = self._saved.get("mode")
        if mode is not None:
            w.edge_mode.setCurrentIndex(w.edge_mode.findData(mode))
        w.network_view.set_annotations(None, None, None, owner=OWNER)
        release_highlight(w, self)
        freeze_views(w, self, ())
        if w.latest_snapshot is not None:
            w.network_view.set_snapshot(w.latest_snapshot)
        self._update_controls()

    # ------------------------------------------------------------------ worker round trips
    def _rows(self):
        p = self.panel
        return [p.row.value()] if p.mode.currentData() == "example" else None

    def _request(self) -> None:
        if self._busy:
            self._dirty = True
            return
        self._busy, self._dirty = True, False
        self._relay.watch(self.window.worker.call(partial(build_lesson, self._rows())), "build")

    def _on_result(self, tag, future) -> None:
        error = future_error(future)
        if tag == "apply":
            if error:
                self.window.statusBar().showMessage(f"Lesson: {error}")
            return
        self._busy = False
        if not self.active:
            return
        if self._dirty:
            self._request()
            return
        if error:
            self.error = error
            self.window.statusBar().showMessage(f"Lesson: {error}")
            self._update_controls()
            return
        build = future.result()
        old = self.build  # the same step seen again (a new lr, say): stay at its phase
        same = old is not None and (old.steps, list(old.rows), old.params.shape) == (
            build.steps, list(build.rows), build.params.shape)
        self.build = build
        self.index = min(self.index, len(build.phases) - 1) if same else 0
        self.panel.row.setMaximum(max(0, build.n_train - 1))
        self._show()
        snap = self.window.latest_snapshot
        if snap is not None and self._changed(snap):
            self._request()  # the network moved on while the build ran

    def _changed(self, snap) -> bool:
        b = self.build
        if b is None:
            return False
        params = np.concatenate([np.vstack([W, bb[None, :]]).ravel()
                                 for W, bb in zip(snap.weights, snap.biases)])
        return (snap.steps != b.steps or snap.extras.get("settings", b.settings) != b.settings
                or params.shape != b.params.shape or not np.array_equal(params, b.params))

    def _on_snapshot(self, snap) -> None:
        if not self.active:
            return
        if self.build is not None and self._changed(snap):
            self._request()  # an edit, a reset, a new setting, or the step applied
        elif self.build is not None:
            self._show()  # draw the lesson over whatever the window drew

    def _on_apply_clicked(self) -> None:
        self.apply()

    def _on_source_changed(self, *_):
        if self.active:
            self.index = 0
            self._request()

    def _on_toggle(self, checked: bool) -> None:
        if checked and not self.active:
            self.start(self._rows())
        elif not checked and self.active:
            self.leave()

    def _on_annotations_changed(self, owner: str) -> None:
        if owner != OWNER and self.active and self.build is not None:
            self._show()  # someone else labelled the graph: the lesson's labels come back

    # ------------------------------------------------------------------ drawing
    def _show(self) -> None:
        b, w, p = self.build, self.window, self.panel
        snap = w.latest_snapshot
        sizes = (b.weights[0].shape[0],) + tuple(W.shape[1] for W in b.weights) if b else ()
        if b is None or snap is None or tuple(snap.sizes) != sizes:
            return  # the network was rebuilt: a new lesson is on its way
        phase = b.phases[self.index]
        view = phase_view(b, self.index)
        p.title.setText(f"<b>{phase.title}</b>")
        p.progress.setText(progress_html(b, self.index))
        p.formula.setText(phase.formula)
        if b.single:
            x = ", ".join(_n(v) for v in b.x[0])
            y = ", ".join(_n(v) for v in b.y[0])
            p.source.setText(f"Training example row {int(b.rows[0])}: x = ({x}), target ({y})")
        else:
            p.source.setText(f"Next minibatch: {len(b.rows)} examples (epoch {b.epoch + 1}, "
                             f"step {b.steps + 1})")
        p.details.setHtml(phase_html(b, self.index, snap))
        if w.edge_mode.currentData() != view["mode"]:
            w.edge_mode.setCurrentIndex(w.edge_mode.findData(view["mode"]))
        w.network_view.set_snapshot(preview_snapshot(snap, b, view))
        w.network_view.set_annotations(view["neurons"], view["edges"], view["active"],
                                       owner=OWNER)
        if view["highlight"] is None:
            release_highlight(w, self)
        else:
            claim_highlight(w, self, view["highlight"])
        self._update_controls()

    def _update_controls(self) -> None:
        p, on = self.panel, self.active
        ready = on and self.build is not None
        self.toggle.setChecked(on)
        p.back.setEnabled(ready and self.index > 0)
        p.next.setEnabled(ready and self.index < len(self.build.phases) - 1 if ready else False)
        p.apply.setEnabled(ready)
        p.discard.setEnabled(on)
        self.next_action.setEnabled(on)
        self.back_action.setEnabled(on)
        p.row.setEnabled(p.mode.currentData() == "example")
        if not on:
            p.title.setText("<b>Lesson mode is off</b>")
            p.progress.setText("")
            p.formula.setText("Press L (or Lesson ▸ Lesson mode) to take the next minibatch "
                              "through forward, loss, backward and update, one phase at a time.")
            p.source.setText("")
            p.details.setHtml("")
        elif self.error and not ready:
            p.title.setText(f"<b>Lesson: {self.error}</b>")


def install(window) -> LessonController:
    return install_once(window, "lesson", lambda: LessonController(window))
