"""Shared by the network-graph tests: real snapshots, and real mouse events on the view."""
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.graph.graph_items import EdgeItem
from model.data.datasets import split
from model.playground import Playground, Settings
from model.snapshot import take_snapshot


def make_snapshot(hidden=(4, 2), **settings):
    pg = Playground(Settings(hidden=hidden, **settings))
    pg.trainer.step_batch()
    return take_snapshot(pg, run_id=1)


def three_input_snapshot():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X.sum(axis=1) > 0).astype(int)
    data = split(X, y, 0.75, 0, task="classification", input_names=("age", "height", "weight"),
                 target_names=("no", "yes"))
    pg = Playground(Settings(hidden=(3,)), data=data)
    pg.trainer.step_batch()
    return take_snapshot(pg, run_id=1)


def items(w, cls):
    return [it for it in w._scene.items() if isinstance(it, cls)]


def edge(w, l, i, j) -> EdgeItem:
    e = w._edges[w._edge_index(l, i, j)]
    assert (e.layer, e.i, e.j) == (l, i, j)
    return e


def viewport_point(w, scene_point: QPointF) -> QPoint:
    return w._view.mapFromScene(scene_point)


def clear_point(w, e: EdgeItem) -> QPoint:
    """A viewport point where e is the topmost interactive item (no neuron or crossing edge
    above it), inside the viewport."""
    vp = w._view.viewport().rect()
    for pct in np.linspace(0.5, 0.15, 15):
        p = viewport_point(w, e.path().pointAtPercent(float(pct)))
        top = [it for it in w._view.items(p) if it.acceptedMouseButtons()]
        if vp.contains(p) and top and top[0] is e:
            return p
    pytest.fail(f"no clear point on edge {(e.layer, e.i, e.j)}")


def click(w, point: QPoint, button=Qt.MouseButton.LeftButton):
    QTest.mouseClick(w._view.viewport(), button, Qt.KeyboardModifier.NoModifier, point)


def double_click(w, point: QPoint):
    QTest.mouseDClick(w._view.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, point)


def move(w, point: QPoint):
    """A plain mouse move on the viewport (QTest.mouseMove does not always reach the view
    offscreen), which is what makes QGraphicsScene send hover events."""
    vp = w._view.viewport()
    ev = QMouseEvent(QEvent.Type.MouseMove, QPointF(point), QPointF(vp.mapToGlobal(point)),
                     Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, ev)
