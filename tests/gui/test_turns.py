"""The GUI thread's later work, one piece per turn of the event loop (gui/shell/turns.py,
issue 9.12): the window's frame, the features' snapshots and the worker's answers."""
import sys
from concurrent.futures import Future

from PySide6.QtCore import QTimer

from gui.shell.docks import FutureRelay
from gui.shell.main_window import FRAME
from gui.shell.turns import Turns


def ticking(qtbot, until, timeout=2000) -> list:
    """Run the event loop until ``until()``, with a zero-time timer that records how far
    the work had gone at each of its ticks: a tick between two pieces means the event loop
    ran between them."""
    seen = []
    ticker = QTimer()
    ticker.setInterval(0)
    ticker.timeout.connect(lambda: seen.append(until.progress()))
    ticker.start()
    qtbot.waitUntil(until, timeout=timeout)
    ticker.stop()
    return seen


class Until:
    def __init__(self, calls, n):
        self.calls, self.n = calls, n

    def progress(self):
        return len(self.calls)

    def __call__(self):
        return len(self.calls) >= self.n


def test_pieces_run_in_order_one_per_turn(qtbot):
    turns, calls = Turns(), []
    for name in "abcd":
        turns.later(lambda name=name: calls.append(name))
    assert calls == [] and turns.waiting() == 4  # nothing runs at once
    ticks = ticking(qtbot, Until(calls, 4))
    assert calls == list("abcd") and turns.waiting() == 0
    # the event loop ran between the pieces: the ticker saw 1, 2 and 3 of them done
    assert {1, 2, 3} <= set(ticks)


def test_a_keyed_piece_replaces_the_one_waiting_in_its_place(qtbot):
    turns, calls = Turns(), []
    turns.later(lambda: calls.append("frame 1"), key="frame")
    turns.later(lambda: calls.append("other"))
    turns.later(lambda: calls.append("frame 2"), key="frame")  # the newer frame, same place
    assert turns.waiting() == 2 and turns.waiting("frame") == 1
    qtbot.waitUntil(lambda: turns.waiting() == 0, timeout=2000)
    assert calls == ["frame 2", "other"]


def test_first_goes_ahead_of_what_waits(qtbot):
    turns, calls = Turns(), []
    turns.later(lambda: calls.append("a"))
    turns.later(lambda: calls.append("b"))
    turns.later(lambda: calls.append("frame"), key="frame", first=True)
    qtbot.waitUntil(lambda: len(calls) == 3, timeout=2000)
    assert calls == ["frame", "a", "b"]


def test_a_piece_that_raises_is_reported_and_the_rest_still_run(qtbot, monkeypatch):
    turns, calls, reported = Turns(), [], []
    monkeypatch.setattr(sys, "excepthook", lambda *exc: reported.append(exc[0]))
    turns.later(lambda: 1 / 0)
    turns.later(lambda: calls.append("after"))
    qtbot.waitUntil(lambda: calls == ["after"], timeout=2000)
    assert reported == [ZeroDivisionError]


def test_cancel_drops_the_piece_waiting_under_its_key(qtbot):
    turns, calls = Turns(), []
    turns.later(lambda: calls.append("frame"), key="frame")
    turns.later(lambda: calls.append("kept"))
    turns.cancel("frame")
    turns.cancel("nothing waits under this key")
    qtbot.waitUntil(lambda: calls == ["kept"], timeout=2000)
    qtbot.wait(30)
    assert calls == ["kept"] and turns.waiting() == 0


def test_worker_answers_arriving_together_are_handled_in_turns_of_their_own(qtbot):
    """Futures finished in another thread at the same moment: each relay's ``finished``
    comes in its own turn (before, all of them ran in the one turn their events arrived)."""
    from PySide6.QtCore import QObject
    parent, turns = QObject(), Turns()
    relays = [FutureRelay(parent, turns) for _ in range(3)]
    calls = []
    futures = []
    for k, relay in enumerate(relays):
        relay.finished.connect(lambda tag, future: calls.append((tag, future.result())))
        future = Future()
        relay.watch(future, tag=k)
        futures.append(future)
    import threading
    done = threading.Thread(target=lambda: [f.set_result(k * 10) for k, f in enumerate(futures)])
    done.start()
    done.join()
    ticks = ticking(qtbot, Until(calls, 3))
    assert sorted(calls) == [(0, 0), (1, 10), (2, 20)]
    assert {1, 2} <= set(ticks)


def test_the_window_draws_its_frame_in_a_turn_of_its_own_ahead_of_the_features(qtbot,
                                                                               make_window):
    """When the frame is due, the window queues it in its Turns, first: drawn in the next
    turn, never in the turn of the timer or of a feature's piece."""
    window = make_window()
    window.pause()
    qtbot.waitUntil(lambda: not window.turns.waiting(), timeout=10_000)
    order = []
    window.turns.later(lambda: order.append(("feature", window.frames_drawn)))
    window._pending = window.latest_snapshot  # a snapshot waiting to be drawn
    before = window.frames_drawn
    window._on_frame_due()  # what the draw timer calls
    assert window.frames_drawn == before  # not drawn inside the timer's turn
    assert window.turns.waiting(FRAME) == 1
    window.turns.later(lambda: order.append(("after", window.frames_drawn)))
    qtbot.waitUntil(lambda: len(order) == 2, timeout=5000)
    # the frame went ahead of the feature's piece queued before it
    assert order == [("feature", before + 1), ("after", before + 1)]
