"""One name per neuron in the whole window: the graph's tooltip, the output view's header,
the chain-rule inspector, the lesson's and the data point's tables all say "H1·3" for neuron
3 of hidden layer 1 (model.core.naming)."""
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from graph_helpers import clear_point, click, edge, move, viewport_point
from gui.views import inspector, lesson, point_view

WAIT_MS = 20_000


def test_the_same_name_everywhere(qtbot, make_window):
    window = make_window()  # circle, x₁ x₂, hidden 4-2, p(1)
    nv = window.network_view
    ins = inspector.install(window)
    ins.dock.toggleViewAction().trigger()
    qtbot.waitUntil(ins.dock.isVisible, timeout=WAIT_MS)

    neuron = nv._neurons[1][2]
    move(nv, viewport_point(nv, neuron.sceneBoundingRect().center()))
    qtbot.waitUntil(lambda: "H1·3" in window.output_view.title.text(), timeout=WAIT_MS)
    assert window.output_view.title.text().startswith("<b>H1·3</b>")
    assert neuron.toolTip().split(":")[0] == "H1·3"
    bias = nv._biases[0][2]
    move(nv, viewport_point(nv, bias.sceneBoundingRect().center()))
    qtbot.waitUntil(lambda: bias.hovered, timeout=WAIT_MS)
    assert bias.toolTip().startswith("Bias of H1·3:")

    click(nv, clear_point(nv, edge(nv, 0, 1, 2)))  # x₂ → H1·3
    qtbot.waitUntil(lambda: ins.selection == (0, 1, 2), timeout=WAIT_MS)
    assert "x₂ → H1·3" in ins.panel.title.text()
    qtbot.waitUntil(lambda: ins.result is not None, timeout=WAIT_MS)
    out = nv._neurons[-1][0]
    assert [t.text() for c, u, t in nv._unit_labels if c == 3] == ["p(1)"]
    move(nv, viewport_point(nv, out.sceneBoundingRect().center()))
    qtbot.waitUntil(lambda: out.hovered, timeout=WAIT_MS)
    assert out.toolTip().startswith("p(1): output 1")
    assert window.output_view.title.text().startswith("<b>p(1)</b>")
    # Esc (the window's) clears the inspector and the graph's mark together
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    QTest.keyClick(window, Qt.Key.Key_Escape)
    assert ins.selection is None and nv.selection() is None

    les = lesson.install(window)
    les.start()
    qtbot.waitUntil(lambda: les.build is not None and not les._busy, timeout=WAIT_MS)
    table = les.panel.details.toPlainText()
    assert "H1·3" in table and "x₂ → H1·3" in table  # the neuron, and its weight from x₂
    les.discard()

    pv = point_view.install(window)
    pv.select("train", 4)
    qtbot.waitUntil(lambda: pv.info is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "H1·3" in pv.panel.pulls.toPlainText(), timeout=WAIT_MS)
    assert "Layer 1, neuron" not in pv.panel.pulls.toPlainText()
