"""Per-layer activations in the window: the graph's tags and their menus, the top bar's box,
the leaky ReLU's slope, and every choice reaching the trainer's network (read back in the
worker thread). Menus are driven with real clicks and keys."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from graph_helpers import click, viewport_point
from gui.files import sessions
from gui.graph import activation_text as words
from gui.shell.activation_box import MIXED, OTHER_SLOPE
from gui.views import inspector, inspector_text, lesson as lesson_mod
from model.core.network import Network
from model.playground import Settings
from tests.gui.window_helpers import fed

WAIT_MS = 20_000


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def engine_activations(window):
    return in_worker(window, lambda pg: list(pg.net.activation_names))


def settle(qtbot, window):
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.extras["seq"] >= window._seq
                    and window._synced is not None
                    and window._synced[0] == window.latest_snapshot.extras["settings"],
                    timeout=WAIT_MS)
    return window.latest_snapshot


def open_tag_menu(qtbot, window, layer):
    """A real click on hidden layer ``layer``'s tag; the menu it pops up."""
    view = window.network_view
    tag = view._tags.tags[layer]
    assert tag.isVisible()
    before = view._tags.menu
    click(view, viewport_point(view, tag.sceneBoundingRect().center()))
    qtbot.waitUntil(lambda: view._tags.menu is not before and view._tags.menu.isVisible(),
                    timeout=WAIT_MS)
    return view._tags.menu


def click_action(qtbot, menu, data):
    """A real click on the menu entry whose data is ``data``."""
    action = next(a for a in menu.actions() if a.data() == data)
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=WAIT_MS)


def type_slope(qtbot, box, text):
    box.edit.setFocus()
    box.edit.selectAll()
    QTest.keyClicks(box.edit, text)
    QTest.keyClick(box.edit, Qt.Key.Key_Return)


@pytest.mark.parametrize("kind", ["leaky_relu", "elu", "softplus", "silu", "gelu_tanh"])
def test_each_new_activation_is_chosen_per_layer_with_clicks(qtbot, make_window, kind):
    window = make_window(Settings(hidden=(4, 3, 2)))
    settle(qtbot, window)
    layer = {"leaky_relu": 0, "elu": 1, "softplus": 2, "silu": 0, "gelu_tanh": 1}[kind]
    menu = open_tag_menu(qtbot, window, layer)
    click_action(qtbot, menu, kind)
    snap = settle(qtbot, window)
    want = ["tanh"] * 3
    want[layer] = kind
    assert engine_activations(window) == want + ["sigmoid"]
    assert list(snap.activations[:3]) == want
    assert snap.extras["settings"].layer_activations == tuple(
        kind if k == layer else None for k in range(3))
    # the tag says so (and is marked as the layer's own choice); the top bar says "Mixed"
    tag = window.network_view._tags.tags[layer]
    assert tag.text.startswith(words.compact(kind)) and tag.own
    assert not window.network_view._tags.tags[(layer + 1) % 3].own
    assert window.controls.activation.currentData() == MIXED
    # "Same as the top bar" gives the layer back to the top bar's choice
    menu = open_tag_menu(qtbot, window, layer)
    same = next(a for a in menu.actions() if a.text().startswith("Same as the top bar"))
    assert not same.isChecked()
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     menu.actionGeometry(same).center())
    settle(qtbot, window)
    qtbot.waitUntil(lambda: engine_activations(window) == ["tanh"] * 3 + ["sigmoid"],
                    timeout=WAIT_MS)
    assert window.controls.activation.currentData() == "tanh"


def test_the_slope_is_typed_in_the_menu_and_a_bad_one_is_refused_in_one_line(qtbot,
                                                                             make_window):
    window = make_window(Settings(hidden=(4, 2)))
    settle(qtbot, window)
    menu = open_tag_menu(qtbot, window, 1)
    box = window.network_view._tags.slope_box
    for bad in ("1.5", "abc", "0", "-0.2", "nan"):
        seq = window._seq
        type_slope(qtbot, box, bad)
        assert box.error.isVisible() and box.error.text()
        assert "\n" not in box.error.text() and "slope" in box.error.text()
        assert menu.isVisible() and window._seq == seq  # nothing was sent
    type_slope(qtbot, box, "0,25")  # a decimal comma is fine
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=WAIT_MS)
    settle(qtbot, window)
    assert engine_activations(window) == ["tanh", "leaky_relu:0.25", "sigmoid"]
    # the layer's network really uses that slope: f(−2) = −0.5
    z = np.array([[-2.0]])
    assert in_worker(window, lambda pg: float(pg.net.layers[1].activation.forward(z)[0, 0])) \
        == -0.5
    assert window.network_view._tags.tags[1].text.startswith("leaky 0.25")


