"""Starting the window: ``run_app(qt_args, quit_after=MS)`` creates the QApplication, gives it
the app's identity (names for QSettings, icon, desktop entry), starts the log file, and opens
the main window. ``gui.launch.main`` checks the arguments and the display first.

``quit_after`` (or the environment variable BACKPROP_QUIT_AFTER_MS) closes the window after
that many milliseconds, for smoke tests.
"""
from __future__ import annotations

import logging
import os
import sys

from gui.identity import APP_ID, APPLICATION, ICON, ORGANIZATION

log = logging.getLogger(__name__)


def configure_app(app) -> None:
    """Names (QSettings' file, the window manager's grouping) and the icon of the app."""
    from PySide6.QtGui import QGuiApplication, QIcon

    from model import __version__
    from model.files.bundled import resource

    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setApplicationVersion(__version__)
    # Matches the installed backprop-playground.desktop: Wayland's app id, the dock's grouping.
    QGuiApplication.setDesktopFileName(APP_ID)
    icon = QIcon(str(resource(*ICON)))
    if not icon.isNull():
        app.setWindowIcon(icon)


def _startup_line() -> str:
    import numpy
    import PySide6
    from PySide6.QtCore import qVersion

    from model import __version__
    return (f"{APPLICATION} {__version__} starting (Python {sys.version.split()[0]}, "
            f"PySide6 {PySide6.__version__}, Qt {qVersion()}, numpy {numpy.__version__}, "
            f"{sys.platform})")


def _error_relay(window):
    """``notify(text)`` for the exception hooks: shows the text in the window's status bar,
    from whichever thread the error happened in (the relay lives in the GUI thread, so an
    emit from another thread arrives queued)."""
    from PySide6.QtCore import QObject, Signal, Slot

    class ErrorRelay(QObject):
        message = Signal(str)

        @Slot(str)
        def show(self, text: str) -> None:
            window.statusBar().showMessage(text)

    relay = ErrorRelay(window)
    relay.message.connect(relay.show)
    return relay.message.emit


def _worker_log(window):
    """Logs the trainer worker's refusals and stops. A QObject in the GUI thread: the worker's
    thread runs its own loop, not Qt's, so a slot living there would never be called."""
    from PySide6.QtCore import QObject, Slot

    class WorkerLog(QObject):
        @Slot(str)
        def on_error(self, message: str) -> None:
            log.warning("trainer error: %s", " ".join(str(message).split()))

        @Slot(str)
        def on_diverged(self, message: str) -> None:
            log.warning("trainer stopped: %s", " ".join(str(message).split()))

    recorder = WorkerLog(window)
    window.worker.error.connect(recorder.on_error)
    window.worker.diverged.connect(recorder.on_diverged)
    return recorder


def run_app(qt_args: list[str] | None = None, quit_after: int | None = None) -> int:
    """Open the Backprop Playground window and run the event loop; the exit code."""
    from gui import logs
    logs.setup_logging()
    if quit_after is None:
        quit_after = int(os.environ.get("BACKPROP_QUIT_AFTER_MS", "0") or 0)
    import pyqtgraph as pg
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gui.shell.main_window import MainWindow
    from gui.shell.pacing import single_threaded_drawing

    single_threaded_drawing()  # before anything paints
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_ID,
                                                   *(qt_args or [])])
    configure_app(app)
    log.info(_startup_line())
    # Antialiasing is cheap at this size (a few hundred edges, one small image) and the
    # graph's diagonal edges look ragged without it.
    pg.setConfigOptions(antialias=True)
    from gui.files.remembered import initial_settings
    window = MainWindow(initial_settings())  # the last run's settings (a session may follow)
    logs.install_excepthooks(notify=_error_relay(window))
    _worker_log(window)
    app.aboutToQuit.connect(window.shutdown)
    window.show()
    from gui.shell import collector
    collector.take_over(app)  # built: collect on this thread only, the window frozen out of it
    if quit_after > 0:
        QTimer.singleShot(quit_after, window.close)
    code = app.exec()
    window.shutdown()
    log.info("%s closed (exit code %s)", APPLICATION, code)
    return int(code)
