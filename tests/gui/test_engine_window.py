"""The window on the compiled path: flat out in several-minibatch calls, yet Pause and Step
are exact and the weights are those of the same steps trained headless, bit for bit.

Slow: the GUI tests keep a private cache folder, so the kernels compile once per session.
"""
import importlib.util
import os
import sys
import threading

import numpy as np
import pytest

from model.core import engine
from model.playground import Playground, Settings

WAIT_MS = 20_000

needs_numba = pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                 reason="numba (the `fast` extra) not installed")


@pytest.fixture(scope="module")
def kernels():
    assert engine.LOADER.wait(600), engine.LOADER.error


def wait_snapshot(qtbot, window, predicate):
    qtbot.waitUntil(lambda: window.latest_snapshot is not None
                    and predicate(window.latest_snapshot), timeout=WAIT_MS)
    return window.latest_snapshot


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def params(snap):
    return np.concatenate([np.vstack([W, b[None, :]]).ravel()
                           for W, b in zip(snap.weights, snap.biases)])


def headless(settings, steps):
    """``steps`` minibatches headless, several per call (the same bits as one at a time:
    tests/model/test_engine.py)."""
    pg = Playground(settings)
    while pg.trainer.steps < steps:
        pg.trainer.step_batches(steps - pg.trainer.steps)
    return pg


@pytest.mark.parametrize("batch", [1, 10])
@pytest.mark.slow
@needs_numba
def test_flat_out_compiled_pauses_exactly_and_matches_headless(qtbot, make_window, kernels, batch):
    settings = Settings(engine="compiled", hidden=(8, 8), dataset="spiral", batch_size=batch)
    window = make_window(settings)
    assert window.latest_snapshot.engine == "compiled"
    window.actions_.play.trigger()
    wait_snapshot(qtbot, window, lambda s: s.running and s.epoch >= 20)
    assert "compiled" in window.rate_label.text()
    # several minibatches per kernel call: the loop asks for more than one once it has timed one
    assert in_worker(window, lambda pg: pg.trainer.batches_for(0.004)) > 1
    window.actions_.play.trigger()  # pause
    snap = wait_snapshot(qtbot, window, lambda s: s.extras["seq"] >= window._seq and not s.running)
    steps, history = in_worker(window, lambda pg: (pg.trainer.steps,
                                                   pg.trainer.history.train_loss.tolist()))
    assert steps == snap.steps
    qtbot.wait(200)
    assert in_worker(window, lambda pg: pg.trainer.steps) == steps  # really stopped
    ref = headless(settings, steps)
    assert ref.trainer.engine == "compiled"
    np.testing.assert_array_equal(params(snap), ref.net.params)
    assert history == ref.trainer.history.train_loss.tolist()

    window.actions_.step.trigger()  # exactly one more minibatch
    after = wait_snapshot(qtbot, window, lambda s: s.steps == steps + 1)
    ref.trainer.step_batch()
    np.testing.assert_array_equal(params(after), ref.net.params)
    qtbot.wait(100)
    assert in_worker(window, lambda pg: pg.trainer.steps) == steps + 1


@pytest.mark.slow
@needs_numba
def test_the_status_bar_says_which_engine_trains(qtbot, make_window, kernels):
    window = make_window(Settings(engine="numpy"))
    assert window.rate_label.text() == "paused · numpy"
    before = window.latest_snapshot
    window._send(window.worker.update, {"engine": "compiled"})  # a hot setting: weights stay
    snap = wait_snapshot(qtbot, window, lambda s: s.engine == "compiled")
    np.testing.assert_array_equal(params(snap), params(before))
    qtbot.waitUntil(lambda: window.rate_label.text() == "paused · compiled", timeout=WAIT_MS)
    # and the About box says which, and why
    from gui.shell.actions import _engine
    assert _engine(window) == "<p>Training engine — compiled: chosen in the settings.</p>"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread niceness is Linux's")
def test_the_trainer_thread_gives_way_to_the_window(make_window):
    from gui.shell.worker import TRAINER_NICENESS

    window = make_window()
    tid = in_worker(window, lambda pg: threading.get_native_id())
    ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert os.getpriority(os.PRIO_PROCESS, tid) == min(ours + TRAINER_NICENESS, 19)
