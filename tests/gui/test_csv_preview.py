"""The CSV preview (issue 14 item 1): pick the target, tick the inputs, see and switch the task,
refusals naming the column; bundled examples; big files read off the GUI thread."""
import os

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gui.data import csv_preview, data_io
from model.data.csvdata import load_csv

WAIT_MS = 20_000

PEOPLE = ("height,city,smoker,age\n"
          + "".join(f"{150 + i % 40},{'abc'[i % 3]}town,{'yes' if (i * 5) % 7 < 3 else 'no'},"
                    f"{20 + (i * 11) % 50}.5\n" for i in range(40)))


@pytest.fixture
def io(window):
    return data_io.install(window)


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def tick(dialog, name, checked):
    for i in range(dialog.inputs.count()):
        item = dialog.inputs.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == name:
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            return
    raise AssertionError(f"no input {name!r}")


def input_names(dialog):
    return [dialog.inputs.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(dialog.inputs.count())]


def test_pick_target_and_inputs_and_switch_the_task(qtbot, window, io, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE)
    dialog = io.preview(path)
    qtbot.addWidget(dialog)
    # the default target is the last column; the text columns are refused by name
    assert dialog.target.currentText() == "age"
    assert input_names(dialog) == ["height", "city", "smoker"]
    assert not dialog.ok.isEnabled()
    assert "columns 'city', 'smoker' hold text, not numbers" in dialog.error_label.text()
    tick(dialog, "city", False)
    tick(dialog, "smoker", False)
    assert dialog.ok.isEnabled() and "<b>Regression</b> of age" in dialog.info.text()
    assert dialog.task.currentText() == "Regression (detected)"
    # a text target: classification is detected, the other text column is still refused
    dialog.target.setCurrentText("smoker")
    assert dialog.task.currentText() == "Classification (detected)"
    assert input_names(dialog) == ["height", "city", "age"]  # ticked afresh
    assert "column 'city' holds text" in dialog.error_label.text()
    tick(dialog, "city", False)
    assert "Classification</b> with 2 classes (no, yes)" in dialog.info.text()
    assert dialog.data.input_names == ("height", "age")
    # switching the task to a regression of a text column is refused with its line and column
    dialog.task.setCurrentIndex(1)
    assert "people.csv line 2: column 'smoker': 'yes' is not a number" in \
        dialog.error_label.text()
    assert not dialog.ok.isEnabled()
    dialog.task.setCurrentIndex(0)
    dialog.tick_none.click()
    assert "no input columns" in dialog.error_label.text() and not dialog.ok.isEnabled()
    dialog.tick_all.click()
    assert "column 'city' holds text" in dialog.error_label.text()
    # an integer target can be classes or a regression
    dialog.target.setCurrentText("height")
    assert dialog.task.currentText() == "Regression (detected)"  # 40 values: a regression
    header = dialog.table.horizontalHeaderItem(1)
    assert "city: text, 3 values" in header.toolTip()
    dialog.reject()


def test_the_chosen_data_goes_to_the_worker_with_the_dialogs_share(qtbot, window, io,
                                                                   tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE)
    dialog = io.preview(path)
    dialog.target.setCurrentText("smoker")
    tick(dialog, "city", False)
    dialog.ratio.setValue(50)
    assert "20 train / 20 test (50% for training" in dialog.info.text()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    expected = load_csv(path, 0.5, 0, target="smoker", drop="city")
    qtbot.waitUntil(lambda: in_worker(window, lambda pg: pg.data.target_names) == ("no", "yes"),
                    timeout=WAIT_MS)
    data = in_worker(window, lambda pg: pg.data)
    assert np.array_equal(data.X_test, expected.X_test) and data.origin == "file"
    assert in_worker(window, lambda pg: (pg.settings.train_ratio,
                                         pg.net.input_scaling.method)) == (0.5, "standard")


