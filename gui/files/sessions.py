"""Sessions from the window: File → Save session (Ctrl+S), Save session as… (Ctrl+Shift+S),
Open session… / Recent sessions, the title bar's name and modified mark, and the session kept
on close and offered again on the next start.

A session file (``model/files/session.py``) holds the data (generator settings or the points), the
features, architecture, hyperparameters, weights, optimizer state, epoch and loss history.
Saving runs in the worker thread between two steps (the playground is consistent there) and
writes atomically; the outcome comes back as a signal (``FutureRelay``), so the GUI thread
never waits for the worker. Ctrl+S writes to the session's own file and asks for a name only
the first time. Opening goes through ``gui/files/opening.py``: the file is read and checked
in a background thread (progress and Cancel); a broken file gets a one-line message and
changes nothing; a good one replaces the worker's playground, and the window's widgets follow
the loaded settings with the next snapshot.

Closing the window keeps the session for the next start (the only place that waits for the
worker, at most ``AUTOSAVE_TIMEOUT_S``). If that fails, the user is told before the window
closes and chooses: save elsewhere, discard, or cancel closing.

Entry point: ``install(window) -> Sessions``.
"""
from __future__ import annotations

import concurrent.futures
import datetime as _dt
import json
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QStandardPaths, Signal
from PySide6.QtWidgets import QMenu, QMessageBox

from model.data.plane import PlaneSpec
from model.files.kinds import SESSION
from model.files.session import SessionError, save_session

from gui.files.modified import ModifiedMark, saved_state
from gui.files.remembered import app_settings, remember_settings, save_file_name
from gui.files.remembered import open_file_name
from gui.identity import APPLICATION, ORGANIZATION  # re-exported: one place for the names
from gui.shell.actions import add_action
from gui.shell.docks import FutureRelay, install_once, menu_named
from gui.shell.notices import Notice

__all__ = ["Sessions", "RestoreBanner", "install", "app_settings", "autosave_path",
           "ask_after_failed_autosave", "APPLICATION", "ORGANIZATION"]

RECENT_KEY = "recent_sessions"
MAX_RECENT = 8
AUTOSAVE_NAME = "last_session.json"
SESSION_FILTERS = "Sessions (*.json);;All files (*)"
SAVE_SHORTCUT = "Ctrl+S"
SAVE_AS_SHORTCUT = "Ctrl+Shift+S"
OPEN_SHORTCUT = "Ctrl+L"
AUTOSAVE_TIMEOUT_S = 5.0  # closing the window never waits longer than this for the save
#: the answers to "the session could not be kept" on close
SAVE_AS, DISCARD, CANCEL = "save_as", "discard", "cancel"


