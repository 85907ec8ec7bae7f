"""The finer output grid a paused window draws its boundary from."""
import numpy as np

from model.data.datasets import Data
from model.playground import Playground, Settings
from model.snapshot import FINE_BLOCK_ROWS, fine_output_grid, take_snapshot


def test_the_fine_grid_is_the_networks_output_on_the_plane():
    pg = Playground(Settings(dataset="blobs", n_classes=3, hidden=(5,)))
    r = 101
    grid = fine_output_grid(pg, r)
    x = np.linspace(-6.0, 6.0, r)
    g1, g2 = np.meshgrid(x, x)  # rows: x2, columns: x1
    expected = pg.net.predict(np.column_stack([g1.ravel(), g2.ravel()]))
    assert grid.shape == (3, r, r)
    np.testing.assert_allclose(grid.reshape(3, -1).T, expected, rtol=0, atol=1e-15)
    snap = take_snapshot(pg, 0, 20, fine_resolution=r)
    assert snap.output_grid_fine.shape == (3, r, r) and not snap.output_grid_fine.flags.writeable
    assert take_snapshot(pg, 0, 20).output_grid_fine is None  # only when asked


def test_a_waiting_command_interrupts_it():
    pg = Playground(Settings())
    calls = []

    def interrupted():
        calls.append(1)
        return len(calls) > 2  # two blocks computed, then a command arrives
    assert fine_output_grid(pg, 121, interrupted) is None
    assert len(calls) == 3 and 121 * 121 > 2 * FINE_BLOCK_ROWS
    assert take_snapshot(pg, 0, 20, fine_resolution=121,
                         interrupted=lambda: True).output_grid_fine is None


def test_no_plane_no_fine_grid():
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    data = Data(X[:20], y[:20], X[20:], y[20:], "classification", ("a", "b", "c"), ("0", "1"))
    pg = Playground(Settings(), data=data)
    assert fine_output_grid(pg, 50) is None
