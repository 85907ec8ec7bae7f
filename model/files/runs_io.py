"""Runs in files: the session's ``runs`` object, and CSV exports of runs.

In a session (version 2; a version-1 reader refuses unknown keys, a newer version's reader
ignores what it does not know, so the version says that ``runs`` may be there)::

    "runs": {"current": 3, "runs": [
        {"id": 3, "name": "Run 3", "pinned": false, "origin": "new", "parent": null,
         "settings": {...every field of Settings...}, "changes": [["lr", 0.03, 0.1]],
         "events": [[20, "batch_size", 10, 1]], "epochs": 40, "steps": 1000, "seconds": 1.5,
         "start_epoch": 0, "sizes": [2, 4, 2, 1], "initial_params": [...] | null,
         "own_data": false, "curve": {"epoch": [...], "steps": [...], "seconds": [...],
                                      "train_loss": [...], ...}}]}

Bounded: at most ``MAX_RUNS`` runs, each curve thinned to ``MAX_ROWS`` rows (first and last
kept), initial weights kept only up to ``MAX_PARAMS`` parameters (else null: a duplicate then
draws its weights from the seed). Missing numbers (no test rows, a regression's accuracy) are
null. Your own points are not stored per run (the session stores the current data once);
``own_data`` says the run had them. Reading checks every field and raises ValueError naming it.

CSV: ``curves_csv`` is one row per run and recorded epoch (run_id, run, epoch, steps, seconds,
losses, accuracies); ``summary_csv`` one row per run with its totals and what differs.
"""
from __future__ import annotations

import csv
import io
import math

import numpy as np

from model.core.layout import ParamLayout
from model.files.atomic import atomic_file
from model.lessons.runs import (CURVE_KEYS, MAX_EVENTS, MAX_PINNED, MAX_RUNS, Run, RunCurve,
                                RunLog, check_name, show_value)
from model.lessons.runs_ab import describe_changes

MAX_ROWS = 300
MAX_PARAMS = 5000
ORIGINS = ("new", "duplicate", "preset", "loaded")


def _number(value):
    """A float for JSON: None for NaN."""
    return None if value is None or not math.isfinite(value) else float(value)


def _plain(value):
    """A settings value as JSON (tuples become lists)."""
    return list(value) if isinstance(value, tuple) else value


def run_to_dict(run: Run, max_rows: int = MAX_ROWS, max_params: int = MAX_PARAMS) -> dict:
    rows = run.curve.rows(max_rows)
    params = run.initial_params
    return {
        "id": run.id, "name": run.name, "pinned": run.pinned, "origin": run.origin,
        "parent": run.parent, "settings": {k: _plain(v) for k, v in vars(run.settings).items()},
        "changes": [[k, _plain(a), _plain(b)] for k, a, b in run.changes],
        "events": [[e, k, _plain(a), _plain(b)] for e, k, a, b in run.events],
        "epochs": run.epochs, "steps": run.steps, "seconds": float(run.seconds),
        "start_epoch": run.start_epoch, "sizes": list(run.sizes),
        "initial_params": params.tolist() if params is not None and params.size <= max_params
        else None,
        "own_data": run.own_data,
        "curve": {k: [int(v) for v in rows[:, i]] if k in ("epoch", "steps")
                  else [_number(v) for v in rows[:, i]] for i, k in enumerate(CURVE_KEYS)},
    }


def runs_to_dict(log: RunLog) -> dict:
    """The session's ``runs`` object for every run of ``log`` (the current one marked)."""
    runs = log.runs
    current = log.current
    return {"current": current.id if current is not None else None,
            "runs": [run_to_dict(r) for r in runs]}


# ----------------------------------------------------------------------------- reading
def _fail(where: str, message: str):
    raise ValueError(f"{where}: {message}")


def _int(value, where, lo=0, hi=2 ** 62):
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        _fail(where, f"expected an integer in {lo}..{hi}")
    return value


def _float(value, where, nullable=False):
    if value is None and nullable:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        _fail(where, "expected a finite number" + (" or null" if nullable else ""))
    return float(value)


def _json_value(value, where):
    """A settings value as it may appear in changes/events: a scalar, or a short list of them."""
    scalar = (str, int, float, type(None))
    if isinstance(value, list) and len(value) <= 64 and all(isinstance(v, scalar) for v in value):
        return tuple(value)
    if isinstance(value, scalar) and not (isinstance(value, float) and not math.isfinite(value)):
        return value
    _fail(where, "expected a setting's value")


def _pairs(raw, where, with_epoch, keys):
    if not isinstance(raw, list) or len(raw) > MAX_EVENTS + len(keys):
        _fail(where, "expected a list")
    out = []
    for i, item in enumerate(raw):
        n = 4 if with_epoch else 3
        if not isinstance(item, list) or len(item) != n:
            _fail(f"{where}[{i}]", f"expected [{'epoch, ' if with_epoch else ''}setting, old, new]")
        head = [_int(item[0], f"{where}[{i}][0]")] if with_epoch else []
        key = item[n - 3]
        if key not in keys:
            _fail(f"{where}[{i}]", f"unknown setting {str(key)[:30]!r}")
        out.append((*head, key, _json_value(item[n - 2], f"{where}[{i}]"),
                    _json_value(item[n - 1], f"{where}[{i}]")))
    return tuple(out)


