"""Gradient health, measured while training runs: a worker-thread observer (``on_new_run``,
``on_epoch``, ``on_step``, see the window's ``TrainerWorker.add_observer``) that measures
``layer_health`` on a fixed sample of training rows and keeps the records in a bounded
``HealthHistory``.

Cost: flat out, ``on_epoch`` runs after every epoch (well under a millisecond each), so it
measures at most once per ``MIN_INTERVAL_S`` of wall time and, when a measurement is slow (deep,
wide networks), waits 1/``MAX_SHARE`` times its cost before the next: the measurements take at
most ``MAX_SHARE`` of the trainer's time. A discrete step is always measured.

Threads: every method runs in the trainer's thread except ``copy``, which the GUI calls; the
lock guards the history between the two, and ``copy`` hands out read-only arrays in a frozen
``HealthCopy`` (no live object, no mutable container).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from model.frozen import frozen_copy
from model.lessons.health import FIELDS, HealthHistory, LayerHealth, layer_health

SAMPLE_ROWS = 200  # training rows the activations are measured on
MIN_INTERVAL_S = 0.05  # at most 20 measurements a second...
MAX_SHARE = 0.05  # ...and at most 5% of the wall time


@dataclass(frozen=True)
class HealthCopy:
    """What the GUI draws: a frozen copy of the recorder's state."""
    version: int  # bumped on every change: the GUI redraws only when it moved
    run: int  # bumped on every new run
    activations: tuple[str, ...]  # per layer
    epochs: np.ndarray  # (records,) x of each record, read-only
    series: MappingProxyType  # {field: (records, layers) read-only array}
    latest: tuple[LayerHealth, ...]  # the newest record, per layer


class HealthRecorder:
    """The worker-thread observer; ``copy()`` is the one method the GUI calls."""

    def __init__(self, history: HealthHistory | None = None):
        self.lock = threading.Lock()
        self.history = history if history is not None else HealthHistory()
        self.version = 0
        self.run = 0
        self.activations: tuple[str, ...] = ()
        self.measure_seconds = 0.0  # cost of the last measurement
        self._X = None
        self._due = 0.0
        self._last_x = None

    def on_new_run(self, pg) -> None:
        X = pg.trainer.X_train
        rows = np.random.default_rng(0).permutation(len(X))[:SAMPLE_ROWS]
        self._X = X[np.sort(rows)].copy()
        self._due, self._last_x = 0.0, None
        with self.lock:
            self.history.clear()
            self.activations = tuple(pg.net.activation_names)
            self.run += 1
            self.version += 1

    def on_epoch(self, pg) -> None:
        if time.perf_counter() >= self._due:  # cheap when skipped: flat out calls this a lot
            self._measure(pg)

    def on_step(self, pg) -> None:
        self._measure(pg)  # a discrete step is rare: always measured

    def _measure(self, pg) -> None:
        t = pg.trainer
        x = t.epoch + t.position / len(t.X_train)  # in epochs, a step counts as a fraction
        if x == self._last_x or self._X is None:
            return
        start = time.perf_counter()
        with np.errstate(all="ignore"):
            health = layer_health(pg.net, self._X, t.optimizer.update, t.loss.name)
        end = time.perf_counter()
        self.measure_seconds = end - start
        self._due = end + max(MIN_INTERVAL_S, self.measure_seconds / MAX_SHARE)
        self._last_x = x
        with self.lock:
            self.history.append(x, health)
            self.version += 1

    def copy(self) -> HealthCopy:
        """A frozen copy for the GUI thread (safe from any thread)."""
        with self.lock:
            h = self.history
            return HealthCopy(
                version=self.version, run=self.run, activations=self.activations,
                epochs=frozen_copy(h.epochs),
                series=MappingProxyType({name: frozen_copy(h.series(name)) for name in FIELDS}),
                latest=h.latest())
