"""The GUI thread's work stays bounded while the trainer runs flat out (issue 9.12): the trainer
stands aside while the GUI thread is awake, frames are paced by their own cost, Pause shows
at once and the fine boundary follows, and numpy's BLAS keeps to one thread."""
import os
import pathlib
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from gui.shell.pacing import GuiGate, next_frame_at, single_threaded_blas
from gui.shell.worker import FLAT_OUT, MAX_YIELD_S
from model.pause_points import pause_point
from model.playground import Settings
from tests.gui.conftest import WAIT_MS
from tests.gui.window_helpers import pause_flat_out

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_the_gate_is_open_only_while_the_gui_is_idle_and_draws_nothing():
    gate = GuiGate()
    assert gate.is_open() and gate.wait(0.0)
    gate.busy()
    assert not gate.is_open() and not gate.wait(0.01)
    gate.enter_frame()
    gate.idle()  # idle, but a frame is being drawn (e.g. called outside the event loop)
    assert not gate.is_open()
    gate.enter_frame()
    gate.leave_frame()
    assert not gate.is_open()
    gate.leave_frame()
    assert gate.is_open() and gate.wait(0.01)
    # a waiting trainer wakes at once when the GUI goes idle, or when a command is posted
    gate.busy()
    for wake, opens in ((gate.idle, True), (gate.nudge, False)):
        if opens is False:
            gate.busy()
        timer = threading.Timer(0.05, wake)
        timer.start()
        start = time.perf_counter()
        assert gate.wait(5.0) is opens
        assert time.perf_counter() - start < 2.0
        timer.join()
    gate.enter_frame()
    gate.release()  # the window closes: the trainer must never wait for it again
    assert gate.is_open()


def test_frames_take_at_most_half_the_time_and_at_most_max_hz():
    assert next_frame_at(10.0, 10.002, 60) == pytest.approx(10.0 + 1 / 60)  # cheap frame
    assert next_frame_at(10.0, 10.1, 60) == pytest.approx(10.2)  # 100 ms: 100 ms free after
    # one slow frame among 8 ms ones waits as long as a typical frame, not as the outlier
    assert next_frame_at(10.0, 10.02, 60, typical=0.008) == pytest.approx(10.028)
    # a typical cost above the frame's own never lengthens the wait; NaN: not known yet
    assert next_frame_at(10.0, 10.1, 60, typical=0.5) == pytest.approx(10.2)
    assert next_frame_at(10.0, 10.1, 60, typical=float("nan")) == pytest.approx(10.2)


def test_numpy_uses_one_blas_thread_in_the_window(window):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    if not blas:
        pytest.skip("numpy's BLAS is not one threadpoolctl knows")
    assert single_threaded_blas()
    assert all(i["num_threads"] == 1 for i in threadpoolctl.threadpool_info()
               if i["user_api"] == "blas")


def test_the_trainer_stands_aside_while_the_gui_thread_is_busy(qtbot, window):
    window.controls.speed.setValue(FLAT_OUT)
    window.play()
    qtbot.waitUntil(lambda: window.latest_snapshot.running, timeout=WAIT_MS)
    qtbot.wait(200)
    # the trainer's own step count, read as it moves (a test's look into the worker: an int)
    steps = lambda: window.worker.pg.trainer.steps  # noqa: E731
    counts = {}
    busy_s = 2.5 * MAX_YIELD_S

    def busy():  # a slot that keeps the GUI thread busy for busy_s
        counts["before"] = steps()
        end = time.perf_counter() + busy_s
        while time.perf_counter() < end:
            sum(range(1000))
        counts["after"] = steps()
    QTimer.singleShot(0, busy)
    qtbot.waitUntil(lambda: "after" in counts, timeout=WAIT_MS)
    trained = counts["after"] - counts["before"]
    # at most one minibatch per MAX_YIELD_S, instead of hundreds, and never starved
    assert 1 <= trained <= busy_s / MAX_YIELD_S + 2, trained
    before = steps()
    qtbot.wait(300)  # idle again: it trains flat out
    assert steps() - before > 10 * (busy_s / MAX_YIELD_S + 2)
    window.pause()


BUSY_S = 2.5 * MAX_YIELD_S  # how long passing_points keeps the GUI thread busy


def passing_points(qtbot, start) -> int:
    """``start(run)`` starts a thread that calls ``run(point)``, ``point`` being that
    thread's pause point; ``run`` passes 400 of them, 1 ms apart. Once the first is passed,
    the GUI thread is kept busy for BUSY_S: how many points were passed meanwhile?"""
    passed, span = [], {}

    def run(point):  # in the thread under test
        for _ in range(400):
            point()
            passed.append(time.perf_counter())
            time.sleep(0.001)
        return len(passed)

    def busy():  # keeps the GUI thread busy once the thread has started
        while not passed:
            time.sleep(0.001)
        span["start"] = time.perf_counter()
        while time.perf_counter() < span["start"] + BUSY_S:
            sum(range(1000))
        span["end"] = time.perf_counter()
    start(run)
    QTimer.singleShot(0, busy)
    qtbot.waitUntil(lambda: "end" in span, timeout=WAIT_MS)
    return sum(span["start"] + 0.01 < t < span["end"] for t in passed)


def test_a_long_job_of_the_worker_waits_at_its_pause_points_while_the_gui_is_busy(
        qtbot, window):
    """A loss landscape or a gradient check held the GIL for up to seconds in the worker; at
    each pause point (model/pause_points.py) it now lets a busy GUI thread go first, for at
    most MAX_YIELD_S, and runs on once the GUI thread is idle."""
    futures = []
    during = passing_points(qtbot, lambda run: futures.append(
        window.worker.call(lambda _pg: run(pause_point))))
    assert during <= BUSY_S / MAX_YIELD_S + 2, during  # instead of hundreds
    qtbot.waitUntil(futures[0].done, timeout=WAIT_MS)  # idle again: it runs on to the end
    assert futures[0].result() == 400


