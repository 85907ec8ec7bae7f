"""The training history: snapshots of the trainer kept while it trains (bounded memory, dense at
the start and thinner later, see ``model.lessons.timeline``), a slider that scrubs back through them,
and "Resume from here".

Recording: a ``model.lessons.recorder.TimelineRecorder`` observer runs in the worker thread
after every epoch and every discrete step and keeps immutable trainer states in a ``Timeline``;
this view lists them (``snapshot_entries``) and sends the chosen one back to the worker.

Scrubbing never changes training: the worker rebuilds the chosen moment on a copy of the
playground and sends a snapshot of it, which the network graph, the output view and the loss
plot show instead of the live ones (they are registered in ``window.frozen_views``) until
"Live" is pressed. "Resume from here" puts the trainer back at that moment.

Entry point: ``install(window) -> TimelineView``.
"""
from __future__ import annotations

import time
from functools import partial

from PySide6.QtCore import QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from model.lessons.recorder import TimelineRecorder
from model.lessons.timeline import Entry
from model.numbers import format_count

from gui.shell.docks import (FutureRelay, add_dock, freeze_views, frozen_by_others, future_error,
                    install_once)

REFRESH_S = 0.25  # the slider's list of moments is refreshed at most this often
SCRUB_MS = 60  # while dragging, a new moment is asked for at most this often


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


class TimelinePanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setToolTip("Drag back through the training history: the graph, the output "
                               "and the loss plot show that moment (training is not changed)")
        self.moment = QLabel("live")
        self.moment.setToolTip("The moment shown")
        self.moment.setMinimumWidth(self.moment.fontMetrics().horizontalAdvance(
            "epoch 000,000 · step 00,000,000") + 8)
        self.live = QPushButton("Live")
        self.live.setCheckable(True)
        self.live.setChecked(True)
        self.live.setToolTip("Show the network as it trains now (the slider follows the newest "
                             "moment)")
        self.resume = QPushButton("Resume from here")
        self.resume.setToolTip("Put the trainer back at the moment shown and continue from "
                               "there (later moments are forgotten)")
        self.memory = QLabel()
        self.memory.setToolTip("How many moments are kept and the memory they use (old ones "
                               "are thinned out, so this stays bounded)")
        for b in (self.live, self.resume):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row = QHBoxLayout()
        row.addWidget(self.slider, 1)
        row.addWidget(self.moment)
        buttons = QHBoxLayout()
        buttons.addWidget(self.live)
        buttons.addWidget(self.resume)
        buttons.addStretch(1)
        buttons.addWidget(self.memory)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 2, 4, 4)
        box.addLayout(row)
        box.addLayout(buttons)
        box.addStretch(1)

    def sizeHint(self) -> QSize:
        return QSize(900, 80)


