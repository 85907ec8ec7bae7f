"""The loss history as CSV: one row per recorded epoch, the columns of ``history.KEYS``.

Written by File → Export → Loss history in the window and by ``train --history FILE.csv``.
A missing value (no test rows, no accuracy for a regression, NaN) is an empty cell; numbers
are written with repr, so they read back exactly.
"""
from __future__ import annotations

import csv
import io
import math

from model.core.history import KEYS

COLUMNS = KEYS


def history_csv(history: dict) -> str:
    """``History.to_lists()`` (``{key: list}``) as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in zip(*(history[k] for k in COLUMNS)):
        writer.writerow([int(row[0]), *(repr(float(v)) if v is not None and math.isfinite(v)
                                        else "" for v in row[1:])])
    return out.getvalue()
