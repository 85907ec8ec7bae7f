"""Exports (.py, ONNX, .npz, .json) predict what the app predicts, and the CLI writes them."""
import ast
import importlib.util
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from model.data import features as feats
from model.files.export_onnx import ExportError, export_onnx
from model.files.export_py import export_python, feature_ids, python_source
from model.core.network import Network
from model.files.serialize import load_network_with_meta, save_network

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOL = 1e-6


def _networks():
    return {
        "tanh_sigmoid_features": (
            Network.from_sizes([5, 4, 3, 1], hidden="tanh", output="sigmoid", seed=1,
                               inputs=("x1", "x2", "x1^2", "sin_x2", "x1x2")),
            {"loss": "bce", "task": "classification",
             "features": ["x1", "x2", "x1^2", "sin_x2", "x1x2"], "classes": ["blue", "orange"]}),
        "relu_softmax_3": (
            Network.from_sizes([4, 6, 5, 3], hidden="relu", output="softmax", seed=2, init="he",
                               inputs=("x2", "x2^2", "sin_x1", "x1"),
                               outputs=("c0", "c1", "c2")),
            {"loss": "cce", "task": "classification", "features": ["x2", "x2^2", "sin_x1", "x1"],
             "classes": ["a", "b", "c"]}),
        "raw_abcd_linear": (
            Network.from_sizes([4, 5, 2], hidden="tanh", output="linear", seed=3,
                               inputs=("a", "b", "c", "d"), outputs=("u", "v")),
            {"loss": "mse", "task": "regression", "features": None, "classes": None}),
        "no_bias_tanh": (
            Network.from_sizes([2, 3, 3, 1], hidden="sigmoid", output="tanh", seed=4,
                               use_bias=False),
            None),
    }


NETWORKS = _networks()
IDS = list(NETWORKS)


def _randomize_biases(net, seed):
    """Xavier starts biases at 0; give them values so that a dropped bias would show."""
    rng = np.random.default_rng(seed)
    for layer in net.layers:
        if layer.use_bias:
            layer.b[:] = rng.normal(size=layer.n_out)


for _i, (_net, _meta) in enumerate(NETWORKS.values()):
    _randomize_biases(_net, 100 + _i)


def _case(name):
    net, meta = NETWORKS[name]
    rng = np.random.default_rng(7)
    ids = feature_ids(net, meta)
    if ids is not None:
        X_raw = rng.uniform(-6, 6, size=(200, 2))
        expected = net.predict(feats.transform(X_raw, ids))
    else:
        X_raw = rng.normal(scale=3.0, size=(200, net.sizes[0]))
        expected = net.predict(X_raw)
    return net, meta, X_raw, expected


