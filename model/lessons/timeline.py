"""Training history you can scrub: trainer states kept with bounded memory.

Dense at the start (every recorded epoch), thinner later: when the timeline is full, every
other entry after the first ``keep_first`` is dropped, so the spacing of old entries doubles
while the newest ones stay close together. Each entry is a full ``Trainer.state()`` without
the loss history (only its length), so restoring one continues training exactly from there.

Entries are immutable all the way down (read-only arrays, read-only mappings): the GUI thread
lists them while the worker records and restores, and restoring hands the trainer copies.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from model.core.trainer import Trainer


@dataclass(frozen=True, eq=False)
class Entry:
    epoch: int
    steps: int
    state: Mapping  # Trainer.state() minus "history", frozen (restoring truncates the history)
    edited: bool = False  # the weights were edited by hand at this moment (after training)


class Timeline:
    def __init__(self, capacity: int = 200, keep_first: int = 20):
        if capacity < keep_first + 4:
            raise ValueError("capacity must exceed keep_first by at least 4")
        self.capacity = capacity
        self.keep_first = keep_first
        self.entries: list[Entry] = []

    def __len__(self):
        return len(self.entries)

    def record(self, trainer: Trainer, edited: bool = False) -> None:
        """Keep the trainer's current state (call it after an epoch or a step). ``edited``:
        the weights were just edited by hand, so the moment is kept even at the step count
        of the entry before it (which holds the weights before the edit)."""
        if not edited and self.entries and self.entries[-1].steps == trainer.steps:
            return
        state = trainer.state(include_history=False)  # the history itself is not copied
        self.entries.append(Entry(trainer.epoch, trainer.steps, freeze(state), edited))
        if len(self.entries) > self.capacity:
            head = self.entries[:self.keep_first]
            tail = self.entries[self.keep_first:]
            # thin the older part, keep the latest entries dense
            old, recent = tail[:-8], tail[-8:]
            self.entries = head + old[::2] + recent

    def nbytes(self) -> int:
        """Memory held by the kept states' arrays."""
        total = 0
        for e in self.entries:
            for v in e.state.values():
                total += getattr(v, "nbytes", 0)
                if isinstance(v, Mapping):
                    total += sum(getattr(x, "nbytes", 0) for x in v.values())
        return total

    def restore(self, trainer: Trainer, index: int) -> Entry:
        """Put the trainer back at entry ``index``: weights, optimizer, position, history
        truncated to that moment. Later entries are dropped (training resumes from here)."""
        entry = self.entries[index]
        restore_entry(trainer, entry)
        del self.entries[index + 1:]
        return entry

    def clear(self) -> None:
        self.entries.clear()


def restore_entry(trainer: Trainer, entry: Entry) -> None:
    """Put the trainer back at ``entry``'s moment: its state, and the history up to its epoch."""
    trainer.load_state(thaw(entry.state))
    trainer.history.truncate_after(entry.epoch)


def freeze(value):
    """A read-only deep copy of ``value``: arrays copied and marked read-only (copied even
    though ``Trainer.state`` copies already: a live array must never be frozen), dicts as
    read-only mappings, lists as tuples."""
    if isinstance(value, np.ndarray):
        value = value.copy()
        value.flags.writeable = False
        return value
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value):
    """A writable deep copy of a frozen state, as ``Trainer.load_state`` takes it."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value
