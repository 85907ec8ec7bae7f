"""Reading a CSV file into columns, streamed: what every column holds, before anyone says
which column is the target.

The file is read in chunks through ``reading.open_regular`` (a FIFO or a device is refused
before a byte is read), and every limit is checked while reading, never after: total bytes,
line length, columns, rows and values. So a 50 MB single-line file fails after its first
megabyte, and a run of blank lines is skipped a chunk at a time (one regular-expression match
for thousands of lines) instead of line by line.

Each column keeps its numbers (NaN where a cell is not a finite number, with the line and text
of the first such cell) and, while it has at most ``MAX_LEVELS`` distinct texts, each row's
text as a small code: enough to pick any column as a class target, report a bad cell by line
and column, or refuse a text column by name, without holding the cells as Python strings.
``csvdata`` turns a Table into a Data once the roles of the columns are known.
"""
from __future__ import annotations

import csv
import math
import re
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from model.data.csvlines import CSVLines
from model.files.reading import LIMITS, open_regular

MAX_ROWS = 1_000_000
MAX_COLUMNS = 1000
MAX_VALUES = 10_000_000  # rows × columns: 80 MB of numbers
MAX_LEVELS = 50  # distinct texts remembered per column: the most classes a target may have

# Plain decimal numbers only: float() would also take "nan", "1_000" and non-ASCII digits.
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_NON_FINITE = {"nan", "inf", "infinity"}
MISSING = {"na", "n/a", "null", "none", "?", "-", "missing"}  # how files mark a gap


class CSVError(ValueError):
    """A CSV file that cannot be read; the message is one line."""


def show(value: str, limit: int = 40) -> str:
    """Quoted and escaped (so messages stay one line), shortened if long."""
    if len(value) > limit:
        value = value[:limit] + "…"
    return repr(value)


def cell_problem(text: str) -> str:
    """Why a (stripped) cell is not a usable number, in words."""
    if not text:
        return "empty value (a number is needed)"
    word = text.lstrip("+-").lower()
    if word in _NON_FINITE:
        return f"{show(text)} is not allowed (values must be finite numbers)"
    if word in MISSING:
        return f"{show(text)} is a missing value (fill it in or leave the row out)"
    if NUMBER.fullmatch(text):
        return f"{show(text)} is too large"
    return f"{show(text)} is not a number"


class Fail:
    """Raises CSVError prefixed with the source name and, when given, the line."""

    def __init__(self, source: str):
        self.source = source if source.isprintable() else repr(source)[1:-1]

    def __call__(self, message: str, line: int | None = None):
        where = self.source if line is None else f"{self.source} line {line}"
        raise CSVError(f"{where}: {message}")


@dataclass(frozen=True, eq=False)
class Column:
    name: str
    index: int
    n_numbers: int  # cells that are finite numbers
    problem: tuple[int, str] | None  # (line, text) of the first cell that is not one
    levels: tuple[str, ...] | None  # distinct texts in order of appearance; None if too many
    level_lines: tuple[int, ...] | None  # the line where each level first appears
    codes: np.ndarray | None  # (n,) index into levels per row
    overflow_line: int | None  # where the (MAX_LEVELS + 1)-th distinct text appeared
    integers: bool  # every cell is an integer as written ("7", "-3"; not "7.0")


@dataclass(frozen=True, eq=False)
class Table:
    """The columns of a CSV file; ``values`` (n, d) float64 with NaN for non-numbers."""

    source: str
    name: str
    names: tuple[str, ...]
    header_line: int
    values: np.ndarray
    columns: tuple[Column, ...]

    @property
    def n_rows(self) -> int:
        return len(self.values)

    def column(self, name: str) -> Column:
        return self.columns[self.names.index(name)]

    @property
    def fail(self) -> Fail:
        return Fail(self.source)


def _check_header(names: list[str], line: int, fail: Fail) -> None:
    if len(names) > MAX_COLUMNS:
        fail(f"{len(names)} columns; at most {MAX_COLUMNS} are allowed", line)
    seen = set()
    for j, name in enumerate(names):
        if not name:
            hint = " (an index column? save it without the index)" if j == 0 else ""
            fail(f"column {j + 1} of the header has no name{hint}", line)
        if name in seen:
            fail(f"duplicate column name {show(name)}", line)
        seen.add(name)


