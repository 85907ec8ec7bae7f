"""Runs side by side: every training run is kept, so that runs can be compared.

A run lasts from a Reset, or a settings change that rebuilds the network (architecture,
activations, features, data, seed, ...), to the next. Its record (``Run``) holds the settings
it started with, the settings that differ from the previous run, the changes made while it ran
(learning rate, batch size, ...: those keep the weights and so the run), its initial weights,
and a curve: train/test loss and accuracy against epochs, minibatch steps and training seconds,
bounded in memory like ``History`` (the first and newest rows kept, every other row in between
dropped when full). Final loss and accuracy, epochs, steps, wall time and epochs/s come from it.

``RunLog`` keeps the runs: a bounded list (at most ``MAX_RUNS`` unpinned runs, the oldest
unpinned dropped first; pinned runs stay), pin and rename, and immutable ``RunView`` snapshots
for a view. It listens to the trainer's worker as an observer (``on_new_run``, ``on_epoch``,
``on_step``, ``on_play``, ``on_pause``) and is thread-safe.

Fair comparisons ("duplicate with a change", the batch preset) are in ``runs_ab.py``; storage
in sessions and CSV in ``model/files/runs_io.py``.
"""
from __future__ import annotations

import dataclasses
import math
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from model.core.history import thinned
from model.playground import Playground, Settings

CURVE_KEYS = ("epoch", "steps", "seconds", "train_loss", "test_loss", "train_accuracy",
              "test_accuracy")
X_AXES = ("epoch", "steps", "seconds")
MAX_RUNS = 20  # unpinned runs kept
MAX_PINNED = 30
MAX_NAME = 60
MAX_EVENTS = 50  # settings changes kept per run


class RunCurve:
    """Rows of ``CURVE_KEYS`` in preallocated arrays; thinned like ``History`` when full."""

    def __init__(self, capacity: int = 2000, keep_first: int = 100, keep_last: int = 500):
        self.capacity, self.keep_first, self.keep_last = capacity, keep_first, keep_last
        self._data = np.full((len(CURVE_KEYS), capacity), np.nan)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def column(self, key: str) -> np.ndarray:
        """A read-only copy of one column, oldest row first."""
        out = self._data[CURVE_KEYS.index(key), :self._n].copy()
        out.flags.writeable = False
        return out

    def append(self, row: dict) -> None:
        if self._n == self.capacity:
            keep = thinned(self._n, self.keep_first, self.keep_last)
            self._data[:, :len(keep)] = self._data[:, keep]
            self._data[:, len(keep):] = np.nan
            self._n = len(keep)
        self._data[:, self._n] = [float(row.get(k, math.nan)) for k in CURVE_KEYS]
        self._n += 1

    def last(self) -> dict | None:
        if not self._n:
            return None
        return dict(zip(CURVE_KEYS, self._data[:, self._n - 1].tolist()))

    def truncate_after(self, epoch: int) -> None:
        epochs = self._data[0, :self._n]
        self._n = int(np.searchsorted(epochs, epoch, side="right"))

    def rows(self, max_rows: int | None = None) -> np.ndarray:
        """(m, len(CURVE_KEYS)) copy; evenly thinned to ``max_rows`` (first and last kept)."""
        data = self._data[:, :self._n].T.copy()
        if max_rows is not None and len(data) > max_rows:
            data = data[np.unique(np.linspace(0, len(data) - 1, max_rows).round().astype(int))]
        return data


@dataclass(eq=False)
class Run:
    id: int
    name: str
    settings: Settings  # as the run started
    changes: tuple = ()  # ((key, old, new), ...) against the previous run's settings
    initial_params: np.ndarray | None = None  # read-only; None if not kept (a large network)
    origin: str = "new"  # "new" | "duplicate" | "preset" | "loaded"
    parent: int | None = None  # the run it duplicates
    pinned: bool = False
    curve: RunCurve = field(default_factory=RunCurve)
    events: list = field(default_factory=list)  # [(after epoch, key, old, new)] while it ran
    epochs: int = 0
    steps: int = 0
    seconds: float = 0.0
    start_epoch: int = 0  # the trainer's epoch when the run began (a loaded session's, or 0)
    data: object = None  # your own points (Data) it trained on; None for generated data
    own_data: bool = False  # it trained on your own points (kept in ``data`` while in memory)
    sizes: tuple = ()  # the network's layer sizes

    @property
    def epochs_per_s(self) -> float:
        trained = self.epochs - self.start_epoch
        return trained / self.seconds if self.seconds > 0 else math.nan

    @property
    def final(self) -> dict:
        """The last row's train/test loss and accuracy (NaN where there is none)."""
        last = self.curve.last() or {}
        return {k: last.get(k, math.nan) for k in CURVE_KEYS[3:]}

    def series(self, x: str = "epoch", y: str = "train_loss") -> tuple[np.ndarray, np.ndarray]:
        """(xs, ys) of one curve against epochs, steps or seconds."""
        if x not in X_AXES or y not in CURVE_KEYS[3:]:
            raise ValueError(f"x is one of {X_AXES}, y one of {CURVE_KEYS[3:]}")
        return self.curve.column(x), self.curve.column(y)


