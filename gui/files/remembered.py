"""What the window remembers between runs besides its layout (``gui/shell/window_state.py``):
the last folder of each kind of file dialog, and the settings of the last run.

Both live in the app's one preferences file (``app_settings()``: QSettings with the
organisation and application names of ``gui/identity.py``). Every file dialog of the app
goes through ``open_file_name`` / ``save_file_name`` with a key naming its kind ("sessions",
"weights", "data", "exports", "open", "recordings"): it starts in the folder last used for that
kind and remembers the folder of the file chosen. The last settings are written when the
window closes and are the first settings of the next start (a restored session then replaces
them); anything unreadable in the file is ignored, never an error at start.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog

from gui.identity import APPLICATION, ORGANIZATION

FOLDERS_GROUP = "folders"
LAST_SETTINGS_KEY = "last_settings"


def app_settings() -> QSettings:
    """The app's preferences (an INI file under the user's config folder)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION,
                     APPLICATION)


# ----------------------------------------------------------------------------- folders
def default_folder() -> str:
    """Where a dialog starts the first time: the Documents folder if there is one, else home."""
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if docs and Path(docs).is_dir():
        return docs
    return str(Path.home())


def last_folder(key: str) -> str:
    """The folder last used by the dialogs of kind ``key`` (that still exists), or the default."""
    value = app_settings().value(f"{FOLDERS_GROUP}/{key}", "")
    if isinstance(value, str) and value and Path(value).is_dir():
        return value
    return default_folder()


def remember_folder(key: str, path) -> None:
    """Remember the folder of ``path`` (a file chosen in a dialog of kind ``key``)."""
    folder = Path(path).expanduser().absolute().parent
    s = app_settings()
    s.setValue(f"{FOLDERS_GROUP}/{key}", str(folder))
    s.sync()


def open_file_name(parent, key: str, title: str, filters: str) -> str:
    """Ask for a file to open, starting in the last folder of ``key``; "" if cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, title, last_folder(key), filters)
    if path:
        remember_folder(key, path)
    return path


def save_file_name(parent, key: str, title: str, default_name: str,
                   filters: str) -> tuple[str, str]:
    """(path, selected filter) of a file to write, proposed as ``default_name`` in the last
    folder of ``key``; ("", "") if cancelled."""
    start = str(Path(last_folder(key)) / default_name)
    path, selected = QFileDialog.getSaveFileName(parent, title, start, filters)
    if path:
        remember_folder(key, path)
    return path, selected


# ----------------------------------------------------------------------------- settings
def remember_settings(settings) -> None:
    """Keep ``settings`` (a model.playground.Settings) as the first settings of the next start."""
    s = app_settings()
    s.setValue(LAST_SETTINGS_KEY, json.dumps(dataclasses.asdict(settings)))
    s.sync()


def last_settings():
    """The settings kept by ``remember_settings``, checked like a session's; None if there
    are none or they are not valid (another version, a hand-edited file)."""
    from model.files.session import SessionError, settings_from_dict
    from model.playground import Playground

    raw = app_settings().value(LAST_SETTINGS_KEY, "")
    if not isinstance(raw, str) or not raw:
        return None
    try:
        settings = settings_from_dict(json.loads(raw), LAST_SETTINGS_KEY)
        Playground(settings)  # a combination this version cannot build must not reach the worker
    except (SessionError, ValueError, TypeError, RecursionError):
        return None
    return settings


def initial_settings():
    """The settings the window starts with: the last run's, else the defaults."""
    from model.playground import Settings

    return last_settings() or Settings()
