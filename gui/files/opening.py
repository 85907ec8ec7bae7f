"""One Open for every file the app reads: File → Open… (Ctrl+O) and a file dropped on the
window open a session, a weights file or CSV data by its kind, as if it had been chosen
from its own menu item; the specific items (Open session…, Import weights…, Open data…)
come through here too, so that every file is read the same way.

The kind comes from ``model.files.kinds`` (the suffix, and for .json the ``format`` field at
its start). Sessions and weights are read and checked in a background thread with a progress
dialog and Cancel (``gui/files/progress.py``): the window never waits for a big or slow file,
and a FIFO or a device is refused in one line by the model's reader. A CSV goes to the data
preview, which reads it in the background itself. Whatever fails, one message says why and
nothing changes.

Entry point: ``install(window) -> Opener``.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction, QKeySequence

from model.files.kinds import (CSV, SESSION, WEIGHTS, FileKindError, file_kind, kind_by_suffix,
                               load_any)
from model.files.reading import source_name
from model.files.session import SessionError
from model.files.weights_format import WeightsError

from gui.files.progress import ProgressRun, file_size
from gui.files.remembered import open_file_name
from gui.shell.docks import install_once, menu_named

OPEN_SHORTCUT = "Ctrl+O"
OPEN_FILTERS = ("Backprop Playground files (*.json *.npz *.csv);;Sessions (*.json);;"
                "Weights (*.json *.npz);;CSV data (*.csv);;All files (*)")
#: kind → (title of its messages, what failed)
WORDS = {SESSION: ("Open session", "The session was not opened"),
         WEIGHTS: ("Import weights", "The weights were not loaded"),
         CSV: ("Open data", "The data was not opened"),
         None: ("Open", "Nothing was opened")}
_ERROR_KINDS = ((SessionError, SESSION), (WeightsError, WEIGHTS))


def dropped_files(mime) -> list[Path]:
    """The local files among the URLs of a drag (in their order)."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class Opener(QObject):
    """File → Open… and drops; ``open_path(path, kind)`` for the specific items."""

    opened = Signal(str, str, bool)  # path, kind ("" if unknown), succeeded

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.run: ProgressRun | None = None
        self._pending: tuple | None = None  # (path, kind, options) of the run
        self.action = QAction("&Open…", window)
        self.action.setShortcut(QKeySequence(OPEN_SHORTCUT))
        tip = ("Open a session, a weights file or CSV data; the kind is found from the file "
               f"({OPEN_SHORTCUT}; or drop the file on the window)")
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)
        self.action.triggered.connect(self.open_file)
        window.addAction(self.action)  # the shortcut works wherever the focus is
        menu = menu_named(window, "&File")
        first = menu.actions()[0] if menu.actions() else None
        menu.insertAction(first, self.action) if first else menu.addAction(self.action)
        # Drops are caught on the window's QWindow, before Qt hands them to the widget under
        # the cursor: a QGraphicsView (the graph, every plot) accepts a drag's entry for its
        # scene and then refuses the drop, so a filter on the main window would never see it.
        # The QWindow exists once the window is shown.
        self._handle = None
        window.setAcceptDrops(True)  # the platform's drop target (Windows registers it so)
        window.installEventFilter(self)
        self._hook_window_handle()

    # ----------------------------------------------------------------- asking
    def open_file(self) -> None:
        path = open_file_name(self.window, "open", "Open", OPEN_FILTERS)
        if path:
            self.open_path(path)

    def open_path(self, path, kind: str | None = None, **options) -> None:
        """Open ``path`` as ``kind`` (SESSION, WEIGHTS, CSV; None: found from the file).
        Sessions and weights are read in the background; the outcome comes later (the
        ``opened`` signal). ``options`` go to the receiver (``remember`` for sessions)."""
        path = Path(path)
        if self.run is not None:
            self.run.cancel()  # one file at a time: the newest wins
        if kind is None:
            kinds = kind_by_suffix(path)
            if not kinds:
                try:
                    file_kind(path)  # raises the one-line refusal without reading a byte
                except FileKindError as exc:
                    self._failed(path, None, str(exc))
                return
            kind = kinds[0] if len(kinds) == 1 else None
        if kind == CSV:
            self._deliver(path, CSV, None, options)
            return
        what = {SESSION: "session", WEIGHTS: "weights"}.get(kind, "file")
        self._pending = (path, kind, options)
        self.run = ProgressRun(self.window, WORDS[kind][0],
                               f"Reading the {what} {source_name(path)}…",
                               partial(load_any, path, kind), file_size(path),
                               expected=(SessionError, WeightsError, FileKindError))
        self.run.finished.connect(self._on_finished)
        self.run.cancelled.connect(self._on_cancelled)

    # ----------------------------------------------------------------- outcome
    def _on_finished(self, result, error) -> None:
        path, kind, options = self._pending
        exception = self.run.task.exception if self.run is not None else None
        self.run = self._pending = None
        if getattr(self.window, "_closed", False):
            return  # the window closed meanwhile: nobody to tell, nothing to change
        if error is not None:
            for cls, error_kind in _ERROR_KINDS:
                if isinstance(exception, cls):
                    kind = error_kind  # the file said what it is before it failed
            self._failed(path, kind, error)
            return
        found, value = result
        self._deliver(path, found, value, options)

    def _on_cancelled(self) -> None:
        path = self._pending[0] if self._pending else None
        self.run = self._pending = None
        if path is not None:
            self.window.statusBar().showMessage(f"Stopped reading {source_name(path)}: "
                                                "nothing was changed")

    def _failed(self, path: Path, kind: str | None, reason: str) -> None:
        title, what = WORDS[kind]
        self.window.warn(title, f"{what}:\n{reason}")
        if kind == SESSION:
            from gui.files import sessions
            sessions.install(self.window).open_failed(path, reason)
        self.opened.emit(str(path), kind or "", False)

    def _deliver(self, path: Path, kind: str, value, options: dict) -> None:
        """Hand the file to its own feature, as its menu item would."""
        ok = True
        if kind == SESSION:
            from gui.files import sessions
            sessions.install(self.window).use_loaded(path, value, **options)
        elif kind == WEIGHTS:
            ok = self.window.use_weights(value, path)
        else:
            from gui.data import data_io
            data_io.install(self.window).preview(path)
        self.opened.emit(str(path), kind, ok)

    # ----------------------------------------------------------------- drops
    def _hook_window_handle(self) -> None:
        handle = self.window.windowHandle()
        if handle is not None and handle is not self._handle:
            if self._handle is not None:
                self._handle.removeEventFilter(self)
            self._handle = handle
            handle.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if obj is self.window:
            if kind == QEvent.Type.Show:
                self._hook_window_handle()
            return False
        if obj is not self._handle:
            return False
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if dropped_files(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop:
            files = dropped_files(event.mimeData())
            if files:
                event.acceptProposedAction()
                self.open_path(files[0])
                if len(files) > 1:
                    self.window.statusBar().showMessage(
                        f"Opening {source_name(files[0])}: one file at a time (the other "
                        f"{len(files) - 1} dropped with it were left alone)")
                return True
        return False


def install(window) -> Opener:
    """Add File → Open… (Ctrl+O) and drops to the window; returns the controller."""
    return install_once(window, "opener", lambda: Opener(window))
