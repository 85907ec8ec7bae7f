"""Sessions through the window's actions: save, open in a fresh window and continue to the
identical weights; atomic writes; corrupt files; newer versions; recent files; the session
kept on close and offered on the next start.

QSettings and the data folder point into the test's tmp_path (never the real home).
"""
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog

from gui.data import draw_tool
from gui.files import sessions
from model.playground import Settings
from model.files.session import load_session
from tests.gui.window_helpers import fed

WAIT_MS = 20_000


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch):
    """Preferences and the autosave go below tmp_path."""
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    QStandardPaths.setTestModeEnabled(True)
    assert str(sessions.autosave_path()).startswith(str(tmp_path))
    yield
    QStandardPaths.setTestModeEnabled(False)


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def state(window):
    """(params, epoch, steps, position, history) read in the worker thread."""
    def read(pg):
        t = pg.trainer
        return (pg.net.params.copy(), t.epoch, t.steps, t.position, t.history.to_lists())
    return in_worker(window, read)


def assert_same_state(a, b):
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1:4] == b[1:4]
    assert json.dumps(a[4]) == json.dumps(b[4])  # NaN-safe exact comparison


def settled(window):
    return lambda: (window.latest_snapshot.extras["seq"] >= window._seq
                    and not window.latest_snapshot.running)


def train_some(qtbot, window, epochs=3):
    window.play()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch >= epochs, timeout=WAIT_MS)
    window.pause()
    qtbot.waitUntil(settled(window), timeout=WAIT_MS)


def step_epochs(qtbot, window, n):
    start = window.latest_snapshot.epoch
    for k in range(1, n + 1):
        window.actions_.step_epoch.trigger()
        qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch == start + k
                        and settled(window)(), timeout=WAIT_MS)


def choose(monkeypatch, path):
    for name in ("getOpenFileName", "getSaveFileName"):
        monkeypatch.setattr(QFileDialog, name, staticmethod(lambda *a, **k: (str(path), "")))


def saving(qtbot, ses):
    """``with saving(qtbot, ses):`` around a save: the worker's reply arrives as a signal."""
    return qtbot.waitSignal(ses.saved, timeout=WAIT_MS)


def open_and_wait(qtbot, ses, path) -> bool:
    """Open ``path`` (read in the background) and wait for the outcome."""
    from gui.files import opening
    with qtbot.waitSignal(opening.install(ses.window).opened, timeout=WAIT_MS) as blocker:
        ses.open_path(path)
    return blocker.args[2]


RICH = Settings(dataset="spiral", n_points=300, noise=0.15, train_ratio=0.7, data_seed=4,
                features=("x1", "x2", "x1^2", "sin_x2"), hidden=(5, 3), activation="relu",
                seed=9, optimizer="adam", lr=0.01, batch_size=7, regularization="l2",
                reg_rate=0.001)


def test_round_trip_continues_to_the_identical_weights(qtbot, make_window, monkeypatch,
                                                       tmp_path, message_boxes):
    original = make_window(RICH)
    ses = sessions.install(original)
    train_some(qtbot, original)
    original.step()  # stop in the middle of an epoch: the position must come back too
    qtbot.waitUntil(settled(original), timeout=WAIT_MS)
    before = state(original)
    assert before[3] > 0
    path = tmp_path / "run.json"
    choose(monkeypatch, path)
    assert ses.save_action.shortcut().toString() == sessions.SAVE_SHORTCUT
    with saving(qtbot, ses):
        ses.save_action.trigger()  # the first time, Save asks for the file
    assert path.is_file() and "Session saved" in original.statusBar().currentMessage()

    fresh = make_window()
    fresh_ses = sessions.install(fresh)
    fresh_ses.open_action.trigger()
    qtbot.waitUntil(lambda: fresh.latest_snapshot.extras["settings"] == RICH, timeout=WAIT_MS)
    assert_same_state(state(fresh), before)
    assert not message_boxes
    # the widgets show the loaded settings
    qtbot.waitUntil(lambda: fresh._settings == RICH, timeout=WAIT_MS)
    assert fresh.controls.optimizer.currentData() == "adam"
    assert fresh.controls.activation.currentData() == "relu"
    assert fresh.data_panel.batch.slider.value() == 7
    assert fresh.data_panel.dataset_buttons["spiral"].isChecked()
    assert fresh.data_panel.feature_buttons["x1^2"].isChecked()
    assert fresh.latest_snapshot.sizes == (4, 5, 3, 1)

    step_epochs(qtbot, original, 3)
    step_epochs(qtbot, fresh, 3)
    after = state(original)
    assert after[1] == before[1] + 3
    assert_same_state(state(fresh), after)
    assert not np.array_equal(after[0], before[0])