def autosave_path() -> Path:
    """Where the session is kept on quit (the user's data folder)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / ORGANIZATION / AUTOSAVE_NAME


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if isinstance(exc, SessionError) else f"{type(exc).__name__}: {text}"


def _save_in_worker(path: Path, meta: dict, runs=None):
    """The function the worker runs: write the session (with the Runs panel's ``runs``, a
    RunLog, when given), return what it holds."""
    def save(pg):
        save_session(pg, path, meta, runs=runs)
        return saved_state(pg)
    return save


def ask_after_failed_autosave(window, reason: str) -> str:
    """The question asked when the session cannot be kept on close: SAVE_AS, DISCARD or
    CANCEL (closing)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Session not kept",
                      "Your session could not be kept for the next start.", parent=window)
    box.setInformativeText(f"{reason}\n\nSave it to another file before closing?")
    save_as = box.addButton("Save As…", QMessageBox.ButtonRole.AcceptRole)
    save_as.setToolTip("Choose another file for the session, then close")
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    discard.setToolTip("Close without keeping the session")
    cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
    cancel.setToolTip("Do not close the window")
    box.setDefaultButton(save_as)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return SAVE_AS if clicked is save_as else DISCARD if clicked is discard else CANCEL


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
    """Save / Save As / open / recent sessions, the title, and the autosave on close."""

    saved = Signal(str, bool)  # path, succeeded (the reply of a save, for tests and views)

    def __init__(self, window, *, offer_restore: bool = True):
        super().__init__(window)
        self.window = window
        self.banner: RestoreBanner | None = None
        self.mark = ModifiedMark(window)
        self._relay = FutureRelay(self, window.turns)
        self._relay.finished.connect(self._on_saved)

        def action(text, shortcut, tip, slot):
            return add_action(window, text, shortcut, tip, slot)

        self.open_action = action("Ope&n session…", OPEN_SHORTCUT,
                                  "Come back to a saved session", self.open_session)
        self.save_action = action("&Save session", SAVE_SHORTCUT,
                                  "Save everything (data, network, weights, optimizer, "
                                  "history) to the session's file; the first time, choose one",
                                  self.save)
        self.save_as_action = action("Save session &as…", SAVE_AS_SHORTCUT,
                                     "Save the session to a new file, which becomes the "
                                     "session's file", self.save_as)
        self.recent_menu = QMenu("Recent sessions", window)
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        menu = menu_named(window, "&File")
        first = menu.actions()[0] if menu.actions() else None
        for a in (self.open_action, self.save_action, self.save_as_action):
            menu.insertAction(first, a) if first else menu.addAction(a)
        menu.insertMenu(first, self.recent_menu) if first else menu.addMenu(self.recent_menu)
        menu.insertSeparator(first) if first else menu.addSeparator()
        self._fill_recent()
        # Filters see the Close event before MainWindow.closeEvent stops the worker.
        window.installEventFilter(self)
        if offer_restore:
            self.offer_restore()

    @property
    def current(self) -> Path | None:
        """The session's own file (Ctrl+S writes there), None until saved or opened."""
        return self.mark.path

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
    def _runs(self):
        """The Runs panel's RunLog, saved with the session (None without the panel)."""
        return getattr(self.window.views.get("runs"), "log", None)

    def _meta(self, autosave: bool = False) -> dict:
        meta = {"app": APPLICATION, "saved": _dt.datetime.now().isoformat(timespec="seconds"),
                "autosave": autosave}
        # the plane chosen for data with more than two inputs is the window's state: kept
        # in meta, restored by use_loaded
        plane = self.window.views.get("slice")
        if plane is not None and plane.plane is not None:
            meta["plane"] = plane.spec.to_dict()
        return meta

    def save(self) -> None:
        """Ctrl+S: to the session's own file, or Save As the first time."""
        if self.current is None:
            self.save_as()
        else:
            self.save_to(self.current)

    def save_as(self) -> None:
        name = self.current.name if self.current is not None else "session.json"
        path = self._ask_path("Save session as", name)
        if path:
            self.save_to(path)

    def _ask_path(self, title: str, name: str) -> str:
        path, _ = save_file_name(self.window, "sessions", title, name, SESSION_FILTERS)
        if path and Path(path).suffix.lower() != ".json":
            path += ".json"
        return path

    def save_to(self, path) -> None:
        """Write the session to ``path`` from the worker thread. The reply arrives later
        (``saved``): a message if it failed, else ``path`` becomes the session's file."""
        path = Path(path)
        future = self.window.worker.call(_save_in_worker(path, self._meta(), self._runs()))
        self._relay.watch(future, str(path))

    def _on_saved(self, path: str, future) -> None:
        if getattr(self.window, "_closed", False):
            return  # the reply of a save sent just before the window closed
        try:
            state = future.result()
        except concurrent.futures.CancelledError:
            self._save_failed(path, "the trainer stopped before saving")
            return
        except Exception as exc:  # noqa: BLE001 - the old file is intact (atomic write)
            self._save_failed(path, _one_line(exc))
            return
        self._remember(path)
        self.mark.saved(path, state)
        self.window.statusBar().showMessage(f"Session saved to {path}")
        self.saved.emit(path, True)

    def _save_failed(self, path: str, reason: str) -> None:
        self.window.warn("Save session", f"The session was not saved:\n{reason}")
        self.saved.emit(path, False)

    def save_now(self, path, *, autosave: bool = False,
                 timeout: float | None = None) -> str | None:
        """Closing only: write the session and wait for it, at most ``timeout`` seconds
        (``AUTOSAVE_TIMEOUT_S``). None when written, else why not (one line)."""
        path = Path(path)
        timeout = AUTOSAVE_TIMEOUT_S if timeout is None else timeout
        future = self.window.worker.call(_save_in_worker(path, self._meta(autosave),
                                                         self._runs()))
        try:
            state = future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()  # if the worker has not started it, it never will
            return f"the trainer did not answer within {timeout:g} s"
        except concurrent.futures.CancelledError:
            return "the trainer stopped before saving"
        except Exception as exc:  # noqa: BLE001 - the old file is intact (atomic write)
            return _one_line(exc)
        if not autosave:
            self._remember(path)
            self.mark.saved(path, state)
        return None

    # ----------------------------------------------------------------- open
    def open_session(self) -> None:
        path = open_file_name(self.window, "sessions", "Open session", SESSION_FILTERS)
        if path:
            self.open_path(path)

    def open_path(self, path, *, remember: bool = True) -> None:
        """Read ``path`` in the background, then continue from it (paused); a message, and no
        change, on error (see gui/files/opening.py)."""
        from gui.files import opening
        opening.install(self.window).open_path(path, SESSION, remember=remember)

    def use_loaded(self, path, loaded, *, remember: bool = True) -> None:
        """Continue from ``loaded`` (a model.files.session.LoadedSession read from ``path``)."""
        w = self.window
        state = saved_state(loaded.playground)  # read before the worker owns it
        runs = w.views.get("runs")
        if runs is not None:
            runs.adopt(loaded)  # before the playground: its run continues the saved one
        seq = w.send(w.worker.replace_playground, loaded.playground)  # see ModifiedMark
        restored_plane = self._restore_plane(loaded)
        self.mark.opened(path if remember else None, seq, state, modified=not remember)
        if remember:
            self._remember(path)
        name = Path(path).name
        if loaded.notes:
            QMessageBox.information(w, "Open session",
                                    f"{name} was made by another version of the app:\n• "
                                    + "\n• ".join(loaded.notes))
        w.statusBar().showMessage(f"Session {name} opened (paused)" + restored_plane)

    def _restore_plane(self, loaded) -> str:
        """Draw the saved slice (or PCA plane) again; what to add to the status message."""
        saved = loaded.meta.get("plane")
        if saved is None:
            return ""
        try:
            spec = PlaneSpec.from_dict(saved)
            spec.check(len(loaded.playground.data.input_names))
        except ValueError as exc:
            return f"; its saved slice was not used ({exc})"
        seq = self.window.send(self.window.worker.set_plane, spec)
        controls = self.window.views.get("slice")
        if controls is not None:
            controls.adopt_after(seq)
        return ""

    def open_failed(self, path, reason: str) -> None:
        """Opening ``path`` failed (the message is shown already): a vanished file leaves the
        recent list."""
        if "file not found" in reason:
            self._forget(path)

    # ----------------------------------------------------------------- closing
    def eventFilter(self, obj, event) -> bool:
        if obj is self.window and event.type() == QEvent.Type.Close:
            if not self.close_requested():
                event.ignore()
                return True  # the window stays open, training goes on
        return False

    def close_requested(self) -> bool:
        """Keep the session and the settings for the next start; if the session cannot be
        kept, ask (save elsewhere / discard / cancel). False: do not close."""
        w = self.window
        if not w.thread.isRunning() or getattr(w, "_closed", False):
            return True  # the worker is gone: nothing consistent to save
        reason = self.autosave()
        while reason is not None:
            answer = ask_after_failed_autosave(w, reason)
            if answer == CANCEL:
                w.statusBar().showMessage("Not closed: the session was not kept")
                return False
            if answer == DISCARD:
                break
            path = self._ask_path("Save session before closing", "session.json")
            if path:
                reason = self.save_now(path)
        snap = w.latest_snapshot
        settings = snap.extras.get("settings") if snap is not None else None
        remember_settings(settings if settings is not None else w._settings)
        return True

    def autosave(self) -> str | None:
        """Keep the session for the next start; None when kept, else why not (one line)."""
        path = autosave_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            return f"{path.parent}: a file is where the folder should be"
        except OSError as exc:
            return f"{path.parent}: cannot create the folder ({exc.strerror or exc})"
        return self.save_now(path, autosave=True)

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
