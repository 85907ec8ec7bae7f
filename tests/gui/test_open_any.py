"""One Open (Ctrl+O) and drops open any of the app's files by its kind, as its own menu item
would; sessions and weights are read off the GUI thread with a progress dialog and Cancel;
a FIFO, a device or an unknown file is refused in one line.

Drops are real drag-and-drop events with file URLs, delivered to the window's QWindow at a
point over the graph, as the window system delivers them."""
import os
import threading

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QProgressDialog, QPushButton

from gui.data import data_io
from gui.files import opening, progress, sessions
from model.files import session as session_module
from model.files.serialize import load_network, save_network
from model.files.session import save_session
from model.playground import Playground, Settings
from window_helpers import press
from tests.gui.window_helpers import fed

WAIT_MS = 20_000
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def files(tmp_path):
    donor = Playground(Settings(hidden=(3,), seed=5))
    out = {"session": tmp_path / "three.json", "weights": tmp_path / "w.json",
           "npz": tmp_path / "w.npz", "csv": tmp_path / "points.csv",
           "text": tmp_path / "notes.txt", "other": tmp_path / "other.json"}
    save_session(donor, out["session"], {})
    save_network(Playground(Settings(hidden=(4, 2), seed=11)).net, out["weights"])
    save_network(Playground(Settings(hidden=(4, 2), seed=12)).net, out["npz"])
    rows = "\n".join(f"{x:.3f},{-x:.3f},{int(x > 0)}" for x in np.linspace(-1, 1, 40))
    out["csv"].write_text("x1,x2,label\n" + rows + "\n")
    out["text"].write_text("hello\n")
    out["other"].write_text('{"format": "someone-else/model"}')
    return out


def chosen(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))


def live_params(window):
    return window.worker.call(lambda pg: pg.net.params.copy()).result(timeout=WAIT_MS / 1000)


def open_with_ctrl_o(qtbot, window, monkeypatch, path):
    chosen(monkeypatch, path)
    opener = opening.install(window)
    with qtbot.waitSignal(opener.opened, timeout=WAIT_MS) as blocker:
        press(qtbot, window, Qt.Key.Key_O, CTRL)
    return blocker.args


def test_ctrl_o_opens_a_session_by_its_content(qtbot, window, monkeypatch, files):
    assert open_with_ctrl_o(qtbot, window, monkeypatch, files["session"]) == [
        str(files["session"]), "session", True]
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.sizes == (2, 3, 1), timeout=WAIT_MS)
    assert window.windowHandle().title() == "three.json — Backprop Playground"
    assert sessions.install(window).recent() == [str(files["session"])]


@pytest.mark.parametrize("key", ["weights", "npz"])
def test_ctrl_o_imports_weights_json_and_npz(qtbot, window, monkeypatch, files, key):
    assert open_with_ctrl_o(qtbot, window, monkeypatch, files[key])[1:] == ["weights", True]
    expected = load_network(files[key]).params
    qtbot.waitUntil(lambda: np.array_equal(live_params(window), expected), timeout=WAIT_MS)
    assert "Weights loaded" in window.statusBar().currentMessage()


def test_ctrl_o_previews_a_csv(qtbot, window, monkeypatch, files):
    assert open_with_ctrl_o(qtbot, window, monkeypatch, files["csv"])[1:] == ["csv", True]
    dialog = data_io.install(window).dialog
    assert dialog is not None and dialog.isVisible() and dialog.path == files["csv"]
    dialog.reject()


@pytest.mark.parametrize("key, words", [
    ("text", "notes.txt: not a file this app opens (.txt)"),
    ("other", "other.json: neither a session nor a weights file")])
def test_ctrl_o_refuses_anything_else_in_one_line(qtbot, window, monkeypatch, files,
                                                  message_boxes, key, words):
    before = window.latest_snapshot.run_id
    assert open_with_ctrl_o(qtbot, window, monkeypatch, files[key])[2] is False
    (kind, title, text), = message_boxes
    assert kind == "warning" and title == "Open"
    reason = text.split("\n", 1)[1]
    assert reason.startswith(words) and "\n" not in reason
    qtbot.wait(100)
    assert window.latest_snapshot.run_id == before


def test_a_fifo_or_a_device_is_refused_and_the_window_never_waits(qtbot, window, monkeypatch,
                                                                  tmp_path, message_boxes):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    assert open_with_ctrl_o(qtbot, window, monkeypatch, fifo)[2] is False
    assert message_boxes[-1][2] == ("Nothing was opened:\npipe.json: is a pipe (FIFO), not a "
                                    "regular file")
    # the same through Open session… (Ctrl+L), and a session that is a link to /dev/zero
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    ses = sessions.install(window)
    for path, why in ((fifo, "is a pipe (FIFO)"), (zero, "is a device")):
        chosen(monkeypatch, path)
        with qtbot.waitSignal(opening.install(window).opened, timeout=WAIT_MS):
            ses.open_action.trigger()
        kind, title, text = message_boxes[-1]
        assert title == "Open session" and text.startswith(
            f"The session was not opened:\n{path.name}: {why}")