def test_round_trip_of_drawn_points(qtbot, make_window, monkeypatch, tmp_path):
    original = make_window(Settings(optimizer="momentum", lr=0.1))
    ses = sessions.install(original)
    tool = draw_tool.install(original)
    tool.set_mode("draw")
    tool.clear()
    rng = np.random.default_rng(2)
    for k, (x, y) in enumerate(rng.uniform(-4, 4, size=(25, 2))):
        tool.select_class(k % 2)
        tool.add_point(x, y)
    tool.send()
    qtbot.waitUntil(lambda: in_worker(original, lambda pg: pg.custom_data is not None),
                    timeout=WAIT_MS)
    train_some(qtbot, original, 2)
    before = state(original)
    path = tmp_path / "drawn.json"
    choose(monkeypatch, path)
    with saving(qtbot, ses):
        ses.save_action.trigger()

    fresh = make_window()
    sessions.install(fresh).open_path(path)
    qtbot.waitUntil(lambda: fresh.latest_snapshot.epoch == before[1], timeout=WAIT_MS)
    assert_same_state(state(fresh), before)
    ours = in_worker(original, lambda pg: pg.data)
    theirs = in_worker(fresh, lambda pg: pg.data)
    for k in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(ours, k), getattr(theirs, k))
    step_epochs(qtbot, original, 2)
    step_epochs(qtbot, fresh, 2)
    assert_same_state(state(fresh), state(original))


@pytest.mark.parametrize("broken", ["os.replace", "os.fsync"])
def test_an_interrupted_write_leaves_the_old_file(qtbot, window, monkeypatch, tmp_path,
                                                  message_boxes, broken):
    ses = sessions.install(window)
    path = tmp_path / "keep.json"
    choose(monkeypatch, path)
    with saving(qtbot, ses):
        ses.save_action.trigger()
    good = path.read_bytes()
    window.step_epoch()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch == 1, timeout=WAIT_MS)

    def fail(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(broken, fail)
    with saving(qtbot, ses) as blocker:
        ses.save_action.trigger()  # Ctrl+S again: to the same file, without asking
    monkeypatch.undo()
    assert blocker.args == [str(path), False]
    assert window.isWindowModified()  # still unsaved
    assert path.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["keep.json"]
    kind, title, text = message_boxes[-1]
    assert kind == "warning" and title == "Save session"
    assert "No space left on device" in text and "Traceback" not in text
    assert load_session(path).playground.trainer.epoch == 0  # still the good old file


def test_a_newer_version_loads_what_it_understands(qtbot, window, monkeypatch, tmp_path,
                                                   message_boxes):
    ses = sessions.install(window)
    path = tmp_path / "s.json"
    choose(monkeypatch, path)
    window.step_epoch()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch == 1, timeout=WAIT_MS)
    with saving(qtbot, ses):
        ses.save_action.trigger()
    d = json.loads(path.read_text())
    d["version"] = 7
    d["hologram"] = {"depth": 3}
    d["settings"]["warp_factor"] = 9
    path.write_text(json.dumps(d))
    window.reset()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch == 0, timeout=WAIT_MS)
    ses.open_action.trigger()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch == 1, timeout=WAIT_MS)
    kind, title, text = message_boxes[-1]
    assert kind == "information" and "version 7" in text
    assert "'hologram'" in text and "'warp_factor'" in text


# ----------------------------------------------------------------------------- corrupt files
REQUIRED = [("format",), ("version",), ("settings",), ("data",), ("network",),
            ("network", "layers"), ("trainer", "order"), ("trainer", "rng"),
            ("trainer", "history", "train_loss"), ("trainer", "optimizer_state")]
NOT_A_NUMBER = st.one_of(st.text(max_size=5), st.none(), st.booleans(),
                         st.lists(st.integers(), max_size=2), st.dictionaries(
                             st.text(max_size=3), st.integers(), max_size=2))
WRONG = {  # path -> values of the wrong type there
    ("version",): NOT_A_NUMBER.filter(lambda v: not isinstance(v, int) or isinstance(v, bool)),
    ("settings", "lr"): NOT_A_NUMBER,
    ("settings", "hidden"): st.one_of(st.text(max_size=4), st.integers(), st.none()),
    ("settings", "shuffle"): st.one_of(st.integers(), st.text(max_size=3), st.none()),
    ("data",): st.one_of(st.integers(), st.text(max_size=4), st.lists(st.integers())),
    ("network", "layers", 0, "weights"): st.one_of(st.text(max_size=4), st.none(),
                                                   st.integers()),
    ("trainer", "epoch"): NOT_A_NUMBER,
    ("trainer", "order"): st.one_of(st.text(max_size=4), st.none(), st.integers()),
    ("trainer", "history", "train_loss"): st.one_of(st.text(max_size=4), st.lists(
        st.text(min_size=1, max_size=2), min_size=1, max_size=3)),
    ("trainer", "optimizer_state", "m"): st.one_of(st.text(max_size=4), st.none(),
                                                   st.lists(st.integers(), max_size=3)),
}


def _parent(d, path):
    for key in path[:-1]:
        d = d[key]
    return d


