"""The network graph widget, driven by snapshots of the real engine."""
import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from graph_helpers import (click, clear_point, edge, items, make_snapshot, move, shown_graph,
                           three_input_snapshot, viewport_point)
from gui.graph.graph_items import EdgeItem, NeuronItem
from gui.graph.network_view import NO_THUMBNAILS, NetworkView


@pytest.fixture
def view(qtbot):
    return shown_graph(qtbot)


def is_blue(c):  # the neutral grey of a zero edge has blue − red = 7
    return c.blue() > c.red() + 15


def is_orange(c):
    return c.red() > c.blue() + 15


# ---------------------------------------------------------------- structure
def test_items_match_the_architecture(view):
    snap = make_snapshot((4, 2))
    view.set_snapshot(snap)
    sizes = snap.sizes
    assert sizes == (2, 4, 2, 1)
    assert len(items(view, EdgeItem)) == sum(a * b for a, b in zip(sizes, sizes[1:])) == 18
    assert len(items(view, NeuronItem)) == sum(sizes) == 9
    assert sum(len(b) for b in view._biases) == sum(sizes[1:])
    # every neuron has a thumbnail of the grid's resolution
    assert all(n.image is not None and n.image.width() == 40 for c in view._neurons for n in c)
    assert not view._note.isVisible()


def test_a_new_architecture_rebuilds_and_the_same_one_reuses_items(view):
    view.set_snapshot(make_snapshot((4, 2)))
    before = {(e.layer, e.i, e.j): e for e in view._edges}
    neurons = items(view, NeuronItem)
    view.set_snapshot(make_snapshot((4, 2), seed=3))
    assert view._edges == list(before.values())  # restyled, not rebuilt
    view.set_snapshot(make_snapshot((3,)))
    assert len(items(view, EdgeItem)) == 2 * 3 + 3 * 1
    assert len(items(view, NeuronItem)) == 2 + 3 + 1
    assert not set(neurons) & set(items(view, NeuronItem))
    assert len(view._neuron_buttons) == 2  # + and − of the one hidden layer
    # the edges the new network still has are the same items, the others left the scene
    assert all(before[(e.layer, e.i, e.j)] is e for e in view._edges)
    now = {(0, i, j) for i in range(2) for j in range(3)} | {(1, i, 0) for i in range(3)}
    assert {(e.layer, e.i, e.j) for e in view._edges} == now
    gone = [e for key, e in before.items() if key not in now]
    assert len(gone) == 2 * 4 + 4 * 2 + 2 - 9 and all(e.scene() is None for e in gone)
    # and every edge runs from its neuron i to its neuron j where they are now
    s = view._neurons[0][0].size
    for e in view._edges:
        a, b = view._neurons[e.layer][e.i], view._neurons[e.layer + 1][e.j]
        path = e.path()
        assert path.pointAtPercent(0.0) == a.pos() + QPointF(s, s / 2)
        assert path.pointAtPercent(1.0) == b.pos() + QPointF(0.0, s / 2)


def test_labels_and_control_tooltips(view):
    view.set_snapshot(make_snapshot((4, 2), features=("x1", "x2", "x1^2", "sin_x1")))
    texts = {t.text() for _, _, t in view._unit_labels}
    assert {"x₁", "x₂", "x₁²", "sin(x₁)", "p(1)"} <= texts
    titles = [(a.text(), b.text()) for a, b in view._titles]
    assert titles[0][0] == "Input" and titles[1] == ("Hidden 1", "4 neurons")
    assert titles[-1][0] == "Output"
    controls = [view._add_layer, view._remove_layer, *view._neuron_buttons.values()]
    assert all(c.toolTip() for c in controls)
    assert view._layers_label.text() == "2 HIDDEN LAYERS"


# ---------------------------------------------------------------- colours
def test_edge_colour_follows_the_weight_sign_and_width_grows_with_magnitude(view):
    snap = make_snapshot((4, 2))
    view.set_snapshot(snap)
    checked = 0
    for l, W in enumerate(snap.weights):
        for (i, j), w in np.ndenumerate(W):
            c = edge(view, l, i, j).pen().color()
            if w > 0.1:
                assert is_blue(c), (l, i, j, w, c.getRgb())
                checked += 1
            elif w < -0.1:
                assert is_orange(c), (l, i, j, w, c.getRgb())
                checked += 1
    assert checked > 10
    # a controlled spread of weights: widths never shrink as |w| grows, and do grow
    W0 = np.linspace(-2.5, 2.5, 8).reshape(2, 4)
    view.set_snapshot(dataclasses.replace(snap, weights=(W0, *snap.weights[1:])))
    pairs = sorted((abs(w), edge(view, 0, i, j).pen().widthF()) for (i, j), w in np.ndenumerate(W0))
    widths = [p[1] for p in pairs]
    assert widths == sorted(widths) and widths[-1] >= widths[0] + 3
    assert is_orange(edge(view, 0, 0, 0).pen().color()) and is_blue(edge(view, 0, 1, 3).pen().color())


