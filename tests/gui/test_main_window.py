"""The real main window driven through its actions and widgets, with the trainer thread.

Exactness is checked against a headless Playground with the same settings: the worker
trains with Trainer.step_batch only, so N steps in the window and N headless steps give the
same weights bit for bit.
"""
import numpy as np
import pytest
from graph_helpers import click, clear_point, double_click, edge, move, viewport_point
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from model.core.network import Network
from model.playground import Playground, Settings
from model.files.serialize import load_network, save_network

WAIT_MS = 20_000  # generous: the worker thread shares a small, busy machine


# ----------------------------------------------------------------------------- helpers
def type_learning_rate(window, text):
    """Type a rate into the top bar's box and press Enter, as a user does."""
    line = window.controls.lr.lineEdit()
    line.setFocus()
    line.selectAll()
    QTest.keyClicks(line, text)
    QTest.keyClick(line, Qt.Key.Key_Return)


def press_neuron_button(view, layer, delta):
    """A real click on the graph's "+" (delta 1) or "−" (-1) above hidden layer ``layer``."""
    b = view._neuron_buttons[(layer, delta)]
    click(view, viewport_point(view, b.sceneBoundingRect().center()))


def wait_snapshot(qtbot, window, predicate, timeout=WAIT_MS):
    """The first snapshot (the current one included) for which predicate holds."""
    qtbot.waitUntil(lambda: window.latest_snapshot is not None
                    and predicate(window.latest_snapshot), timeout=timeout)
    return window.latest_snapshot


def settled(window):
    """True once the worker has handled every command the window sent."""
    return lambda s: s.extras["seq"] >= window._seq


def in_worker(window, fn):
    """fn(playground) evaluated in the worker thread, between two steps."""
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def params(snap):
    return np.concatenate([np.vstack([W, b[None, :]]).ravel()
                           for W, b in zip(snap.weights, snap.biases)])


def headless(snap, steps):
    """A Playground with the snapshot's settings, trained ``steps`` minibatches."""
    pg = Playground(snap.extras["settings"])
    for _ in range(steps):
        pg.trainer.step_batch()
    return pg


def play_some(qtbot, window, epochs=3):
    window.actions_.play.trigger()
    wait_snapshot(qtbot, window, lambda s: s.running and s.epoch >= epochs)
    window.actions_.play.trigger()  # pause
    return wait_snapshot(qtbot, window, lambda s: settled(window)(s) and not s.running)


# ----------------------------------------------------------------------------- basics
def test_window_layout_and_first_snapshot(window):
    assert window.windowTitle() == "Untitled[*] — Backprop Playground"  # no session file yet
    assert not window.isWindowModified()
    snap = window.latest_snapshot
    assert snap.sizes == (2, 4, 2, 1) and snap.epoch == 0 and not snap.running
    assert window.network_view.__class__.__name__ == "NetworkView"
    shortcuts = {a.shortcut().toString() for a in window.actions()}
    assert {"Space", "Right", "R", "Ctrl+E", "Ctrl+O"} <= shortcuts
    for widget in (window.controls.lr, window.controls.activation, window.controls.speed,
                   window.data_panel.regenerate, window.output_view.discretize,
                   window.loss_plot.log_scale, window.edge_mode):
        assert widget.toolTip()


def test_pause_stops_the_trainer_where_the_snapshot_says(qtbot, window):
    snap = play_some(qtbot, window)
    state = in_worker(window, lambda pg: (pg.trainer.steps, pg.trainer.epoch,
                                          pg.net.params.copy()))
    assert (snap.steps, snap.epoch) == state[:2]
    np.testing.assert_array_equal(params(snap), state[2])
    qtbot.wait(200)
    assert in_worker(window, lambda pg: pg.trainer.steps) == snap.steps  # really stopped
    # exactly the weights of the same number of headless steps
    np.testing.assert_array_equal(params(snap), headless(snap, snap.steps).net.params)


