"""The command line for scripts: results as JSON, the history as CSV, predictions for a CSV,
exports checked before training, and the same accuracy format everywhere. Run as a user would,
in a subprocess."""
import csv
import io
import json
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

from model.core.history import KEYS
from model.data import features as feats
from model.data.csvdata import load_csv
from model.files.bundled import resource
from model.files.serialize import load_network, load_network_with_meta

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = resource("examples")
XOR = ("train", "--dataset", "xor", "--hidden", "4", "--epochs", "30", "--lr", "0.1",
       "--points", "120", "--seed", "2", "--quiet")


def run(*args, cwd=ROOT, stdin=None):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120, input=stdin)


def one_error_line(r) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error:") and "Traceback" not in r.stderr
    return lines[0]


# --------------------------------------------------------------------------- checked first
@pytest.mark.parametrize("target, needle", [
    ("{tmp}/missing/w.json", "does not exist"),
    ("{tmp}/w.txt", "unknown file type ('.txt')"),
    ("{tmp}/w", "unknown file type (none)"),
    ("{tmp}/folder.json", "is a folder"),
])
def test_train_export_is_checked_before_training(tmp_path, target, needle):
    (tmp_path / "folder.json").mkdir()
    # 10^6 epochs would take minutes: the error must come before the first one
    r = run("train", "--epochs", "1000000", "--export", target.format(tmp=tmp_path))
    assert r.returncode == 2
    assert needle in one_error_line(r) and "--export" in r.stderr
    assert "training" not in r.stderr  # nothing was trained
    assert [p.name for p in tmp_path.iterdir()] == ["folder.json"]


def test_history_and_dtype_are_checked_before_training(tmp_path):
    r = run("train", "--epochs", "1000000", "--history", tmp_path / "no" / "h.csv")
    assert r.returncode == 2 and "--history" in one_error_line(r)
    r = run("train", "--epochs", "1000000", "--history", tmp_path / "h.txt")
    assert r.returncode == 2 and "unknown file type" in one_error_line(r)
    r = run("train", "--epochs", "1000000", "--export", tmp_path / "w.json", "--dtype", "float32")
    assert r.returncode == 2 and "--dtype applies to ONNX" in one_error_line(r)
    r = run("train", "--epochs", "1000000", "--dtype", "float32")
    assert r.returncode == 2 and "--dtype" in one_error_line(r)
    r = run("train", "--epochs", "1000000", "--history")  # no file and no --json
    assert r.returncode == 2 and "--history needs a file name" in one_error_line(r)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".json", ".npz", ".py", ".onnx"])
def test_train_export_writes_every_format(tmp_path, suffix):
    if suffix == ".onnx":
        pytest.importorskip("onnx")
        ort = pytest.importorskip("onnxruntime")
    out = tmp_path / f"xor_net{suffix}"
    weights = tmp_path / "xor.json"
    assert run(*XOR, "--export", weights).returncode == 0
    r = run(*XOR, "--export", out)
    assert r.returncode == 0, r.stderr
    assert f"network saved to {out}" in r.stdout
    net, meta = load_network_with_meta(weights)  # the same seeded run
    X = np.random.default_rng(0).uniform(-6, 6, (40, 2))
    expected = net.predict(feats.transform(X, meta["features"]))
    if suffix == ".onnx":
        session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
        got = session.run(None, {"X": X})[0]
    elif suffix == ".py":
        code = ("import importlib.util, sys, numpy as np; s = importlib.util.spec_from_file_location"
                "('m', sys.argv[1]); m = importlib.util.module_from_spec(s); s.loader.exec_module(m);"
                " np.save(sys.argv[3], m.predict(np.load(sys.argv[2])))")
        np.save(tmp_path / "X.npy", X)
        subprocess.run([sys.executable, "-c", code, out, tmp_path / "X.npy", tmp_path / "Y.npy"],
                       check=True, cwd=tmp_path, timeout=60)
        got = np.load(tmp_path / "Y.npy")
    else:
        got = load_network(out).predict(feats.transform(X, meta["features"]))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


