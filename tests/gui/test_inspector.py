"""The chain-rule inspector on the real window: its product is the engine's gradient.

Expected numbers come from a headless ``loss_and_gradients`` on a copy of the worker's network
and the same training rows, fetched with ``worker.call`` while the trainer is paused. Edges are
picked with real clicks on the graph, the dock opened and cleared with real keys.
"""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from graph_helpers import click_edge
from gui.views import inspector, inspector_text
from model.playground import Settings
from window_helpers import choose, press, type_into_spin_box
from tests.gui.window_helpers import fed

WAIT_MS = 20_000


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def settle(qtbot, window):
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.extras["seq"] >= window._seq, timeout=WAIT_MS)


def open_inspector(qtbot, window):
    ins = inspector.install(window)
    press(qtbot, window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(ins.dock.isVisible, timeout=WAIT_MS)
    return ins


def click(qtbot, window, ins, layer, i, j):
    """A real click on the edge (i = -1: the bias square); the inspector takes it."""
    qtbot.wait(50)  # the graph has taken its size after a dock opened
    click_edge(window.network_view, layer, i, j)
    assert ins.selection == (layer, i, j)


def shown(qtbot, ins, selection, steps, mode="last"):
    """The result for ``selection`` once the inspector shows one made after ``steps`` steps."""
    qtbot.waitUntil(lambda: ins.result is not None and ins.result.selection == selection
                    and ins.result.steps == steps and ins.result.mode == mode, timeout=WAIT_MS)
    return ins.result


def expected(window, rows=None):
    """(net copy, rows, loss name, grads) computed headless on the trainer's last batch."""
    def fetch(pg):
        t = pg.trainer
        r = t.order[t.last_batch].copy() if rows is None else np.asarray(rows)
        return pg.net.copy(), r, t.X_train[r].copy(), t.Y_train[r].copy(), t.loss.name, t.steps
    net, r, X, Y, loss, steps = in_worker(window, fetch)
    _, grads = net.loss_and_gradients(X, Y, loss)
    return net, r, grads, steps


def engine_value(grads, layer, i, j):
    dW, db = grads[layer]
    return db[j] if i < 0 else dW[i, j]


def check_edges(qtbot, window, ins, edges, steps):
    net, rows, grads, fetched_steps = expected(window)
    assert fetched_steps == steps
    for layer, i, j in edges:
        click(qtbot, window, ins, layer, i, j)
        r = shown(qtbot, ins, (layer, i, j), steps)
        want = engine_value(grads, layer, i, j)
        np.testing.assert_array_equal(r.rows, rows)
        assert r.chain.gradient == pytest.approx(want, rel=1e-10, abs=1e-15)
        assert r.chain.trainer_gradient == pytest.approx(want, rel=1e-10, abs=1e-15)
        assert r.chain.gradient == pytest.approx(r.chain.products.mean(), rel=1e-12, abs=1e-15)
        # the panel shows the product and the trainer's gradient side by side
        text = ins.panel.paths.toPlainText()
        assert "trainer’s gradient" in text and inspector_text._n(want) in text
        assert "✓ equal" in text
        assert inspector_text._n(want) in ins.panel.factors.toPlainText()
    return net


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_product_equals_engine_gradient_for_hidden_output_and_bias(qtbot, make_window,
                                                                   activation):
    window = make_window(Settings(hidden=(4, 3), activation=activation, init_scheme="tf"))
    ins = open_inspector(qtbot, window)
    for _ in range(3):
        window.step()
    settle(qtbot, window)
    edges = [(0, 1, 2), (1, 2, 1), (2, 1, 0), (0, -1, 3), (2, -1, 0)]
    check_edges(qtbot, window, ins, edges, steps=3)
    assert ins.result.chain.activation == "sigmoid" and ins.result.chain.is_output


def test_softmax_output_edges(qtbot, make_window):
    window = make_window(Settings(dataset="blobs", hidden=(4,), activation="tanh"))
    ins = open_inspector(qtbot, window)
    for _ in range(2):
        window.step()
    settle(qtbot, window)
    check_edges(qtbot, window, ins, [(1, 2, 1), (1, -1, 2), (0, 0, 3)], steps=2)
    click(qtbot, window, ins, 1, 3, 0)
    r = shown(qtbot, ins, (1, 3, 0), 2)
    assert r.chain.activation == "softmax" and r.chain.loss == "cce"
    # softmax couples the outputs: one term per output, the panel lists them
    assert [t.k for t in r.chain.downstream] == [0, 1, 2]
    assert "softmax couples the outputs" in ins.panel.factors.toPlainText()


def test_downstream_paths_are_listed_and_highlighted_by_share(qtbot, make_window):
    window = make_window(Settings(hidden=(4, 3), activation="tanh"))
    ins = open_inspector(qtbot, window)
    window.step()
    settle(qtbot, window)
    click(qtbot, window, ins, 0, 1, 2)
    r = shown(qtbot, ins, (0, 1, 2), 1)
    # independent: the paths W_next[2][k]·δ_k of hidden neuron 2 from a headless backprop
    net, rows, _, _ = expected(window)
    delta_next = net.cache["delta"][1]
    terms = (net.layers[1].W[2][None, :] * delta_next).mean(axis=0)
    shares = np.abs(terms) / np.abs(terms).sum()
    assert [t.k for t in r.chain.downstream] == [0, 1, 2]
    np.testing.assert_allclose([t.term for t in r.chain.downstream], terms, rtol=1e-10)
    np.testing.assert_allclose([t.share for t in r.chain.downstream], shares, rtol=1e-10)
    # ∂C/∂a_j is the sum of the paths, per example
    np.testing.assert_allclose(r.chain.dC_da, (net.layers[1].W[2][None, :] * delta_next).sum(1))
    highlight = window.network_view._highlight
    assert highlight[(0, 1, 2)] == 1.0
    for k in range(3):
        assert highlight[(1, 2, k)] == pytest.approx(shares[k] / shares.max())
    assert set(highlight) == {(0, 1, 2), (1, 2, 0), (1, 2, 1), (1, 2, 2)}
    paths = ins.panel.paths.toPlainText()
    assert "W_next[2][k]" in paths and "Σ_k W_next[j][k]·δ_k" in paths
    # Esc clears the selection and the highlight
    press(qtbot, window, Qt.Key.Key_Escape)
    assert window.network_view._highlight is None and ins.result is None
    # closing the dock clears the highlight too
    click(qtbot, window, ins, 0, 1, 2)
    shown(qtbot, ins, (0, 1, 2), 1)
    assert window.network_view._highlight is not None
    ins.dock.close()
    qtbot.waitUntil(lambda: window.network_view._highlight is None, timeout=WAIT_MS)


def test_updates_after_a_step_and_while_training(qtbot, make_window):
    window = make_window(Settings(hidden=(4, 2), activation="tanh"))
    ins = open_inspector(qtbot, window)
    window.step()
    settle(qtbot, window)
    click(qtbot, window, ins, 1, 3, 1)
    first = shown(qtbot, ins, (1, 3, 1), 1)
    window.step()
    settle(qtbot, window)
    second = shown(qtbot, ins, (1, 3, 1), 2)
    _, rows, grads, _ = expected(window)
    np.testing.assert_array_equal(second.rows, rows)
    assert second.chain.gradient == pytest.approx(engine_value(grads, 1, 3, 1), rel=1e-10)
    assert not np.array_equal(first.rows, second.rows)
    # while training flat out the panel keeps refreshing
    window.play()
    qtbot.waitUntil(lambda: ins.result.steps > 50, timeout=WAIT_MS)
    window.pause()


def test_single_example_matches_a_one_row_computation(qtbot, make_window):
    window = make_window(Settings(hidden=(3,), activation="sigmoid"))
    ins = open_inspector(qtbot, window)
    window.step()
    settle(qtbot, window)
    click(qtbot, window, ins, 0, 0, 1)
    choose(qtbot, ins.panel.mode, "example")
    type_into_spin_box(qtbot, ins.panel.example, 7)
    r = shown(qtbot, ins, (0, 0, 1), 1, mode="example")
    qtbot.waitUntil(lambda: int(ins.result.rows[0]) == 7, timeout=WAIT_MS)
    r = ins.result
    net, rows, grads, _ = expected(window, rows=[7])
    want = engine_value(grads, 0, 0, 1)
    assert list(r.rows) == [7]
    assert r.chain.gradient == pytest.approx(want, rel=1e-10)
    # one example: the three factors multiply to the product
    c = r.chain
    assert c.source[0] * c.fprime[0] * c.dC_da[0] == pytest.approx(c.products[0], rel=1e-9)
    assert c.source[0] == pytest.approx(net.cache["input"][0, 0])
    text = ins.panel.factors.toPlainText()
    assert "Training example #7" in text and inspector_text._n(want) in text


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_next_update_is_the_change_the_next_step_makes(qtbot, make_window, optimizer):
    window = make_window(Settings(hidden=(4,), activation="tanh", optimizer=optimizer,
                                  regularization="l2", reg_rate=0.01))
    ins = open_inspector(qtbot, window)
    for _ in range(2):
        window.step()
    settle(qtbot, window)
    click(qtbot, window, ins, 0, 1, 2)
    choose(qtbot, ins.panel.mode, "next")
    r = shown(qtbot, ins, (0, 1, 2), 2, mode="next")
    before = window.latest_snapshot.weights[0][1, 2]
    window.step()
    settle(qtbot, window)
    after = window.latest_snapshot.weights[0][1, 2]
    u = r.chain.update
    assert u["optimizer"] == optimizer and u["regularization"]["kind"] == "l2"
    assert set(u["terms"]) >= ({"velocity v"} if optimizer == "momentum" else {"m", "v"})
    assert after - before == pytest.approx(u["delta_w"], rel=1e-9, abs=1e-15)
    assert "Next step" in ins.panel.paths.toPlainText()


def test_architecture_change_drops_a_selection_that_no_longer_exists(qtbot, make_window):
    window = make_window(Settings(hidden=(4, 3)))
    ins = open_inspector(qtbot, window)
    click(qtbot, window, ins, 1, 3, 2)
    shown(qtbot, ins, (1, 3, 2), 0)
    window.update_settings(hidden=(2,))
    qtbot.waitUntil(lambda: ins.selection is None, timeout=WAIT_MS)
    assert window.network_view._highlight is None


def test_a_selection_from_the_graph_s_older_network_is_ignored(qtbot, make_window):
    """The graph draws paced frames, the inspector takes every snapshot: right after the
    network shrinks, a click on the graph can still name an edge the new one does not have."""
    window = make_window(Settings(hidden=(4, 3)))
    ins = open_inspector(qtbot, window)
    click(qtbot, window, ins, 1, 3, 2)
    window.network_view.edge_selected.emit(1, 4, 2)  # no fifth neuron in H1
    window.network_view.edge_selected.emit(3, 0, 0)  # no layer after the output
    assert ins.selection == (1, 3, 2)
    assert "→" in ins.panel.title.text()
