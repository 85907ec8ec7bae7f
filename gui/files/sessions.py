"""Sessions from the window: File → Save session… / Open session… / Recent sessions, and the
session kept on quit and offered again on the next start.

A session file (``model/files/session.py``) holds the data (generator settings or the points), the
features, architecture, hyperparameters, weights, optimizer state, epoch and loss history.
Saving runs in the worker thread between two steps (the playground is consistent there) and
writes atomically. Opening reads and checks the file in the GUI thread first: a broken file
gets a one-line message and changes nothing; a good one replaces the worker's playground, and
the window's widgets follow the loaded settings with the next snapshot.

Entry point: ``install(window) -> Sessions``.
"""
from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, QStandardPaths
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from model.files.session import SessionError, load_session, save_session

from gui.identity import APPLICATION, ORGANIZATION  # re-exported: one place for the names
from gui.shell.docks import install_once, menu_named
from gui.shell.notices import Notice

RECENT_KEY = "recent_sessions"
MAX_RECENT = 8
AUTOSAVE_NAME = "last_session.json"
SESSION_FILTERS = "Sessions (*.json);;All files (*)"
SAVE_SHORTCUT = "Ctrl+S"
OPEN_SHORTCUT = "Ctrl+L"
CALL_TIMEOUT_S = 10.0
AUTOSAVE_TIMEOUT_S = 5.0  # closing the window never waits longer than this for the save


