"""Keeping the GUI thread responsive while the trainer runs flat out, on a busy machine.

The measures, each bounding one source of GUI-thread stalls (issue 9.12; two more have
modules of their own: ``collector`` collects garbage on the GUI thread only, and ``turns``
runs the window's frame, the features' snapshots (``snapshot_feed``) and the worker's
answers one piece per turn of the event loop):

- ``single_threaded_blas``: numpy's OpenBLAS starts helper threads for products of a few
  hundred rows (the output plane's upsampling, the neuron grids). On a machine whose cores are
  busy, the GUI thread then waits for a helper to be scheduled: a 0.05 ms product (the output
  plane's upsampling) took 8 ms in the median and up to 140 ms on a busy machine. The window's
  products are small; one thread is always faster there.
- ``single_threaded_drawing``: the same for Qt's own drawing helpers (a thread pool for
  large raster fills and strokes).
- ``GuiGate``: both threads run Python and share the GIL. While the GUI thread works, every
  Python call it makes waits for the trainer to be preempted (5 ms each, far more when the
  trainer's core is taken by another process). ``GateKeeper`` closes the gate when the GUI
  thread starts handling an event (an application event filter: about 700 events a second
  while training flat out, a few microseconds each) and opens it when its event loop has
  handled what it had (the dispatcher's ``awake`` and ``aboutToBlock``: with glib both come
  between two batches of events, never before one). While it is closed the trainer
  stands aside between two minibatches (GIL released), for at most the worker's
  ``MAX_YIELD_S`` (0.5 s), after which it trains one minibatch anyway (never starved); a command
  posted to it ends the wait at once (``nudge``).
- ``next_frame_at``: a frame may start only after the GUI thread has been free for as long as
  the last frame took (or the median frame, when the last one was slower), so drawing takes
  at most about half of the GUI thread's time however slow the machine is; snapshots that
  arrive meanwhile replace each other (never a queue of frames).
- ``snapshot_interval``: the worker takes snapshots (flat out) as often as the window can draw
  them by that same rule, up to the display's rate: 60 a second where a frame costs under
  8 ms, fewer where it costs more (8×16). A snapshot the window would drop costs the trainer
  its time for nothing. ``FrameCost`` is the measure the rule is fed: the median of the last
  frames' cost, so that one slow frame (a Pause's fine boundary, a resize) does not move it.
"""
from __future__ import annotations

import logging
import math
import os
import threading
from collections import deque

import numpy as np
from PySide6.QtCore import QAbstractEventDispatcher, QCoreApplication, QObject


def single_threaded_drawing() -> None:
    """Keep Qt's raster painting on the GUI thread. Qt 6 splits large fills, strokes and image
    draws over a pool of helper threads and waits for them on a latch; on a machine whose
    cores are busy the helpers wait to be scheduled, and the GUI thread with them: 40 of the
    GUI thread's longest stall (0.8 s, two CPU hogs running) were spent in that wait. The
    graph's edges and the plots are small fills; one thread draws them without waiting. Qt
    reads the variable when it first paints: call this before the first window shows."""
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def single_threaded_blas() -> bool:
    """Limit numpy's BLAS to one thread in this process; False if that is not possible
    (threadpoolctl missing, or a BLAS it does not know): the window still works."""
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(1, user_api="blas")
    except Exception as exc:  # noqa: BLE001 - an optimisation: never fatal
        logging.getLogger(__name__).info("BLAS threads not limited: %s", exc)
        return False
    return True


class GuiGate:
    """Open while the GUI thread handles no event and draws no frame.

    ``busy``, ``idle`` and the frame methods are called in the GUI thread only: the state is
    two plain values (``busy`` runs 700 times a second and takes no lock). The trainer's
    thread reads ``is_open()`` and sleeps in ``wait(timeout)``, which also ends at once when
    ``nudge()`` says a command is waiting for it (any thread). ``closed[0]`` is 1 while the
    gate is closed: a compiled kernel, which runs without the GIL, reads it to keep training
    instead of returning for the GIL while the GUI thread is busy."""

    def __init__(self):
        self._wake = threading.Event()  # only wakes the trainer; the state is below
        self._busy = False
        self._frames = 0
        self.closed = np.zeros(1, dtype=np.int64)

    def busy(self) -> None:
        self._busy = True
        self.closed[0] = 1

    def idle(self) -> None:
        self._busy = False
        if not self._frames:
            self.closed[0] = 0
            self._wake.set()

    def enter_frame(self) -> None:
        self._frames += 1
        self.closed[0] = 1

    def leave_frame(self) -> None:
        self._frames -= 1
        if not self._frames and not self._busy:
            self.closed[0] = 0
            self._wake.set()

    def is_open(self) -> bool:
        return not self._busy and not self._frames

    def nudge(self) -> None:
        """Wake a waiting trainer (a command was posted): it has more to do than wait."""
        self._wake.set()

    def wait(self, timeout: float) -> bool:
        """Block (GIL released) until the gate opens, a nudge, or ``timeout``; True if open.
        (Cleared before the check: an opening in between is never missed.)"""
        self._wake.clear()
        if self.is_open():
            return True
        self._wake.wait(timeout)
        return self.is_open()

    def release(self) -> None:
        """Open for good: nobody will open it again (the window closed)."""
        self._busy = False
        self._frames = 0
        self.closed[0] = 0
        self._wake.set()


