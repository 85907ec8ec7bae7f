"""Lesson mode: one minibatch (or one training example) taken through its phases by hand —
forward one layer at a time, the loss, backward one layer at a time, the update.

Training pauses; a ``model.lessons.phases.PhaseStepper`` is built in the worker thread (it
computes on copies, so walking through the phases changes nothing) and stays there, in the
controller's ``LessonSteppers``; what arrives here is a frozen ``LessonBuild`` and its token.
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

from functools import partial

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

from model.lessons.phases import LessonBuild, LessonSteppers, Phase
from model.numbers import count_of, format_count

from gui.shell.docks import (FutureRelay, add_dock, claim_highlight, freeze_views, frozen_by_others,
                    future_error, install_once, menu_named, release_highlight, show_dock)
from gui.graph.graph_text import short_number
from gui.views.code_notes import lesson_code, lesson_notes
from gui.views.code_view import code_action, code_toggle
from gui.views.lesson_panel import LessonPanel
from gui.views.lesson_view import phase_html, phase_view, preview_snapshot, progress_html

OWNER = "lesson"


class LessonController(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.build: LessonBuild | None = None  # the phases shown
        self.steppers = LessonSteppers()  # touched only in the worker thread (worker.call)
        self.index = 0
        self.active = False
        self.error: str | None = None
        self._busy = False  # a build is running in the worker
        self._dirty = False  # the network changed while it ran: build again afterwards
        self._saved: dict = {}  # what lesson mode changed, to restore on leaving
        self._relay = FutureRelay(self, window.turns)
        self._relay.finished.connect(self._on_result)
        self.code_action = code_action(window)  # "Show the code" (C), shared with the inspector
        self.panel = LessonPanel(code_toggle(window))
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
        window.snapshot_feed.subscribe(self._on_snapshot)
        window.network_view.annotations_changed.connect(self._on_annotations_changed)
        self.code_action.toggled.connect(self._on_code_toggled)
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
            future = self.window.worker.call(partial(self.steppers.apply, self.build.token))
            self._relay.watch(future, "apply")
            self.window.worker.request_snapshot()
        else:
            # The Step command itself (PhaseStepper.apply is the same trainer.step_batch):
            # the worker's observers (history, health) then hear of the step too.
            future = None
            self.window.step()
            self.window.worker.call(partial(self.steppers.discard, self.build.token))
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
            self.window.worker.call(partial(self.steppers.discard, self.build.token))
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
        self._relay.watch(self.window.worker.call(partial(self.steppers.build, self._rows())),
                          "build")

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
        self.panel.row.setMaximum(max(0, len(snap.X_train) - 1))  # any training row
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
        self._update_controls()  # the row box follows the mode, in the lesson or before it

    def _on_toggle(self, checked: bool) -> None:
        if checked and not self.active:
            self.start(self._rows())
        elif not checked and self.active:
            self.leave()

    def _on_code_toggled(self, _on: bool) -> None:
        self._show_code()

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
            x = ", ".join(short_number(v) for v in b.x[0])
            y = ", ".join(short_number(v) for v in b.y[0])
            p.source.setText(f"Training example row {int(b.rows[0])}: x = ({x}), target ({y})")
        else:
            p.source.setText(f"Next minibatch: {count_of(len(b.rows), 'example')} (epoch "
                             f"{format_count(b.epoch + 1)}, step {format_count(b.steps + 1)})")
        p.set_details(phase_html(b, self.index, snap))
        self._show_code()
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

    def _show_code(self) -> None:
        """The reference code of the phase shown, with its numbers (when "Show the code")."""
        p, on = self.panel, self.code_action.isChecked()
        p.set_code_visible(on)
        if not on:
            return
        if self.build is None:
            p.code.show_message("The reference code of each phase shows here during a lesson.")
            return
        p.code.show_code(lesson_code(self.build, self.index), lesson_notes(self.build, self.index))

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
            p.set_details("")
            self._show_code()
        elif self.error and not ready:
            p.title.setText(f"<b>Lesson: {self.error}</b>")


def install(window) -> LessonController:
    return install_once(window, "lesson", lambda: LessonController(window))
