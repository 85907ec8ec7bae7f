"""Selecting vs editing on the graph: a click selects; double-click, Enter or the context menu
edit in place (no dialog); Enter commits, Esc cancels, bad text says why. Driven by real
mouse and key events."""
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog

from graph_helpers import (clear_point, click, double_click, edge, make_snapshot, shown_graph,
                           viewport_point)


@pytest.fixture
def view(qtbot, monkeypatch):
    def no_dialog(*args, **kwargs):
        raise AssertionError("a modal dialog was opened")
    monkeypatch.setattr(QInputDialog, "getText", no_dialog)
    monkeypatch.setattr(QInputDialog, "getDouble", no_dialog)
    return shown_graph(qtbot, make_snapshot((4, 2)))


@pytest.fixture
def emitted(view):
    out = []
    view.weight_edited.connect(lambda *a: out.append(("w",) + a))
    view.bias_edited.connect(lambda *a: out.append(("b",) + a))
    return out


def editor(view):
    return view._editing.editor


def bias_point(view, l, j) -> QPoint:
    return viewport_point(view, view._biases[l][j].sceneBoundingRect().center())


def type_into(qtbot, view, text):
    """Real key events; characters beyond ASCII (the minus sign "−") as key events with text."""
    line = editor(view).line
    line.selectAll()
    for ch in text:
        if ch.isascii():
            QTest.keyClicks(line, ch)
        else:
            QTest.sendKeyEvent(QTest.KeyAction.Click, line, Qt.Key.Key_unknown, ch,
                               Qt.KeyboardModifier.NoModifier)


def no_dialog_open():
    return not any(isinstance(w, QDialog) and w.isVisible() for w in QApplication.topLevelWidgets())


def test_a_click_selects_marks_and_opens_nothing(view, qtbot, emitted):
    e = edge(view, 1, 3, 1)
    p = clear_point(view, e)
    with qtbot.waitSignal(view.edge_selected, timeout=1000) as sel:
        click(view, p)
    assert sel.args == [1, 3, 1] and view.selection() == (1, 3, 1)
    qtbot.wait(50)
    assert not editor(view).isVisible() and no_dialog_open() and emitted == []
    mark = view._editing.mark
    assert mark.isVisible() and mark.contains(mark.mapFromScene(view._view.mapToScene(p)))
    with qtbot.waitSignal(view.edge_selected, timeout=1000) as sel:
        click(view, bias_point(view, 0, 2))  # a bias selects as i = -1
    assert sel.args == [0, -1, 2] and not editor(view).isVisible()
    view.clear_selection()
    assert view.selection() is None and not mark.isVisible()


def test_double_click_edits_in_place_and_enter_commits(view, qtbot, emitted):
    snap = view._snap
    e = edge(view, 1, 3, 1)
    double_click(view, clear_point(view, e))
    ed = editor(view)
    qtbot.waitUntil(ed.isVisible, timeout=1000)
    assert ed.parent() is view._view.viewport() and no_dialog_open()
    assert float(ed.line.text()) == pytest.approx(snap.weights[1][3, 1], rel=1e-5)
    assert "W[3][1]" in ed.caption.text() and "H1·4 → H2·2" in ed.caption.text()
    # the editor sits over the edge, inside the view
    assert view._view.viewport().rect().contains(ed.geometry())
    type_into(qtbot, view, "0.75")
    with qtbot.waitSignal(view.weight_edited, timeout=1000) as sig:
        QTest.keyClick(ed.line, Qt.Key.Key_Return)
    assert sig.args == [1, 3, 1, 0.75] and not ed.isVisible()
    assert emitted == [("w", 1, 3, 1, 0.75)]
    # the next clicks reach the items under them, not the edge just edited (the editor took
    # the double-click's release; the edge must not stay the scene's mouse grabber)
    assert view._scene.mouseGrabberItem() is None
    click(view, bias_point(view, 0, 2))
    assert view.selection() == (0, -1, 2)
    double_click(view, bias_point(view, 0, 2))
    assert "bias of H1·3" in ed.caption.text()


def test_enter_on_a_selected_bias_edits_it_and_esc_cancels(view, qtbot, emitted):
    click(view, bias_point(view, 0, 2))
    assert view.selection() == (0, -1, 2)
    QTest.keyClick(view._view, Qt.Key.Key_Return)
    ed = editor(view)
    assert ed.isVisible() and ed.line.hasFocus()
    type_into(qtbot, view, "5")
    QTest.keyClick(ed.line, Qt.Key.Key_Escape)
    assert not ed.isVisible() and emitted == []
    assert view._view.hasFocus()  # the next Enter reaches the graph again
    QTest.keyClick(view._view, Qt.Key.Key_Enter)  # the keypad's Enter too
    assert ed.isVisible() and "bias of H1·3" in ed.caption.text()
    type_into(qtbot, view, "−1.5")  # a real minus sign, as the labels show it
    QTest.keyClick(ed.line, Qt.Key.Key_Return)
    assert emitted == [("b", 0, 2, -1.5)]


