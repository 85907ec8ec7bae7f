"""The trainer's thread: a parentless QObject that owns the Playground and runs in a QThread.

The GUI never touches the Playground. It puts commands on a queue (every public method here
is safe to call from the GUI thread) and receives immutable ``Snapshot``s through
``snapshot_ready``. The loop runs in the worker's thread and checks the queue once per
minibatch, so "pause" stops within one step and "step" runs exactly one step. While running
flat out it never sleeps and takes a snapshot (with the neuron grids) every
``snapshot_interval`` seconds (the window sets it from its frame cost, see
``gui/shell/pacing.snapshot_interval``); after every discrete command (step, reset, edit,
setting change, pause) it takes one at once.

Shut down in order (see ``MainWindow.shutdown``): ``stop()``, ``thread.quit()``,
``thread.wait()``.
"""
from __future__ import annotations

import math
import os
import queue
import sys
import threading
import time
from collections import deque
from contextlib import contextmanager
from concurrent.futures import Future

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from model.core.losses import default_loss
from model.core.network import Network
from model.core.scaling import resolve_method
from model.data.plane import PlaneSpec
from model.pause_points import pausing_with
from model.playground import Playground, Settings
from model.snapshot import take_snapshot

from gui.shell.pacing import GuiGate

#: (label, kind, units per second); kind "steps" = minibatches, "epochs", "flat" = no pacing
SPEEDS: tuple[tuple[str, str, float], ...] = (
    ("1 step/s", "steps", 1.0),
    ("5 steps/s", "steps", 5.0),
    ("30 steps/s", "steps", 30.0),
    ("2 epochs/s", "epochs", 2.0),
    ("10 epochs/s", "epochs", 10.0),
    ("1 epoch/frame", "epochs", 30.0),
    ("flat out", "flat", math.inf),
)
FLAT_OUT = len(SPEEDS) - 1

#: the longest the trainer stands aside for a busy GUI thread before it trains one minibatch
#: (never starved). Such a minibatch costs the GUI thread more than its own time on a busy
#: machine: the trainer's thread is niced, and when the scheduler preempts it while it holds
#: the GIL the GUI thread waits for it to be scheduled again. At 0.1 s a busy stretch of the
#: GUI thread paid that every 0.1 s: with two CPU hogs the worst stalls of random actions
#: were 260-410 ms, and 153-186 ms in a trial at 1.0 s (the same four seeds); 0.5 s keeps the
#: trainer's wait shorter. The window's own busy stretches stay under it on a quiet machine
#: (~130 ms at worst).
MAX_YIELD_S = 0.5
#: paused or training at most this many steps/epochs a second, snapshots also carry the
#: output on a FINE_GRID² grid for a smooth boundary (skipped when a command is waiting:
#: stepping stays immediate); flat out keeps the cheap grid only
FINE_GRID = 121
FINE_MAX_RATE = 5.0
#: flat out on the compiled path: minibatches per (GIL-free) kernel call, sized to take this
#: long, so a command (Pause) waits at most about this
CALL_BUDGET_S = 0.004


