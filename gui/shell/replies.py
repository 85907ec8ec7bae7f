"""Replies from the trainer's thread that arrive as signals: the GUI thread never waits.

``ask_worker(window, fn, done, failed, busy=...)`` runs ``fn(playground)`` in the worker thread
between two minibatches (``TrainerWorker.call``) and returns at once. Later, in the GUI thread,
``done(result)`` or ``failed(exception)`` is called (through ``FutureRelay``'s queued signal).
Meanwhile ``busy`` ("Saving network.onnx…") shows in the status bar, so a slow disk or a busy
machine shows as progress, not as a frozen window. The exports do their writing inside ``fn``:
the file (and its fsync) is written off the GUI thread too.

``read_in_background(window, fn, done, failed, busy=...)`` is the same for work that needs no
playground, such as reading and checking a file: ``fn()`` runs in a small pool of its own, so a
slow disk holds neither the GUI nor the trainer.

If the window closes first, the Future is cancelled and nobody is called.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject

from gui.shell.docks import FutureRelay, install_once


#: reads files for the window off its thread (one at a time: a user opens one file at once)
_FILES = ThreadPoolExecutor(max_workers=1, thread_name_prefix="files")


class WorkerCancelled(RuntimeError):
    """The trainer stopped before it ran the request (the window is closing)."""


class WorkerReplies(QObject):
    """The window's pending requests to the worker, by number."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self._relay = FutureRelay(self)
        self._relay.finished.connect(self._on_finished)
        self._pending: dict[int, tuple] = {}
        self._count = 0

    @property
    def pending(self) -> int:
        """Requests sent and not answered yet."""
        return len(self._pending)

    def ask(self, fn, done, failed, busy: str | None = None) -> Future:
        return self._watch(self.window.worker.call(fn), done, failed, busy)

    def in_background(self, fn, done, failed, busy: str | None = None) -> Future:
        return self._watch(_FILES.submit(fn), done, failed, busy)

    def _watch(self, future: Future, done, failed, busy: str | None) -> Future:
        self._count += 1
        tag = self._count
        self._pending[tag] = (done, failed, busy)
        if busy:
            self.window.statusBar().showMessage(busy)
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


def read_in_background(window, fn, done, failed, busy: str | None = None) -> Future:
    """Run ``fn()`` (no playground: e.g. read a file) in the window's file thread;
    ``done(result)`` or ``failed(exception)`` follows in the GUI thread."""
    return replies(window).in_background(fn, done, failed, busy)
