"""The Runs panel on the real window: runs start at a Reset or a rebuilding change, are listed
with what differs, pinned and renamed in place, overlaid with a legend; "Duplicate with a
change" starts from the same initial weights bit for bit; the batch preset trains three runs
from the same weights; runs survive a session round trip and export as CSV."""
import csv
import io

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from gui.files import opening
from gui.views.runs_dialog import DuplicateDialog, parse_value
from gui.views.runs_panel import NAME, PIN, SHOW
from model.lessons.runs_ab import BATCH_SENTENCE
from tests.gui.window_helpers import in_worker, press, settle_paused as settle
from tests.gui.window_helpers import fed

WAIT_MS = 30_000


def train(qtbot, window, epochs):
    start = window.latest_snapshot.epoch
    window.play()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch >= start + epochs, timeout=WAIT_MS)
    window.pause()
    settle(qtbot, window)


def open_panel(qtbot, window):
    view = window.views["runs"]
    press(qtbot, window, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier
          | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(view.dock.isVisible, timeout=WAIT_MS)
    view.refresh()
    return view


def row_of(view, run_id):
    table = view.panel.table
    return next(r for r in range(table.rowCount()) if view.panel.run_id_at(r) == run_id)


def cell(view, run_id, column):
    return view.panel.table.item(row_of(view, run_id), column)


def click_check_box(table, item):
    """A real click on the check box at the start of a cell (left of its icon and text)."""
    rect = table.visualItemRect(item)
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(rect.left() + 10, rect.center().y()))


def test_runs_start_at_a_reset_or_a_rebuild_and_list_what_differs(qtbot, window):
    view = open_panel(qtbot, window)
    train(qtbot, window, 3)
    window.update_settings(lr=0.1)  # hot: the same run goes on, the change is an event
    train(qtbot, window, 2)
    window.update_settings(hidden=(3,))  # rebuilds: a new run
    settle(qtbot, window)
    window.reset()
    settle(qtbot, window)
    view.refresh()
    names = [v.name for v in view.views]
    assert names == ["Run 1", "Run 2", "Run 3"]
    first, second, third = view.views
    assert first.events and first.events[0][1:] == ("lr", 0.03, 0.1)
    # against the settings Run 1 started with (its rate changed while it ran)
    assert second.changes == (("hidden", (4, 2), (3,)), ("lr", 0.03, 0.1))
    assert third.changes == ()
    assert cell(view, 2, 3).text() == "hidden 4-2 → 3, lr 0.03 → 0.1"
    assert cell(view, 3, 3).text() == "—"
    assert third.current and cell(view, 3, NAME).text() == "● Run 3"
    assert view.panel.table.item(0, NAME).text() == "● Run 3"  # the newest at the top
    # the figures are the run's own: epochs, steps, its last curve row
    snap_epochs = first.columns["epoch"]
    assert first.epochs == int(snap_epochs[-1]) >= 5
    assert 25 * first.epochs <= first.steps < 25 * (first.epochs + 1)  # paused within an epoch
    assert first.final["train_loss"] == first.columns["train_loss"][-1]
    assert first.seconds > 0 and first.epochs_per_s == pytest.approx(first.epochs / first.seconds)


