"""Issue 14 in the window, through its real widgets: the input scaling control, "scaled" on the
graph and in the inspector, slices of more than two inputs (axis pickers, held values, PCA) in
the output view and the graph's thumbnails, the confusion-matrix view and class names.

Expected numbers are computed here from their definitions (numpy on the data's rows, the
model's predict on rows built here), never copied from the app's output."""
import importlib.util

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui.data import data_io
from gui.files import exports
from gui.plots import palette
from gui.plots.output_view import UPSAMPLE_FINE
from gui.views import confusion_view, inspector, point_view, slice_controls
from model.data.plane import PlaneSpec
from model.playground import Settings
from window_helpers import choose, press, type_into_spin_box
from tests.gui.window_helpers import fed

WAIT_MS = 20_000
IRIS = ("setosa", "versicolor", "virginica")


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def open_example(qtbot, window, name):
    """File → Open data example → ``name``, then OK in the preview dialog, as a user does."""
    io = data_io.install(window)
    io.example_actions[name].trigger()
    qtbot.waitUntil(lambda: io.dialog is not None and io.dialog.ok.isEnabled(), timeout=WAIT_MS)
    qtbot.mouseClick(io.dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.extras.get("custom")
                    and window.latest_snapshot.sizes[0] > 2, timeout=WAIT_MS)
    for _ in range(15):  # a few epochs: a boundary worth comparing
        window.step_epoch()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch >= 15, timeout=WAIT_MS)
    return window.latest_snapshot


def drawn(qtbot, window, spec):
    """Wait until the worker has drawn ``spec`` (paused: with the fine grid) and the output
    view shows that snapshot."""
    def done():
        s = window.latest_snapshot
        return (s.plane is not None and s.plane.spec == spec and s.output_grid_fine is not None
                and window.output_view._snap is s)
    qtbot.waitUntil(done, timeout=WAIT_MS)
    return window.latest_snapshot


def padded(values):
    lo, hi = values.min(), values.max()
    pad = max((hi - lo) * 0.1, 0.5)
    return lo - pad, hi + pad


def slice_rows(X_all, axes, held, r):
    """A slice's raw rows from its definition: the two inputs over their padded range (a
    meshgrid, y slowest), every other input at ``held``."""
    (x0, x1), (y0, y1) = padded(X_all[:, axes[0]]), padded(X_all[:, axes[1]])
    gx, gy = np.meshgrid(np.linspace(x0, x1, r), np.linspace(y0, y1, r))
    rows = np.tile(np.asarray(held, dtype=float), (r * r, 1))
    rows[:, axes[0]], rows[:, axes[1]] = gx.ravel(), gy.ravel()
    return rows, (x0, x1, y0, y1)


def pick(combo, index):
    """Step through the combo box with the arrow keys (as a user does; greyed-out entries are
    skipped) until ``index`` is chosen."""
    combo.setFocus()
    key = Qt.Key.Key_Down if index > combo.currentIndex() else Qt.Key.Key_Up
    for _ in range(combo.count()):
        if combo.currentIndex() == index:
            break
        QTest.keyClick(combo, key)
    assert combo.currentIndex() == index


def all_rows(snap):
    return np.concatenate([snap.X_train, snap.X_test])


