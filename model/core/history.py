"""The per-epoch record of a training run, in bounded memory.

One row per recorded epoch: the epoch number, train and test loss, train and test accuracy
(NaN where there is none: no test rows, or a regression). The newest ``keep_last`` rows and the
first ``keep_first`` rows are always kept at full resolution; when the record is full, every
other row in between is dropped, so older epochs are kept at a spacing that doubles each time.
A day of training therefore takes the same memory as an hour, and the record still spans the
whole run (the loss plot shows all of it).

Rows live in preallocated numpy arrays: appending allocates nothing, and no Python float objects
pile up (lists of floats were what made memory grow with every epoch).
"""
from __future__ import annotations

import math
from typing import Iterable, Mapping

import numpy as np

#: the columns of the record, in order: the one list every reader and writer uses
KEYS = ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy")
METRICS = KEYS[1:]

CAPACITY = 4000
KEEP_FIRST = 100
KEEP_LAST = 1000


def thinned(n: int, keep_first: int, keep_last: int) -> np.ndarray:
    """Indices of n rows to keep when a record is full: the first ``keep_first``, every other
    row in between, the last ``keep_last``."""
    lo, hi = keep_first, n - keep_last
    return np.r_[np.arange(lo), np.arange(lo, hi, 2), np.arange(hi, n)]


class History:
    """Per-epoch figures of one run; losses exclude the regularization term.

    ``history.train_loss`` etc. are read-only views of the kept rows (oldest first);
    ``len(history)`` is the number of kept rows, ``history.last`` the newest row as a dict.
    """

    def __init__(self, capacity: int = CAPACITY, keep_first: int = KEEP_FIRST,
                 keep_last: int = KEEP_LAST):
        if capacity < keep_first + keep_last + 2:
            raise ValueError("capacity must exceed keep_first + keep_last by at least 2")
        self.capacity, self.keep_first, self.keep_last = capacity, keep_first, keep_last
        self._epoch = np.zeros(capacity, dtype=np.int64)
        self._values = np.full((len(METRICS), capacity), np.nan)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    # ------------------------------------------------------------------ reading
    def _view(self, row: np.ndarray) -> np.ndarray:
        v = row[:self._n]
        v.flags.writeable = False
        return v

    @property
    def epoch(self) -> np.ndarray:
        return self._view(self._epoch)

    @property
    def train_loss(self) -> np.ndarray:
        return self._view(self._values[0])

    @property
    def test_loss(self) -> np.ndarray:
        return self._view(self._values[1])

    @property
    def train_accuracy(self) -> np.ndarray:
        return self._view(self._values[2])

    @property
    def test_accuracy(self) -> np.ndarray:
        return self._view(self._values[3])

    def column(self, key: str) -> np.ndarray:
        return getattr(self, key)

    @property
    def last(self) -> dict | None:
        """The newest row as {key: value}, or None when nothing is recorded yet."""
        if not self._n:
            return None
        i = self._n - 1
        row = {"epoch": int(self._epoch[i])}
        row.update({k: float(self._values[m, i]) for m, k in enumerate(METRICS)})
        return row

    def to_lists(self) -> dict[str, list]:
        """{key: list} for JSON: epochs as ints, missing values (NaN) as None."""
        out = {"epoch": [int(e) for e in self.epoch]}
        for m, k in enumerate(METRICS):
            out[k] = [None if math.isnan(v) else v for v in self._values[m, :self._n].tolist()]
        return out

    # ------------------------------------------------------------------ writing
    def append(self, epoch: int, metrics: Mapping[str, float]) -> None:
        if self._n == self.capacity:
            self._thin()
        i = self._n
        self._epoch[i] = epoch
        for m, k in enumerate(METRICS):
            self._values[m, i] = metrics[k]
        self._n += 1

    def _thin(self) -> None:
        """Drop every other row between the first ``keep_first`` and the last ``keep_last``."""
        keep = thinned(self._n, self.keep_first, self.keep_last)
        m = len(keep)
        self._epoch[:m] = self._epoch[keep]
        self._values[:, :m] = self._values[:, keep]
        self._values[:, m:] = np.nan
        self._n = m

    def truncate_after(self, epoch: int) -> None:
        """Forget the rows of epochs after ``epoch`` (training goes back to that moment)."""
        self._n = int(np.searchsorted(self._epoch[:self._n], epoch, side="right"))

    def copy(self) -> "History":
        h = History(self.capacity, self.keep_first, self.keep_last)
        h._epoch[:] = self._epoch
        h._values[:] = self._values
        h._n = self._n
        return h

    def clear(self) -> None:
        self._n = 0

    @classmethod
    def from_lists(cls, lists: Mapping[str, Iterable], **kwargs) -> "History":
        """The inverse of ``to_lists`` (None or NaN is a missing value). ValueError if the
        columns differ in length or the epochs do not increase."""
        columns = {k: list(lists[k]) for k in KEYS}
        n = len(columns["epoch"])
        if any(len(v) != n for v in columns.values()):
            raise ValueError("the history's columns have different lengths")
        epochs = [int(e) for e in columns["epoch"]]
        if any(b <= a for a, b in zip(epochs, epochs[1:])):
            raise ValueError("the history's epochs must increase")
        h = cls(**kwargs)
        for i in range(n):
            h.append(epochs[i], {k: math.nan if columns[k][i] is None else float(columns[k][i])
                                 for k in METRICS})
        return h
