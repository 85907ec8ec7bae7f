"""Runs side by side: what a run is, its bounded record, pin and rename, duplicate with a change
(the same initial weights bit for bit), the batch preset, sessions and CSV."""
import csv
import io
import json
import math

import numpy as np
import pytest

from model.data.datasets import make_data
from model.files import session as session_module
from model.files.runs_io import MAX_ROWS, curves_csv, export_runs_csv, summary_csv
from model.files.session import SessionError, session_from_dict, session_to_dict
from model.lessons.runs import MAX_RUNS, RunCurve, RunLog
from model.lessons.runs_ab import (BATCH_SENTENCE, batch_preset, describe_changes,
                                   legend_labels, playground_for, run_batch_preset,
                                   train_run)
from model.lessons.timeline import Timeline
from model.playground import Playground, Settings

SMALL = Settings(dataset="xor", n_points=80, hidden=(3,), lr=0.1)


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def train(log, pg, epochs, seconds_each=0.0, clock=None):
    for _ in range(epochs):
        if clock is not None:
            clock.now += seconds_each
        pg.trainer.step_epoch()
        log.on_epoch(pg)


def test_a_run_lasts_from_a_reset_or_a_rebuild_to_the_next():
    clock = FakeClock()
    log = RunLog(clock=clock)
    pg = Playground(SMALL)
    log.on_new_run(pg)
    train(log, pg, 4, 0.5, clock)
    run = log.current
    assert run.name == "Run 1" and run.changes == () and run.epochs == 4
    assert list(run.curve.column("epoch")) == [0, 1, 2, 3, 4]  # the start and every epoch
    assert list(run.curve.column("steps")) == [0, 4, 8, 12, 16]  # 40 rows, batch 10
    assert run.seconds == pytest.approx(2.0) and run.epochs_per_s == pytest.approx(2.0)
    assert run.final["train_loss"] == pg.trainer.history.last["train_loss"]
    # a hot change keeps the weights: the same run, with the change noted
    assert not pg.update(lr=0.3)
    train(log, pg, 2)
    assert log.current is run and run.events == [(4, "lr", 0.1, 0.3)]
    # a rebuild is a new run, with what differs from the previous one
    assert pg.update(hidden=(5,))
    log.on_new_run(pg)
    assert log.current is not run and log.current.changes == (("hidden", (3,), (5,)),
                                                              ("lr", 0.1, 0.3))
    assert describe_changes(log.current.changes) == "hidden 3 → 5, lr 0.1 → 0.3"
    pg.reset()  # a reset: a new run, the same settings
    log.on_new_run(pg)
    assert [r.name for r in log.runs] == ["Run 1", "Run 2", "Run 3"]
    assert log.runs[2].changes == ()


def test_going_back_in_the_training_history_stays_in_the_run():
    log = RunLog()
    pg = Playground(SMALL)
    timeline = Timeline()
    log.on_new_run(pg)
    for _ in range(6):
        pg.trainer.step_epoch()
        timeline.record(pg.trainer)
        log.on_epoch(pg)
    timeline.restore(pg.trainer, 2)  # back to epoch 3: the same trainer
    log.on_new_run(pg)
    assert len(log.runs) == 1 and list(log.current.curve.column("epoch")) == [0, 1, 2, 3]


def test_pauses_do_not_count_as_training_time():
    clock = FakeClock()
    log = RunLog(clock=clock)
    pg = Playground(SMALL)
    log.on_new_run(pg)
    train(log, pg, 2, 1.0, clock)
    log.on_pause(pg)
    clock.now += 100.0  # paused for 100 s
    log.on_play(pg)
    train(log, pg, 1, 1.0, clock)
    assert log.current.seconds == pytest.approx(3.0)
    assert list(log.current.curve.column("seconds")) == pytest.approx([0.0, 1.0, 2.0, 3.0])


def test_the_list_is_bounded_and_pinned_runs_stay():
    log = RunLog(max_pinned=2)
    pg = Playground(SMALL)
    log.on_new_run(pg)
    log.pin(1)
    for _ in range(MAX_RUNS + 5):
        pg.reset()
        log.on_new_run(pg)
    names = [r.name for r in log.runs]
    assert len(names) == MAX_RUNS + 1 and names[0] == "Run 1"  # pinned, kept
    assert names[1] == f"Run {2 + 5}" and log.current.name == f"Run {MAX_RUNS + 6}"
    log.pin(log.runs[1].id)
    with pytest.raises(ValueError, match="at most 2 runs can be pinned"):
        log.pin(log.runs[2].id)
    log.pin(1, False)
    log.pin(log.runs[2].id)  # room again