# ----------------------------------------------------------------------------- drops
def drop(window, urls, widget=None):
    """Drag ``urls`` over ``widget`` (the graph) and drop them; (enter accepted, dropped)."""
    mime = QMimeData()
    mime.setUrls([u if isinstance(u, QUrl) else QUrl.fromLocalFile(str(u)) for u in urls])
    widget = widget or window.network_view
    pos = widget.mapTo(window, widget.rect().center())
    handle = window.windowHandle()
    copy, none = Qt.DropAction.CopyAction, Qt.MouseButton.NoButton
    enter = QDragEnterEvent(QPoint(pos), copy, mime, none, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(handle, enter)
    if not enter.isAccepted():
        return False, False
    move = QDragMoveEvent(QPoint(pos), copy, mime, none, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(handle, move)
    if not move.isAccepted():
        return True, False
    event = QDropEvent(QPointF(pos), copy, mime, none, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(handle, event)
    return True, event.isAccepted()


def test_a_session_dropped_on_the_graph_opens(qtbot, window, files):
    with qtbot.waitSignal(opening.install(window).opened, timeout=WAIT_MS) as blocker:
        assert drop(window, [files["session"]]) == (True, True)
    assert blocker.args[1:] == ["session", True]
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.sizes == (2, 3, 1), timeout=WAIT_MS)


def test_weights_dropped_on_the_loss_plot_are_imported(qtbot, window, files):
    with qtbot.waitSignal(opening.install(window).opened, timeout=WAIT_MS):
        assert drop(window, [files["npz"]], window.loss_plot) == (True, True)
    expected = load_network(files["npz"]).params
    qtbot.waitUntil(lambda: np.array_equal(live_params(window), expected), timeout=WAIT_MS)


def test_a_dropped_csv_opens_the_preview_and_only_the_first_file_counts(qtbot, window, files):
    with qtbot.waitSignal(opening.install(window).opened, timeout=WAIT_MS) as blocker:
        assert drop(window, [files["csv"], files["session"]], window.output_view) == (True, True)
    assert blocker.args[1] == "csv"
    dialog = data_io.install(window).dialog
    assert dialog.isVisible() and dialog.path == files["csv"]
    assert "one file at a time" in window.statusBar().currentMessage()
    dialog.reject()


def test_a_dropped_unknown_file_is_refused_and_a_web_link_is_not_taken(qtbot, window, files,
                                                                       message_boxes):
    with qtbot.waitSignal(opening.install(window).opened, timeout=WAIT_MS):
        drop(window, [files["text"]])
    assert "notes.txt: not a file this app opens" in message_boxes[-1][2]
    with qtbot.assertNotEmitted(opening.install(window).opened, wait=200):
        _, dropped = drop(window, [QUrl("https://example.org/session.json")])
    assert not dropped  # not a local file: left to the widgets (which refuse it)


# ----------------------------------------------------------------------------- background
@pytest.fixture
def slow_reader(monkeypatch):
    """load_session that reads slowly (reporting progress) until ``gate`` is set."""
    gate = threading.Event()
    real = session_module.load_session
    state = {"calls": 0}

    def slow(path, progress=None):
        state["calls"] += 1
        size = os.path.getsize(path)
        for k in range(1, 10_000):
            progress(min(k * 64, size // 2))  # raises once Cancel was pressed
            if gate.wait(0.01):
                break
        return real(path, progress)
    monkeypatch.setattr(session_module, "load_session", slow)
    monkeypatch.setattr(progress, "SHOW_AFTER_MS", 100)
    return gate, state


def test_a_slow_session_shows_progress_and_cancel_changes_nothing(qtbot, window, files,
                                                                  slow_reader, message_boxes):
    gate, state = slow_reader
    ses = sessions.install(window)
    opener = opening.install(window)
    before = window.latest_snapshot.run_id
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    ses.open_path(files["session"])
    qtbot.waitUntil(lambda: opener.run is not None and opener.run.dialog is not None
                    and opener.run.dialog.isVisible(), timeout=WAIT_MS)
    dialog = opener.run.dialog
    assert "three.json" in dialog.labelText() and dialog.windowTitle() == "Open session"
    qtbot.waitUntil(lambda: dialog.value() > 0, timeout=WAIT_MS)  # the share read so far
    assert len(ticks) >= 3  # the event loop ran all along: the window never froze
    task = opener.run.task
    with qtbot.assertNotEmitted(opener.opened, wait=300):
        QTest.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)  # Cancel
    timer.stop()
    assert opener.run is None
    assert not [d for d in window.findChildren(QProgressDialog) if d.isVisible()]
    assert "nothing was changed" in window.statusBar().currentMessage()
    assert task.join(5) and task.result is None and task.error is None
    assert window.latest_snapshot.run_id == before and not message_boxes

    gate.set()  # a second try reads on to the end and opens it
    with qtbot.waitSignal(opener.opened, timeout=WAIT_MS) as blocker:
        ses.open_path(files["session"])
    assert blocker.args[2] is True and state["calls"] == 2
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.sizes == (2, 3, 1), timeout=WAIT_MS)


def test_a_second_open_replaces_one_still_reading(qtbot, window, files, slow_reader):
    gate, _ = slow_reader
    opener = opening.install(window)
    sessions.install(window).open_path(files["session"])
    first = opener.run
    with qtbot.waitSignal(opener.opened, timeout=WAIT_MS) as blocker:
        opener.open_path(files["weights"])  # the newest wins; the slow read is stopped
    assert blocker.args[1:] == ["weights", True]
    assert first.task.join(5) and first.task.cancelled
    gate.set()
    qtbot.wait(200)
    assert window.latest_snapshot.sizes == (2, 4, 2, 1)  # not the session's (2, 3, 1)