def test_step_runs_exactly_one_sgd_minibatch(qtbot, window):
    before = window.latest_snapshot
    window.actions_.step.trigger()
    after = wait_snapshot(qtbot, window, lambda s: s.steps == before.steps + 1)
    assert after.epoch == 0 and not after.running
    lr = after.lr
    for W0, W1, dW, b0, b1, db in zip(before.weights, after.weights, after.grad_weights,
                                      before.biases, after.biases, after.grad_biases):
        np.testing.assert_array_equal(W1, W0 - lr * dW)
        np.testing.assert_array_equal(b1, b0 - lr * db)
    ref = headless(after, 1)
    np.testing.assert_array_equal(params(after), ref.net.params)
    np.testing.assert_array_equal(np.concatenate([g.ravel() for g in after.grad_weights]),
                                  np.concatenate([l.dW.ravel() for l in ref.net.layers]))
    qtbot.wait(100)
    assert in_worker(window, lambda pg: pg.trainer.steps) == 1


def test_step_after_training_continues_exactly(qtbot, window):
    snap = play_some(qtbot, window, epochs=2)
    window.actions_.step.trigger()
    after = wait_snapshot(qtbot, window, lambda s: s.steps == snap.steps + 1)
    np.testing.assert_array_equal(params(after), headless(after, after.steps).net.params)
    window.actions_.step_epoch.trigger()
    done = wait_snapshot(qtbot, window, lambda s: s.epoch == after.epoch + 1)
    assert done.position == 0 and not done.running


