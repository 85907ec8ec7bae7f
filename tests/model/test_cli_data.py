"""The command line on real data (issue 14): bundled sets by name, --target/--inputs/--drop/
--task/--scale, the default 20 % test rows, and --train-ratio beside a split column (issue 11
item 10). Run in-process (the subprocess smoke tests are in test_cli.py)."""
import json

import numpy as np
import pytest

from model.cli import run
from model.files.serialize import load_network

PEOPLE = ("height,weight,city,smoker,age\n"
          + "".join(f"{150 + i % 40},{50 + (i * 7) % 45},{'abc'[i % 3]}town,"
                    f"{'yes' if (i * 5) % 7 < 3 else 'no'},{20 + (i * 11) % 50}.5\n"
                    for i in range(60)))


def cli(capsys, *args):
    code = run([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_bundled_set_by_name_trains_with_a_held_out_test_set(capsys, tmp_path):
    code, out, err = cli(capsys, "train", "--data", "iris", "--epochs", "150", "--quiet",
                         "--export", tmp_path / "iris.json")
    assert code == 0, err
    assert "120 train / 30 test rows" in err
    assert "inputs scaled (standard, from the training rows)" in err
    test_acc = float(out.split("test accuracy ")[1].split()[0].rstrip("%")) / 100
    assert test_acc >= 0.85 and "test loss" in out  # this project's own bar
    assert "test accuracy by class: setosa" in out
    doc = json.loads((tmp_path / "iris.json").read_text())
    assert doc["version"] == 2 and doc["meta"]["classes"] == ["setosa", "versicolor", "virginica"]
    assert doc["inputs"][0] == "sepal length (cm)"


def test_target_option_over_string_integer_and_real_columns(capsys, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE)
    # the default target (the last column, real numbers) needs the text columns left out
    code, _, err = cli(capsys, "train", "--data", path, "--epochs", "2", "--quiet")
    assert code == 2 and err.count("\n") == 1
    assert "columns 'city', 'smoker' hold text, not numbers" in err
    code, out, err = cli(capsys, "train", "--data", path, "--drop", "city,smoker", "--epochs",
                         "2", "--quiet")
    assert code == 0, err
    assert "regression of age" in err and "accuracy" not in out
    code, out, err = cli(capsys, "train", "--data", path, "--target", "smoker", "--drop", "city",
                         "--epochs", "2", "--quiet")
    assert code == 0 and "classes no, yes" in err, err
    code, out, err = cli(capsys, "train", "--data", path, "--target", "city", "--inputs",
                         "height,weight", "--epochs", "2", "--quiet")
    assert code == 0 and "classes atown, btown, ctown; 2 inputs" in err, err


def test_an_integer_target_is_classes_unless_told(capsys, tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text("a,b,grade\n" + "".join(f"{i},{i % 5},{1 + i % 3}\n" for i in range(30)))
    code, out, err = cli(capsys, "train", "--data", path, "--epochs", "2", "--quiet")
    assert code == 0 and "classes 1, 2, 3" in err
    code, out, err = cli(capsys, "train", "--data", path, "--task", "regression", "--epochs", "2",
                         "--quiet")
    assert code == 0 and "regression of grade" in err


def test_scale_option(capsys, tmp_path):
    for scale, expected in (("none", "inputs not scaled"), ("minmax", "scaled (minmax")):
        code, _, err = cli(capsys, "train", "--data", "wine", "--scale", scale, "--epochs", "2",
                           "--quiet", "--export", tmp_path / f"{scale}.json")
        assert code == 0 and expected in err, err
    assert load_network(tmp_path / "none.json").input_scaling is None
    assert load_network(tmp_path / "minmax.json").input_scaling.method == "minmax"
    code, _, err = cli(capsys, "train", "--dataset", "circle", "--epochs", "1", "--quiet",
                       "--export", tmp_path / "circle.json")
    assert load_network(tmp_path / "circle.json").input_scaling is None  # generated: raw


def test_train_ratio_beside_a_split_column_is_refused_in_one_line(capsys, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("x,label,split\n" + "".join(
        f"{i},{'ab'[i % 2]},{'train' if i % 4 else 'test'}\n" for i in range(20)))
    code, out, err = cli(capsys, "train", "--data", path, "--epochs", "1", "--quiet")
    assert code == 0 and "15 train / 5 test rows" in err
    code, out, err = cli(capsys, "train", "--data", path, "--train-ratio", "0.5", "--epochs", "1",
                         "--quiet")
    assert code == 2 and err.count("\n") == 1
    assert "s.csv: column 'split' already says which rows are for testing" in err
    code, out, err = cli(capsys, "train", "--data", path, "--train-ratio", "0.5", "--drop", "split",
                         "--epochs", "1", "--quiet")
    assert code == 0 and "10 train / 10 test rows" in err


@pytest.mark.parametrize("args, expected", [
    (["--data", "iris", "--target", "colour"], "target: no column 'colour' in the header"),
    (["--dataset", "xor", "--target", "x"], "--target, --inputs, --drop and --task need --data"),
    (["--data", "iris", "--inputs", "a", "--drop", "b"], "not allowed with argument"),
    (["--data", "iris", "--task", "ranking"], "invalid choice"),
    (["--data", "iris", "--drop", "a,,b"], "is not a comma-separated list of column names"),
])
def test_wrong_data_options_are_one_line(capsys, args, expected):
    code, _, err = cli(capsys, "train", *args, "--epochs", "1", "--quiet")
    assert code == 2 and err.count("\n") == 1 and expected in err, err


def test_gradcheck_scales_like_the_network(capsys, tmp_path):
    code, _, err = cli(capsys, "train", "--data", "iris", "--epochs", "3", "--quiet", "--export",
                       tmp_path / "w.json")
    assert code == 0, err
    code, out, err = cli(capsys, "gradcheck", "--init", tmp_path / "w.json", "--data", "iris")
    assert code == 0 and "PASS" in out, out + err
    assert np.isfinite(float(out.split("relative error ")[-1].split()[0]))


def test_scale_beside_loaded_weights_is_refused(capsys, tmp_path):
    code, _, err = cli(capsys, "train", "--data", "iris", "--epochs", "1", "--quiet", "--export",
                       tmp_path / "w.json")
    assert code == 0, err
    code, _, err = cli(capsys, "train", "--data", "iris", "--init", tmp_path / "w.json",
                       "--scale", "none", "--epochs", "1", "--quiet")
    assert code == 2 and "--scale: the weights from --init keep" in err
    code, _, err = cli(capsys, "train", "--data", "iris", "--init", tmp_path / "w.json",
                       "--epochs", "1", "--quiet")
    assert code == 0 and "inputs scaled (standard" in err
