"""File → Open data (preview, errors with line numbers) and Export data, on the real window;
and data with more than two inputs trained from the window."""
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from gui.data import data_io, draw_tool
from gui.files import exports
from model.data.csvdata import load_csv
from model.data.datasets import make_data
from tests.gui.window_helpers import fed

WAIT_MS = 20_000
ROOT = pathlib.Path(__file__).resolve().parents[2]


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def same_data(a, b) -> bool:
    return (a.task == b.task and a.input_names == b.input_names
            and a.target_names == b.target_names
            and all(np.array_equal(getattr(a, k), getattr(b, k))
                    for k in ("X_train", "y_train", "X_test", "y_test")))


@pytest.fixture
def io(window):
    return data_io.install(window)


def choose_file(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))


def save_as(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))


def three_class_csv(path, n=30):
    rng = np.random.default_rng(5)
    lines = ["a,b,label"]
    for k in range(n):
        lines.append(f"{rng.normal():.6f},{rng.normal():.6f},{['cat', 'dog', 'emu'][k % 3]}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_open_data_previews_and_trains_on_the_file(qtbot, window, io, monkeypatch, tmp_path):
    path = three_class_csv(tmp_path / "animals.csv")
    choose_file(monkeypatch, path)
    assert io.open_action.shortcut().toString() == data_io.OPEN_SHORTCUT
    io.open_action.trigger()
    dialog = io.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.table.rowCount() == data_io.PREVIEW_ROWS
    assert [dialog.table.horizontalHeaderItem(c).text() for c in range(3)] == \
        ["a", "b", "label"]
    first = path.read_text().splitlines()[1].split(",")
    assert [dialog.table.item(0, c).text() for c in range(3)] == first
    assert dialog.table.verticalHeaderItem(0).text() == "2"  # the file's line numbers
    info = dialog.info.text()
    assert "3 classes" in info and "cat, dog, emu" in info and "24 train / 6 test" in info
    assert "scaled (standard)" in info and "the same share of each class" in info
    assert dialog.ok.isEnabled() and not dialog.error_label.isVisibleTo(dialog)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    expected = load_csv(path, seed=0)  # 20 % test rows by default, the window's data seed
    qtbot.waitUntil(lambda: same_data(in_worker(window, lambda pg: pg.data), expected),
                    timeout=WAIT_MS)
    snap = window.latest_snapshot
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.class_names == ("cat", "dog", "emu"),
                    timeout=WAIT_MS)
    snap = window.latest_snapshot
    assert snap.sizes[-1] == 3 and snap.activations[-1] == "softmax"
    assert "animals.csv" in window.statusBar().currentMessage()


@pytest.mark.parametrize("text, line, words", [
    ("x1,x2,label\n0,0,a\n1,1,b\n2,2,a\n3,3,b\n4,4,a\n5,abc,b\n", 7, "is not a number"),
    ("x1,x2,label\n0,0,a\n1,1\n", 3, "expected 3 fields"),
    ("x1,x1\n0,0\n", 1, "duplicate column name"),
    ("x1,x2,label\n0,0,a\n1,NA,b\n", 3, "column 'x2': 'NA' is a missing value"),
    ("", 1, "empty"),
    ("x1,x2,y\n0,0,1\n\n1,1,2\n", 3, "blank line"),
    ("x1,x2,label,split\n0,0,a,train\n1,1,b,maybe\n", 3, "must be 'train' or 'test'"),
])
def test_csv_errors_are_shown_with_their_line(qtbot, window, io, monkeypatch, tmp_path,
                                              text, line, words):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    choose_file(monkeypatch, path)
    io.open_action.trigger()
    dialog = io.dialog
    assert not dialog.ok.isEnabled() and dialog.data is None
    shown = dialog.error_label.text()
    assert f"bad.csv line {line}:" in shown and words in shown
    assert dialog.error_label.isVisibleTo(dialog) and "Traceback" not in shown
    assert "c0392b" in dialog.error_label.styleSheet()  # in red
    if line > 1:  # the row named by the error is marked in the preview
        r = dialog.error_row
        assert dialog.table.verticalHeaderItem(r).text() == str(line)
        item = dialog.table.item(r, 0)
        assert item is None or item.background().color().name() == data_io.ERROR_BACKGROUND
    else:
        assert dialog.error_row is None
    dialog.reject()
    qtbot.wait(50)
    assert in_worker(window, lambda pg: pg.custom_data is None and pg.data.name == "circle")


def test_a_missing_file_is_an_error_not_a_crash(window, io, tmp_path):
    dialog = io.preview(tmp_path / "nope.csv")
    assert "file not found" in dialog.error_label.text() and not dialog.ok.isEnabled()
    assert dialog.table.rowCount() == 0


