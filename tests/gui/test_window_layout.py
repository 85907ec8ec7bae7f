"""The real window at 1024×640 and 1280×800: it fits, and no view crushes the playground.

Geometry is measured on screen (offscreen platform): the boundary's data area in pixels,
its data extent, the loss plot's height, the window's minimum size, the top bar's rows.
"""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDockWidget

from gui.shell import window_layout, window_state
from gui.shell.view_host import dock_name
from tests.gui.window_helpers import fed

WAIT_MS = 20_000
VIEWS = ("Chain rule", "Gradient check", "Gradient health", "Lesson", "Data point",
         "Training history", "Loss landscape", "Runs", "Slice", "Confusion matrix")


def sized(qtbot, window, width, height):
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height,
                    timeout=WAIT_MS)
    qtbot.wait(150)  # the plot places itself after its axes have been laid out
    return window


def boundary(window):
    """(width, height) in px of the plane's data area, and its view range."""
    rect = window.output_view.square.data_rect()
    vb = window.output_view.plot.getPlotItem().getViewBox()
    return rect.width(), rect.height(), vb.viewRange()


def test_every_view_is_a_named_dock_in_the_view_host(window):
    docks = window.views.docks
    assert [d.windowTitle() for d in docks] == list(VIEWS)
    names = [d.objectName() for d in window.findChildren(QDockWidget)]
    assert sorted(names) == sorted(dock_name(t) for t in VIEWS)  # unique, state-restorable
    assert all(d.parent() is window.views.area for d in docks)
    # the registry: every feature once, by key
    assert {"inspector", "gradcheck", "health", "lesson", "point_view", "timeline",
            "run_watch", "sessions", "landscape", "runs", "slice", "confusion"} <= set(window.views)
    assert window.features["inspector"] is window.views.get("inspector")


def test_the_window_fits_1024_by_640(window):
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 640
    for dock in window.views.docks:  # with any one view open too
        window.views.show_dock(dock)
        hint = window.minimumSizeHint()
        assert hint.width() <= 1024 and hint.height() <= 640, dock.windowTitle()
        dock.hide()


@pytest.mark.parametrize("width, height, rows", [(1024, 640, 2), (1280, 800, 1)])
def test_the_top_bar_wraps_instead_of_squeezing(qtbot, window, width, height, rows):
    sized(qtbot, window, width, height)
    bar = window.controls
    assert len(bar.flow.rows(bar.width())) == rows
    for group in bar.groups:  # nothing cut off: every group lies inside the bar
        assert bar.rect().contains(group.geometry())
    for combo in bar.findChildren(QComboBox):
        assert combo.width() >= combo.sizeHint().width()
    loss = bar.loss
    text_room = loss.width() - 24  # the arrow
    assert loss.fontMetrics().horizontalAdvance(loss.currentText()) <= text_room
    assert loss.currentText() == "Cross-entropy"


@pytest.mark.parametrize("width, height, side", [(1024, 640, 180), (1280, 800, 240)])
def test_no_view_crushes_the_boundary_or_the_loss_plot(qtbot, window, width, height, side):
    sized(qtbot, window, width, height)
    for dock in [None, *window.views.docks]:
        if dock is not None:
            window.views.show_dock(dock)
            qtbot.waitUntil(dock.isVisible, timeout=WAIT_MS)
            qtbot.wait(150)
        name = dock.windowTitle() if dock else "no view"
        w, h, (xr, yr) = boundary(window)
        assert w >= side and h >= side, (name, w, h)
        assert abs(w - h) <= 2, (name, w, h)  # square: the aspect is kept
        # the data extent −6…6 is what is shown, not a strip of it
        assert xr[0] == pytest.approx(-6.0, abs=0.15) and xr[1] == pytest.approx(6.0, abs=0.15)
        assert yr[0] == pytest.approx(-6.0, abs=0.15) and yr[1] == pytest.approx(6.0, abs=0.15)
        assert window.loss_plot.plot.height() >= 100, name
        # the view itself opened at a useful size, below the graph, which keeps some room
        if dock is not None:
            assert dock.height() >= 100 and dock.width() >= 400, name
            assert window.network_view.height() >= 120, name
            dock.hide()


@pytest.mark.parametrize("width, height, side", [(1024, 640, 180), (1280, 800, 240)])
def test_real_data_with_its_views_keeps_the_boundary(qtbot, window, width, height, side):
    """Iris (four inputs): the slice controls above the plane and the Slice and Confusion
    matrix views below the graph leave the boundary its room and the window its minimum."""
    from gui.data.data_io import install
    io = install(window)
    io.example_actions["iris"].trigger()
    qtbot.waitUntil(lambda: io.dialog is not None and io.dialog.ok.isEnabled(), timeout=WAIT_MS)
    io.dialog.ok.click()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.plane is not None, timeout=WAIT_MS)
    sized(qtbot, window, width, height)
    bar = window.views["slice"].bar
    assert bar.isVisible() and bar.width() >= bar.minimumSizeHint().width()
    for dock in (None, window.views["slice"].dock, window.views["confusion"].dock):
        if dock is not None:
            window.views.show_dock(dock)
            qtbot.waitUntil(dock.isVisible, timeout=WAIT_MS)
            qtbot.wait(150)
        name = dock.windowTitle() if dock else "no view"
        hint = window.minimumSizeHint()
        assert hint.width() <= 1024 and hint.height() <= 640, (name, hint)
        w, h, _ = boundary(window)
        assert w >= side and h >= side and abs(w - h) <= 2, (name, w, h)
        assert window.loss_plot.plot.height() >= 100, name
        if dock is not None:
            assert dock.height() >= 100 and window.network_view.height() >= 120, name
            dock.hide()


