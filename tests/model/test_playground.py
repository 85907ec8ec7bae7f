"""Playground settings: which changes rebuild, and what a failed change leaves behind."""
import pytest

from model.data.datasets import make_data
from model.playground import Playground, Settings


def test_a_failed_rebuild_keeps_your_own_points():
    """Leaving custom data for a generator that cannot be built changes nothing."""
    data = make_data("blobs", 60, 0.1, 0.5, seed=1, n_classes=4)
    pg = Playground(Settings(hidden=(3,)), data=data)
    with pytest.raises(ValueError):
        pg.update(dataset="circle", n_points=0)
    assert pg.custom_data is data and pg.data is data
    pg.update(hidden=(4,))  # an architecture change keeps the points and their split
    assert pg.data is data
    pg.update(train_ratio=0.8)  # a new ratio re-splits the same points
    assert len(pg.data.X_train) == 48 and pg.custom_data is data


def test_a_snapshot_is_immutable_all_the_way_down():
    """What crosses to the GUI thread can be changed by no one: every array is read-only and
    the dicts are read-only views."""
    import dataclasses

    import numpy as np

    from model.snapshot import take_snapshot

    pg = Playground(Settings(dataset="xor", hidden=(3,)))
    pg.trainer.train(2)
    snap = take_snapshot(pg, run_id=1, grid_resolution=8, extras={"seq": 1})
    arrays = []
    for f in dataclasses.fields(snap):
        value = getattr(snap, f.name)
        items = value if isinstance(value, tuple) else (value,)
        arrays += [a for a in items if isinstance(a, np.ndarray)]
    assert len(arrays) > 20 and not any(a.flags.writeable for a in arrays)
    assert any(a is snap.y_train for a in arrays) and snap.y_train.dtype == np.int64
    with pytest.raises(TypeError):
        snap.metrics["train_loss"] = 0.0
    with pytest.raises(TypeError):
        snap.extras["seq"] = 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.epoch = 3