class GateKeeper(QObject):
    """Closes ``gate`` whenever the GUI thread starts handling an event and opens it when
    the thread's event loop has handled what it had. Create it in the GUI thread;
    ``remove()`` before the window goes."""

    def __init__(self, gate: GuiGate):
        super().__init__()
        self.gate = gate
        self._busy = gate.busy
        self._dispatcher = QAbstractEventDispatcher.instance()
        for signal in (self._dispatcher.awake, self._dispatcher.aboutToBlock):
            signal.connect(gate.idle)  # a plain callable: runs in the GUI thread
        QCoreApplication.instance().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        self._busy()  # cheap: every event of the GUI thread comes through here
        return False

    def remove(self) -> None:
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        for signal in (self._dispatcher.awake, self._dispatcher.aboutToBlock):
            try:
                signal.disconnect(self.gate.idle)
            except (RuntimeError, TypeError):  # already gone with the application
                pass
        self.gate.release()


def next_frame_at(started: float, ended: float, max_hz: float,
                  typical: float = math.nan) -> float:
    """When the frame after one drawn from ``started`` to ``ended`` may start: at most
    ``max_hz`` frames a second, and never before the GUI thread was free as long as the
    frame took — or as long as a ``typical`` frame takes (the median of the last ones), if
    that is shorter: one slow frame (a relayout, a collection) then does not also drop the
    next snapshot, while a machine where every frame is slow still gets half its time."""
    cost = ended - started
    if math.isfinite(typical) and typical >= 0.0:
        cost = min(cost, typical)
    return max(started + 1.0 / max_hz, ended + cost)


#: the display's refresh rate: drawing faster shows nothing more
DISPLAY_HZ = 60.0
#: the slowest snapshot rate while training flat out: below it the view stops looking live,
#: and frames that slow are paced by ``next_frame_at`` anyway
MIN_SNAPSHOT_HZ = 4.0


def snapshot_interval(frame_cost_s: float, max_hz: float = DISPLAY_HZ,
                      min_hz: float = MIN_SNAPSHOT_HZ) -> float:
    """Seconds between two snapshots while training flat out, for frames that cost the GUI
    thread ``frame_cost_s`` each (wall time). The one cadence rule of the window:

    - a frame may take at most half of the GUI thread's time (as in ``next_frame_at``), so
      snapshots come every ``2 × frame_cost_s``;
    - never faster than ``max_hz`` (the display's rate: a frame under 1/(2·60) s ≈ 8.3 ms
      gets 60 Hz), never slower than ``min_hz``.

    An unknown cost (no frame yet, NaN, ≤ 0) gives ``max_hz``: the first frames measure it."""
    fastest, slowest = 1.0 / max_hz, 1.0 / min_hz
    if not (math.isfinite(frame_cost_s) and frame_cost_s > 0.0):
        return fastest
    return min(slowest, max(fastest, 2.0 * frame_cost_s))


class FrameCost:
    """The median wall time of the last ``n`` frames (seconds; NaN before the first)."""

    def __init__(self, n: int = 15):
        self._costs: deque = deque(maxlen=n)

    def add(self, seconds: float) -> None:
        if math.isfinite(seconds) and seconds >= 0.0:
            self._costs.append(seconds)

    def median(self) -> float:
        if not self._costs:
            return math.nan
        ordered = sorted(self._costs)
        mid = len(ordered) // 2
        return ordered[mid] if len(ordered) % 2 else 0.5 * (ordered[mid - 1] + ordered[mid])