def run_from_dict(raw, where: str, parse_settings) -> Run:
    if not isinstance(raw, dict):
        _fail(where, "expected an object")
    settings = parse_settings(raw.get("settings"), f"{where}.settings")
    keys = set(vars(settings))
    origin = raw.get("origin")
    if origin not in ORIGINS:
        _fail(f"{where}.origin", f"expected one of {', '.join(ORIGINS)}")
    parent = raw.get("parent")
    if parent is not None:
        _int(parent, f"{where}.parent", 1)
    if not isinstance(raw.get("pinned"), bool):
        _fail(f"{where}.pinned", "expected true or false")
    try:
        name = check_name(raw.get("name"))
    except ValueError as exc:
        _fail(f"{where}.name", str(exc))
    sizes = raw.get("sizes")
    if not isinstance(sizes, list) or not 2 <= len(sizes) <= 65:
        _fail(f"{where}.sizes", "expected a list of 2..65 layer sizes")
    sizes = tuple(_int(s, f"{where}.sizes", 1, 4096) for s in sizes)
    params = raw.get("initial_params")
    if params is not None:
        n = ParamLayout.from_sizes(sizes).n_params
        if not isinstance(params, list) or len(params) != n or n > MAX_PARAMS:
            _fail(f"{where}.initial_params", f"expected {n} numbers (the sizes' parameters) or null")
        params = np.array([_float(v, f"{where}.initial_params") for v in params])
        params.flags.writeable = False
    curve_raw = raw.get("curve")
    if not isinstance(curve_raw, dict) or set(curve_raw) != set(CURVE_KEYS):
        _fail(f"{where}.curve", f"expected the lists {', '.join(CURVE_KEYS)}")
    lengths = {len(v) if isinstance(v, list) else -1 for v in curve_raw.values()}
    if len(lengths) != 1 or -1 in lengths or lengths.pop() > MAX_ROWS:
        _fail(f"{where}.curve", f"expected lists of the same length, at most {MAX_ROWS}")
    columns = {}
    for k in CURVE_KEYS:
        f = f"{where}.curve.{k}"
        columns[k] = [_int(v, f) if k in ("epoch", "steps") else
                      _float(v, f, nullable=k != "seconds") for v in curve_raw[k]]
    if any(b < a for a, b in zip(columns["epoch"], columns["epoch"][1:])):
        _fail(f"{where}.curve.epoch", "epochs must not decrease")
    curve = RunCurve()
    for i in range(len(columns["epoch"])):
        curve.append({k: columns[k][i] for k in CURVE_KEYS})
    run = Run(_int(raw.get("id"), f"{where}.id", 1), name, settings,
              _pairs(raw.get("changes"), f"{where}.changes", False, keys), params, origin, parent,
              raw["pinned"], curve, list(_pairs(raw.get("events"), f"{where}.events", True, keys)),
              _int(raw.get("epochs"), f"{where}.epochs"), _int(raw.get("steps"), f"{where}.steps"),
              _float(raw.get("seconds"), f"{where}.seconds"),
              _int(raw.get("start_epoch"), f"{where}.start_epoch"), sizes=sizes)
    if not isinstance(raw.get("own_data"), bool):
        _fail(f"{where}.own_data", "expected true or false")
    run.own_data = raw["own_data"]
    return run


def runs_from_dict(raw, parse_settings, where: str = "runs") -> tuple[list[Run], Run | None]:
    """(runs, the run the session was saved in or None). ``parse_settings(raw, where)`` turns
    a settings object into Settings, raising ValueError naming ``where``."""
    if not isinstance(raw, dict) or not isinstance(raw.get("runs"), list):
        _fail(where, "expected an object with a list 'runs'")
    items = raw["runs"]
    if len(items) > MAX_RUNS + MAX_PINNED:
        _fail(f"{where}.runs", f"too many runs ({len(items)}, at most {MAX_RUNS + MAX_PINNED})")
    runs = [run_from_dict(item, f"{where}.runs[{i}]", parse_settings) for i, item in enumerate(items)]
    if len({r.id for r in runs}) != len(runs):
        _fail(f"{where}.runs", "two runs have the same id")
    current = raw.get("current")
    if current is not None:
        _int(current, f"{where}.current", 1)
        if current not in {r.id for r in runs}:
            _fail(f"{where}.current", "names no run of the list")
    return runs, next((r for r in runs if r.id == current), None)


# ----------------------------------------------------------------------------- CSV
def _cell(value) -> str:
    if isinstance(value, float):
        return "" if not math.isfinite(value) else repr(value)
    return str(value)


def curves_csv(runs) -> str:
    """One row per run and recorded epoch; empty cells where there is no value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["run_id", "run", *CURVE_KEYS])
    for run in runs:
        for row in run.curve.rows():
            writer.writerow([run.id, run.name, int(row[0]), int(row[1]),
                             *(_cell(float(v)) for v in row[2:])])
    return out.getvalue()


def summary_csv(runs) -> str:
    """One row per run: totals, final figures and what differs from the run before it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    finals = list(CURVE_KEYS[3:])
    writer.writerow(["run_id", "run", "pinned", "origin", "epochs", "steps", "seconds",
                     "epochs_per_s", *(f"final_{k}" for k in finals), "changes", "settings"])
    for run in runs:
        settings = "; ".join(f"{k} {show_value(v)}" for k, v in vars(run.settings).items())
        writer.writerow([run.id, run.name, run.pinned, run.origin, run.epochs, run.steps,
                         _cell(float(run.seconds)), _cell(float(run.epochs_per_s)),
                         *(_cell(float(run.final[k])) for k in finals),
                         describe_changes(run.changes), settings])
    return out.getvalue()


def export_runs_csv(runs, path, summary: bool = False) -> None:
    """Write ``curves_csv`` (or ``summary_csv``) to ``path`` atomically; OSError propagates."""
    text = summary_csv(runs) if summary else curves_csv(runs)
    with atomic_file(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
