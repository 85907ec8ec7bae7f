"""The snapshot cadence follows the frames' cost (issue 12 item 5): the display's 60 Hz where a
frame costs under about 8 ms, fewer snapshots where frames cost more, so that drawing keeps
to half of the GUI thread's time and the trainer takes no snapshot the window would drop."""
import math
import time

import numpy as np
import pytest
from PySide6.QtGui import QPainter

from gui.graph import colors
from gui.shell.pacing import DISPLAY_HZ, MIN_SNAPSHOT_HZ, FrameCost, snapshot_interval
from gui.shell.worker import FLAT_OUT, TrainerWorker
from tests.gui.conftest import WAIT_MS
from tests.gui.window_helpers import Received, pause_flat_out


def test_cheap_frames_get_the_displays_rate():
    assert DISPLAY_HZ == 60.0
    for cost in (0.0005, 0.004, 0.008):  # 8 ms frames: 16 ms apart, still within 1/60 s
        assert snapshot_interval(cost) == pytest.approx(1 / 60)


def test_costly_frames_get_snapshots_twice_their_cost_apart():
    # a frame of 8.5 ms may come every 17 ms (58.8 Hz), one of 27 ms (8×16) every 54 ms
    assert snapshot_interval(0.0085) == pytest.approx(0.017)
    assert snapshot_interval(0.027) == pytest.approx(0.054)
    assert 1 / snapshot_interval(0.027) == pytest.approx(18.52, abs=0.01)


def test_the_rate_never_falls_below_the_floor_and_unknown_costs_start_fast():
    assert MIN_SNAPSHOT_HZ == 4.0
    assert snapshot_interval(0.5) == pytest.approx(0.25)
    assert snapshot_interval(1e9) == pytest.approx(0.25)
    for unknown in (math.nan, math.inf, 0.0, -0.01):
        assert snapshot_interval(unknown) == pytest.approx(1 / 60), unknown


def test_the_interval_grows_with_the_cost():
    costs = [i * 0.001 for i in range(1, 300)]
    intervals = [snapshot_interval(c) for c in costs]
    assert all(b >= a for a, b in zip(intervals, intervals[1:]))
    assert intervals[0] < intervals[-1]


def test_frame_cost_is_the_median_of_the_last_frames():
    cost = FrameCost(n=5)
    assert math.isnan(cost.median())
    for s in (0.005, 0.100, 0.006):  # one slow frame (a resize, a Pause) does not move it
        cost.add(s)
    assert cost.median() == pytest.approx(0.006)
    cost.add(0.007)
    assert cost.median() == pytest.approx(0.0065)  # even count: the middle two's mean
    cost.add(math.nan)  # a broken measure is left out
    cost.add(-1.0)
    assert cost.median() == pytest.approx(0.0065)
    for _ in range(5):  # only the last n count
        cost.add(0.030)
    assert cost.median() == pytest.approx(0.030)


def test_the_worker_refuses_a_meaningless_interval():
    worker = TrainerWorker()
    for bad in (0.0, -1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="snapshot interval"):
            worker.set_snapshot_interval(bad)
    worker.set_snapshot_interval(0.05)
    assert worker.snapshot_interval == 0.05


def test_costly_frames_slow_the_workers_snapshots(qtbot, window, monkeypatch):
    assert window.worker.snapshot_interval == pytest.approx(1 / 60)
    draw = window.network_view.set_snapshot

    def slow(snap):
        time.sleep(0.04)  # every frame costs at least 40 ms
        draw(snap)
    monkeypatch.setattr(window.network_view, "set_snapshot", slow)
    window.controls.speed.setValue(FLAT_OUT)
    window.play()
    # at least 80 ms apart: twice a cost of at least 40 ms (whatever else the frame costs)
    qtbot.waitUntil(lambda: window.worker.snapshot_interval >= 0.08, timeout=WAIT_MS)
    assert window.frame_cost.median() >= 0.04
    window.pause()