# ----------------------------------------------------------------------------- input scaling
def test_the_scaling_control_rebuilds_with_the_chosen_method(qtbot, window):
    combo = window.data_panel.scale
    assert combo.isVisible() and "training rows only" in combo.toolTip()
    # a generated set: auto means no scaling (TF Playground's raw inputs)
    assert combo.currentData() == "auto" and combo.itemText(0) == "auto (none)"
    assert window.latest_snapshot.input_scaling is None
    choose(qtbot, combo, "minmax")
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.input_scaling == "minmax", timeout=WAIT_MS)
    method, offset, scale = in_worker(window, lambda pg: (
        pg.net.input_scaling.method, np.array(pg.net.input_scaling.offset),
        np.array(pg.net.input_scaling.scale)))
    X = window.latest_snapshot.X_train  # the inputs x1, x2 as they are: the training rows
    assert method == "minmax"
    np.testing.assert_allclose(offset, (X.max(axis=0) + X.min(axis=0)) / 2)
    np.testing.assert_allclose(scale, (X.max(axis=0) - X.min(axis=0)) / 2)
    # the note changes with the frame drawn from that snapshot, which may come a little later
    qtbot.waitUntil(lambda: "scaled: minmax" in window.network_view._note.text(),
                    timeout=WAIT_MS)
    choose(qtbot, combo, "none")
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.input_scaling is None
                    and window.latest_snapshot.extras["settings"].scale == "none",
                    timeout=WAIT_MS)
    assert in_worker(window, lambda pg: pg.net.input_scaling) is None
    qtbot.waitUntil(lambda: not window.network_view._note.isVisible(), timeout=WAIT_MS)
    choose(qtbot, combo, "auto")
    # data from a file: auto means standard, and the combo says so
    snap = open_example(qtbot, window, "iris")
    assert snap.input_scaling == "standard"
    qtbot.waitUntil(lambda: combo.itemText(0) == "auto (standard)", timeout=WAIT_MS)
    assert combo.currentData() == "auto"
    # the training share shown is the file's (80 %), not the generated sets' 50 %
    assert window.data_panel.ratio.slider.value() == 80
    # four columns go in as they are: the feature toggles of x₁, x₂ do not apply
    buttons = window.data_panel.feature_buttons.values()
    assert not any(b.isEnabled() for b in buttons)
    assert "two inputs" in window.data_panel.feature_buttons["x1"].toolTip()


def test_graph_and_inspector_say_the_inputs_are_scaled_and_show_scaled_values(qtbot, window):
    snap = open_example(qtbot, window, "iris")
    note = window.network_view._note
    assert note.isVisible() and "scaled: standard" in note.text()
    assert "training rows" in note.toolTip()
    from gui.graph.graph_text import item_tooltip
    tip = item_tooltip(snap, window.network_view._neurons[0][2])
    assert "scaled (standard" in tip
    assert "varies along" in tip or "held at" in tip
    # the inspector's numbers for one example are the scaled inputs, and it says so
    ins = inspector.install(window)
    window.views.show_dock(ins.dock)
    ins.set_mode("example", 3)
    ins.select(0, 2, 1)
    qtbot.waitUntil(lambda: ins.result is not None and ins.result.mode == "example",
                    timeout=WAIT_MS)
    X = snap.X_train
    scaled = (X[3] - X.mean(axis=0)) / X.std(axis=0)  # z-scores of the training rows
    np.testing.assert_allclose(ins.result.x[0], scaled, atol=1e-12)
    left = ins.panel.factors.toPlainText()
    assert "(scaled: standard)" in left and "raw row" in left
    assert f"{X[3, 0]:.4g}" in left  # the raw value too
    assert "inputs scaled (standard)" in left
    # the target names its class
    assert any(f": {name}" in left for name in IRIS)


