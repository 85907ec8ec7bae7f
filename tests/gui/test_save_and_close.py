"""Save (Ctrl+S) asks only the first time, Save As (Ctrl+Shift+S) always; the title bar shows
the session's name and a modified mark that training, settings, edits and opening change and
saving clears; the save's reply comes back as a signal (the GUI thread never waits for the
worker); the session kept on close, and what happens when it cannot be kept.

Everything is driven through the real window: key presses, the graph's editor, the real
question box on close (clicked by a timer, as a user would)."""
import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from graph_helpers import clear_point, double_click, edge
from gui.files import remembered, sessions
from model.files.session import load_session
from model.playground import Settings
from window_helpers import choose as choose_in_combo, fed, press

WAIT_MS = 20_000
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture(autouse=True)
def private_data(tmp_path, monkeypatch):
    """The session kept on close goes below tmp_path."""
    monkeypatch.setattr(sessions, "autosave_path", lambda: tmp_path / "kept" / "last.json")


class Asked:
    """QFileDialog.getSaveFileName answered with ``path``; the calls are recorded."""

    def __init__(self, monkeypatch, path):
        self.path, self.calls = path, []
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(self))

    def __call__(self, parent, title, start, filters, *args, **kwargs):
        self.calls.append((title, start))
        return (str(self.path), "") if self.path else ("", "")


def title(window) -> str:
    """The title as the window system shows it ("[*]" replaced by the mark)."""
    return window.windowHandle().title()


def step_epoch(qtbot, window):
    n = window.latest_snapshot.epoch
    press(qtbot, window, Qt.Key.Key_Right, SHIFT)
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch == n + 1 and fed(window),
                    timeout=WAIT_MS)


def key_and_reply(qtbot, window, ses, key, modifiers=CTRL):
    with qtbot.waitSignal(ses.saved, timeout=WAIT_MS) as blocker:
        press(qtbot, window, key, modifiers)
    return blocker.args


def test_save_asks_once_then_saves_in_place_and_the_title_follows(qtbot, window, monkeypatch,
                                                                    tmp_path):
    ses = sessions.install(window)
    assert title(window) == "Untitled — Backprop Playground"
    assert not window.isWindowModified()
    step_epoch(qtbot, window)  # training marks the session modified
    assert window.isWindowModified() and title(window) == "Untitled* — Backprop Playground"

    first = tmp_path / "first.json"
    asked = Asked(monkeypatch, first)
    assert key_and_reply(qtbot, window, ses, Qt.Key.Key_S) == [str(first), True]
    assert len(asked.calls) == 1 and asked.calls[0][0] == "Save session as"
    assert load_session(first).playground.trainer.epoch == 1
    assert title(window) == "first.json — Backprop Playground"
    assert not window.isWindowModified()

    step_epoch(qtbot, window)
    assert title(window) == "first.json* — Backprop Playground"
    assert key_and_reply(qtbot, window, ses, Qt.Key.Key_S) == [str(first), True]
    assert len(asked.calls) == 1  # the session's own file: not asked again
    assert load_session(first).playground.trainer.epoch == 2
    assert not window.isWindowModified()

    second = tmp_path / "second.json"
    asked.path = second
    assert key_and_reply(qtbot, window, ses, Qt.Key.Key_S, CTRL | SHIFT) == [str(second), True]
    assert len(asked.calls) == 2  # Save As always asks, proposing the current name
    assert asked.calls[1][1].endswith("first.json")
    assert title(window) == "second.json — Backprop Playground"
    assert ses.recent() == [str(second), str(first)]
    assert ses.save_as_action.shortcut().toString() == "Ctrl+Shift+S"


def test_settings_edits_and_reset_mark_the_session_and_opening_clears_it(qtbot, window,
                                                                        monkeypatch, tmp_path):
    ses = sessions.install(window)
    path = tmp_path / "s.json"
    Asked(monkeypatch, path)
    key_and_reply(qtbot, window, ses, Qt.Key.Key_S)
    assert not window.isWindowModified()

    # a setting changed in the top bar
    choose_in_combo(qtbot, window.controls.activation, "relu")
    qtbot.waitUntil(window.isWindowModified, timeout=WAIT_MS)
    key_and_reply(qtbot, window, ses, Qt.Key.Key_S)
    assert not window.isWindowModified()

    # a weight edited on the graph
    nv = window.network_view
    double_click(nv, clear_point(nv, edge(nv, 1, 0, 0)))
    editor = nv._editing.editor
    qtbot.waitUntil(editor.isVisible, timeout=WAIT_MS)
    editor.line.selectAll()
    QTest.keyClicks(editor.line, "0.5")
    QTest.keyClick(editor.line, Qt.Key.Key_Return)
    qtbot.waitUntil(window.isWindowModified, timeout=WAIT_MS)

    # opening the saved session: its name, no mark, its settings
    with qtbot.waitSignal(ses.mark.changed, timeout=WAIT_MS):
        ses.open_path(path)
    assert not window.isWindowModified() and title(window) == "s.json — Backprop Playground"
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.extras["settings"].activation == "relu",
                    timeout=WAIT_MS)
    qtbot.wait(200)  # later snapshots of the opened state leave it unmarked
    assert not window.isWindowModified()

    press(qtbot, window, Qt.Key.Key_R, SHIFT)  # New seed: other weights
    qtbot.waitUntil(window.isWindowModified, timeout=WAIT_MS)


