"""The training history's recorder: a worker-thread observer that keeps trainer states in a
``Timeline`` while training runs, and rebuilds or restores a recorded moment on request.

It runs after every epoch and every discrete step (``on_epoch``, ``on_step``, ``on_new_run``),
and after a weight edited by hand (``on_edit``: the edit is a moment of its own).
At flat-out speed an epoch takes well under a millisecond, so recording every one would cost
more than training; epochs are recorded at a spacing that grows with the run (``stride``),
which the timeline's own thinning would impose anyway.

Threads: every method runs in the trainer's thread except ``snapshot_entries``, which the GUI
calls; the lock guards the timeline between the two. Entries are immutable (see
``timeline.freeze``), so the list handed out can be read while the worker records on.
"""
from __future__ import annotations

import threading

from model.lessons.timeline import Entry, Timeline, restore_entry
from model.playground import Playground
from model.snapshot import Snapshot, take_snapshot

CAPACITY, KEEP_FIRST = 200, 30
PREVIEW_RUN_ID = -7  # snapshots of the past: the views restart their plots for them


def stride(epoch: int) -> int:
    """Record every epoch for the first KEEP_FIRST, then about 100 per doubling of the run."""
    return 1 if epoch <= KEEP_FIRST else max(1, epoch // 100)


class TimelineRecorder:
    """The worker-thread observer. Every method but ``snapshot_entries`` runs in the worker."""

    def __init__(self, capacity: int = CAPACITY, keep_first: int = KEEP_FIRST):
        self.timeline = Timeline(capacity, keep_first)
        self.lock = threading.Lock()
        self.generation = 0  # +1 on every new run: the GUI's list of moments is stale
        self._keep_next_run = False  # our own restore must not clear the timeline
        self._last_epoch = -1

    def on_new_run(self, pg) -> None:
        with self.lock:
            if self._keep_next_run:
                self._keep_next_run = False
            else:
                self.timeline.clear()
                self.generation += 1
            self._record(pg.trainer)

    def on_epoch(self, pg) -> None:
        t = pg.trainer
        if t.epoch - self._last_epoch >= stride(t.epoch):
            with self.lock:
                self._record(t)

    def on_step(self, pg) -> None:
        with self.lock:
            self._record(pg.trainer)

    def on_edit(self, pg) -> None:
        with self.lock:
            self.timeline.record(pg.trainer, edited=True)
            self._last_epoch = pg.trainer.epoch

    def _record(self, trainer) -> None:
        self.timeline.record(trainer)
        self._last_epoch = trainer.epoch

    def snapshot_entries(self) -> tuple[list[Entry], int, int]:
        """(entries, bytes held, generation), safe from any thread: a new list of immutable
        entries."""
        with self.lock:
            return list(self.timeline.entries), self.timeline.nbytes(), self.generation

    # ---------------------------------------------------------------- run by worker.call
    def preview(self, entry: Entry, grid_resolution: int, pg, plane=None) -> Snapshot:
        """The snapshot of ``entry``'s moment, made on a copy: training is not touched;
        data with more than two inputs is drawn over ``plane`` (a PlaneSpec, as live)."""
        copy = Playground(pg.settings, data=pg.custom_data, network=pg.net.copy())
        copy.trainer.history = pg.trainer.history.copy()
        restore_entry(copy.trainer, entry)
        return take_snapshot(copy, PREVIEW_RUN_ID, grid_resolution, plane=plane,
                             extras={"settings": pg.settings, "timeline_entry": entry})

    def restore(self, entry: Entry, pg) -> int:
        """Put the trainer back at ``entry``; later moments are dropped. Returns its epoch."""
        with self.lock:
            entries = self.timeline.entries
            index = next((k for k, e in enumerate(entries) if e is entry), None)
            if index is not None:
                self.timeline.restore(pg.trainer, index)
            else:  # thinned away since the slider showed it: its state is still good
                restore_entry(pg.trainer, entry)
                entries[:] = [e for e in entries if e.steps < entry.steps] + [entry]
            self._keep_next_run = True  # the worker starts a new run id after this call
            self._last_epoch = entry.epoch
        return entry.epoch
