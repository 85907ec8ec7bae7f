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
