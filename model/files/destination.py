"""Is a file we are about to write going to work? Checked before long work starts (training),
so that a typo in ``--export`` or ``--history`` fails in a second, not after the last epoch.

``check_destination(path, suffixes, option)`` raises DestinationError (one line) when the
suffix is not one of ``suffixes``, the path is a folder, its folder is missing or not a
folder, or the folder cannot be written. The write itself stays atomic (``files.atomic``).
"""
from __future__ import annotations

import os
from pathlib import Path

from model.files.reading import source_name


class DestinationError(ValueError):
    """A file that cannot be written where and as asked; the message is one line."""


def check_destination(path, suffixes: tuple[str, ...], option: str) -> str:
    """The lower-case suffix of ``path`` once it is known writable (see the module doc)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in suffixes:
        shown = repr(p.suffix) if p.suffix else "none"
        raise DestinationError(f"{option}: unknown file type ({shown}); use one of "
                               f"{', '.join(suffixes)}")
    name = source_name(p)
    if p.is_dir():
        raise DestinationError(f"{option}: {name} is a folder; name a file inside it")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.exists():
        raise DestinationError(f"{option}: cannot write {name}: the folder {folder} does not "
                               "exist")
    if not folder.is_dir():
        raise DestinationError(f"{option}: cannot write {name}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DestinationError(f"{option}: cannot write {name}: no permission to write in "
                               f"{folder}")
    return suffix
