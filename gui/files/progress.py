"""A file read in the background with a progress dialog and Cancel (sessions and weights
opened from the menu, Ctrl+O, a drop, the recent list or the restore offer).

``ProgressRun(window, title, label, fn, size)`` starts ``fn(progress)`` in a
``BackgroundTask`` and polls it from a QTimer: the GUI thread never waits for the file. A read
that ends quickly shows nothing; past ``SHOW_AFTER_MS`` a window-modal progress dialog shows
the share of the file read (then "Checking…" while the content is parsed) with a Cancel
button. The outcome arrives once, as ``finished(result, error)``: (value, None) on success,
(None, message) on failure, and nothing at all after Cancel (``cancelled`` instead).
"""
from __future__ import annotations

import os
import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog

from gui.files.background import BackgroundTask

POLL_MS = 50
SHOW_AFTER_MS = 400  # a quicker read shows no dialog at all (no flash)


def file_size(path) -> int:
    """The file's size in bytes for the progress bar; 0 when unknown (a device says 0)."""
    try:
        return max(os.stat(path).st_size, 0)
    except OSError:
        return 0


class ProgressRun(QObject):
    finished = Signal(object, object)  # result, error message
    cancelled = Signal()

    def __init__(self, window, title: str, label: str, fn, size: int = 0, *,
                 expected: tuple[type[BaseException], ...] = ()):
        super().__init__(window)
        self.window, self.title, self.label, self.size = window, title, label, int(size)
        self.dialog: QProgressDialog | None = None
        # the reader goes second to a busy window, as the trainer does (pacing.py)
        self.task = BackgroundTask(fn, name="file-reader", expected=expected,
                                   stand_aside=window.worker.stand_aside)
        self._started = time.perf_counter()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_poll)
        self._timer.start()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def cancel(self) -> None:
        """Stop reading (the Cancel button, or another file opened meanwhile); nothing changes."""
        if not self.running:
            return
        self.task.cancel()
        self._end()
        self.cancelled.emit()

    def _end(self) -> None:
        self._timer.stop()
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.deleteLater()

    def _on_poll(self) -> None:
        task = self.task
        if task.done:
            self._end()
            self.finished.emit(task.result if task.error is None else None, task.error)
            return
        if self.dialog is None:
            if (time.perf_counter() - self._started) * 1000 < SHOW_AFTER_MS:
                return
            self._show_dialog()
        if self.size > 0 and task.bytes_read < self.size:
            self.dialog.setRange(0, 1000)
            self.dialog.setValue(round(1000 * task.bytes_read / self.size))
            self.dialog.setLabelText(self.label)
        else:  # everything is read (or the size is unknown): the content is being checked
            self.dialog.setRange(0, 0)  # a busy indicator
            if task.bytes_read and task.bytes_read >= self.size:
                self.dialog.setLabelText(f"{self.label}\nChecking the content…")

    def _show_dialog(self) -> None:
        dialog = QProgressDialog(self.label, "Cancel", 0, 1000, self.window)
        dialog.setWindowTitle(self.title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.setMinimumWidth(360)  # room for a long file name
        dialog.setValue(0)
        dialog.setToolTip("Reading the file in the background; Cancel stops it and changes "
                          "nothing")
        dialog.canceled.connect(self.cancel)
        dialog.show()
        self.dialog = dialog
