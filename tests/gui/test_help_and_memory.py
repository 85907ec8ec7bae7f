"""Help → Keyboard shortcuts (made from the actions, so it cannot go stale), Help → Open log
folder, the last folder of each kind of file dialog, the remembered settings, and counts
written with thin spaces in the window."""
import json
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from gui.data import data_io
from gui.files import exports, remembered, sessions
from gui.logs import log_dir
from gui.shell import help_menu
from gui.shell.docks import menu_named
from model.numbers import GROUP, format_count
from model.playground import Settings
from window_helpers import press

WAIT_MS = 20_000
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


# ----------------------------------------------------------------------------- shortcuts
def open_shortcuts(qtbot, window):
    helper = help_menu.install(window)
    press(qtbot, window, Qt.Key.Key_Slash, CTRL)
    qtbot.waitUntil(lambda: helper.dialog is not None and helper.dialog.isVisible(),
                    timeout=WAIT_MS)
    return helper.dialog


def test_the_shortcuts_list_holds_every_shortcut_of_the_window(qtbot, window):
    dialog = open_shortcuts(qtbot, window)
    rows = dialog.rows()
    assert ("File", "Open…", "Ctrl+O") in rows
    assert ("File", "Save session", "Ctrl+S") in rows
    assert ("File", "Save session as…", "Ctrl+Shift+S") in rows
    assert ("Training", "Play", "Space") in rows
    assert ("View", "Zoom in on the graph", "Ctrl+= or Ctrl++") in rows
    assert ("Help", "Keyboard shortcuts", "Ctrl+/") in rows
    # every action with a shortcut is there, once
    native = QKeySequence.SequenceFormat.NativeText
    expected = sorted(" or ".join(k.toString(native) for k in a.shortcuts())
                      for a in window.findChildren(QAction) if a.shortcuts() and a.text())
    assert sorted(keys for _, _, keys in rows) == expected
    assert [g for g, _, _ in rows].index("File") == 0  # in menu-bar order


def test_an_action_added_later_is_listed(qtbot, window):
    tools = menu_named(window, "&Tools")
    added = QAction("&Frobnicate the weights", window)
    added.setShortcut(QKeySequence("Ctrl+Alt+K"))
    tools.addAction(added)
    window.addAction(added)
    loose = QAction("Secret &handshake", window)  # in no menu
    loose.setShortcut(QKeySequence("Ctrl+Alt+J"))
    window.addAction(loose)
    rows = open_shortcuts(qtbot, window).rows()
    assert ("Tools", "Frobnicate the weights", "Ctrl+Alt+K") in rows
    assert (help_menu.ELSEWHERE, "Secret handshake", "Ctrl+Alt+J") in rows


def test_the_filter_keeps_the_matching_rows(qtbot, window):
    dialog = open_shortcuts(qtbot, window)
    QTest.keyClicks(dialog.filter, "save")
    rows = dialog.rows()
    assert rows and all("save" in (text + keys).lower() for _, text, keys in rows)
    assert ("File", "Save session", "Ctrl+S") in rows
    dialog.filter.clear()
    assert len(dialog.rows()) > len(rows)
    QTest.keyClicks(dialog.filter, "shift+s")  # a key works too
    assert ("File", "Save session as…", "Ctrl+Shift+S") in dialog.rows()


# ----------------------------------------------------------------------------- log folder
def help_action(window, text):
    menu = menu_named(window, "&Help")
    return next(a for a in menu.actions() if a.text() == text)


def test_open_log_folder_shows_the_log_folder(qtbot, window, monkeypatch, message_boxes):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url) or True))
    help_action(window, "Open &log folder").trigger()
    assert opened == [QUrl.fromLocalFile(str(log_dir()))]
    assert log_dir().is_dir() and not message_boxes

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
    help_action(window, "Open &log folder").trigger()  # no file manager: the path is given
    kind, title, text = message_boxes[-1]
    assert title == "Open log folder" and str(log_dir()) in text


