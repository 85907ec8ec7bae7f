"""The small things a user notices: grammar, controls that do not apply, the speed at slow
settings, About, the boundary's resolution when paused, class colours, a dark palette."""
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from model.data.datasets import DATASETS
from model.playground import Playground, Settings

from gui import theme
from gui.data.data_panel import DataPanel, points_text
from gui.plots import palette
from gui.shell import about
from gui.shell.rate import RateMeter
from gui.shell.worker import FINE_GRID, SPEEDS
from tests.gui.window_helpers import fed

WAIT_MS = 20_000


def test_points_are_counted_in_plain_english():
    assert [points_text(n) for n in (0, 1, 2, 1500)] == ["0 points", "1 point", "2 points",
                                                          "1\u202f500 points"]  # a thin space


def test_only_the_controls_that_apply_are_shown(qtbot):
    panel = DataPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.sync(Settings(dataset="circle"))
    assert not panel.classes.isVisible()  # binary data: no class count
    assert panel.points.isVisible() and panel.noise.isVisible() and panel.regenerate.isVisible()
    panel.sync(Settings(dataset="blobs"))
    assert panel.classes.isVisible()
    panel.sync(Settings(dataset="circle"), custom_points=1)  # your own points
    assert panel.custom_label.text() == "Your data: 1 point"
    assert not any(w.isVisible() for w in (panel.points, panel.noise, panel.regenerate,
                                           panel.classes))
    assert panel.ratio.isVisible() and panel.batch.isVisible()  # these still apply
    panel.sync(Settings(dataset="plane"))
    assert panel.points.isVisible() and not panel.custom_label.isVisible()
    # every data set button has the same height, one-line titles or two
    heights = {b.height() for b in panel.dataset_buttons.values()}
    assert len(heights) == 1
    assert panel.dataset_buttons["multi_gaussian"].height() == \
        panel.dataset_buttons["plane"].height()


def fake(steps, epochs_per_s=0.0, running=True):
    return SimpleNamespace(steps=steps, epochs_per_s=epochs_per_s, running=running)


def test_slow_speeds_count_steps():
    meter = RateMeter()
    assert meter.text(fake(0), 0.0) == "step 0"  # nothing to measure yet
    texts = [meter.text(fake(s), float(s)) for s in range(1, 5)]  # one step a second
    assert texts[-1] == "1.0 steps/s · step 4"
    assert meter.text(fake(5000, epochs_per_s=1234.4), 5.0) == "1\u202f234 epochs/s"
    assert meter.text(fake(5001, running=False), 6.0) == "paused"
    assert meter.text(fake(3), 7.0) == "step 3"  # a new run: measured afresh


def test_the_window_shows_steps_at_one_step_a_second(qtbot, window):
    index = next(k for k, s in enumerate(SPEEDS) if s[0] == "1 step/s")
    window.controls.speed.setValue(index)
    window.actions_.play.trigger()
    qtbot.waitUntil(lambda: "steps/s" in window.rate_label.text(), timeout=WAIT_MS)
    text = window.rate_label.text()
    assert "epochs/s" not in text and "· step " in text
    window.actions_.play.trigger()


def test_about_tells_no_thread_internals():
    text = about.about_html()
    assert "Backprop Playground" in text
    assert "thread" not in text and "times a second" not in text


def test_a_paused_boundary_is_drawn_from_a_fine_grid(qtbot, window):
    snap = window.latest_snapshot  # paused at start
    assert FINE_GRID >= 100
    fine = snap.output_grid_fine
    assert fine.shape == (1, FINE_GRID, FINE_GRID) and not fine.flags.writeable
    # independently: the network's output on a FINE_GRID² grid over the extent
    pg = Playground(snap.extras["settings"])
    x1 = np.linspace(-6, 6, FINE_GRID)
    g1, g2 = np.meshgrid(x1, x1)
    expected = pg.net.predict(np.column_stack([g1.ravel(), g2.ravel()]))
    np.testing.assert_allclose(fine[0].ravel(), expected[:, 0], rtol=1e-12)
    image = window.output_view.image.image
    assert image.shape[0] >= 2 * FINE_GRID - 1  # smoothed between the samples
    # flat out, the snapshots carry only the cheap grid
    window.actions_.play.trigger()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.running, timeout=WAIT_MS)
    assert window.latest_snapshot.output_grid_fine is None
    window.actions_.play.trigger()