def test_rename():
    log = RunLog()
    log.on_new_run(Playground(SMALL))
    log.rename(1, "  wide\tnet  ")
    assert log.get(1).name == "wide net"
    for bad in ("", "   ", "x" * 61, "a\x00b", 3):
        with pytest.raises(ValueError, match="name"):
            log.rename(1, bad)
    with pytest.raises(ValueError, match="no run 7"):
        log.rename(7, "x")


def test_the_curve_is_bounded():
    curve = RunCurve(capacity=100, keep_first=10, keep_last=30)
    for e in range(5000):
        curve.append({"epoch": e, "steps": 3 * e, "seconds": e / 10, "train_loss": 1 / (e + 1)})
    epochs = curve.column("epoch")
    assert len(curve) <= 100 and list(epochs[:10]) == list(range(10)) and epochs[-1] == 4999
    assert np.all(np.diff(epochs) > 0) and math.isnan(curve.column("test_loss")[0])


def test_snapshots_are_immutable_copies():
    log = RunLog()
    pg = Playground(SMALL)
    log.on_new_run(pg)
    train(log, pg, 2)
    view, = log.snapshot()
    assert view.current and view.epochs == 2 and len(view.columns["train_loss"]) == 3
    with pytest.raises(ValueError):
        view.columns["train_loss"][0] = 0.0
    train(log, pg, 2)
    assert len(view.columns["train_loss"]) == 3 and log.snapshot()[0].epochs == 4


# ------------------------------------------------------------------------- A/B fairness
def _bits(a):
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def test_duplicate_with_a_change_starts_from_the_same_initial_weights_bit_for_bit():
    log = RunLog()
    pg = Playground(SMALL)
    pg.net.params[:] = np.random.default_rng(9).normal(size=pg.net.n_params)  # not the seed's
    pg = Playground(SMALL, network=pg.net)  # e.g. imported weights
    log.on_new_run(pg)
    start = pg.net.params.copy()
    train(log, pg, 5)
    run = log.current
    for change in ({"lr": 0.5}, {"optimizer": "adam"}, {"activation": "elu"},
                   {"batch_size": 1}, {"features": ("x1", "x2")[::-1]}):
        dup = playground_for(run, **change)
        assert np.array_equal(_bits(dup.net.params), _bits(start)), change
        assert np.array_equal(_bits(dup.initial_params), _bits(start))
        assert np.array_equal(dup.data.X_train, pg.data.X_train)  # the same data
        assert getattr(dup.settings, next(iter(change))) == next(iter(change.values()))
    # the same seed: the same shuffling, so only the changed setting differs
    a, b = playground_for(run, lr=0.5), Playground(SMALL, network=Playground(SMALL).net)
    assert np.array_equal(a.trainer.peek_next_rows(), b.trainer.peek_next_rows())
    # a duplicate is told apart in the log
    log.expect_duplicate(run.id)
    log.on_new_run(playground_for(run, lr=0.5))
    assert log.current.origin == "duplicate" and log.current.parent == run.id
    assert log.current.changes == (("lr", 0.1, 0.5),)


def test_changes_that_mean_other_weights():
    log = RunLog()
    pg = Playground(SMALL)
    log.on_new_run(pg)
    run = log.current
    assert not np.array_equal(playground_for(run, seed=5).net.params, run.initial_params)
    assert playground_for(run, hidden=(4, 4)).net.sizes == [2, 4, 4, 1]
    for change, says in (({"lr": 0.1}, "already 0.1: that is no change"),
                         ({"lr": 0.2, "seed": 3}, "exactly one setting"),
                         ({"colour": 1}, "unknown setting 'colour'"),
                         ({"lr": -1.0}, "settings.lr")):
        with pytest.raises(ValueError, match=says):
            playground_for(run, **change)


