"""The training-history slider: exact weights of a moment, bounded memory over a long run, and
resuming equals uninterrupted training (references: headless Playgrounds)."""

from collections.abc import Mapping

import numpy as np
import pytest

from gui.views import timeline_view as tv
from model.lessons import recorder as rec_mod
from model.numbers import format_count
from model.playground import Playground, Settings
from tests.gui.window_helpers import fed

WAIT_MS = 20_000
FAST = Settings(n_points=40, batch_size=20)  # one step per epoch: thousands of epochs a second


@pytest.fixture
def make(make_window):
    return make_window


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def params_of(snap):
    return np.concatenate([np.vstack([W, b[None, :]]).ravel()
                           for W, b in zip(snap.weights, snap.biases)])


def train_until(qtbot, window, epochs):
    window.actions_.play.trigger()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.running
                    and window.latest_snapshot.epoch >= epochs, timeout=60_000)
    window.actions_.play.trigger()
    qtbot.waitUntil(lambda: not window.latest_snapshot.running
                    and window.latest_snapshot.extras["seq"] >= window._seq, timeout=WAIT_MS)
    return window.latest_snapshot


def headless(settings, steps=0, epochs=0):
    pg = Playground(settings)
    for _ in range(steps):
        pg.trainer.step_batch()
    pg.trainer.train(epochs)
    return pg


def test_the_slider_shows_and_resume_restores_the_exact_weights_of_a_moment(qtbot, make):
    window = make()
    history = tv.install(window)
    live = train_until(qtbot, window, 60)
    history.refresh()
    entries = history.entries
    epochs = [e.epoch for e in entries]
    assert epochs[:31] == list(range(31))  # dense at the start
    assert epochs == sorted(epochs) and epochs[-1] == live.epoch
    k = epochs.index(20)
    entry = entries[k]
    expected = headless(live.extras["settings"], steps=entry.steps)
    before = in_worker(window, lambda pg: pg.net.params.copy())

    history.panel.slider.setValue(k)  # scrub
    assert not history.live and window.frozen_views
    qtbot.waitUntil(lambda: history.shown is entry, timeout=WAIT_MS)
    shown = window.network_view._snap
    assert shown is history.preview and shown.epoch == 20
    np.testing.assert_array_equal(params_of(shown), expected.net.params)
    assert window.output_view._snap is shown and window.loss_plot._snap is shown
    assert len(shown.history_epoch) == 20
    assert history.panel.moment.text() == f"epoch 20 · step {format_count(entry.steps)}"
    # looking changed nothing
    np.testing.assert_array_equal(in_worker(window, lambda pg: pg.net.params.copy()), before)

    history.resume_here()
    qtbot.waitUntil(lambda: history.live and window.latest_snapshot.epoch == 20, timeout=WAIT_MS)
    np.testing.assert_array_equal(in_worker(window, lambda pg: pg.net.params.copy()),
                                  expected.net.params)
    assert not window.frozen_views
    assert [e.epoch for e in history.recorder.snapshot_entries()[0]][-1] == 20

    # resuming then training N epochs equals training 20 + N epochs without a break
    for _ in range(3):
        window.actions_.step_epoch.trigger()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch == 23, timeout=WAIT_MS)
    reference = headless(live.extras["settings"], epochs=23)
    got = in_worker(window, lambda pg: (pg.net.params.copy(), pg.trainer.history.train_loss.tolist()))
    np.testing.assert_array_equal(got[0], reference.net.params)
    assert got[1] == reference.trainer.history.train_loss.tolist()


def test_memory_stays_bounded_over_thousands_of_epochs(qtbot, make):
    window = make(FAST)
    history = tv.install(window)
    live = train_until(qtbot, window, 4000)
    entries, nbytes, _ = history.recorder.snapshot_entries()
    assert len(entries) <= rec_mod.CAPACITY
    one = sum(getattr(v, "nbytes", 0) for v in entries[0].state.values()) + sum(
        getattr(x, "nbytes", 0) for v in entries[0].state.values() if isinstance(v, Mapping)
        for x in v.values())
    assert nbytes <= rec_mod.CAPACITY * one
    epochs = [e.epoch for e in entries]
    assert epochs[:31] == list(range(31))
    assert 0 <= live.epoch - epochs[-1] <= rec_mod.stride(live.epoch)  # thinner later, but recent
    assert all(a < b for a, b in zip(epochs, epochs[1:]))
    history.refresh()
    assert history.panel.slider.maximum() == len(entries) - 1
    assert "moments kept" in history.panel.memory.text()


def test_a_new_run_clears_the_history_and_live_follows(qtbot, make):
    window = make(FAST)
    history = tv.install(window)
    train_until(qtbot, window, 50)
    history.refresh()
    history.show_moment(5)
    qtbot.waitUntil(lambda: history.shown is not None, timeout=WAIT_MS)
    window.actions_.reset.trigger()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.steps == 0
                    and window.latest_snapshot.run_id > 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: history.live, timeout=WAIT_MS)
    history.refresh()
    assert [e.epoch for e in history.entries] == [0]
    assert window.network_view._snap is window.latest_snapshot or \
        window.network_view._snap.run_id == window.latest_snapshot.run_id


def test_live_button_returns_to_the_live_network(qtbot, make):
    window = make(FAST)
    history = tv.install(window)
    train_until(qtbot, window, 40)
    history.refresh()
    history.show_moment(3)
    qtbot.waitUntil(lambda: history.shown is not None, timeout=WAIT_MS)
    assert window.network_view._snap.epoch == 3
    history.panel.live.click()
    assert history.live and not window.frozen_views
    assert window.network_view._snap is window.latest_snapshot
    assert history.panel.slider.value() == history.panel.slider.maximum()


def test_history_and_lesson_mode_take_turns(qtbot, make):
    from gui.views import lesson as lesson_mod
    window = make(FAST)
    history = tv.install(window)
    lesson = lesson_mod.install(window)
    train_until(qtbot, window, 40)
    history.refresh()
    history.show_moment(2)
    qtbot.waitUntil(lambda: history.shown is not None, timeout=WAIT_MS)
    lesson.start()  # refused: the graph shows the past
    assert not lesson.active and "Live" in window.statusBar().currentMessage()
    history.go_live()
    lesson.start()
    assert lesson.active
    qtbot.waitUntil(lambda: lesson.build is not None, timeout=WAIT_MS)
    steps = window.latest_snapshot.steps
    lesson.apply()  # the lesson's step is recorded like any other step
    qtbot.waitUntil(lambda: history.recorder.snapshot_entries()[0][-1].steps == steps + 1,
                    timeout=WAIT_MS)
    history.panel.slider.setValue(1)  # refused: the lesson owns the graph
    assert history.live and "lesson" in window.statusBar().currentMessage()
    lesson.discard()
