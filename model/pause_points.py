"""Pause points: where a long computation may let another thread of the process go first.

Code in ``model/`` that loops for long (the loss landscape's chunks of grid points, the
gradient check's parameters) calls ``pause_point()`` between two pieces of work. Nothing
happens unless the thread running it set a hook with ``pausing_with(hook)``: the window's
worker sets one that waits, without the GIL, while the GUI thread is busy
(gui/shell/worker.py). In a notebook or the command line no hook is set and a pause point
costs a thread-local lookup.

Why: a long job in the worker thread holds the GIL between its numpy calls, so every Python
call of the GUI thread waits for its turn, and on a busy machine the worker shares a core with
other processes while it holds the lock. A loss landscape (up to seconds) or a gradient check
of a large network then stretched each click in the window to hundreds of milliseconds.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator

_local = threading.local()


def pause_point() -> None:
    """Between two pieces of a long computation: run this thread's hook, if it set one."""
    hook = getattr(_local, "hook", None)
    if hook is not None:
        hook()


def hooked() -> bool:
    """Whether this thread set a hook (code may then choose a way of working that pauses)."""
    return getattr(_local, "hook", None) is not None


@contextmanager
def pausing_with(hook: Callable[[], None]) -> Iterator[None]:
    """``with pausing_with(hook):`` every ``pause_point()`` this thread reaches calls hook()."""
    old = getattr(_local, "hook", None)
    _local.hook = hook
    try:
        yield
    finally:
        _local.hook = old
