"""Which of the app's files a path holds: a session, a weights file or CSV data. The window's
one Open (Ctrl+O) and a file dropped on it use this to open any of them as if it had been
chosen from its own menu item.

The suffix decides for .csv (data) and .npz (weights, the only NumPy archive the app writes).
A .json file is a session or a weights file: both carry a ``format`` field
("backprop-playground/session", "backprop-playground/weights"), written first, so the start of
the file tells which. A session holds a network in the weights format, so a session's format
anywhere in the start wins. Anything else is refused with a one-line ``FileKindError``.
"""
from __future__ import annotations

import re
from pathlib import Path

from model.files.reading import open_regular, source_name

SESSION, WEIGHTS, CSV = "session", "weights", "csv"
KINDS = (SESSION, WEIGHTS, CSV)
#: what Open offers, for its file dialog and messages
SUFFIXES = {".json": (SESSION, WEIGHTS), ".npz": (WEIGHTS,), ".csv": (CSV,)}
#: how much of a .json file is read to find its format (the field comes first when the app
#: wrote it; a hand-edited file may have moved it a little)
HEAD_BYTES = 64 * 1024
_FORMAT = re.compile(rb'"format"\s*:\s*"backprop-playground/(session|weights)"')


class FileKindError(ValueError):
    """A file that is none of the app's kinds; the message is one line naming the file."""


def kind_by_suffix(path) -> tuple[str, ...]:
    """The kinds a file of this name may hold (empty: none of the app's)."""
    return SUFFIXES.get(Path(path).suffix.lower(), ())


def kind_of_json(head: bytes) -> str | None:
    """SESSION or WEIGHTS from the first bytes of a .json file, None if neither shows."""
    found = {m.group(1).decode() for m in _FORMAT.finditer(head)}
    return SESSION if SESSION in found else WEIGHTS if WEIGHTS in found else None


def file_kind(path) -> str:
    """SESSION, WEIGHTS or CSV for the file at ``path``; FileKindError (one line) otherwise.

    Reads at most HEAD_BYTES, and only of a .json file; a FIFO or a device is refused before
    a byte is read (see ``reading.open_regular``)."""
    name = source_name(path)
    kinds = kind_by_suffix(path)
    if not kinds:
        suffix = Path(path).suffix or "no suffix"
        raise FileKindError(f"{name}: not a file this app opens ({suffix}); it opens sessions "
                            f"(.json), weights (.json, .npz) and data (.csv)")
    if len(kinds) == 1:
        return kinds[0]
    with open_regular(path, FileKindError, HEAD_BYTES + 1, name) as f:
        head = f.read(HEAD_BYTES)
    kind = kind_of_json(head)
    if kind is None:
        raise FileKindError(f"{name}: neither a session nor a weights file (no \"format\": "
                            "\"backprop-playground/session\" or \"…/weights\" at its start)")
    return kind


def load_any(path, kind: str | None = None, progress=None):
    """(kind, content) of the file at ``path``: (SESSION, LoadedSession), (WEIGHTS, Network)
    or (CSV, None) (a CSV is read by the data preview, which lets the user choose the
    columns). ``kind`` None: found by ``file_kind``. Raises FileKindError, SessionError or
    WeightsError, each one line; ``progress(bytes_read)`` follows the reading."""
    kind = kind or file_kind(path)
    if kind == SESSION:
        from model.files.session import load_session
        return kind, load_session(path, progress)
    if kind == WEIGHTS:
        from model.files.weights_read import load_network
        return kind, load_network(path, progress)
    if kind == CSV:
        return kind, None
    raise FileKindError(f"{source_name(path)}: unknown kind of file {kind!r}")
