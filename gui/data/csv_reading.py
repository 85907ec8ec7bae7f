"""Reading a CSV for the preview: its first rows as written, and the whole file in a Python
thread (``BackgroundRead``, a ``gui.files.background.BackgroundTask``) so that the window never
freezes on a big one. Nothing here touches Qt: the dialog polls ``BackgroundRead`` from a
QTimer in the GUI thread."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from model.data.csvdata import CSVError, read_table
from model.files.reading import open_regular

from gui.files.background import BackgroundTask, Cancelled  # noqa: F401 - Cancelled re-exported

PREVIEW_ROWS = 20
PREVIEW_BYTES = 256 * 1024  # the preview reads only the start of a big file


def preview_rows(path, n: int = PREVIEW_ROWS):
    """(header, up to n (line number, fields) rows) as written at the start of the file;
    empty if it cannot be read. Line numbers are the file's (1 = the header). A FIFO or a
    device is refused before reading (it could block the window)."""
    try:
        with open_regular(path, CSVError, PREVIEW_BYTES) as f:
            raw = f.read(PREVIEW_BYTES)
    except CSVError:
        return [], []
    text = raw.decode("utf-8-sig", errors="replace").replace("\x00", "\ufffd")
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        line = 1
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
            if len(rows) > n:
                break
    except csv.Error:
        pass  # the error itself is shown by the real parse
    if not rows:
        return [], []
    return rows[0][1], rows[1:]


def error_line(message: str) -> int | None:
    """The line number in a CSVError message ("data.csv line 7: ..."), if any."""
    match = re.search(r" line (\d+): ", message)
    return int(match.group(1)) if match else None


class BackgroundRead(BackgroundTask):
    """``read_table`` in a Python thread; the GUI polls ``done``, ``bytes_read``, ``result``
    (see ``gui/files/background.py``)."""

    def __init__(self, path: Path, stand_aside=None):
        self.path = path
        super().__init__(lambda progress: read_table(path, progress=progress),
                         name="csv-reader", expected=(CSVError,),
                         describe=lambda exc: f"{path.name}: cannot be read "
                                              f"({type(exc).__name__}: {exc})",
                         stand_aside=stand_aside)
