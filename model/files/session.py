"""Sessions: one JSON file holding everything needed to come back to the same state.

    {"format": "backprop-playground/session", "version": 1,
     "settings": {...every field of playground.Settings...},
     "data": {"kind": "generated"} | {"kind": "points", "name": ..., "task": ...,
              "origin": "drawn" | "file" | "generated",
              "input_names": [...], "target_names": [...],
              "X_train": [[...]], "y_train": [...], "X_test": [[...]], "y_test": [...]},
     "network": {...the weights format, see serialize.py...},
     "trainer": {"epoch", "position", "steps", "order", "rng", "optimizer", "lr",
                 "optimizer_t", "optimizer_state": {name: [...]}, "last_update",
                 "good_params", "history": {...}, "diverged"},
     "meta": {...free-form...},
     "runs": {...}}                  # optional, version 2: the Runs panel (see runs_io.py)

Generated data is stored as its generator settings and seed (it regenerates bit for bit);
your own points are stored as they are. Floats are written with repr() and load back exactly.
Loading a file from a newer version keeps what this version understands and says what it
ignored; anything malformed raises SessionError naming the field, and nothing is changed.
"""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.core.history import KEYS as HISTORY_KEYS
from model.core.scaling import CHOICES as SCALE_CHOICES
from model.files.atomic import atomic_file
from model.files.reading import LIMITS, json_loads, read_limited, source_name
from model.files.runs_io import runs_from_dict, runs_to_dict
from model.data.datasets import ORIGINS, Data
from model.playground import Playground, Settings
from model.files.serialize import WeightsError, network_from_dict, network_to_dict

FORMAT = "backprop-playground/session"
VERSION = 2  # 2: the optional "runs" (a version-1 reader refuses unknown keys)
MAX_BYTES = LIMITS["session"]
MAX_INTEGER = 2 ** 62  # epochs, steps and positions: far beyond any run, within int64
_TOP_KEYS = {"format", "version", "settings", "data", "network", "trainer", "meta", "runs"}


class SessionError(ValueError):
    """A session file that cannot be read or written; the message is one line."""


@dataclass
class LoadedSession:
    playground: Playground
    notes: list[str] = field(default_factory=list)  # what a newer file had that was ignored
    meta: dict = field(default_factory=dict)
    runs: list = field(default_factory=list)  # the Runs panel's runs (model.lessons.runs.Run)
    current_run: object = None  # the run the session was saved in (RunLog.load's resume)


