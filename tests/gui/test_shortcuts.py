"""Keyboard shortcuts across every installed feature: no two actions share a key, and Esc
clears every selection at once (Qt fires neither of two actions with the same shortcut)."""
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from graph_helpers import click_edge
from tests.gui.conftest import WAIT_MS
from window_helpers import click_data, press
from tests.gui.window_helpers import fed


def test_no_two_actions_share_a_shortcut(window):
    seen = {}
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            key = seq.toString()
            if not key:
                continue
            assert key not in seen, f"{key}: {seen[key]!r} and {action.text()!r}"
            seen[key] = action.text()
    # the shortcuts are all there
    for key in ("Space", "Right", "R", "Ctrl+E", "Ctrl+O", "Esc", "Ctrl+S", "Ctrl+Shift+S",
                "Ctrl+L", "Ctrl+Shift+O", "Ctrl+/"):
        assert key in seen, key
    assert seen["Ctrl+O"] == "&Open…"  # one Open for every kind of file (not Import weights)


def test_esc_clears_the_inspected_edge_and_the_selected_point(qtbot, window):
    inspector, points = window.features["inspector"], window.features["point_view"]
    press(qtbot, window, Qt.Key.Key_Right)  # Step
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.steps == 1, timeout=WAIT_MS)
    qtbot.wait(100)  # drawn: the output view's range is set
    click_data(window, *window.latest_snapshot.X_train[3])  # opens the data point's dock...
    qtbot.waitUntil(lambda: points.info is not None, timeout=WAIT_MS)
    assert points.selected[:2] == ("train", 3)
    press(qtbot, window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)  # ...then Ctrl+I
    qtbot.waitUntil(inspector.dock.isVisible, timeout=WAIT_MS)
    qtbot.wait(100)  # the graph has its new size
    click_edge(window.network_view, 1, 0, 0)
    qtbot.waitUntil(lambda: inspector.selection is not None and points.selected is not None,
                    timeout=WAIT_MS)
    assert inspector.selection == (1, 0, 0)
    assert inspector.clear_action.isEnabled() and points.clear_action.isEnabled()
    press(qtbot, window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: inspector.selection is None and points.selected is None,
                    timeout=WAIT_MS)