def test_pin_rename_and_overlay_with_real_clicks(qtbot, window):
    view = open_panel(qtbot, window)
    train(qtbot, window, 4)
    window.update_settings(lr=0.3, hidden=(2,))
    settle(qtbot, window)
    train(qtbot, window, 4)
    view.refresh()
    table = view.panel.table
    # rename in place: click the name, F2, type, Enter
    item = cell(view, 1, NAME)
    rect = table.visualItemRect(item)
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, rect.center())
    QTest.keyClick(table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: table.state() == table.State.EditingState, timeout=WAIT_MS)
    editor = table.viewport().focusWidget()
    editor.selectAll()
    QTest.keyClicks(editor, "baseline 4-2")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.log.get(1).name == "baseline 4-2", timeout=WAIT_MS)
    assert cell(view, 1, NAME).text() == "baseline 4-2"
    # a bad name is refused with a message
    view.rename(1, "   ")
    assert view.log.get(1).name == "baseline 4-2"
    assert "name" in window.statusBar().currentMessage()
    # pin: click the check box
    click_check_box(table, cell(view, 1, PIN))
    qtbot.waitUntil(lambda: view.log.get(1).pinned, timeout=WAIT_MS)
    # the overlay: both runs' train and test curves, the legend naming what differs
    curves = view.panel.curves()
    assert set(curves) == {(1, "train_loss"), (1, "test_loss"), (2, "train_loss"),
                           (2, "test_loss")}
    x, y = curves[(2, "train_loss")].getData()
    run = next(v for v in view.views if v.id == 2)
    np.testing.assert_array_equal(x, run.columns["epoch"])
    np.testing.assert_allclose(10 ** y if view.panel.log.isChecked() else y,
                               run.columns["train_loss"])
    legend = view.panel.legend.text()
    assert "baseline 4-2: hidden 4-2, lr 0.03" in legend and "Run 2: hidden 2, lr 0.3" in legend
    # untick a run: its curves go
    click_check_box(table, cell(view, 2, SHOW))
    qtbot.waitUntil(lambda: (2, "train_loss") not in view.panel.curves(), timeout=WAIT_MS)
    # against steps
    view.panel.x_axis.setCurrentIndex(view.panel.x_axis.findData("steps"))
    x, _ = view.panel.curves()[(1, "train_loss")].getData()
    np.testing.assert_array_equal(x, view.views[0].columns["steps"])


def test_a_duplicate_starts_from_the_same_initial_weights_bit_for_bit(qtbot, window):
    view = open_panel(qtbot, window)
    # weights that no seed draws: imported ones (a new run begins with them)
    net = in_worker(window, lambda pg: pg.net.copy())
    net.params[:] = np.random.default_rng(7).normal(size=net.n_params)
    window._send(window.worker.load_network, net)
    settle(qtbot, window)
    initial = in_worker(window, lambda pg: pg.net.params.copy())
    np.testing.assert_array_equal(initial, net.params)
    train(qtbot, window, 5)
    window.new_seed()  # another run, other weights: the duplicate must not take these
    settle(qtbot, window)
    train(qtbot, window, 2)
    future = view.duplicate(2, "lr", 0.3, train=False)
    assert future.result(timeout=WAIT_MS / 1000) is None  # the playground stays in the worker
    settle(qtbot, window)
    qtbot.waitUntil(lambda: view.busy is None, timeout=WAIT_MS)
    view.refresh()
    dup = view.log.runs[-1]
    assert dup.origin == "duplicate" and dup.parent == 2
    assert ("lr", 0.03, 0.3) in dup.changes  # against the run before it (another seed too)
    assert np.array_equal(dup.initial_params, initial)
    assert np.array_equal(view.log.get(2).initial_params, initial)
    now = in_worker(window, lambda pg: (pg.net.params.copy(), pg.settings, pg.trainer.epoch))
    assert np.array_equal(now[0], initial) and now[2] == 0
    parent = view.log.get(2).settings
    assert now[1] == parent.replace(lr=0.3)  # nothing else differs, the seed included
    # the list says what differs from the run it duplicates
    assert cell(view, dup.id, 3).text() == "duplicate of Run 2: lr 0.03 → 0.3"
    # the top bar follows the new run's settings
    qtbot.waitUntil(lambda: window._settings.lr == 0.3, timeout=WAIT_MS)


def test_the_duplicate_dialog_checks_its_value(qtbot, window):
    view = open_panel(qtbot, window)
    dialog = DuplicateDialog(view.log.snapshot(), 1, window)
    qtbot.addWidget(dialog)
    dialog.setting.setCurrentIndex(dialog.setting.findData("batch_size"))
    assert dialog.text.isVisible() or not dialog.isVisible()
    assert dialog.text.text() == "10"
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    dialog.text.setText("ten")
    ok.click()
    assert dialog.change() is None and "batch size: expected a whole number" in dialog.error.text()
    dialog.text.setText("10")
    ok.click()
    assert dialog.change() is None and "no change" in dialog.error.text()
    dialog.text.setText("0")
    ok.click()
    assert dialog.change() is None and "settings.batch_size" in dialog.error.text()
    dialog.text.setText("1")
    ok.click()
    assert dialog.change() == (1, "batch_size", 1, True)
    assert parse_value("hidden", "8, 8") == (8, 8) and parse_value("hidden", "") == ()
    assert parse_value("loss", "auto") is None and parse_value("lr", "0,5") == 0.5


