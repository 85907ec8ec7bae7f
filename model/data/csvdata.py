"""Your own data from a CSV file: which column is the target, which are the inputs, the task and
the train/test split; and the current data saved as a CSV that loads back exactly.

Format: a header line, then one row per example. The target is the column picked by ``target``;
without one, a ``label`` column (classification) or ``y`` / ``y1..yk`` columns (regression), and
failing those the last column. Every other column is an input unless left out (``drop``) or the
inputs are listed (``inputs``); inputs must be numbers, and a text column is refused by name.
The task follows the target unless ``task`` says: text or a few integers (at most
``MAX_AUTO_CLASSES`` values) are classes, other numbers a regression; ``label`` is always
classes and ``y`` columns always a regression. An optional ``split`` column (train/test) fixes
the split; otherwise ``train_ratio`` of the rows train (default 80 %, by class for
classification, seeded). Giving both is refused: the file already says which rows are tests.

Every problem raises ``CSVError`` with a one-line message naming the line and the column, e.g.
``data.csv line 7: column 'x2': 'abc' is not a number``. Reading streams the file with every
limit checked on the way (see ``csvread``).
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from model.data.csvread import (INTEGER, MAX_COLUMNS, MAX_LEVELS, MAX_ROWS,  # noqa: F401
                                CSVError, Column, Fail, Table, cell_problem, parse_table,
                                read_table, show)
from model.data.csvroles import (MAX_AUTO_CLASSES, MAX_CLASSES, TARGET_NAME,  # noqa: F401
                                 CSVOptions, Roles, choose_roles, column_kind, detect_task,
                                 listing)
from model.data.datasets import Data, readonly
from model.data.holdout import DEFAULT_TRAIN_RATIO, holdout
from model.files.atomic import atomic_file

__all__ = ["CSVError", "CSVOptions", "Roles", "Table", "MAX_AUTO_CLASSES", "MAX_CLASSES",
           "MAX_COLUMNS", "MAX_ROWS", "choose_roles", "column_kind", "detect_task", "load_csv",
           "parse_csv", "read_table", "save_csv", "table_to_data"]



def _class_labels(col: Column, fail: Fail) -> tuple[np.ndarray, tuple[str, ...]]:
    """y (n,) int64 indices into the sorted class names of a target column.

    All-integer labels sort numerically and are named canonically ("007" -> "7");
    otherwise the label strings sort lexicographically.
    """
    if col.levels is None:
        fail(f"column {show(col.name)}: more than {MAX_CLASSES} classes (for numbers to "
             "predict, choose regression)", col.overflow_line)
    if "" in col.levels:
        fail(f"column {show(col.name)}: empty label", col.level_lines[col.levels.index("")])
    if all(INTEGER.fullmatch(level) for level in col.levels):
        keys = [int(level) for level in col.levels]
        classes = sorted(set(keys))
        names = tuple(str(c) for c in classes)
    else:
        keys = list(col.levels)
        classes = sorted(set(keys))
        names = tuple(classes)
    index = {c: i for i, c in enumerate(classes)}
    lut = np.array([index[k] for k in keys], dtype=np.int64)
    return lut[col.codes], names


def _check_numbers(table: Table, columns: list[Column], inputs: set[int], fail: Fail) -> None:
    """Every cell of these columns must be a finite number: a text input column is refused by
    name, otherwise the first bad cell by line and column."""
    text = [c for c in columns if c.index in inputs and c.n_numbers == 0 and c.problem[1]]
    if text:
        first = text[0]
        what, advice = (f"column {show(first.name)} holds", "make it the target or leave it out") \
            if len(text) == 1 else (f"columns {listing([c.name for c in text])} hold",
                                    "make one the target and leave the others out")
        fail(f"{what} text, not numbers ({show(first.problem[1])} on line {first.problem[0]}): "
             f"{advice}")
    bad = [(c.problem[0], c.index, c) for c in columns if c.problem is not None]
    if bad:
        line, _, col = min(bad, key=lambda b: b[:2])
        fail(f"column {show(col.name)}: {cell_problem(col.problem[1])}", line)


def _split_mask(col: Column, fail: Fail) -> np.ndarray:
    """(n,) bool, True for the rows the split column marks 'train'."""
    if col.levels is None:
        fail(f"column 'split': more than {MAX_LEVELS} different values; each must be 'train' "
             "or 'test'", col.overflow_line)
    for level, line in sorted(zip(col.levels, col.level_lines), key=lambda p: p[1]):
        if level.lower() not in ("train", "test"):
            fail(f"column 'split': {show(level)} must be 'train' or 'test'", line)
    train = np.array([level.lower() == "train" for level in col.levels])[col.codes]
    if not train.any():
        fail("column 'split' marks no row as 'train'")
    return train


def table_to_data(table: Table, options: CSVOptions = CSVOptions(),
                  train_ratio: float | None = None, seed: int = 0) -> Data:
    """A Data from a Table: roles and task from ``options`` (see the module doc), the split
    from the split column, or ``train_ratio`` (default 0.8) of the rows, stratified and seeded.
    """
    fail = table.fail
    roles = choose_roles(table.names, options, fail, table.header_line)
    task = options.task or detect_task(table, roles)
    targets = [table.columns[j] for j in roles.targets]
    inputs = [table.columns[j] for j in roles.inputs]
    if task == "classification":
        if len(targets) > 1:
            fail(f"classification needs one target column, not {len(targets)} "
                 f"({listing([c.name for c in targets])})")
        _check_numbers(table, inputs, set(roles.inputs), fail)
        y, names = _class_labels(targets[0], fail)
    else:
        _check_numbers(table, inputs + targets, set(roles.inputs), fail)
        y, names = table.values[:, list(roles.targets)], tuple(c.name for c in targets)
    X = table.values[:, list(roles.inputs)]
    kwargs = dict(task=task, input_names=tuple(c.name for c in inputs), target_names=names,
                  name=table.name, origin="file")
    if roles.split is None:
        ratio = DEFAULT_TRAIN_RATIO if train_ratio is None else train_ratio
        try:
            return holdout(X, y, ratio, seed, **kwargs)
        except ValueError as exc:
            fail(str(exc))
    if train_ratio is not None:
        fail("column 'split' already says which rows are for testing: give no train ratio, "
             "or leave the split column out")
    train = _split_mask(table.columns[roles.split], fail)
    y_dtype = np.int64 if task == "classification" else np.float64
    return Data(readonly(X[train], np.float64), readonly(y[train], y_dtype),
                readonly(X[~train], np.float64), readonly(y[~train], y_dtype), **kwargs)


def _header_check(options: CSVOptions, source: str):
    """Fail on a wrong column name as soon as the header is read."""
    return lambda names, line: choose_roles(names, options, Fail(source), line)


def parse_csv(text: str | bytes, train_ratio: float | None = None, seed: int = 0, *,
              source: str = "data.csv", **roles) -> Data:
    """A Data from CSV text (or UTF-8 bytes); ``source`` names it in messages and Data.name.

    ``roles``: target, inputs, drop, task (see ``CSVOptions``). Without a ``split`` column,
    ``train_ratio`` (default 0.8) and ``seed`` pick the train rows.
    """
    options = CSVOptions.make(**roles)
    table = parse_table(text, source=source, header_check=_header_check(options, str(source)))
    return table_to_data(table, options, train_ratio, seed)


def load_csv(path, train_ratio: float | None = None, seed: int = 0, *, progress=None,
             **roles) -> Data:
    """A Data from the CSV file at ``path`` (see ``parse_csv``); Data.name is the file's stem.
    ``progress(bytes_read)`` is called as the file is read (see ``read_table``)."""
    options = CSVOptions.make(**roles)
    name = Path(path).name or str(path)
    table = read_table(path, progress=progress, header_check=_header_check(options, name))
    return table_to_data(table, options, train_ratio, seed)


def _target_header(data: Data) -> list[str]:
    if data.task == "classification":
        return ["label"]
    names = list(data.target_names)
    k = len(names)
    # Only y or y1..yk load back as targets; anything else is written under those names.
    return names if names in (["y"], [f"y{i}" for i in range(1, k + 1)]) else (
        ["y"] if k == 1 else [f"y{i}" for i in range(1, k + 1)])


def save_csv(data: Data, path) -> None:
    """Write ``data`` as CSV: inputs, label or y columns, then ``split`` (train rows first).

    Floats are written with repr() so they load back bit for bit; labels as class names.
    The write is atomic (temp file in the same directory, then os.replace). Raises
    ValueError for data that would not load back, CSVError if the file cannot be written.
    """
    for col in data.input_names:
        if not col or col != col.strip() or col in ("label", "split", "y") \
                or TARGET_NAME.fullmatch(col):
            raise ValueError(f"input column name {col!r} would not load back as an input")
    for cls in data.target_names if data.task == "classification" else ():
        if not cls or cls != cls.strip():
            raise ValueError(f"class name {cls!r} would not load back")
    header = [*data.input_names, *_target_header(data), "split"]
    if len(set(header)) != len(header):
        raise ValueError(f"duplicate column names in {header}")
    parts = [(data.X_train, data.y_train, "train"), (data.X_test, data.y_test, "test")]
    if not all(np.isfinite(X).all() and (data.task == "classification" or np.isfinite(y).all())
               for X, y, _ in parts):
        raise ValueError("data with NaN or infinite values cannot be saved")

    def rows():
        for X, y, part in parts:
            for x_row, y_row in zip(X.tolist(), y.tolist()):
                # .tolist() gives Python floats, whose repr is the shortest exact form.
                targets = [data.target_names[y_row]] if data.task == "classification" \
                    else [repr(v) for v in y_row]
                yield [*(repr(v) for v in x_row), *targets, part]

    path = Path(path)
    try:
        with atomic_file(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows())
    except OSError as e:
        raise CSVError(f"{path.name}: cannot write the file ({e.strerror or e})") from None
