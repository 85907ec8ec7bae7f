"""The gradient check view on the real window: it passes on the real network, and flags a
test double whose hidden tanh layer has a broken derivative, marking that layer's edges."""
import numpy as np
import pytest

from gui.views import gradcheck_view
from model.core.activations import Tanh
from model.lessons.gradcheck import gradient_check
from model.playground import Settings
from tests.gui.window_helpers import fed

WAIT_MS = 20_000


class BrokenTanh(Tanh):
    """tanh with a wrong backward: grad·(1 − a) instead of grad·(1 − a²)."""

    def backward(self, z, a, grad_a, out=None, scratch=None):
        return np.multiply(grad_a, 1.0 - a, out=out)


def broken_first_layer(net):
    double = net.copy()
    double.layers[0].activation = BrokenTanh()  # before its first pass builds a workspace
    return double


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def settle(qtbot, window):
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.extras["seq"] >= window._seq, timeout=WAIT_MS)


def checked(qtbot, view, **where):
    """Trigger Ctrl+G's action and wait for the report it produces."""
    with qtbot.waitSignal(view.checked, timeout=WAIT_MS) as blocker:
        view.action.trigger()
    report = blocker.args[0]
    for key, value in where.items():
        qtbot.waitUntil(lambda: getattr(view.report.result, key) == value, timeout=WAIT_MS)
        report = view.report
    return report


def table(view):
    t = view.panel.table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_check_passes_on_the_real_network_with_timings(qtbot, make_window):
    window = make_window(Settings(hidden=(4, 3), activation="tanh"))
    view = gradcheck_view.install(window)
    assert view.action.shortcut().toString() == "Ctrl+G"
    assert view.action in [a for m in window.menuBar().actions() if m.text() == "&Tools"
                           for a in m.menu().actions()]
    for _ in range(3):
        window.step()
    settle(qtbot, window)
    report = checked(qtbot, view)
    assert view.dock.isVisible()
    r = report.result
    assert r.passed and r.worst_error < 1e-6
    # independent: the engine's own check on a copy of the worker's network and minibatch
    def fetch(pg):
        t = pg.trainer
        rows = t.order[t.last_batch]
        return pg.net.copy(), t.X_train[rows].copy(), t.Y_train[rows].copy(), t.loss.name
    net, X, Y, loss = in_worker(window, fetch)
    ref = gradient_check(net, X, Y, loss, 1e-5)
    np.testing.assert_allclose(r.analytic, ref.analytic, rtol=1e-12, atol=1e-15)
    assert report.n_rows == len(X) == 10 and report.n_params == net.n_params
    rows = table(view)
    assert [row[0] for row in rows] == ["1", "2", "3 (output)"]
    assert [int(row[1]) for row in rows] == [12, 15, 4]
    assert all(row[3] in ("good", "pass") for row in rows)
    assert "PASS" in view.panel.verdict.text()
    assert r.worst_name in view.panel.worst.text()
    P = net.n_params
    timing = view.panel.timing.text()
    assert "1 forward + 1 backward" in timing and f"2·P = 2·{P} = {2 * P} forward passes" in timing
    assert timing.count(" ms") == 2 and r.backprop_seconds > 0 and r.numeric_seconds > 0
    assert window.network_view._highlight is None  # nothing fails, nothing marked


def test_broken_derivative_fails_and_marks_that_layer(qtbot, make_window):
    window = make_window(Settings(hidden=(4, 3), activation="tanh"))
    view = gradcheck_view.install(window)
    window.step()
    settle(qtbot, window)
    view.make_checked_network = broken_first_layer
    report = checked(qtbot, view)
    assert not report.result.passed
    rows = table(view)
    assert rows[0][3] == "FAIL" and all(row[3] != "FAIL" for row in rows[1:])
    assert "FAIL" in view.panel.verdict.text()
    assert report.result.worst_name.startswith("layer1.")
    highlight = window.network_view._highlight
    assert highlight and {key[0] for key in highlight} == {0}
    assert set(highlight) == set(report.failing_edges)
    assert all(v == 1.0 for v in highlight.values())
    # nearly every weight and bias of layer 1 is off by a factor (1 + a)
    assert len(highlight) >= (2 + 1) * 4 - 2
    # the real network passes again once the double is gone, and the marks go
    view.make_checked_network = gradcheck_view._copy
    report = checked(qtbot, view)
    assert report.result.passed
    assert window.network_view._highlight is None


def test_epsilon_is_adjustable_and_rechecks(qtbot, make_window):
    window = make_window(Settings(hidden=(3,), activation="sigmoid"))
    view = gradcheck_view.install(window)
    checked(qtbot, view)
    spin = view.panel.epsilon
    spin.stepBy(2)  # log steps: ×100
    assert spin.value() == pytest.approx(1e-3)
    qtbot.waitUntil(lambda: view.report.result.epsilon == pytest.approx(1e-3), timeout=WAIT_MS)
    spin.setValue(1.0)  # clamped to the range's top
    assert spin.value() == pytest.approx(1e-1)
    assert spin.valueFromText("2e-7") == pytest.approx(2e-7)
    assert spin.textFromValue(1e-5) == "1e-05"


def test_recheck_follows_training_while_visible(qtbot, make_window):
    window = make_window(Settings(hidden=(4,), activation="relu", init_scheme="he"))
    view = gradcheck_view.install(window)
    first = checked(qtbot, view)
    window.play()
    qtbot.waitUntil(lambda: view.report is not None and view.report.steps > first.steps + 20,
                    timeout=WAIT_MS)
    window.pause()


def test_the_table_s_headers_fit_at_1024_by_640(qtbot, window):
    """Docked at the smallest supported window size, no header is elided ("worst rel…");
    each one's full meaning is in its tooltip."""
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() == 1024 and window.height() == 640, timeout=WAIT_MS)
    view = gradcheck_view.install(window)
    window.views.show_dock(view.dock)
    qtbot.waitUntil(view.dock.isVisible, timeout=WAIT_MS)
    qtbot.wait(150)
    table = view.panel.table
    header = table.horizontalHeader()
    metrics = header.fontMetrics()
    for column in range(table.columnCount()):
        item = table.horizontalHeaderItem(column)
        needed = metrics.horizontalAdvance(item.text()) + 2 * header.style().pixelMetric(
            header.style().PixelMetric.PM_HeaderMargin)
        assert header.sectionSize(column) >= needed, (item.text(), header.sectionSize(column))
    for column in range(table.columnCount()):
        item = table.horizontalHeaderItem(column)
        assert len(item.toolTip()) > len(item.text())