def test_the_batch_preset_trains_three_runs_from_the_same_weights(qtbot, window):
    view = open_panel(qtbot, window)
    QTest.mouseClick(view.panel.preset, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.busy is None and bool(view.preset_ids), timeout=WAIT_MS)
    runs = [view.log.get(i) for i in view.preset_ids]
    assert [r.name for r in runs] == ["full batch (250)", "minibatch (10)", "SGD (1)"]
    assert [r.settings.batch_size for r in runs] == [250, 10, 1]
    assert all(r.origin == "preset" for r in runs)
    for r in runs[1:]:
        assert np.array_equal(r.initial_params, runs[0].initial_params)
        assert r.changes == (("batch_size", 250, r.settings.batch_size),)
    assert [r.epochs for r in runs] == [50, 50, 50]
    assert [r.steps for r in runs] == [50, 50 * 25, 50 * 250]
    # overlaid against epochs and against steps, with the sentence, in the panel
    p = view.panel
    assert p.x_key == "both" and p.plots[1].isVisible() and p.sentence.text() == BATCH_SENTENCE
    assert set(p.curves(0)) == set(p.curves(1)) == {(i, y) for i in view.preset_ids
                                                    for y in ("train_loss", "test_loss")}
    x, _ = p.curves(1)[(view.preset_ids[2], "train_loss")].getData()
    assert x[-1] == 50 * 250
    # the live run is untouched
    assert view.log.current.id == 1 and window.latest_snapshot.epoch == 0


def test_runs_survive_a_session_round_trip(qtbot, make_window, tmp_path):
    first = make_window()
    view = open_panel(qtbot, first)
    train(qtbot, first, 3)
    first.update_settings(hidden=(3,))
    settle(qtbot, first)
    train(qtbot, first, 2)
    view.log.rename(1, "the first")
    view.log.pin(1)
    path = tmp_path / "s.json"
    with qtbot.waitSignal(first.views["sessions"].saved, timeout=WAIT_MS) as saved_signal:
        first.views["sessions"].save_to(path)
    assert saved_signal.args == [str(path), True]
    saved = [(r.id, r.name, r.pinned, r.epochs, r.curve.rows().tolist()) for r in view.log.runs]
    second = make_window()
    other = second.views["runs"]
    assert [r.name for r in other.log.runs] == ["Run 1"]
    with qtbot.waitSignal(opening.install(second).opened, timeout=WAIT_MS) as opened:
        second.views["sessions"].open_path(path, remember=False)
    assert opened.args[2]
    qtbot.waitUntil(lambda: other.log.current is not None, timeout=WAIT_MS)
    settle(qtbot, second)
    runs = other.log.runs
    assert [(r.id, r.name, r.pinned, r.epochs) for r in runs] == [s[:4] for s in saved]
    for r, s in zip(runs, saved):
        np.testing.assert_allclose(r.curve.rows(), np.array(s[4]), equal_nan=True)
    # the loaded session's run goes on as the same run
    assert other.log.current is runs[-1]
    train(qtbot, second, 2)
    assert other.log.current.epochs >= saved[-1][3] + 2
    assert len(other.log.runs) == 2