def test_strong_edges_are_drawn_on_top(view):
    snap = make_snapshot((4, 2))
    W0 = np.linspace(-3.0, 3.0, 8).reshape(2, 4)
    view.set_snapshot(dataclasses.replace(snap, weights=(W0, *snap.weights[1:])))
    pairs = sorted((abs(w), edge(view, 0, i, j).zValue()) for (i, j), w in np.ndenumerate(W0))
    z = [p[1] for p in pairs]
    assert z == sorted(z) and z[-1] > z[0]
    assert all(zz < view._neurons[0][0].zValue() for zz in z)  # but under the neurons


def test_gradient_and_update_modes_recolour_by_the_direction_of_the_step(view):
    snap = make_snapshot((4, 2))
    G0 = np.array([[1e-5, 1e-3, 1e-1, 0.5], [-1e-5, -1e-3, -1e-1, -0.5]])
    snap = dataclasses.replace(snap, grad_weights=(G0, *snap.grad_weights[1:]),
                               update_weights=(-0.5 * G0, *snap.update_weights[1:]))
    view.set_snapshot(snap)
    weight_pens = [QPenKey(e) for e in view._edges]
    view.set_edge_mode("gradients")
    assert [QPenKey(e) for e in view._edges] != weight_pens
    for mode in ("gradients", "updates"):
        view.set_edge_mode(mode)
        for j in range(4):  # dC/dw > 0: the weight will go down → orange; < 0 → blue
            assert is_orange(edge(view, 0, 0, j).pen().color()), (mode, j)
            assert is_blue(edge(view, 0, 1, j).pen().color()), (mode, j)
        widths = [edge(view, 0, 0, j).pen().widthF() for j in range(4)]
        assert widths == sorted(widths) and widths[-1] > widths[0] + 2
    view.set_edge_mode("weights")
    assert [QPenKey(e) for e in view._edges] == weight_pens
    with pytest.raises(ValueError):
        view.set_edge_mode("activations")


def QPenKey(e):
    p = e.pen()
    return p.color().rgb(), p.widthF()


def test_bias_markers_are_coloured_by_the_bias(view):
    snap = make_snapshot((4, 2))
    snap = dataclasses.replace(snap, biases=(np.array([-1.0, -0.5, 0.5, 1.0]), *snap.biases[1:]))
    view.set_snapshot(snap)
    colors = [b.brush().color() for b in view._biases[0]]
    assert is_orange(colors[0]) and is_orange(colors[1])
    assert is_blue(colors[2]) and is_blue(colors[3])


