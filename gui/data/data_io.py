"""Your own data from a CSV file, and the current data saved as one.

File → Open data… (Ctrl+Shift+O) asks for a file, then shows the preview dialog
(``csv_preview``): the first rows as they are in the file, the target and input columns to
pick, the task, the share of training rows, and what was found or the first error with its
line and column (and then OK is disabled). File → Open data example lists the bundled real data
sets (iris, wine, breast cancer) and opens them in the same dialog. OK hands the data to the
worker, which rebuilds the network for it. File → Export data… writes the current data
(generated, drawn or loaded) with its train/test split as a CSV that loads back exactly.

Entry point: ``install(window) -> DataIO``.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from model.data.bundled import BUNDLED, bundled_path
from model.data.csvdata import CSVError, save_csv
from model.numbers import count_of

from gui.data.csv_preview import (ERROR_BACKGROUND, PREVIEW_ROWS, PreviewDialog, describe,
                                  error_line, preview_rows)
from gui.files.remembered import open_file_name, save_file_name
from gui.shell.docks import install_once, menu_named
from gui.shell.replies import ask_worker

__all__ = ["DataIO", "install", "insert_before_quit", "PreviewDialog", "describe",
           "error_line", "preview_rows", "ERROR_BACKGROUND", "PREVIEW_ROWS", "OPEN_SHORTCUT"]

CSV_FILTERS = "CSV files (*.csv);;All files (*)"
OPEN_SHORTCUT = "Ctrl+Shift+O"


def insert_before_quit(menu, window, actions) -> None:
    """Add ``actions`` (QAction or QMenu) as a group just above the Quit group."""
    quit_action = getattr(getattr(window, "actions_", None), "quit", None)
    items = menu.actions()
    before = None
    if quit_action in items:
        i = items.index(quit_action)
        before = items[i - 1] if i > 0 and items[i - 1].isSeparator() else quit_action
    menu.insertSeparator(before) if before else menu.addSeparator()
    for a in actions:
        if isinstance(a, QAction):
            menu.insertAction(before, a) if before else menu.addAction(a)
        else:
            menu.insertMenu(before, a) if before else menu.addMenu(a)


class DataIO(QObject):
    """File → Open data… / Export data…"""

    exported = Signal(str, bool)  # path ("" when cancelled), written

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog: PreviewDialog | None = None
        self.open_action = QAction("Open &data…", window)
        self.open_action.setShortcut(QKeySequence(OPEN_SHORTCUT))
        self.open_action.setToolTip("Train on your own points from a CSV file "
                                    f"({OPEN_SHORTCUT})")
        self.open_action.setStatusTip(self.open_action.toolTip())
        self.open_action.triggered.connect(self.open_data)
        self.export_action = QAction("Export d&ata…", window)
        self.export_action.setToolTip("Save the current points with their train/test split "
                                      "as CSV")
        self.export_action.setStatusTip(self.export_action.toolTip())
        self.export_action.triggered.connect(self.export_data)
        self.examples_menu = QMenu("Open data e&xample", window)
        self.examples_menu.setToolTipsVisible(True)
        self.example_actions = {}
        for spec in BUNDLED.values():
            action = self.examples_menu.addAction(spec.title)
            action.setToolTip(f"{spec.summary}; sources and licences in "
                              "resources/datasets/SOURCES.md")
            action.triggered.connect(lambda checked=False, n=spec.name: self.open_example(n))
            self.example_actions[spec.name] = action
        for a in (self.open_action, self.export_action):
            window.addAction(a)  # the shortcut works wherever the focus is
        insert_before_quit(menu_named(window, "&File"), window,
                           [self.open_action, self.examples_menu, self.export_action])

    # ----------------------------------------------------------------- open
    def _seed_and_scaling(self) -> tuple[int, str]:
        snap = self.window.latest_snapshot
        settings = snap.extras.get("settings") if snap is not None else None
        if settings is None:
            return 0, "standard"
        scale = settings.scale if settings.scale != "auto" else "standard"
        return settings.data_seed, scale

    def open_data(self) -> None:
        path = open_file_name(self.window, "data", "Open data", CSV_FILTERS)
        if path:
            self.preview(path)

    def open_example(self, name: str) -> PreviewDialog:
        return self.preview(bundled_path(name))

    def preview(self, path) -> PreviewDialog:
        """Show the preview dialog for ``path`` (window-modal, not blocking)."""
        if self.dialog is not None:
            self.dialog.close()
        seed, scaling = self._seed_and_scaling()
        self.dialog = PreviewDialog(path, None, seed, self.window, scaling=scaling,
                                    stand_aside=self.window.worker.stand_aside)
        self.dialog.accepted.connect(self._on_accepted)
        self.dialog.open()
        return self.dialog

    def _on_accepted(self) -> None:
        dialog = self.dialog
        if dialog is None or dialog.data is None:
            return
        data = dialog.data
        _, ratio = dialog.options()
        if ratio is not None:
            # the Training data slider follows the dialog's share (set first: afterwards it
            # would re-split the file's rows)
            self.window.worker.update({"train_ratio": ratio})
        self.window.worker.set_data(data)
        n = len(data.X_train) + len(data.X_test)
        self.window.statusBar().showMessage(f"Training on {count_of(n, 'row')} from "
                                            f"{dialog.path.name}")
        dialog.deleteLater()
        self.dialog = None

    # ----------------------------------------------------------------- export
    def export_data(self) -> None:
        """Ask the worker for the data (a reply, never a wait), then for a file name, then
        write it in the worker thread."""
        ask_worker(self.window, lambda pg: pg.data, self._ask_path, self._export_failed,
                   busy="Export data: getting the points…")

    def _ask_path(self, data) -> None:
        path, _ = save_file_name(self.window, "data", "Export data",
                                 f"{data.name or 'data'}.csv", CSV_FILTERS)
        if not path:
            self.exported.emit("", False)
            return
        if Path(path).suffix.lower() != ".csv":
            path += ".csv"
        n = len(data.X_train) + len(data.X_test)

        def saved(_):
            self.window.statusBar().showMessage(f"{count_of(n, 'row')} saved to {path}")
            self.exported.emit(path, True)
        # atomic: a failed write leaves an older file intact
        ask_worker(self.window, lambda pg: save_csv(data, path), saved, self._export_failed,
                   busy=f"Saving {Path(path).name}…")

    def _export_failed(self, exc: BaseException) -> None:
        text = str(exc) if isinstance(exc, (CSVError, ValueError, OSError)) else (
            f"{type(exc).__name__}: {exc}")
        self.window.warn("Export data", f"The data was not saved:\n{text}")
        self.exported.emit("", False)


def install(window) -> DataIO:
    """Add File → Open data… / Export data… to the window; returns the controller."""
    return install_once(window, "data_io", lambda: DataIO(window))