def test_own_points_go_with_the_duplicate():
    data = make_data("circle", 60, 0.0, 0.5, seed=3)
    pg = Playground(SMALL, data=data)
    log = RunLog()
    log.on_new_run(pg)
    dup = playground_for(log.current, lr=0.2)
    assert dup.custom_data is data
    loaded = session_from_dict(json.loads(json.dumps(session_to_dict(pg, runs=log))))
    with pytest.raises(ValueError, match="your own points, which are not kept"):
        playground_for(loaded.runs[0], lr=0.2)
    assert playground_for(loaded.runs[0], data=data, lr=0.2).custom_data is data


def test_the_batch_preset():
    settings = Settings(dataset="circle", n_points=200, hidden=(4,), lr=0.03)
    entries = batch_preset(settings)
    n = len(entries[0][1].X_train)
    assert [pg.settings.batch_size for _, pg in entries] == [n, 10, 1]
    assert [label for label, _ in entries] == [f"full batch ({n})", "minibatch (10)", "SGD (1)"]
    first = entries[0][1]
    for _, pg in entries:
        assert np.array_equal(_bits(pg.net.params), _bits(first.net.params))
        assert np.array_equal(pg.X_train, first.X_train)
        assert pg.settings.replace(batch_size=n) == first.settings
    log = RunLog()
    full, mini, sgd = run_batch_preset(settings, epochs=12, log=log)
    assert [r.origin for r in log.runs] == ["preset"] * 3
    assert list(full.curve.column("steps")[:3]) == [0, 1, 2]
    assert list(sgd.curve.column("steps")[:3]) == [0, n, 2 * n]
    assert mini.changes == (("batch_size", n, 10),)
    # what the sentence tells the learner: per epoch, smaller batches learn faster
    assert sgd.final["train_loss"] < mini.final["train_loss"] < full.final["train_loss"]
    assert "Against epochs" in BATCH_SENTENCE and "against steps" in BATCH_SENTENCE
    assert legend_labels([full, mini, sgd]) == [f"full batch ({n}): batch_size {n}",
                                                "minibatch (10): batch_size 10",
                                                "SGD (1): batch_size 1"]


# ------------------------------------------------------------------------- sessions and CSV
def _log_with_runs():
    log = RunLog()
    pg = Playground(SMALL)
    log.on_new_run(pg)
    train(log, pg, 3)
    run_batch_preset(SMALL, 3, log)
    log.pin(2)
    log.rename(3, "mini, \"quoted\"")
    return log, pg


def test_sessions_keep_the_runs():
    log, pg = _log_with_runs()
    d = json.loads(json.dumps(session_to_dict(pg, runs=log)))
    assert d["version"] == 2 and d["runs"]["current"] == 1
    loaded = session_from_dict(d)
    assert [r.name for r in loaded.runs] == [r.name for r in log.runs]
    assert [r.pinned for r in loaded.runs] == [False, True, False, False]
    for a, b in zip(log.runs, loaded.runs):
        assert a.settings == b.settings and a.changes == b.changes and a.events == b.events
        assert np.array_equal(_bits(a.initial_params), _bits(b.initial_params))
        for k in ("epoch", "train_loss", "test_accuracy"):
            np.testing.assert_array_equal(a.curve.column(k), b.curve.column(k))
    assert loaded.current_run is loaded.runs[0]
    fresh = RunLog()
    fresh.load(loaded.runs, loaded.current_run)
    fresh.on_new_run(loaded.playground)  # the session's playground continues its run
    assert fresh.current is loaded.runs[0] and len(fresh.runs) == 4
    fresh.on_new_run(Playground(SMALL))
    assert fresh.current.name == "Run 5"  # new ids follow the loaded ones


def test_a_session_without_runs_is_version_1_and_old_readers_skip_runs(monkeypatch):
    log, pg = _log_with_runs()
    assert session_to_dict(pg)["version"] == 1
    d = json.loads(json.dumps(session_to_dict(pg, runs=log)))
    # a reader from before runs: version 1 and its keys (the check that reader runs on them)
    monkeypatch.setattr(session_module, "VERSION", 1)
    monkeypatch.setattr(session_module, "_TOP_KEYS", session_module._TOP_KEYS - {"runs"})
    loaded = session_from_dict(d)
    assert "ignored 'runs'" in loaded.notes and "version 2 is newer" in loaded.notes[0]
    assert np.array_equal(loaded.playground.net.params, pg.net.params)
    monkeypatch.undo()
    d["version"] = 1
    with pytest.raises(SessionError, match="runs: unexpected key"):
        session_from_dict(d)