def test_a_split_column_can_be_used_or_left_out(qtbot, window, io, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("x,label,split\n" + "".join(
        f"{i},{'ab'[i % 2]},{'train' if i % 4 else 'test'}\n" for i in range(20)))
    dialog = io.preview(path)
    assert dialog.use_split.isVisibleTo(dialog) and not dialog.ratio.isEnabled()
    assert "15 train / 5 test (from the file's split column)" in dialog.info.text()
    dialog.use_split.setChecked(False)
    assert dialog.ratio.isEnabled() and "16 train / 4 test (80% for training" in \
        dialog.info.text()
    assert dialog.options()[0].drop == ("split",)
    dialog.reject()


def test_bundled_examples_open_from_the_file_menu(qtbot, window, io):
    titles = [a.text() for a in io.examples_menu.actions()]
    assert titles == ["Iris flowers", "Wine cultivars", "Breast cancer (Wisconsin, diagnostic)"]
    assert "SOURCES.md" in io.example_actions["iris"].toolTip()
    file_menu = io.examples_menu.menuAction()
    assert file_menu in [a for a in window.menuBar().actions()[0].menu().actions()]
    io.example_actions["iris"].trigger()
    dialog = io.dialog
    assert dialog.target.currentText() == "species" and dialog.ok.isEnabled()
    assert "3 classes (setosa, versicolor, virginica)" in dialog.info.text()
    assert "120 train / 30 test" in dialog.info.text()
    assert "shows a slice" in dialog.info.text()
    dialog.reject()


def test_a_big_file_is_read_off_the_gui_thread_and_can_be_stopped(qtbot, window, io, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setattr(csv_preview, "BACKGROUND_BYTES", 10)
    path = tmp_path / "big.csv"
    path.write_text("a,b,label\n" + "1.5,2,x\n3,4,y\n" * 50)
    dialog = io.preview(path)
    assert dialog.reading.isVisibleTo(dialog) and not dialog.ok.isEnabled()
    qtbot.waitUntil(dialog.reading_done, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=WAIT_MS)
    assert not dialog.reading.isVisibleTo(dialog) and "2 classes" in dialog.info.text()
    dialog.reject()

    # Stop: the reading thread is told at its next chunk and nothing changes
    from model.data import csvlines
    monkeypatch.setattr(csvlines, "CHUNK", 64)
    path.write_text("a,b,label\n" + "1.5,2,x\n" * 200_000)
    dialog = io.preview(path)
    dialog.cancel_read.click()
    qtbot.waitUntil(dialog.reading_done, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "reading stopped" in dialog.error_label.text(), timeout=WAIT_MS)
    assert not dialog.ok.isEnabled()
    dialog.reject()


def test_a_big_file_s_reader_stands_aside_for_a_busy_window_at_each_chunk(
        qtbot, window, io, tmp_path, monkeypatch):
    """The window's CSV reader waits at each chunk while the GUI thread is busy, as the
    trainer does (the worker's stand_aside): it held the GIL while the other load had its core."""
    import threading
    from model.data import csvlines
    monkeypatch.setattr(csv_preview, "BACKGROUND_BYTES", 10)
    monkeypatch.setattr(csvlines, "CHUNK", 256)
    path = tmp_path / "big.csv"
    path.write_text("a,b,label\n" + "1.5,2,x\n3,4,y\n" * 200)  # ~2.8 kB: about 11 chunks
    threads = []
    monkeypatch.setattr(window.worker, "stand_aside",
                        lambda: threads.append(threading.current_thread().name))
    dialog = io.preview(path)
    qtbot.waitUntil(dialog.reading_done, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=WAIT_MS)
    assert len(threads) >= 10 and set(threads) == {"csv-reader"}
    dialog.reject()


def test_a_fifo_is_refused_without_freezing_the_window(qtbot, window, io, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    dialog = io.preview(fifo)  # would block forever if anything opened it for reading
    assert "is a pipe" in dialog.error_label.text() and not dialog.ok.isEnabled()
    assert dialog.table.rowCount() == 0
    dialog.reject()


def test_the_dialog_fits_a_small_screen(qtbot, window, io):
    dialog = io.open_example("wine")  # 13 inputs: the longest list of the bundled sets
    assert dialog.height() <= 580 and dialog.minimumSizeHint().height() <= 580
    assert dialog.width() <= 1000 and dialog.minimumSizeHint().width() <= 1000
    dialog.reject()
