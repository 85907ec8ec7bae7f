""""Show the code" on the real window: the lesson dock and the chain-rule inspector show
reference.py's own lines for the phase or the clicked edge, with the current numbers; one
toggle (C) drives both; legible on light and dark palettes; it fits and scrolls."""
import pathlib

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QTextEdit

from graph_helpers import click_edge
from gui.files.sessions import app_settings
from gui.graph.graph_text import short_number
from gui.views import code_view, inspector, lesson as lesson_mod
from model.lessons.reference_lines import PATH
from model.playground import Settings
from tests.gui.conftest import WAIT_MS
from window_helpers import press
from tests.gui.window_helpers import fed

SOURCE = (pathlib.Path(__file__).resolve().parents[2] / PATH).read_text().split("\n")


@pytest.fixture(autouse=True)
def code_off():
    """The toggle is remembered between runs: every test starts (and leaves) it off."""
    app_settings().setValue(code_view.SETTINGS_KEY, False)
    yield
    app_settings().setValue(code_view.SETTINGS_KEY, False)


def shown_lines(view):
    """(line number, text) of every code line shown, parsed back from the view's text."""
    out = []
    for text in view.toPlainText().split("\n"):
        head = text[:5]
        if head[:3].strip().isdigit() and head[3] in "▶ ":
            out.append((int(head[:3]), text[5:]))
    return out


def check_from_reference(view):
    """Every code line shown is reference.py's line of that number, and every marked line is
    one of them."""
    lines = shown_lines(view)
    assert lines and all(SOURCE[n - 1] == text for n, text in lines)
    marked = view.marked_lines()
    assert marked and all(m[3] == "▶" and (int(m[:3]), m[5:]) in lines for m in marked)
    return [m[5:] for m in marked]


def wait_built(qtbot, lesson):
    qtbot.waitUntil(lambda: lesson.build is not None and not lesson._busy, timeout=WAIT_MS)
    return lesson.build


def test_the_lesson_shows_each_phases_reference_lines_with_its_numbers(qtbot, window):
    lesson = lesson_mod.install(window)
    ins = inspector.install(window)
    window.actions_.step.trigger()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.steps == 1, timeout=WAIT_MS)
    press(qtbot, window, Qt.Key.Key_L)
    build = wait_built(qtbot, lesson)
    code = lesson.panel.code
    assert not code.isVisible()
    press(qtbot, window, Qt.Key.Key_C)  # one toggle for both docks
    assert code.isVisible() and lesson.panel.show_code.isChecked()
    assert ins.panel.show_code.isChecked() and lesson.code_action is ins.code_action
    assert "model/core/reference.py · forward()" in code.toPlainText()
    marked = check_from_reference(code)
    assert [m for m in marked if "(R1)" in m] and [m for m in marked if "(R2)" in m]
    # the numbers under R1: z1 of the walked rows, against an independent x·W + b
    z1 = build.x @ build.weights[0] + build.biases[0]
    notes = code.note_lines()
    assert "z1 = x·W1 + b1:  (10, 2)·(2, 4) + (4,) → (10, 4)" in notes
    r = int(build.rows[0])
    assert f"row #{r}: z1 = " + "  ".join(short_number(v) for v in z1[0]) in notes
    a1 = np.tanh(z1)
    assert f"row #{r}: a1 = " + "  ".join(short_number(v) for v in a1[0]) in notes

    expected = {3: ("mean_loss", None), 4: ("output_delta", "return a - Y"),
                5: ("backward", "(R4)"), 7: ("sgd_step", "(R7)")}
    for index in range(1, 8):
        press(qtbot, window, Qt.Key.Key_N)
        assert lesson.index == index
        marked = check_from_reference(code)
        if index in expected:
            function, line = expected[index]
            assert f"{PATH} · {function}()" in code.toPlainText()
            assert line is None or any(line in m for m in marked), (index, marked)
        if index in (4, 5, 6):  # every backward phase: its gradients R5 and R6
            assert any("(R5)" in m for m in marked) and any("(R6)" in m for m in marked)
    loss = build.phases[3].loss
    press(qtbot, window, Qt.Key.Key_B)
    press(qtbot, window, Qt.Key.Key_B)
    press(qtbot, window, Qt.Key.Key_B)
    press(qtbot, window, Qt.Key.Key_B)
    assert lesson.index == 3 and any(short_number(loss) in n for n in code.note_lines())
    # the check box switches it off again, in both docks
    qtbot.mouseClick(lesson.panel.show_code, Qt.MouseButton.LeftButton)
    assert not code.isVisible() and not ins.panel.show_code.isChecked()
    assert not ins.code_action.isChecked()
    assert app_settings().value(code_view.SETTINGS_KEY, type=bool) is False


