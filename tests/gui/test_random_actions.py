"""A restless user (issue 9.12): 1,000 random real actions on the window while training runs
flat out — menus, shortcuts, every visible setting widget, clicks and drags on the graph and
the plane, typed weight edits, views opened and closed, saves and loads through the (patched)
file dialogs — with zero exceptions in any thread, no Qt warning, no raw Python error text
shown, and a finite loss afterwards. Seeded: a failure replays."""
import math
import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import QTimer, qWarning

from gui.files import opening
from gui.shell.replies import replies
from gui.shell.worker import FLAT_OUT
from tests.gui.conftest import WAIT_MS
from tests.gui.random_actions import Problems, RandomActions

ACTIONS = 1000
SEED = 20240917


@pytest.fixture
def problems():
    recorder = Problems().install()
    yield recorder
    recorder.uninstall()


def settled(qtbot, window):
    window.pause()
    qtbot.waitUntil(lambda: window.latest_snapshot.extras["seq"] >= window._seq
                    and not window.latest_snapshot.running, timeout=WAIT_MS)
    return window.latest_snapshot


def idle(window) -> bool:
    """No request to the worker unanswered and no file being read in the background."""
    return (replies(window).pending == 0 and opening.install(window).run is None
            and window.latest_snapshot.extras["seq"] >= window._seq)


@pytest.mark.slow
def test_a_thousand_random_actions_while_training(qtbot, window, tmp_path, problems):
    window.controls.speed.setValue(FLAT_OUT)
    window.play()
    driver = RandomActions(window, SEED, tmp_path, problems)
    driver.patch_dialogs()
    start = time.perf_counter()
    try:
        for n in range(ACTIONS):
            driver.step()
            assert not problems.items, (n, driver.counts, problems.items)
        # replies still on their way (an export's file name is asked when the worker has
        # answered; a file read in the background opens its preview) meet patched dialogs
        window.pause()
        qtbot.waitUntil(lambda: idle(window), timeout=WAIT_MS)
    finally:
        driver.close_dialogs()
        driver.unpatch()
    elapsed = time.perf_counter() - start
    # every kind of action ran many times, and the files the dialogs named were written
    assert sum(driver.counts.values()) == ACTIONS
    assert len(driver.counts) == len(driver.kinds) and min(driver.counts.values()) >= 10, \
        driver.counts
    assert any(tmp_path.glob("*.json")), sorted(p.name for p in tmp_path.iterdir())
    # after it all the window still trains: a finite loss, and the epochs go on
    window.play()
    epoch = window.latest_snapshot.epoch
    run = window.latest_snapshot.run_id
    qtbot.waitUntil(lambda: window.latest_snapshot.run_id != run
                    or window.latest_snapshot.epoch > epoch
                    or window.latest_snapshot.message, timeout=WAIT_MS)
    snap = settled(qtbot, window)
    loss = snap.metrics["train_loss"]
    if snap.message:  # diverged on a huge typed weight or rate: a reset brings it back
        window.reset()
        snap = settled(qtbot, window)
        loss = snap.metrics["train_loss"]
    assert math.isfinite(loss), (loss, snap.message)
    assert np.all(np.isfinite(snap.weights[0]))
    assert not problems.items, problems.items
    print(f"{ACTIONS} actions in {elapsed:.1f} s: {driver.counts}; "
          f"{len(driver.messages)} messages, {len(driver.worker_errors)} refused commands")


@pytest.mark.qt_no_exception_capture  # the recorder itself is what is tested here
def test_the_recorder_sees_what_must_never_happen(qtbot, problems):
    """Without this the random-action test could pass blind: an exception in a slot or in
    another thread, a Qt warning, raw Python error text in a message."""
    def slot():
        raise ValueError("in a slot")
    QTimer.singleShot(0, slot)
    qtbot.waitUntil(lambda: len(problems.items) == 1, timeout=WAIT_MS)
    thread = threading.Thread(target=lambda: 1 / 0)
    thread.start()
    thread.join()
    qWarning("a Qt warning")
    problems.user_text("message box", "Nothing was written:\nTypeError: unsupported operand")
    problems.user_text("message box", "The weights were not loaded: w.json: not JSON")  # fine
    assert len(problems.items) == 4, problems.items
    assert "ValueError: in a slot" in problems.items[0]
    assert "ZeroDivisionError" in problems.items[1]
    assert problems.items[2] == "Qt QtWarningMsg: a Qt warning"
    assert "raw error text" in problems.items[3]