# ----------------------------------------------------------------------------- slices
def test_the_slice_boundary_is_predict_on_the_slices_grid(qtbot, window):
    snap = open_example(qtbot, window, "iris")
    controls = slice_controls.install(window)
    bar = controls.bar
    assert bar.isVisible() and bar.x_axis.count() == 4
    assert snap.plane.axes == (0, 1)
    # x: petal length, y: petal width, picked with the keyboard on the real combo boxes
    pick(bar.x_axis, 2)
    assert not bar.y_axis.model().item(2).isEnabled()  # x's input is not offered for y
    pick(bar.y_axis, 3)
    assert controls.spec.axes == (2, 3)
    # sepal length held at 7 (typed into the Slice dock), sepal width at its mean
    window.views.show_dock(controls.dock)
    qtbot.waitUntil(controls.dock.isVisible, timeout=WAIT_MS)
    type_into_spin_box(qtbot, controls.panel.rows[0].box, "7")
    spec = PlaneSpec("slice", (2, 3), (7.0, None, None, None))
    assert controls.spec == spec
    snap = drawn(qtbot, window, spec)
    X_all = all_rows(snap)
    held = [7.0, snap.X_train[:, 1].mean(), 0.0, 0.0]
    r = snap.output_grid_fine.shape[-1]
    rows, extent = slice_rows(X_all, (2, 3), held, r)
    assert snap.extent == pytest.approx(extent)
    out = in_worker(window, lambda pg: pg.predict(rows)).T.reshape(3, r, r)
    np.testing.assert_allclose(snap.output_grid_fine, out, atol=1e-9)
    # what the output view shows is that output, coloured
    want = palette.blend_classes(palette.upsample(out, UPSAMPLE_FINE), palette.BACKGROUND_LIGHTEN)
    image = window.output_view.image.image
    assert image.shape == want.shape
    assert np.abs(image.astype(int) - want.astype(int)).max() <= 1
    # the view says what it shows: its axes, and the slice in words
    axis = window.output_view.plot.getPlotItem().getAxis
    assert axis("bottom").labelText == "petal length (cm)"
    assert axis("left").labelText == "petal width (cm)"
    assert "slice" in window.output_view.title.text()
    text = bar.caption.full_text()
    assert "sepal length (cm) = 7" in text and "sepal width (cm) = mean" in text
    # the points are where their petal measurements put them
    np.testing.assert_array_equal(window.output_view.train_points.getData()[0],
                                  snap.X_train[:, 2])
    # the thumbnails show the same slice: the worker's grids for it
    rows40, _ = slice_rows(X_all, (2, 3), held, 40)
    grid = in_worker(window, lambda pg: pg.predict(rows40)).T.reshape(3, 40, 40)
    np.testing.assert_allclose(snap.neuron_grids[-1], grid, atol=1e-9)
    assert window.network_view._snap is snap
    held_thumb = window.network_view._neurons[0][0].image  # sepal length: constant on it
    assert len({held_thumb.pixelColor(x, y).rgb() for x in (0, 19, 39) for y in (0, 19, 39)}) == 1


def test_moving_a_slider_moves_the_held_value_and_the_grids(qtbot, window):
    snap = open_example(qtbot, window, "iris")
    controls = slice_controls.install(window)
    controls.bar.held.click()  # "Held values…" opens the Slice dock
    qtbot.waitUntil(controls.dock.isVisible, timeout=WAIT_MS)
    row = controls.panel.rows[3]  # petal width, held at its mean on the default slice
    mean = snap.X_train[:, 3].mean()
    assert row.box.value() == pytest.approx(mean, abs=10 ** -row.box.decimals())
    assert row.box.suffix() == " (mean)"
    lo, hi = all_rows(snap)[:, 3].min(), all_rows(snap)[:, 3].max()
    assert (row.box.minimum(), row.box.maximum()) == pytest.approx((lo, hi))
    assert "0.1 … 2.5" == row.range.text()
    before = snap.neuron_grids[-1]
    row.slider.setFocus()
    QTest.keyClick(row.slider, Qt.Key.Key_End)  # all the way: the largest petal width
    assert controls.spec.held_value(3) == pytest.approx(hi)
    snap = drawn(qtbot, window, controls.spec)
    assert snap.plane.held[3] == pytest.approx(hi) and snap.plane.held[2] == pytest.approx(
        snap.X_train[:, 2].mean())
    assert not np.allclose(snap.neuron_grids[-1], before)
    rows, _ = slice_rows(all_rows(snap), (0, 1), [0, 0, snap.X_train[:, 2].mean(), hi], 40)
    want = in_worker(window, lambda pg: pg.predict(rows)).T.reshape(3, 40, 40)
    np.testing.assert_allclose(snap.neuron_grids[-1], want, atol=1e-9)
    assert "petal width (cm) = 2.5" in controls.bar.caption.full_text()
    # Reset to means
    qtbot.mouseClick(controls.panel.reset, Qt.MouseButton.LeftButton)
    snap = drawn(qtbot, window, PlaneSpec())
    np.testing.assert_allclose(snap.neuron_grids[-1], before, atol=1e-12)
    assert not controls.panel.reset.isEnabled()