@st.composite
def corruptions(draw, raw: bytes):
    kind = draw(st.sampled_from(["truncate", "bad_utf8", "delete", "wrong_type"]))
    if kind == "truncate":
        return raw[:draw(st.integers(0, len(raw) - 1))]
    if kind == "bad_utf8":
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + b"\xff" + raw[at:]
    d = json.loads(raw)
    if kind == "delete":
        path = draw(st.sampled_from(REQUIRED))
        del _parent(d, path)[path[-1]]
    else:
        path = draw(st.sampled_from(sorted(WRONG, key=str)))
        _parent(d, path)[path[-1]] = draw(WRONG[path])
    return json.dumps(d).encode()


@pytest.fixture
def adam_window(make_window):
    return make_window(Settings(optimizer="adam"))


def test_corrupt_session_files_change_nothing(qtbot, adam_window, monkeypatch, tmp_path,
                                              message_boxes):
    window = adam_window
    ses = sessions.install(window)
    good = tmp_path / "good.json"
    choose(monkeypatch, good)
    step_epochs(qtbot, window, 1)
    with saving(qtbot, ses):
        ses.save_action.trigger()
    raw = good.read_bytes()
    step_epochs(qtbot, window, 1)
    before = state(window)
    run_id = window.latest_snapshot.run_id
    bad = tmp_path / "bad.json"
    tried = []

    @hsettings(max_examples=40, deadline=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=corruptions(raw))
    def check(data):
        tried.append(data)
        bad.write_bytes(data)
        message_boxes.clear()
        assert not open_and_wait(qtbot, ses, bad)
        assert len(message_boxes) == 1
        kind, title, text = message_boxes[0]
        assert kind == "warning" and title == "Open session"
        reason = text.split("\n", 1)[1]
        assert reason.startswith("bad.json: ") and "\n" not in reason
        assert "Traceback" not in reason and len(reason) < 400
        assert_same_state(state(window), before)

    check()
    assert len(tried) >= 20
    qtbot.wait(50)
    assert window.latest_snapshot.run_id == run_id  # no rebuild was ever sent


# ----------------------------------------------------------------------------- recent, autosave
def test_recent_sessions_are_listed_and_reopen(qtbot, window, monkeypatch, tmp_path,
                                               message_boxes):
    ses = sessions.install(window)
    assert [a.text() for a in ses.recent_menu.actions()] == ["(none yet)"]
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    choose(monkeypatch, a)
    with saving(qtbot, ses):
        ses.save_action.trigger()
    step_epochs(qtbot, window, 2)
    choose(monkeypatch, b)
    with saving(qtbot, ses):
        ses.save_as_action.trigger()
    assert ses.recent() == [str(b), str(a)]
    entries = [x for x in ses.recent_menu.actions() if x.data()]
    assert [x.text() for x in entries] == ["&1 b.json", "&2 a.json"]
    assert entries[1].toolTip() == str(a)
    entries[1].trigger()  # back to a: epoch 0
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch == 0, timeout=WAIT_MS)
    assert ses.recent() == [str(a), str(b)]
    # kept across windows (QSettings), and a vanished file leaves the list
    other = sessions.Sessions(window, offer_restore=False)
    assert other.recent() == [str(a), str(b)]
    b.unlink()
    assert not open_and_wait(qtbot, other, b)
    assert "file not found" in message_boxes[-1][2]
    assert other.recent() == [str(a)]


def test_the_session_is_kept_on_close_and_offered_on_the_next_start(qtbot, make_window,
                                                                     message_boxes):
    first = make_window(Settings(lr=0.1, hidden=(3,)))
    ses = sessions.install(first)
    assert ses.banner is None  # nothing kept yet
    train_some(qtbot, first, 2)
    before = state(first)
    first.close()
    assert first.thread.isFinished()
    kept = sessions.autosave_path()
    assert kept.is_file()
    loaded = load_session(kept)
    np.testing.assert_array_equal(loaded.playground.net.params, before[0])
    assert loaded.meta.get("autosave") is True

    second = make_window()
    ses2 = sessions.install(second)
    banner = ses2.banner
    assert banner is not None and banner.restore.toolTip()
    assert banner.isVisibleTo(second.statusBar())
    assert "Restore your last session" in banner.label.text()
    banner.restore.click()
    assert ses2.banner is None
    qtbot.waitUntil(lambda: second.latest_snapshot.extras["settings"].hidden == (3,),
                    timeout=WAIT_MS)
    assert_same_state(state(second), before)
    assert not message_boxes


def test_dismissing_the_offer_keeps_the_new_session(qtbot, make_window):
    sessions.autosave_path().parent.mkdir(parents=True)
    donor = make_window(Settings(hidden=(3,)))
    assert sessions.Sessions(donor, offer_restore=False).save_now(sessions.autosave_path()) is None
    window = make_window()
    ses = sessions.install(window)
    ses.banner.dismiss.click()
    assert ses.banner is None
    qtbot.wait(100)
    assert window.latest_snapshot.sizes == (2, 4, 2, 1)
