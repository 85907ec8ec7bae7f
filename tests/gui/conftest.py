"""GUI tests: offscreen Qt, and the real main window with its trainer thread."""
import os

import tempfile

# Before any Qt import: without a platform and no DISPLAY the whole run aborts.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The window keeps preferences, recent files and an autosaved session in the user's folders:
# every test (and every subprocess it starts) gets a private home instead of the real one.
_HOME = tempfile.mkdtemp(prefix="bp-test-home-")
os.environ["HOME"] = _HOME
for _var, _sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                   ("XDG_STATE_HOME", ".local/state"),
                   ("XDG_CACHE_HOME", ".cache")):
    os.environ[_var] = os.path.join(_HOME, _sub)

import pytest  # noqa: E402

WAIT_MS = 20_000  # generous: the worker thread shares a small, busy machine


@pytest.fixture(autouse=True)
def garbage_collected_on_the_gui_thread(qapp):
    """As in the app (gui/shell/collector.py): no garbage collection in the trainer's or
    another thread. One there freed an earlier test's leftover Qt objects off the GUI thread
    and deadlocked against it (a clean-clone run hung in QObject::~QObject). Not frozen: the
    tests' windows come and go. tests/conftest.py gives the automatic collector back for the
    tests that follow."""
    from gui.shell import collector
    collector.take_over(qapp, freeze=False)


@pytest.fixture(autouse=True)
def private_settings(tmp_path, tmp_path_factory, monkeypatch):
    """Every test starts like a first start: the preferences (remembered layout, recent
    sessions, last folders and settings) and the session kept on close by one test (or by a
    window it ran in a subprocess) never reach the next. The preferences live beside
    tmp_path, not in it: a test may list the files it wrote there."""
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path_factory.mktemp("qsettings")))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def message_boxes(monkeypatch):
    """QMessageBox's static functions record their calls instead of blocking the test."""
    from PySide6.QtWidgets import QMessageBox

    calls = []

    def record(kind):
        def box(parent, title, text, *args, **kwargs):
            calls.append((kind, title, text))
            return QMessageBox.StandardButton.Ok
        return box

    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(record(kind)))
    return calls


@pytest.fixture
def make_window(qtbot, message_boxes):
    """Factory for MainWindows; every window's trainer thread is joined at teardown,
    before the widgets are deleted."""
    from gui.shell.main_window import MainWindow

    windows = []

    def make(settings=None, **kwargs):
        w = MainWindow(settings, **kwargs) if settings is not None else MainWindow(**kwargs)
        windows.append(w)
        w.show()
        # drawn, and handed to every feature (one per turn: gui/shell/snapshot_feed.py)
        qtbot.waitUntil(lambda: w.latest_snapshot is not None and not w.snapshot_feed.waiting(),
                        timeout=WAIT_MS)
        return w

    yield make
    for w in windows:
        w.shutdown()
        assert w.thread.isFinished()
        w.close()
        w.deleteLater()


@pytest.fixture
def window(make_window):
    """The main window with default settings (circle, hidden 4-2, tanh, lr 0.03, batch 10)."""
    return make_window()