def _read(lines: CSVLines, fail: Fail, header_check) -> tuple[list[str], int, dict]:
    """Header, header line and the columns' raw material, streamed from ``lines``."""
    reader = csv.reader(lines, strict=True)

    def next_record():
        lines.at_boundary = True
        try:
            row = next(reader)
        except StopIteration:
            return None
        except csv.Error as e:
            fail(f"malformed CSV ({e})", lines.record_start)
        return lines.record_start, row

    first = next_record()
    if first is None:
        fail("the file is empty (a header line is needed)", 1)
    header_line, header = first
    names = [name.strip() for name in header]
    if not any(names):
        fail("the header line is empty", header_line)
    _check_header(names, header_line, fail)
    if header_check is not None:
        header_check(names, header_line)
    lines.skip_blank = True

    d = len(names)
    max_rows = min(MAX_ROWS, MAX_VALUES // d)
    flat = array("d")
    levels: list[dict | None] = [{} for _ in range(d)]
    level_lines: list[list[int]] = [[] for _ in range(d)]
    codes: list[array | None] = [array("b") for _ in range(d)]
    overflow: list[int | None] = [None] * d
    problems: list[tuple[int, str] | None] = [None] * d
    integers = [True] * d
    append, nan = flat.append, math.nan
    blank = None  # a line of only commas and spaces (plain blank lines are skipped by CSVLines)
    n = 0
    while (record := next_record()) is not None:
        line, row = record
        if (len(row) != d or not row[0].strip()) and not any(f.strip() for f in row):
            blank = blank or line
            continue
        if blank is not None or lines.first_blank is not None:
            fail("blank line inside the data (only blank lines at the end are allowed)",
                 min(b for b in (blank, lines.first_blank) if b is not None))
        if len(row) != d:
            fail(f"expected {d} fields as in the header, found {len(row)}", line)
        n += 1
        if n > max_rows:
            fail(f"more than {max_rows} data rows" + (
                f" ({MAX_VALUES} values in all)" if max_rows < MAX_ROWS else ""), line)
        for j, cell in enumerate(row):
            s = cell.strip()
            # float() first (fast); it also takes "nan", "inf", "1_000" and non-ASCII digits,
            # which the checks after it refuse, so that only plain decimal numbers pass.
            try:
                v = float(s)
            except ValueError:
                v = nan
            if v - v == 0 and s.isascii() and "_" not in s:  # v − v is NaN for ±inf and NaN
                append(v)
                if integers[j] and (len(s) > 18 or not (
                        s.isdigit() or (s[0] in "+-" and s[1:].isdigit()))):
                    integers[j] = False  # (ASCII here: isdigit means 0-9)
            else:
                append(nan)
                if problems[j] is None:
                    problems[j] = (line, s)
                integers[j] = False
            lv = levels[j]
            if lv is not None:
                code = lv.get(s)
                if code is None:
                    if len(lv) == MAX_LEVELS:
                        levels[j] = codes[j] = None
                        overflow[j] = line
                        continue
                    code = lv[s] = len(lv)
                    level_lines[j].append(line)
                codes[j].append(code)
    if n == 0:
        fail("no data rows after the header", header_line + 1)
    return names, header_line, dict(flat=flat, n=n, levels=levels, level_lines=level_lines,
                                    codes=codes, overflow=overflow, problems=problems,
                                    integers=integers)


def _table(source: str, name: str, lines: CSVLines, fail: Fail, header_check) -> Table:
    names, header_line, raw = _read(lines, fail, header_check)
    n, d = raw["n"], len(names)
    values = np.frombuffer(raw["flat"], dtype=np.float64).reshape(n, d).copy()
    counts = np.isfinite(values).sum(axis=0)
    columns = []
    for j, col in enumerate(names):
        lv = raw["levels"][j]
        columns.append(Column(
            name=col, index=j, n_numbers=int(counts[j]), problem=raw["problems"][j],
            levels=None if lv is None else tuple(lv),
            level_lines=None if lv is None else tuple(raw["level_lines"][j]),
            codes=None if lv is None else np.frombuffer(raw["codes"][j], np.int8).astype(np.int64),
            overflow_line=raw["overflow"][j], integers=raw["integers"][j]))
    values.flags.writeable = False
    return Table(source=fail.source, name=name, names=tuple(names), header_line=header_line,
                 values=values, columns=tuple(columns))


def read_table(path, *, progress: Callable[[int], None] | None = None,
               header_check=None) -> Table:
    """The Table of the CSV file at ``path`` (see the module doc); CSVError if it cannot be read.

    ``progress(bytes_read)`` is called after each chunk (it may raise to cancel);
    ``header_check(names, line)`` runs as soon as the header is read (it may raise CSVError),
    so that a wrong column name fails before the whole file is read.
    """
    path = Path(path)
    fail = Fail(path.name or str(path))
    with open_regular(path, CSVError, LIMITS["csv"], fail.source) as f:
        lines = CSVLines(f.read, fail, progress)
        return _table(fail.source, path.stem or "custom", lines, fail, header_check)


def parse_table(text: str | bytes, *, source: str = "data.csv", header_check=None) -> Table:
    """The Table of CSV text (or UTF-8 bytes); ``source`` names it in messages."""
    fail = Fail(str(source))
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    if len(raw) > LIMITS["csv"]:
        fail(f"too large (more than {LIMITS['csv'] // 2 ** 20} MB)")
    view = memoryview(raw)
    at = 0

    def read(k: int) -> bytes:
        nonlocal at
        chunk = bytes(view[at:at + k])
        at += len(chunk)
        return chunk

    return _table(fail.source, Path(str(source)).stem or "custom", CSVLines(read, fail), fail,
                  header_check)
