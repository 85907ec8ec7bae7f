"""The per-epoch record: bounded memory with the whole run still spanned, missing values kept
as such, truncation for the training-history slider."""
import math

import numpy as np
import pytest

from model.core.history import KEYS, History


def metrics(e):
    return {"train_loss": 1.0 / e, "test_loss": math.nan, "train_accuracy": 0.5,
            "test_accuracy": math.nan}


def test_a_long_run_stays_within_capacity_and_spans_every_epoch():
    h = History(capacity=100, keep_first=10, keep_last=20)
    for e in range(1, 100_001):
        h.append(e, metrics(e))
        assert len(h) <= 100
    epochs = h.epoch
    assert epochs[0] == 1 and epochs[-1] == 100_000  # still the whole run
    np.testing.assert_array_equal(epochs[:10], np.arange(1, 11))  # the start, dense
    np.testing.assert_array_equal(epochs[-20:], np.arange(99_981, 100_001))  # the end, dense
    assert np.all(np.diff(epochs) > 0)
    np.testing.assert_allclose(h.train_loss, 1.0 / epochs)  # rows stay aligned
    assert h._epoch.nbytes + h._values.nbytes == 100 * 8 * 5  # preallocated, never grows


def test_missing_values_round_trip_as_none():
    h = History()
    for e in (1, 2, 3):
        h.append(e, metrics(e))
    lists = h.to_lists()
    assert list(lists) == list(KEYS)
    assert lists["test_loss"] == [None, None, None] and lists["epoch"] == [1, 2, 3]
    again = History.from_lists(lists)
    assert again.to_lists() == lists
    assert math.isnan(again.test_accuracy[0])


def test_truncate_after_an_epoch_and_last_row():
    h = History()
    assert h.last is None
    for e in range(1, 11):
        h.append(e, metrics(e))
    h.truncate_after(4)
    assert h.epoch.tolist() == [1, 2, 3, 4]
    assert h.last["epoch"] == 4 and h.last["train_loss"] == 0.25
    h.append(5, metrics(5))
    assert len(h) == 5


def test_bad_lists_are_refused():
    with pytest.raises(ValueError, match="different lengths"):
        History.from_lists({"epoch": [1, 2], "train_loss": [1.0], "test_loss": [None, None],
                            "train_accuracy": [None, None], "test_accuracy": [None, None]})
    with pytest.raises(ValueError, match="increase"):
        History.from_lists({k: [2, 1] if k == "epoch" else [None, None] for k in KEYS})


def test_views_are_read_only():
    h = History()
    h.append(1, metrics(1))
    with pytest.raises(ValueError):
        h.train_loss[0] = 3.0