def test_a_fixed_rate_is_kept_and_the_worker_keeps_to_it(qtbot, make_window):
    window = make_window(snapshot_hz=5.0)
    received = Received()
    window.worker.snapshot_ready.connect(received.take)
    window.controls.speed.setValue(FLAT_OUT)
    window.play()
    qtbot.waitUntil(lambda: len([s for s in received.snaps if s.running]) >= 3,
                    timeout=WAIT_MS)
    start, n0 = time.perf_counter(), len(received.snaps)
    qtbot.wait(1000)
    n, elapsed = len(received.snaps) - n0, time.perf_counter() - start
    window.pause()
    assert window.worker.snapshot_interval == pytest.approx(0.2)  # never adapted
    # 5 a second, not 60: at most one more than the interval allows (a count, not a time)
    assert n <= elapsed / 0.2 + 1, (n, elapsed)


def _pixels(image) -> np.ndarray:
    """A thumbnail's RGBA pixels as the item will paint them."""
    h, w = image.height(), image.width()
    return np.frombuffer(bytes(image.constBits()), dtype=np.uint8)[:h * w * 4].reshape(h, w, 4)


def _expected(snap, c: int) -> np.ndarray:
    """Column c's thumbnails from the snapshot's grids, coloured here independently of the
    frame's bookkeeping (the graph's colouring functions, no cache)."""
    grid = snap.neuron_grids[c][:, ::-1]
    act = None if c == 0 else snap.activations[c - 1]
    return colors.rgba(colors.thumbnail_values(grid, act))


def test_unchanged_thumbnails_are_not_drawn_again_and_every_one_shows_its_grid(
        qtbot, window):
    style, view = window.network_view._style, window.network_view
    inputs = view._neurons[0]
    window.controls.speed.setValue(FLAT_OUT)
    window.play()
    qtbot.waitUntil(lambda: window.latest_snapshot.running, timeout=WAIT_MS)
    first = [item.image for item in inputs]
    set_before, frames = style.images_set, window.frames_drawn
    qtbot.waitUntil(lambda: window.frames_drawn >= frames + 5, timeout=WAIT_MS)
    window.pause()
    # the inputs' grids never change while training: their images were never replaced
    assert [item.image for item in inputs] == first
    assert all(a is b for a, b in zip((item.image for item in inputs), first))
    hidden_and_out = sum(len(col) for col in view._neurons[1:])
    grown = style.images_set - set_before
    assert grown > 0  # the trained units' thumbnails did change
    assert grown <= hidden_and_out * (window.frames_drawn - frames)  # never the inputs
    qtbot.waitUntil(lambda: not window.latest_snapshot.running
                    and window.latest_snapshot.output_grid_fine is not None
                    and view._snap is window.latest_snapshot, timeout=WAIT_MS)
    # Pause's two snapshots (at once, then with the fine boundary) have the same grids: the
    # second one gave no thumbnail a new image
    snap = window.latest_snapshot
    for c, column in enumerate(view._neurons):
        expected = _expected(snap, c)
        for u, item in enumerate(column):
            np.testing.assert_array_equal(_pixels(item.image), expected[u])
    before = style.images_set
    window.network_view.set_snapshot(snap)  # the same snapshot again: nothing to draw
    assert style.images_set == before


def test_the_frame_answering_pause_is_crisp_and_the_fine_one_smooth(qtbot, window):
    received, seq = pause_flat_out(qtbot, window)
    qtbot.waitUntil(lambda: window.latest_snapshot.extras["seq"] >= seq
                    and window.latest_snapshot.output_grid_fine is not None, timeout=WAIT_MS)
    antialiased = lambda: bool(window.network_view._view.renderHints()  # noqa: E731
                               & QPainter.RenderHint.Antialiasing)
    assert antialiased()  # paused, with the fine boundary: smooth edges
    answer = next(s for s in received.snaps if s.extras["seq"] >= seq and not s.running)
    assert answer.output_grid_fine is None  # the snapshot answering Pause: no fine grid yet
    for snap, smooth in ((answer, False), (window.latest_snapshot, True)):
        window._pending = snap  # drawn again, as the window draws any snapshot
        window._on_draw_timer()
        assert antialiased() is smooth