def test_notices_take_room_from_the_graph_not_the_boundary(qtbot, window):
    sized(qtbot, window, 1024, 640)
    before = boundary(window)[:2]
    window.notify("a", "Training stopped at epoch 3: the loss became NaN " * 3, level="error")
    window.notify("b", "Restore your last session?", level="info")
    qtbot.wait(200)
    assert boundary(window)[:2] == before
    assert window.loss_plot.plot.height() >= 100


def test_the_layout_is_remembered_and_reset(qtbot, make_window):
    first = make_window()
    # within the offscreen platform's 800×600 screen: restoreGeometry keeps a window on it
    sized(qtbot, first, 790, 590)
    history = first.views["timeline"]
    first.views.show_dock(history.dock)
    qtbot.waitUntil(history.dock.isVisible, timeout=WAIT_MS)
    # taller than it opens (at 790×590 every panel is at its minimum width: only heights move)
    opened = history.dock.height()
    first.views.area.resizeDocks([history.dock], [opened + 80], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: history.dock.height() > opened + 40, timeout=WAIT_MS)
    moved = history.dock.height()
    first.close()  # as the user closes it: the arrangement is saved
    s = window_state.app_settings()
    assert s.organizationName() and s.applicationName() == "Backprop Playground"
    assert s.value("window/version") is not None

    second = make_window()
    qtbot.wait(100)
    assert (second.width(), second.height()) == (790, 590)
    assert second.views["timeline"].dock.isVisible()
    qtbot.waitUntil(lambda: second.views["timeline"].dock.height() == moved, timeout=WAIT_MS)
    # View → Reset layout: the views close, the panels go back to their first widths
    reset = second.window_state.reset_action
    assert reset in second.menuBar().actions()[2].menu().actions()
    reset.trigger()
    qtbot.wait(100)
    assert not any(d.isVisible() for d in second.views.docks)
    right = second.body_split.sizes()[1]
    share, lo, hi = window_layout.RIGHT_SHARE, window_layout.RIGHT_MIN, window_layout.RIGHT_MAX
    assert right == min(max(round(share * second.width()), lo), hi)
    second.views.show_dock(second.views["timeline"].dock)  # and it opens at its first size
    qtbot.waitUntil(lambda: second.views["timeline"].dock.height() < moved, timeout=WAIT_MS)
    # a damaged saved state is ignored: the default layout is used
    s = window_state.app_settings()
    s.setValue("window/docks", b"not a state")
    s.sync()
    third = make_window()
    assert not any(d.isVisible() for d in third.views.docks)


def test_a_new_view_is_a_few_lines_and_shares_the_hosts_state(qtbot, window):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QLabel

    class Another:  # what a later view needs to do
        def __init__(self, w):
            self.dock = w.views.add_dock("Another view", QLabel("surface"), "Ctrl+Alt+L",
                                         "Show another view")

    view = window.views.install("another", lambda: Another(window))
    assert window.views.install("another", lambda: Another(window)) is view  # once
    with pytest.raises(KeyError, match="another"):
        window.views.add("another", object())
    assert "another" in list(window.views) and window.views["another"] is view
    assert view.dock.objectName() == "another_view_dock"
    toggle = view.dock.toggleViewAction()
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert toggle in view_menu.actions() and toggle.shortcut().toString() == "Ctrl+Alt+L"
    toggle.trigger()
    qtbot.waitUntil(view.dock.isVisible, timeout=WAIT_MS)
    # tabbed with the other views below the graph
    assert window.views.area.dockWidgetArea(view.dock) == window.views.area.dockWidgetArea(
        window.views["health"].dock)

    # the host's shared state: frozen views, the graph's highlight, one Esc for all
    a, b = object(), object()
    window.views.freeze(a, {window.network_view})
    assert window.views.frozen_by_others(b, window.network_view)
    assert not window.views.frozen_by_others(a, window.network_view)
    assert window.frozen_views == {a: {window.network_view}}
    window.views.freeze(a, ())
    assert window.views.frozen() == set()
    window.views.claim_highlight(a, {(0, 0, 0): 1.0})
    window.views.release_highlight(b)  # not the owner: stays
    assert window.views.highlight_owner is a
    window.views.release_highlight(a)
    assert window.views.highlight_owner is None
    fired = []
    one, two = QAction(window), QAction(window)
    one.triggered.connect(lambda: fired.append("one"))
    two.triggered.connect(lambda: fired.append("two"))
    two.setEnabled(False)
    window.views.register_escape(one)
    window.views.register_escape(two)
    window.views.escape_action.trigger()
    assert fired == ["one"]
    escapes = [x for x in window.actions() if x.shortcut().toString() == "Esc"]
    assert escapes == [window.views.escape_action]  # one Esc action, never ambiguous