def test_keyboard_shortcuts(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    first = window.latest_snapshot
    qtbot.keyClick(window, Qt.Key.Key_Right)
    wait_snapshot(qtbot, window, lambda s: s.steps == first.steps + 1)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    wait_snapshot(qtbot, window, lambda s: s.running and s.epoch >= 1)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    wait_snapshot(qtbot, window, lambda s: settled(window)(s) and not s.running)
    qtbot.keyClick(window, Qt.Key.Key_R)
    reset = wait_snapshot(qtbot, window, lambda s: settled(window)(s) and s.steps == 0)
    np.testing.assert_array_equal(params(reset), params(first))


def test_reset_brings_back_the_same_initial_weights(qtbot, window):
    first = window.latest_snapshot
    trained = play_some(qtbot, window, epochs=2)
    assert not np.array_equal(params(trained), params(first))
    window.actions_.reset.trigger()
    reset = wait_snapshot(qtbot, window, lambda s: settled(window)(s) and s.run_id > trained.run_id)
    assert reset.epoch == reset.steps == 0 and len(reset.history_epoch) == 0
    np.testing.assert_array_equal(params(reset), params(first))
    window.actions_.new_seed.trigger()
    fresh = wait_snapshot(qtbot, window, lambda s: settled(window)(s) and s.run_id > reset.run_id)
    assert fresh.extras["settings"].seed != first.extras["settings"].seed
    assert not np.array_equal(params(fresh), params(first))


def test_learning_rate_change_keeps_weights_activation_change_rebuilds(qtbot, window):
    snap = play_some(qtbot, window, epochs=1)
    type_learning_rate(window, "0.1")
    hot = wait_snapshot(qtbot, window, lambda s: s.lr == 0.1 and settled(window)(s))
    assert hot.run_id == snap.run_id and hot.epoch == snap.epoch
    np.testing.assert_array_equal(params(hot), params(snap))
    for combo, value in ((window.controls.regularization, "l2"),
                         (window.controls.optimizer, "adam")):
        combo.setCurrentIndex(combo.findData(value))
    hot = wait_snapshot(qtbot, window, lambda s: settled(window)(s)
                        and s.extras["settings"].optimizer == "adam")
    settings = hot.extras["settings"]
    assert settings.regularization == "l2" and settings.reg_rate > 0
    assert in_worker(window, lambda pg: (type(pg.trainer.optimizer).__name__,
                                         pg.trainer.regularizer.kind)) == ("Adam", "l2")
    assert hot.run_id == snap.run_id and hot.epoch == snap.epoch
    np.testing.assert_array_equal(params(hot), params(snap))
    combo = window.controls.activation
    combo.setCurrentIndex(combo.findData("relu"))
    cold = wait_snapshot(qtbot, window, lambda s: s.activations[0] == "relu")
    assert cold.run_id > hot.run_id and cold.epoch == 0 and cold.lr == 0.1
    assert cold.extras["settings"].optimizer == "adam"


def test_architecture_change_while_running(qtbot, window):
    window.actions_.play.trigger()
    wait_snapshot(qtbot, window, lambda s: s.running and s.epoch >= 1)
    view = window.network_view
    QTest.mouseClick(view._add_layer, Qt.MouseButton.LeftButton)  # 4-2 → 4-2-2
    wait_snapshot(qtbot, window, lambda s: s.sizes == (2, 4, 2, 2, 1))
    # the buttons sit where the graph drew them: wait for the frame, not only the snapshot
    qtbot.waitUntil(lambda: view._snap.sizes == (2, 4, 2, 2, 1), timeout=WAIT_MS)
    press_neuron_button(view, 0, -1)  # 4 → 3 neurons in hidden layer 1
    snap = wait_snapshot(qtbot, window, lambda s: s.sizes == (2, 3, 2, 2, 1) and s.running
                         and s.epoch >= 2)
    assert window.latest_snapshot.extras["settings"].hidden == (3, 2, 2)
    window.actions_.play.trigger()
    wait_snapshot(qtbot, window, lambda s: settled(window)(s) and not s.running)
    assert snap.neuron_grids is not None and len(snap.neuron_grids) == 5


def test_data_panel_and_problem_type_rebuild_the_network(qtbot, window):
    window.data_panel.dataset_buttons["blobs"].click()
    snap = wait_snapshot(qtbot, window, lambda s: s.sizes[-1] == 3)
    assert snap.activations[-1] == "softmax" and snap.extras["loss"] == "cce"
    window.data_panel.feature_buttons["x1^2"].click()
    snap = wait_snapshot(qtbot, window, lambda s: s.input_names == ("x1", "x2", "x1^2"))
    task = window.controls.task
    task.setCurrentIndex(task.findData("regression"))
    snap = wait_snapshot(qtbot, window, lambda s: s.task == "regression")
    assert snap.extras["settings"].dataset == "plane" and snap.extras["loss"] == "mse"
    assert not window.data_panel.dataset_buttons["circle"].isVisible()
    assert window.data_panel.dataset_buttons["multi_gaussian"].isVisible()


def test_hovering_a_neuron_shows_its_grid_in_the_output_view(qtbot, window):
    view = window.network_view
    move(view, viewport_point(view, view._neurons[1][0].sceneBoundingRect().center()))
    qtbot.waitUntil(lambda: "H1·1" in window.output_view.title.text(), timeout=WAIT_MS)
    move(view, QPoint(2, 2))  # empty space: the output comes back
    qtbot.waitUntil(lambda: window.output_view.title.text() == "<b>Output</b>",
                    timeout=WAIT_MS)


# ----------------------------------------------------------------------------- editing
def edit_on_the_graph(qtbot, window, l, i, j, text):
    """Double-click an edge (i ≥ 0) or a bias square (i = -1), type ``text``, press Enter."""
    view = window.network_view
    point = (viewport_point(view, view._biases[l][j].sceneBoundingRect().center()) if i < 0
             else clear_point(view, edge(view, l, i, j)))
    click(view, point)  # select it first, as a hand does (and QTest's button state settles)
    double_click(view, point)
    line = view._editing.editor.line
    qtbot.waitUntil(line.isVisible, timeout=WAIT_MS)
    line.selectAll()
    QTest.keyClicks(line, text)
    QTest.keyClick(line, Qt.Key.Key_Return)


def test_editing_a_weight_changes_exactly_that_weight(qtbot, window):
    before = window.latest_snapshot
    edit_on_the_graph(qtbot, window, 1, 2, 0, "0.75")
    after = wait_snapshot(qtbot, window, lambda s: s.weights[1][2, 0] == 0.75)
    expected = [W.copy() for W in before.weights]
    expected[1][2, 0] = 0.75
    for W, E in zip(after.weights, expected):
        np.testing.assert_array_equal(W, E)
    edit_on_the_graph(qtbot, window, 0, -1, 3, "-1.5")
    after = wait_snapshot(qtbot, window, lambda s: s.biases[0][3] == -1.5)
    live = in_worker(window, lambda pg: (pg.net.layers[1].W[2, 0], pg.net.layers[0].b[3]))
    assert live == (0.75, -1.5)
    assert after.steps == 0  # an edit is not a training step


def test_editing_while_running(qtbot, window):
    seen = []  # every snapshot, not only the newest: training moves on between two looks
    window.worker.snapshot_ready.connect(
        lambda s: seen.append((s.steps, float(s.biases[2][0]), s.running)))
    window.actions_.play.trigger()
    wait_snapshot(qtbot, window, lambda s: s.running and s.steps > 0)
    edit_on_the_graph(qtbot, window, 2, -1, 0, "123")
    qtbot.waitUntil(lambda: any(b == 123.0 for _, b, _ in seen), timeout=WAIT_MS)
    at = next(k for k, (_, b, _) in enumerate(seen) if b == 123.0)
    edited_steps = seen[at][0]
    # training goes on from the edited value, without stopping
    qtbot.waitUntil(lambda: any(st > edited_steps and run for st, _, run in seen[at:]),
                    timeout=WAIT_MS)
    later = [b for st, b, _ in seen[at:] if st > edited_steps]
    assert later and all(abs(b - 123.0) < 123.0 for b in later)  # from 123, not from before
    window.actions_.play.trigger()
    wait_snapshot(qtbot, window, lambda s: settled(window)(s) and not s.running)


# ----------------------------------------------------------------------------- files
@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_export_then_import_through_the_actions(qtbot, window, monkeypatch, tmp_path, suffix):
    first = tmp_path / f"first{suffix}"
    second = tmp_path / f"second{suffix}"
    saved = play_some(qtbot, window, epochs=2)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(first), "")))
    window.actions_.export.trigger()  # written in the worker: the window never waits
    qtbot.waitUntil(lambda: "Weights saved to" in window.statusBar().currentMessage(),
                    timeout=WAIT_MS)
    assert first.exists()
    np.testing.assert_array_equal(load_network(first).params, params(saved))
    # train on, then import the file: the network is back to the saved weights
    play_some(qtbot, window, epochs=saved.epoch + 2)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(first), "")))
    window.actions_.import_.trigger()
    loaded = wait_snapshot(qtbot, window, lambda s: settled(window)(s) and s.epoch == 0)
    np.testing.assert_array_equal(params(loaded), load_network(first).params)
    live = in_worker(window, lambda pg: pg.net.params.copy())
    np.testing.assert_array_equal(live, load_network(first).params)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(second), "")))
    window.actions_.export.trigger()
    qtbot.waitUntil(second.exists, timeout=WAIT_MS)
    assert second.read_bytes() == first.read_bytes()
    # Reset after an import returns to the imported weights
    play_some(qtbot, window, epochs=1)
    window.actions_.reset.trigger()
    reset = wait_snapshot(qtbot, window, lambda s: settled(window)(s) and s.steps == 0)
    np.testing.assert_array_equal(params(reset), load_network(first).params)


