"""Reading a user's file safely: the one place that opens files for the app's readers.

Every reader (weights, sessions, CSV) goes through ``open_regular`` or ``read_limited``, so that
each of them
- refuses what is not a regular file (a FIFO would block forever, /dev/zero never ends, a
  directory cannot be read) before reading a byte;
- reads at most its limit, whatever the file's size claims to be (``stat`` says 0 for
  /dev/zero and for many files in /proc);
- raises only the caller's own error class, with a one-line message that starts with the file
  name.
The limits themselves live here too (``LIMITS``), one per kind of file.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import os
import stat
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from model.pause_points import hooked, pause_point

MB = 2 ** 20

#: the most bytes each kind of file may have
LIMITS: dict[str, int] = {
    "weights": 200 * MB,
    "session": 200 * MB,
    "csv": 100 * MB,
}


def source_name(path) -> str:
    """The file's name as messages show it: printable, without its folder."""
    name = Path(path).name or str(path)
    return name if name.isprintable() else repr(name)[1:-1]


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "is a pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def _oserror_text(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not a file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    text = exc.strerror or type(exc).__name__
    return f"cannot read the file ({' '.join(str(text).split())[:120]})"


class _Fail:
    def __init__(self, error: type[Exception], source: str):
        self.error, self.source = error, source

    def __call__(self, message: str):
        raise self.error(f"{self.source}: {message}")


@contextlib.contextmanager
def open_regular(path, error: type[Exception], limit: int,
                 source: str | None = None) -> Iterator["BoundedReader"]:
    """``with open_regular(path, MyError, LIMITS["csv"]) as f:`` a binary reader of a regular
    file that raises ``error`` once more than ``limit`` bytes have been read.

    The file is opened without blocking (a FIFO with no writer would otherwise hang the open
    itself) and refused unless ``fstat`` says it is a regular file.
    """
    fail = _Fail(error, source or source_name(path))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        fail(_oserror_text(exc))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            fail(_kind_of(mode))
        f = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with f:
        yield BoundedReader(f, limit, fail)


class BoundedReader:
    """A binary file whose reads stop with the caller's error past ``limit`` bytes."""

    def __init__(self, f: BinaryIO, limit: int, fail):
        self._f, self.limit, self._fail = f, int(limit), fail
        self.count = 0

    def _counted(self, data: bytes) -> bytes:
        self.count += len(data)
        if self.count > self.limit:
            self._fail(f"file too large (more than {_size(self.limit)})")
        return data

    def _guard(self, read, *args) -> bytes:
        try:
            return self._counted(read(*args))
        except OSError as exc:
            self._fail(_oserror_text(exc))

    def read(self, n: int = -1) -> bytes:
        """At most ``n`` bytes (all that is left, up to the limit, for n < 0)."""
        if n is None or n < 0:
            n = self.limit + 1 - self.count  # one byte past the limit tells "too large"
        return self._guard(self._f.read, max(n, 0))

    def readline(self, n: int = -1) -> bytes:
        n = self.limit + 1 - self.count if n is None or n < 0 else n
        return self._guard(self._f.readline, max(n, 0))

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line


#: bytes per read when a caller follows the progress (a window's progress bar and Cancel)
CHUNK = 1 * MB


def read_limited(path, error: type[Exception], limit: int, source: str | None = None,
                 progress=None) -> bytes:
    """The whole content of a regular file of at most ``limit`` bytes (see ``open_regular``).

    ``progress(bytes_read)``, if given, is called after every ``CHUNK``; it may raise (any
    exception, e.g. the caller's "cancelled") to stop reading."""
    with open_regular(path, error, limit, source) as f:
        if progress is None:
            return f.read()
        parts = []
        while True:
            part = f.read(CHUNK)
            if not part:
                return b"".join(parts)
            parts.append(part)
            progress(f.count)


def _size(n: int) -> str:
    return f"{n / MB:g} MB" if n >= MB else f"{n} bytes"


def _float(text: str) -> float:
    return float(text)


def _int(text: str) -> int:
    return int(text)


#: numbers parsed between two pause points (a power of two: a mask; about a millisecond)
PAUSE_EVERY = 4096


def json_loads(text: str, **options):
    """``json.loads`` that lets other threads run while it parses a big document.

    json's C parser holds the interpreter lock for a whole document: about 2 s for a 50 MB
    session, during which a window reading it in a background thread could not draw. A
    Python-level hook per number gives the interpreter a point to switch threads every few
    milliseconds, for about the same total time (bench/open_bench.py measures both).

    When the thread set a pause hook (the window's file reader: ``model/pause_points.py``),
    every ``PAUSE_EVERY`` numbers are also a pause point. On a busy machine a thread holding
    the lock can be descheduled, and the window then waited for it, not for its own work."""
    if not hooked():
        return json.loads(text, parse_float=_float, parse_int=_int, **options)
    count = itertools.count(1)

    def pausing(convert: Callable[[str], object]) -> Callable[[str], object]:
        def parse(number: str):
            if not next(count) & (PAUSE_EVERY - 1):
                pause_point()
            return convert(number)
        return parse
    return json.loads(text, parse_float=pausing(float), parse_int=pausing(int), **options)
