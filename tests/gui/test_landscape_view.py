"""The loss landscape view on the real window: the surface it shows is the loss at those
weights, the path lies on the principal plane, a click while paused moves the weights there
(and the training history keeps the edit), two weights are chosen by clicking the graph, and
the worked example shows the lesson's paths."""
import threading

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from gui.views import examples_menu as em
from gui.views.landscape_probe import LESSON_PARAMS
from gui.views.landscape_view import SHORTCUT, default_pair
from model.lessons import landscape_lesson
from tests.gui.graph_helpers import clear_point, click, edge
from tests.gui.window_helpers import (fed, in_worker, press, settle_paused as settle,
                                      type_into_spin_box)

WAIT_MS = 30_000


def fresh_frame(qtbot, view, since: int = 0):
    """Wait for a frame computed after everything sent so far (the view is idle again)."""
    w = view.window
    settle(qtbot, w)
    qtbot.waitUntil(lambda: view.frames > since and not view._busy and view.frame is not None
                    and view.frame.steps == w.latest_snapshot.steps
                    and view._computed_key is not None
                    and view._computed_key[2] == w.latest_snapshot.extras["seq"],
                    timeout=WAIT_MS)
    return view.frame


def open_view(qtbot, window):
    view = window.views["landscape"]
    press(qtbot, window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier
          | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(view.dock.isVisible, timeout=WAIT_MS)
    return view


def direct_loss(params, split="train"):
    """The network's own loss with every parameter set to ``params`` (worker thread, a copy)."""
    def fn(pg):
        net = pg.net.copy()
        net.params[:] = params
        t = pg.trainer
        X, Y = (t.X_train, t.Y_train) if split == "train" else (t.X_test, t.Y_test)
        return net.loss(X, Y, t.loss.name)
    return fn


def test_the_shortcut_opens_it_from_the_view_menu(qtbot, window):
    view = open_view(qtbot, window)
    assert SHORTCUT == "Ctrl+Shift+A"
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert view.dock.toggleViewAction() in view_menu.actions()


@pytest.mark.parametrize("kind, split", [("weights", "train"), ("random", "test")])
def test_the_surface_shown_is_the_loss_at_those_weights(qtbot, window, kind, split):
    for _ in range(5):
        window.step()
    view = open_view(qtbot, window)
    view.set_kind(kind)
    view.panel.split.setCurrentIndex(view.panel.split.findData(split))
    type_into_spin_box(qtbot, view.panel.grid, 15)
    assert view.panel.grid.text() == "15 × 15"
    f = fresh_frame(qtbot, view)
    assert f.request.kind == kind and f.loss.shape == (15, 15)
    rng = np.random.default_rng(1)
    for r, c in zip(rng.integers(0, 15, 6), rng.integers(0, 15, 6)):
        params = f.plane.params_at(f.us[c], f.vs[r])
        assert f.loss[r, c] == pytest.approx(in_worker(window, direct_loss(params, split)),
                                             rel=1e-12)
    # what the heatmap holds is that grid, each value centred on its grid point
    image = view.panel.image
    shown = 10 ** image.image if f.log else image.image
    np.testing.assert_allclose(shown, f.loss, rtol=1e-12)
    for r, c in ((0, 0), (14, 3), (7, 11)):
        point = image.mapToView(QPointF(c + 0.5, r + 0.5))
        assert (point.x(), point.y()) == pytest.approx((f.us[c], f.vs[r]), abs=1e-9)
    # the current point is the current weights, at the loss they have
    now = in_worker(window, lambda pg: pg.net.params.copy())
    np.testing.assert_allclose(f.plane.params_at(*f.current), now, atol=1e-12)
    assert f.current_loss == pytest.approx(in_worker(window, direct_loss(now, split)), rel=1e-12)
    assert "ms" in view.panel.cost.text()


def test_the_path_lies_on_the_principal_plane(qtbot, window):
    view = open_view(qtbot, window)
    window.play()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch >= 30 and view.frames >= 2,
                    timeout=WAIT_MS)
    window.pause()
    fresh_frame(qtbot, view, view.frames)
    # a surface of two weights is on its way when the plane changes
    gate = threading.Event()
    window.worker.call(lambda pg: gate.wait(WAIT_MS / 1000))
    view.panel.grid.setValue(31)
    assert view._busy
    view.set_kind("pca")
    gate.set()
    f = fresh_frame(qtbot, view)
    assert f.request.kind == "pca"
    # its extent is its own, fitted to the path (not grown from the other plane's frames)
    assert (f.us[0], f.us[-1], f.vs[0], f.vs[-1]) == pytest.approx(
        f.plane.default_extent(f.path_uv))
    path, now = in_worker(window, lambda pg: (view.probe.recorder.path()[0], pg.net.params.copy()))
    if not np.array_equal(path[-1], now):  # paused within an epoch: the path ends where it is
        path = np.vstack([path, now])
    assert len(f.path_uv) == len(path) >= 20
    # the plane is the best plane for the path: its points are nearer to it than to two of
    # the path's own directions or to random planes through the same point
    origin = f.plane.origin
    off = (f.path_off ** 2).sum()
    rng = np.random.default_rng(0)
    for _ in range(5):
        D = np.linalg.qr(rng.normal(size=(len(origin), 2)))[0]
        T = path - origin
        assert off <= ((T - (T @ D) @ D.T) ** 2).sum() + 1e-12
    total = ((path - origin) ** 2).sum()
    a, b = f.plane.explained
    assert off == pytest.approx(total * (1 - a - b), rel=1e-6, abs=1e-12)
    assert "of the path's spread" in view.panel.explained.text()


