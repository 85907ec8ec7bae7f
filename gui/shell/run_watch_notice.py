"""Run watch in the window: a notice above the graph when a run explodes, gets stuck or
dies without ever producing a NaN (``model/lessons/run_watch.py`` decides).

The watch runs in the worker thread as an observer (after epochs, within its time budget);
a change of finding reaches the GUI thread through a queued signal. The notice says what is
happening and what to try; training goes on and nothing is changed for the user. Dismissing
it hides that kind of finding until the next run.

Entry point: ``install(window) -> RunWatchNotice``.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal

from model.lessons.run_watch import RunWatch

from gui.shell.docks import install_once

KEY = "run_watch"
TEXT_INTERVAL_S = 1.0  # the figures in an unchanged finding are refreshed at most this often


class RunWatchObserver(QObject):
    """Worker-thread side: measures the run and emits ``found`` when the finding changes."""

    found = Signal(object, int)  # Finding | None, run number

    def __init__(self):
        super().__init__()
        self.watch = RunWatch()
        self.run = 0
        self._sent = None  # (kind, time) last emitted

    def on_new_run(self, pg) -> None:
        self.watch.start(pg.trainer)
        self.run += 1
        self._sent = None
        self.found.emit(None, self.run)

    def on_epoch(self, pg) -> None:
        self._observe(pg, force=False)

    def on_step(self, pg) -> None:
        self._observe(pg, force=True)  # a discrete step is rare: always measured

    def _observe(self, pg, force: bool) -> None:
        finding = self.watch.observe(pg.trainer, force=force)
        kind = finding.kind if finding else None
        now = time.perf_counter()
        if self._sent is not None and self._sent[0] == kind and (
                kind is None or now - self._sent[1] < TEXT_INTERVAL_S):
            return
        if self._sent is None and kind is None:
            return
        self._sent = (kind, now)
        self.found.emit(finding, self.run)


class RunWatchNotice(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.finding = None  # what the notice shows (None: nothing)
        self._dismissed: set[str] = set()  # kinds the user closed in this run
        self._run = 0
        self._notice = None
        self.observer = RunWatchObserver()
        self.observer.found.connect(self._on_found)
        window.worker.add_observer(self.observer)

    def _on_found(self, finding, run: int) -> None:
        if run != self._run:
            self._run = run
            self._dismissed.clear()
        if finding is None or finding.kind in self._dismissed:
            if self.finding is not None and self.window.statusBar().currentMessage() \
                    .startswith("⚠"):
                self.window.statusBar().clearMessage()  # the run recovered (or was reset)
            self.finding = None
            self.window.dismiss_notice(KEY)
            return
        new_kind = self.finding is None or self.finding.kind != finding.kind
        self.finding = finding
        notice = self.window.notify(
            KEY, f"{finding.title}: {finding.message}", level="warning",
            actions=[("Gradient health", self._show_health,
                      "Open the gradient-health view: per-layer gradients, dead and "
                      "saturated units")],
            tooltip="Training goes on; nothing was changed. Close this message to hide it "
                    "until the next reset.")
        if notice is not self._notice:
            self._notice = notice
            notice.closed.connect(self._on_closed)
        if new_kind:
            self.window.statusBar().showMessage(f"⚠ {finding.title} (see the message above "
                                                f"the graph)")

    def _on_closed(self) -> None:
        if self.finding is not None and self.window.notices.get(KEY) is None:
            self._dismissed.add(self.finding.kind)  # closed by the user
            self.finding = None

    def _show_health(self) -> None:
        health = self.window.views.get("health")
        if health is not None:
            self.window.views.show_dock(health.dock)


def install(window) -> RunWatchNotice:
    """Watch every run for exploding, stuck and dead training, shown as a notice."""
    return install_once(window, "run_watch", lambda: RunWatchNotice(window))
