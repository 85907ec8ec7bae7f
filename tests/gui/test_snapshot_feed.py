"""The window's features get the newest snapshot, one feature per turn of the event loop
(gui/shell/snapshot_feed.py, issue 9.12)."""
import sys

from PySide6.QtCore import QTimer

from gui.shell.snapshot_feed import SnapshotFeed
from gui.shell.turns import Turns


def test_each_subscriber_gets_the_newest_snapshot_in_its_own_turn(qtbot):
    feed = SnapshotFeed(None, Turns())
    calls = []
    turns = []  # a timer ticking on every turn: which handlers ran before each tick
    for name in "abc":
        feed.subscribe(lambda snap, name=name: calls.append((name, snap)))
    feed.offer(1)
    feed.offer(2)  # replaces 1 for everyone: nobody had their turn yet
    assert calls == [] and feed.waiting() == 3  # nothing synchronous
    ticker = QTimer()
    ticker.setInterval(0)
    ticker.timeout.connect(lambda: turns.append(len(calls)))
    ticker.start()
    qtbot.waitUntil(lambda: feed.waiting() == 0, timeout=2000)
    qtbot.wait(20)
    ticker.stop()
    assert calls == [("a", 2), ("b", 2), ("c", 2)]
    # the event loop ran between the handlers: the ticker saw 1 and 2 handled, not 0 then 3
    assert 1 in turns and 2 in turns
    feed.offer(3)
    qtbot.waitUntil(lambda: len(calls) == 6, timeout=2000)
    assert calls[3:] == [("a", 3), ("b", 3), ("c", 3)]


def test_a_snapshot_arriving_midway_reaches_the_ones_still_waiting(qtbot):
    feed = SnapshotFeed(None, Turns())
    calls = []
    feed.subscribe(lambda snap: (calls.append(("a", snap)), feed.offer(snap + 1)
                                 if snap == 1 else None))
    feed.subscribe(lambda snap: calls.append(("b", snap)))
    feed.offer(1)
    qtbot.waitUntil(lambda: feed.waiting() == 0, timeout=2000)
    # b was still waiting for 1 when 2 came: it gets only 2; a gets both
    assert calls == [("a", 1), ("b", 2), ("a", 2)]


def test_a_handler_that_raises_is_reported_and_the_others_still_get_theirs(qtbot, monkeypatch):
    feed = SnapshotFeed(None, Turns())
    reported, calls = [], []
    monkeypatch.setattr(sys, "excepthook", lambda *exc: reported.append(exc[0]))
    feed.subscribe(lambda snap: 1 / 0)
    feed.subscribe(calls.append)
    feed.offer("s")
    qtbot.waitUntil(lambda: calls == ["s"], timeout=2000)
    assert reported == [ZeroDivisionError]


def test_nothing_is_handed_after_stop(qtbot):
    feed = SnapshotFeed(None, Turns())
    calls = []
    feed.subscribe(calls.append)
    feed.subscribe(calls.append)
    feed.offer("x")
    qtbot.waitUntil(lambda: feed.waiting() == 0, timeout=2000)
    assert calls == ["x", "x"]
    feed.offer("y")
    feed.stop()
    feed.offer("z")
    qtbot.wait(30)
    assert calls == ["x", "x"] and feed.waiting() == 0


def test_the_window_feeds_its_features_after_its_own_frame(qtbot, make_window):
    """Every feature that follows the snapshots subscribes to the feed, not to the worker's
    signal (a queued signal posts one event per connection, all handled in one turn)."""
    window = make_window()
    worker_receivers = window.worker.receivers("2snapshot_ready(PyObject)")
    assert worker_receivers == 1  # the window alone
    seen = []
    window.snapshot_feed.subscribe(seen.append)
    qtbot.wait(300)
    seen.clear()
    window.step_epoch()
    qtbot.waitUntil(lambda: bool(seen) and seen[-1].epoch == 1, timeout=5000)
    assert window.latest_snapshot.epoch == 1
