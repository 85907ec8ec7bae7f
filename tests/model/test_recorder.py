"""The training history's recorder without Qt: bounded memory over a long run, the stride,
immutable entries, the lock, and restoring a moment (references: headless Playgrounds)."""
import threading
from collections.abc import Mapping

import numpy as np
import pytest

from model.lessons import recorder as rec_mod
from model.lessons.recorder import TimelineRecorder, stride
from model.lessons.timeline import Timeline, restore_entry
from model.playground import Playground, Settings

FAST = Settings(n_points=40, batch_size=20)  # one step per epoch: thousands of epochs a second


def headless(settings, epochs=0):
    pg = Playground(settings)
    pg.trainer.train(epochs)
    return pg


def arrays_in(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from arrays_in(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from arrays_in(v)


def test_stride_records_every_early_epoch_then_about_a_hundred_per_doubling():
    assert [stride(e) for e in (0, 1, rec_mod.KEEP_FIRST)] == [1, 1, 1]
    assert stride(rec_mod.KEEP_FIRST + 1) == 1 and stride(250) == 2 and stride(20_000) == 200


def test_the_recorder_alone_over_a_long_headless_run():
    pg = Playground(FAST)
    rec = TimelineRecorder()
    rec.on_new_run(pg)
    sizes = []
    for _ in range(20_000):
        pg.trainer.step_epoch()
        rec.on_epoch(pg)
        sizes.append(len(rec.timeline))
    assert max(sizes) <= rec_mod.CAPACITY
    entries, nbytes, _ = rec.snapshot_entries()
    epochs = [e.epoch for e in entries]
    assert epochs[0] == 0 and 20_000 - epochs[-1] <= stride(20_000)
    assert epochs[:31] == list(range(31))
    gaps = np.diff(epochs)
    assert gaps[-7:].max() <= stride(20_000)  # the newest moments stay close together
    assert gaps.max() > 100  # the older ones were thinned
    assert nbytes <= rec_mod.CAPACITY * entries[0].state["params"].nbytes * 8


def test_entries_are_immutable_and_restoring_gives_the_trainer_its_own_arrays():
    pg = Playground(Settings(n_points=40, batch_size=20, optimizer="adam"))
    timeline = Timeline(capacity=20, keep_first=5)
    for _ in range(3):
        pg.trainer.step_epoch()
        timeline.record(pg.trainer)
    entry = timeline.entries[1]
    arrays = list(arrays_in(entry.state))
    assert len(arrays) >= 6 and not any(a.flags.writeable for a in arrays)
    with pytest.raises(TypeError):
        entry.state["epoch"] = 0
    with pytest.raises(TypeError):
        entry.state["optimizer_state"]["m"] = None
    # nothing of the live trainer was frozen: it trains on
    live = pg.trainer
    assert live.net.params.flags.writeable and live.order.flags.writeable
    assert not any(np.shares_memory(a, live.net.params) for a in arrays)
    saved = entry.state["params"].copy()
    restore_entry(pg.trainer, entry)
    assert pg.trainer.order.flags.writeable and not np.shares_memory(pg.trainer.order,
                                                                      entry.state["order"])
    np.testing.assert_array_equal(pg.net.params, saved)
    pg.trainer.train(3)  # trains from the restored state, the entry unchanged
    np.testing.assert_array_equal(entry.state["params"], saved)
    reference = headless(Settings(n_points=40, batch_size=20, optimizer="adam"), epochs=5)
    np.testing.assert_array_equal(pg.net.params, reference.net.params)


def test_the_gui_can_list_entries_while_the_worker_records():
    pg = Playground(FAST)
    rec = TimelineRecorder(capacity=40, keep_first=10)
    rec.on_new_run(pg)
    done, seen, errors = threading.Event(), [], []

    def gui_thread():
        try:
            while not done.is_set():
                entries, nbytes, _ = rec.snapshot_entries()
                epochs = [e.epoch for e in entries]
                assert epochs == sorted(epochs) and nbytes > 0
                seen.append(len(entries))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    reader = threading.Thread(target=gui_thread)
    reader.start()
    for _ in range(3000):
        pg.trainer.step_epoch()
        rec.on_epoch(pg)
    done.set()
    reader.join()
    assert not errors and seen and max(seen) <= 40


def test_resuming_a_moment_thinned_away_meanwhile_still_restores_it():
    pg = Playground(FAST)
    rec = TimelineRecorder(capacity=40, keep_first=10)
    rec.on_new_run(pg)
    for _ in range(20):
        pg.trainer.step_epoch()
        rec.on_epoch(pg)
    kept = rec.snapshot_entries()[0]
    chosen = kept[15]  # the slider showed this one ...
    for _ in range(3000):  # ... while training went on and thinned it out
        pg.trainer.step_epoch()
        rec.on_epoch(pg)
    assert all(e is not chosen for e in rec.timeline.entries)
    assert rec.restore(chosen, pg) == chosen.epoch
    np.testing.assert_array_equal(pg.net.params, chosen.state["params"])
    assert len(pg.trainer.history) == chosen.epoch == pg.trainer.epoch
    epochs = [e.epoch for e in rec.timeline.entries]
    assert epochs[-1] == chosen.epoch and epochs == sorted(epochs)
    reference = headless(FAST, epochs=chosen.epoch + 5)
    pg.trainer.train(5)
    np.testing.assert_array_equal(pg.net.params, reference.net.params)


def test_a_preview_is_made_on_a_copy_and_a_new_run_clears_the_history():
    pg = Playground(FAST)
    rec = TimelineRecorder()
    rec.on_new_run(pg)
    for _ in range(10):
        pg.trainer.step_epoch()
        rec.on_epoch(pg)
    before = pg.net.params.copy()
    entry = rec.snapshot_entries()[0][3]
    snap = rec.preview(entry, 10, pg)
    assert snap.epoch == entry.epoch == 3 and snap.run_id == rec_mod.PREVIEW_RUN_ID
    assert snap.extras["timeline_entry"] is entry
    np.testing.assert_array_equal(pg.net.params, before)  # looking changed nothing
    generation = rec.generation
    rec.on_new_run(pg)
    entries, _, now = rec.snapshot_entries()
    assert now == generation + 1 and [e.epoch for e in entries] == [10]


def test_a_hand_edit_is_a_moment_of_its_own():
    pg = Playground(Settings(hidden=(3,)))
    recorder = TimelineRecorder()
    recorder.on_new_run(pg)
    pg.trainer.step_batch()
    recorder.on_step(pg)
    before = pg.net.params.copy()
    pg.net.params[:] = before + 0.5  # what the worker's set_params does, then tells observers
    recorder.on_edit(pg)
    recorder.on_step(pg)  # the same step count again: nothing new (not an edit)
    entries, _, _ = recorder.snapshot_entries()
    assert [(e.steps, e.edited) for e in entries] == [(0, False), (1, False), (1, True)]
    np.testing.assert_array_equal(entries[1].state["params"], before)
    np.testing.assert_array_equal(entries[2].state["params"], before + 0.5)
    restore_entry(pg.trainer, entries[1])  # going back undoes the edit
    np.testing.assert_array_equal(pg.net.params, before)