@pytest.mark.parametrize("path, value, says", [
    (["runs", "runs", 0, "name"], "", r"runs\.runs\[0\]\.name: a run's name must be some text"),
    (["runs", "runs", 1, "pinned"], 1, r"runs\.runs\[1\]\.pinned: expected true or false"),
    (["runs", "runs", 0, "settings", "lr"], -1.0, r"runs\.runs\[0\]\.settings\.lr: expected a "
                                                   r"number in \(0"),
    (["runs", "runs", 0, "curve", "train_loss", 0], "x", r"curve\.train_loss: expected a finite"),
    (["runs", "runs", 0, "curve", "epoch"], [0], r"curve: expected lists of the same length"),
    (["runs", "runs", 0, "initial_params"], [1.0], r"initial_params: expected \d+ numbers"),
    (["runs", "runs", 0, "changes"], [["colour", 1, 2]], r"changes\[0\]: unknown setting"),
    (["runs", "runs", 0, "origin"], "martian", r"origin: expected one of"),
    (["runs", "runs", 0, "id"], 0, r"id: expected an integer in 1\.\."),
    (["runs", "runs", 1, "id"], 1, r"runs\.runs: two runs have the same id"),
    (["runs", "current"], 99, r"runs\.current: names no run"),
    (["runs", "runs"], "all", r"runs: expected an object with a list 'runs'"),
])
def test_damaged_runs_are_refused_naming_the_field(path, value, says):
    log, pg = _log_with_runs()
    d = json.loads(json.dumps(session_to_dict(pg, runs=log)))
    target = d
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(SessionError, match=says) as info:
        session_from_dict(d)
    assert "\n" not in str(info.value)


def test_runs_in_a_session_are_bounded_in_size():
    log = RunLog()
    pg = Playground(Settings(dataset="xor", n_points=20, hidden=(2,)))
    for _ in range(60):
        pg.reset()
        log.on_new_run(pg)
        for e in range(1, 2500):  # rows faster than training them: the curve's own bound
            log.current.curve.append({"epoch": e, "steps": e, "seconds": e, "train_loss": 0.5})
    d = session_to_dict(pg, runs=log)
    assert len(d["runs"]["runs"]) == MAX_RUNS
    assert all(len(r["curve"]["epoch"]) == MAX_ROWS for r in d["runs"]["runs"])
    assert len(json.dumps(d["runs"])) < 2_000_000


def test_csv_exports(tmp_path):
    log, _ = _log_with_runs()
    rows = list(csv.DictReader(io.StringIO(curves_csv(log.runs))))
    assert len(rows) == sum(len(r.curve) for r in log.runs)
    assert rows[0]["run"] == "Run 1" and rows[0]["epoch"] == "0" and rows[0]["steps"] == "0"
    quoted = [r for r in rows if r["run_id"] == "3"]
    assert quoted[0]["run"] == "mini, \"quoted\""
    assert float(rows[1]["train_loss"]) == log.runs[0].curve.column("train_loss")[1]
    reg = RunLog()
    pg = Playground(Settings(dataset="plane", n_points=30, train_ratio=1.0))
    reg.on_new_run(pg)
    row = next(csv.DictReader(io.StringIO(curves_csv(reg.runs))))
    assert row["test_loss"] == "" and row["train_accuracy"] == ""  # no value: an empty cell
    summary = list(csv.DictReader(io.StringIO(summary_csv(log.runs))))
    n = len(Playground(SMALL).X_train)
    assert summary[2]["changes"] == f"batch_size {n} → 10"
    assert summary[1]["pinned"] == "True" and float(summary[0]["final_train_loss"]) > 0
    path = tmp_path / "runs.csv"
    export_runs_csv(log.runs, path)
    assert path.read_text(encoding="utf-8") == curves_csv(log.runs)
    export_runs_csv(log.runs, path, summary=True)
    assert path.read_text(encoding="utf-8").startswith("run_id,run,pinned")
    assert [p.name for p in tmp_path.iterdir()] == ["runs.csv"]  # no temporary file left


def test_train_run_stops_when_asked():
    pg = Playground(Settings(hidden=(3,)))
    asked = []
    run = train_run(pg, 50, "stopped", stop=lambda: asked.append(1) or len(asked) >= 3)
    assert run.epochs == 3 and len(asked) == 3  # asked after every epoch, stopped at once
