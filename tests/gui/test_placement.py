"""The graph's geometry without Qt: greedy label placement and the neuron layout."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gui.graph.graph_layout import HEAD, MIN_DX, MIN_NEURON, compute_layout
from gui.graph.placement import Placer, at, bezier, boxes, clamp_into, overlaps


def brute_overlaps(a, b, gap=0.0) -> bool:
    return (a[0] - gap < b[2] and b[0] < a[2] + gap and a[1] - gap < b[3] and b[1] < a[3] + gap)


def test_the_first_free_candidate_wins_and_then_blocks_others():
    p = Placer((0, 0, 100, 100))
    p.add((40, 40, 60, 60))  # an obstacle in the middle
    cands = [at(45, 45, 10, 10), at(95, 0, 10, 10), at(0, 0, 10, 10), at(20, 0, 10, 10)]
    assert p.place(cands) == 2  # covers the obstacle; outside the bounds; free
    assert p.place([at(5, 5, 10, 10), at(20, 0, 10, 10)]) == 1  # (0, 0) is now taken
    assert p.place([at(40, 60.5, 10, 10)]) is None  # half a pixel from the obstacle
    assert p.place([at(40, 61, 10, 10)]) == 0  # the gap (1 px) is kept, no more
    assert p.place([at(50, 0, 10, 10)], bounds=(0, 0, 55, 100)) is None  # other bounds


def test_fits_agrees_with_a_plain_loop():
    rng = np.random.default_rng(3)
    p = Placer((0, 0, 500, 500), gap=1.0)
    taken = []
    for _ in range(60):
        x, y = rng.uniform(0, 480, 2)
        r = (x, y, x + rng.uniform(2, 40), y + rng.uniform(2, 20))
        p.add(r)
        taken.append(r)
    cands = [(x, y, x + w, y + h) for x, y, w, h in rng.uniform([-20, -20, 1, 1],
                                                                 [520, 520, 60, 30], (300, 4))]
    want = [0 <= c[0] and 0 <= c[1] and c[2] <= 500 and c[3] <= 500
            and not any(brute_overlaps(c, t, 1.0) for t in taken) for c in cands]
    assert p.fits(cands).tolist() == want
    assert 0 < sum(want) < len(want)


def test_small_groups_test_only_the_obstacles_near_them():
    """A label's few candidates are tested against the obstacles near them alone, with the
    same answer as against all (an 8x16 graph's relabelling tries ~2000 labels against
    ~1000 obstacles: testing every obstacle each time was a fifth of its ~190 ms)."""
    rng = np.random.default_rng(5)
    p = Placer((0, 0, 2000, 2000), gap=1.0)
    taken = []
    for gx in range(40):  # a grid of obstacles, some exactly one gap from the candidates
        for gy in range(25):
            r = (gx * 50.0, gy * 80.0, gx * 50.0 + 20, gy * 80.0 + 10)
            p.add(r)
            taken.append(r)
    calls, answers, want = 0, [], []
    for _ in range(200):
        x, y = rng.integers(0, 38) * 50.0, rng.integers(0, 24) * 80.0
        x, y = x + rng.uniform(-30, 30), y + rng.uniform(-20, 20)
        gx, gy = round(x / 50) * 50.0, round(y / 80) * 80.0  # the obstacle nearest
        group = [(x, y, x + 8, y + 6), (x + 9, y, x + 17, y + 6),
                 (gx + 21, gy + 11, gx + 29, gy + 17), (x - 5, y + 7, x + 3, y + 13)]
        answers.append(p.fits(group).tolist())
        want.append([0 <= c[0] and 0 <= c[1] and c[2] <= 2000 and c[3] <= 2000
                     and not any(brute_overlaps(c, t, 1.0) for t in taken) for c in group])
        calls += 1
    assert answers == want
    assert any(a[2] for a in answers)  # exactly one gap away: free
    assert p.compared < calls * len(taken) / 20  # near ones only, not all 1000 each time


def test_boxes_clamp_bezier_and_overlaps():
    np.testing.assert_allclose(boxes([(10, 20)], 6, 4), [[7, 18, 13, 22]])
    r = clamp_into([(-5, 10, 15, 20), (90, 95, 110, 105), (10, 10, 20, 20)], (0, 0, 100, 100))
    np.testing.assert_allclose(r, [[1, 10, 21, 20], [79, 89, 99, 99], [10, 10, 20, 20]])
    a, b = (10.0, 20.0), (110.0, 80.0)
    pts = bezier(a, b, [0.0, 0.5, 1.0])
    # the curve leaves and enters horizontally and is symmetric about its middle
    np.testing.assert_allclose(pts, [a, ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2), b])
    rects = [(0, 0, 10, 10), (10, 0, 20, 10), (5, 5, 15, 15), (30, 30, 31, 31)]
    assert overlaps(rects) == [(0, 2), (1, 2)]  # touching is not overlapping


@settings(max_examples=150, deadline=None)
@given(sizes=st.lists(st.integers(1, 16), min_size=2, max_size=10),
       w=st.floats(150, 1600), h=st.floats(120, 1000), zoom=st.floats(1.0, 8.0),
       labels=st.booleans())
def test_the_layout_never_overlaps_neurons_and_keeps_its_minimums(sizes, w, h, zoom, labels):
    lay = compute_layout(sizes, (w, h), zoom, (30.0, 25.0), 15.0, 16.0, labels, labels)
    cw, ch = lay.canvas
    s = lay.size
    assert cw >= w * zoom - 1e-6 and ch >= h * zoom - 1e-6
    assert s >= MIN_NEURON
    xs = lay.column_x
    assert all(b - a >= min(MIN_DX, s) for a, b in zip(xs, xs[1:]))
    assert all(b - a >= s + 1.0 for a, b in zip(xs, xs[1:]))  # columns never touch
    for c, rows in enumerate(lay.rows):
        assert len(rows) == sizes[c]
        assert all(b - a >= s + 2.0 - 1e-9 for a, b in zip(rows, rows[1:]))  # a gap between
        assert rows[0] >= HEAD - 1e-9 and rows[-1] + s + lay.room <= ch - lay.bottom + 1e-6
        if c in (0, len(sizes) - 1) and (ch - HEAD - lay.bottom) / sizes[c] >= 17.0:
            assert all(b - a >= 17.0 - 1e-9 for a, b in zip(rows, rows[1:]))  # names apart
    assert xs[0] >= 12 + 30.0 and xs[-1] + s + 12 + 25.0 <= cw + 1e-6  # room for the names
    if lay.room:
        assert all(b - a >= s + lay.room - 1e-9 for rows in lay.rows
                   for a, b in zip(rows, rows[1:]))


def test_labels_get_room_under_the_neurons_only_when_it_is_affordable():
    roomy = compute_layout((2, 4, 2, 1), (600, 420), 1.0, (20, 30), 15, 16, True, True)
    assert roomy.room > 0 and roomy.size >= 30
    crowded = compute_layout((7,) + (16,) * 8 + (1,), (600, 420), 1.0, (50, 30), 15, 16,
                             True, True)
    assert crowded.room == 0  # labels go beside the neurons instead of shrinking them to dots
    plain = compute_layout((2, 4, 2, 1), (600, 420), 1.0, (20, 30), 15, 16, False, False)
    assert plain.room == 0 and plain.size >= roomy.size and plain.bottom < roomy.bottom


@pytest.mark.parametrize("zoom", [1.0, 2.0, 5.0])
def test_zoom_spreads_the_columns(zoom):
    one = compute_layout((2, 8, 8, 1), (500, 300), 1.0, (20, 30), 15, 16, False, False)
    lay = compute_layout((2, 8, 8, 1), (500, 300), zoom, (20, 30), 15, 16, False, False)
    assert lay.canvas[0] == pytest.approx(500 * zoom)
    gap = lambda l: l.column_x[1] - l.column_x[0]  # noqa: E731
    assert gap(lay) >= gap(one) * min(zoom, 1.0) and (zoom == 1.0 or gap(lay) > gap(one))


def test_tiny_numbers_for_a_crowded_graph():
    from gui.graph.graph_text import full_text, short_number, tiny_number
    cases = {0.8806: "0.88", -0.8806: "−0.88", -12.3: "−12", 0.0123: "0.012",
             0.0001234: "1e−4", -0.001652: "−2e−3", 123.0: "1e2", 0.0: "0",
             float("nan"): "NaN", float("-inf"): "−∞"}
    assert {v: tiny_number(v) for v in cases} == cases
    assert short_number(-0.0001234) == "−0.0001234"
    assert full_text(("a=0.4501", "0.45")) == "a=0.4501" and full_text("x") == "x"