def test_a_file_read_in_the_background_waits_at_its_pause_points_while_the_gui_is_busy(
        qtbot, window):
    """Opening a session or weights reads and parses the file in a thread of its own; on a
    busy machine that thread held the GIL while descheduled and the window waited for it.
    At each pause point (every chunk read, every few thousand numbers parsed) it now lets a
    busy GUI thread go first, as the trainer does, and reads on once the GUI thread is idle."""
    from gui.files.progress import ProgressRun
    results = []

    def start(run):
        reading = ProgressRun(window, "Open", "Reading",
                              lambda progress: run(lambda: progress(0)))  # a chunk read
        reading.finished.connect(lambda *outcome: results.append(outcome))
    during = passing_points(qtbot, start)
    assert during <= BUSY_S / MAX_YIELD_S + 2, during  # instead of hundreds
    qtbot.waitUntil(lambda: bool(results), timeout=WAIT_MS)  # idle again: it reads to the end
    assert results == [(400, None)]


def test_an_expensive_frame_leaves_the_gui_thread_free_as_long(qtbot, window, monkeypatch):
    starts = []
    draw = window.network_view.set_snapshot

    def slow(snap):
        starts.append(time.perf_counter())
        time.sleep(0.05)  # a frame of at least 50 ms
        draw(snap)
    monkeypatch.setattr(window.network_view, "set_snapshot", slow)
    window.controls.speed.setValue(FLAT_OUT)
    window.play()
    qtbot.waitUntil(lambda: len(starts) >= 8, timeout=WAIT_MS)
    window.pause()
    gaps = np.diff(starts[1:])  # from the second: the first may follow a discrete snapshot
    # each frame takes >= 50 ms, so the next starts >= 100 ms after it (not back to back)
    assert gaps.min() >= 0.1 - 0.005, gaps


def test_pause_shows_at_once_and_the_fine_boundary_follows(qtbot, make_window):
    window = make_window(Settings(hidden=(16,) * 8))
    received, pause_seq = pause_flat_out(qtbot, window)

    def after_pause():
        return [s for s in received.snaps if s.extras["seq"] >= pause_seq]
    qtbot.waitUntil(lambda: any(s.output_grid_fine is not None for s in after_pause()),
                    timeout=WAIT_MS)
    paused = after_pause()
    assert not any(s.running for s in paused)
    # the first paused snapshot skips the costly fine grid; the next one has it, same state
    assert paused[0].output_grid_fine is None
    assert paused[1].output_grid_fine is not None and paused[1].steps == paused[0].steps
    qtbot.waitUntil(lambda: window.output_view._snap is paused[1], timeout=WAIT_MS)


def test_the_answer_to_a_command_is_drawn_at_once(qtbot, window, monkeypatch):
    """Frames that cost 300 ms are paced 300 ms apart, but the frame answering Pause comes
    right after the frame being drawn: the user is waiting for it."""
    frames = []  # (start, end, snapshot) of each frame's graph
    draw = window.network_view.set_snapshot

    def slow(snap):
        start = time.perf_counter()
        time.sleep(0.3)
        draw(snap)
        frames.append((start, time.perf_counter(), snap))
    monkeypatch.setattr(window.network_view, "set_snapshot", slow)
    window.controls.speed.setValue(FLAT_OUT)
    window.play()
    qtbot.waitUntil(lambda: len(frames) >= 3, timeout=WAIT_MS)
    window.pause()
    seq = window._seq
    qtbot.waitUntil(lambda: any(s.extras["seq"] >= seq for _, _, s in frames), timeout=WAIT_MS)
    k = next(i for i, (_, _, s) in enumerate(frames) if s.extras["seq"] >= seq)
    assert not frames[k][2].running
    assert frames[k][0] - frames[k - 1][1] < 0.2  # paced, it would wait >= 0.3 s
    assert frames[k - 1][0] - frames[k - 2][1] >= 0.3 - 0.005  # the running ones were paced


_POOLED = """
import os, sys
os.environ.pop("QT_NO_GUI_THREADPOOL", None)  # the suite sets it; the window must itself
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication
app = QApplication([])
if sys.argv[1] == "window":
    from gui.shell.main_window import MainWindow
    w = MainWindow()
    w.show()
# a large translucent fill: Qt's raster engine splits it over its pool of helpers
target = QImage(2000, 2000, QImage.Format.Format_RGB32)
painter = QPainter(target)
painter.fillRect(0, 0, 2000, 2000, QColor(1, 2, 3, 100))
painter.end()
names = [open(f"/proc/self/task/{t}/comm").read().strip() for t in os.listdir("/proc/self/task")]
print(sum(name == "Thread (pooled)" for name in names))
if sys.argv[1] == "window":
    w.shutdown()
    w.close()
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_the_window_draws_without_qt_s_helper_threads():
    """Qt's drawing helpers wait to be scheduled on a busy machine, and the GUI thread waits
    for them (gui/shell/pacing.py single_threaded_drawing)."""
    def pooled(mode):
        result = subprocess.run([sys.executable, "-c", _POOLED, mode], cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        return int(result.stdout.split()[-1])
    if pooled("bare") == 0:  # the same drawing without the window uses them (on 2+ cores)
        pytest.skip("Qt drew without helper threads on this machine: nothing to compare")
    assert pooled("window") == 0
