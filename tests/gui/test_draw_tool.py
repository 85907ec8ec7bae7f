"""Drawing points in the output view with real mouse events (pytest-qt), on the real window.

What the worker trains on is read back from the worker thread (``worker.call``) and compared
with the points clicked: the coordinates come from mapping data coordinates to viewport
pixels, so a point must land within a pixel of where it was aimed.
"""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from gui.data import draw_tool
from gui.plots import palette
from model.data.datasets import make_data, split
from model.playground import Settings
from tests.gui.window_helpers import fed

WAIT_MS = 20_000


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def to_viewport(window, x, y):
    plot = window.output_view.plot
    return plot.mapFromScene(plot.getPlotItem().vb.mapViewToScene(QPointF(x, y)))


def pixel(window):
    return window.output_view.plot.getPlotItem().vb.viewPixelSize()


def click(qtbot, window, x, y):
    viewport = window.output_view.plot.viewport()
    pos = to_viewport(window, x, y)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=pos)


def rows(data):
    """All points of a Data, sorted, with their targets: (X (n, 2), y (n,))."""
    X = np.concatenate([data.X_train, data.X_test])
    y = np.concatenate([data.y_train, data.y_test]).reshape(len(X), -1)[:, 0]
    order = np.lexsort((X[:, 1], X[:, 0]))
    return X[order], y[order]


def sort_rows(X):
    X = np.asarray(X)
    return X[np.lexsort((X[:, 1], X[:, 0]))]


def worker_data(window):
    return in_worker(window, lambda pg: (pg.data, pg.custom_data is not None))


def wait_points(qtbot, window, n):
    """The worker's data once it has n points (and is custom)."""
    box = {}

    def ready():
        data, custom = worker_data(window)
        box["data"] = data
        return custom and len(data.X_train) + len(data.X_test) == n
    qtbot.waitUntil(ready, timeout=WAIT_MS)
    return box["data"]


@pytest.fixture
def tool(window):
    return draw_tool.install(window)


def test_clicks_add_points_of_the_chosen_class_and_training_goes_on(qtbot, window, tool):
    window.play()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.running, timeout=WAIT_MS)
    circle = make_data("circle", 500, 0.0, 0.5, 0)
    qtbot.mouseClick(tool.bar.draw, Qt.MouseButton.LeftButton)
    assert tool.mode == "draw" and window.output_view.property("tool") == "draw"
    assert not window.output_view.train_points.isVisible()  # ours show every point now
    qtbot.mouseClick(tool.bar.swatches.button(1), Qt.MouseButton.LeftButton)
    click(qtbot, window, 1.0, 1.5)
    qtbot.mouseClick(tool.bar.swatches.button(0), Qt.MouseButton.LeftButton)
    click(qtbot, window, -2.0, 3.0)
    sx, sy = pixel(window)  # the scale the clicks were made at
    data = wait_points(qtbot, window, 502)
    assert data.name == "custom" and data.task == "classification"
    assert data.target_names == ("0", "1") and data.input_names == ("x1", "x2")
    X, y = np.asarray(tool.X), np.asarray(tool.y)
    assert len(X) == 502
    # the circle's points first, then the two clicks, each within a pixel of its aim
    np.testing.assert_array_equal(sort_rows(X[:500]), rows(circle)[0])
    assert abs(X[500, 0] - 1.0) <= sx and abs(X[500, 1] - 1.5) <= sy and y[500] == 1
    assert abs(X[501, 0] + 2.0) <= sx and abs(X[501, 1] - 3.0) <= sy and y[501] == 0
    # exactly the drawn points, split with the current ratio and data seed
    expected = tool.data()
    np.testing.assert_array_equal(rows(data)[0], rows(expected)[0])
    np.testing.assert_array_equal(rows(data)[1], rows(expected)[1])
    assert len(data.X_train) == round(0.5 * 502)
    # training goes on, on the new data
    run = window.latest_snapshot.run_id
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.run_id >= run
                    and len(window.latest_snapshot.X_train) == 251
                    and window.latest_snapshot.running
                    and window.latest_snapshot.epoch >= 2, timeout=WAIT_MS)
    qtbot.mouseClick(tool.bar.draw, Qt.MouseButton.LeftButton)  # done drawing
    assert tool.mode == "" and window.output_view.property("tool") == ""
    assert window.output_view.train_points.isVisible()


def test_drag_paints_points_along_the_stroke(qtbot, window, tool):
    qtbot.mouseClick(tool.bar.clear, Qt.MouseButton.LeftButton)
    assert tool.mode == "draw" and tool.X == []
    viewport = window.output_view.plot.viewport()
    start, end = to_viewport(window, -4.0, 0.0), to_viewport(window, 4.0, 0.0)
    length_px = end.x() - start.x()
    assert length_px > 100
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    steps = 40
    moves = [start + (end - start) * (k / steps) for k in range(1, steps + 1)]
    for p in moves:
        qtbot.mouseMove(viewport, p)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    X = np.asarray(tool.X)
    n = len(X)
    # a point at the press, then one each time the pointer is a spacing from the last one
    expected, last = 1, start.x()
    for p in moves:
        if p.x() - last >= draw_tool.PAINT_SPACING_PX:
            expected, last = expected + 1, p.x()
    assert n == expected and n >= length_px // (2 * draw_tool.PAINT_SPACING_PX)
    sx, sy = pixel(window)
    assert np.all(np.abs(X[:, 1]) <= sy) and np.all(np.diff(X[:, 0]) > 0)
    assert X[0, 0] == pytest.approx(-4.0, abs=sx) and X[-1, 0] <= 4.0 + sx
    data = wait_points(qtbot, window, n)  # only the stroke: Clear started from nothing
    np.testing.assert_array_equal(rows(data)[0], rows(tool.data())[0])


