"""Desktop identity: names for QSettings, the icon, the desktop entry, Help → About, and the
log file that keeps what goes wrong when nobody watches a terminal."""
import configparser
import logging
import os
import pathlib
import shutil
import subprocess
import sys
import threading

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from gui import desktop_entry, identity, logs
from gui.app import configure_app
from gui.shell import about
from model.files.bundled import resource

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def log_folder(tmp_path, monkeypatch):
    """The log file in a fresh folder for this test, detached afterwards."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    logs.close_logging()
    yield tmp_path / "state" / "backprop-playground"
    logs.close_logging()


# ----------------------------------------------------------------------------- identity
def test_configure_app_sets_names_icon_and_desktop_file(qapp):
    configure_app(qapp)
    assert qapp.organizationName() == identity.ORGANIZATION == "BackpropPlayground"
    assert qapp.applicationName() == identity.APPLICATION == "Backprop Playground"
    assert QGuiApplication.desktopFileName() == "backprop-playground"
    from model import __version__
    assert qapp.applicationVersion() == __version__
    icon = qapp.windowIcon()
    assert not icon.isNull()
    image = icon.pixmap(64, 64).toImage()
    assert image.width() == 64
    # the icon really is drawn: blue and orange pixels, as in the app's palette
    colours = {image.pixelColor(x, y).name() for x in range(0, 64, 2) for y in range(0, 64, 2)}
    assert any(c.startswith("#0") and c[3] in "6789" for c in colours)  # ~#0877bd
    assert any(c.startswith("#f") for c in colours)  # ~#f59322


def test_sessions_use_the_same_names():
    from gui.files import sessions
    assert (sessions.ORGANIZATION, sessions.APPLICATION) == (identity.ORGANIZATION,
                                                              identity.APPLICATION)


# ----------------------------------------------------------------------------- desktop entry
def test_desktop_entry_installs_and_uninstalls_per_user(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "share"), "HOME": str(tmp_path)}
    command = ["/opt/my apps/bin/backprop-playground"]
    entry, icon = desktop_entry.install(env, command)
    assert entry == tmp_path / "share" / "applications" / "backprop-playground.desktop"
    assert icon == tmp_path / "share/icons/hicolor/scalable/apps/backprop-playground.svg"
    assert icon.read_bytes() == resource("icons", "backprop-playground.svg").read_bytes()
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read_string(entry.read_text())
    e = parser["Desktop Entry"]
    assert e["Type"] == "Application" and e["Name"] == "Backprop Playground"
    assert e["Icon"] == identity.APP_ID and entry.stem == identity.APP_ID
    assert e["Exec"] == '"/opt/my apps/bin/backprop-playground"'  # quoted: it has a space
    assert e["Terminal"] == "false" and "Education" in e["Categories"].split(";")
    # X11 matches the window to the entry by WM_CLASS, whose class Qt takes from the app name
    assert e["StartupWMClass"] == identity.APPLICATION
    validator = shutil.which("desktop-file-validate")
    if validator:  # desktop-file-utils, when installed, knows the spec better than we do
        r = subprocess.run([validator, str(entry)], capture_output=True, text=True)
        assert r.returncode == 0 and "error" not in r.stdout + r.stderr, r.stdout + r.stderr
    assert desktop_entry.uninstall(env) == [entry, icon]
    assert not entry.exists() and not icon.exists()
    assert desktop_entry.uninstall(env) == []


def test_default_data_home_and_exec_quoting(tmp_path):
    assert desktop_entry.data_home({"HOME": str(tmp_path)}) == tmp_path / ".local" / "share"
    assert desktop_entry.data_home({"HOME": "/h", "XDG_DATA_HOME": "relative"}) == \
        pathlib.Path("/h/.local/share")
    assert desktop_entry.exec_quote("/usr/bin/app") == "/usr/bin/app"
    assert desktop_entry.exec_quote('/a b/$x"q') == '"/a b/\\\\$x\\\\"q"'
    assert desktop_entry.exec_quote("100%") == '"100%%"'
    cmd = desktop_entry.launch_command()
    assert pathlib.Path(cmd[0]).is_absolute()


# ----------------------------------------------------------------------------- About
def test_about_names_version_licence_docs_and_logs(qtbot):
    from model import __version__
    from PySide6.QtWidgets import QWidget
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = about.show_about(parent)
    qtbot.waitExposed(dialog)
    text = dialog.text.text()
    assert f"Version {__version__}" in text and "MIT" in text
    assert "README" in text and "--help" in text
    assert str(logs.log_dir()) in text
    assert "thread" not in text.lower()  # no internals
    # the wrapped text is never clipped: the dialog is as tall as the label needs
    label = dialog.text
    assert label.height() >= label.heightForWidth(label.width())
    dialog.show_readme()
    readme = dialog.readme_dialog.browser.toPlainText()
    assert "Backprop Playground" in readme and "make install-desktop" in readme
    dialog.close()


def test_help_about_opens_the_new_dialog(window, qtbot):
    help_menu = next(a.menu() for a in window.menuBar().actions() if "Help" in a.text())
    action = next(a for a in help_menu.actions() if "About" in a.text())
    action.trigger()
    dialogs = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, about.AboutDialog) and w.isVisible()]
    assert len(dialogs) == 1
    dialogs[0].close()


# ----------------------------------------------------------------------------- logs
def test_log_dir_follows_the_platform_and_xdg():
    home = pathlib.Path("/home/u")
    assert logs.log_dir({"XDG_STATE_HOME": "/s", "XDG_DATA_HOME": "/d"}, "linux", home) == \
        pathlib.Path("/s/backprop-playground")
    assert logs.log_dir({"XDG_DATA_HOME": "/d"}, "linux", home) == \
        pathlib.Path("/d/backprop-playground")
    assert logs.log_dir({"XDG_STATE_HOME": "rel"}, "linux", home) == \
        home / ".local/state/backprop-playground"
    assert logs.log_dir({}, "darwin", home) == home / "Library/Logs/Backprop Playground"
    assert logs.log_dir({"LOCALAPPDATA": "C:/L"}, "win32", home) == \
        pathlib.Path("C:/L/Backprop Playground/Logs")


def test_uncaught_exceptions_of_every_thread_reach_the_log(log_folder, monkeypatch, capsys):
    path = logs.setup_logging()
    assert path == log_folder / "backprop-playground.log"
    told = []
    monkeypatch.setattr(sys, "excepthook", lambda *a: None)  # the "previous" hooks
    monkeypatch.setattr(threading, "excepthook", lambda args: None)
    logs.install_excepthooks(notify=told.append)
    try:
        raise ZeroDivisionError("main thread boom")
    except ZeroDivisionError:
        sys.excepthook(*sys.exc_info())

    def fail():
        raise KeyError("worker boom")
    t = threading.Thread(target=fail, name="helper")
    t.start()
    t.join()
    text = path.read_text()
    assert "ZeroDivisionError: main thread boom" in text and "Traceback" in text
    assert "KeyError: 'worker boom'" in text and "in helper" in text
    assert len(told) == 2 and str(path) in told[0]


def test_setup_logging_survives_an_unwritable_folder(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))  # a file where the folder should be
    logs.close_logging()
    assert logs.setup_logging() is None
    assert "no log file" in capsys.readouterr().err
    logs.close_logging()


def test_file_errors_shown_in_the_window_are_logged(window, message_boxes, caplog):
    with caplog.at_level(logging.WARNING):
        window.warn("Open session", "The session was not opened:\nbad.json: not JSON")
    assert any("Open session: The session was not opened: bad.json: not JSON" in r.getMessage()
               for r in caplog.records)


def test_the_running_app_logs_start_worker_errors_and_uncaught_exceptions(tmp_path):
    """The real start path (run_app) in a subprocess: a slot that raises and a worker error
    end up in the log file, and the app still closes normally."""
    code = (
        "import sys\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication(sys.argv[:1])\n"
        "def worker_error():\n"
        "    w = [w for w in app.topLevelWidgets() if hasattr(w, 'worker')][0]\n"
        "    w.worker.error.emit('cannot build the playground (test)')\n"
        "def explode():\n"
        "    raise RuntimeError('a bug in a slot')\n"
        "QTimer.singleShot(600, worker_error)\n"
        "QTimer.singleShot(900, explode)\n"
        "from gui.app import run_app\n"
        "sys.exit(run_app([], quit_after=2500))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_STATE_HOME=str(tmp_path))
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    text = (tmp_path / "backprop-playground" / "backprop-playground.log").read_text()
    assert "Backprop Playground" in text and "starting" in text and "closed" in text
    assert "trainer error: cannot build the playground (test)" in text
    assert "RuntimeError: a bug in a slot" in text and "Traceback" in text
    assert "RuntimeError: a bug in a slot" in r.stderr  # still printed for a terminal
