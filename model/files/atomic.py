"""Atomic file writes: a crash or a full disk never leaves a broken file where a good one was.

The data goes to a temporary file in the target's folder, is fsync'ed, and then replaces the
target in one rename; the folder is fsync'ed too, so the rename itself survives a power cut.
On any error the temporary file is removed, the target is untouched, and the exception
propagates (callers turn an OSError into their own one-line error).

A process killed mid-write cannot remove its temporary file. Temporary files are named
``.<target>.<pid>.<random>.tmp``, so the next save into the same folder recognises those of
processes that no longer run and removes them.
"""
from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

_TEMP = re.compile(r"\..+\.(\d+)\.[0-9a-f]{8}\.tmp")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another thread of ours may be writing it right now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. EPERM: it exists, it is just not ours to signal
        return True
    return True


def sweep_stale_temporaries(folder) -> list[str]:
    """Remove temporary files of this module's pattern left in ``folder`` by processes that no
    longer run; the names removed."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            m = _TEMP.fullmatch(entry.name)
            if m and entry.is_file(follow_symlinks=False) and not _pid_alive(int(m.group(1))):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(entry.name)
    return removed


def _create_temporary(folder: Path, name: str) -> tuple[int, str]:
    """A new file for writing, created with mode 0o666 so that the process's umask applies
    (as for any ordinary file) without changing the umask, which other threads share."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = folder / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), str(tmp)
        except FileExistsError:
            continue


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # not every platform can open a folder; the data itself is already synced
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_file(path, mode: str = "wb", **open_kwargs):
    """``with atomic_file(path, "w", encoding="utf-8") as f: ...`` writes ``path`` atomically."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    sweep_stale_temporaries(folder)
    fd, tmp = _create_temporary(folder, path.name)
    try:
        with os.fdopen(fd, mode, **open_kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def write_bytes_atomically(path, data: bytes) -> None:
    with atomic_file(path, "wb") as f:
        f.write(data)