def test_runs_export_as_csv(qtbot, window, tmp_path, message_boxes):
    view = open_panel(qtbot, window)
    train(qtbot, window, 3)
    window.reset()
    settle(qtbot, window)
    train(qtbot, window, 2)
    curves, summary = tmp_path / "curves.csv", tmp_path / "summary.csv"
    view.export_csv(curves).result(timeout=WAIT_MS / 1000)
    view.export_csv(summary, summary=True).result(timeout=WAIT_MS / 1000)
    rows = list(csv.DictReader(io.StringIO(curves.read_text())))
    runs = view.log.runs
    assert len(rows) == sum(len(r.curve) for r in runs)
    for r in runs:
        mine = [row for row in rows if int(row["run_id"]) == r.id]
        assert [int(row["epoch"]) for row in mine] == r.curve.column("epoch").astype(int).tolist()
        assert [float(row["train_loss"]) for row in mine] == r.curve.column("train_loss").tolist()
    table = list(csv.DictReader(io.StringIO(summary.read_text())))
    assert [row["run"] for row in table] == ["Run 1", "Run 2"]
    assert [int(row["epochs"]) for row in table] == [r.epochs for r in runs]
    # the File → Export menu has it too
    exports = window.views["exports"]
    assert view.export_action in exports.menu.actions()
    # a folder that cannot be written: a message, no crash
    view.export_csv(tmp_path / "missing" / "x.csv")
    qtbot.waitUntil(lambda: any(t == "Export runs" for _, t, _ in message_boxes), timeout=WAIT_MS)
    assert "Nothing was written" in message_boxes[-1][2]
    assert not (tmp_path / "missing").exists()


def test_the_preset_can_be_stopped(qtbot, window):
    view = open_panel(qtbot, window)
    view.run_preset(epochs=1_000_000, budget=600.0)
    p = view.panel
    assert p.preset.text().startswith("Stop the preset") and not p.duplicate.isEnabled()
    QTest.mouseClick(p.preset, Qt.MouseButton.LeftButton)  # the same button stops it
    qtbot.waitUntil(lambda: view.busy is None, timeout=WAIT_MS)
    runs = [view.log.get(i) for i in view.preset_ids]
    assert len(runs) <= 1 and all(r.epochs < 1_000_000 for r in runs)
    assert p.preset.text() == "Full batch vs minibatch vs SGD" and p.duplicate.isEnabled()


def test_the_duplicate_button_asks_then_starts_the_run(qtbot, window):
    view = open_panel(qtbot, window)
    train(qtbot, window, 2)
    answered = []

    def answer():  # the modal dialog, as the user fills it in
        dialog = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, DuplicateDialog) and w.isVisible())
        dialog.setting.setCurrentIndex(dialog.setting.findData("optimizer"))
        dialog.choice.setCurrentText("adam")
        QTest.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        answered.append(dialog.change())

    QTimer.singleShot(300, answer)
    QTest.mouseClick(view.panel.duplicate, Qt.MouseButton.LeftButton)
    assert answered == [(1, "optimizer", "adam", True)]
    qtbot.waitUntil(lambda: view.busy is None and len(view.log.runs) == 2, timeout=WAIT_MS)
    dup = view.log.runs[-1]
    assert dup.settings.optimizer == "adam" and dup.parent == 1
    assert np.array_equal(dup.initial_params, view.log.get(1).initial_params)
    # "Start training at once" was ticked: it trains
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.running, timeout=WAIT_MS)
    window.pause()
    settle(qtbot, window)


def test_filling_the_list_measures_the_columns_once(qtbot, window):
    """Columns sized to their contents measured every row again on each cell's change (about
    400 ms for 20 runs on the GUI thread): while the list is filled they keep their width,
    then fit the new contents."""
    from PySide6.QtWidgets import QHeaderView
    view = open_panel(qtbot, window)
    window.reset()
    settle(qtbot, window)
    table, header = view.panel.table, view.panel.table.horizontalHeader()
    before = [header.sectionResizeMode(c) for c in range(table.columnCount())]
    assert QHeaderView.ResizeMode.ResizeToContents in before
    during = []
    table.model().dataChanged.connect(lambda *a: during.append(
        {header.sectionResizeMode(c) for c in range(table.columnCount())}))
    view.refresh()
    assert during and all(m == {QHeaderView.ResizeMode.Interactive} for m in during)
    assert [header.sectionResizeMode(c) for c in range(table.columnCount())] == before
    name = cell(view, 2, NAME)  # "● Run 2": its column fits it after the fill
    assert header.sectionSize(NAME) >= table.fontMetrics().horizontalAdvance(name.text())
