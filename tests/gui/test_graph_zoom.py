"""Zooming the graph (Ctrl + wheel, pinch, keys) and fitting it back (double-click on empty
space, the header's button, Ctrl+0): the graph is laid out on a larger canvas, texts keep
their size, and hovering and clicking still hit the right items."""
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QNativeGestureEvent, QPointingDevice, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGestureEvent, QPinchGesture

from graph_helpers import (clear_point, click, double_click, edge, make_snapshot, move,
                           shown_graph, text_rects, viewport_point)
from gui.graph.graph_view import MAX_ZOOM


@pytest.fixture
def view(qtbot):
    return shown_graph(qtbot, make_snapshot((4, 2)))


def centre(view, item) -> QPoint:
    return viewport_point(view, item.sceneBoundingRect().center())


def wheel(view, at: QPoint, notches: int, ctrl: bool = True):
    vp = view._view.viewport()
    mods = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    ev = QWheelEvent(QPointF(at), QPointF(vp.mapToGlobal(at)), QPoint(0, 0),
                     QPoint(0, 120 * notches), Qt.MouseButton.NoButton, mods,
                     Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(vp, ev)


def empty_point(view) -> QPoint:
    """A viewport point with nothing clickable under it."""
    vp = view._view.viewport()
    for y in range(4, vp.height() - 4, 7):
        for x in range(4, vp.width() - 4, 7):
            if not view._view.interactive_at(QPoint(x, y)):
                return QPoint(x, y)
    pytest.fail("no empty space in the view")


def test_ctrl_wheel_zooms_around_the_pointer_and_hit_testing_follows(view, qtbot):
    n = view._neurons[1][2]
    at = centre(view, n)
    size = n.size
    wheel(view, at, 3)
    assert view.zoom == pytest.approx(1.0015 ** 360, rel=1e-6)
    canvas = view._scene.sceneRect()
    assert canvas.width() > view._view.viewport().width() * 1.5  # laid out larger, not scaled
    assert view._view.transform().isIdentity() and n.size >= size
    assert (centre(view, n) - at).manhattanLength() <= 2  # the neuron stayed under the pointer
    # hovering and clicking find the right items at the new zoom
    hovered = []
    view.neuron_hovered.connect(lambda c, u: hovered.append((c, u)))
    tried = 0
    for c, u in ((1, 2), (2, 1), (1, 0), (2, 0)):
        p = centre(view, view._neurons[c][u])
        if view._view.viewport().rect().contains(p):
            move(view, p)
            assert hovered[-1] == (c, u)
            tried += 1
    assert tried >= 2
    e = edge(view, 1, 2, 1)
    with qtbot.waitSignal(view.edge_selected, timeout=1000) as sig:
        click(view, clear_point(view, e))
    assert sig.args == [1, 2, 1]
    b = view._biases[0][2]
    with qtbot.waitSignal(view.edge_selected, timeout=1000) as sig:
        click(view, centre(view, b))
    assert sig.args == [0, -1, 2]
    # texts keep their size at every zoom
    heights = {round(r.height()) for r, t in text_rects(view) if t in ("Hidden 1", "H1")}
    view.fit_to_view()
    assert heights == {round(r.height()) for r, t in text_rects(view) if t in ("Hidden 1", "H1")}


def test_a_plain_wheel_does_not_zoom_and_the_limits_hold(view):
    wheel(view, QPoint(100, 100), 2, ctrl=False)
    assert view.zoom == 1.0
    view.zoom_by(100.0)
    assert view.zoom == MAX_ZOOM
    wheel(view, QPoint(100, 100), -40)
    assert view.zoom == 1.0
    assert view._scene.sceneRect().size().toSize() == view._view.viewport().size()


def test_pinch_and_trackpad_gestures_zoom(view, qtbot):
    vp = view._view.viewport()
    n = view._neurons[2][0]
    at = centre(view, n)
    pinch = QPinchGesture()
    pinch.setScaleFactor(1.5)
    pinch.setCenterPoint(QPointF(vp.mapToGlobal(at)))
    QApplication.sendEvent(vp, QGestureEvent([pinch]))
    assert view.zoom == pytest.approx(1.5)
    assert (centre(view, n) - at).manhattanLength() <= 2
    native = QNativeGestureEvent(Qt.NativeGestureType.ZoomNativeGesture,
                                 QPointingDevice.primaryPointingDevice(), 2, QPointF(at),
                                 QPointF(at), QPointF(vp.mapToGlobal(at)), 0.5, QPointF(0, 0))
    QApplication.sendEvent(vp, native)
    assert view.zoom == pytest.approx(2.25)


def test_fit_by_double_click_on_empty_space_the_button_and_ctrl_0(view, qtbot):
    view.zoom_by(3.0)
    assert view._view.pannable() and view._fit.isEnabled()
    double_click(view, empty_point(view))
    assert view.zoom == 1.0 and not view._view.pannable() and not view._fit.isEnabled()
    view.zoom_by(2.0)
    qtbot.mouseClick(view._fit, Qt.MouseButton.LeftButton)
    assert view.zoom == 1.0
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=5000)
    QTest.keyClick(view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == pytest.approx(1.25)
    QTest.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == 1.0
    # a double-click on an edge edits it: it does not fit
    view.zoom_by(2.0)
    e = edge(view, 1, 1, 0)
    view._view.centerOn(e.path().pointAtPercent(0.5))
    double_click(view, clear_point(view, e))
    assert view.zoom == 2.0 and view._editing.editor.isVisible()


def test_dragging_empty_space_pans_a_zoomed_graph(view, qtbot):
    view.zoom_by(3.0)
    bar_x, bar_y = view._view.horizontalScrollBar(), view._view.verticalScrollBar()
    bar_x.setValue(200)
    bar_y.setValue(200)
    start = empty_point(view)
    vp = view._view.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    from graph_helpers import move as plain_move  # a move with the button held
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QMouseEvent
    to = start + QPoint(-40, -25)
    QApplication.sendEvent(vp, QMouseEvent(QEvent.Type.MouseMove, QPointF(to),
                                           QPointF(vp.mapToGlobal(to)), Qt.MouseButton.LeftButton,
                                           Qt.MouseButton.LeftButton,
                                           Qt.KeyboardModifier.NoModifier))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, to)
    assert (bar_x.value(), bar_y.value()) == (240, 225)
    plain_move(view, start)
    assert (bar_x.value(), bar_y.value()) == (240, 225)  # released: moving no longer pans


def test_esc_or_a_click_on_empty_space_clears_the_selection(view, qtbot):
    cleared = []
    view.selection_cleared.connect(lambda: cleared.append(True))
    click(view, clear_point(view, edge(view, 1, 1, 1)))
    assert view.selection() == (1, 1, 1)
    QTest.keyClick(view._view, Qt.Key.Key_Escape)
    assert view.selection() is None and cleared == [True]
    assert not view._editing.mark.isVisible()
    click(view, clear_point(view, edge(view, 1, 1, 1)))
    click(view, empty_point(view))
    assert view.selection() is None and cleared == [True, True]