class TrainerWorker(QObject):
    snapshot_ready = Signal(object)  # model.snapshot.Snapshot
    diverged = Signal(str)  # the engine's message; training has been paused
    error = Signal(str)  # a refused command (bad import, impossible setting); nothing changed
    finished = Signal()

    def __init__(self, settings: Settings = Settings(), *, grid_resolution: int = 40,
                 snapshot_hz: float = 33.0):
        super().__init__()  # parentless: it is moved to its QThread
        self._settings = settings
        self._grid_resolution = int(grid_resolution)
        self._snapshot_interval = 1.0 / float(snapshot_hz)  # set_snapshot_interval
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._stopped = False
        self.pg: Playground | None = None  # touch only from the worker thread (or via call())
        self._run_id = 0
        self._running = False
        self._speed = FLAT_OUT
        self._unit_open = False  # a paced unit (one step or one epoch) is in progress
        self._next_due = 0.0
        self._last_snapshot = 0.0
        self._rate_samples: deque = deque()  # (time, epoch) for epochs/s
        self._imported: Network | None = None  # reset brings these weights back
        self._seq = 0  # sequence number of the last command handled (GUI syncs on it)
        self.steps_trained = 0  # minibatches trained by this worker, for the benchmark
        # Closed while the GUI thread is awake or draws a frame. Both threads run Python and
        # share the GIL; when they fight for it, each of the GUI's hundreds of Python calls
        # waits for the trainer to be preempted, and a frame takes ten times as long. The
        # trainer therefore stands aside (GIL released) meanwhile; see gui/shell/pacing.py.
        self.gate = GuiGate()
        self._was_running = False  # the last snapshot was taken while training
        # Observers (lessons, health, timeline) hear about epochs and new runs in this thread.
        self._observers: list = []
        # the plane drawn for data with more than two inputs, and the input names it was
        # chosen for (other data falls back to the default slice; see model.snapshot.plane_of)
        self._plane: tuple[PlaneSpec, tuple[str, ...]] | None = None

    # ----------------------------------------------------------------- GUI-thread API
    def _post(self, name: str, *args, seq: int = 0) -> None:
        self._commands.put((name, args, seq))
        self.gate.nudge()  # a trainer standing aside for the GUI handles it at once

    def play(self, seq: int = 0) -> None:
        self._post("play", seq=seq)

    def pause(self, seq: int = 0) -> None:
        self._post("pause", seq=seq)

    def step_batch(self, seq: int = 0) -> None:
        self._post("step_batch", seq=seq)

    def step_epoch(self, seq: int = 0) -> None:
        self._post("step_epoch", seq=seq)

    def reset(self, seed: int | None = None, seq: int = 0) -> None:
        """Fresh weights from the same seed (or from ``seed``), same data."""
        self._post("reset", seed, seq=seq)

    def update(self, changes: dict, seq: int = 0) -> None:
        """Setting changes (see Playground.update): hot ones keep the weights."""
        self._post("update", dict(changes), seq=seq)

    def set_weight(self, layer: int, i: int, j: int, value: float, seq: int = 0) -> None:
        self._post("set_weight", int(layer), int(i), int(j), float(value), seq=seq)

    def set_bias(self, layer: int, j: int, value: float, seq: int = 0) -> None:
        self._post("set_bias", int(layer), int(j), float(value), seq=seq)

    def set_params(self, params, seq: int = 0) -> None:
        """Every parameter at once (``net.params``' flat layout), e.g. a point of the loss
        landscape: an edit like ``set_weight`` (refused with ``error`` if it does not fit)."""
        self._post("set_params", np.array(params, dtype=np.float64, copy=True), seq=seq)

    def load_network(self, network: Network, seq: int = 0) -> None:
        """Train these weights on the current data from now on (refused with ``error``
        if they do not fit; then nothing changes)."""
        self._post("load_network", network, seq=seq)

    def set_speed(self, index: int, seq: int = 0) -> None:
        self._post("set_speed", int(index), seq=seq)

    def set_plane(self, spec: PlaneSpec, seq: int = 0) -> None:
        """Draw data with more than two inputs over this slice or projection (the neuron
        grids of every snapshot from now on; the cost is that of two-input data)."""
        self._post("set_plane", spec, seq=seq)

    def request_snapshot(self) -> None:
        self._post("snapshot")

    def call(self, fn, *, changes_state: bool = False) -> Future:
        """Run ``fn(playground)`` in the worker thread between two steps; its result (or
        exception) arrives in the returned Future. For exports, views and tests.

        With ``changes_state=True`` (fn edited the weights or the history, e.g. a timeline
        restore), the worker pauses, starts a new run id so plots redraw from scratch, and
        sends a snapshot. fn may return a new Playground to replace the current one (the
        Future then holds None: a live engine object never crosses to the GUI thread)."""
        future: Future = Future()
        self._post("call", fn, future, changes_state)
        return future

    def set_data(self, data, seq: int = 0) -> None:
        """Train on these points (CSV or drawn) from now on; rebuilds the network."""
        self._post("set_data", data, seq=seq)

    def replace_playground(self, playground, seq: int = 0) -> None:
        """Continue from this Playground (e.g. a loaded session), paused."""
        self._post("replace_playground", playground, seq=seq)

    def set_snapshot_interval(self, seconds: float) -> None:
        """Seconds between snapshots while training flat out, from the next one on (any
        thread: one float, read once per snapshot)."""
        seconds = float(seconds)
        if not (math.isfinite(seconds) and seconds > 0.0):
            raise ValueError(f"a snapshot interval must be a positive number of seconds, "
                             f"not {seconds}")
        self._snapshot_interval = seconds

    @property
    def snapshot_interval(self) -> float:
        return self._snapshot_interval

    @contextmanager
    def gui_frame(self):
        """``with worker.gui_frame():`` around drawing in the GUI thread: the trainer pauses
        between two steps until the block ends (or MAX_YIELD_S has passed); a compiled
        kernel that is running keeps training meanwhile, without the GIL (it reads
        ``gate.closed``)."""
        self.gate.enter_frame()
        try:
            yield
        finally:
            self.gate.leave_frame()

    def add_observer(self, observer) -> None:
        """Register an object whose optional methods ``on_epoch(pg)`` (after every completed
        epoch), ``on_step(pg)`` (after a discrete Step), ``on_new_run(pg)`` (after a
        rebuild, reset or import), ``on_edit(pg)`` (after a weight edit), ``on_play(pg)`` and
        ``on_pause(pg)`` (training starts or stops running) run in the worker thread. A new
        observer hears ``on_new_run`` at once, and ``on_pause`` if training is not running.
        Safe to call from the GUI."""
        self._post("add_observer", observer)

    def _notify(self, event: str) -> None:
        for observer in self._observers:
            method = getattr(observer, event, None)
            if method is not None:
                try:
                    method(self.pg)
                except Exception as exc:  # noqa: BLE001 - an observer must not stop training
                    self.error.emit(f"{type(observer).__name__}: {exc}")

    def _do_add_observer(self, observer) -> None:
        self._observers.append(observer)
        if hasattr(observer, "on_new_run"):
            observer.on_new_run(self.pg)
        if not self._running and hasattr(observer, "on_pause"):
            observer.on_pause(self.pg)  # it may assume training runs until told otherwise

    def stop(self) -> None:
        """Make ``run`` return after the current step (thread-safe, idempotent)."""
        self._stopped = True
        self._post("stop")

    # ----------------------------------------------------------------- the loop
    @Slot()
    def run(self) -> None:
        """The worker thread's body: started by QThread.started, returns on stop()."""
        # Divergence is detected and reported by the trainer; numpy's overflow warnings in
        # this thread would only be noise. (numpy's error state is per thread.)
        np.seterr(all="ignore")
        _yield_cpu_to_the_window()
        try:
            try:
                self.pg = Playground(self._settings)
            except Exception as exc:  # noqa: BLE001 - bad settings: fall back to defaults
                self.error.emit(f"cannot build the playground ({exc}); using defaults")
                self.pg = Playground(Settings())
            self._emit_snapshot()
            while not self._stopped:
                if self._running:
                    while not self._commands.empty() and not self._stopped:
                        self._handle(self._commands.get_nowait())
                    if self._running and not self._stopped:
                        try:
                            self._train_tick()
                        except Exception as exc:  # noqa: BLE001 - stop, say why, go on
                            self._do_pause()
                            self.error.emit(f"training stopped: {exc}")
                            self._emit_snapshot()
                else:
                    self._handle(self._commands.get())  # blocks without holding the GIL
        finally:
            self._running = False
            # Futures still queued would otherwise block their caller until its timeout.
            while not self._commands.empty():
                name, args, _ = self._commands.get_nowait()
                if name == "call":
                    args[1].cancel()
            self.finished.emit()

    def stand_aside(self) -> None:
        """Before a paced step, at each pause point of a long job (``call``) and of a file
        read in the background (a session, weights or a big CSV: gui/files/background.py):
        while the GUI thread is busy, wait for it (without the GIL) for at most MAX_YIELD_S;
        a command posted meanwhile ends the wait (a job goes on, and the command is handled
        after it)."""
        if not self.gate.is_open():
            self.gate.wait(MAX_YIELD_S)

    def _train_tick(self) -> None:
        """Train until a command is waiting or a snapshot is due, paced by the speed."""
        kind = SPEEDS[self._speed][1]
        if kind == "flat":
            self._train_flat_out()
        else:
            self._train_paced()

    def _train_flat_out(self) -> None:
        trainer = self.pg.trainer
        step, diverged = trainer.step_batch, None
        gate_open, gate_wait = self.gate.is_open, self.gate.wait
        no_command = self._commands.empty
        interval = self._snapshot_interval
        clock, due = time.perf_counter, self._last_snapshot + interval
        n = 0
        # The compiled path trains many minibatches per call, without the GIL, and goes on
        # while a frame is being drawn instead of coming back for the GIL mid-frame; a
        # command waits at most one call.
        many, batches_for = trainer.engine == "compiled", trainer.batches_for
        # One minibatch (or one call) per iteration; a command is noticed before the next.
        while no_command():
            if not gate_open() and (gate_wait(MAX_YIELD_S) or not no_command()):
                continue  # the GUI is idle again, or a command came: look again
            # (or the GUI has been busy for MAX_YIELD_S: one step all the same)
            if many:  # a call ends by the snapshot's time: late snapshots are fewer ones
                budget = min(CALL_BUDGET_S, max(0.0, due - clock()))
                done, ended = trainer.step_batches(batches_for(budget), self.gate.closed)
            else:
                done, ended = 1, step(errors_ignored=True)
            if ended and self._observers:  # once a call, however many epochs it ended
                self._notify("on_epoch")
            n += done
            diverged = trainer.diverged
            if diverged or clock() >= due:
                break
        self.steps_trained += n
        if diverged:
            self._stop_diverged(diverged)
        elif clock() >= due:
            if not gate_open():
                gate_wait(MAX_YIELD_S)  # the GUI still draws the last one: no queue of them
            late = clock() - due
            self._emit_snapshot()
            if late < interval:
                # keep to the cadence (a snapshot a little late makes the next one a little
                # early), so that the rate is 1/interval and not 1/(interval + lateness)
                self._last_snapshot = due

    def _train_paced(self) -> None:
        """At most one minibatch; a unit (one step or one epoch) starts every 1/rate s."""
        _, kind, rate = SPEEDS[self._speed]
        now = time.perf_counter()
        if not self._unit_open:
            if now < self._next_due:
                try:  # sleep until due, but wake up at once for a command
                    self._handle(self._commands.get(timeout=self._next_due - now))
                except queue.Empty:
                    pass
                return
            self._unit_open = True
            # no catching up after a stall: at most one unit is ever due
            self._next_due = max(self._next_due + 1.0 / rate, now)
        self.stand_aside()
        trainer = self.pg.trainer
        ended_epoch = trainer.step_batch()
        self.steps_trained += 1
        if ended_epoch:
            self._notify("on_epoch")
        if trainer.diverged:
            self._stop_diverged(trainer.diverged)
        elif kind == "steps" or ended_epoch:
            self._unit_open = False
            self._emit_snapshot()

    def _stop_diverged(self, message: str) -> None:
        self._do_pause()
        self._emit_snapshot()
        self.diverged.emit(message)

    # ----------------------------------------------------------------- commands
    def _handle(self, command) -> None:
        name, args, seq = command
        if seq:
            self._seq = max(self._seq, seq)
        if name == "stop":
            self._stopped = True
            return
        if name == "call":
            fn, future, changes_state = args
            if future.set_running_or_notify_cancel():
                try:
                    with pausing_with(self.stand_aside):  # a busy window goes first
                        result = fn(self.pg)
                    if changes_state:
                        self._do_pause()
                        if isinstance(result, Playground):
                            self.pg = result
                            self._imported = None
                            result = None  # the live playground never crosses to the GUI
                        self._new_run()
                        self._emit_snapshot()
                    future.set_result(result)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    future.set_exception(exc)
            return
        try:
            getattr(self, f"_do_{name}")(*args)
        except Exception as exc:  # noqa: BLE001 - a refused command must not kill the loop
            self.error.emit(str(exc) or type(exc).__name__)
        self._emit_snapshot()

    def _do_snapshot(self) -> None:
        pass

    def _do_play(self) -> None:
        if self.pg.trainer.diverged:
            self.pg.trainer.reset_divergence()  # weights were restored: carry on from there
        if not self._running:
            self._running = True
            self._unit_open = False
            self._next_due = time.perf_counter()
            self._rate_samples.clear()
            self._notify("on_play")

    def _do_pause(self) -> None:
        was_running, self._running = self._running, False
        self._unit_open = False
        if was_running:
            self._notify("on_pause")

    def _do_step_batch(self) -> None:
        self._do_pause()
        trainer = self.pg.trainer
        trainer.reset_divergence()
        if trainer.step_batch():
            self._notify("on_epoch")
        self.steps_trained += 1
        self._notify("on_step")
        if trainer.diverged:
            self.diverged.emit(trainer.diverged)

    def _do_step_epoch(self) -> None:
        self._do_pause()
        trainer = self.pg.trainer
        trainer.reset_divergence()
        if trainer.step_epoch():
            self._notify("on_epoch")
        self._notify("on_step")
        if trainer.diverged:
            self.diverged.emit(trainer.diverged)

    def _do_reset(self, seed: int | None) -> None:
        if seed is not None:
            self._imported = None
        if self._imported is not None:
            self.pg = Playground(self.pg.settings, data=self.pg.custom_data,
                                 network=self._imported.copy())
        else:
            self.pg.reset(seed)
        self._new_run()

    def _do_update(self, changes: dict) -> None:
        if self.pg.update(**changes):
            self._imported = None
            self._new_run()
        elif "lr" in changes:
            self.pg.trainer.reset_divergence()  # a smaller rate is the usual way out

    def _do_set_weight(self, layer: int, i: int, j: int, value: float) -> None:
        _check_finite(value)
        W = self._layer(layer).W
        if not (0 <= i < W.shape[0] and 0 <= j < W.shape[1]):
            raise ValueError(f"layer {layer + 1} has no weight [{i}][{j}]")
        W[i, j] = value
        self._notify("on_edit")

    def _do_set_bias(self, layer: int, j: int, value: float) -> None:
        _check_finite(value)
        b = self._layer(layer).b
        if not 0 <= j < b.shape[0]:
            raise ValueError(f"layer {layer + 1} has no bias [{j}]")
        b[j] = value
        self._notify("on_edit")

    def _do_set_params(self, params: np.ndarray) -> None:
        net = self.pg.net
        if params.shape != net.params.shape:
            raise ValueError(f"the network has {net.n_params} parameters, not {params.size}")
        if not np.all(np.isfinite(params)):
            raise ValueError("weights must be finite numbers")
        net.params[:] = params
        self._notify("on_edit")

    def _layer(self, layer: int):
        layers = self.pg.net.layers
        if not 0 <= layer < len(layers):
            raise ValueError(f"the network has no layer {layer + 1}")
        return layers[layer]

    def _do_load_network(self, network: Network) -> None:
        pg = self.pg
        hidden = tuple(network.sizes[1:-1])
        # every hidden layer's own activation, as the file has them (the first becomes
        # ``activation``, the others per-layer choices where they differ)
        settings = pg.settings.replace(
            hidden=hidden, output_activation=network.output_activation,
            layer_activations=()).with_hidden_activations(network.activation_names[:-1])
        try:
            new = Playground(settings, data=pg.custom_data, network=network.copy())
        except ValueError:
            # the output layer may not fit the chosen loss: try the task's usual one for it
            new = Playground(settings.replace(loss=default_loss(network.output_activation,
                                                                 pg.data.task)),
                             data=pg.custom_data, network=network.copy())
        self.pg = new
        self._imported = network.copy()
        self._new_run()

    def _do_set_data(self, data) -> None:
        self.pg.set_data(data)  # raises (and changes nothing) if the data does not fit
        self._imported = None
        self._new_run()

    def _do_replace_playground(self, playground) -> None:
        self._do_pause()
        self.pg = playground
        self._imported = None
        self._new_run()

    def _do_set_plane(self, spec: PlaneSpec) -> None:
        if not isinstance(spec, PlaneSpec):
            raise ValueError(f"not a plane: {spec!r:.60}")
        names = tuple(self.pg.data.input_names)
        spec.check(len(names))  # a one-line ValueError, reported by _handle
        self._plane = (spec, names)

    def _plane_spec(self) -> PlaneSpec | None:
        """The chosen plane if it was chosen for the current data's inputs."""
        if self._plane is not None and self._plane[1] == tuple(self.pg.data.input_names):
            return self._plane[0]
        return None

    def _do_set_speed(self, index: int) -> None:
        if not 0 <= index < len(SPEEDS):
            raise ValueError(f"no speed {index}")
        self._speed = index
        self._unit_open = False
        self._next_due = time.perf_counter()

    def _new_run(self) -> None:
        self._notify("on_new_run")
        self._run_id += 1
        self._unit_open = False
        self._rate_samples.clear()

    # ----------------------------------------------------------------- snapshots
    def _epochs_per_s(self, now: float) -> float:
        samples = self._rate_samples
        if not self._running:
            samples.clear()
            return 0.0
        samples.append((now, self.pg.trainer.epoch))
        while len(samples) > 2 and now - samples[0][0] > 1.0:
            samples.popleft()
        t0, e0 = samples[0]
        return (samples[-1][1] - e0) / (now - t0) if now > t0 else 0.0

    def _command_waiting(self) -> bool:
        return self._stopped or not self._commands.empty()

    def _emit_snapshot(self) -> None:
        now = time.perf_counter()
        self._last_snapshot = now
        with np.errstate(all="ignore"):  # huge weights just before a divergence overflow
            _, kind, rate = SPEEDS[self._speed]
            slow = not self._running or (kind != "flat" and rate <= FINE_MAX_RATE)
            if not self._running and self._was_running:
                # just paused: show it now; the fine boundary follows at once (on 8×16 it
                # costs several frames' time)
                slow = False
                self._post("snapshot")
            self._was_running = self._running
            snap = take_snapshot(self.pg, self._run_id, self._grid_resolution,
                                 fine_resolution=FINE_GRID if slow else None,
                                 interrupted=self._command_waiting, plane=self._plane_spec(),
                                 running=self._running, epochs_per_s=self._epochs_per_s(now),
                                 extras={"settings": self.pg.settings, "seq": self._seq,
                                         "custom": self.pg.custom_data is not None,
                                         "loss": self.pg.trainer.loss.name,
                                         "engine": self.pg.trainer.engine_description(),
                                         "auto_scaling": resolve_method(
                                             "auto", self.pg.data.origin == "file")})
        self.snapshot_ready.emit(snap)


#: how much nicer than the window the trainer's thread is: on a busy machine the window's
#: thread gets the CPU first
TRAINER_NICENESS = 5


def _yield_cpu_to_the_window() -> None:
    """Lower this (the trainer's) thread's priority. Training outside the GIL competes with
    the window's thread for the CPUs only; on a busy machine the scheduler then favours the
    window. Linux sets niceness per thread; elsewhere this does nothing."""
    if sys.platform.startswith("linux"):
        try:
            tid = threading.get_native_id()
            nice = os.getpriority(os.PRIO_PROCESS, tid)
            os.setpriority(os.PRIO_PROCESS, tid, min(nice + TRAINER_NICENESS, 19))
        except OSError:
            pass


def _check_finite(value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"a weight must be a finite number, not {value}")
