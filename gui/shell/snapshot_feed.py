"""Handing snapshots to the window's features (the docks, the lesson, the draw tool...),
one feature per turn of the event loop, the newest snapshot only.

Every feature used to connect to the worker's ``snapshot_ready`` itself. A queued signal
posts one event per connection, and Qt delivers the events posted before a turn all in that
turn: when a command brought several snapshots at once (a reset, a step, a new dataset),
every feature handled every one of them back to back, with no input, timer or paint in
between. With two other processes on the machine that was ~0.2 s of a frozen window
(issue 9.12).

``SnapshotFeed.offer`` (called by the window for every snapshot) keeps the newest one for
each subscriber and asks the window's ``Turns`` (gui/shell/turns.py) for one turn per
subscriber, in the order they subscribed; the event loop handles whatever else is waiting
between two of them. A feature still sees every state the window settles in, only not the
ones a newer snapshot replaced before its turn came (none of them draws those: they were
never on screen).
"""
from __future__ import annotations

from functools import partial
from typing import Callable

from PySide6.QtCore import QObject

from gui.shell.turns import Turns


class SnapshotFeed(QObject):
    def __init__(self, parent: QObject | None, turns: Turns):
        super().__init__(parent)
        self._turns = turns
        self._subscribers: list[Callable] = []
        self._pending: dict[int, object] = {}  # subscriber's index → newest snapshot for it
        self._stopped = False

    def subscribe(self, handler: Callable[[object], None]) -> None:
        """``handler(snapshot)`` from now on, on the GUI thread, in its own turn."""
        self._subscribers.append(handler)

    def offer(self, snap) -> None:
        """The newest snapshot: replaces any one still waiting for a subscriber's turn."""
        if self._stopped:
            return
        for index in range(len(self._subscribers)):
            if index not in self._pending:
                self._turns.later(partial(self._hand, index), key=(id(self), index))
            self._pending[index] = snap

    def waiting(self) -> int:
        """How many subscribers have a snapshot still to be handed to them."""
        return len(self._pending)

    def stop(self) -> None:
        """No more deliveries (the window shut down)."""
        self._stopped = True
        self._pending.clear()

    def _hand(self, index: int) -> None:
        if index in self._pending:  # not stopped meanwhile
            self._subscribers[index](self._pending.pop(index))