# ----------------------------------------------------------------------------- saving
def _listify(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_listify(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def session_to_dict(pg: Playground, meta: dict | None = None, source: str = "session",
                    runs=None) -> dict:
    """The session as JSON data; ``runs`` (a RunLog) adds the runs, in version 2. Without runs
    the file is version 1, which every reader of version 1 understands."""
    settings = dataclasses.asdict(pg.settings)
    if pg.custom_data is None:
        data = {"kind": "generated"}
    else:
        d = pg.custom_data
        data = {"kind": "points", "name": d.name, "task": d.task, "origin": d.origin,
                "input_names": list(d.input_names), "target_names": list(d.target_names),
                "X_train": d.X_train.tolist(), "y_train": d.y_train.tolist(),
                "X_test": d.X_test.tolist(), "y_test": d.y_test.tolist()}
    state = pg.trainer.state()
    state.pop("params")
    try:
        network = network_to_dict(pg.net)
    except WeightsError as exc:  # e.g. a diverged network: say it as the session's error
        raise SessionError(f"{source}: {str(exc).removeprefix('weights: ')}") from None
    out = {"format": FORMAT, "version": 1, "settings": _listify(settings), "data": data,
           "network": network, "trainer": _listify(state), "meta": meta or {}}
    if runs is not None and runs.runs:
        out.update(version=VERSION, runs=runs_to_dict(runs))
    return out


def atomic_write_text(path, text: str, what: str = "file") -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and os.replace, so a
    crash or a full disk never leaves a broken file where a good one was."""
    path = Path(path)
    try:
        with atomic_file(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise SessionError(f"{path.name}: cannot write the {what} ({exc.strerror or exc})") from None


def save_session(pg: Playground, path, meta: dict | None = None, runs=None) -> None:
    name = source_name(path)
    d = session_to_dict(pg, meta, name, runs)
    try:
        text = json.dumps(d, allow_nan=False, separators=(",", ":"))
    except ValueError:
        raise SessionError(f"{name}: {_first_non_finite(d)} contains NaN or infinite values") from None
    atomic_write_text(path, text, "session")


def _first_non_finite(value, where: str = "") -> str:
    """The path (e.g. ``trainer.last_update``) of the first NaN or infinity in ``value``."""
    stack = [(where, value)]
    while stack:
        here, v = stack.pop()
        if isinstance(v, float) and not math.isfinite(v):
            return here or "the session"
        if isinstance(v, dict):
            stack.extend((f"{here}.{k}" if here else str(k), x) for k, x in reversed(v.items()))
        elif isinstance(v, list):
            stack.extend((here, x) for x in reversed(v))
    return "the session"


# ----------------------------------------------------------------------------- loading
class _Check:
    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, message: str):
        raise SessionError(f"{self.source}: {where}: {message}")

    def obj(self, value, where: str) -> dict:
        if not isinstance(value, dict):
            self.fail(where, f"expected an object, got {type(value).__name__}")
        return value

    def number(self, value, where: str, integer=False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(where, f"expected a number, got {type(value).__name__}")
        if integer and not isinstance(value, int):
            self.fail(where, "expected an integer")
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an integer beyond float range
            finite = False
        if not finite or (integer and abs(value) > MAX_INTEGER):
            self.fail(where, "not a finite number" if not integer else "integer out of range")
        return value

    def array(self, value, where: str, ndim: int, dtype=float) -> np.ndarray:
        try:
            arr = _array_in_chunks(value, dtype)
        except (TypeError, ValueError, OverflowError):
            self.fail(where, f"expected a {ndim}-d array of numbers")
        if arr.dtype == object or arr.ndim != ndim and not (arr.size == 0 and ndim == 2):
            self.fail(where, f"expected a {ndim}-d array of numbers")
        if dtype is float and not np.all(np.isfinite(arr)):
            self.fail(where, "contains NaN or infinite values")
        if _has_bool(value):
            self.fail(where, "expected numbers, got true/false")
        return arr


#: rows converted at a time: numpy holds the interpreter lock while it converts a list, and a
#: window reading a big session in a background thread must get its turns (about 10 ms each)
ROWS_PER_CHUNK = 20_000


def _array_in_chunks(value, dtype) -> np.ndarray:
    if not isinstance(value, list) or len(value) <= ROWS_PER_CHUNK:
        return np.array(value, dtype=dtype)
    parts = [np.array(value[i:i + ROWS_PER_CHUNK], dtype=dtype)
             for i in range(0, len(value), ROWS_PER_CHUNK)]
    if len({p.shape[1:] for p in parts}) != 1:
        raise ValueError("ragged")  # rows of different lengths in different chunks
    return np.concatenate(parts)


def _has_bool(value) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, list):
        return any(_has_bool(v) for v in value)
    return False


def _settings(raw, check: _Check, notes: list[str], prefix: str = "settings") -> Settings:
    raw = check.obj(raw, prefix)
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    kwargs = {}
    for key, value in raw.items():
        if key not in fields:
            notes.append(f"ignored setting {key!r}" if prefix == "settings"
                         else f"{prefix}: ignored setting {key!r}")
            continue
        default = getattr(Settings(), key)
        where = f"{prefix}.{key}"
        if isinstance(default, bool):
            if not isinstance(value, bool):
                check.fail(where, "expected true or false")
        elif isinstance(default, int):
            check.number(value, where, integer=True)
        elif isinstance(default, float):
            value = float(check.number(value, where))
        elif isinstance(default, tuple):
            nullable = key == "layer_activations"  # None: the layer follows ``activation``
            if not isinstance(value, list) or not all(
                    (isinstance(v, (str, int)) and not isinstance(v, bool)) or (v is None and nullable)
                    for v in value):
                check.fail(where, "expected a list")
            value = tuple(value)
        elif default is None or isinstance(default, str):
            if value is not None and not isinstance(value, str):
                check.fail(where, "expected a string")
            if key == "scale" and value not in SCALE_CHOICES:
                check.fail(where, f"expected one of {', '.join(SCALE_CHOICES)}")
        kwargs[key] = value
    try:  # every field checked by the same rules as the window's controls and the CLI
        return Settings(**kwargs)
    except (ValueError, TypeError) as exc:
        message = str(exc).splitlines()[0]  # "settings.lr: ..." from Settings' own checks
        raise SessionError(f"{check.source}: {prefix}{message.removeprefix('settings')}") from None


def settings_from_dict(raw, source: str = "settings") -> Settings:
    """Settings from their JSON form (``dataclasses.asdict``), checked by the same rules as a
    session's (e.g. the window's remembered last settings); SessionError if they are not
    valid. Unknown keys are ignored."""
    return _settings(raw, _Check(source), [])


def _data(raw, check: _Check) -> Data | None:
    raw = check.obj(raw, "data")
    kind = raw.get("kind")
    if kind == "generated":
        return None
    if kind != "points":
        check.fail("data.kind", f"expected 'generated' or 'points', got {str(kind)[:30]!r}")
    for key in ("task", "input_names", "target_names", "X_train", "y_train", "X_test", "y_test"):
        if key not in raw:
            check.fail("data", f"missing {key!r}")
    task = raw["task"]
    if task not in ("classification", "regression"):
        check.fail("data.task", "expected 'classification' or 'regression'")
    # where the points came from decides the defaults (scaling, how to re-split); older
    # sessions did not say: drawn points
    origin = raw.get("origin", "drawn")
    if origin not in ORIGINS:
        check.fail("data.origin", f"expected one of {', '.join(map(repr, ORIGINS))}")
    names = {}
    for key in ("input_names", "target_names"):
        if not isinstance(raw[key], list) or not all(isinstance(v, str) for v in raw[key]):
            check.fail(f"data.{key}", "expected a list of strings")
        names[key] = tuple(raw[key])
    X_train = check.array(raw["X_train"], "data.X_train", 2)
    X_test = check.array(raw["X_test"], "data.X_test", 2)
    if task == "classification":
        y_train = check.array(raw["y_train"], "data.y_train", 1, dtype=np.int64)
        y_test = check.array(raw["y_test"], "data.y_test", 1, dtype=np.int64)
    else:
        y_train = check.array(raw["y_train"], "data.y_train", 2)
        y_test = check.array(raw["y_test"], "data.y_test", 2)
    d = len(names["input_names"])
    if X_test.size == 0:
        X_test = X_test.reshape(0, d)
        y_test = y_test.reshape((0,) if task == "classification" else (0, len(names["target_names"])))
    try:
        return Data(X_train, y_train, X_test, y_test, task, names["input_names"],
                    names["target_names"], name=str(raw.get("name", "custom")), origin=origin)
    except ValueError as exc:
        check.fail("data", str(exc).splitlines()[0])


def _trainer_state(raw, check: _Check, net) -> dict:
    raw = check.obj(raw, "trainer")
    state = {}
    for key in ("epoch", "position", "steps", "optimizer_t"):
        state[key] = int(check.number(raw.get(key), f"trainer.{key}", integer=True))
        if state[key] < 0:
            check.fail(f"trainer.{key}", "must not be negative")
    state["lr"] = float(check.number(raw.get("lr"), "trainer.lr"))
    if raw.get("optimizer") not in ("sgd", "momentum", "adam"):
        check.fail("trainer.optimizer", "unknown optimizer")
    state["optimizer"] = raw["optimizer"]
    state["order"] = check.array(raw.get("order"), "trainer.order", 1, dtype=np.int64)
    opt_state = check.obj(raw.get("optimizer_state", {}), "trainer.optimizer_state")
    expected = {"sgd": set(), "momentum": {"velocity"}, "adam": {"m", "v"}}[state["optimizer"]]
    if set(opt_state) != expected:
        check.fail("trainer.optimizer_state", f"expected keys {sorted(expected)}")
    state["optimizer_state"] = {}
    for key, value in opt_state.items():
        arr = check.array(value, f"trainer.optimizer_state.{key}", 1)
        if arr.shape != (net.n_params,):
            check.fail(f"trainer.optimizer_state.{key}", f"expected {net.n_params} numbers")
        state["optimizer_state"][key] = arr
    for key in ("last_update", "good_params"):
        arr = check.array(raw.get(key), f"trainer.{key}", 1)
        if arr.shape != (net.n_params,):
            check.fail(f"trainer.{key}", f"expected {net.n_params} numbers")
        state[key] = arr
    state["rng"] = _rng_state(raw.get("rng"), check)
    state["history"] = _history(raw.get("history"), check)
    diverged = raw.get("diverged")
    if diverged is not None and not isinstance(diverged, str):
        check.fail("trainer.diverged", "expected a string or null")
    state["diverged"] = diverged
    state["params"] = net.params.copy()
    return state


def _rng_state(raw, check: _Check) -> dict:
    """numpy's PCG64 state, every number in the range the generator accepts."""
    rng = check.obj(raw, "trainer.rng")
    if rng.get("bit_generator") != "PCG64":
        check.fail("trainer.rng", "expected a PCG64 generator state")
    inner = check.obj(rng.get("state"), "trainer.rng.state")
    out = {"bit_generator": "PCG64", "state": {}}
    for key in ("state", "inc"):
        out["state"][key] = _bounded_int(inner.get(key), f"trainer.rng.state.{key}", 2 ** 128, check)
    out["has_uint32"] = _bounded_int(rng.get("has_uint32"), "trainer.rng.has_uint32", 2, check)
    out["uinteger"] = _bounded_int(rng.get("uinteger"), "trainer.rng.uinteger", 2 ** 32, check)
    return out


def _bounded_int(value, where: str, limit: int, check: _Check) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < limit:
        check.fail(where, f"expected an integer in 0..{limit - 1}")
    return value


def _history(raw, check: _Check) -> dict:
    """The per-epoch record: epochs as non-negative integers, every metric a finite number or
    null (a missing value: no test rows, or no accuracy for a regression)."""
    hist = check.obj(raw, "trainer.history")
    out = {}
    for key in HISTORY_KEYS:
        values = hist.get(key)
        where = f"trainer.history.{key}"
        if not isinstance(values, list):
            check.fail(where, "expected a list")
        if key == "epoch":
            out[key] = [int(check.number(v, where, integer=True)) for v in values]
            if any(e < 0 for e in out[key]):
                check.fail(where, "epochs must not be negative")
        else:
            out[key] = [None if v is None else float(check.number(v, where)) for v in values]
    if len({len(v) for v in out.values()}) != 1:
        check.fail("trainer.history", "the lists have different lengths")
    return out


def session_from_dict(d, source: str = "session") -> LoadedSession:
    check = _Check(source)
    d = check.obj(d, "the file")
    notes: list[str] = []
    if d.get("format") != FORMAT:
        check.fail("format", f"expected {FORMAT!r}")
    version = d.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        check.fail("version", "expected a positive integer")
    if version > VERSION:
        notes.append(f"version {version} is newer than this app ({VERSION}): loaded what it understands")
    for key in d:
        if key not in _TOP_KEYS or (key == "runs" and version < 2):
            if version > VERSION:
                notes.append(f"ignored {key!r}")
            else:
                check.fail(key, "unexpected key")
    for key in ("settings", "data", "network"):
        if key not in d:
            check.fail(key, "missing")
    settings = _settings(d["settings"], check, notes)
    data = _data(d["data"], check)
    try:
        net = network_from_dict(d["network"], source=f"{source}: network")
    except WeightsError as exc:
        raise SessionError(str(exc)) from None
    try:
        pg = Playground(settings, data=data, network=net)
    except ValueError as exc:
        check.fail("settings", str(exc).splitlines()[0])
    if "trainer" in d:
        state = _trainer_state(d["trainer"], check, net)
        try:
            pg.trainer.load_state(state)
        except (ValueError, KeyError, TypeError, OverflowError) as exc:
            check.fail("trainer", str(exc).splitlines()[0] if str(exc) else "unusable state")
    else:
        notes.append("no trainer state: the optimizer starts fresh at epoch 0")
    runs, current_run = _runs(d.get("runs"), check, notes) if "runs" in d and version >= 2 \
        else ([], None)
    meta = d.get("meta", {})
    return LoadedSession(pg, notes, meta if isinstance(meta, dict) else {}, runs, current_run)


def _runs(raw, check: _Check, notes: list[str]):
    try:
        return runs_from_dict(raw, lambda r, where: _settings(r, check, notes, where))
    except SessionError:
        raise
    except ValueError as exc:
        raise SessionError(f"{check.source}: {str(exc).splitlines()[0]}") from None


def load_session(path, progress=None) -> LoadedSession:
    """The session saved at ``path``; SessionError (one line, naming the field) if it cannot
    be read. ``progress(bytes_read)`` follows the reading (see ``reading.read_limited``)."""
    name = source_name(path)
    raw = read_limited(path, SessionError, MAX_BYTES, name, progress)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SessionError(f"{name}: not a UTF-8 text file") from None

    def reject(constant):
        raise SessionError(f"{name}: {constant} is not allowed (numbers must be finite)")

    try:
        d = json_loads(text, parse_constant=reject)  # yields to the GUI thread while parsing
    except json.JSONDecodeError as exc:
        raise SessionError(f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise SessionError(f"{name}: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise SessionError(f"{name}: not valid JSON ({' '.join(str(exc).split())[:120]})") from None
    return session_from_dict(d, name)
