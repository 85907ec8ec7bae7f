"""Look at one data point: click it in the output view, see its forward pass, loss,
prediction and per-example gradient, checked against independent computations. Driven by
real clicks on the output plane and real keys."""
import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gui.views import lesson as lesson_mod
from gui.views import point_view as pv
from model.playground import Playground
from window_helpers import click_data as _click_data, press
from tests.gui.window_helpers import fed

WAIT_MS = 20_000


@pytest.fixture
def view(window):
    return pv.install(window)


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def click_data(qtbot, window, x, y):
    _click_data(window, x, y)


def click_point(qtbot, window, part, k):
    """A real click on point k of the training ("train") or test ("test") data."""
    snap = window.latest_snapshot
    X = snap.X_train if part == "train" else snap.X_test
    click_data(qtbot, window, *X[k])


def trained(qtbot, window, steps=30):
    for _ in range(steps):
        window.actions_.step.trigger()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.steps == steps
                    and window.latest_snapshot.extras["seq"] >= window._seq, timeout=WAIT_MS)
    qtbot.wait(100)  # drawn: the view range is set
    return window.latest_snapshot


def test_clicking_a_point_shows_its_forward_pass_loss_and_gradient(qtbot, window, view):
    snap = trained(qtbot, window)
    k = 17
    x1, x2 = snap.X_train[k]
    click_data(qtbot, window, x1, x2)
    assert view.selected is not None and view.selected[:2] == ("train", k)
    qtbot.waitUntil(lambda: view.info is not None, timeout=WAIT_MS)
    info = view.info
    np.testing.assert_array_equal(view.marker.getData()[0], [x1])

    # independent forward pass with the snapshot's weights (tanh, tanh, sigmoid)
    a = np.array([x1, x2])
    acts = [a]
    for l, (W, b) in enumerate(zip(snap.weights, snap.biases)):
        z = a @ W + b
        a = 1 / (1 + np.exp(-z)) if l == len(snap.weights) - 1 else np.tanh(z)
        acts.append(a)
    for c, expected in enumerate(acts):
        np.testing.assert_allclose(info.acts[c], expected, rtol=1e-12)
    y = float(snap.y_train[k])
    p = float(acts[-1][0])
    assert info.loss == pytest.approx(-(y * math.log(p) + (1 - y) * math.log(1 - p)), rel=1e-9)
    assert info.label == str(int(y)) and info.prediction == str(int(p > 0.5))

    # the gradient: one SGD step on this example alone moves each weight by −lr·g
    def step_on_copy(pg):
        ref = Playground(pg.settings, data=pg.custom_data, network=pg.net.copy())
        ref.trainer.load_state(pg.trainer.state())
        before = [l.W.copy() for l in ref.net.layers]
        ref.trainer.step_rows([k])
        return [l.W - w for l, w in zip(ref.net.layers, before)], ref.trainer.lr
    moved, lr = in_worker(window, step_on_copy)
    for l, d in enumerate(moved):
        np.testing.assert_allclose(d, -lr * info.grad_w[l], rtol=1e-9, atol=1e-15)

    # the graph: activations under the neurons, arrows on the edges pulled hardest
    neurons, edges, active = window.network_view.annotations()
    assert neurons[(3, 0)] == f"a={pv.short_number(p)}" and neurons[(0, 1)] == f"x={pv.short_number(x2)}"
    assert 0 < len(edges) <= pv.TOP_EDGES and active is None
    grad = lambda e: info.grad_b[e[0]][e[2]] if e[1] < 0 else info.grad_w[e[0]][e[1], e[2]]
    for (l, i, j), text in edges.items():
        direction = np.sign(moved[l][i, j]) if i >= 0 else -np.sign(grad((l, i, j)))
        assert text.startswith("↑" if direction > 0 else "↓"), text
    top = max(edges, key=lambda e: abs(grad(e)))  # the strongest pull is not dimmed
    nv = window.network_view
    item = nv._bias_item(top[0], top[2]) if top[1] < 0 else nv._edge_item(*top)
    assert item.opacity() == pytest.approx(1.0)
    text = view.panel.summary.text()
    assert f"Training point #{k}" in text and f"label: <b>{int(y)}</b>" in text
    assert pv.short_number(info.loss) in text


