"""Lesson mode on the real window: phases on the graph, exact apply, discard changes nothing;
and the network view's annotation API it draws with. The lesson is driven as a user drives it:
L, N, B and PgUp/PgDown, the dock's buttons, its example row."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gui.views import lesson as lesson_mod
from model.data.csvdata import load_csv
from model.playground import Playground, Settings
from model.files.serialize import load_network
from model.files.bundled import resource
from model.snapshot import take_snapshot
from window_helpers import choose, press, type_into_spin_box

WAIT_MS = 20_000
EXAMPLES = resource("examples")


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture
def lesson(window):
    return lesson_mod.install(window)


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def settled(window):
    return lambda s: s.extras["seq"] >= window._seq


def wait_snapshot(qtbot, window, predicate):
    qtbot.waitUntil(lambda: window.latest_snapshot is not None
                    and predicate(window.latest_snapshot), timeout=WAIT_MS)
    return window.latest_snapshot


def wait_built(qtbot, lesson):
    qtbot.waitUntil(lambda: lesson.build is not None and not lesson._busy, timeout=WAIT_MS)
    return lesson.build


def state(pg):
    t = pg.trainer
    return (pg.net.params.copy(), t.steps, t.epoch, t.position, tuple(t.order.tolist()),
            repr(t.rng.bit_generator.state), t.optimizer.update.copy())


def click(qtbot, button):
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def start_on_example(qtbot, window, lesson, row):
    """One training example: pick the mode and the row in the dock, then press L."""
    choose(qtbot, lesson.panel.mode, "example")
    type_into_spin_box(qtbot, lesson.panel.row, row)
    press(qtbot, window, Qt.Key.Key_L)


def one_step_on_a_copy(pg, rows=None):
    """The independent reference: a fresh Playground in the same state takes its normal step."""
    ref = Playground(pg.settings, data=pg.custom_data, network=pg.net.copy())
    ref.trainer.load_state(pg.trainer.state())
    if rows is None:
        ref.trainer.step_batch()
    else:
        ref.trainer.step_rows(rows)
    return ref.net.params.copy()


def load_classic(window):
    settings = Settings(lr=0.5, batch_size=1, loss="mse", optimizer="sgd", shuffle=False,
                        hidden=(2,), activation="sigmoid", train_ratio=1.0)
    return window.worker.call(lambda pg: Playground(
        settings, data=load_csv(EXAMPLES / "classic_2_2_2.csv"),
        network=load_network(EXAMPLES / "classic_2_2_2.json")), changes_state=True).result(
        timeout=WAIT_MS / 1000)


# ----------------------------------------------------------------------------- lesson mode
def test_walking_the_phases_then_apply_is_exactly_one_normal_step(qtbot, window, lesson,
                                                                  monkeypatch):
    for _ in range(3):
        window.actions_.step.trigger()
    before = wait_snapshot(qtbot, window, lambda s: settled(window)(s) and s.steps == 3)
    expected = in_worker(window, one_step_on_a_copy)
    start = in_worker(window, state)

    press(qtbot, window, Qt.Key.Key_L)
    build = wait_built(qtbot, lesson)
    titles = [p.title for p in build.phases]
    assert titles == ["Forward: layer 1 of 3", "Forward: layer 2 of 3", "Forward: layer 3 of 3",
                      "Loss: bce", "Backward: layer 3 of 3", "Backward: layer 2 of 3",
                      "Backward: layer 1 of 3", "Update: sgd, lr 0.03"]
    assert not window.actions_.step.isEnabled() and not window.actions_.play.isEnabled()
    seen = []
    for _ in range(len(titles) + 2):  # two presses too many stay on the last phase
        seen.append(lesson.panel.title.text())
        press(qtbot, window, Qt.Key.Key_N)
    assert seen[:len(titles)] == [f"<b>{t}</b>" for t in titles]
    assert lesson.index == len(titles) - 1
    press(qtbot, window, Qt.Key.Key_B)
    assert lesson.index == len(titles) - 2
    # walking changed nothing
    now = in_worker(window, state)
    np.testing.assert_array_equal(now[0], start[0])
    assert now[1:4] == start[1:4]

    monkeypatch.setattr(lesson, "ask_leave", lambda: "apply")  # the question's answer
    press(qtbot, window, Qt.Key.Key_L)  # leave: apply the step
    after = wait_snapshot(qtbot, window, lambda s: s.steps == before.steps + 1)
    got = in_worker(window, lambda pg: pg.net.params.copy())
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_allclose(got, build.predicted_params, rtol=1e-12, atol=1e-15)
    assert after.position == before.position + 10
    assert not lesson.active and window.actions_.step.isEnabled()
    assert window.network_view.annotations() == ({}, {}, None)


def test_discard_changes_nothing_and_restores_the_window(qtbot, window, lesson, monkeypatch):
    window.edge_mode.setCurrentIndex(window.edge_mode.findData("weights"))
    start = in_worker(window, state)
    window.actions_.step.setEnabled(True)
    monkeypatch.setattr(lesson, "ask_leave", lambda: "discard")
    press(qtbot, window, Qt.Key.Key_L)  # on
    assert lesson.active
    wait_built(qtbot, lesson)
    for _ in range(8):
        press(qtbot, window, Qt.Key.Key_PageDown)
    assert window.edge_mode.currentData() == "updates"
    press(qtbot, window, Qt.Key.Key_L)  # off → asks → discard
    assert not lesson.active and not lesson.toggle.isChecked()
    qtbot.wait(200)
    now = in_worker(window, state)
    np.testing.assert_array_equal(now[0], start[0])
    assert now[1:6] == start[1:6]
    np.testing.assert_array_equal(now[6], start[6])
    assert window.edge_mode.currentData() == "weights"
    assert window.actions_.step.isEnabled() and window.actions_.play.isEnabled()
    assert window.network_view.annotations() == ({}, {}, None)
    assert not window.frozen_views


def test_cancelling_the_question_stays_in_the_lesson(qtbot, window, lesson, monkeypatch):
    monkeypatch.setattr(lesson, "ask_leave", lambda: "cancel")
    press(qtbot, window, Qt.Key.Key_L)
    wait_built(qtbot, lesson)
    press(qtbot, window, Qt.Key.Key_L)
    assert lesson.active and lesson.toggle.isChecked()
    monkeypatch.setattr(lesson, "ask_leave", lambda: "apply")
    steps = window.latest_snapshot.steps
    press(qtbot, window, Qt.Key.Key_L)
    wait_snapshot(qtbot, window, lambda s: s.steps == steps + 1)
    assert not lesson.active


def test_the_classic_example_on_the_graph(qtbot, window, lesson):
    load_classic(window)
    wait_snapshot(qtbot, window, lambda s: s.sizes == (2, 2, 2))
    start_on_example(qtbot, window, lesson, 0)
    build = wait_built(qtbot, lesson)
    view = window.network_view
    assert lesson.panel.source.text().startswith("Training example row 0: x = (0.05, 0.1)")
    neurons, edges, active = view.annotations()  # forward, layer 1 (the tutorial's h1, h2)
    assert active == 1
    assert neurons[(1, 0)] == "z=0.3775 a=0.5933" and neurons[(1, 1)] == "z=0.3925 a=0.5969"
    assert edges[(0, 0, 0)] == "0.15" and edges[(0, 1, 1)] == "0.3"
    assert view._notes.band is not None
    click(qtbot, lesson.panel.next)  # forward, layer 2: out_o1 = 0.75136507, out_o2 = 0.772928465
    assert view.annotations()[0][(2, 0)] == "z=1.106 a=0.7514"
    click(qtbot, lesson.panel.next)  # the loss: the tutorial's total error
    assert build.phases[2].loss == pytest.approx(0.298371109, abs=1e-9)
    assert "0.2984" in lesson.panel.details.toPlainText()
    assert view.annotations()[0][(2, 1)] == "a=0.7729 y=0.99"
    click(qtbot, lesson.panel.next)  # backward, output layer: ∂E/∂w5 = 0.082167041
    neurons, edges, active = view.annotations()
    assert edges[(1, 0, 0)] == "+0.08217" and active == 2
    assert window.edge_mode.currentData() == "gradients"
    shown = view._snap.grad_weights
    np.testing.assert_array_equal(shown[1], build.phases[3].dW)
    assert not shown[0].any()  # layer 1's gradient is not computed yet
    click(qtbot, lesson.panel.next)
    click(qtbot, lesson.panel.next)  # the update: Δw5 = −0.5 · 0.082167041
    edges = view.annotations()[1]
    assert edges[(1, 0, 0)] == "Δ−0.04108"
    np.testing.assert_allclose(view._snap.update_weights[1][0, 0], -0.5 * 0.082167041, atol=1e-9)
    click(qtbot, lesson.panel.apply)  # stays in the lesson: the next step of the example
    qtbot.waitUntil(lambda: lesson.build is not None and lesson.build.steps == 1, timeout=WAIT_MS)
    W = in_worker(window, lambda pg: pg.net.layers[1].W.copy())
    assert W[0, 0] == pytest.approx(0.35891648, abs=1e-8)
    assert lesson.active and lesson.index == 0


def test_one_example_mode_applies_that_examples_step(qtbot, window, lesson, monkeypatch):
    expected = in_worker(window, lambda pg: one_step_on_a_copy(pg, [123]))
    # before the lesson: the row box is enabled by the mode and takes any training row
    start_on_example(qtbot, window, lesson, 123)
    build = wait_built(qtbot, lesson)
    assert build.single and list(build.rows) == [123]
    steps = window.latest_snapshot.steps
    monkeypatch.setattr(lesson, "ask_leave", lambda: "apply")
    press(qtbot, window, Qt.Key.Key_L)  # leave, applying the step
    wait_snapshot(qtbot, window, lambda s: s.steps == steps + 1)
    np.testing.assert_array_equal(in_worker(window, lambda pg: pg.net.params.copy()), expected)


def test_a_setting_changed_during_the_lesson_rebuilds_it(qtbot, window, lesson):
    press(qtbot, window, Qt.Key.Key_L)
    wait_built(qtbot, lesson)
    window.update_settings(lr=0.1)
    qtbot.waitUntil(lambda: lesson.build is not None
                    and lesson.build.phases[-1].title == "Update: sgd, lr 0.1", timeout=WAIT_MS)
    assert lesson.active


def test_keys_move_through_the_phases(qtbot, window, lesson):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_L)
    assert lesson.active
    wait_built(qtbot, lesson)
    qtbot.keyClick(window, Qt.Key.Key_N)
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert lesson.index == 2
    qtbot.keyClick(window, Qt.Key.Key_B)
    assert lesson.index == 1
    steps = window.latest_snapshot.steps
    qtbot.keyClick(window, Qt.Key.Key_Right)  # the global Step is off during the lesson
    qtbot.wait(200)
    assert in_worker(window, lambda pg: pg.trainer.steps) == steps


def test_redrawing_the_same_phase_does_not_lay_out_its_table_again(qtbot, window, lesson,
                                                                   monkeypatch):
    """setHtml is most of a lesson redraw's cost (issue 9.12): a snapshot that changes nothing
    shown keeps the table; a new phase sets it."""
    lesson.start()
    wait_built(qtbot, lesson)
    details = lesson.panel.details
    set_calls = []
    original = details.setHtml
    monkeypatch.setattr(details, "setHtml", lambda html: (set_calls.append(html),
                                                          original(html)))
    lesson._show()
    lesson._show()
    assert set_calls == []
    table = details.toPlainText()
    lesson.next()
    assert len(set_calls) == 1 and details.toPlainText() != table
    lesson.stop()
    assert set_calls[-1] == "" and details.toPlainText() == ""


# ----------------------------------------------------------------------------- annotation API
@pytest.fixture
def view(qtbot):
    from gui.graph.network_view import NetworkView
    w = NetworkView()
    qtbot.addWidget(w)
    w.resize(700, 500)
    w.show()
    qtbot.waitExposed(w)
    pg = Playground(Settings(hidden=(4, 2)))
    pg.trainer.step_batch()
    w.set_snapshot(take_snapshot(pg, run_id=1))
    return w


def test_annotations_label_neurons_and_edges_and_mark_the_active_column(view, qtbot):
    with qtbot.waitSignal(view.annotations_changed) as signal:
        view.set_annotations({(1, 0): "a=0.5", (1, 1): None, (9, 9): "gone"},
                             {(0, 1, 2): "+0.1", (1, -1, 0): "db", (5, 0, 0): "x"}, 1,
                             owner="test")
    assert signal.args == ["test"]
    items = view._notes.items()
    assert set(items) == {("n", 1, 0), ("e", 0, 1, 2), ("e", 1, -1, 0)}  # unknown keys skipped
    note = items[("n", 1, 0)]
    neuron = view._neurons[1][0].sceneBoundingRect()
    assert note.text == "a=0.5" and note.isVisible()
    assert note.toolTip() == "H1·1: a=0.5"  # hovering a label names what it is on
    assert items[("e", 0, 1, 2)].toolTip() == "x₂ → H1·3: +0.1"
    assert items[("e", 1, -1, 0)].toolTip() == "bias of H2·1: db"
    assert abs(note.sceneBoundingRect().center().x() - neuron.center().x()) < 1
    assert note.sceneBoundingRect().top() >= neuron.bottom()  # under the neuron
    edge = view._edges[view._edge_index(0, 1, 2)]
    label = items[("e", 0, 1, 2)].sceneBoundingRect()
    assert edge.shape().intersects(label) or edge.path().intersects(label)
    band = view._notes.band
    assert band is not None and band.sceneBoundingRect().contains(neuron)
    # labels do not cover each other
    rects = [it.sceneBoundingRect() for it in items.values()]
    assert not any(a.intersects(b) for k, a in enumerate(rects) for b in rects[k + 1:])


def test_annotations_survive_a_resize_and_a_rebuild_and_none_clears(view, qtbot):
    view.set_annotations({(2, 1): "δ=1"}, {(2, 0, 0): "g"}, 2)
    before = view._notes.items()[("n", 2, 1)].pos()
    view.resize(900, 650)
    qtbot.waitUntil(lambda: view._notes.items()[("n", 2, 1)].pos() != before, timeout=5000)
    pg = Playground(Settings(hidden=(3, 3)))
    view.set_snapshot(take_snapshot(pg, run_id=2))  # rebuilt: labels redrawn on new items
    items = view._notes.items()
    assert items[("n", 2, 1)].scene() is view._scene and items[("e", 2, 0, 0)].text == "g"
    view.set_annotations(None, None, None)
    assert view._notes.items() == {} and view._notes.band is None
    assert view.annotations() == ({}, {}, None)


def test_forty_edge_labels_on_a_large_network_are_shown_or_counted(view):
    pg = Playground(Settings(hidden=(16, 16, 16)))
    view.set_snapshot(take_snapshot(pg, run_id=3))
    edges = {(1, i, j): f"{i}.{j}" for i in range(16) for j in range(16)}
    first = dict(list(edges.items())[:40])
    view.set_annotations(None, first, None)
    shown = {k[1:] for k in view._notes.items() if k[0] == "e"}
    hidden = {k[1:] for k in view.hidden_labels()}
    assert shown | hidden == set(first) and not shown & hidden
    assert shown and hidden  # 700 × 500 has room for some of them, not all
    assert (1, 0, 0) in shown  # the first given (the most important) wins its place
    hints = {k: it.text for k, it in view._notes.items().items() if k[0] == "hint"}
    assert list(hints) == [("hint", 2)]  # all enter column 2
    assert hints[("hint", 2)].split()[0] == f"+{len(hidden)}"
    view.set_zoom(4.0)  # more room: more of them show
    assert len(view.hidden_labels()) < len(hidden)


def test_a_new_architecture_during_the_lesson_starts_it_again(qtbot, window, lesson):
    press(qtbot, window, Qt.Key.Key_L)
    wait_built(qtbot, lesson)
    press(qtbot, window, Qt.Key.Key_N)
    window.update_settings(hidden=(3,))
    qtbot.waitUntil(lambda: lesson.build is not None and len(lesson.build.phases) == 6,
                    timeout=WAIT_MS)
    assert lesson.active and lesson.index == 0
    assert window.network_view._snap.sizes == (2, 3, 1)
    assert set(window.network_view.annotations()[0]) >= {(1, 0), (1, 2)}
