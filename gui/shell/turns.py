"""Work the GUI thread does later, one piece per turn of the event loop.

Qt hands every event posted before a turn to its receivers in that one turn, and fires every
due timer in one go: when a command brought several snapshots and answers at once (a reset, a
new dataset, a lesson rebuilt), the window's frame, each feature's update and each worker
answer ran back to back, with no input, paint or timer in between. With two other processes
on the machine that was a window frozen for 0.2–0.4 s (issue 9.12).

So the window's frame (``MainWindow``), the features' snapshots (``SnapshotFeed``) and the
worker's answers (``FutureRelay``) go through one ``Turns`` queue: a zero-time timer takes
one piece of work per turn, and whatever else waits (a key press, a paint, another timer)
runs between two pieces. A piece given a key replaces the piece still waiting under that key
(a newer frame, a newer snapshot for the same feature): only what would be shown is done.
So the queue holds at most the frame, one piece per feature and one per worker answer not
yet handled (each answers a call the GUI sent): it never grows with time.
"""
from __future__ import annotations

import itertools
import sys
from collections import OrderedDict
from typing import Callable, Hashable

from PySide6.QtCore import QObject, QTimer


class Turns(QObject):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._queue: OrderedDict[Hashable, Callable[[], None]] = OrderedDict()
        self._unkeyed = itertools.count()  # a private key for each piece nobody replaces
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._next)

    def later(self, work: Callable[[], None], key: Hashable | None = None,
              first: bool = False) -> None:
        """Run ``work()`` in a turn of its own, after what is already waiting (before it if
        ``first``). Under a ``key`` already waiting, ``work`` takes that piece's place."""
        if key is None:
            key = ("unkeyed", next(self._unkeyed))
        self._queue[key] = work
        if first:
            self._queue.move_to_end(key, last=False)
        if not self._timer.isActive():
            self._timer.start()

    def waiting(self, key: Hashable | None = None) -> int:
        """How many pieces wait (or 1 if the piece under ``key`` waits, else 0)."""
        return len(self._queue) if key is None else int(key in self._queue)

    def cancel(self, key: Hashable) -> None:
        """Drop the piece waiting under ``key``, if any."""
        self._queue.pop(key, None)

    def _next(self) -> None:
        if not self._queue:
            return
        _, work = self._queue.popitem(last=False)
        if self._queue:
            self._timer.start()  # first: the rest comes even if this piece raises
        try:
            work()
        except Exception:  # noqa: BLE001 - report it; the other pieces still run
            sys.excepthook(*sys.exc_info())