def test_the_pca_toggle_projects_the_points_and_comes_back_to_the_slice(qtbot, window):
    snap = open_example(qtbot, window, "wine")  # 13 inputs
    controls = slice_controls.install(window)
    pick(controls.bar.x_axis, 5)
    qtbot.mouseClick(controls.bar.pca, Qt.MouseButton.LeftButton)
    assert controls.spec.kind == "pca"
    snap = drawn(qtbot, window, controls.spec)
    X = snap.X_train
    mean, std = X.mean(axis=0), X.std(axis=0)
    _, s, vt = np.linalg.svd((X - mean) / std, full_matrices=False)
    first = vt[0] * np.sign(vt[0][np.abs(vt[0]).argmax()])
    np.testing.assert_allclose(window.output_view.train_points.getData()[0],
                               ((X - mean) / std) @ first, atol=1e-9)
    share = 100 * s[0] ** 2 / (s ** 2).sum()
    axis = window.output_view.plot.getPlotItem().getAxis
    assert axis("bottom").labelText == f"PC1 ({share:.0f} %)"
    assert not controls.bar.x_axis.isEnabled()
    assert "Principal components" in controls.bar.caption.full_text()
    assert "PCA plane" in window.network_view._note.text()
    assert not any(r.slider.isEnabled() for r in controls.panel.rows.values())
    qtbot.mouseClick(controls.bar.pca, Qt.MouseButton.LeftButton)
    snap = drawn(qtbot, window, PlaneSpec("slice", (5, 1)))
    assert axis("bottom").labelText == snap.plane.input_names[5]


def test_two_inputs_keep_todays_plane_and_no_slice_controls(qtbot, window):
    controls = slice_controls.install(window)
    snap = window.latest_snapshot
    assert snap.plane is None and snap.extent == (-6.0, 6.0, -6.0, 6.0)
    assert not controls.bar.isVisible()
    assert window.views["draw_tool"].bar.isVisible()
    axis = window.output_view.plot.getPlotItem().getAxis
    assert (axis("bottom").labelText, axis("left").labelText) == ("x₁", "x₂")
    assert window.output_view.plot.getPlotItem().getViewBox().state["aspectLocked"]


def test_a_plane_that_does_not_fit_is_refused_in_one_line(qtbot, window):
    open_example(qtbot, window, "iris")
    # (the worker's error reaches the window's slot in the GUI thread: the status bar)
    window.worker.set_plane(PlaneSpec("slice", (0, 7)))
    bar = window.statusBar()
    qtbot.waitUntil(lambda: "two different inputs" in bar.currentMessage(), timeout=WAIT_MS)
    assert "\n" not in bar.currentMessage()
    window.worker.request_snapshot()
    qtbot.wait(200)
    assert window.latest_snapshot.plane.spec == PlaneSpec()


# ----------------------------------------------------------------------------- read-outs
def table_counts(table):
    n = table.rowCount()
    return np.array([[int(table.item(i, j).text()) for j in range(n)] for i in range(n)])


def test_the_confusion_view_shows_the_playgrounds_confusion(qtbot, window):
    snap = open_example(qtbot, window, "iris")
    view = confusion_view.install(window)
    press(qtbot, window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier
          | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(view.dock.isVisible, timeout=WAIT_MS)
    reports = in_worker(window, lambda pg: pg.confusion())
    for part in ("train", "test"):
        table = view.panel.tables[part]
        qtbot.waitUntil(lambda: table.rowCount() == 3, timeout=WAIT_MS)
        np.testing.assert_array_equal(table_counts(table), reports[part].counts)
        assert [table.horizontalHeaderItem(k).text() for k in range(4)] == [*IRIS, "accuracy"]
        assert [table.verticalHeaderItem(k).text() for k in range(3)] == list(IRIS)
        counts = reports[part].counts
        for i in range(3):
            acc = counts[i, i] / counts[i].sum()
            assert table.item(i, 3).text() == f"{100 * acc:.1f} %"
        total = counts.trace() / counts.sum()
        assert f"accuracy {100 * total:.1f} %" in view.panel.titles[part].text()
    assert view.panel.titles["test"].text().startswith("<b>Test rows</b> (30)")
    # row-normalised: each row's shares
    view.panel.normalised.click()
    counts = reports["train"].counts
    share = counts[0, 0] / counts[0].sum()
    assert view.panel.tables["train"].item(0, 0).text() == f"{100 * share:.1f} %"
    # live while training: the newest snapshot's counts, equal to the model's when paused
    window.play()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch >= snap.epoch + 30, timeout=WAIT_MS)
    window.pause()
    qtbot.waitUntil(lambda: not window.latest_snapshot.running
                    and window.latest_snapshot.extras["seq"] >= window._seq, timeout=WAIT_MS)
    view.panel.normalised.click()
    reports = in_worker(window, lambda pg: pg.confusion())
    qtbot.waitUntil(lambda: np.array_equal(table_counts(view.panel.tables["test"]),
                                           reports["test"].counts), timeout=WAIT_MS)
    np.testing.assert_array_equal(window.latest_snapshot.confusion["train"],
                                  reports["train"].counts)