def test_the_top_bar_sets_every_layer(qtbot, make_window):
    window = make_window(Settings(hidden=(3, 3), layer_activations=("relu", "silu")))
    settle(qtbot, window)
    box = window.controls.activation
    assert box.currentData() == MIXED
    assert not box.model().item(box.currentIndex()).isEnabled()  # a state, not a choice
    # with the keyboard: arrows on the closed box step over "other slope…" (no popup)
    box.setFocus()
    for _ in range(box.count()):
        if box.currentData() == "elu":
            break
        QTest.keyClick(box, Qt.Key.Key_Up)
        assert box.slope_menu is None
    snap = settle(qtbot, window)
    assert snap.extras["settings"].layer_activations == ()
    assert engine_activations(window) == ["elu", "elu", "sigmoid"]
    assert box.findData(MIXED) < 0 and box.currentData() == "elu"
    # each activation of the list reaches every layer
    for kind in ("softplus", "gelu_tanh", "leaky_relu:0.2"):
        box.setCurrentIndex(box.findData(kind))
        settle(qtbot, window)
        assert engine_activations(window) == [kind, kind, "sigmoid"]


def test_the_top_bar_takes_any_slope_from_its_slope_box(qtbot, make_window):
    window = make_window(Settings(hidden=(3, 2)))
    settle(qtbot, window)
    box = window.controls.activation
    box.setCurrentIndex(box.findData(OTHER_SLOPE))
    menu = box.slope_menu
    qtbot.waitUntil(menu.isVisible, timeout=WAIT_MS)
    assert box.currentData() == "tanh"  # the box still says what the layers use
    seq = window._seq
    type_slope(qtbot, menu.box, "2")
    assert menu.box.error.isVisible() and "between 0 and 1" in menu.box.error.text()
    assert window._seq == seq
    type_slope(qtbot, menu.box, "0.15")
    settle(qtbot, window)
    assert engine_activations(window) == ["leaky_relu:0.15", "leaky_relu:0.15", "sigmoid"]
    assert box.currentData() == "leaky_relu:0.15"
    assert box.itemData(box.currentIndex(), Qt.ItemDataRole.UserRole + 1) == \
        "Leaky ReLU (α 0.15)"
    # another choice drops the entry of a slope no longer used
    box.setCurrentIndex(box.findData("relu"))
    settle(qtbot, window)
    assert box.findData("leaky_relu:0.15") < 0


def test_a_crowded_graph_offers_the_menu_on_a_hidden_neuron(qtbot, make_window):
    window = make_window(Settings(hidden=(2,)))
    settle(qtbot, window)
    view = window.network_view
    neuron = view._neurons[1][0]
    point = viewport_point(view, neuron.sceneBoundingRect().center())
    menu = view._editing.context_menu(point, view._view.viewport().mapToGlobal(point))
    sub = next(a.menu() for a in menu.actions() if a.menu() is not None)
    assert sub.title() == "Activation of hidden layer 1"
    action = next(a for a in sub.actions() if a.data() == "softplus")
    action.trigger()
    settle(qtbot, window)
    assert engine_activations(window) == ["softplus", "sigmoid"]
    menu.close()


def test_loaded_weights_keep_each_layers_activation_through_a_rebuild(qtbot, make_window):
    window = make_window(Settings(hidden=(4, 2)))
    settle(qtbot, window)
    net = Network([2, 3, 2, 1], ["relu", "elu", "sigmoid"], inputs=["x1", "x2"])
    net.initialize("xavier", 5)
    window._send(window.worker.load_network, net)
    snap = settle(qtbot, window)
    assert snap.extras["settings"].hidden_activations() == ["relu", "elu"]
    assert window.controls.activation.currentData() == MIXED
    window.new_seed()  # rebuilt from the settings: each layer keeps its own activation
    settle(qtbot, window)
    assert engine_activations(window) == ["relu", "elu", "sigmoid"]