def app_settings() -> QSettings:
    """The app's preferences (an INI file under the user's config folder)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION,
                     APPLICATION)


def autosave_path() -> Path:
    """Where the session is kept on quit (the user's data folder)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / ORGANIZATION / AUTOSAVE_NAME


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if isinstance(exc, SessionError) else f"{type(exc).__name__}: {text}"


class RestoreBanner(Notice):
    """"Restore your last session?" above the graph, until answered (a notice of its own:
    it never hides another message, e.g. why training stopped)."""

    KEY = "restore_session"

    def __init__(self, path: Path, parent=None):
        when = _dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        super().__init__(f"Restore your last session ({when})?", "info", dismissable=False,
                         tooltip=str(path), parent=parent)
        self.restore = self.add_button("Restore", None, "Continue where you left off: data, "
                                       "network, weights and history as they were when the "
                                       "window was closed")
        self.dismiss = self.add_button("Dismiss", None, "Keep the new session")


class Sessions(QObject):
    """Save / open / recent sessions, and the autosave on close."""

    def __init__(self, window, *, offer_restore: bool = True):
        super().__init__(window)
        self.window = window
        self.banner: RestoreBanner | None = None

        def action(text, shortcut, tip, slot):
            a = QAction(text, window)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
                tip = f"{tip} ({shortcut})"
            a.setToolTip(tip)
            a.setStatusTip(tip)
            a.triggered.connect(slot)
            window.addAction(a)  # the shortcut works wherever the focus is
            return a

        self.open_action = action("&Open session…", OPEN_SHORTCUT,
                                  "Come back to a saved session", self.open_session)
        self.save_action = action("&Save session…", SAVE_SHORTCUT,
                                  "Save everything (data, network, weights, optimizer, "
                                  "history) to one file", self.save_session)
        self.recent_menu = QMenu("Recent sessions", window)
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        menu = menu_named(window, "&File")
        first = menu.actions()[0] if menu.actions() else None
        for a in (self.open_action, self.save_action):
            menu.insertAction(first, a) if first else menu.addAction(a)
        menu.insertMenu(first, self.recent_menu) if first else menu.addMenu(self.recent_menu)
        menu.insertSeparator(first) if first else menu.addSeparator()
        self._fill_recent()
        # Filters see the Close event before MainWindow.closeEvent stops the worker.
        window.installEventFilter(self)
        if offer_restore:
            self.offer_restore()

    # ----------------------------------------------------------------- recent
    def recent(self) -> list[str]:
        raw = app_settings().value(RECENT_KEY, "[]")
        try:
            paths = json.loads(raw) if isinstance(raw, str) else []
        except ValueError:
            return []
        return [p for p in paths if isinstance(p, str)][:MAX_RECENT]

    def _remember(self, path) -> None:
        path = str(Path(path).resolve())
        paths = [path] + [p for p in self.recent() if p != path]
        self._store_recent(paths[:MAX_RECENT])

    def _forget(self, path) -> None:
        path = str(Path(path).resolve())
        self._store_recent([p for p in self.recent() if p != path])

    def _store_recent(self, paths: list[str]) -> None:
        s = app_settings()
        s.setValue(RECENT_KEY, json.dumps(paths))  # JSON: an INI list of one comes back a str
        s.sync()
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        paths = self.recent()
        for k, path in enumerate(paths):
            a = self.recent_menu.addAction(f"&{k + 1} {Path(path).name}")
            a.setToolTip(path)
            a.setData(path)
            a.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
        if not paths:
            empty = self.recent_menu.addAction("(none yet)")
            empty.setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            clear = self.recent_menu.addAction("Clear the list")
            clear.triggered.connect(lambda _checked=False: self._store_recent([]))

    # ----------------------------------------------------------------- save
    def _meta(self, autosave: bool = False) -> dict:
        return {"app": APPLICATION, "saved": _dt.datetime.now().isoformat(timespec="seconds"),
                "autosave": autosave}

    def save_session(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Save session", "session.json",
                                              SESSION_FILTERS)
        if not path:
            return
        if Path(path).suffix.lower() != ".json":
            path += ".json"
        if self.save_to(path):
            self._remember(path)
            self.window.statusBar().showMessage(f"Session saved to {path}")

    def save_to(self, path, *, autosave: bool = False, timeout: float = CALL_TIMEOUT_S) -> bool:
        """Write the session to ``path`` from the worker thread; a message if it fails."""
        meta = self._meta(autosave)
        runs = getattr(self.window.views.get("runs"), "log", None)  # the Runs panel's runs
        try:
            future = self.window.worker.call(lambda pg: save_session(pg, path, meta, runs=runs))
            future.result(timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - the old file is intact (atomic write)
            if not autosave:
                self.window.warn("Save session", f"The session was not saved:\n"
                                 f"{_one_line(exc)}")
            else:
                self.window.statusBar().showMessage(f"The session was not kept: "
                                                    f"{_one_line(exc)}")
            return False
        return True

    # ----------------------------------------------------------------- open
    def open_session(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open session", "", SESSION_FILTERS)
        if path:
            self.open_path(path)

    def open_path(self, path, *, remember: bool = True) -> bool:
        """Load ``path`` and continue from it (paused). A message, and no change, on error."""
        try:
            loaded = load_session(path)
        except Exception as exc:  # noqa: BLE001 - a corrupt file must never crash the app
            self.window.warn("Open session", f"The session was not opened:\n"
                             f"{_one_line(exc)}")
            if isinstance(exc, SessionError) and "file not found" in str(exc):
                self._forget(path)
            return False
        runs = self.window.views.get("runs")
        if runs is not None:
            runs.adopt(loaded)  # before the playground: its run continues the saved one
        self.window.worker.replace_playground(loaded.playground)
        if remember:
            self._remember(path)
        name = Path(path).name
        if loaded.notes:
            QMessageBox.information(self.window, "Open session",
                                    f"{name} was made by another version of the app:\n• "
                                    + "\n• ".join(loaded.notes))
        self.window.statusBar().showMessage(f"Session {name} opened (paused)")
        return True

    # ----------------------------------------------------------------- autosave
    def eventFilter(self, obj, event) -> bool:
        if obj is self.window and event.type() == QEvent.Type.Close:
            self.autosave()
        return False

    def autosave(self) -> bool:
        """Keep the session for the next start (only while the trainer still runs)."""
        thread = self.window.thread
        if not thread.isRunning() or getattr(self.window, "_closed", False):
            return False  # the worker is gone: nothing consistent to save
        path = autosave_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        return self.save_to(path, autosave=True, timeout=AUTOSAVE_TIMEOUT_S)

    def offer_restore(self) -> None:
        path = autosave_path()
        if not path.is_file():
            return
        try:
            self.banner = RestoreBanner(path)
        except OSError:
            return
        self.banner.restore.clicked.connect(self._on_restore)
        self.banner.dismiss.clicked.connect(self._close_banner)
        self.window.notices.add(RestoreBanner.KEY, self.banner)

    def _on_restore(self) -> None:
        self._close_banner()
        self.open_path(autosave_path(), remember=False)

    def _close_banner(self) -> None:
        if self.banner is not None:
            self.window.dismiss_notice(RestoreBanner.KEY)
            self.banner = None


def install(window) -> Sessions:
    """Add the session actions to the File menu, keep the session on close and offer it on
    the next start; returns the controller."""
    return install_once(window, "sessions", lambda: Sessions(window))