def test_the_confusion_view_explains_itself_for_a_regression(qtbot, make_window):
    window = make_window(Settings(dataset="plane"))
    view = confusion_view.install(window)
    window.views.show_dock(view.dock)
    qtbot.waitUntil(lambda: view.panel.message.isVisible(), timeout=WAIT_MS)
    assert "regression" in view.panel.message.text()
    assert not view.panel.scroll.isVisible()


def test_class_names_reach_the_legend_the_data_point_and_the_exported_model(
        qtbot, window, tmp_path):
    snap = open_example(qtbot, window, "iris")
    legend = window.output_view.legend.text()
    assert all(f"class {name}" in legend for name in IRIS)
    # one training point, picked in the output view where it is drawn on the slice
    pv = point_view.install(window)
    pv.select("train", 0)
    qtbot.waitUntil(lambda: pv.info is not None, timeout=WAIT_MS)
    y0 = IRIS[int(snap.y_train[0])]
    assert pv.info.label == y0 and f"label: <b>{y0}</b>" in pv.panel.summary.text()
    assert "petal width (cm) = " in pv.panel.summary.text()  # a named row, not 4 numbers
    at = pv.marker.getData()
    assert (at[0][0], at[1][0]) == tuple(snap.points("train")[0])
    # the Python export predicts class names for raw rows
    ex = exports.install(window)
    path = tmp_path / "iris_model.py"
    with qtbot.waitSignal(ex.finished, timeout=WAIT_MS) as done:
        ex.export_to("python", path)
    assert done.args[2] is True
    spec = importlib.util.spec_from_file_location("iris_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert list(module.CLASSES) == list(IRIS)
    rows = snap.X_test[:5]
    out = in_worker(window, lambda pg: pg.predict(rows))
    assert module.predict_label(rows) == [IRIS[k] for k in out.argmax(axis=1)]


def test_a_session_keeps_the_chosen_slice(qtbot, window, tmp_path, message_boxes):
    """The plane chosen for iris (axes and held values) is saved with the session and drawn
    again when it is opened; a saved plane that does not fit the data is left out, said in
    the status bar, and the session still opens."""
    import json

    from gui.files import opening, sessions
    open_example(qtbot, window, "iris")
    controls = slice_controls.install(window)
    controls.set_axes(2, 3)
    controls.set_held(0, 7.0)
    spec = PlaneSpec("slice", (2, 3), (7.0, None, None, None))
    drawn(qtbot, window, spec)
    ses = sessions.install(window)
    path = tmp_path / "iris.json"
    with qtbot.waitSignal(ses.saved, timeout=WAIT_MS):
        ses.save_to(path)
    saved = json.loads(path.read_text())["meta"]["plane"]
    assert saved == {"kind": "slice", "axes": [2, 3], "held": [7.0, None, None, None]}
    # another plane, then the session again: its plane comes back, in the worker and the bar
    controls.set_axes(0, 1)
    controls.reset_to_means()
    drawn(qtbot, window, PlaneSpec("slice", (0, 1), ()))
    with qtbot.waitSignal(opening.install(window).opened, timeout=WAIT_MS):
        ses.open_path(path)
    drawn(qtbot, window, spec)
    qtbot.waitUntil(lambda: controls.spec == spec, timeout=WAIT_MS)
    assert "sepal length (cm) = 7" in controls.bar.caption.full_text()
    # a plane for inputs the data does not have: the session opens, without it
    doc = json.loads(path.read_text())
    doc["meta"]["plane"] = {"kind": "slice", "axes": [0, 9], "held": []}
    bad = tmp_path / "bad_plane.json"
    bad.write_text(json.dumps(doc))
    with qtbot.waitSignal(opening.install(window).opened, timeout=WAIT_MS):
        ses.open_path(bad)
    message = window.statusBar().currentMessage()
    assert "opened" in message and "saved slice was not used" in message and "0..3" in message
    assert not message_boxes
