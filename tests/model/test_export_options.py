"""Export choices: ONNX in float32 (for tooling that takes nothing else) beside the default
float64, and the standalone .py reading the app's own data CSV as it is."""
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from model.core.network import Network
from model.data import features as feats
from model.data.csvdata import save_csv
from model.data.datasets import Data
from model.files.export_onnx import DEFAULT_DTYPE, ExportError, export_onnx
from model.files.export_py import export_python
from model.files.serialize import save_network

ROOT = pathlib.Path(__file__).resolve().parents[2]
FEATURES = ("x1", "x2", "x1^2", "sin_x2")


def feature_net():
    net = Network.from_sizes([4, 5, 3], hidden="tanh", output="softmax", seed=11,
                             inputs=FEATURES, outputs=("p(a)", "p(b)", "p(c)"))
    rng = np.random.default_rng(4)
    for layer in net.layers:
        layer.b[:] = rng.normal(size=layer.n_out)
    meta = {"task": "classification", "loss": "cce", "features": list(FEATURES),
            "classes": ["a", "b", "c"]}
    return net, meta


def session(path):
    ort = pytest.importorskip("onnxruntime")
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def test_float32_onnx_takes_and_returns_float32_and_agrees_with_the_app(tmp_path):
    pytest.importorskip("onnx")
    net, meta = feature_net()
    export_onnx(net, tmp_path / "f32.onnx", meta, dtype="float32")
    s = session(tmp_path / "f32.onnx")
    assert s.get_inputs()[0].type == "tensor(float)" and s.get_outputs()[0].type == "tensor(float)"
    X = np.random.default_rng(0).uniform(-6, 6, (300, 2))
    expected = net.predict(feats.transform(X, FEATURES))
    Y = s.run(None, {"X": X.astype(np.float32)})[0]
    assert Y.dtype == np.float32
    # float32 carries ~7 significant digits; through a few layers 1e-5 is a fair bound,
    # and far below anything that would mean a wrong weight or a missing bias
    np.testing.assert_allclose(Y, expected, rtol=1e-5, atol=1e-5)
    assert np.abs(Y - expected).max() > 0  # really computed in float32, not float64
    with pytest.raises(Exception):  # float64 input is refused by a float32 model
        s.run(None, {"X": X})


def test_float64_stays_the_default(tmp_path):
    pytest.importorskip("onnx")
    assert DEFAULT_DTYPE == "float64"
    net, meta = feature_net()
    export_onnx(net, tmp_path / "f64.onnx", meta)
    s = session(tmp_path / "f64.onnx")
    assert s.get_inputs()[0].type == "tensor(double)"
    X = np.random.default_rng(1).uniform(-6, 6, (50, 2))
    np.testing.assert_allclose(s.run(None, {"X": X})[0], net.predict(feats.transform(X, FEATURES)),
                               rtol=0, atol=1e-12)


def test_unknown_dtype_and_weights_beyond_float32_are_one_line_errors(tmp_path):
    pytest.importorskip("onnx")
    net, meta = feature_net()
    with pytest.raises(ExportError, match="unknown ONNX number type 'float16'"):
        export_onnx(net, tmp_path / "x.onnx", meta, dtype="float16")
    net.layers[1].W[0, 0] = 1e39  # finite in float64, infinite in float32
    with pytest.raises(ExportError) as info:
        export_onnx(net, tmp_path / "x.onnx", meta, dtype="float32")
    assert "layer 2" in str(info.value) and "float64" in str(info.value)
    assert "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []
    export_onnx(net, tmp_path / "x.onnx", meta, dtype="float64")  # fine in float64


def test_cli_export_dtype(tmp_path):
    pytest.importorskip("onnx")
    net, meta = feature_net()
    save_network(net, tmp_path / "w.json", meta)
    cli = [sys.executable, str(ROOT / "main.py"), "export", "--init", str(tmp_path / "w.json")]
    r = subprocess.run(cli + ["--to", str(tmp_path / "n.onnx"), "--dtype", "float32"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert session(tmp_path / "n.onnx").get_inputs()[0].type == "tensor(float)"
    r = subprocess.run(cli + ["--to", str(tmp_path / "n.py"), "--dtype", "float32"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "--dtype applies to ONNX" in r.stderr
    r = subprocess.run(cli + ["--to", str(tmp_path / "n.onnx"), "--dtype", "int8"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "--dtype" in r.stderr and len(r.stderr.splitlines()) == 1


# ----------------------------------------------------------------------------- the .py script
def run_script(script, csv_path):
    return subprocess.run([sys.executable, str(script), str(csv_path)], capture_output=True,
                          text=True, timeout=120)


def test_python_script_reads_the_apps_classification_csv(tmp_path):
    net, meta = feature_net()
    export_python(net, tmp_path / "net.py", meta)
    rng = np.random.default_rng(5)
    X = rng.uniform(-6, 6, (30, 2))
    data = Data(X[:20], rng.integers(0, 3, 20), X[20:], rng.integers(0, 3, 10),
                task="classification", input_names=("x1", "x2"),
                target_names=("cat", "dog", "eel"))
    save_csv(data, tmp_path / "data.csv")  # x1,x2,label,split with string labels
    assert tmp_path.joinpath("data.csv").read_text().splitlines()[0] == "x1,x2,label,split"
    r = run_script(tmp_path / "net.py", tmp_path / "data.csv")
    assert r.returncode == 0, r.stderr
    rows = [line.split(",") for line in r.stdout.splitlines()]
    assert rows[0] == ["p(a)", "p(b)", "p(c)", "class"] and len(rows) == 31
    expected = net.predict(feats.transform(X, FEATURES))  # train rows first, as saved
    got = np.array([[float(v) for v in row[:3]] for row in rows[1:]])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_python_script_reads_a_regression_csv_with_other_column_names(tmp_path):
    net = Network.from_sizes([3, 4, 2], hidden="tanh", output="linear", seed=3,
                             inputs=("a", "b", "c"), outputs=("y1", "y2"))
    export_python(net, tmp_path / "reg.py", {"task": "regression", "features": None})
    rng = np.random.default_rng(6)
    X = rng.normal(size=(12, 3))
    # the y1/y2 targets sit between the inputs, the split column last; names differ from a,b,c
    lines = ["u,y1,v,y2,w,split"] + [f"{u!r},0.5,{v!r},-1,{w!r},test" for u, v, w in X.tolist()]
    (tmp_path / "reg.csv").write_text("\n".join(lines) + "\n")
    r = run_script(tmp_path / "reg.py", tmp_path / "reg.csv")
    assert r.returncode == 0, r.stderr
    got = np.array([[float(v) for v in line.split(",")] for line in r.stdout.splitlines()[1:]])
    np.testing.assert_allclose(got, net.predict(X), rtol=0, atol=1e-12)


@pytest.mark.parametrize("content, needle", [
    ("x1,x2,label\n1,2,a\n3,inf,b\n", "line 3"),
    ("x1,x2,label\n1,2\n", "line 2"),
    ("p,q,r,label\n1,2,3,a\n", "expected the columns x1, x2"),
])
def test_python_script_bad_rows_are_one_line(tmp_path, content, needle):
    net, meta = feature_net()
    export_python(net, tmp_path / "net.py", meta)
    (tmp_path / "bad.csv").write_text(content)
    r = run_script(tmp_path / "net.py", tmp_path / "bad.csv")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.stderr
