"""Starting the window: ``run_app(argv)`` creates the QApplication and the main window.

    python main.py [--quit-after MS] [Qt options]

``--quit-after MS`` (or the environment variable BACKPROP_QUIT_AFTER_MS) closes the window
after MS milliseconds, for smoke tests.
"""
from __future__ import annotations

import argparse
import os
import sys


def _parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="main.py", add_help=False)
    parser.add_argument("--quit-after", type=int, metavar="MS",
                        default=int(os.environ.get("BACKPROP_QUIT_AFTER_MS", "0") or 0))
    return parser.parse_known_args(argv)


def run_app(argv: list[str] | None = None) -> int:
    """Open the Backprop Playground window and run the event loop; the exit code."""
    args, qt_args = _parse(list(sys.argv[1:] if argv is None else argv))
    import pyqtgraph as pg
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gui.shell.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "main.py",
                                                   *qt_args])
    app.setApplicationName("Backprop Playground")
    # Antialiasing is cheap at this size (a few hundred edges, one small image) and the
    # graph's diagonal edges look ragged without it.
    pg.setConfigOptions(antialias=True)
    window = MainWindow()
    app.aboutToQuit.connect(window.shutdown)
    window.show()
    if args.quit_after > 0:
        QTimer.singleShot(args.quit_after, window.close)
    code = app.exec()
    window.shutdown()
    return int(code)