@dataclass(frozen=True, eq=False)
class RunView:
    """An immutable copy of a run for a view (arrays read-only)."""

    id: int
    name: str
    pinned: bool
    current: bool
    origin: str
    parent: int | None
    settings: Settings
    changes: tuple
    events: tuple
    epochs: int
    steps: int
    seconds: float
    epochs_per_s: float
    final: dict
    columns: dict  # key of CURVE_KEYS → read-only array


# ----------------------------------------------------------------------------- settings diffs
def settings_changes(old: Settings | None, new: Settings) -> tuple:
    """((key, old value, new value), ...) for every setting that differs, in field order."""
    if old is None:
        return ()
    return tuple((f.name, getattr(old, f.name), getattr(new, f.name))
                 for f in dataclasses.fields(Settings) if getattr(old, f.name) != getattr(new, f.name))


def show_value(value) -> str:
    if isinstance(value, tuple):
        joined = "-" if all(isinstance(v, int) for v in value) else ","
        return joined.join("·" if v is None else str(v) for v in value) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return "auto" if value is None else str(value)


def check_name(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a run's name must be some text")
    name = " ".join(name.split())
    if len(name) > MAX_NAME or not name.isprintable():
        raise ValueError(f"a run's name must be printable and at most {MAX_NAME} characters")
    return name


# ----------------------------------------------------------------------------- the log
class RunLog:
    def __init__(self, max_runs: int = MAX_RUNS, max_pinned: int = MAX_PINNED,
                 clock=time.perf_counter):
        self.max_runs, self.max_pinned, self.clock = max_runs, max_pinned, clock
        self._lock = threading.RLock()
        self._runs: list[Run] = []
        self._current: Run | None = None
        self._trainer = None  # the trainer of the current run (identity tells a run apart)
        self._settings_seen: Settings | None = None
        self._next_id = 1
        self._running = True  # until told otherwise (on_pause), time between records counts
        self._mark: float | None = None
        self._pending: tuple[str, int | None] = ("new", None)  # what the next new run is
        self._resume: Run | None = None  # a loaded session's run that the next one continues

    # ------------------------------------------------------------------ reading
    @property
    def runs(self) -> list[Run]:
        with self._lock:
            return list(self._runs)

    @property
    def current(self) -> Run | None:
        return self._current

    def get(self, run_id: int) -> Run:
        with self._lock:
            for run in self._runs:
                if run.id == run_id:
                    return run
        raise ValueError(f"there is no run {run_id!r}")

    def snapshot(self) -> tuple[RunView, ...]:
        with self._lock:
            return tuple(RunView(
                r.id, r.name, r.pinned, r is self._current, r.origin, r.parent, r.settings,
                r.changes, tuple(r.events), r.epochs, r.steps, r.seconds, r.epochs_per_s,
                r.final, {k: r.curve.column(k) for k in CURVE_KEYS}) for r in self._runs)

    # ------------------------------------------------------------------ changing
    def start(self, pg: Playground, origin: str = "new", parent: int | None = None,
              name: str | None = None) -> Run:
        """Begin a run at ``pg``'s current state; its first row is the state it starts from."""
        with self._lock:
            previous = self._runs[-1].settings if self._runs else None
            params = pg.net.params.copy()
            params.flags.writeable = False
            run = Run(self._next_id, check_name(name) if name else f"Run {self._next_id}",
                      pg.settings, settings_changes(previous, pg.settings), params, origin,
                      parent, data=pg.custom_data, own_data=pg.custom_data is not None,
                      sizes=tuple(pg.net.sizes),
                      epochs=pg.trainer.epoch, steps=pg.trainer.steps,
                      start_epoch=pg.trainer.epoch)
            self._next_id += 1
            self._runs.append(run)
            self._current, self._trainer, self._settings_seen = run, pg.trainer, pg.settings
            self._mark = self.clock()
            self._append_row(run, pg, force=True)
            self._bound()
            return run

    def load(self, runs, resume: Run | None = None) -> None:
        """Replace the log with ``runs`` (from a session; their ids kept). ``resume``, one of
        them, is the run the session was saved in: the next new run continues it."""
        with self._lock:
            self._runs = list(runs)
            self._current = self._trainer = None
            self._next_id = max((r.id for r in self._runs), default=0) + 1
            self._resume = resume if resume in self._runs else None

    def add(self, run: Run) -> Run:
        """Keep a run made elsewhere (a preset's, or one loaded from a session) with a new id."""
        with self._lock:
            run.id = self._next_id
            self._next_id += 1
            self._runs.append(run)
            self._bound()
            return run

    def record(self, pg: Playground, seconds: float | None = None) -> None:
        """After training: a curve row for each new epoch, the counters, and settings changed
        while it ran. ``seconds``: the training time since the last record (None: the log's
        clock measures it, pauses excluded when it hears ``on_pause``/``on_play``)."""
        with self._lock:
            run = self._current
            if run is None or pg.trainer is not self._trainer:
                return
            now = self.clock()
            if seconds is None:
                seconds = now - self._mark if self._running and self._mark is not None else 0.0
            self._mark = now
            run.seconds += max(0.0, seconds)
            if pg.settings != self._settings_seen:  # changed after the last row's epoch
                after = int((run.curve.last() or {"epoch": 0})["epoch"])
                for key, old, new in settings_changes(self._settings_seen, pg.settings):
                    if len(run.events) < MAX_EVENTS:
                        run.events.append((after, key, old, new))
                self._settings_seen = pg.settings
            self._append_row(run, pg)

    def _append_row(self, run: Run, pg: Playground, force: bool = False) -> None:
        t = pg.trainer
        run.epochs, run.steps = t.epoch, t.steps
        last = run.curve.last()
        if not force and last is not None and last["epoch"] >= t.epoch:
            return
        h = t.history.last if len(t.history) else None
        metrics = h if h is not None and h["epoch"] == t.epoch else t.evaluate()
        run.curve.append({**metrics, "epoch": t.epoch, "steps": t.steps, "seconds": run.seconds})

    def _bound(self) -> None:
        unpinned = [r for r in self._runs if not r.pinned and r is not self._current]
        excess = len([r for r in self._runs if not r.pinned]) - self.max_runs
        for run in unpinned[:max(0, excess)]:
            self._runs.remove(run)

    def pin(self, run_id: int, pinned: bool = True) -> None:
        with self._lock:
            run = self.get(run_id)
            if pinned and not run.pinned and sum(r.pinned for r in self._runs) >= self.max_pinned:
                raise ValueError(f"at most {self.max_pinned} runs can be pinned: unpin one first")
            run.pinned = bool(pinned)
            self._bound()

    def rename(self, run_id: int, name: str) -> None:
        with self._lock:
            self.get(run_id).name = check_name(name)

    def remove(self, run_id: int) -> None:
        with self._lock:
            run = self.get(run_id)
            self._runs.remove(run)
            if run is self._current:
                self._current = self._trainer = None

    def clear(self) -> None:
        with self._lock:
            self._runs.clear()
            self._current = self._trainer = None

    # ------------------------------------------------------------------ the worker's observer
    def on_new_run(self, pg: Playground) -> None:
        with self._lock:
            if self._current is not None and pg.trainer is self._trainer:
                # the same trainer moved in time (training history: resume from here)
                self._current.curve.truncate_after(pg.trainer.epoch)
                self._current.epochs, self._current.steps = pg.trainer.epoch, pg.trainer.steps
                self._mark = self.clock()
                return
            resume, self._resume = self._resume, None
            if resume is not None and resume in self._runs and self._pending[0] == "new":
                # the playground of the session the runs were saved with: the same run goes on
                self._current, self._trainer, self._settings_seen = resume, pg.trainer, pg.settings
                resume.curve.truncate_after(pg.trainer.epoch)
                self._mark = self.clock()
                self._append_row(resume, pg)
                return
            origin, parent = self._pending
            self._pending = ("new", None)
            self.start(pg, origin, parent)

    def expect_duplicate(self, parent: int) -> None:
        """The next new run is a duplicate of run ``parent`` (the GUI calls this before it
        hands the worker ``playground_for(...)``)."""
        self._pending = ("duplicate", parent)

    def on_epoch(self, pg: Playground) -> None:
        self.record(pg)

    on_step = on_epoch

    def on_play(self, pg: Playground) -> None:
        with self._lock:
            self._running, self._mark = True, self.clock()

    def on_pause(self, pg: Playground) -> None:
        self.record(pg)
        with self._lock:
            self._running = False
