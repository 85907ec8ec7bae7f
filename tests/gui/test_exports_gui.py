"""File → Export from the real window: every format's predictions against the app's own on
random raw inputs (within 1e-6), the images, the loss history, and failures as messages."""
import csv
import json
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from gui.data import data_io
from gui.files import exports
from model.data.features import transform
from model.playground import Settings
from model.files.serialize import load_network
from tests.gui.window_helpers import fed

WAIT_MS = 20_000
TOL = 1e-6

SETUPS = {
    "binary_features": Settings(features=("x1", "x2", "x1^2", "x1x2", "sin_x1"),
                                hidden=(5, 3), activation="tanh"),
    "multiclass_relu": Settings(dataset="blobs", n_classes=4, hidden=(6,), activation="relu",
                                optimizer="adam", lr=0.01),
    "regression": Settings(dataset="plane", features=("x1", "x2", "x2^2", "sin_x2"),
                           hidden=(4,), activation="sigmoid"),
}


def export(qtbot, ex, kind, path=None) -> bool:
    """Export ``kind`` (through its menu action, or to ``path``) and wait for the reply: the
    window writes in the worker thread and never waits itself."""
    with qtbot.waitSignal(ex.finished, timeout=WAIT_MS) as done:
        ex.actions[kind].trigger() if path is None else ex.export_to(kind, path)
    return done.args[2]


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def save_as(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))


def trained(qtbot, window, epochs=3):
    window.play()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch >= epochs, timeout=WAIT_MS)
    window.pause()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.extras["seq"] >= window._seq
                    and not window.latest_snapshot.running, timeout=WAIT_MS)
    return window


def app_predictions(window, X):
    return in_worker(window, lambda pg: pg.predict(X))  # raw rows, as the exports take them


def raw_inputs(window, n=200):
    d = in_worker(window, lambda pg: pg.data.X_train.shape[1])
    return np.random.default_rng(11).uniform(-6, 6, size=(n, d))


def run_python_export(path, X):
    code = ("import importlib.util, json, sys\nimport numpy as np\n"
            "spec = importlib.util.spec_from_file_location('m', sys.argv[1])\n"
            "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
            "X = np.array(json.loads(sys.stdin.read()))\n"
            "print(json.dumps(m.predict(X).tolist()))\n")
    out = subprocess.run([sys.executable, "-c", code, str(path)], input=json.dumps(X.tolist()),
                         capture_output=True, text=True, timeout=60, check=True)
    return np.array(json.loads(out.stdout))


def check_all_formats(qtbot, window, monkeypatch, tmp_path):
    ex = exports.install(window)
    X = raw_inputs(window)
    expected = app_predictions(window, X)
    features = in_worker(window, lambda pg: list(pg.settings.features)
                         if pg.uses_feature_transforms() else None)

    # the standalone Python file, in a fresh interpreter
    save_as(monkeypatch, tmp_path / "net.py")
    assert export(qtbot, ex, "python")
    source = (tmp_path / "net.py").read_text()
    assert "import numpy as np" in source and "pyside" not in source.lower()
    np.testing.assert_allclose(run_python_export(tmp_path / "net.py", X), expected,
                               rtol=0, atol=TOL)

    # the weights (JSON and NPZ, the window's own Ctrl+E)
    for suffix in (".json", ".npz"):
        save_as(monkeypatch, tmp_path / f"weights{suffix}")
        window.actions_.export.trigger()
        qtbot.waitUntil((tmp_path / f"weights{suffix}").exists, timeout=WAIT_MS)
        net = load_network(tmp_path / f"weights{suffix}")
        inputs = transform(X, features) if features is not None else X
        np.testing.assert_allclose(net.predict(inputs), expected, rtol=0, atol=TOL)

    # ONNX, run by onnxruntime (last: only this part needs the optional extra)
    ort = pytest.importorskip("onnxruntime")
    save_as(monkeypatch, tmp_path / "net")
    assert export(qtbot, ex, "onnx")
    session = ort.InferenceSession(str(tmp_path / "net.onnx"),
                                   providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: X.astype(np.float64)})[0]
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOL)


@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_every_format_predicts_what_the_app_predicts(qtbot, make_window, monkeypatch,
                                                     tmp_path, message_boxes, setup):
    window = trained(qtbot, make_window(SETUPS[setup]))
    check_all_formats(qtbot, window, monkeypatch, tmp_path)
    assert not message_boxes


def test_raw_columns_export_too(qtbot, window, monkeypatch, tmp_path, message_boxes):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    path = tmp_path / "three.csv"
    path.write_text("u,v,w,y\n" + "".join(f"{a!r},{b!r},{c!r},{a - b * c!r}\n"
                                          for a, b, c in X.tolist()))
    io = data_io.install(window)
    io.preview(path).accept()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.sizes[0] == 3, timeout=WAIT_MS)
    trained(qtbot, window, 2)
    check_all_formats(qtbot, window, monkeypatch, tmp_path)
    assert not message_boxes