def test_thumbnails_put_x2_up_and_map_sigmoid_half_to_white(view):
    snap = make_snapshot((4, 2))
    view.set_snapshot(snap)
    x1, x2 = (view._neurons[0][u].image for u in (0, 1))
    r = x1.width()
    assert is_orange(x1.pixelColor(0, r // 2)) and is_blue(x1.pixelColor(r - 1, r // 2))
    assert is_blue(x2.pixelColor(r // 2, 0)) and is_orange(x2.pixelColor(r // 2, r - 1))
    half = np.full_like(snap.neuron_grids[-1], 0.5)
    view.set_snapshot(dataclasses.replace(snap, neuron_grids=(*snap.neuron_grids[:-1], half)))
    c = view._neurons[-1][0].image.pixelColor(3, 3)
    assert min(c.red(), c.green(), c.blue()) > 220  # white-ish, not blue


def test_no_grids_draws_discs_and_says_so_once(view):
    snap = three_input_snapshot(include_grids=False)
    assert snap.neuron_grids is None
    view.set_snapshot(snap)
    assert len(items(view, EdgeItem)) == 3 * 3 + 3 * 1
    assert all(n.image is None for c in view._neurons for n in c)
    assert view._note.isVisible() and view._note.text() == NO_THUMBNAILS
    assert {t.text() for _, _, t in view._unit_labels} >= {"age", "height", "weight"}
    view.grab()  # paints the discs without error
    view.set_snapshot(make_snapshot((4, 2)))
    assert not view._note.isVisible()


def test_three_inputs_get_thumbnails_of_the_slice_and_say_so(view):
    snap = three_input_snapshot()
    view.set_snapshot(snap)
    assert all(n.image is not None for c in view._neurons for n in c)
    assert view._note.isVisible() and view._note.text() == "thumbnails: slice"
    # the held input's thumbnail is flat (one colour), the inputs on the axes are not
    held = view._neurons[0][2].image
    colors = {held.pixelColor(x, y).rgb() for x in (0, 20, 39) for y in (0, 20, 39)}
    assert len(colors) == 1
    u = view._neurons[0][0].image
    assert u.pixelColor(0, 20) != u.pixelColor(39, 20)


def test_highlight_dims_other_edges_and_none_clears(view):
    view.set_snapshot(make_snapshot((4, 2)))
    view.highlight({(0, 1, 2): 1.0, (1, 0, 0): 0.5, (9, 9, 9): 1.0, (1, -1, 1): 1.0})
    assert edge(view, 0, 1, 2).opacity() == pytest.approx(1.0)
    assert 0.12 < edge(view, 1, 0, 0).opacity() < 1.0
    assert edge(view, 0, 0, 0).opacity() < 0.2
    assert view._biases[1][1].opacity() == pytest.approx(1.0)  # i = -1: the bias of neuron j
    assert view._biases[1][0].opacity() < 0.2
    view.set_snapshot(make_snapshot((3,)))  # a rebuild keeps the emphasis where it still fits
    assert edge(view, 0, 1, 2).opacity() == pytest.approx(1.0)
    assert edge(view, 0, 0, 0).opacity() < 0.2
    view.highlight(None)
    assert all(e.opacity() == 1.0 for e in view._edges)
    assert all(b.opacity() == 1.0 for layer in view._biases for b in layer)


# ---------------------------------------------------------------- +/− controls
def press_button(view, key):
    """A real left click on the graph's "+" or "−" of a hidden layer: key = (layer, ±1)."""
    b = view._neuron_buttons[key]
    click(view, viewport_point(view, b.sceneBoundingRect().center()))


def test_plus_neuron_of_hidden_layer_1_emits_the_new_sizes(view, qtbot):
    view.set_snapshot(make_snapshot((4, 2)))
    b = view._neuron_buttons[(0, +1)]
    with qtbot.waitSignal(view.hidden_changed, timeout=1000) as sig:
        click(view, viewport_point(view, b.sceneBoundingRect().center()))
    assert sig.args == [(5, 2)]
    with qtbot.waitSignal(view.hidden_changed, timeout=1000) as sig:
        press_button(view, (1, -1))
    assert sig.args == [(4, 1)]


def test_layer_buttons_add_and_remove_a_layer(view, qtbot):
    view.set_snapshot(make_snapshot((4, 2)))
    with qtbot.waitSignal(view.hidden_changed, timeout=1000) as sig:
        qtbot.mouseClick(view._add_layer, Qt.MouseButton.LeftButton)
    assert len(sig.args[0]) == 3 and sig.args[0][:2] == (4, 2)
    with qtbot.waitSignal(view.hidden_changed, timeout=1000) as sig:
        qtbot.mouseClick(view._remove_layer, Qt.MouseButton.LeftButton)
    assert sig.args == [(4,)]


def test_minus_at_the_lower_limits_does_nothing(view, qtbot):
    view.set_snapshot(make_snapshot((1,)))
    emitted = []
    view.hidden_changed.connect(emitted.append)
    minus = view._neuron_buttons[(0, -1)]
    assert not minus.isEnabled()
    press_button(view, (0, -1))  # a disabled button ignores the click
    view.set_snapshot(make_snapshot(()))
    assert not view._remove_layer.isEnabled()
    qtbot.mouseClick(view._remove_layer, Qt.MouseButton.LeftButton)
    assert emitted == []
    qtbot.mouseClick(view._add_layer, Qt.MouseButton.LeftButton)
    assert emitted == [(2,)]


def test_upper_limits_are_respected(view, qtbot):
    view.set_max_hidden(2, 4)
    view.set_snapshot(make_snapshot((4, 2)))
    emitted = []
    view.hidden_changed.connect(emitted.append)
    assert not view._add_layer.isEnabled() and not view._neuron_buttons[(0, +1)].isEnabled()
    qtbot.mouseClick(view._add_layer, Qt.MouseButton.LeftButton)
    press_button(view, (0, +1))
    assert emitted == []
    press_button(view, (1, +1))  # layer 2 has 2 < 4 neurons
    assert emitted == [(4, 3)]
    view.set_max_hidden(8, 16)
    assert view._add_layer.isEnabled() and view._neuron_buttons[(0, +1)].isEnabled()
    qtbot.mouseClick(view._add_layer, Qt.MouseButton.LeftButton)
    assert emitted[-1] == (4, 2, 2)


# ---------------------------------------------------------------- hovering
def test_hovering_a_neuron_emits_and_shows_its_values(view, qtbot):
    snap = make_snapshot((4, 2))
    view.set_snapshot(snap)
    n = view._neurons[1][2]
    with qtbot.waitSignal(view.neuron_hovered, timeout=1000) as sig:
        move(view, viewport_point(view, n.sceneBoundingRect().center()))
    assert sig.args == [1, 2]
    tip = n.toolTip()
    assert tip.startswith("H1·3: neuron 3 of hidden layer 1") and "tanh" in tip
    assert f"bias: {snap.biases[0][2]:.4g}" in tip and f"dC/db: {snap.grad_biases[0][2]:.4g}" in tip
    with qtbot.waitSignal(view.neuron_hovered, timeout=1000) as sig:
        move(view, QPoint(2, 2))
    assert sig.args == [-1, -1]
    move(view, viewport_point(view, n.sceneBoundingRect().center()))
    with qtbot.waitSignal(view.neuron_hovered, timeout=1000) as sig:
        view.set_snapshot(make_snapshot((3,)))  # the hovered neuron disappears
    assert sig.args == [-1, -1]


def test_hovering_an_edge_shows_weight_gradient_and_update(view, qtbot):
    snap = make_snapshot((4, 2))
    view.set_snapshot(snap)
    e = edge(view, 1, 3, 1)
    move(view, clear_point(view, e))
    qtbot.waitUntil(lambda: e.hovered, timeout=1000)
    tip = e.toolTip()
    assert f"weight: {snap.weights[1][3, 1]:.4g}" in tip
    assert f"dC/dw: {snap.grad_weights[1][3, 1]:.4g}" in tip
    assert f"last Δw: {snap.update_weights[1][3, 1]:.4g}" in tip
    # the tooltip follows new snapshots while the pointer stays
    W = snap.weights[1].copy()
    W[3, 1] = 0.123
    view.set_snapshot(dataclasses.replace(snap, weights=(snap.weights[0], W, snap.weights[2])))
    assert "weight: 0.123" in e.toolTip()


# ---------------------------------------------------------------- layout
def test_layout_follows_the_widget_size(view, qtbot):
    view.set_snapshot(make_snapshot((8, 8)))
    n = view._neurons[1][0]
    small = (n.size, n.scenePos().x())
    view.resize(1100, 800)
    qtbot.waitUntil(lambda: view._view.viewport().width() > 1000
                    and not view._relayout_timer.isActive(), timeout=1000)
    assert n.size > small[0] and n.scenePos().x() > small[1]
    e = edge(view, 0, 0, 0)  # edges end on the moved neurons
    end = e.path().pointAtPercent(1.0)
    assert end.x() == pytest.approx(n.scenePos().x())
    assert end.y() == pytest.approx(n.scenePos().y() + n.size / 2)
    assert view._scene.sceneRect().width() == view._view.viewport().width()


def test_resizes_lay_the_graph_out_once_in_the_next_turn(view, qtbot, monkeypatch):
    """Not inside the window's layout pass (one uninterrupted stretch with the scene's
    update, ~0.2 s on a busy machine), and the resizes of a drag come together."""
    view.set_snapshot(make_snapshot((8, 8)))
    qtbot.waitUntil(lambda: not view._relayout_timer.isActive(), timeout=1000)
    n = view._neurons[1][0]
    before = n.scenePos().x()
    layouts = []
    original = type(view)._layout
    monkeypatch.setattr(type(view), "_layout", lambda self: (layouts.append(1), original(self)))
    view._relayout_timer.timeout.disconnect()
    view._relayout_timer.timeout.connect(view._layout)  # the patched method
    for width in (900, 1000, 1100):
        view.resize(width, 800)  # a visible widget gets its resize events at once
    assert view._view.viewport().width() > 1000
    assert view._relayout_timer.isActive() and layouts == [] and n.scenePos().x() == before
    qtbot.waitUntil(lambda: not view._relayout_timer.isActive(), timeout=1000)
    assert layouts == [1] and n.scenePos().x() > before


def test_a_relayout_that_moves_nothing_keeps_the_edges_paths(view, qtbot):
    """~2000 edges' paths and pick shapes rebuilt on every relayout cost ~40 ms on the GUI
    thread; only the edges whose ends moved get new ones."""
    view.set_snapshot(make_snapshot((8, 8)))
    shapes = [e.shape() for e in view._edges]  # built once and cached by each edge
    view._layout()  # the same size: nothing moved
    assert all(e.shape() is old for e, old in zip(view._edges, shapes))
    view.resize(1100, 800)
    qtbot.waitUntil(lambda: view._view.viewport().width() > 1000
                    and not view._relayout_timer.isActive(), timeout=1000)
    assert not any(e.shape() is old for e, old in zip(view._edges, shapes))  # all moved


def test_no_text_on_the_graph_is_smaller_than_the_minimum(qtbot):
    from PySide6.QtGui import QFont, QFontInfo
    from PySide6.QtWidgets import QGraphicsSimpleTextItem

    from gui.graph.annotations import NoteItem
    from gui.graph.network_view import MIN_FONT_PX
    w = NetworkView()
    qtbot.addWidget(w)
    tiny = QFont(w.font())
    tiny.setPixelSize(6)  # a tiny application font
    w.setFont(tiny)
    w.resize(600, 400)
    w.show()
    w.set_snapshot(make_snapshot((4, 2)))
    w.set_annotations({(1, 0): "a=0.5"}, {(0, 0, 0): "0.25"}, 1)
    fonts = [it.font() for it in w._scene.items() if isinstance(it, QGraphicsSimpleTextItem)]
    fonts += [it.font for it in w._scene.items() if isinstance(it, NoteItem)]
    assert len(fonts) >= 8 + 3 + 2
    assert min(QFontInfo(f).pixelSize() for f in fonts) >= MIN_FONT_PX


def test_the_largest_network_builds_with_short_labels(view):
    feats = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")
    snap = make_snapshot((16,) * 8, features=feats)
    view.set_snapshot(snap)
    assert len(view._edges) == 7 * 16 + 16 * 16 * 7 + 16
    assert view._titles[1][0].text() == "H1" and view._titles[1][1].text() == "16"
    assert not view._add_layer.isEnabled()
    assert not any(view._neuron_buttons[(k, +1)].isEnabled() for k in range(8))
    view.set_edge_mode("updates")
    view.grab()


def _label_spots(view):
    notes = view._notes
    return ({k: (it.pos().x(), it.pos().y(), it.text) for k, it in notes._items.items()
             if it.isVisible()}, sorted(notes.hidden))


def test_relabelling_with_the_same_widths_searches_no_spot_again(view, monkeypatch):
    """The data point view and the lessons relabel a few times a second: labels whose boxes
    kept their sizes keep their spots (no search; ~150 ms on a big graph), and a label that
    changed size, with all after it, is placed as a first placement would place it."""
    from gui.graph.annotations import AnnotationLayer
    view.set_snapshot(make_snapshot((8, 8)))
    sizes = view._snap.sizes

    def labels(digit, wide_at=None):
        edges = {(l, i, j): f"{digit}.{i}{j}" for l in range(len(sizes) - 1)
                 for i in range(sizes[l]) for j in range(sizes[l + 1])}
        if wide_at is not None:
            edges[wide_at] = "−1234.5678"
        return {(c, u): f"a={digit}.{u}" for c, n in enumerate(sizes) for u in range(n)}, edges

    view.set_annotations(*labels(1))
    first, hidden = _label_spots(view)
    assert first and hidden  # a crowded graph: some shown, some counted
    searched = []
    spots = AnnotationLayer._edge_spots
    monkeypatch.setattr(AnnotationLayer, "_edge_spots",
                        staticmethod(lambda *a: searched.append(a[0]) or spots(*a)))
    view.set_annotations(*labels(2))  # new numbers, the same widths
    again, hidden_again = _label_spots(view)
    assert searched == [] and hidden_again == hidden
    assert {k: v[:2] for k, v in again.items()} == {k: v[:2] for k, v in first.items()}
    assert all(v[2].startswith(("2.", "a=2.")) for k, v in again.items()
               if k[0] != "hint")  # the new texts

    middle = list(view._notes.edges)[len(view._notes.edges) // 2]
    view.set_annotations(*labels(3, wide_at=middle))
    assert 0 < len(searched) < len(view._notes.edges)  # from the changed label on only
    incremental = _label_spots(view)
    view._notes._memo = None  # forget: a first placement of the same labels
    view._place_labels()
    assert _label_spots(view) == incremental
