"""The headless command line, run as a user would: in a subprocess."""
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from model import load_network
from model.files.bundled import resource

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = resource("examples")


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_train_spiral_exports_weights_that_reload(tmp_path):
    out = tmp_path / "spiral.json"
    r = run("train", "--dataset", "xor", "--hidden", "4,4", "--epochs", "60", "--lr", "0.1",
            "--points", "200", "--seed", "3", "--export", out)
    assert r.returncode == 0, r.stderr
    assert "train loss" in r.stdout and "test accuracy" in r.stdout
    assert "epoch 60/60" in r.stderr  # the progress bar reached the end
    acc = r.stdout.split("test accuracy")[1].split()[0]
    assert acc.endswith("%") and float(acc[:-1]) > 85.0  # accuracy reads as in the window
    net = load_network(out)
    assert net.sizes == [2, 4, 4, 1] and net.activation_names == ["tanh", "tanh", "sigmoid"]
    doc = json.loads(out.read_text())
    assert doc["format"] == "backprop-playground/weights" and doc["version"] == 1
    # the same command twice gives the same weights: everything is seeded
    out2 = tmp_path / "again.npz"
    run("train", "--dataset", "xor", "--hidden", "4,4", "--epochs", "60", "--lr", "0.1",
        "--points", "200", "--seed", "3", "--export", out2)
    assert np.array_equal(load_network(out2).params, net.params)


def test_train_from_csv_and_init_weights_in_file_order(tmp_path):
    out = tmp_path / "classic.json"
    r = run("train", "--init", EXAMPLES / "classic_2_2_2.json", "--data", EXAMPLES / "classic_2_2_2.csv",
            "--loss", "mse", "--lr", "0.5", "--batch-size", "1", "--epochs", "1", "--no-shuffle",
            "--export", out, "--quiet")
    assert r.returncode == 0, r.stderr
    net = load_network(out)
    # one step of the tutorial (which updates biases too here: they are parameters)
    assert net.layers[1].W[0][0] == pytest.approx(0.35891648, abs=1e-8)
    assert net.layers[0].W[0][0] == pytest.approx(0.149780716, abs=1e-9)


def test_gradcheck_command_reports_the_worst_error():
    r = run("gradcheck", "--init", EXAMPLES / "circle_2_4_4_1.json", "--data", EXAMPLES / "circle.csv",
            "--loss", "bce")
    assert r.returncode == 0, r.stderr
    assert "PASS" in r.stdout and "worst:" in r.stdout and "layer 3:" in r.stdout
    worst = float(r.stdout.split("relative error")[-1].split()[0])
    assert worst < 1e-5


@pytest.mark.parametrize("args,needle", [
    (["train", "--lr", "abc"], "--lr"),
    (["train", "--hidden", "4,x"], "--hidden"),
    (["train", "--optimizer", "rmsprop"], "--optimizer"),
    (["train", "--dataset", "nope"], "--dataset"),
    (["train", "--features", "x1,x3"], "x3"),
    (["train", "--bogus"], "--bogus"),
    (["train", "--data", "missing.csv"], "missing.csv"),
    (["train", "--init", "missing.json"], "missing.json"),
    (["train", "--noise", "nan"], "--noise"),
    (["gradcheck", "--init", "x.json"], "--data"),
])
def test_user_errors_are_one_line_with_exit_code_2(args, needle):
    r = run(*args)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.stderr


def test_bad_files_are_one_line_errors(tmp_path):
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("x1,x2,label\n1,2,0\n3,oops,1\n")
    r = run("train", "--data", bad_csv)
    assert r.returncode == 2 and "line 3" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    bad_w = tmp_path / "w.json"
    bad_w.write_text('{"format": "backprop-playground/weights", "version": 1}')
    r = run("train", "--init", bad_w)
    assert r.returncode == 2 and "w.json" in r.stderr and "Traceback" not in r.stderr
    # weights whose inputs do not match the data
    r = run("train", "--init", EXAMPLES / "net_4_3_1.json", "--data", EXAMPLES / "circle.csv")
    assert r.returncode == 2 and "4 inputs" in r.stderr


def test_divergence_is_reported_not_raised():
    r = run("train", "--dataset", "plane", "--activation", "relu", "--lr", "1000", "--epochs", "20", "--quiet")
    assert r.returncode == 1
    assert "smaller learning rate" in r.stderr and "Traceback" not in r.stderr


def test_overflowing_features_are_one_line_without_numpy_warnings(tmp_path):
    data = tmp_path / "big.csv"
    data.write_text("x1,x2,label\n1e300,1,0\n-1e300,2,1\n3,1e300,0\n4,5,1\n")
    r = run("train", "--data", data, "--features", "x1,x2,x1^2", "--epochs", "2", "--quiet")
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("\n") == 1 and "Warning" not in r.stderr
    assert "NaN or infinite" in r.stderr


def test_train_says_when_a_run_goes_wrong_without_a_nan():
    # exploding (ReLU + Adam at 1e6): one line on stderr and exit 1, as for a divergence
    r = run("train", "--activation", "relu", "--optimizer", "adam", "--lr", "1e6",
            "--epochs", "30", "--quiet")
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert lines[-1].startswith("error: exploding weights: ") and "lower the learning rate" in lines[-1]
    assert "Traceback" not in r.stderr and "train loss" in r.stdout
    # dead (ReLU at lr 10): a warning line, exit 0 (the run finished; nothing exploded)
    r = run("train", "--activation", "relu", "--lr", "10", "--epochs", "20", "--quiet")
    assert r.returncode == 0
    assert r.stderr.strip().splitlines()[-1].startswith("warning: dead network: ")
    # a healthy run: no warning at all
    r = run("train", "--epochs", "30", "--quiet")
    assert r.returncode == 0 and "warning" not in r.stderr and "error" not in r.stderr