# --------------------------------------------------------------------------- JSON and history
def test_json_results_and_history(tmp_path):
    history = tmp_path / "loss.csv"
    r = run(*XOR, "--json", "--history", history)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)  # stdout is exactly one JSON document
    assert doc["epochs"] == 30 and doc["task"] == "classification" and doc["loss"] == "bce"
    assert doc["layer_sizes"] == [2, 4, 1] and doc["train_rows"] + doc["test_rows"] == 120
    assert 0.0 <= doc["train_accuracy"] <= 1.0 and doc["diverged"] is None
    assert doc["history_file"] == str(history)
    h = doc["history"]
    assert list(h) == list(KEYS) and h["epoch"] == list(range(1, 31))
    assert h["train_loss"][-1] == pytest.approx(doc["train_loss"], rel=1e-12)
    rows = list(csv.reader(io.StringIO(history.read_text())))
    assert tuple(rows[0]) == KEYS and len(rows) == 31
    # the CSV and the JSON hold the same numbers (repr round-trips exactly)
    assert [float(row[1]) for row in rows[1:]] == h["train_loss"]
    assert [float(row[4]) for row in rows[1:]] == h["test_accuracy"]


def test_json_without_history_and_missing_values_are_null():
    r = run("train", "--dataset", "plane", "--epochs", "3", "--points", "60", "--quiet", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert "history" not in doc
    assert doc["task"] == "regression"
    assert doc["train_accuracy"] is None and doc["test_accuracy"] is None
    assert isinstance(doc["test_loss"], float)


def test_bare_history_with_json_prints_the_history_without_a_file():
    r = run(*XOR, "--json", "--history")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert len(doc["history"]["epoch"]) == 30 and doc["history_file"] is None


def test_accuracy_reads_as_a_percentage_with_one_decimal():
    r = run(*XOR)
    assert r.returncode == 0, r.stderr
    line = next(l for l in r.stdout.splitlines() if l.startswith("train accuracy"))
    assert re.fullmatch(r"train accuracy \d{1,3}\.\d%  test accuracy \d{1,3}\.\d%", line), line


def test_a_diverging_run_prints_one_error_line_and_no_numpy_warnings():
    r = run("train", "--dataset", "plane", "--activation", "relu", "--lr", "1000",
            "--epochs", "20", "--quiet")
    assert r.returncode == 1
    assert "Warning" not in r.stderr and "overflow" not in r.stderr.lower()
    errors = [l for l in r.stderr.splitlines() if l.startswith("error:")]
    assert len(errors) == 1 and "smaller learning rate" in errors[0]


# --------------------------------------------------------------------------- --train-ratio
def test_train_ratio_beside_a_split_column_is_refused_in_one_line(tmp_path):
    """Issue 11 item 10: the file already says which rows are for testing, so a ratio as well
    is a contradiction the user should resolve (drop one)."""
    data = tmp_path / "split.csv"
    rows = ["x1,x2,label,split"] + [f"{i},{-i},{i % 2},{'test' if i < 3 else 'train'}"
                                    for i in range(10)]
    data.write_text("\n".join(rows) + "\n")
    r = run("train", "--data", data, "--train-ratio", "0.5", "--epochs", "2", "--quiet", "--json")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "column 'split'" in r.stderr
    r = run("train", "--data", data, "--epochs", "2", "--quiet", "--json")  # the column decides
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert (doc["train_rows"], doc["test_rows"]) == (7, 3)
    r = run("train", "--data", data, "--drop", "split", "--train-ratio", "0.5", "--epochs", "2",
            "--quiet", "--json")  # or the ratio decides, with the column left out
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["train_rows"] == 5


# --------------------------------------------------------------------------- predict
def test_predict_writes_outputs_and_class_names(tmp_path):
    weights = tmp_path / "w.json"
    data = tmp_path / "points.csv"
    # the app's own data CSV: string labels and a split column, which predict ignores
    lines = ["x1,label,x2,split"] + [f"{x1!r},{'ab'[i % 2]},{x2!r},train" for i, (x1, x2) in
                                     enumerate(np.random.default_rng(1).normal(size=(25, 2)).tolist())]
    data.write_text("\n".join(lines) + "\n")
    assert run("train", "--data", data, "--features", "x1,x2,x1x2", "--epochs", "5", "--quiet",
               "--export", weights).returncode == 0
    r = run("predict", "--init", weights, "--data", data)
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["p(b)", "class"]
    net, meta = load_network_with_meta(weights)
    raw = load_csv(data).X_train  # (x1, x2) of every row, read by the app's own reader
    p = net.predict(feats.transform(raw, ["x1", "x2", "x1x2"]))[:, 0]
    assert [float(row[0]) for row in rows[1:]] == p.tolist()
    assert [row[1] for row in rows[1:]] == ["b" if v > 0.5 else "a" for v in p]
    out = tmp_path / "pred.csv"
    r = run("predict", "--init", weights, "--data", data, "--out", out)
    assert r.returncode == 0
    assert list(csv.reader(io.StringIO(out.read_text()))) == rows
    assert "25 predictions saved" in r.stdout


def test_predict_on_input_columns_only_and_a_regression(tmp_path):
    weights = tmp_path / "reg.json"
    assert run("train", "--init", EXAMPLES / "net_4_3_1.json", "--data", EXAMPLES / "net_4_3_1.csv",
               "--loss", "mse", "--epochs", "3", "--quiet", "--export", weights).returncode == 0
    net, meta = load_network_with_meta(weights)
    inputs = tmp_path / "in.csv"
    inputs.write_text("a,b,c,d\n1,0,1,0\n0,1,0,1\n")
    r = run("predict", "--init", weights, "--data", inputs)
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout)))
    expected = net.predict(np.array([[1, 0, 1, 0], [0, 1, 0, 1]], dtype=float))
    assert rows[0][:1] == list(net.outputs)
    assert [float(row[0]) for row in rows[1:]] == expected[:, 0].tolist()