def test_sessions_keep_per_layer_choices(qtbot, make_window, tmp_path):
    settings = Settings(hidden=(3, 3, 2), layer_activations=(None, "leaky_relu:0.3", "silu"))
    original = make_window(settings)
    settle(qtbot, original)
    path = tmp_path / "layers.json"
    ses = sessions.install(original)
    with qtbot.waitSignal(ses.saved, timeout=WAIT_MS) as saved:  # the worker's reply
        ses.save_to(path)
    assert saved.args == [str(path), True]
    fresh = make_window()
    sessions.install(fresh).open_path(path)
    qtbot.waitUntil(lambda: fresh.latest_snapshot.extras["settings"] == settings,
                    timeout=WAIT_MS)
    settle(qtbot, fresh)
    assert engine_activations(fresh) == ["tanh", "leaky_relu:0.3", "silu", "sigmoid"]
    assert [t.text.split(" ▾")[0] for t in fresh.network_view._tags.tags] == \
        ["tanh", "leaky 0.3", "SiLU"]
    assert fresh.controls.activation.currentData() == MIXED


def _silu_prime(z):  # independent of the engine: d/dz z·σ(z) by centred differences
    h = 1e-6
    f = lambda v: v / (1.0 + np.exp(-v))  # noqa: E731
    return (f(z + h) - f(z - h)) / (2 * h)


def test_the_inspector_shows_f_prime_of_a_new_activation(qtbot, make_window):
    window = make_window(Settings(hidden=(3,), layer_activations=("silu",)))
    settle(qtbot, window)
    window.step()
    settle(qtbot, window)
    ins = inspector.install(window)
    window.views.show_dock(ins.dock)
    ins.select(0, 1, 2)  # W[1][2] of layer 1: into a SiLU neuron
    qtbot.waitUntil(lambda: ins.result is not None and ins.result.selection == (0, 1, 2),
                    timeout=WAIT_MS)
    chain = ins.result.chain
    assert chain.activation == "silu"
    rows = ins.result.rows
    z = in_worker(window, lambda pg: pg.net.forward_all(pg.trainer.X_train[rows])[0][0][:, 2])
    np.testing.assert_allclose(chain.fprime, _silu_prime(z), rtol=1e-6, atol=1e-9)
    # the panel names it and its f′ column shows those values
    factors = ins.panel.factors.toPlainText()
    assert "f = silu" in factors and "f′(z_2)" in factors
    assert inspector_text._n(chain.fprime[0]) in factors


def test_lesson_mode_walks_a_gelu_layer_and_applies_the_normal_step(qtbot, make_window,
                                                                    monkeypatch):
    window = make_window(Settings(hidden=(3, 2), layer_activations=("gelu_tanh", "elu")))
    settle(qtbot, window)
    window.step()
    settle(qtbot, window)

    def one_step(pg):
        from model.playground import Playground
        ref = Playground(pg.settings, data=pg.custom_data, network=pg.net.copy())
        ref.trainer.load_state(pg.trainer.state())
        ref.trainer.step_batch()
        return ref.net.params.copy()

    expected = in_worker(window, one_step)
    lesson = lesson_mod.install(window)
    lesson.start()
    qtbot.waitUntil(lambda: lesson.build is not None and not lesson._busy, timeout=WAIT_MS)
    assert list(lesson.build.activations) == ["gelu_tanh", "elu", "sigmoid"]
    while lesson.index < len(lesson.build.phases) - 1:
        lesson.next()
    monkeypatch.setattr(lesson, "ask_leave", lambda: "apply")
    lesson.leave()
    qtbot.waitUntil(lambda: not lesson.active, timeout=WAIT_MS)
    settle(qtbot, window)
    np.testing.assert_array_equal(in_worker(window, lambda pg: pg.net.params.copy()), expected)


@pytest.mark.parametrize("hidden", [(4, 2), (3,) * 8, (16, 16, 16), (1,)])
@pytest.mark.parametrize("size", [(430, 420), (600, 600)])
def test_every_tag_has_room_under_its_title(qtbot, hidden, size):
    """The graph at about its size at 1024×640 and 1280×800: every hidden layer's tag shown,
    none over another text or a neuron, in short and long column titles."""
    from graph_helpers import check_texts, make_snapshot
    from gui.graph.network_view import NetworkView
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    acts = ("leaky_relu:0.25", "gelu_tanh", "softplus", "silu", "elu", "relu", "sigmoid",
            "linear")[:len(hidden)]
    view.set_snapshot(make_snapshot(hidden, layer_activations=acts if len(acts) > 1 else ()))
    qtbot.wait(20)
    tags = view._tags.tags
    assert len(tags) == len(hidden) and all(t.isVisible() for t in tags)
    assert [t.text.split(" ▾")[0] for t in tags] == [
        words.compact(a, view._short) for a in view._snap.activations[:-1]]
    check_texts(view, f"{hidden} at {size}")