def test_empty_space_and_esc_clear_the_selection(qtbot, window, view):
    snap = trained(qtbot, window, steps=2)
    click_point(qtbot, window, "train", 3)
    qtbot.waitUntil(lambda: view.info is not None, timeout=WAIT_MS)
    assert view.selected[:2] == ("train", 3) and view.clear_action.isEnabled()
    press(qtbot, window, Qt.Key.Key_Escape)
    assert view.selected is None and not view.clear_action.isEnabled()
    assert window.network_view.annotations() == ({}, {}, None)
    assert len(view.marker.getData()[0]) == 0
    click_point(qtbot, window, "train", 3)
    qtbot.waitUntil(lambda: view.info is not None, timeout=WAIT_MS)
    # far from every point: the corner of the plane
    X = snap.X_train
    corner = (snap.extent[0] + 0.05, snap.extent[2] + 0.05)
    assert np.min(np.hypot(X[:, 0] - corner[0], X[:, 1] - corner[1])) > 0.5
    click_data(qtbot, window, *corner)
    assert view.selected is None
    assert window.network_view.annotations() == ({}, {}, None)


def test_test_points_when_shown(qtbot, window, view):
    trained(qtbot, window, steps=2)
    qtbot.mouseClick(window.output_view.show_test, Qt.MouseButton.LeftButton)
    assert window.output_view.show_test.isChecked()
    qtbot.wait(100)  # drawn
    click_point(qtbot, window, "test", 5)
    assert view.selected[:2] == ("test", 5)
    qtbot.waitUntil(lambda: view.info is not None, timeout=WAIT_MS)
    assert "Test point #5" in view.panel.summary.text()


def test_clicks_are_left_to_a_drawing_tool_and_to_lesson_mode(qtbot, window, view):
    snap = trained(qtbot, window, steps=2)
    x1, x2 = snap.X_train[0]
    window.output_view.setProperty("tool", "draw")
    click_data(qtbot, window, x1, x2)
    assert view.selected is None
    window.output_view.setProperty("tool", "")
    lesson = lesson_mod.install(window)
    press(qtbot, window, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: lesson.build is not None, timeout=WAIT_MS)
    click_data(qtbot, window, x1, x2)
    assert view.selected is None
    assert "lesson" in window.statusBar().currentMessage()
    qtbot.mouseClick(lesson.panel.discard, Qt.MouseButton.LeftButton)
    assert not lesson.active
    click_data(qtbot, window, x1, x2)
    assert view.selected is not None and view.selected[:2] == ("train", 0)


def test_the_numbers_follow_training(qtbot, window, view):
    trained(qtbot, window, steps=2)
    click_point(qtbot, window, "train", 10)
    qtbot.waitUntil(lambda: view.info is not None, timeout=WAIT_MS)
    assert view.selected[:2] == ("train", 10)
    first = view.info
    window.actions_.play.trigger()
    qtbot.waitUntil(lambda: view.info is not None and view.info.steps > first.steps + 50,
                    timeout=WAIT_MS)
    window.actions_.play.trigger()
    assert view.selected[:2] == ("train", 10)


def test_a_click_on_the_points_builds_no_object_per_point(qtbot, window, view):
    """pyqtgraph's own point picking made one SpotItem per data point on the first click after
    new data (100 ms on the GUI thread for a few thousand points); the plane's click is ours."""
    trained(qtbot, window, steps=2)
    click_point(qtbot, window, "train", 5)
    assert view.selected is not None and view.selected[:2] == ("train", 5)
    spots = window.output_view.train_points.data["item"]
    assert len(spots) == len(window.latest_snapshot.X_train)
    assert all(s is None for s in spots)