def test_import_with_other_features_is_refused(qtbot, window, monkeypatch, tmp_path,
                                               message_boxes):
    other = Playground(Settings(features=("x1", "x2", "x1x2"))).net
    path = tmp_path / "three_inputs.json"
    save_network(other, path)
    before = window.latest_snapshot
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    window.actions_.import_.trigger()  # read in the background: the answer comes later
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=WAIT_MS)
    assert len(message_boxes) == 1
    kind, _, text = message_boxes[0]
    assert kind == "warning" and "x₁x₂" in text and "[x₁, x₂]" in text
    assert "not loaded" in window.statusBar().currentMessage()
    qtbot.wait(200)
    now = window.latest_snapshot
    assert now.run_id == before.run_id
    np.testing.assert_array_equal(params(now), params(before))


@pytest.mark.parametrize("content", [b"{not json", b'{"format": "x"}', b"",
                                     "\u00e9t\u00e9".encode("latin-1")])
def test_a_corrupt_file_changes_nothing(qtbot, window, monkeypatch, tmp_path, message_boxes,
                                        content):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    before = window.latest_snapshot
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    window.actions_.import_.trigger()
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=WAIT_MS)
    assert [m[0] for m in message_boxes] == ["warning"]
    assert "broken.json" in message_boxes[0][2]
    qtbot.wait(100)
    assert window.latest_snapshot.run_id == before.run_id
    np.testing.assert_array_equal(in_worker(window, lambda pg: pg.net.params.copy()),
                                  params(before))