def test_erase_removes_the_points_under_the_pointer(qtbot, window, tool):
    tool.set_mode("draw")
    tool.clear()
    for x in (-3.0, 0.0, 3.0):
        click(qtbot, window, x, 0.0)
    wait_points(qtbot, window, 3)
    qtbot.mouseClick(tool.bar.erase, Qt.MouseButton.LeftButton)
    assert tool.mode == "erase" and not tool.bar.draw.isChecked()
    assert window.output_view.property("tool") == "erase"
    click(qtbot, window, 0.0, 0.0)
    assert len(tool.X) == 2 and all(abs(x) > 2 for x, _ in tool.X)
    data = wait_points(qtbot, window, 2)
    assert sorted(data_x for data_x in rows(data)[0][:, 0]) == sorted(x for x, _ in tool.X)


def test_an_added_class_gives_a_softmax_network(qtbot, window, tool):
    qtbot.mouseClick(tool.bar.clear, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tool.bar.add_class, Qt.MouseButton.LeftButton)
    assert tool.classes == ["0", "1", "2"] and tool.current_class() == 2
    assert tool.bar.swatches.button(2).isVisible()
    assert not tool.bar.swatches.button(3).isVisible()
    for k, (x, y) in enumerate(((-3, -3), (3, -3), (0, 3))):
        tool.select_class(k)
        click(qtbot, window, x, y)
    data = wait_points(qtbot, window, 3)
    assert data.target_names == ("0", "1", "2")
    assert sorted(rows(data)[1].tolist()) == [0, 1, 2]
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.sizes[-1] == 3, timeout=WAIT_MS)
    assert window.latest_snapshot.activations[-1] == "softmax"
    for _ in range(3):
        tool.bar.add_class.click()
    assert len(tool.classes) == 6 and not tool.bar.add_class.isEnabled()


def test_regression_points_get_the_chosen_target(qtbot, make_window):
    window = make_window(Settings(dataset="plane"))
    tool = draw_tool.install(window)
    assert tool.bar.target.isVisibleTo(tool.bar) and not tool.bar.add_class.isVisibleTo(tool.bar)
    tool.set_mode("draw")
    tool.bar.target.setValue(0.7)
    click(qtbot, window, 2.0, -1.0)
    data = wait_points(qtbot, window, 501)
    assert data.task == "regression" and data.target_names == ("y",)
    X, y = rows(data)
    hit = np.flatnonzero(np.all(np.isclose(X, tool.X[-1], rtol=0, atol=0), axis=1))
    assert len(hit) == 1 and y[hit[0]] == 0.7


def test_the_train_ratio_applies_to_drawn_points(qtbot, make_window):
    window = make_window(Settings(train_ratio=0.8, data_seed=3))
    tool = draw_tool.install(window)
    tool.set_mode("draw")
    tool.clear()
    for k in range(10):
        click(qtbot, window, -4.0 + k * 0.8, 1.0)
    data = wait_points(qtbot, window, 10)
    assert len(data.X_train) == 8 and len(data.X_test) == 2
    X = np.asarray(tool.X)
    ref = split(X, np.asarray(tool.y), 0.8, 3, task="classification",
                input_names=("x1", "x2"), target_names=("0", "1"))
    np.testing.assert_array_equal(data.X_train, ref.X_train)


