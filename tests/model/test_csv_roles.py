"""Any column as the target, inputs picked or left out, the task detected and switchable, and
the held-out rows (issue 14 items 1 and 3)."""
import numpy as np
import pytest

from model.data.csvdata import CSVError, CSVOptions, column_kind, load_csv, parse_csv
from model.data.csvread import parse_table
from model.data.holdout import stratified_train_mask

IRIS_LIKE = ("sepal_length,sepal_width,species\n"
             "5.1,3.5,setosa\n4.9,3.0,setosa\n7.0,3.2,versicolor\n6.4,3.2,versicolor\n"
             "6.3,3.3,virginica\n5.8,2.7,virginica\n")


def error(text, **kwargs) -> str:
    with pytest.raises(CSVError) as info:
        parse_csv(text, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


# --- the target --------------------------------------------------------------------------------

def test_a_header_without_label_takes_the_last_column_as_the_target():
    d = parse_csv(IRIS_LIKE, train_ratio=1.0)
    assert d.task == "classification" and d.target_names == ("setosa", "versicolor", "virginica")
    assert d.input_names == ("sepal_length", "sepal_width")
    assert d.y_train.tolist() == [0, 0, 1, 1, 2, 2]
    assert d.origin == "file"


@pytest.mark.parametrize("cells, task, names", [
    (["cat", "dog", "cat", "cow"], "classification", ("cat", "cow", "dog")),  # strings
    (["3", "1", "3", "2"], "classification", ("1", "2", "3")),  # small integers
    (["0.5", "1.25", "-3", "2"], "regression", ("t",)),  # real numbers
])
def test_target_option_over_string_integer_and_real_targets(cells, task, names):
    rows = "".join(f"{i},{c},{i * 2}\n" for i, c in enumerate(cells))
    d = parse_csv("a,t,b\n" + rows, train_ratio=1.0, target="t")
    assert d.task == task and d.target_names == names and d.input_names == ("a", "b")
    if task == "regression":
        assert d.y_train[:, 0].tolist() == [float(c) for c in cells]
    else:
        assert [names[k] for k in d.y_train] == cells


def test_the_task_can_be_switched():
    text = "a,t\n1,3\n2,1\n3,3\n4,2\n"
    assert parse_csv(text, target="t", train_ratio=1.0).task == "classification"
    d = parse_csv(text, target="t", task="regression", train_ratio=1.0)
    assert d.task == "regression" and d.y_train[:, 0].tolist() == [3, 1, 3, 2]
    d = parse_csv("a,v\n1,0.5\n2,0.25\n", target="v", task="classification", train_ratio=1.0)
    assert d.task == "classification" and d.target_names == ("0.25", "0.5")
    assert "task must be one of" in error(text, task="clustering")


def test_many_integer_values_are_a_regression_and_text_with_too_many_values_is_refused():
    rows = "".join(f"{i},{i * 3}\n" for i in range(30))
    assert parse_csv("a,n\n" + rows).task == "regression"
    rows = "".join(f"{i},name{i}\n" for i in range(60))
    assert "line 52: column 'n': more than 50 classes" in error("a,n\n" + rows)


def test_old_names_stay_the_default():
    d = parse_csv("label,a,b\n1,0.5,2\n0,1.5,3\n", train_ratio=1.0)
    assert d.task == "classification" and d.input_names == ("a", "b")
    d = parse_csv("y,a,b\n1,0.5,2\n0,1.5,3\n", train_ratio=1.0)  # y: always a regression
    assert d.task == "regression" and d.target_names == ("y",)
    d = parse_csv("a,y1,y2\n1,2,3\n4,5,6\n", train_ratio=1.0)
    assert d.target_names == ("y1", "y2") and d.y_train.tolist() == [[2, 3], [5, 6]]


def test_several_target_columns_are_a_regression_only():
    d = parse_csv("a,p,q\n1,2,3\n4,5,6\n", target=["p", "q"], train_ratio=1.0)
    assert d.task == "regression" and d.target_names == ("p", "q")
    assert "classification needs one target column" in \
        error("a,p,q\n1,2,3\n4,5,6\n", target=["p", "q"], task="classification")


# --- the inputs --------------------------------------------------------------------------------

def test_a_text_column_is_refused_by_name_and_can_be_left_out():
    text = "id,name,x,label\n1,ann,0.5,a\n2,bob,1.5,b\n3,cy,2.5,a\n"
    message = error(text)
    assert "column 'name' holds text, not numbers ('ann' on line 2)" in message
    assert "make it the target or leave it out" in message
    d = parse_csv(text, drop=["name"], train_ratio=1.0)
    assert d.input_names == ("id", "x")
    d = parse_csv(text, inputs=["x"], train_ratio=1.0)
    assert d.input_names == ("x",) and d.X_train[:, 0].tolist() == [0.5, 1.5, 2.5]
    assert "columns 'a', 'b' hold text" in error("a,b,c\nx,y,1\n")


@pytest.mark.parametrize("text, expected", [
    ("x,t\n1,a\n,b\n", "data.csv line 3: column 'x': empty value"),
    ("x,z,t\n1,2,a\n3,NA,b\n", "data.csv line 3: column 'z': 'NA' is a missing value"),
    ("x,z,t\n1,2,a\n3,?,b\n", "data.csv line 3: column 'z': '?' is a missing value"),
    ("x,t\n1,0.5\n2,\n", "data.csv line 3: column 't': empty value"),
    ("x,t\n1,a\n2,\n", "data.csv line 3: column 't': empty label"),
])
def test_a_missing_value_gives_line_and_column(text, expected):
    assert expected in error(text)


def test_the_first_bad_cell_in_file_order_is_reported():
    text = "a,b,t\n1,2,x\n3,oops,y\n?,4,x\n"
    assert "line 3: column 'b': 'oops' is not a number" in error(text)


@pytest.mark.parametrize("kwargs, expected", [
    (dict(target="nope"), "target: no column 'nope' in the header (columns: 'a', 'b', 't')"),
    (dict(inputs=["a", "zz"]), "inputs: no column 'zz'"),
    (dict(drop="q"), "drop: no column 'q'"),
    (dict(target="a", inputs=["a", "b"]), "column 'a' is both the target and an input"),
    (dict(target="a", drop="a"), "column 'a' is both the target and left out"),
    (dict(drop=["a", "b"]), "no input columns"),
])
def test_wrong_column_options_are_one_line(kwargs, expected):
    assert expected in error("a,b,t\n1,2,x\n", **kwargs)


def test_a_wrong_column_name_fails_before_the_file_is_read_to_its_end(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 1_000_000)  # 4 MB
    read = []
    with pytest.raises(CSVError, match="^d.csv line 1: target: no column 'c'"):
        load_csv(path, target="c", progress=read.append)
    assert read and max(read) <= 2 ** 20  # only the first chunk was read


def test_column_kinds_for_the_preview():
    table = parse_table("n,i,t\n1.5,1,a\n2,2,b\n2.5,1,a\n")
    kinds = [column_kind(table, c) for c in table.columns]
    assert kinds == ["numbers", "2 integer values", "text, 2 values"]


def test_options_make_accepts_a_single_name_or_a_list():
    assert CSVOptions.make(target="a", drop="b") == CSVOptions(("a",), None, ("b",), None)
    assert CSVOptions.make(inputs=["x", "y"]).inputs == ("x", "y")


# --- the held-out rows -------------------------------------------------------------------------

def test_twenty_percent_are_test_rows_by_default():
    rows = "".join(f"{i},{'abc'[i % 3]}\n" for i in range(50))
    d = parse_csv("x,label\n" + rows, seed=3)
    assert len(d.X_train) == 40 and len(d.X_test) == 10
    again = parse_csv("x,label\n" + rows, seed=3)
    assert np.array_equal(d.X_test, again.X_test)
    other = parse_csv("x,label\n" + rows, seed=4)
    assert not np.array_equal(d.X_test, other.X_test)  # seeded, not fixed


@pytest.mark.parametrize("counts, ratio", [([50, 50, 50], 0.8), ([7, 30, 3], 0.8),
                                           ([1, 1, 9, 40], 0.5), ([13, 2], 0.9), ([5], 0.3)])
def test_stratified_split_keeps_class_shares_within_one_row(counts, ratio):
    y = np.repeat(np.arange(len(counts)), counts)
    np.random.default_rng(0).shuffle(y)
    for seed in range(5):
        train = stratified_train_mask(y, ratio, seed)
        n, n_train = len(y), int(train.sum())
        assert n_train == round(ratio * n)
        for c, n_c in enumerate(counts):
            in_train = int(np.count_nonzero(train & (y == c)))
            # the class's share of the training rows matches its share of the data
            assert abs(in_train - n_train * n_c / n) < 1


def test_a_plain_random_split_can_miss_a_small_class_but_the_stratified_one_cannot():
    # 3 rows of a rare class among 60: it always keeps 2 or 3 of them for training and so never
    # vanishes from the training rows, whatever the seed
    y = np.array([0] * 57 + [1] * 3)
    for seed in range(30):
        train = stratified_train_mask(y, 0.8, seed)
        assert 2 <= np.count_nonzero(train & (y == 1)) <= 3


def test_regression_rows_are_split_at_random_by_the_ratio():
    rows = "".join(f"{i},{i * 0.5}\n" for i in range(20))
    d = parse_csv("x,v\n" + rows, train_ratio=0.75, seed=1)
    assert d.task == "regression" and len(d.X_train) == 15 and len(d.X_test) == 5
    assert np.all(np.diff(d.X_train[:, 0]) > 0)  # rows keep their order