def test_weights_that_do_not_fit_the_data_are_refused_by_the_worker(qtbot, window, monkeypatch,
                                                                    tmp_path, message_boxes):
    # the right inputs, but two outputs for the one target of the plane
    two = Network.from_sizes([2, 3, 2], hidden="tanh", output="linear", inputs=["x1", "x2"])
    path = tmp_path / "two_outputs.json"
    save_network(two, path)
    task = window.controls.task
    task.setCurrentIndex(task.findData("regression"))
    before = wait_snapshot(qtbot, window, lambda s: settled(window)(s) and s.task == "regression")
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    window.actions_.import_.trigger()
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=WAIT_MS)
    assert message_boxes[0][0] == "warning" and "2" in message_boxes[0][2]
    after = wait_snapshot(qtbot, window, settled(window))
    assert after.run_id == before.run_id and after.sizes == before.sizes
    np.testing.assert_array_equal(params(after), params(before))


def test_export_cancelled_writes_nothing(window, monkeypatch, tmp_path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    window.actions_.export.trigger()
    assert not list(tmp_path.iterdir())


# ----------------------------------------------------------------------------- divergence
def test_a_divergent_learning_rate_pauses_with_the_engines_message(qtbot, make_window):
    window = make_window(Settings(dataset="plane", activation="relu", lr=1e6))
    window.actions_.play.trigger()
    snap = wait_snapshot(qtbot, window, lambda s: s.message is not None and not s.running)
    message = in_worker(window, lambda pg: pg.trainer.diverged)
    assert snap.message == message and "NaN" in message
    # the engine's words, in a notice above the graph that stays until dismissed
    qtbot.waitUntil(lambda: window.notices.get("diverged") is not None
                    and bool(window.latest_snapshot.message), timeout=WAIT_MS)
    notice = window.notices.get("diverged")
    assert notice.text() == message and notice.isVisibleTo(window)
    assert "NaN" in window.statusBar().currentMessage()
    assert not window.actions_.play.isChecked()
    assert np.all(np.isfinite(params(snap)))  # the engine restored the last good weights
    # another banner (an offer) and new status messages leave it in place
    window.notify("offer", "Restore your last session?", level="info")
    window.statusBar().showMessage("something else")
    assert window.notices.get("diverged") is notice and notice.text() == message
    assert window.notices.keys() == ["diverged", "offer"]  # errors first
    # the app keeps working: a sane learning rate, and training goes on
    type_learning_rate(window, "0.001")
    wait_snapshot(qtbot, window, lambda s: s.lr == 0.001 and s.message is None)
    window.actions_.play.trigger()
    wait_snapshot(qtbot, window, lambda s: s.running and s.epoch >= 2)
    window.actions_.play.trigger()
    wait_snapshot(qtbot, window, lambda s: settled(window)(s) and not s.running)
    assert window.notices.get("diverged") is notice  # still there: it goes when dismissed
    notice.close_button.click()
    assert window.notices.get("diverged") is None and not notice.isVisibleTo(window)


# ----------------------------------------------------------------------------- shutdown
def test_closing_while_training_joins_the_thread(qtbot, make_window):
    window = make_window()
    window.actions_.play.trigger()
    wait_snapshot(qtbot, window, lambda s: s.running and s.epoch >= 2)
    window.close()
    assert window.thread.isFinished()
    assert not window.thread.isRunning()
    window.shutdown()  # idempotent