def test_images_are_valid_pngs(qtbot, window, monkeypatch, tmp_path, message_boxes):
    ex = exports.install(window)
    trained(qtbot, window, 2)
    for kind, widget in (("boundary", window.output_view.plot),
                         ("graph", window.network_view), ("loss", window.loss_plot)):
        path = tmp_path / f"{kind}.png"
        save_as(monkeypatch, tmp_path / kind)  # the suffix is added
        assert export(qtbot, ex, kind)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        image = QImage(str(path))
        assert not image.isNull()
        assert (image.width(), image.height()) == (widget.grab().width(),
                                                   widget.grab().height())
        assert image.width() > 50 and image.height() > 50
    # the boundary image shows the output: more than a couple of colours
    image = QImage(str(tmp_path / "boundary.png"))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 20
    assert not message_boxes


def test_loss_history_csv_has_every_epoch(qtbot, window, monkeypatch, tmp_path):
    ex = exports.install(window)
    trained(qtbot, window, 4)
    snap = window.latest_snapshot
    save_as(monkeypatch, tmp_path / "loss.csv")
    assert export(qtbot, ex, "history")
    with open(tmp_path / "loss.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == exports.HISTORY_COLUMNS
    body = rows[1:]
    assert len(body) == len(snap.history_epoch) >= 4
    np.testing.assert_array_equal([int(r[0]) for r in body], snap.history_epoch)
    for k, name in enumerate(("train_loss", "test_loss", "train_accuracy", "test_accuracy"),
                             1):
        np.testing.assert_array_equal([float(r[k]) for r in body],
                                      getattr(snap, f"history_{name}"))


def test_failures_are_one_line_messages_and_write_nothing(qtbot, window, monkeypatch,
                                                          tmp_path, message_boxes):
    ex = exports.install(window)
    assert not export(qtbot, ex, "python", tmp_path / "no" / "such" / "dir" / "m.py")
    kind, title, text = message_boxes[-1]
    assert kind == "warning" and "m.py: cannot write the file" in text
    assert "Traceback" not in text and len(text.splitlines()) == 2
    # without the optional onnx package: says what to install
    monkeypatch.setitem(sys.modules, "onnx", None)
    assert not export(qtbot, ex, "onnx", tmp_path / "m.onnx")
    assert "pip install onnx" in message_boxes[-1][2]
    assert not (tmp_path / "m.onnx").exists()
    # an interrupted write leaves the old file
    old = tmp_path / "old.py"
    old.write_text("# old\n")
    monkeypatch.setattr("os.replace", lambda *a: (_ for _ in ()).throw(OSError(28, "full")))
    assert not export(qtbot, ex, "python", old)
    assert old.read_text() == "# old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.py"]
    for a in ex.actions.values():
        assert a.toolTip()


def test_onnx_float32_is_a_menu_choice_beside_the_default(qtbot, make_window, monkeypatch,
                                                          tmp_path, message_boxes):
    from model.files.export_onnx import DEFAULT_DTYPE, DTYPES
    window = trained(qtbot, make_window(SETUPS["binary_features"]))
    ex = exports.install(window)
    texts = [a.text() for a in ex.menu.actions() if "ONNX" in a.text()]
    assert texts == ["&ONNX model (float64, default)…", "ONNX model (&float32)…"]
    assert DEFAULT_DTYPE == "float64" and set(DTYPES) == {"float64", "float32"}
    assert "float32" in ex.actions["onnx_float32"].toolTip()
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    save_as(monkeypatch, tmp_path / "net32")
    with qtbot.waitSignal(ex.finished, timeout=WAIT_MS):
        ex.actions["onnx_float32"].trigger()
    assert not message_boxes
    model = onnx.load(str(tmp_path / "net32.onnx"))
    assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert model.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    X = raw_inputs(window)
    session = ort.InferenceSession(str(tmp_path / "net32.onnx"),
                                   providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: X.astype(np.float32)})[0]
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, app_predictions(window, X), rtol=0, atol=1e-4)


def test_the_window_never_waits_for_the_worker(qtbot, window, monkeypatch, tmp_path,
                                              message_boxes):
    """With the trainer busy (here: held for a while), every export returns at once and says
    "Saving …"; the files follow when the worker gets to them (issue 10: no blocking waits)."""
    ex = exports.install(window)
    io = data_io.install(window)
    release = threading.Event()
    window.worker.call(lambda pg: release.wait(20))  # the worker is busy until released
    start = time.perf_counter()
    ex.export_to("python", tmp_path / "m.py")
    assert window.statusBar().currentMessage() == "Saving m.py…"
    save_as(monkeypatch, tmp_path / "w.json")
    window.actions_.export.trigger()
    assert window.statusBar().currentMessage() == "Saving w.json…"
    save_as(monkeypatch, tmp_path / "d.csv")
    io.export_action.trigger()
    assert time.perf_counter() - start < 2.0  # the old waits blocked for the worker here
    assert not list(tmp_path.iterdir())
    release.set()
    for name in ("m.py", "w.json", "d.csv"):
        qtbot.waitUntil((tmp_path / name).exists, timeout=WAIT_MS)
    assert not message_boxes
