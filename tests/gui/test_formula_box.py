"""The data panel's formula box on the real window: shown only for "Above/below your
formula", refusing anything but arithmetic (typed as a user types it) and rebuilding the data
from a valid formula."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from model.playground import Settings
from tests.gui.window_helpers import fed

WAIT_MS = 20_000


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def settle(qtbot, window):
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.extras["seq"] >= window._seq, timeout=WAIT_MS)
    return window.latest_snapshot


def type_formula(qtbot, window, text):
    box = window.data_panel.formula_box
    window.activateWindow()
    box.edit.setFocus()
    box.edit.selectAll()
    QTest.keyClick(box.edit, Qt.Key.Key_Delete)
    QTest.keyClicks(box.edit, text)
    QTest.keyClick(box.edit, Qt.Key.Key_Return)
    return box


def test_the_box_is_shown_only_for_the_formula_set(qtbot, make_window):
    window = make_window()
    box = window.data_panel.formula_box
    assert not box.isVisible()
    window.data_panel.dataset_buttons["curve_formula"].click()
    settle(qtbot, window)
    qtbot.waitUntil(box.isVisible, timeout=WAIT_MS)
    assert box.edit.text() == window.latest_snapshot.extras["settings"].formula
    assert "sin" in box.edit.toolTip() and "^" in box.edit.toolTip()  # the grammar
    window.data_panel.dataset_buttons["curve_sin"].click()
    settle(qtbot, window)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=WAIT_MS)


@pytest.mark.parametrize("text", [
    "__import__('os').system('echo hi')", "x.real", "open('/etc/passwd')", "lambda: 1",
    "x**2", "[1, 2][0]", "x; 1", "globals()", "1 if x else 2", "y + 1", "sin x",
    "x^2 + (3", "exp(x)(1)", "2 @ x", "'x'", "",
])
def test_anything_but_arithmetic_is_refused_in_one_line(qtbot, make_window, text):
    window = make_window(Settings(dataset="curve_formula"))
    settle(qtbot, window)
    before = window.latest_snapshot.extras["settings"].formula
    seq = window._seq
    box = type_formula(qtbot, window, text)
    assert box.error.isVisible()
    message = box.error.text()
    assert message and "\n" not in message and "Traceback" not in message
    if text:
        assert "position" in message
    assert window._seq == seq  # nothing was sent: the data stays
    assert in_worker(window, lambda pg: pg.settings.formula) == before
    QTest.keyClicks(box.edit, "x")  # typing again clears the old message
    assert not box.error.isVisible()


def test_a_valid_formula_rebuilds_the_data(qtbot, make_window):
    window = make_window(Settings(dataset="curve_formula", noise=0.0))
    first = settle(qtbot, window)
    box = type_formula(qtbot, window, "3*sin(x) + x/2")
    assert not box.error.isVisible()
    snap = settle(qtbot, window)
    assert snap.extras["settings"].formula == "3*sin(x) + x/2"
    assert snap.run_id > first.run_id  # a new network on the new data
    X, y = in_worker(window, lambda pg: (np.concatenate([pg.data.X_train, pg.data.X_test]),
                                         np.concatenate([pg.data.y_train, pg.data.y_test])))
    # every label is "above the curve", computed here without the engine's parser
    above = X[:, 1] > 3 * np.sin(X[:, 0]) + X[:, 0] / 2
    np.testing.assert_array_equal(y.astype(bool), above)
    assert 0 < above.mean() < 1
    # the box keeps showing it, and the same formula again sends nothing
    assert box.edit.text() == "3*sin(x) + x/2"
    seq = window._seq
    type_formula(qtbot, window, "3*sin(x) + x/2")
    assert window._seq == seq
