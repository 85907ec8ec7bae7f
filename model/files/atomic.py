"""Atomic file writes: a crash or a full disk never leaves a broken file where a good one was.

The data goes to a temporary file in the target's folder, is fsync'ed, and then replaces the
target in one rename. On any error the temporary file is removed, the target is untouched,
and the exception propagates (callers turn an OSError into their own one-line error).
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _mode_bits() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_file(path, mode: str = "wb", **open_kwargs):
    """``with atomic_file(path, "w", encoding="utf-8") as f: ...`` writes ``path`` atomically."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, mode, **open_kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_bits())  # mkstemp makes it private; the result is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_bytes_atomically(path, data: bytes) -> None:
    with atomic_file(path, "wb") as f:
        f.write(data)