def _import_path(path):
    spec = importlib.util.spec_from_file_location(f"exported_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------------ the .py export

_RUN_EXPORTED = """
import importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("exported_model", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
X = np.load(sys.argv[2], allow_pickle=False)
np.save(sys.argv[3], m.predict(X), allow_pickle=False)
if hasattr(m, "predict_class"):
    np.save(sys.argv[4], m.predict_class(X.tolist()), allow_pickle=False)
"""


@pytest.mark.parametrize("name", IDS)
def test_python_export_predicts_like_the_app_in_a_subprocess(tmp_path, name):
    net, meta, X_raw, expected = _case(name)
    path = tmp_path / "exported.py"
    export_python(net, path, meta)
    np.save(tmp_path / "X.npy", X_raw, allow_pickle=False)
    r = subprocess.run([sys.executable, "-c", _RUN_EXPORTED, str(path), str(tmp_path / "X.npy"),
                        str(tmp_path / "Y.npy"), str(tmp_path / "C.npy")],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    Y = np.load(tmp_path / "Y.npy", allow_pickle=False)
    assert Y.shape == expected.shape
    assert np.abs(Y - expected).max() <= TOL
    if meta is None or meta["task"] == "classification":
        C = np.load(tmp_path / "C.npy", allow_pickle=False)
        if net.sizes[-1] > 1:
            assert np.array_equal(C, expected.argmax(axis=1))
        else:
            threshold = 0.0 if net.output_activation == "tanh" else 0.5
            assert np.array_equal(C, (expected[:, 0] > threshold).astype(int))
    else:
        assert not (tmp_path / "C.npy").exists()  # regression: no predict_class


@pytest.mark.parametrize("name", IDS)
def test_python_export_imports_only_numpy_sys_csv(tmp_path, name):
    net, meta = NETWORKS[name]
    tree = ast.parse(python_source(net, meta))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("eval", "exec", "__import__", "compile")
    assert imported <= {"numpy", "sys", "csv"} and "numpy" in imported
    doc = ast.get_docstring(tree)
    assert "generated by Backprop Playground" in doc
    assert " -> ".join(map(str, net.sizes)) in doc
    assert ", ".join(net.activation_names) in doc
    if meta and meta.get("classes"):
        assert all(repr(c) in doc for c in meta["classes"])


def test_python_export_weights_round_trip_exactly_and_names_are_kept(tmp_path):
    net, meta = NETWORKS["relu_softmax_3"]
    path = tmp_path / "m.py"
    export_python(net, path, meta)
    m = _import_path(path)
    for l, layer in enumerate(net.layers, start=1):
        assert np.array_equal(getattr(m, f"W{l}"), layer.W)
        assert np.array_equal(getattr(m, f"b{l}"), layer.b)
    assert m.INPUTS == list(net.inputs) and m.OUTPUTS == ["c0", "c1", "c2"]
    assert m.FEATURES == ["x2", "x2^2", "sin_x1", "x1"] and m.RAW_INPUTS == ["x1", "x2"]
    assert m.CLASSES == ["a", "b", "c"]
    # the features are the app's, column for column
    X = np.random.default_rng(1).uniform(-3, 3, size=(20, 2))
    assert np.array_equal(m.features(X), feats.transform(X, m.FEATURES))


def test_python_export_accepts_lists_and_single_rows_and_rejects_bad_shapes(tmp_path):
    net, meta, X_raw, expected = _case("raw_abcd_linear")
    path = tmp_path / "m.py"
    export_python(net, path, meta)
    m = _import_path(path)
    assert np.abs(m.predict(X_raw[:5].tolist()) - expected[:5]).max() <= TOL
    one = m.predict(list(X_raw[3]))
    assert one.shape == (1, 2) and np.abs(one - expected[3:4]).max() <= TOL
    assert m.predict(np.zeros((0, 4))).shape == (0, 2)
    for bad in (np.zeros((3, 3)), np.zeros(5), np.zeros((2, 2, 4)), [["a", "b", "c", "d"]]):
        with pytest.raises(ValueError, match=r"shape \(n, 4\)") as info:
            m.predict(bad)
        assert "\n" not in str(info.value)
    assert not hasattr(m, "predict_class")  # a regression network


def test_python_export_main_reads_csv_and_prints_predictions(tmp_path):
    net, meta, X_raw, expected = _case("tanh_sigmoid_features")
    path = tmp_path / "m.py"
    export_python(net, path, meta)
    # a header in another column order plus an extra column: picked by name
    lines = ["label,x2,x1"] + [f"0,{x2!r},{x1!r}" for x1, x2 in X_raw[:50].tolist()]
    csv_file = tmp_path / "points.csv"
    csv_file.write_text("\n".join(lines) + "\n")
    r = subprocess.run([sys.executable, str(path), str(csv_file)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    rows = r.stdout.splitlines()
    assert rows[0] == "y,class"
    assert len(rows) == 51
    got = np.array([float(row.split(",")[0]) for row in rows[1:]])
    assert np.abs(got - expected[:50, 0]).max() <= TOL
    names = [row.split(",")[1] for row in rows[1:]]
    assert names == [["blue", "orange"][int(v > 0.5)] for v in expected[:50, 0]]
    # stdin, no header
    r = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120,
                       input="".join(f"{x1!r},{x2!r}\n" for x1, x2 in X_raw[:5].tolist()))
    assert r.returncode == 0, r.stderr
    assert np.abs(np.array([float(row.split(",")[0]) for row in r.stdout.splitlines()[1:]])
                  - expected[:5, 0]).max() <= TOL
    # a bad row: one line on stderr, exit 2
    r = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120,
                       input="1,2\n3,oops\n")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "line 2" in r.stderr


def test_meta_features_decide_between_features_and_raw_columns(tmp_path):
    net = Network.from_sizes([2, 3, 1], hidden="tanh", output="linear", seed=5,
                             inputs=("x2", "x1"))
    _randomize_biases(net, 5)
    X = np.random.default_rng(2).normal(size=(30, 2))
    export_python(net, tmp_path / "f.py")  # no meta: feature ids, computed from (x1, x2)
    export_python(net, tmp_path / "r.py", {"features": None})  # raw columns named x2, x1
    f, r = _import_path(tmp_path / "f.py"), _import_path(tmp_path / "r.py")
    assert np.abs(f.predict(X) - net.predict(feats.transform(X, ("x2", "x1")))).max() <= TOL
    assert np.abs(r.predict(X) - net.predict(X)).max() <= TOL
    assert r.RAW_INPUTS == ["x2", "x1"] and r.FEATURES is None
    with pytest.raises(ExportError, match="meta.features"):
        export_python(net, tmp_path / "bad.py", {"features": ["x1", "x2"]})


def test_odd_names_and_meta_make_valid_python(tmp_path):
    net = Network.from_sizes([2, 2], hidden="tanh", output="softmax", seed=6,
                             inputs=('a"""b\\', "c\x00\n"), outputs=("ü", "'"))
    meta = {"task": 'cla"""ss\\', "classes": ["\x00", '"""'], "loss": "x\ny"}
    path = tmp_path / "odd.py"
    export_python(net, path, meta)
    m = _import_path(path)
    assert m.INPUTS == list(net.inputs) and m.OUTPUTS == list(net.outputs)
    assert m.CLASSES == meta["classes"]
    X = np.random.default_rng(3).normal(size=(10, 2))
    assert np.abs(m.predict(X) - net.predict(X)).max() <= TOL


def test_diverged_network_is_not_exported_and_a_failed_write_leaves_no_files(tmp_path):
    net, meta = NETWORKS["no_bias_tanh"]
    bad = net.copy()
    bad.layers[1].W[0, 0] = np.nan
    with pytest.raises(ExportError, match="layer 2"):
        export_python(bad, tmp_path / "x.py")
    assert not list(tmp_path.iterdir())
    (tmp_path / "dir.py").mkdir()
    with pytest.raises(ExportError, match="cannot write") as info:
        export_python(net, tmp_path / "dir.py")
    assert "\n" not in str(info.value)
    assert [p.name for p in tmp_path.iterdir()] == ["dir.py"]
    existing = tmp_path / "keep.py"
    existing.write_text("old")
    export_python(net, existing)
    assert existing.read_text() != "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.py", "keep.py"]


# ------------------------------------------------------------------------------ ONNX

@pytest.mark.parametrize("name", IDS)
def test_onnx_export_predicts_like_the_app(tmp_path, name):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    net, meta, X_raw, expected = _case(name)
    path = tmp_path / "m.onnx"
    export_onnx(net, path, meta)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (inp,), (out,) = session.get_inputs(), session.get_outputs()
    assert inp.name == "X" and out.name == "Y"
    assert inp.shape[1] == X_raw.shape[1] and out.shape[1] == net.sizes[-1]
    assert inp.type == "tensor(double)"
    Y = session.run(None, {"X": X_raw})[0]
    assert Y.shape == expected.shape
    assert np.abs(Y - expected).max() <= TOL
    # any batch size, including one row
    assert np.abs(session.run(None, {"X": X_raw[:1]})[0] - expected[:1]).max() <= TOL


def test_onnx_model_metadata_and_checker(tmp_path):
    onnx = pytest.importorskip("onnx")
    net, meta = NETWORKS["relu_softmax_3"]
    path = tmp_path / "m.onnx"
    export_onnx(net, path, meta)
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    assert model.opset_import[0].version == 17
    assert model.producer_name == "backprop-playground"
    props = {p.key: p.value for p in model.metadata_props}
    assert json.loads(props["inputs"]) == list(net.inputs)
    assert json.loads(props["outputs"]) == ["c0", "c1", "c2"]
    assert json.loads(props["activations"]) == ["relu", "relu", "softmax"]
    assert json.loads(props["classes"]) == ["a", "b", "c"]
    assert props["producer"] == "backprop-playground"
    ops = [n.op_type for n in model.graph.node]
    assert {"Slice", "Mul", "Sin", "Concat", "MatMul", "Add", "Relu", "Softmax"} <= set(ops)


def test_onnx_export_without_the_onnx_package_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    net, meta = NETWORKS["no_bias_tanh"]
    with pytest.raises(ExportError) as info:
        export_onnx(net, tmp_path / "m.onnx", meta)
    assert str(info.value) == "ONNX export needs the optional 'onnx' package: pip install onnx"
    assert isinstance(info.value, ValueError)
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------------------ .npz / .json

@pytest.mark.parametrize("suffix", [".npz", ".json"])
@pytest.mark.parametrize("name", IDS)
def test_weights_files_round_trip_exactly(tmp_path, name, suffix):
    net, meta = NETWORKS[name]
    path = tmp_path / f"w{suffix}"
    save_network(net, path, meta)
    back, back_meta = load_network_with_meta(path)
    assert np.array_equal(back.params, net.params)
    assert back.inputs == net.inputs and back.outputs == net.outputs
    assert back.activation_names == net.activation_names
    assert back_meta == (meta or {})
    _, _, X_raw, expected = _case(name)
    ids = feature_ids(back, back_meta)
    got = back.predict(feats.transform(X_raw, ids) if ids is not None else X_raw)
    assert np.array_equal(got, expected)


# ------------------------------------------------------------------------------ the CLI

def _cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("suffix", [".onnx", ".py", ".npz", ".json"])
def test_cli_export_each_format(tmp_path, suffix):
    if suffix == ".onnx":
        pytest.importorskip("onnx")
        ort = pytest.importorskip("onnxruntime")
    name = "tanh_sigmoid_features"
    net, meta, X_raw, expected = _case(name)
    weights = tmp_path / "w.json"
    save_network(net, weights, meta)
    out = tmp_path / f"model{suffix}"
    r = _cli("export", "--init", weights, "--to", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"exported {out}"
    if suffix == ".onnx":
        session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
        Y = session.run(None, {"X": X_raw})[0]
        import onnx
        props = {p.key: p.value for p in onnx.load(str(out)).metadata_props}
        assert json.loads(props["classes"]) == meta["classes"]
    elif suffix == ".py":
        m = _import_path(out)
        Y = m.predict(X_raw)
        assert m.CLASSES == meta["classes"] and m.TASK == "classification"
    else:
        back, back_meta = load_network_with_meta(out)
        assert np.array_equal(back.params, net.params)
        assert back_meta == meta  # the meta is carried along
        Y = back.predict(feats.transform(X_raw, back.inputs))
    assert np.abs(Y - expected).max() <= TOL


@pytest.mark.parametrize("args, needle", [
    (("--to", "{tmp}/model.txt"), "unknown file type"),
    (("--to", "{tmp}/model"), "unknown file type"),
    (("--init", "{tmp}/missing.json", "--to", "{tmp}/model.py"), "missing.json: file not found"),
    (("--to", "{tmp}/no/such/dir/model.py"), "cannot write"),
    (("--init", "{tmp}/w.json"), "--to"),
])
def test_cli_export_errors_are_one_line_and_exit_2(tmp_path, args, needle):
    net, meta = NETWORKS["no_bias_tanh"]
    save_network(net, tmp_path / "w.json", meta)
    args = [a.format(tmp=tmp_path) for a in args]
    if "--init" not in args:
        args = ["--init", str(tmp_path / "w.json"), *args]
    r = _cli("export", *args)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.json"]


def test_export_is_a_headless_command():
    from model.cli import COMMANDS
    assert "export" in COMMANDS


def test_a_meta_features_that_is_not_a_list_is_one_line_not_a_traceback(tmp_path):
    net = Network.from_sizes([2, 2, 1], seed=0)
    path = tmp_path / "w.json"
    save_network(net, path, meta={"features": 5})
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "export", "--init", str(path),
                        "--to", str(tmp_path / "m.py")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "meta.features must be a list" in r.stderr
