"""Contour segments (marching squares, vectorised) against surfaces whose level sets are known."""
import numpy as np
import pytest

from gui.plots.contours import contour_levels, contour_segments


def grid(f, n=21, lo=-2.0, hi=2.0):
    us = np.linspace(lo, hi, n)
    vs = np.linspace(lo - 1, hi + 1, n + 4)  # not square: rows and columns must not be mixed up
    U, V = np.meshgrid(us, vs)
    return f(U, V), us, vs


def test_a_plane_s_contours_are_exact_straight_lines():
    Z, us, vs = grid(lambda u, v: 2 * u + v)
    x, y = contour_segments(Z, us, vs, [0.3, 1.7])
    assert len(x) == len(y) and len(x) % 2 == 0 and len(x) > 0
    np.testing.assert_allclose((2 * x + y)[np.isclose(2 * x + y, 0.3, atol=0.5)], 0.3, atol=1e-12)
    levels = 2 * x + y
    assert np.all(np.isclose(levels, 0.3, atol=1e-12) | np.isclose(levels, 1.7, atol=1e-12))
    # every segment joins two points of the same level, inside the grid
    assert np.allclose(levels[0::2], levels[1::2])
    assert x.min() >= us[0] and x.max() <= us[-1] and y.min() >= vs[0] and y.max() <= vs[-1]


def test_a_bowl_s_contours_are_closed_circles():
    Z, us, vs = grid(lambda u, v: u ** 2 + v ** 2, n=81)
    level = 1.1  # no grid point lies exactly on it (those would be shared by four cells)
    x, y = contour_segments(Z, us, vs, [level])
    r = np.hypot(x, y)
    assert np.all(np.abs(r - np.sqrt(level)) < 0.01)  # linear interpolation of a smooth bowl
    # closed: every end point is shared by exactly two segments
    keys = np.round(np.stack([x, y], axis=1), 9)
    _, counts = np.unique(keys, axis=0, return_counts=True)
    assert np.all(counts == 2)
    # the circle's length, from the segments
    length = np.hypot(x[1::2] - x[0::2], y[1::2] - y[0::2]).sum()
    assert length == pytest.approx(2 * np.pi * np.sqrt(level), rel=0.01)


def test_a_saddle_cell_gives_two_segments_that_do_not_cross_the_centre():
    Z = np.array([[1.0, 0.0], [0.0, 1.0]])  # a = c = 1, b = d = 0: a saddle at level 0.5
    x, y = contour_segments(Z, [0.0, 1.0], [0.0, 1.0], [0.5])
    assert len(x) == 4
    segs = {tuple(sorted([(x[k], y[k]), (x[k + 1], y[k + 1])])) for k in (0, 2)}
    # centre value 0.5 is not above 0.5: the centre joins b and d, so a and c are cut off
    assert segs == {((0.0, 0.5), (0.5, 0.0)), ((0.5, 1.0), (1.0, 0.5))}
    Z2 = np.array([[1.0, 0.2], [0.2, 1.0]])  # centre 0.6 > 0.5: b and d are cut off
    x, y = contour_segments(Z2, [0.0, 1.0], [0.0, 1.0], [0.5])
    segs = {tuple(sorted([(round(x[k], 6), round(y[k], 6)), (round(x[k + 1], 6),
                                                             round(y[k + 1], 6))])) for k in (0, 2)}
    t = round(0.5 / 0.8, 6)  # from a (1) towards b (0.2) the level is reached at 0.625
    assert segs == {((t, 0.0), (1.0, round(1 - t, 6))), ((0.0, t), (round(1 - t, 6), 1.0))}


def test_cells_with_nan_are_skipped_and_bad_shapes_refused():
    Z, us, vs = grid(lambda u, v: u + 0 * v)
    Z[:, 10] = np.nan
    x, _ = contour_segments(Z, us, vs, [us[10]])  # the level runs along the NaN column
    assert len(x) == 0 and np.all(np.isfinite(x))
    with pytest.raises(ValueError, match="Z must be"):
        contour_segments(np.zeros((3, 4)), np.arange(3), np.arange(4), [0.5])


def test_levels_lie_strictly_inside_and_are_log_spaced_when_asked():
    lv = contour_levels(0.01, 100.0, 3, log=True)
    np.testing.assert_allclose(lv, [0.1, 1.0, 10.0])
    np.testing.assert_allclose(contour_levels(0.0, 4.0, 3, log=False), [1.0, 2.0, 3.0])
    assert len(contour_levels(1.0, 1.0, 5, log=False)) == 0
    assert len(contour_levels(np.nan, 1.0, 5, log=False)) == 0