def test_a_save_never_waits_for_a_busy_worker(qtbot, window, monkeypatch, tmp_path):
    ses = sessions.install(window)
    path = tmp_path / "later.json"
    Asked(monkeypatch, path)
    gate = threading.Event()
    window.worker.call(lambda pg: gate.wait(WAIT_MS / 1000))  # the worker is busy
    with qtbot.assertNotEmitted(ses.saved, wait=300):
        press(qtbot, window, Qt.Key.Key_S, CTRL)  # returns at once; the save is queued
    assert not path.exists()
    with qtbot.waitSignal(ses.saved, timeout=WAIT_MS) as blocker:
        gate.set()
    assert blocker.args == [str(path), True] and path.is_file()


# ----------------------------------------------------------------------------- closing
def answer_box(qtbot, button_text: str, seen: list, before=None):
    """Click ``button_text`` in the next modal box (recording its texts), as a user would."""
    tries = [WAIT_MS // 20]

    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            tries[0] -= 1
            if tries[0] > 0:  # never outlive the test for long
                QTimer.singleShot(20, click)
            return
        seen.append((box.windowTitle(), box.text(), box.informativeText(),
                     [b.text() for b in box.buttons()]))
        if before is not None:
            before()
        button = next(b for b in box.buttons() if b.text() == button_text)
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    QTimer.singleShot(0, click)


@pytest.fixture
def failing_folder(tmp_path, monkeypatch):
    """The folder of the kept session cannot be created (a file is in its way)."""
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    monkeypatch.setattr(sessions, "autosave_path", lambda: blocker / "last.json")
    return blocker


def test_a_failed_autosave_asks_and_cancel_keeps_the_window(qtbot, window, failing_folder):
    step_epoch(qtbot, window)
    seen = []
    answer_box(qtbot, "Cancel", seen)
    assert not window.close()
    assert window.isVisible() and window.thread.isRunning()
    (box_title, text, details, buttons), = seen
    assert box_title == "Session not kept" and "could not be kept" in text
    assert "not_a_folder: a file is where the folder should be" in details
    assert sorted(buttons) == ["Cancel", "Discard", "Save As…"]  # in the platform's order
    assert remembered.last_settings() is None  # nothing was closed, nothing remembered
    step_epoch(qtbot, window)  # training goes on

    answer_box(qtbot, "Discard", seen)
    assert window.close()
    assert window.thread.isFinished() and len(seen) == 2


def test_a_failed_autosave_offers_to_save_elsewhere(qtbot, window, failing_folder, monkeypatch,
                                                    tmp_path):
    step_epoch(qtbot, window)
    elsewhere = tmp_path / "rescued.json"
    Asked(monkeypatch, elsewhere)
    seen = []
    answer_box(qtbot, "Save As…", seen)
    assert window.close()
    assert len(seen) == 1 and window.thread.isFinished()
    assert load_session(elsewhere).playground.trainer.epoch == 1


def test_a_failed_write_on_close_says_why(qtbot, window, monkeypatch):
    def full(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("os.replace", full)
    seen = []
    answer_box(qtbot, "Discard", seen)
    assert window.close()
    assert "No space left on device" in seen[0][2] and "Traceback" not in seen[0][2]
    assert not sessions.autosave_path().exists()


def test_closing_waits_a_bounded_time_for_a_busy_worker(qtbot, window, monkeypatch):
    monkeypatch.setattr(sessions, "AUTOSAVE_TIMEOUT_S", 0.3)
    gate = threading.Event()
    window.worker.call(lambda pg: gate.wait(WAIT_MS / 1000))
    seen = []
    answer_box(qtbot, "Discard", seen, before=gate.set)
    assert window.close()
    assert "the trainer did not answer within 0.3 s" in seen[0][2]


@pytest.mark.parametrize("settings", [Settings(dataset="plane"),  # regression: no accuracy
                                      Settings(train_ratio=1.0)],  # no test rows
                         ids=["regression", "no-test-rows"])
def test_sessions_with_missing_figures_are_kept_on_close(qtbot, make_window, message_boxes,
                                                         monkeypatch, settings):
    asked = []
    monkeypatch.setattr(sessions, "ask_after_failed_autosave",
                        lambda window, reason: asked.append(reason) or sessions.DISCARD)
    window = make_window(settings)
    for _ in range(3):
        step_epoch(qtbot, window)
    assert window.close()
    assert not asked and not message_boxes
    kept = load_session(sessions.autosave_path())
    assert kept.playground.trainer.epoch == 3
    assert kept.playground.settings == settings


def test_the_last_settings_start_the_next_window(qtbot, make_window):
    first = make_window()
    choose_in_combo(qtbot, first.controls.activation, "relu")
    choose_in_combo(qtbot, first.controls.optimizer, "adam")
    qtbot.waitUntil(lambda: first.latest_snapshot.extras["settings"].optimizer == "adam",
                    timeout=WAIT_MS)
    assert first.close()
    last = remembered.initial_settings()
    assert (last.activation, last.optimizer) == ("relu", "adam")
    second = make_window(last)  # as gui/app.py starts the window
    assert second.controls.activation.currentData() == "relu"
    assert second.controls.optimizer.currentData() == "adam"