# ----------------------------------------------------------------------------- last folders
class Dialogs:
    """Both QFileDialog functions answered with ``answer``; the folders they start in."""

    def __init__(self, monkeypatch):
        self.answer, self.starts = None, []
        for name in ("getOpenFileName", "getSaveFileName"):
            monkeypatch.setattr(QFileDialog, name, staticmethod(self))

    def __call__(self, parent, title, start, filters, *args, **kwargs):
        self.starts.append((title, start))
        return str(self.answer), ""


def test_each_kind_of_dialog_starts_in_its_own_last_folder(qtbot, window, monkeypatch,
                                                           tmp_path, message_boxes):
    a, b = tmp_path / "sessions_here", tmp_path / "weights_here"
    a.mkdir()
    b.mkdir()
    dialogs = Dialogs(monkeypatch)
    ses = sessions.install(window)
    dialogs.answer = a / "s.json"
    with qtbot.waitSignal(ses.saved, timeout=WAIT_MS):
        ses.save_as_action.trigger()
    dialogs.answer = b / "w.json"
    window.actions_.export.trigger()  # Export weights, written by the worker
    qtbot.waitUntil((b / "w.json").exists, timeout=WAIT_MS)
    dialogs.answer = ""  # cancelled from now on
    ses.save_as_action.trigger()  # asks again: starts where the last session went
    assert dialogs.starts[-1] == ("Save session as", str(a / "s.json"))
    window.actions_.export.trigger()
    assert dialogs.starts[-1] == ("Export weights", str(b / "weights.json"))
    # kinds not used yet start in the default folder
    exports.install(window).export("python")
    assert dialogs.starts[-1][1] == str(Path(remembered.default_folder()) / "network.py")
    data_io.install(window).open_data()
    assert dialogs.starts[-1] == ("Open data", remembered.default_folder())
    # kept in the preferences file, for the next start
    assert remembered.last_folder("sessions") == str(a)
    assert remembered.last_folder("weights") == str(b)
    # a folder that is gone falls back to the default
    b.rename(tmp_path / "moved")
    assert remembered.last_folder("weights") == remembered.default_folder()


def test_remembered_settings_that_cannot_be_read_start_with_the_defaults():
    s = remembered.app_settings()
    for raw in ("{not json", json.dumps({"hidden": ["x"]}), json.dumps({"lr": -3}),
                json.dumps([1, 2]), ""):
        s.setValue(remembered.LAST_SETTINGS_KEY, raw)
        assert remembered.initial_settings() == Settings()
    remembered.remember_settings(Settings(hidden=(6,), lr=0.1))
    assert remembered.initial_settings() == Settings(hidden=(6,), lr=0.1)


# ----------------------------------------------------------------------------- numbers
def test_counts_in_the_window_use_thin_spaces(qtbot, window, monkeypatch, tmp_path):
    press(qtbot, window, Qt.Key.Key_Right, SHIFT)  # one epoch
    qtbot.waitUntil(lambda: window.controls.epoch_label.text() == format_count(1, 7),
                    timeout=WAIT_MS)
    assert window.controls.epoch_label.text() == f"0{GROUP}000{GROUP}001"
    # a CSV of 1,500 rows: the data panel and the status bar group the digits the same way
    path = tmp_path / "many.csv"
    x = np.linspace(-1, 1, 1500)
    path.write_text("x1,x2,label\n" + "\n".join(f"{v:.4f},{-v:.4f},{int(v > 0)}" for v in x)
                    + "\n")
    io = data_io.install(window)
    dialog = io.preview(path)
    qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=WAIT_MS)
    assert f"1{GROUP}500 rows" in dialog.info.text()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage().startswith(f"Training on 1{GROUP}500 rows")
    qtbot.waitUntil(lambda: window.data_panel.custom_label.text()
                    == f"Your data: 1{GROUP}500 points", timeout=WAIT_MS)