def click_plot(view, u, v):
    """A real left click on the surface at axis values (u, v); returns the (u, v) the pixel
    clicked maps back to."""
    plot = view.panel.plot
    vb = plot.getPlotItem().getViewBox()
    widget_point = plot.mapFromScene(vb.mapViewToScene(QPointF(u, v)))
    QTest.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     widget_point)
    back = vb.mapSceneToView(plot.mapToScene(widget_point))
    return back.x(), back.y()


def test_a_click_while_paused_moves_the_weights_and_the_history_keeps_it(qtbot, window):
    for _ in range(3):
        window.step()
    view = open_view(qtbot, window)
    history = window.views["timeline"]
    f = fresh_frame(qtbot, view)
    before = in_worker(window, lambda pg: pg.net.params.copy())
    u = f.us[0] + 0.3 * (f.us[-1] - f.us[0])
    v = f.vs[0] + 0.7 * (f.vs[-1] - f.vs[0])
    seq = window._seq
    u, v = click_plot(view, u, v)
    assert window._seq == seq + 1  # one command: the edit
    settle(qtbot, window)
    after = in_worker(window, lambda pg: pg.net.params.copy())
    np.testing.assert_allclose(after, f.plane.params_at(u, v), rtol=0, atol=1e-9)
    assert not np.allclose(after, before)
    # two weights moved, and only those
    moved = np.flatnonzero(after != before)
    layout_index = in_worker(window, lambda pg: [pg.net.layout.index(l, None if i < 0 else i, j)
                                                 for l, i, j in view.params])
    assert set(moved) <= set(layout_index) and len(moved) >= 1
    # the history keeps the edit as a moment of its own, after the moment before it
    entries, _, _ = history.recorder.snapshot_entries()
    assert entries[-1].edited and entries[-1].steps == entries[-2].steps == 3
    np.testing.assert_array_equal(entries[-1].state["params"], after)
    np.testing.assert_array_equal(entries[-2].state["params"], before)
    # the surface follows: the new current point is where the click was
    g = fresh_frame(qtbot, view, view.frames)
    assert g.current == pytest.approx((u, v), abs=1e-9)
    # while another feature draws the graph (a moment of the history), a click says why
    history.show_moment(0)
    seq = window._seq
    assert view.move_to(u, v) is False and window._seq == seq
    assert "training history" in window.statusBar().currentMessage()
    history.go_live()
    # while training runs a click changes nothing and says why
    window.play()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.running and fed(window), timeout=WAIT_MS)
    seq = window._seq
    assert view.move_to(u, v) is False
    assert window._seq == seq and "Pause training" in window.statusBar().currentMessage()
    window.pause()


def test_two_weights_are_chosen_by_clicking_the_graph(qtbot, window):
    view = open_view(qtbot, window)
    assert view.params == default_pair(window.latest_snapshot.sizes) == ((2, 0, 0), (2, 1, 0))
    graph = window.network_view
    click(graph, clear_point(graph, edge(graph, 0, 1, 2)))
    qtbot.waitUntil(lambda: view.params == ((2, 1, 0), (0, 1, 2)), timeout=WAIT_MS)
    f = fresh_frame(qtbot, view)
    assert f.axis_names == ("H2·2 → p(1)", "x₂ → H1·3")
    assert "x₂ → H1·3" in view.panel.chosen.text()
    axis = view.panel.plot.getPlotItem().getAxis("left")
    assert axis.labelText == "x₂ → H1·3"
    # the axes are in the weights' own units: the current point is the two weights' values
    W = window.latest_snapshot.weights
    assert f.current == pytest.approx((W[2][1, 0], W[0][1, 2]), abs=1e-12)
    # the two are highlighted on the graph (others dimmed) while the view shows
    assert window.views.highlight_owner is view
    view.panel.swap.click()
    assert view.params == ((0, 1, 2), (2, 1, 0))
    view.dock.hide()
    assert window.views.highlight_owner is None


