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


def three_input_snapshot(include_grids=True):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X.sum(axis=1) > 0).astype(int)
    data = split(X, y, 0.75, 0, task="classification", input_names=("age", "height", "weight"),
                 target_names=("no", "yes"))
    pg = Playground(Settings(hidden=(3,)), data=data)
    pg.trainer.step_batch()
    return take_snapshot(pg, run_id=1, include_grids=include_grids)


def items(w, cls):
    return [it for it in w._scene.items() if isinstance(it, cls)]


def edge(w, l, i, j) -> EdgeItem:
    e = w._edges[w._edge_index(l, i, j)]
    assert (e.layer, e.i, e.j) == (l, i, j)
    return e


def laid_out(w):
    """The graph laid out for its current size: a resize lays it out in the next turn of the
    event loop (network_view.relayout_soon), which a user's click never comes before."""
    if w._relayout_timer.isActive():
        w._layout()
    return w


def viewport_point(w, scene_point: QPointF) -> QPoint:
    return w._view.mapFromScene(scene_point)


def clear_point(w, e: EdgeItem) -> QPoint:
    """A viewport point where e is the topmost interactive item (no neuron or crossing edge
    above it), inside the viewport."""
    laid_out(w)
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


# ---------------------------------------------------------------- the texts on the graph
def text_rects(view):
    """(viewport rectangle, description) of every visible text on the graph: titles, counts,
    names, the "+ −" buttons, the activation tags, annotation labels and "+N more" hints."""
    from PySide6.QtWidgets import QGraphicsSimpleTextItem

    from gui.graph.annotations import NoteItem
    from gui.graph.graph_items import SceneButton
    from gui.graph.layer_activation import ActivationTag
    to_view = view._view.viewportTransform()
    out = []
    for it in view._scene.items():
        if it.isVisible() and isinstance(it, (QGraphicsSimpleTextItem, NoteItem, SceneButton,
                                              ActivationTag)):
            text = it.text() if isinstance(it, QGraphicsSimpleTextItem) else it.text
            out.append((to_view.mapRect(it.sceneBoundingRect()), text))
    return out


def square_rects(view):
    """(viewport rectangle, description) of every neuron square and bias square."""
    from PySide6.QtCore import QRectF
    to_view = view._view.viewportTransform()
    out = []
    for col in view._neurons:
        for n in col:
            out.append((to_view.mapRect(n.mapRectToScene(QRectF(0, 0, n.size, n.size))),
                        f"neuron {n.column},{n.unit}"))
    for layer in view._biases:
        for b in layer:
            out.append((to_view.mapRect(b.mapRectToScene(b.rect())), f"bias {b.layer},{b.unit}"))
    return out


def _overlap(a, b) -> bool:
    r = a.intersected(b)
    return r.width() > 1e-6 and r.height() > 1e-6


def check_texts(view, where=""):
    """No two texts overlap, none covers a neuron or a bias square, all lie inside the
    canvas — the viewport itself when the graph fits, else the area the view scrolls
    over; the labels asked for are either shown or counted as hidden. Returns the number of
    annotation labels shown."""
    from PySide6.QtCore import QRectF
    texts = text_rects(view)
    squares = square_rects(view)
    canvas = view._view.viewportTransform().mapRect(view._scene.sceneRect())
    if not view._view.pannable():
        assert canvas == QRectF(view._view.viewport().rect()), where
    inside = canvas.adjusted(-0.01, -0.01, 0.01, 0.01)
    bad = [f"{ta!r} over {tb!r}" for k, (a, ta) in enumerate(texts)
           for b, tb in texts[k + 1:] if _overlap(a, b)]
    bad += [f"{t!r} over {s}" for a, t in texts for b, s in squares if _overlap(a, b)]
    bad += [f"{t!r} cut off at the border ({a})" for a, t in texts if not inside.contains(a)]
    assert not bad, f"{where}: " + "; ".join(bad[:8]) + (f" … ({len(bad)})" if len(bad) > 8 else "")
    neurons, edges, _ = view.annotations()
    shown = {k for k in view._notes.items() if k[0] != "hint"}
    hidden = set(view.hidden_labels())
    asked = {("n",) + k for k in neurons} | {("e",) + k for k in edges}
    assert shown | hidden == asked and not shown & hidden, where
    hinted = sum(int(it.text.split()[0][1:]) for k, it in view._notes.items().items()
                 if k[0] == "hint")
    assert hinted + view._notes.unhinted == len(hidden), where
    return len(shown)


# ---------------------------------------------------------------- clicks in the real window
def click_edge(view, l, i, j):
    """A real left click on W[i][j] of layer l (i = -1: the bias square of neuron j)."""
    if i < 0:
        point = viewport_point(view, view._biases[l][j].sceneBoundingRect().center())
    else:
        point = clear_point(view, edge(view, l, i, j))
    click(view, point)


def shown_graph(qtbot, snapshot=None):
    """A NetworkView of 700×500 on screen, showing ``snapshot`` if one is given."""
    from gui.graph.network_view import NetworkView
    w = NetworkView()
    qtbot.addWidget(w)
    w.resize(700, 500)
    w.show()
    qtbot.waitExposed(w)
    if snapshot is not None:
        w.set_snapshot(snapshot)
    return w
