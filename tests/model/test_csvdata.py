"""Loading and saving your own data as CSV."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from model.data import csvlines, csvread
from model.data.csvdata import CSVError, load_csv, parse_csv, save_csv
from model.data.datasets import Data, make_data


def write(tmp_path, content, name="data.csv"):
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def csv_error(text, **kwargs) -> str:
    with pytest.raises(CSVError) as info:
        parse_csv(text, **kwargs)
    return str(info.value)


# --- reading --------------------------------------------------------------------------------

def test_classification_with_integer_labels_sorts_numerically(tmp_path):
    d = load_csv(write(tmp_path, "x1,x2,label\n1,2,10\n3.5,-4,2\n5e-1,6,10\n"), train_ratio=1.0)
    assert d.task == "classification" and d.name == "data"
    assert d.input_names == ("x1", "x2") and d.target_names == ("2", "10") and d.n_classes == 2
    assert d.X_train.tolist() == [[1, 2], [3.5, -4], [0.5, 6]]
    assert d.y_train.tolist() == [1, 0, 1] and d.y_train.dtype == np.int64
    assert d.X_test.shape == (0, 2) and d.y_test.shape == (0,)


def test_classification_with_string_labels_sorts_lexicographically():
    d = parse_csv("label,a,b,c\ncat,1,2,3\nant,4,5,6\nbee,7,8,9\ncat,0,0,0\n", train_ratio=1.0)
    assert d.target_names == ("ant", "bee", "cat")
    assert d.y_train.tolist() == [2, 0, 1, 2]
    assert d.input_names == ("a", "b", "c") and d.X_train[1].tolist() == [4, 5, 6]


def test_mixed_labels_are_strings_and_integer_labels_are_canonical():
    assert parse_csv("x,label\n1,10\n2,9\n3,a\n").target_names == ("10", "9", "a")
    d = parse_csv("x,label\n1,07\n2,7\n3,-1\n", train_ratio=1.0)
    assert d.target_names == ("-1", "7") and d.y_train.tolist() == [1, 1, 0]


def test_single_class_is_allowed():
    assert parse_csv("x,label\n1,a\n2,a\n").n_classes == 1


def test_regression_single_y():
    d = parse_csv("y,x\n0.5,1\n-2,3\n", train_ratio=1.0)
    assert d.task == "regression" and d.n_classes == 0
    assert d.target_names == ("y",) and d.input_names == ("x",)
    assert d.y_train.tolist() == [[0.5], [-2]] and d.X_train.tolist() == [[1], [3]]


def test_regression_y1_to_y3_in_any_header_order():
    d = parse_csv("y2,a,y3,b,y1\n2,10,3,20,1\n5,30,6,40,4\n", train_ratio=1.0)
    assert d.target_names == ("y1", "y2", "y3") and d.input_names == ("a", "b")
    assert d.y_train.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert d.X_train.tolist() == [[10, 20], [30, 40]]


def test_bom_crlf_whitespace_and_trailing_blank_lines_are_fine():
    text = "\ufeff x1 , label \r\n 1.5 , a \r\n-2,b\r\n\r\n  \r\n"
    d = parse_csv(text, train_ratio=1.0)
    assert d.input_names == ("x1",) and d.X_train.tolist() == [[1.5], [-2]]
    assert d.target_names == ("a", "b")
    assert parse_csv(text.encode("utf-8"), train_ratio=1.0).X_train.tolist() == [[1.5], [-2]]


def test_quoted_fields():
    d = parse_csv('x1,label\n"1.5","a, b"\n2,c\n')
    assert d.target_names == ("a, b", "c")


def test_train_ratio_splits_without_split_column(tmp_path):
    rows = "".join(f"{i},{i % 3}\n" for i in range(20))
    path = write(tmp_path, "x,label\n" + rows)
    d = load_csv(path, train_ratio=0.75, seed=4)
    assert len(d.X_train) == 15 and len(d.X_test) == 5
    assert np.all(np.diff(d.X_train[:, 0]) > 0) and np.all(np.diff(d.X_test[:, 0]) > 0)
    again = load_csv(path, train_ratio=0.75, seed=4)
    assert np.array_equal(d.X_train, again.X_train)


def test_split_column_defines_the_split_and_a_train_ratio_beside_it_is_refused():
    text = "x,split,label\n1,train,a\n2,test,b\n3,TRAIN,a\n4,test,a\n"
    d = parse_csv(text)
    assert d.X_train[:, 0].tolist() == [1, 3] and d.X_test[:, 0].tolist() == [2, 4]
    assert d.y_test.tolist() == [1, 0] and d.input_names == ("x",)
    # issue 11 item 10: both at once is refused in one line, never silently ignored
    assert "column 'split' already says which rows are for testing" in \
        csv_error(text, train_ratio=0.1)
    # leaving the column out lets the ratio decide
    d = parse_csv(text, train_ratio=0.5, drop="split")
    assert len(d.X_train) == 2 and d.input_names == ("x",)


def test_loaded_arrays_are_read_only():
    d = parse_csv("x,y\n1,2\n")
    assert not d.X_train.flags.writeable and not d.y_train.flags.writeable


# --- round trip -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, n_classes", [("spiral", None), ("blobs", 5), ("plane", None)])
def test_save_then_load_gives_identical_data(tmp_path, name, n_classes):
    d = make_data(name, 101, noise=0.3, train_ratio=0.6, seed=11, n_classes=n_classes)
    path = tmp_path / "saved.csv"
    save_csv(d, path)
    e = load_csv(path, seed=99)  # the split column decides
    for field in ("X_train", "y_train", "X_test", "y_test"):
        a, b = getattr(d, field), getattr(e, field)
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), field
    assert (e.task, e.input_names, e.target_names) == (d.task, d.input_names, d.target_names)
    assert e.name == "saved"


def test_save_writes_header_labels_and_exact_floats(tmp_path):
    X = np.array([[0.1 + 0.2, 1e-300], [-1 / 3, 12345678.9]])
    d = Data(X[:1], np.array([1]), X[1:], np.array([0]), task="classification",
             input_names=("p", "q"), target_names=("no", "yes"), name="t")
    path = tmp_path / "t.csv"
    save_csv(d, path)
    lines = path.read_text("utf-8").splitlines()
    assert lines[0] == "p,q,label,split"
    assert lines[1].endswith(",yes,train") and lines[2].endswith(",no,test")
    back = load_csv(path)
    assert back.X_train[0].tolist() == [0.1 + 0.2, 1e-300]
    assert back.X_test[0].tolist() == [-1 / 3, 12345678.9]


def test_save_is_atomic_and_overwrites(tmp_path):
    path = write(tmp_path, "old content")
    save_csv(make_data("xor", 10), path)
    assert load_csv(path).n_classes == 2
    assert os.listdir(tmp_path) == ["data.csv"]  # no temp file left behind


def test_failed_save_leaves_the_old_file(tmp_path):
    path = write(tmp_path, "x,label\n1,a\n")
    bad = Data(np.array([[np.nan]]), np.array([0]), np.zeros((0, 1)), np.zeros(0, int),
               task="classification", input_names=("x",), target_names=("a",))
    with pytest.raises(ValueError):
        save_csv(bad, path)
    assert path.read_text() == "x,label\n1,a\n" and os.listdir(tmp_path) == ["data.csv"]


def test_save_into_missing_directory_is_a_csv_error(tmp_path):
    with pytest.raises(CSVError, match="cannot write"):
        save_csv(make_data("xor", 10), tmp_path / "nope" / "d.csv")


# --- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("x1,x2,label\n1,2,a\n3,4\n", "data.csv line 3: expected 3 fields"),
    ("x1,x2,label\n1,2,a\n3,4,b,5\n", "data.csv line 3: expected 3 fields"),
    ("x1,x2,label\n1,2,a\n3,4,b\n5,6,a\n7,8,b\n9,10,a\n1,abc,b\n",
     "data.csv line 7: column 'x2': 'abc' is not a number"),
    ("x1,label\n1,a\nnan,b\n", "data.csv line 3: column 'x1': 'nan'"),
    ("x1,label\n1,a\n-inf,b\n", "data.csv line 3: column 'x1': '-inf'"),
    ("x1,label\n1,a\n1e999,b\n", "data.csv line 3: column 'x1': '1e999'"),
    ("x1,label\n1,a\n1_000,b\n", "data.csv line 3: column 'x1': '1_000' is not a number"),
    ("x1,label\n,a\n", "data.csv line 2: column 'x1': empty value"),
    ("x,y\n1,\n", "data.csv line 2: column 'y': empty value"),
    ("x1,label\n1,a\n2, \n", "data.csv line 3: column 'label': empty label"),
    ("x1;x2;label\n1;2;a\n", "separated by commas"),
    ("x1,x1,label\n1,2,a\n", "data.csv line 1: duplicate column name 'x1'"),
    ("x1,,label\n1,2,a\n", "data.csv line 1: column 2 of the header has no name"),
    ("x1,label,y\n1,a,2\n", "data.csv line 1: both 'label'"),
    ("label,split\na,train\n", "data.csv line 1: no input columns"),
    ("x,y,y1\n1,2,3\n", "data.csv line 1:"),
    ("x,y1,y3\n1,2,3\n", "data.csv line 1: target columns"),
    ("", "data.csv line 1: the file is empty"),
    ("x1,label\n", "data.csv line 2: no data rows"),
    ("x1,label\n\n\n", "data.csv line 2: no data rows"),
    ("\nx1,label\n1,a\n", "data.csv line 1: the header line is empty"),
    ("x1,label\n1,a\n\n2,b\n", "data.csv line 3: blank line inside the data"),
    ("x1,label,split\n1,a,train\n2,b,test\n3,a,valid\n",
     "data.csv line 4: column 'split': 'valid' must be 'train' or 'test'"),
    ("x1,label,split\n1,a,test\n", "data.csv: column 'split' marks no row as 'train'"),
    ('x1,label\n1,a\n2,"b\n3,c\n', "data.csv line 3: malformed CSV"),
    ("x1,label\n1,a\n2,b\x00\n", "data.csv line 3: contains NUL"),
])
def test_malformed_csv_reports_the_line(text, expected):
    message = csv_error(text)
    assert expected in message
    assert "\n" not in message


def test_too_many_classes():
    rows = "".join(f"{i},c{i}\n" for i in range(51))
    assert "line 52: column 'label': more than 50 classes" in csv_error("x,label\n" + rows)
    parse_csv("x,label\n" + rows[: rows.index("50,")])  # 50 classes are fine


def test_row_and_column_limits(monkeypatch):
    header = ",".join(f"c{i}" for i in range(1000)) + ",label\n"
    assert "line 1: 1001 columns" in csv_error(header + "0," * 1000 + "a\n")
    monkeypatch.setattr(csvread, "MAX_ROWS", 3)
    assert "line 5: more than 3 data rows" in csv_error("x,label\n1,a\n2,a\n3,a\n4,a\n")


def test_line_numbers_count_lines_not_records():
    # The quoted label spans lines 2-3, so the bad value is on line 4.
    assert "line 4:" in csv_error('x,label\n1,"two\nlines"\nbad,a\n')
    assert "line 3:" in csv_error("x,label\r1,a\rbad,a\r")


def test_non_utf8_bytes(tmp_path):
    path = write(tmp_path, b"x1,label\n1,a\n2,\xff\xfeb\n")
    with pytest.raises(CSVError, match=r"^data\.csv line 3: not UTF-8"):
        load_csv(path)


def test_binary_file(tmp_path):
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", name="pic.csv")
    with pytest.raises(CSVError, match=r"^pic\.csv line 3: contains NUL bytes"):
        load_csv(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(CSVError, match=r"^missing\.csv: file not found$"):
        load_csv(tmp_path / "missing.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(CSVError, match=r"^dir\.csv: "):
        load_csv(tmp_path / "dir.csv")


def test_csv_error_is_a_value_error():
    assert issubclass(CSVError, ValueError)


# --- fuzzing: only CSVError, always one line ----------------------------------------------------

TOKENS = ["x1", "x2", "label", "y", "y1", "y2", "split", "train", "test", "1", "-2.5", "3e4",
          "nan", "inf", "a", "b", ",", ",", "\n", "\n", "\r", "\r\n", '"', " ", "", "\ufeff",
          "\x00", "é", "\u2028", "1_0", "+", "0x1", "y0"]


NUMBERS = ["1", "-2.5", "3e4", ".5", " 7 ", "0"]
ODD_CELLS = ["nan", "inf", "", "x", '"q"', "1_0", "train", "\u2028"]


@st.composite
def csv_like(draw):
    """Mostly well-formed CSV text, so the fuzzers also reach the success paths."""
    inputs = draw(st.lists(st.sampled_from(["x1", "x2", "a", " b", "x1"]), max_size=3,
                           min_size=draw(st.sampled_from([0, 1, 1, 1])), unique=True))
    targets = draw(st.sampled_from([["label"], ["label"], ["y"], ["y1", "y2"], ["y2"],
                                    ["label", "y"], []]))
    extra = draw(st.sampled_from([[], [], ["split"], ["Label"]]))
    header = draw(st.permutations(inputs + targets + extra))
    choices = {"label": ["a", "b", "7", "-1", ""], "split": ["train", "test", "valid"]}

    def cell(name):
        good = st.sampled_from(choices.get(name, NUMBERS))
        odd = draw(st.integers(0, 9)) == 0
        return st.one_of(good, st.sampled_from(ODD_CELLS)) if odd else good

    row = st.tuples(*(cell(name) for name in header)).map(list)
    rows = draw(st.lists(row, max_size=6))
    if rows and draw(st.integers(0, 4)) == 0:  # a ragged row
        rows[-1] = rows[-1][:-1] or ["1", "2"]
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return end.join(",".join(r) for r in [header, *rows]) + draw(st.sampled_from(["", end]))


def check_outcome(call):
    try:
        data = call()
    except CSVError as e:
        message = str(e)
        assert message and len(message.splitlines()) == 1 and "\n" not in message
        assert "\r" not in message
    else:
        assert isinstance(data, Data) and len(data.X_train) >= 1


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(TOKENS), max_size=40).map("".join),
                 csv_like()))
def test_parse_csv_fuzz_text(text):
    check_outcome(lambda: parse_csv(text))


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(), st.lists(st.sampled_from(TOKENS), max_size=40)
                 .map(lambda t: "".join(t).encode("utf-8")),
                 csv_like().map(lambda t: t.encode("utf-8"))))
def test_load_csv_fuzz_bytes(tmp_path, raw):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(raw)
    check_outcome(lambda: load_csv(path))


# --- streaming: limits while reading, chunk boundaries ------------------------------------------

def outcome(call):
    try:
        d = call()
    except CSVError as e:
        return str(e)
    return (d.task, d.input_names, d.target_names, d.X_train.tolist(), d.y_train.tolist(),
            d.X_test.tolist(), d.y_test.tolist())


@settings(max_examples=300, deadline=None)
@given(st.one_of(csv_like(), st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)),
       st.sampled_from([1, 2, 3, 5, 8]))
def test_tiny_chunks_read_exactly_as_one_big_chunk(text, chunk):
    # every line end, "\r\n" pair and blank run split over chunk boundaries alike. (A NUL byte
    # is looked for a chunk at a time, so a file that is also bad before it may be refused for
    # either reason: both are one line naming the file.)
    assume("\x00" not in text)
    whole = outcome(lambda: parse_csv(text, train_ratio=1.0))
    old = csvlines.CHUNK
    try:
        csvlines.CHUNK = chunk
        assert outcome(lambda: parse_csv(text, train_ratio=1.0)) == whole
    finally:
        csvlines.CHUNK = old


def test_a_line_longer_than_the_limit_fails_without_reading_on(tmp_path, monkeypatch):
    monkeypatch.setattr(csvlines, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(csvlines, "CHUNK", 256)
    path = write(tmp_path, "x,label\n1,a\n" + "1," * 100_000 + "\n")
    read = []
    with pytest.raises(CSVError, match=r"^data\.csv line 3: longer than"):
        load_csv(path, progress=read.append)
    assert max(read) < 2000  # a few chunks, not the 200 kB line


def test_blank_lines_at_the_end_are_skipped_and_counted_over_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(csvlines, "CHUNK", 64)
    blank = "\n \r\n\t\r" * 1000  # 4000 blank lines, with "\r\n" split across chunks
    path = write(tmp_path, "x,label\n1,a\n2,b\n" + blank)
    assert len(load_csv(path, train_ratio=1.0).X_train) == 2
    path = write(tmp_path, "x,label\n1,a\n" + blank + "2,b\n")
    with pytest.raises(CSVError, match=r"^data\.csv line 3: blank line inside the data"):
        load_csv(path)
    path = write(tmp_path, "x,label\n1,a\n" + blank + "oops\n")
    with pytest.raises(CSVError, match=r"^data\.csv line 3: blank line inside"):
        load_csv(path)


def test_line_numbers_after_a_long_blank_run(tmp_path, monkeypatch):
    monkeypatch.setattr(csvlines, "CHUNK", 50)
    path = write(tmp_path, "x,label\n1,a\n" + ",\n" * 3 + "\r\n" * 500)
    assert len(load_csv(path, train_ratio=1.0).X_train) == 1
    # a ragged row after a run of blank lines: its own line number
    path = write(tmp_path, "x,label\n1,a\n2,b,c\n" + "\n" * 500)
    with pytest.raises(CSVError, match=r"^data\.csv line 3: expected 2 fields"):
        load_csv(path)


def test_a_values_limit_protects_memory(monkeypatch):
    monkeypatch.setattr(csvread, "MAX_VALUES", 10)
    assert "line 7: more than 5 data rows (10 values in all)" in \
        csv_error("a,label\n" + "1,a\n" * 6)


def test_reading_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(CSVError, match=r"^pipe\.csv: is a pipe"):
        load_csv(fifo)


def test_progress_is_reported_and_can_cancel(tmp_path, monkeypatch):
    monkeypatch.setattr(csvlines, "CHUNK", 100)
    path = write(tmp_path, "x,label\n" + "1,a\n" * 200)
    seen = []
    load_csv(path, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == path.stat().st_size

    class Stop(Exception):
        pass

    def cancel(n):
        raise Stop
    with pytest.raises(Stop):
        load_csv(path, progress=cancel)