def test_a_selection_from_the_graph_s_older_network_is_ignored(qtbot, window):
    """The graph draws paced frames, the view takes every snapshot: right after the network
    shrinks, a click on the graph can still name an edge the new network does not have."""
    view = open_view(qtbot, window)
    before = view.params
    sizes = window.latest_snapshot.sizes
    gone = (0, sizes[0] - 1, sizes[1])  # one neuron past the first hidden layer
    window.network_view.edge_selected.emit(*gone)
    window.network_view.edge_selected.emit(len(sizes) - 1, 0, 0)  # a layer past the output
    assert view.params == before
    assert "Click two" not in view.panel.chosen.text()


def test_new_directions_draw_another_random_plane(qtbot, window):
    window.step()
    view = open_view(qtbot, window)
    view.set_kind("random")
    first = fresh_frame(qtbot, view)
    view.panel.new_directions.click()
    second = fresh_frame(qtbot, view, view.frames)
    assert second.request.seed == first.request.seed + 1
    assert not np.allclose(first.plane.d1, second.plane.d1)
    assert first.axis_names == ("direction 1", "direction 2")


def test_it_updates_while_training_runs(qtbot, window):
    view = open_view(qtbot, window)
    fresh_frame(qtbot, view)
    window.play()
    seen = set()
    qtbot.waitUntil(lambda: seen.add(view.frame.steps) or len(seen) >= 3, timeout=WAIT_MS)
    window.pause()
    assert max(seen) > 0
    settle(qtbot, window)


def test_an_impossible_plane_says_why(qtbot, window):
    view = open_view(qtbot, window)
    view.set_kind("pca")  # no path yet: one point
    qtbot.waitUntil(lambda: view.error is not None, timeout=WAIT_MS)
    assert "train a little first" in view.error
    assert view.panel.message.isVisible()


def test_the_worked_example_shows_the_lesson_s_paths(qtbot, window):
    examples = em.install(window)
    example = next(e for e in em.EXAMPLES if e.key == "landscape")
    examples.load(example)
    view = window.views["landscape"]
    qtbot.waitUntil(lambda: examples.loading is None and view.lesson is not None,
                    timeout=WAIT_MS)
    assert view.dock.isVisible() and view.params == LESSON_PARAMS and view.kind == "weights"
    f = fresh_frame(qtbot, view)
    lesson = landscape_lesson.landscape_lesson()
    assert (f.us[0], f.us[-1], f.vs[0], f.vs[-1]) == pytest.approx(
        (lesson.surface.us[0], lesson.surface.us[-1], lesson.surface.vs[0], lesson.surface.vs[-1]))
    # the first group: three learning rates, drawn over the surface
    curves = [c for c in view.panel.lesson_paths if c.isVisible()]
    assert len(curves) == 3
    for curve, run in zip(curves, lesson.runs[:3]):
        x, y = curve.getData()
        np.testing.assert_array_equal(np.column_stack([x, y]), run.path)
    assert "oscillates" in view.panel.legend.text()
    group = view.panel.lesson_group
    group.setCurrentIndex(group.findText("   lr 1.8: oscillates"))  # one path of the three
    assert [c.isVisible() for c in view.panel.lesson_paths[:3]] == [False, True, False]
    assert "lr 2.1" not in view.panel.legend.text()
    group.setCurrentIndex(group.findText("Momentum against plain SGD"))
    assert sum(c.isVisible() for c in view.panel.lesson_paths) == 2
    # the window trains the lesson's neuron: its live path is the converging one, step for step
    for _ in range(landscape_lesson.STEPS):
        window.step()
    g = fresh_frame(qtbot, view, view.frames)
    np.testing.assert_allclose(g.path_uv, lesson.runs[0].path, atol=1e-12)
    # the surface is exact: a plane through the only two weights
    np.testing.assert_allclose(g.path_off, 0.0, atol=1e-12)
    assert "paths" in window.statusBar().currentMessage()
    # the example's table: the app's own figures, none claimed as published, and they are what
    # gradient descent on this quadratic gives in closed form:
    # w_k − w* = (I − lr·H)^k (w₀ − w*)
    values = examples.values["landscape"]
    assert all(f.published is None for f in example.figures) and len(values) == 7
    X, _ = landscape_lesson.lesson_data()
    H = X.T @ X / len(X)
    assert values[:2] == pytest.approx([1.0, 1.0 / 16.0], rel=1e-12)
    start = np.subtract(landscape_lesson.W_START, landscape_lesson.W_STAR)
    for value, lr in zip(values[2:5], (0.5, 1.8, 2.1)):
        e = np.linalg.matrix_power(np.eye(2) - lr * H, landscape_lesson.STEPS) @ start
        assert value == pytest.approx(0.5 * e @ H @ e, rel=1e-9)
    # another network: the lesson's paths and extent go, the surface fits the new one
    window.update_settings(hidden=(3,))
    qtbot.waitUntil(lambda: view.lesson is None, timeout=WAIT_MS)
    h = fresh_frame(qtbot, view)
    assert h.request.extent is None and not view.panel.lesson_group.isVisible()
    assert not any(c.isVisible() for c in view.panel.lesson_paths)
