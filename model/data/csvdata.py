"""Your own data from a CSV file: strict parsing into a ``Data``, and saving one back.

Format: a header line, then one row per example. Input columns have any names; then EITHER
a ``label`` column (classification) OR ``y`` / ``y1..yk`` columns (regression), anywhere
in the header. An optional ``split`` column (train/test) fixes the train/test split.
Every problem raises ``CSVError`` with a one-line message naming the line, e.g.
``data.csv line 7: column 'x2': 'abc' is not a number``.
"""
from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import numpy as np

from model.files.atomic import atomic_file
from model.files.reading import LIMITS, read_limited
from model.data.datasets import Data, readonly, split

MAX_ROWS = 1_000_000
MAX_COLUMNS = 1000
MAX_CLASSES = 50

# Plain decimal numbers only: float() would also take "nan", "1_000" and non-ASCII digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")  # labels sorted numerically when all match
_TARGET = re.compile(r"y[0-9]+")
_NON_FINITE = {"nan", "inf", "infinity"}


class CSVError(ValueError):
    """A CSV file that cannot be read; the message is one line."""


def _show(value: str, limit: int = 40) -> str:
    """Quoted and escaped (so messages stay one line), shortened if long."""
    if len(value) > limit:
        value = value[:limit] + "…"
    return repr(value)


def _line_of(text, index: int) -> int:
    """1-based line of position ``index``; \\n, \\r\\n and \\r each end a line (as csv does)."""
    head = text[:index]
    nl, cr, crnl = ("\n", "\r", "\r\n") if isinstance(text, str) else (b"\n", b"\r", b"\r\n")
    return head.count(nl) + head.count(cr) - head.count(crnl) + 1


class _Parser:
    """One parse of one text; ``fail`` raises a CSVError prefixed with the source name."""

    def __init__(self, source: str):
        self.source = source if source.isprintable() else repr(source)[1:-1]

    def fail(self, message: str, line: int | None = None):
        where = self.source if line is None else f"{self.source} line {line}"
        raise CSVError(f"{where}: {message}")

    def decode(self, raw: bytes) -> str:
        if b"\x00" in raw:
            self.fail("contains NUL bytes; this looks like a binary file, not CSV text",
                      _line_of(raw, raw.index(b"\x00")))
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            self.fail(f"not UTF-8 text (byte 0x{raw[e.start]:02x})", _line_of(raw, e.start))

    def header(self, names: list[str], line: int):
        """Column roles: (input indices, label index | None, target indices, split | None)."""
        if len(names) > MAX_COLUMNS:
            self.fail(f"{len(names)} columns; at most {MAX_COLUMNS} are allowed", line)
        seen = set()
        for j, name in enumerate(names):
            if not name:
                self.fail(f"column {j + 1} of the header has no name", line)
            if name in seen:
                self.fail(f"duplicate column name {_show(name)}", line)
            seen.add(name)
        label = names.index("label") if "label" in seen else None
        split_col = names.index("split") if "split" in seen else None
        targets = {n: j for j, n in enumerate(names) if n == "y" or _TARGET.fullmatch(n)}
        if label is not None and targets:
            self.fail(f"both 'label' and {_show(next(iter(targets)))}: use 'label' for "
                      "classification or y columns for regression, not both", line)
        if label is None and not targets:
            hint = ""
            if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
                hint = " (columns must be separated by commas)"
            elif {"label", "y"} & {n.lower() for n in names}:
                hint = " (column names are case-sensitive)"
            self.fail(f"no 'label' or 'y' column in the header{hint}", line)
        if "y" in targets and len(targets) > 1:
            self.fail("use one 'y' column or columns y1..yk, not both", line)
        if "y" not in targets and targets:
            k = len(targets)
            missing = [f"y{i}" for i in range(1, k + 1) if f"y{i}" not in targets]
            if missing:
                self.fail(f"target columns must be 'y' or y1..yk without gaps; found "
                          f"{', '.join(map(_show, targets))} but no {missing[0]!r}", line)
            targets = {f"y{i}": targets[f"y{i}"] for i in range(1, k + 1)}
        roles = {label, split_col, *targets.values()}
        inputs = [j for j in range(len(names)) if j not in roles]
        if not inputs:
            self.fail("no input columns (every column is a label, target or split column)", line)
        return inputs, label, list(targets.values()), split_col

    def number(self, value: str, column: str, line: int) -> float:
        s = value.strip()
        if not _NUMBER.fullmatch(s):
            if not s:
                self.fail(f"column {_show(column)}: empty value (a number is needed)", line)
            if s.lstrip("+-").lower() in _NON_FINITE:
                self.fail(f"column {_show(column)}: {_show(s)} is not allowed (values must "
                          "be finite numbers)", line)
            self.fail(f"column {_show(column)}: {_show(s)} is not a number", line)
        v = float(s)
        if not math.isfinite(v):
            self.fail(f"column {_show(column)}: {_show(s)} is too large", line)
        return v

    def records(self, text: str):
        """(first line number, fields) per CSV record, csv.Error turned into CSVError."""
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                self.fail(f"malformed CSV ({e})", line)
            yield line, row

    def parse(self, text: str):
        """(X (n, d), y, Data keyword arguments, train mask | None) from CSV text."""
        if "\x00" in text:
            self.fail("contains NUL characters; this looks like a binary file, not CSV text",
                      _line_of(text, text.index("\x00")))
        records = self.records(text.removeprefix("\ufeff"))
        first = next(records, None)
        if first is None:
            self.fail("the file is empty (a header line is needed)", 1)
        header_line, header = first
        names = [name.strip() for name in header]
        if not any(names):
            self.fail("the header line is empty", header_line)
        inputs, label, targets, split_col = self.header(names, header_line)
        numeric = inputs + targets
        values: list[float] = []
        labels: list[str] = []
        train: list[bool] = []
        distinct: set[str] = set()
        blank = None  # line of a blank line seen after the data: only trailing ones are fine
        n_rows = 0
        for line, row in records:
            if not any(field.strip() for field in row):
                blank = blank or line
                continue
            if blank is not None:
                self.fail("blank line inside the data (only blank lines at the end are allowed)",
                          blank)
            if len(row) != len(names):
                self.fail(f"expected {len(names)} fields as in the header, found {len(row)}",
                          line)
            n_rows += 1
            if n_rows > MAX_ROWS:
                self.fail(f"more than {MAX_ROWS} data rows", line)
            values.extend([self.number(row[j], names[j], line) for j in numeric])
            if label is not None:
                name = row[label].strip()
                if not name:
                    self.fail("column 'label': empty label", line)
                if name not in distinct:
                    if len(distinct) == MAX_CLASSES:
                        self.fail(f"column 'label': more than {MAX_CLASSES} classes", line)
                    distinct.add(name)
                labels.append(name)
            if split_col is not None:
                part = row[split_col].strip().lower()
                if part not in ("train", "test"):
                    self.fail(f"column 'split': {_show(row[split_col].strip())} must be "
                              "'train' or 'test'", line)
                train.append(part == "train")
        if n_rows == 0:
            self.fail("no data rows after the header", header_line + 1)
        table = np.array(values, dtype=np.float64).reshape(n_rows, len(numeric))
        X = table[:, :len(inputs)]
        names_in = tuple(names[j] for j in inputs)
        if label is not None:
            y, classes = _class_indices(labels)
            kwargs = dict(task="classification", input_names=names_in, target_names=classes)
        else:
            y = table[:, len(inputs):]
            kwargs = dict(task="regression", input_names=names_in,
                          target_names=tuple(names[j] for j in targets))
        if split_col is not None and not any(train):
            self.fail("column 'split' marks no row as 'train'")
        return X, y, kwargs, (np.array(train) if split_col is not None else None)


