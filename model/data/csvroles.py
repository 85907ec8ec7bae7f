"""Which column of a CSV file plays which role: the target(s), the inputs, the split column, and
the task the target suggests. Decided from the header and the options alone where possible, so
that a wrong column name fails before the file is read to its end (see ``csvdata``)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from model.data.csvread import (INTEGER, MAX_LEVELS, MISSING, NUMBER, Column, Fail, Table,
                                show)
from model.data.datasets import TASKS

#: an all-integer target with at most this many distinct values is taken as class labels
MAX_AUTO_CLASSES = 20
MAX_CLASSES = MAX_LEVELS
TARGET_NAME = re.compile(r"y[0-9]+")


@dataclass(frozen=True)
class CSVOptions:
    """Which columns play which role, and the task; None means "as the file says" (see the
    module doc)."""

    target: tuple[str, ...] | None = None
    inputs: tuple[str, ...] | None = None
    drop: tuple[str, ...] = ()
    task: str | None = None

    @classmethod
    def make(cls, target=None, inputs=None, drop=(), task=None) -> "CSVOptions":
        """From strings or sequences of column names (a single string is one name)."""
        def names(v):
            return None if v is None else ((v,) if isinstance(v, str) else tuple(v))
        return cls(names(target), names(inputs), names(drop) or (), task)


@dataclass(frozen=True)
class Roles:
    """Column indices for one header: targets, inputs, the split column, and why this target."""

    targets: tuple[int, ...]
    inputs: tuple[int, ...]
    split: int | None
    chosen_by: str  # "option", "label", "y" or "last"
    dropped: tuple[int, ...] = field(default=())


def listing(names: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(map(show, names[:limit]))
    return shown + (f", … ({len(names)} in all)" if len(names) > limit else "")


def _default_targets(names: list[str], free: list[str], fail: Fail, line: int):
    """(target names, how chosen) when no target is given."""
    targets = {n: j for j, n in enumerate(names) if n == "y" or TARGET_NAME.fullmatch(n)}
    if "label" in free:
        if any(t in free for t in targets):
            fail(f"both 'label' and {show(next(t for t in targets if t in free))}: use 'label' "
                 "for classification or y columns for regression, not both (or pick the "
                 "target)", line)
        return ["label"], "label"
    targets = {n: j for n, j in targets.items() if n in free}
    if "y" in targets and len(targets) > 1:
        fail("use one 'y' column or columns y1..yk, not both", line)
    if targets and "y" not in targets:
        k = len(targets)
        missing = [f"y{i}" for i in range(1, k + 1) if f"y{i}" not in targets]
        if missing:
            fail(f"target columns must be 'y' or y1..yk without gaps; found "
                 f"{listing(list(targets))} but no {missing[0]!r}", line)
        return [f"y{i}" for i in range(1, k + 1)], "y"
    if targets:
        return ["y"], "y"
    if not free:
        fail("no column left for the target", line)
    return [free[-1]], "last"


def choose_roles(names: Sequence[str], options: CSVOptions, fail: Fail, line: int) -> Roles:
    """Which column is what, from the header alone; CSVError for an unknown or repeated name,
    or a column given two roles."""
    names = list(names)
    for what, given in (("target", options.target), ("inputs", options.inputs),
                        ("drop", options.drop)):
        for name in given or ():
            if name not in names:
                fail(f"{what}: no column {show(name)} in the header (columns: "
                     f"{listing(names)})", line)
        if given is not None and len(set(given)) != len(given):
            fail(f"{what}: a column is named twice", line)
    if options.task is not None and options.task not in TASKS:
        fail(f"task must be one of {', '.join(TASKS)}, got {show(str(options.task))}")
    dropped = set(options.drop)
    split_col = "split" if "split" in names and "split" not in dropped \
        and "split" not in (options.target or ()) and "split" not in (options.inputs or ()) \
        else None
    if options.target is not None:
        if not options.target:
            fail("target: no column given", line)
        targets, chosen_by = list(options.target), "option"
    else:
        free = [n for n in names if n not in dropped and n != split_col
                and (options.inputs is None or n not in options.inputs)]
        targets, chosen_by = _default_targets(names, free, fail, line)
    for name in targets:
        if name in dropped:
            fail(f"column {show(name)} is both the target and left out", line)
        if options.inputs is not None and name in options.inputs:
            fail(f"column {show(name)} is both the target and an input", line)
    if options.inputs is not None:
        inputs = [n for n in names if n in options.inputs]
        for name in inputs:
            if name in dropped:
                fail(f"column {show(name)} is both an input and left out", line)
    else:
        inputs = [n for n in names if n not in targets and n not in dropped and n != split_col]
    if not inputs:
        hint = ""
        if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
            hint = " (columns must be separated by commas)"
        fail(f"no input columns (every column is a target, split or left-out column){hint}",
             line)
    index = {n: j for j, n in enumerate(names)}
    return Roles(tuple(index[n] for n in targets), tuple(index[n] for n in inputs),
                 None if split_col is None else index[split_col], chosen_by,
                 tuple(index[n] for n in names if n in dropped))


def detect_task(table: Table, roles: Roles) -> str:
    """The task the target suggests (see the module doc); ``task`` in the options overrides it."""
    if roles.chosen_by == "label":
        return "classification"
    if roles.chosen_by == "y" or len(roles.targets) > 1:
        return "regression"
    col = table.columns[roles.targets[0]]
    if col.name == "label":
        return "classification"
    if col.name == "y" or TARGET_NAME.fullmatch(col.name):
        return "regression"
    if col.n_numbers == 0:
        return "classification"  # text labels
    if col.n_numbers < table.n_rows:  # numbers with gaps, or numbers and text
        if col.levels is None:
            return "regression"  # too many values for classes: the bad cell is reported
        given = [t for t in col.levels if t and t.lower() not in MISSING]
        if not all(NUMBER.fullmatch(t) for t in given):
            return "classification"
        # numbers with missing cells: decide by the numbers (the gap is then reported)
        small = len(given) <= MAX_AUTO_CLASSES and all(INTEGER.fullmatch(t) for t in given)
        return "classification" if small else "regression"
    if col.integers and col.levels is not None and len(col.levels) <= MAX_AUTO_CLASSES:
        return "classification"
    return "regression"


def column_kind(table: Table, col: Column) -> str:
    """A few words on what a column holds, for the preview: "numbers", "3 integer values",
    "text, 3 values", "text"."""
    if col.n_numbers == table.n_rows:
        if col.integers and col.levels is not None:
            n = len(col.levels)
            return f"{n} integer value{'s' if n != 1 else ''}"
        return "numbers"
    if col.n_numbers == 0:
        return f"text, {len(col.levels)} values" if col.levels is not None else "text"
    return "numbers with gaps or text"