class TimelineView(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.recorder = TimelineRecorder()
        self.entries: list[Entry] = []  # the moments the slider ranges over
        self.generation = 0
        self.live = True
        self.shown: Entry | None = None  # the moment the views show (None: live)
        self.preview = None  # its snapshot
        self._wanted: Entry | None = None
        self._busy = False
        self._refreshed_at = 0.0
        self._relay = FutureRelay(self, window.turns)
        self._relay.finished.connect(self._on_result)
        self._refresh_timer = QTimer(self, singleShot=True)
        self._refresh_timer.timeout.connect(self.refresh)
        self._scrub_timer = QTimer(self, singleShot=True, interval=SCRUB_MS)
        self._scrub_timer.timeout.connect(self._ask_preview)
        self.panel = TimelinePanel()
        self.dock = add_dock(window, "Training history", self.panel, "Ctrl+H",
                             "Show the training-history slider")
        p = self.panel
        p.slider.valueChanged.connect(self._on_slider)
        p.live.clicked.connect(self._on_live_clicked)
        p.resume.clicked.connect(self.resume_here)
        window.worker.add_observer(self.recorder)
        window.snapshot_feed.subscribe(self._on_snapshot)
        self._update_controls()

    # ------------------------------------------------------------------ public
    def refresh(self) -> None:
        """Read the recorded moments (kept as they are while scrubbing)."""
        self._refreshed_at = time.perf_counter()
        entries, nbytes, generation = self.recorder.snapshot_entries()
        self.panel.memory.setText(f"{format_count(len(entries))} moments kept · {_size(nbytes)}")
        if generation != self.generation:
            self.generation = generation
            if not self.live:
                self.go_live()  # a new network: its past is not this one's
        if self.live:
            self.entries = entries
            p = self.panel
            p.slider.blockSignals(True)
            p.slider.setRange(0, max(0, len(entries) - 1))
            p.slider.setValue(p.slider.maximum())
            p.slider.blockSignals(False)
        self._update_controls()

    def show_moment(self, index: int) -> None:
        """Show moment ``index`` of the slider's list (not live any more)."""
        if not 0 <= index < len(self.entries) or frozen_by_others(
                self.window, self, self.window.network_view):
            return
        if self.live:
            self.live = False
            w = self.window
            freeze_views(w, self, {w.network_view, w.output_view, w.loss_plot})
        self._wanted = self.entries[index]
        self.panel.slider.blockSignals(True)
        self.panel.slider.setValue(index)
        self.panel.slider.blockSignals(False)
        self._ask_preview()

    def go_live(self) -> None:
        w = self.window
        self.live, self.shown, self.preview, self._wanted = True, None, None, None
        freeze_views(w, self, ())
        snap = w.latest_snapshot
        if snap is not None:
            for view in (w.network_view, w.output_view, w.loss_plot):
                view.set_snapshot(snap)
        self.refresh()

    def resume_here(self):
        """Continue training from the moment shown (the trainer is put back there, paused)."""
        entry = self.shown
        if entry is None:
            return None
        future = self.window.worker.call(partial(self.recorder.restore, entry),
                                         changes_state=True)
        self._relay.watch(future, "restore")
        self.window.statusBar().showMessage(
            f"Training resumes from epoch {format_count(entry.epoch)}")
        return future

    # ------------------------------------------------------------------ slots
    def _on_snapshot(self, snap) -> None:
        wait = self._refreshed_at + REFRESH_S - time.perf_counter()
        if wait <= 0:
            self.refresh()
        elif not self._refresh_timer.isActive():
            self._refresh_timer.start(max(1, round(wait * 1000)))

    def _on_slider(self, index: int) -> None:
        w = self.window
        if frozen_by_others(w, self, w.network_view):  # lesson mode owns the graph
            w.statusBar().showMessage("Leave lesson mode to look back through the history")
            self.refresh()  # the slider snaps back to live
            return
        if self.live:
            self.live = False
            w = self.window
            freeze_views(w, self, {w.network_view, w.output_view, w.loss_plot})
        if 0 <= index < len(self.entries):
            self._wanted = self.entries[index]
            if not self._scrub_timer.isActive():
                self._scrub_timer.start()  # throttled: at most one preview per SCRUB_MS
        self._update_controls()

    def _on_live_clicked(self, checked: bool) -> None:
        if checked:
            self.go_live()
        else:
            self.show_moment(self.panel.slider.value())

    # ------------------------------------------------------------------ worker round trips
    def _ask_preview(self) -> None:
        if self._busy or self._wanted is None or self.live:
            return
        self._busy = True
        entry = self._wanted
        snap = self.window.latest_snapshot  # the live views' grid size
        grids = snap.neuron_grids if snap is not None else None
        plane = getattr(snap, "plane", None)  # the live views' slice, if any
        fn = partial(self.recorder.preview, entry, grids[0].shape[-1] if grids else 40,
                     plane=None if plane is None else plane.spec)
        self._relay.watch(self.window.worker.call(fn), entry)

    def _on_result(self, tag, future) -> None:
        error = future_error(future)
        if tag == "restore":
            if error:
                self.window.statusBar().showMessage(f"Training history: {error}")
            else:
                self.go_live()
            return
        self._busy = False
        if self.live:
            return
        if error:
            self.window.statusBar().showMessage(f"Training history: {error}")
        else:
            snap = future.result()
            self.shown, self.preview = tag, snap
            w = self.window
            for view in (w.network_view, w.output_view, w.loss_plot):
                view.set_snapshot(snap)
            w.statusBar().showMessage(f"Showing epoch {format_count(tag.epoch)} of the training "
                                      "history (training is unchanged) · Live returns")
        if self._wanted is not None and self._wanted is not self.shown:
            self._ask_preview()  # the slider moved on meanwhile
        self._update_controls()

    def _update_controls(self) -> None:
        p = self.panel
        p.live.setChecked(self.live)
        p.resume.setEnabled(not self.live and self.shown is not None)
        entry = self._wanted if not self.live else (self.entries[-1] if self.entries else None)
        if entry is None:
            p.moment.setText("live")
        else:
            p.moment.setText(f"{'live · ' if self.live else ''}epoch "
                             f"{format_count(entry.epoch)} · step {format_count(entry.steps)}"
                             f"{' · edited' if entry.edited else ''}")
        # the past must not pass for the present: the label stands out while scrubbing
        p.moment.setStyleSheet("" if self.live else "background: #fde7a9; font-weight: bold;")


def install(window) -> TimelineView:
    return install_once(window, "timeline", lambda: TimelineView(window))