def test_each_class_probability_has_its_own_colour_ramp(qtbot, make_window):
    for k in range(4):
        assert tuple(palette.class_ramp(np.array(1.0), k)) == palette.class_color(k)
        assert tuple(palette.class_ramp(np.array(0.0), k)) == palette.MID
    window = make_window(Settings(dataset="blobs", n_classes=4, hidden=(6,)))
    for _ in range(60):
        window.step_epoch()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch == 60, timeout=WAIT_MS)
    # drawn (frames are paced by their cost: on a busy machine that takes a while)
    qtbot.waitUntil(lambda: window.network_view._snap is window.latest_snapshot
                    and window.latest_snapshot.output_grid_fine is not None, timeout=WAIT_MS)
    snap = window.latest_snapshot
    probs = snap.neuron_grids[-1][:, ::-1]  # the graph's thumbnails have x2 up
    thumbs = window.network_view._style.buffers[-1]
    for k in range(4):
        sure = probs[k] > 0.9
        assert sure.any()
        # where p(k) is high, the p(k) thumbnail shows class k's colour (the legend's)
        mean = thumbs[k][sure][:, :3].mean(axis=0)
        assert np.abs(mean - palette.class_color(k)).max() < 40, k
    # and the big view, with the pointer on p(2)
    window.output_view.set_hovered(len(snap.sizes) - 1, 2)
    rgb = window.output_view.image.image
    grid = palette.upsample(snap.output_grid_fine[2], 2)  # paused: the fine grid
    expected = palette.class_ramp(grid, 2, palette.BACKGROUND_LIGHTEN)
    np.testing.assert_array_equal(rgb, expected)


@pytest.fixture
def dark_palette():
    app = QApplication.instance()
    old = app.palette()
    p = QPalette()
    for role, rgb in ((QPalette.ColorRole.Window, (45, 45, 48)),
                      (QPalette.ColorRole.WindowText, (225, 225, 225)),
                      (QPalette.ColorRole.Base, (30, 30, 32)),
                      (QPalette.ColorRole.Text, (225, 225, 225)),
                      (QPalette.ColorRole.Button, (55, 55, 60)),
                      (QPalette.ColorRole.ButtonText, (225, 225, 225)),
                      (QPalette.ColorRole.Highlight, (42, 130, 218))):
        p.setColor(role, QColor(*rgb))
    app.setPalette(p)
    yield p
    app.setPalette(old)


def test_a_dark_palette_stays_readable(qtbot, dark_palette):
    assert theme.is_dark()
    background, _, text = theme.selected_colors()
    assert theme.contrast(background, text) >= theme.MIN_CONTRAST
    window_bg = dark_palette.color(QPalette.ColorRole.Window)
    assert theme.contrast(QColor(theme.muted()), window_bg) >= theme.MIN_CONTRAST
    for level in ("error", "warning", "info"):
        bg, _, fg = theme.notice_colors(level)
        assert theme.contrast(QColor(bg), QColor(fg)) >= theme.MIN_CONTRAST
    for good in (True, False):
        assert theme.contrast(QColor(theme.verdict_color(good)), window_bg) >= 3.0
    panel = DataPanel()
    qtbot.addWidget(panel)
    style = panel.feature_buttons["x1"].styleSheet()
    assert "#cfe3f3" not in style and background.name() in style and text.name() in style


def test_the_light_palette_keeps_the_same_rules(qtbot):
    background, _, text = theme.selected_colors()
    assert theme.contrast(background, text) >= theme.MIN_CONTRAST
    assert not theme.is_dark()


def test_every_data_set_has_a_button(qtbot):
    panel = DataPanel()
    qtbot.addWidget(panel)
    assert set(panel.dataset_buttons) == set(DATASETS)


def test_regression_points_take_a_few_colours_close_to_their_value():
    """pyqtgraph renders a symbol per distinct brush (palette.POINT_STEPS): a regression's
    points use at most 2·POINT_STEPS + 1 colours, each within half a step of the exact
    orange–grey–blue ramp, with −1, 0 and +1 (and NaN as 0) exactly the legend's."""
    t = np.linspace(-1.5, 1.5, 1001)
    colors = palette.point_colors(t, "regression").astype(int)
    assert len({tuple(c) for c in colors}) == 2 * palette.POINT_STEPS + 1
    mid, neg, pos = (np.array(c, dtype=float) for c in (palette.MID, palette.ORANGE,
                                                          palette.BLUE))
    s = np.clip(t, -1, 1)[:, None]
    exact = np.where(s < 0, mid + (neg - mid) * -s, mid + (pos - mid) * s)
    half_step = np.abs(np.vstack([neg - mid, pos - mid])).max() / (2 * palette.POINT_STEPS)
    assert np.abs(colors - exact).max() <= half_step + 1
    ends = palette.point_colors(np.array([-1.0, 0.0, 1.0, np.nan]), "regression")
    assert [tuple(c) for c in ends] == [palette.ORANGE, palette.MID, palette.BLUE, palette.MID]