@pytest.mark.parametrize("text, why", [("abc", "is not a number"), ("nan", "finite"),
                                       ("-inf", "finite"), ("2e6", "at most 1e6"),
                                       ("", "type a number")])
def test_invalid_text_says_why_in_one_line_and_stays_open(view, qtbot, emitted, text, why):
    double_click(view, clear_point(view, edge(view, 2, 0, 0)))
    ed = editor(view)
    qtbot.waitUntil(ed.isVisible, timeout=1000)
    type_into(qtbot, view, text)
    if not text:
        ed.line.clear()
    QTest.keyClick(ed.line, Qt.Key.Key_Return)
    assert ed.isVisible() and ed.error.isVisible()
    assert why in ed.error.text() and "\n" not in ed.error.text()
    assert ed.error.width() >= ed.error.sizeHint().width()  # the whole reason shows
    assert emitted == []
    QTest.keyClicks(ed.line, "1")  # typing again clears the complaint
    assert not ed.error.isVisible()
    type_into(qtbot, view, text or "x")
    QTest.keyClick(ed.line, Qt.Key.Key_Return)
    assert ed.error.isVisible()
    QTest.keyClick(ed.line, Qt.Key.Key_Escape)
    assert not ed.isVisible() and emitted == []
    QTest.keyClick(view._view, Qt.Key.Key_Return)  # edited again: an old complaint is gone
    assert ed.isVisible() and not ed.error.isVisible()


def test_context_menu_edit_value(view, qtbot, emitted):
    p = clear_point(view, edge(view, 0, 1, 2))
    vp = view._view.viewport()
    QApplication.sendEvent(vp, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, p,
                                                 vp.mapToGlobal(p)))
    menu = view._editing.menu
    qtbot.waitUntil(menu.isVisible, timeout=1000)
    assert view.selection() == (0, 1, 2)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts[0].startswith("Edit value…") and any("Fit" in t for t in texts)
    action = menu.actions()[0]
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     menu.actionGeometry(action).center())
    ed = editor(view)
    qtbot.waitUntil(ed.isVisible, timeout=1000)
    type_into(qtbot, view, "-0.25")
    QTest.keyClick(ed.line, Qt.Key.Key_Return)
    assert emitted == [("w", 0, 1, 2, -0.25)]


def test_clicking_elsewhere_keeps_a_valid_change_and_drops_an_invalid_one(view, qtbot,
                                                                          emitted):
    double_click(view, clear_point(view, edge(view, 1, 0, 0)))
    ed = editor(view)
    qtbot.waitUntil(ed.isVisible, timeout=1000)
    type_into(qtbot, view, "0.5")
    click(view, QPoint(3, view._view.viewport().height() - 3))  # empty space
    qtbot.waitUntil(lambda: not ed.isVisible(), timeout=1000)
    assert emitted == [("w", 1, 0, 0, 0.5)]
    double_click(view, clear_point(view, edge(view, 1, 0, 0)))
    qtbot.waitUntil(ed.isVisible, timeout=1000)
    type_into(qtbot, view, "oops")
    click(view, QPoint(3, view._view.viewport().height() - 3))
    qtbot.waitUntil(lambda: not ed.isVisible(), timeout=1000)
    assert emitted == [("w", 1, 0, 0, 0.5)]


def test_an_edit_open_across_a_rebuild_is_dropped(view, qtbot, emitted):
    double_click(view, clear_point(view, edge(view, 1, 3, 1)))
    ed = editor(view)
    qtbot.waitUntil(ed.isVisible, timeout=1000)
    type_into(qtbot, view, "0.5")
    view.set_snapshot(make_snapshot((2,)))  # the indices now mean something else
    assert not ed.isVisible() and view.selection() is None
    QTest.keyClick(ed.line, Qt.Key.Key_Return)
    assert emitted == []
    # the same architecture keeps the editor open: a live snapshot does not interrupt typing
    double_click(view, clear_point(view, edge(view, 0, 1, 1)))
    qtbot.waitUntil(ed.isVisible, timeout=1000)
    view.set_snapshot(make_snapshot((2,), seed=5))
    assert ed.isVisible()
    type_into(qtbot, view, "0.125")
    QTest.keyClick(ed.line, Qt.Key.Key_Return)
    assert emitted == [("w", 0, 1, 1, 0.125)]


def test_keys_typed_into_the_editor_are_not_the_windows_shortcuts(qtbot, make_window):
    window = make_window()
    nv = window.network_view
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    double_click(nv, clear_point(nv, edge(nv, 0, 0, 0)))
    ed = nv._editing.editor
    qtbot.waitUntil(ed.isVisible, timeout=5000)
    ed.line.selectAll()
    QTest.keyClicks(ed.line, "1 ")  # Space is Play; R would reset
    QTest.keyClicks(ed.line, "r")
    qtbot.wait(200)
    assert ed.line.text() == "1 r" and not window.latest_snapshot.running
    QTest.keyClick(ed.line, Qt.Key.Key_Escape)
    assert not ed.isVisible()
