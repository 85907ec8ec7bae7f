"""Replies from the trainer's thread that arrive as signals: the GUI thread never waits.

``ask_worker(window, fn, done, failed, busy=...)`` runs ``fn(playground)`` in the worker thread
between two minibatches (``TrainerWorker.call``) and returns at once. Later, in the GUI thread,
``done(result)`` or ``failed(exception)`` is called (through ``FutureRelay``'s queued signal).
Meanwhile ``busy`` ("Saving network.onnx…") shows in the status bar, so a slow disk or a busy
machine shows as progress, not as a frozen window. The exports do their writing inside ``fn``:
the file (and its fsync) is written off the GUI thread too.

If the window closes first, the Future is cancelled and nobody is called.
"""
from __future__ import annotations

from concurrent.futures import Future

from PySide6.QtCore import QObject

from gui.shell.docks import FutureRelay, install_once


class WorkerCancelled(RuntimeError):
    """The trainer stopped before it ran the request (the window is closing)."""


class WorkerReplies(QObject):
    """The window's pending requests to the worker, by number."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self._relay = FutureRelay(self, window.turns)
        self._relay.finished.connect(self._on_finished)
        self._pending: dict[int, tuple] = {}
        self._count = 0

    @property
    def pending(self) -> int:
        """Requests sent and not answered yet."""
        return len(self._pending)

    def ask(self, fn, done, failed, busy: str | None = None) -> Future:
        self._count += 1
        tag = self._count
        self._pending[tag] = (done, failed, busy)
        if busy:
            self.window.statusBar().showMessage(busy)
        future = self.window.worker.call(fn)
        self._relay.watch(future, tag)
        return future

    def _on_finished(self, tag, future) -> None:
        entry = self._pending.pop(tag, None)
        if entry is None or getattr(self.window, "_closed", False):
            return
        done, failed, busy = entry
        if busy and self.window.statusBar().currentMessage() == busy:
            self.window.statusBar().clearMessage()  # done/failed say what happened
        if future.cancelled():
            failed(WorkerCancelled("cancelled: the trainer stopped"))
            return
        exc = future.exception()
        if exc is not None:
            failed(exc)
        else:
            done(future.result())


def replies(window) -> WorkerReplies:
    return install_once(window, "replies", lambda: WorkerReplies(window))


def ask_worker(window, fn, done, failed, busy: str | None = None) -> Future:
    """Run ``fn(playground)`` in the worker; ``done(result)`` or ``failed(exception)`` follows
    in the GUI thread. Returns the Future (for tests; the GUI never waits on it)."""
    return replies(window).ask(fn, done, failed, busy)

