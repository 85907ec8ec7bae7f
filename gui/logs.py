"""The app's log file: what went wrong when nobody was watching a terminal (a launch from the
desktop icon). Uncaught exceptions, the trainer worker's errors and failed file operations are
written to a rotating file in the platform's folder for app state:

    Linux/BSD  $XDG_STATE_HOME/backprop-playground, else $XDG_DATA_HOME/backprop-playground,
               else ~/.local/state/backprop-playground
    macOS      ~/Library/Logs/Backprop Playground
    Windows    %LOCALAPPDATA%\\Backprop Playground\\Logs

``log_dir()`` is that folder (Help → Open log folder shows it), ``setup_logging()`` attaches
the file to the root logger (idempotent), ``install_excepthooks()`` routes uncaught exceptions
of every thread there as well as to stderr. Pure stdlib: no Qt here.
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
from pathlib import Path

from gui.identity import APP_ID, APPLICATION

LOG_NAME = f"{APP_ID}.log"
MAX_BYTES = 1_000_000  # per file; with the backups at most ~4 MB on disk
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

log = logging.getLogger("gui")
_handler: logging.Handler | None = None


def log_dir(environ=None, platform: str | None = None, home: Path | None = None) -> Path:
    """The folder that holds the log files (not created here)."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    home = Path(environ.get("HOME") or Path.home()) if home is None else home
    if platform == "darwin":
        return home / "Library" / "Logs" / APPLICATION
    if platform.startswith("win"):
        base = environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / APPLICATION / "Logs"
    for var in ("XDG_STATE_HOME", "XDG_DATA_HOME"):
        value = environ.get(var, "")
        if os.path.isabs(value):  # the XDG spec: relative paths are invalid, ignore them
            return Path(value) / APP_ID
    return home / ".local" / "state" / APP_ID


def log_file() -> Path:
    return log_dir() / LOG_NAME


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Attach the rotating log file to the root logger; its path, or None when the folder
    cannot be created (then messages go to stderr only: logging must never stop the app)."""
    global _handler
    if _handler is not None:
        return Path(_handler.baseFilename)
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES,
                                                       backupCount=BACKUPS, encoding="utf-8")
    except OSError as exc:
        print(f"warning: no log file ({path.parent}: {exc.strerror or exc})", file=sys.stderr)
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    _handler = handler
    return path


def close_logging() -> None:
    """Detach and close the log file (tests; the app lets it close at exit)."""
    global _handler
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
        _handler = None


def log_exception(exc_type, exc, tb, where: str = "") -> None:
    log.critical("uncaught exception%s", f" in {where}" if where else "",
                 exc_info=(exc_type, exc, tb))


def install_excepthooks(notify=None) -> None:
    """Uncaught exceptions (main thread, Qt slots, Python threads) go to the log, then to the
    previous hook (which prints the traceback). ``notify(text)``, if given, is told in one
    line (the window shows it); it may be called from any thread."""
    previous, previous_thread = sys.excepthook, threading.excepthook

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            return previous(exc_type, exc, tb)
        log_exception(exc_type, exc, tb)
        previous(exc_type, exc, tb)
        _notify(notify, exc_type, exc)

    def thread_hook(args):
        if args.exc_type is SystemExit:
            return previous_thread(args)
        log_exception(args.exc_type, args.exc_value, args.exc_traceback,
                      getattr(args.thread, "name", "a thread"))
        previous_thread(args)
        _notify(notify, args.exc_type, args.exc_value)

    sys.excepthook = hook
    threading.excepthook = thread_hook


def _notify(notify, exc_type, exc) -> None:
    if notify is None:
        return
    text = " ".join(str(exc).split()) or exc_type.__name__
    try:
        notify(f"Unexpected error ({exc_type.__name__}: {text[:200]}); details in {log_file()}")
    except Exception:  # noqa: BLE001 - reporting an error must not raise another
        pass