def _class_indices(labels: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """y (n,) int64 indices into the sorted class names.

    All-integer labels sort numerically and are named canonically ("007" -> "7");
    otherwise the label strings sort lexicographically.
    """
    if all(_INTEGER.fullmatch(s) for s in labels):
        keys = [int(s) for s in labels]
        classes = sorted(set(keys))
        names = tuple(str(c) for c in classes)
    else:
        keys = labels
        classes = sorted(set(keys))
        names = tuple(classes)
    index = {c: i for i, c in enumerate(classes)}
    return np.array([index[k] for k in keys], dtype=np.int64), names


def _build(parser: _Parser, text: str, train_ratio: float, seed: int, name: str) -> Data:
    X, y, kwargs, train = parser.parse(text)
    if train is None:
        return split(X, y, train_ratio, seed, name=name, **kwargs)
    y_dtype = np.int64 if kwargs["task"] == "classification" else np.float64
    return Data(readonly(X[train], np.float64), readonly(y[train], y_dtype),
                readonly(X[~train], np.float64), readonly(y[~train], y_dtype),
                name=name, **kwargs)


def parse_csv(text: str | bytes, train_ratio: float = 1.0, seed: int = 0, *,
              source: str = "data.csv") -> Data:
    """A Data from CSV text (or UTF-8 bytes); ``source`` names it in messages and Data.name.

    Without a ``split`` column, ``train_ratio`` and ``seed`` pick the train rows (see
    ``datasets.split``); with one, its train/test marks decide and they are ignored.
    """
    parser = _Parser(str(source))
    if isinstance(text, (bytes, bytearray)):
        text = parser.decode(bytes(text))
    return _build(parser, text, train_ratio, seed, Path(str(source)).stem or "custom")


def load_csv(path, train_ratio: float = 1.0, seed: int = 0) -> Data:
    """A Data from the CSV file at ``path``; Data.name is the file's stem."""
    path = Path(path)
    parser = _Parser(path.name or str(path))
    raw = read_limited(path, CSVError, LIMITS["csv"], parser.source)
    return _build(parser, parser.decode(raw), train_ratio, seed, path.stem or "custom")


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
                or _TARGET.fullmatch(col):
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
