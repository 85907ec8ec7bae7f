"""Python's garbage collection on the GUI thread only, and out of the window's way.

CPython's automatic collector runs in whichever thread happens to allocate when a
generation's count passes its threshold. For this app that caused two problems (issue 9.12):

- A full collection walks every object the interpreter tracks: ~160,000 once the window is
  built (its modules and widgets), 65-77 ms holding the GIL, so the GUI thread stalls even
  when the trainer's thread was the one collecting.
- A collection in a helper thread (the trainer, the frame encoder) frees unreachable Qt
  objects there, off the GUI thread. One such collection, in the frame encoder's thread,
  deadlocked against the GUI thread in ``QObject::~QObject``.

``take_over()``, called once the window is built, switches the automatic collector off and
runs it from a timer on the GUI thread instead, with CPython's own thresholds (a young
generation every few hundred allocations, an older one every ten younger collections).
Before that it freezes every object alive (``gc.freeze``): the modules and the window live as
long as the process, so a full collection now walks only what was made since (7-9 ms).
Reference counting, which frees almost everything, is untouched; only reference cycles wait
for the next tick (``TICK_MS``).

``give_back()`` restores the automatic collector (a process that closes its window and goes
on). The GUI tests run this way too (``take_over(app, freeze=False)``, tests/gui/conftest.py):
their windows' leftovers met the same deadlock in the trainer's thread.
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

TICK_MS = 50  # how long a reference cycle waits, at most, while the GUI thread is idle


def generation_due(counts: tuple[int, int, int], thresholds: tuple[int, int, int]) -> int:
    """The generation CPython would collect for these ``gc.get_count()`` counts (allocations
    since the last young collection, young collections since the last middle one, middle ones
    since the last full one) and ``gc.get_threshold()``: none (-1) until the allocations
    pass their threshold, then the oldest generation whose count passed its own (as in
    CPython, only threshold0 = 0 switches collection off). CPython also skips a full
    collection while few objects are new to the oldest generation; with the long-lived ones
    frozen that generation is small, and a full collection cheap."""
    if thresholds[0] <= 0 or counts[0] <= thresholds[0]:
        return -1
    for generation in (2, 1):
        if counts[generation] > thresholds[generation]:
            return generation
    return 0


class GuiThreadCollector(QObject):
    """Runs the collector from a timer in the thread it lives in (the GUI thread)."""

    def __init__(self, parent: QObject | None = None, tick_ms: int = TICK_MS):
        super().__init__(parent)
        self.collections = [0, 0, 0]  # how many of each generation this object ran
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def tick(self) -> int:
        """Collect what is due; the generation collected, or -1."""
        generation = generation_due(gc.get_count(), gc.get_threshold())
        if generation >= 0:
            gc.collect(generation)
            self.collections[generation] += 1
        return generation


_collector: GuiThreadCollector | None = None


def take_over(owner: QObject, freeze: bool = True) -> GuiThreadCollector:
    """From now on collect only on this (the GUI) thread, with the objects alive now frozen
    out of the way (unless ``freeze`` is False); ``owner`` (the application) keeps the timer.
    While it runs, a second call returns the running collector."""
    global _collector
    if _collector is not None:
        return _collector
    gc.collect()  # nothing already unreachable is frozen for ever
    if freeze:
        gc.freeze()
    gc.disable()
    _collector = GuiThreadCollector(owner)
    _collector.start()
    return _collector


def give_back() -> None:
    """The automatic collector again, with the frozen objects back in its sight. The garbage
    made meanwhile is collected here first, on the calling (GUI) thread, not by whichever
    thread allocates next."""
    global _collector
    if _collector is None:
        return
    _collector.stop()
    _collector.deleteLater()
    _collector = None
    gc.unfreeze()
    gc.collect()
    gc.enable()


def running() -> GuiThreadCollector | None:
    return _collector