@pytest.mark.parametrize("content, needle", [
    ("x1,x2\n1,2\n3,oops\n", "line 3"),
    ("x1,x2\n1,2\n3,nan\n", "line 3"),
    ("u,v,w\n1,2,3\n", "the weights take the columns x1, x2"),
    ("", "empty"),
    ("x1,x2\n", "no data rows"),
    ("x1,x2\n1,2,3\n", "line 2"),
])
def test_predict_bad_csv_is_one_line(tmp_path, content, needle):
    weights = tmp_path / "w.json"
    assert run(*XOR, "--export", weights).returncode == 0
    data = tmp_path / "d.csv"
    data.write_text(content)
    r = run("predict", "--init", weights, "--data", data, "--out", tmp_path / "p.csv")
    assert r.returncode == 2
    assert needle in one_error_line(r)
    assert not (tmp_path / "p.csv").exists()


def test_predict_checks_out_before_reading(tmp_path):
    r = run("predict", "--init", tmp_path / "missing.json", "--data", tmp_path / "d.csv",
            "--out", tmp_path / "p.txt")
    assert r.returncode == 2 and "--out" in one_error_line(r)


# --------------------------------------------------------------------------- in-process pieces
def test_accuracy_and_loss_formats():
    from model.numbers import finite_or_none, format_accuracy, format_loss
    assert format_accuracy(1) == "100.0%" and format_accuracy(0.98765) == "98.8%"
    assert format_accuracy(0.0) == "0.0%"
    assert format_accuracy(None) == format_accuracy(float("nan")) == "n/a"
    assert format_loss(0.0123456789) == "0.0123457" and format_loss(float("inf")) == "n/a"
    assert finite_or_none(float("nan")) is None and finite_or_none(2) == 2.0


def test_an_onnx_export_without_the_onnx_package_fails_before_training(tmp_path, monkeypatch):
    from model.cli_output import check_export
    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` now raises ImportError
    with pytest.raises(ValueError, match="needs the optional 'onnx' package"):
        check_export(tmp_path / "net.onnx", None, "--export")
    assert check_export(tmp_path / "net.JSON", None, "--export") == ".json"