def test_a_dataset_from_the_panel_leaves_custom_mode(qtbot, window, tool):
    tool.set_mode("draw")
    click(qtbot, window, 0.5, 0.5)
    wait_points(qtbot, window, 501)
    panel = window.data_panel  # says the data is yours, with no generated set checked
    qtbot.waitUntil(lambda: panel.custom_label.isVisible(), timeout=WAIT_MS)
    assert "501 points" in panel.custom_label.text()
    assert not any(b.isChecked() for b in panel.dataset_buttons.values())
    # clicking the set the points started from (circle) leaves custom mode too
    panel.dataset_buttons["circle"].click()
    qtbot.waitUntil(lambda: in_worker(window, lambda pg: pg.custom_data is None), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not panel.custom_label.isVisible(), timeout=WAIT_MS)
    assert panel.dataset_buttons["circle"].isChecked()
    tool.set_mode("draw")
    click(qtbot, window, 0.5, 0.5)
    wait_points(qtbot, window, 501)
    window.data_panel.dataset_buttons["xor"].click()
    qtbot.waitUntil(lambda: in_worker(window, lambda pg: pg.custom_data is None
                                      and pg.data.name == "xor"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: tool.X is not None and len(tool.X) == 500, timeout=WAIT_MS)
    xor = make_data("xor", 500, 0.0, 0.5, 0)
    np.testing.assert_array_equal(sort_rows(tool.X), rows(xor)[0])  # started again from xor
    click(qtbot, window, -1.0, -1.0)
    data = wait_points(qtbot, window, 501)
    assert len(rows(data)[0]) == 501


def test_clicks_pass_through_when_the_tool_is_off(qtbot, window, tool):
    tool.set_mode("draw")
    tool.set_mode("")
    assert window.output_view.property("tool") == ""
    click(qtbot, window, 1.0, 1.0)
    assert tool.X is None or len(tool.X) == 500
    assert not in_worker(window, lambda pg: pg.custom_data is not None)
    for k in range(draw_tool.MAX_CLASSES):
        assert tool.bar.swatches.button(k).toolTip()
    for w in (tool.bar.draw, tool.bar.erase, tool.bar.clear, tool.bar.add_class,
              tool.bar.target):
        assert w.toolTip()


def test_points_are_drawn_with_one_brush_per_colour(qtbot, window, tool, monkeypatch):
    """A click among 500 points redraws them all: one brush per class, not one per point
    (a brush per point cost about 130 ms of the GUI thread per click)."""
    made = []
    make = draw_tool.pg.mkBrush
    monkeypatch.setattr(draw_tool.pg, "mkBrush", lambda *a, **k: made.append(a) or make(*a, **k))
    qtbot.mouseClick(tool.bar.draw, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tool.bar.swatches.button(1), Qt.MouseButton.LeftButton)
    made.clear()
    click(qtbot, window, 1.0, 1.5)
    assert len(tool.X) == 501
    assert 1 <= len(made) <= 2, len(made)  # the circle's two classes
    brushes = tool.scatter.data["brush"]
    assert len(brushes) == 501
    colours = {b.color().getRgb()[:3] for b in brushes}
    assert colours == {tuple(c) for c in palette.CLASS_COLORS[:2]}
    qtbot.mouseClick(tool.bar.draw, Qt.MouseButton.LeftButton)


def test_a_stroke_adds_its_points_one_by_one_and_shows_exactly_them(qtbot, window, tool,
                                                                     monkeypatch):
    """A drag adds a point every few pixels among hundreds: each is added alone, not all set
    again (setData with every point's brush cost tens of ms per point on a busy machine)."""
    qtbot.mouseClick(tool.bar.draw, Qt.MouseButton.LeftButton)
    n0 = len(tool.X)
    assert n0 == 500
    calls = []
    set_data = tool.scatter.setData
    monkeypatch.setattr(tool.scatter, "setData",
                        lambda *a, **k: calls.append(1) or set_data(*a, **k))
    viewport = window.output_view.plot.viewport()
    start, end = to_viewport(window, -4.0, 2.0), to_viewport(window, 4.0, 2.0)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for k in range(1, 21):
        qtbot.mouseMove(viewport, start + (end - start) * (k / 20))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert len(tool.X) > n0 + 5 and calls == []
    shown = tool.scatter.data
    np.testing.assert_array_equal(np.c_[shown["x"], shown["y"]], np.asarray(tool.X))
    expected = [tuple(c) for c in palette.point_colors(np.asarray(tool.y), tool.task).tolist()]
    assert [b.color().getRgb()[:3] for b in shown["brush"]] == expected
    tool.erase_near(*tool.X[-1])  # anything but one point more: all set again
    assert calls == [1] and len(tool.scatter.data) == len(tool.X)


def test_an_erasing_drag_shows_what_is_left_once_for_many_moves(qtbot, window, tool,
                                                                 monkeypatch):
    """Each showing sets every point again (~20 ms for 500 points): the moves of a drag are
    shown together (draw_tool.ERASE_REDRAW_MS), and the release shows exactly what is left."""
    qtbot.mouseClick(tool.bar.erase, Qt.MouseButton.LeftButton)
    n0 = len(tool.X)
    calls = []
    set_data = tool.scatter.setData
    monkeypatch.setattr(tool.scatter, "setData",
                        lambda *a, **k: calls.append(1) or set_data(*a, **k))
    removed = []
    erase_near = tool.erase_near
    monkeypatch.setattr(tool, "erase_near",
                        lambda *a, **k: removed.append(erase_near(*a, **k)) or removed[-1])
    viewport = window.output_view.plot.viewport()
    start, end = to_viewport(window, -5.0, -5.0), to_viewport(window, 5.0, 5.0)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for k in range(1, 31):
        qtbot.mouseMove(viewport, start + (end - start) * (k / 30))
    assert sum(n > 0 for n in removed) >= 10  # many moves took points away...
    assert len(calls) <= 2  # ...and were shown together
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert len(tool.X) == n0 - sum(removed)
    shown = tool.scatter.data
    np.testing.assert_array_equal(np.c_[shown["x"], shown["y"]], np.asarray(tool.X))
    expected = [tuple(c) for c in palette.point_colors(np.asarray(tool.y), tool.task).tolist()]
    assert [b.color().getRgb()[:3] for b in shown["brush"]] == expected