def test_the_inspector_shows_output_and_hidden_edges_differently(qtbot, make_window):
    window = make_window(Settings(hidden=(3,), activation="tanh", loss="mse",
                                  output_activation="linear", dataset="circle"))
    ins = inspector.install(window)
    ins.dock.toggleViewAction().trigger()
    qtbot.waitUntil(ins.dock.isVisible, timeout=WAIT_MS)
    window.actions_.step.trigger()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.steps == 1, timeout=WAIT_MS)
    qtbot.mouseClick(ins.panel.show_code, Qt.MouseButton.LeftButton)
    code = ins.panel.code
    assert code.isVisible() and "Click an edge" in code.toPlainText()
    view = window.network_view

    def clicked(l, i, j):
        click_edge(view, l, i, j)
        qtbot.waitUntil(lambda: ins.result is not None and ins.result.selection == (l, i, j)
                        and ins.result.steps == 1, timeout=WAIT_MS)
        return check_from_reference(code), code.toPlainText()

    marked, text = clicked(1, 2, 0)  # an output weight: R3, then R5
    assert "· output_delta()" in text and any("(R3)" in m for m in marked)
    assert any("(R5)" in m for m in marked) and not any("(R4)" in m for m in marked)
    g = ins.result.chain.gradient
    assert f"∂C/∂W[2][0] = Σ a_prev_2·δ_0 / 10 = {short_number(g)}" in code.note_lines()
    marked, text = clicked(0, 1, 2)  # a hidden weight: R4, then R5
    assert "· output_delta()" not in text
    assert any("(R4)" in m for m in marked) and any("(R5)" in m for m in marked)
    marked, text = clicked(0, -1, 1)  # a hidden bias: R4, then R6
    assert any("(R6)" in m for m in marked) and not any("(R5)" in m for m in marked)
    assert any("(R7)" in m for m in marked)  # and its SGD step
    # the engine's own gradient is the number shown under R6
    def fetch(pg):
        t = pg.trainer
        rows = t.order[t.last_batch].copy()
        return pg.net.copy(), t.X_train[rows].copy(), t.Y_train[rows].copy(), t.loss.name
    net, X, Y, loss = window.worker.call(fetch).result(timeout=WAIT_MS / 1000)
    _, grads = net.loss_and_gradients(X, Y, loss)
    assert f"∂C/∂b[1] = Σ δ_1 / 10 = {short_number(grads[0][1][1])}" in code.note_lines()
    press(qtbot, window, Qt.Key.Key_C)
    assert not code.isVisible()


def _luminance(c: QColor) -> float:
    def lin(v):
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(c.red()) + 0.7152 * lin(c.green()) + 0.0722 * lin(c.blue())


def _over(top: QColor, base: QColor) -> QColor:
    a = top.alphaF()
    return QColor(*(round(a * t + (1 - a) * b) for t, b in
                    ((top.red(), base.red()), (top.green(), base.green()),
                     (top.blue(), base.blue()))))


def _contrast(fg: QColor, bg: QColor) -> float:
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def dark_palette() -> QPalette:
    p = QPalette()
    for role, rgb in ((QPalette.ColorRole.Window, "#2d2d2d"), (QPalette.ColorRole.Base, "#1e1e1e"),
                      (QPalette.ColorRole.Text, "#e6e6e6"), (QPalette.ColorRole.WindowText, "#e6e6e6"),
                      (QPalette.ColorRole.Highlight, "#2a82da"), (QPalette.ColorRole.Link, "#0000ff")):
        p.setColor(role, QColor(rgb))
    return p


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_code_is_legible_on_light_and_dark_palettes(qtbot, window, palette):
    lesson = lesson_mod.install(window)
    lesson.code_action.setChecked(True)
    lesson.start()
    wait_built(qtbot, lesson)
    code = lesson.panel.code
    if palette == "dark":
        code.setPalette(dark_palette())
    pal = code.palette()
    base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
    kinds = set()
    for sel in code.extraSelections():
        fmt = sel.format
        bg = _over(fmt.background().color(), base) if fmt.background().style() != Qt.BrushStyle.NoBrush else base
        fg = _over(fmt.foreground().color(), bg) if fmt.foreground().style() != Qt.BrushStyle.NoBrush else text
        kinds.add("band" if fmt.background().style() != Qt.BrushStyle.NoBrush else
                  "note" if fmt.foreground().style() != Qt.BrushStyle.NoBrush else "head")
        assert _contrast(fg, bg) >= 4.5, (palette, fg.name(), bg.name())
    assert kinds == {"band", "note", "head"}
    assert _contrast(text, base) >= 4.5
    assert code.font().fixedPitch() or "mono" in code.font().family().lower()
    assert isinstance(code.extraSelections()[0], QTextEdit.ExtraSelection)


def test_the_code_fits_a_small_window_and_scrolls(qtbot, window):
    lesson = lesson_mod.install(window)
    ins = inspector.install(window)
    lesson.code_action.setChecked(True)
    lesson.start()
    wait_built(qtbot, lesson)
    ins.dock.toggleViewAction().trigger()
    qtbot.waitUntil(ins.dock.isVisible, timeout=WAIT_MS)
    # with both docks and their code showing, the window still fits a 1024-wide screen
    assert window.minimumSizeHint().width() <= 1024
    for panel in (lesson.panel, ins.panel):
        assert panel.minimumSizeHint().width() <= 1024 - 40
    lesson.dock.setFloating(True)  # the dock alone, at what a 1024×640 window leaves it
    lesson.dock.resize(1024, 220)
    qtbot.waitUntil(lambda: lesson.panel.code.width() > 0 and lesson.dock.width() == 1024,
                    timeout=WAIT_MS)
    code = lesson.panel.code
    assert 250 <= code.width() < 600 and code.height() >= 120
    assert code.horizontalScrollBar().maximum() > 0  # long lines scroll, never wrap
    assert code.lineWrapMode() == code.LineWrapMode.NoWrap
    # the first marked line is in view
    first = code.marked_lines()[0]
    row = code.toPlainText().split("\n").index(first)
    block = code.document().findBlockByNumber(row)
    top = code.blockBoundingGeometry(block).translated(code.contentOffset()).top()
    assert 0 <= top < code.viewport().height()


def test_the_toggle_is_remembered_between_runs(qtbot, make_window):
    first = make_window()
    lesson_mod.install(first).code_action.setChecked(True)
    assert app_settings().value(code_view.SETTINGS_KEY, type=bool) is True
    second = make_window()
    assert lesson_mod.install(second).code_action.isChecked()
    assert inspector.install(second).panel.show_code.isChecked()
