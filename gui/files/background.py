"""Reading a file in a Python thread so that the window never waits for it: a big session,
a slow disk, a CSV of a million rows. Nothing here touches Qt: the GUI polls a
``BackgroundTask`` from a QTimer (``done``, ``bytes_read``, ``result``, ``error``) and never
blocks on it. ``gui/files/progress.py`` shows such a task with a progress bar and Cancel;
the CSV preview (``gui/data/csv_reading.py``) shows one in its own dialog.

Cancel is cooperative: the reader calls ``progress(bytes_read)`` after every chunk, which
raises ``Cancelled`` once ``cancel()`` was called. A step that cannot be interrupted (parsing
JSON that is already read) finishes in the thread, and its result is thrown away.
"""
from __future__ import annotations

import threading
from typing import Callable

from model.pause_points import pause_point, pausing_with


class Cancelled(Exception):
    """Raised inside the reader by ``progress`` after ``cancel()``: it unwinds the read."""


def describe_error(exc: BaseException) -> str:
    """One line for an error the reader did not expect (its own errors are already one line)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class BackgroundTask:
    """``fn(progress)`` in a daemon thread; its return value lands in ``result``.

    ``expected``: the reader's own error classes, whose message is shown as it is; any other
    exception becomes ``describe(exc)`` (never a traceback in front of the user).
    ``stand_aside``: called at the reader's pause points (each chunk read, every few thousand
    numbers of a JSON document; ``model/pause_points.py``): the window's worker waits there,
    without the lock, while the GUI thread is busy."""

    def __init__(self, fn: Callable, *, name: str = "reader",
                 expected: tuple[type[BaseException], ...] = (),
                 describe: Callable[[BaseException], str] = describe_error,
                 stand_aside: Callable[[], None] | None = None):
        self.bytes_read, self.cancelled, self.done = 0, False, False
        self.result = self.error = self.exception = None
        self._fn, self._expected, self._describe = fn, expected, describe
        self._stand_aside = stand_aside
        self._thread = threading.Thread(target=self._run, daemon=True, name=name)
        self._thread.start()

    def _progress(self, n: int) -> None:
        self.bytes_read = n
        if self.cancelled:
            raise Cancelled
        pause_point()

    def _run(self) -> None:
        try:
            with pausing_with(self._stand_aside):
                self.result = self._fn(self._progress)
        except Cancelled:
            pass
        except self._expected as exc:
            self.exception, self.error = exc, " ".join(str(exc).split())
        except Exception as exc:  # noqa: BLE001 - never a traceback: one line for the user
            self.exception, self.error = exc, self._describe(exc)
        self.done = True

    def cancel(self) -> None:
        """Stop at the next chunk; the result, if any still comes, is to be ignored."""
        self.cancelled = True

    def join(self, timeout: float | None = None) -> bool:
        """For tests and scripts: wait for the thread; True once it has finished."""
        self._thread.join(timeout)
        return not self._thread.is_alive()