def test_export_data_writes_the_data_with_its_split(qtbot, window, io, monkeypatch,
                                                    tmp_path):
    path = tmp_path / "out"
    save_as(monkeypatch, path)
    with qtbot.waitSignal(io.exported, timeout=WAIT_MS) as done:
        io.export_action.trigger()
    assert done.args == [str(tmp_path / "out.csv"), True]
    saved = load_csv(tmp_path / "out.csv")  # the split column decides: no ratio needed
    assert same_data(saved, make_data("circle", 500, 0.0, 0.5, 0))
    assert "500 rows saved" in window.statusBar().currentMessage()


def test_a_failed_export_leaves_the_old_file(qtbot, window, io, monkeypatch, tmp_path,
                                             message_boxes):
    path = tmp_path / "keep.csv"
    path.write_text("old contents\n")
    save_as(monkeypatch, path)

    def broken(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("os.replace", broken)
    with qtbot.waitSignal(io.exported, timeout=WAIT_MS) as done:
        io.export_action.trigger()
    assert done.args == ["", False]
    assert path.read_text() == "old contents\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]  # no temp file left
    kind, title, text = message_boxes[-1]
    assert kind == "warning" and title == "Export data" and "No space left" in text


def test_three_inputs_train_and_the_plane_shows_a_slice(
        qtbot, window, io, monkeypatch, tmp_path, message_boxes):
    tool = draw_tool.install(window)
    ex = exports.install(window)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 3))
    y = (X.sum(axis=1) > 0).astype(int)
    path = tmp_path / "three.csv"
    path.write_text("u,v,w,label\n" + "".join(f"{a!r},{b!r},{c!r},{k}\n"
                                             for (a, b, c), k in zip(X.tolist(), y)))
    choose_file(monkeypatch, path)
    io.open_action.trigger()
    assert "Not two inputs" in io.dialog.info.text()
    qtbot.mouseClick(io.dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.sizes[0] == 3, timeout=WAIT_MS)
    window.play()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch >= 5, timeout=WAIT_MS)
    window.pause()
    snap = window.latest_snapshot
    assert snap.input_names == ("u", "v", "w")
    # the default slice: u and v on the axes, w held at its training mean
    assert snap.plane is not None and snap.plane.axes == (0, 1)
    assert snap.plane.held[2] == pytest.approx(snap.X_train[:, 2].mean())

    def curve_points():
        x = window.loss_plot.train_curve.xData
        return 0 if x is None else len(x)
    # the loss curve shows every epoch of the (now paused) run
    qtbot.waitUntil(lambda: curve_points() == len(window.latest_snapshot.history_epoch)
                    >= 5, timeout=WAIT_MS)
    np.testing.assert_array_equal(window.loss_plot.train_curve.yData,
                                  window.latest_snapshot.history_train_loss)
    assert np.all(np.isfinite(window.latest_snapshot.history_train_loss))
    # the graph shows three inputs; the plane shows the slice, and says so
    assert window.network_view._snap.sizes[0] == 3
    qtbot.waitUntil(lambda: "slice" in window.output_view.title.text(), timeout=WAIT_MS)
    assert window.output_view.image.image is not None
    # drawing is off for such data (the slice controls take its row); the boundary image
    # of the slice can be exported
    assert not tool.bar.isEnabled() and "two inputs" in tool.bar.toolTip()
    assert not tool.bar.isVisible() and window.views["slice"].bar.isVisible()
    with qtbot.waitSignal(ex.finished, timeout=WAIT_MS) as done:
        ex.export_to("boundary", tmp_path / "b.png")
    assert done.args[2] is True
    assert (tmp_path / "b.png").read_bytes().startswith(b"\x89PNG")


def test_weights_exported_from_a_csv_network_export_again_from_the_command_line(
        qtbot, window, io, monkeypatch, tmp_path):
    """Ctrl+E on a network trained on columns u,v,w writes a meta the CLI's exporter takes
    (it once wrote meta.features = ['u','v','w'], which `export` then refused)."""
    X = np.random.default_rng(2).normal(size=(40, 3))
    path = tmp_path / "uvw.csv"
    path.write_text("u,v,w,label\n" + "".join(f"{a!r},{b!r},{c!r},{int(a > 0)}\n"
                                             for a, b, c in X.tolist()))
    choose_file(monkeypatch, path)
    io.open_action.trigger()
    qtbot.mouseClick(io.dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.sizes[0] == 3, timeout=WAIT_MS)
    weights = tmp_path / "w.json"
    save_as(monkeypatch, weights)
    window.actions_.export.trigger()
    qtbot.waitUntil(weights.exists, timeout=WAIT_MS)
    assert json.loads(weights.read_text())["meta"]["features"] is None  # raw columns
    script = tmp_path / "m.py"
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "export", "--init", str(weights),
                        "--to", str(script)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert script.exists()
