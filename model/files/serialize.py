"""Saving and loading a network's weights as JSON or npz, with strict validation.

The JSON format (``resources/weights.schema.json`` describes it)::

    {"format": "backprop-playground/weights", "version": 1,
     "inputs": ["x1", "x2"], "outputs": ["y"],
     "layers": [{"activation": "tanh", "weights": [[...], ...], "biases": [...]}, ...],
     "meta": {...}}                                   # optional, free-form

``weights`` of a layer is exactly ``layer.W.tolist()``: one row per input of the layer, one
column per neuron, so ``weights[i][j]`` connects neuron i of the previous layer to neuron j.
``biases`` is a list of one number per neuron, or ``null`` for a layer without biases.
Floats are written with repr() and so load back bit for bit.

The npz format holds the same content as arrays: ``format`` (0-d str), ``version`` (0-d int),
``inputs``, ``outputs``, ``activations`` (1-d str), ``W1``, ``b1``, ``W2``, ... (float64,
1-based layer numbers), and — only when some layer has no bias — ``use_bias`` (1-d bool, one
per layer; ``b{l}`` is absent for those layers). ``meta``, when given, is a 0-d str array
holding the JSON text of the meta object.

Every problem with a file raises ``WeightsError`` with a one-line message that starts with
the file name and names the field, e.g.
``w.json: layers[1].weights: expected 4 rows (the previous layer's size), got 3``.
Writes are atomic: a temporary file in the same directory, fsync'ed, then os.replace.
"""
from __future__ import annotations

import io
import json
import math
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from model.core.activations import ACTIVATIONS
from model.files.atomic import atomic_file
from model.core.layout import block_size
from model.files.reading import LIMITS, read_limited
from model.core.network import MAX_LAYERS, MAX_PARAMS, MAX_WIDTH, Network

FORMAT = "backprop-playground/weights"
VERSION = 1
MAX_FILE_BYTES = LIMITS["weights"]
SUFFIXES = (".json", ".npz")

_TOP_KEYS = ("format", "version", "inputs", "outputs", "layers")
_LAYER_KEYS = ("activation", "weights", "biases")
_NPZ_LAYER_KEY = re.compile(r"([Wb])([1-9][0-9]{0,5})")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


class WeightsError(ValueError):
    """A weights file that cannot be read or written; the message is one line."""


# ------------------------------------------------------------------------------- helpers

def _show(value: Any, limit: int = 40) -> str:
    """A value quoted and escaped (so messages stay one line), shortened if long."""
    if isinstance(value, str):
        return repr(value[:limit] + "…" if len(value) > limit else value)
    try:
        text = repr(value) if isinstance(value, (int, float, bool, type(None))) \
            else type(value).__name__
    except ValueError:  # an int with more digits than int→str conversion allows
        text = "a very large integer"
    if len(text) > limit:
        text = text[:limit] + "…"
    return _one_line(text)


def _one_line(text: str, limit: int = 200) -> str:
    """``text`` without line breaks or other unprintable characters, at most ``limit`` long."""
    text = " ".join(str(text).split())
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[:limit] + "…"


def _source_name(path: Path | str) -> str:
    name = Path(path).name or str(path)
    return name if name.isprintable() else repr(name)[1:-1]


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return _one_line(type(value).__name__, 40)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class _Checker:
    """Raises WeightsError prefixed with the source name."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, message: str):
        raise WeightsError(_one_line(f"{self.source}: {message}", 400))


# ------------------------------------------------------------------------------- writing

def _check_meta(meta: Any, check: _Checker, where: str = "meta") -> None:
    """Fail unless ``meta`` is an object of plain JSON data with finite numbers.

    Walks with an explicit stack, so deep nesting cannot exhaust the recursion limit.
    """
    if not isinstance(meta, dict):
        check.fail(f"{where}: expected an object, got {_type_name(meta)}")
    stack = [(where, meta)]
    while stack:
        field, value = stack.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                if not isinstance(k, str):
                    check.fail(f"{field}: keys must be strings, got {_type_name(k)}")
                stack.append((f"{field}.{_one_line(k, 40)}", v))
        elif isinstance(value, list):
            stack.extend((f"{field}[{i}]", v) for i, v in enumerate(value))
        elif isinstance(value, float):
            if not math.isfinite(value):
                check.fail(f"{field}: not a finite number")
        elif not (value is None or isinstance(value, (str, int, bool))):
            check.fail(f"{field}: not JSON data ({_type_name(value)})")


def _network_to_dict(net: Network, meta: dict | None, check: _Checker) -> dict:
    for field, names in (("inputs", net.inputs), ("outputs", net.outputs)):
        for i, name in enumerate(names):
            if not isinstance(name, str):
                check.fail(f"{field}[{i}]: names must be strings, got {_type_name(name)}")
    layers = []
    for l, layer in enumerate(net.layers):
        if not np.isfinite(layer.W).all():
            check.fail(f"layers[{l}].weights: contains NaN or infinite values "
                       "(a diverged network cannot be saved)")
        if layer.use_bias and not np.isfinite(layer.b).all():
            check.fail(f"layers[{l}].biases: contains NaN or infinite values "
                       "(a diverged network cannot be saved)")
        layers.append({"activation": layer.activation.name,
                       "weights": layer.W.tolist(),
                       "biases": layer.b.tolist() if layer.use_bias else None})
    d = {"format": FORMAT, "version": VERSION,
         "inputs": list(net.inputs), "outputs": list(net.outputs), "layers": layers}
    if meta is not None:
        _check_meta(meta, check)
        try:
            d["meta"] = json.loads(json.dumps(meta))  # a deep copy of plain JSON data
        except (ValueError, TypeError, RecursionError) as e:
            check.fail(f"meta: not JSON data ({_one_line(str(e), 120)})")
    return d


def network_to_dict(net: Network, meta: dict | None = None) -> dict:
    """The JSON document of ``net`` (see the module docstring), with ``meta`` if given.

    WeightsError if the network has non-finite parameters or ``meta`` is not plain JSON
    data (an object with string keys and finite numbers).
    """
    return _network_to_dict(net, meta, _Checker("weights"))


def _write_json(d: dict, f) -> None:
    """``d`` as JSON, one weights row per line; numbers via repr (exact round trip)."""
    dumps = json.dumps

    def w(text: str) -> None:
        f.write(text.encode("ascii"))

    w("{\n")
    w(f' "format": {dumps(d["format"])},\n "version": {dumps(d["version"])},\n')
    w(f' "inputs": {dumps(d["inputs"])},\n "outputs": {dumps(d["outputs"])},\n')
    w(' "layers": [\n')
    for l, layer in enumerate(d["layers"]):
        w(f'  {{"activation": {dumps(layer["activation"])},\n   "weights": [\n')
        rows = layer["weights"]
        for i, row in enumerate(rows):
            w("    " + dumps(row, allow_nan=False) + (",\n" if i < len(rows) - 1 else "],\n"))
        w(f'   "biases": {dumps(layer["biases"], allow_nan=False)}}}')
        w(",\n" if l < len(d["layers"]) - 1 else "\n")
    w(" ]")
    if "meta" in d:
        w(',\n "meta": ' + dumps(d["meta"], allow_nan=False, ensure_ascii=True))
    w("\n}\n")


def _npz_arrays(d: dict) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {
        "format": np.array(d["format"]),
        "version": np.array(d["version"], dtype=np.int64),
        "inputs": np.array(d["inputs"], dtype=str),
        "outputs": np.array(d["outputs"], dtype=str),
        "activations": np.array([layer["activation"] for layer in d["layers"]], dtype=str),
    }
    use_bias = [layer["biases"] is not None for layer in d["layers"]]
    for l, layer in enumerate(d["layers"], start=1):
        arrays[f"W{l}"] = np.array(layer["weights"], dtype=np.float64)
        if layer["biases"] is not None:
            arrays[f"b{l}"] = np.array(layer["biases"], dtype=np.float64)
    if not all(use_bias):
        arrays["use_bias"] = np.array(use_bias, dtype=bool)
    if "meta" in d:
        arrays["meta"] = np.array(json.dumps(d["meta"], allow_nan=False))
    return arrays


def _suffix(path: Path, check: _Checker) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        shown = repr(path.suffix) if path.suffix else "(none)"
        check.fail(f"unsupported file type {_one_line(shown, 40)} (use .json or .npz)")
    return suffix


def save_network(net: Network, path, meta: dict | None = None) -> None:
    """Write ``net`` (and ``meta``) to ``path``: ``.json`` or ``.npz`` by the suffix.

    Atomic: the data goes to a temporary file in the same directory, is fsync'ed, then
    replaces ``path``; on any error the temporary file is removed and an existing file at
    ``path`` is left untouched. Raises WeightsError (one line, starting with the file name).
    """
    path = Path(path)
    check = _Checker(_source_name(path))
    suffix = _suffix(path, check)
    d = _network_to_dict(net, meta, check)
    arrays = _npz_arrays(d) if suffix == ".npz" else None

    def cannot_write(e: OSError):
        check.fail(f"cannot write the file ({_one_line(e.strerror or e, 120)})")

    try:
        with atomic_file(path, "wb") as f:
            if arrays is not None:
                np.savez(f, **arrays)
            else:
                _write_json(d, f)
            size = f.tell()
            if size > MAX_FILE_BYTES:
                check.fail(f"network too large to save: the file would be "
                           f"{size / 2**20:.0f} MB, a weights file may have at most "
                           f"{MAX_FILE_BYTES // 2**20} MB")
    except OSError as e:
        cannot_write(e)


# ------------------------------------------------------------------------------- reading

def _check_names(value: Any, field: str, n: int, what: str, check: _Checker) -> list[str]:
    if not isinstance(value, list) or len(value) != n \
            or not all(isinstance(s, str) for s in value):
        got = (f"{_plural(len(value), 'item')}" if isinstance(value, list)
               else _type_name(value))
        if isinstance(value, list) and len(value) == n:
            bad = next(i for i, s in enumerate(value) if not isinstance(s, str))
            got = f"{field}[{bad}] is {_type_name(value[bad])}"
            check.fail(f"{field}: expected a list of {_plural(n, 'string')} ({what}), "
                       f"but {got}")
        check.fail(f"{field}: expected a list of {_plural(n, 'string')} ({what}), got {got}")
    return list(value)


def _check_activation(name: Any, field: str, l: int, n_layers: int, n_out: int,
                      check: _Checker) -> str:
    choices = ", ".join(ACTIVATIONS)
    if not isinstance(name, str):
        check.fail(f"{field}: expected a string (one of: {choices}), got {_type_name(name)}")
    if name not in ACTIVATIONS:
        check.fail(f"{field}: unknown activation {_show(name)} (choose from: {choices})")
    if name == "softmax":
        if l != n_layers - 1:
            check.fail(f"{field}: softmax is only allowed on the last layer")
        if n_out < 2:
            check.fail(f"{field}: softmax needs at least 2 neurons, the layer has {n_out}")
    return name


def _check_width(n: int, field: str, what: str, check: _Checker) -> None:
    if n > MAX_WIDTH:
        check.fail(f"{field}: too many {what} ({n}, at most {MAX_WIDTH})")


def _check_total(total: int, check: _Checker) -> None:
    if total > MAX_PARAMS:
        check.fail(f"layers: network too large ({total} parameters, at most {MAX_PARAMS})")


def _number_row(row: list, field: str, check: _Checker) -> list[float]:
    """The numbers of ``row`` as floats; fails naming the first bad element."""
    types = set(map(type, row))
    if types <= {float}:
        bad = next((j for j, v in enumerate(row) if not math.isfinite(v)), None)
        if bad is not None:
            check.fail(f"{field}[{bad}]: not a finite number")
        return row
    out = []
    for j, v in enumerate(row):
        if not _is_number(v):
            check.fail(f"{field}[{j}]: expected a number, got {_type_name(v)} {_show(v)}"
                       if isinstance(v, (str, bool)) else
                       f"{field}[{j}]: expected a number, got {_type_name(v)}")
        try:
            x = float(v)
        except (OverflowError, ValueError, TypeError):
            x = math.inf
        if not math.isfinite(x):
            check.fail(f"{field}[{j}]: not a finite number")
        out.append(x)
    return out


def _from_dict(d: Any, check: _Checker) -> tuple[Network, dict]:
    if not isinstance(d, dict):
        check.fail(f"expected a JSON object at the top level, got {_type_name(d)}")
    for key in d:
        if key not in _TOP_KEYS and key != "meta":
            check.fail(f"unexpected key {_show(key)} (expected: {', '.join(_TOP_KEYS)}, meta)")
    for key in _TOP_KEYS:
        if key not in d:
            check.fail(f"{key}: missing")

    fmt = d["format"]
    if fmt != FORMAT or not isinstance(fmt, str):
        check.fail(f"format: expected {FORMAT!r}, got {_show(fmt)}")
    version = d["version"]
    if not isinstance(version, int) or isinstance(version, bool):
        got = _show(version) if isinstance(version, (float, bool)) else _type_name(version)
        check.fail(f"version: expected the integer {VERSION}, got {got}")
    if version > VERSION:
        check.fail(f"version {_show(version)} is newer than this app understands ({VERSION})")
    if version != VERSION:
        check.fail(f"version: expected {VERSION}, got {_show(version)}")

    layers = d["layers"]
    if not isinstance(layers, list) or not layers:
        check.fail("layers: expected a non-empty list of layers, got "
                   + ("an empty list" if isinstance(layers, list) else _type_name(layers)))
    n_layers = len(layers)
    if n_layers > MAX_LAYERS:
        check.fail(f"layers: too many layers ({n_layers}, at most {MAX_LAYERS})")

    sizes: list[int] = []
    activations: list[str] = []
    use_bias: list[bool] = []
    chunks: list[np.ndarray] = []
    total = 0
    for l, layer in enumerate(layers):
        where = f"layers[{l}]"
        if not isinstance(layer, dict):
            check.fail(f"{where}: expected an object, got {_type_name(layer)}")
        for key in layer:
            if key not in _LAYER_KEYS:
                check.fail(f"{where}: unexpected key {_show(key)} "
                           f"(expected: {', '.join(_LAYER_KEYS)})")
        for key in _LAYER_KEYS:
            if key not in layer:
                check.fail(f"{where}.{key}: missing")

        rows = layer["weights"]
        field = f"{where}.weights"
        if not isinstance(rows, list):
            check.fail(f"{field}: expected a list of rows, got {_type_name(rows)}")
        if l == 0:
            if not rows:
                check.fail(f"{field}: expected at least 1 row (one per input), got 0")
            _check_width(len(rows), field, "rows", check)
        elif len(rows) != sizes[-1]:
            check.fail(f"{field}: expected {_plural(sizes[-1], 'row')} "
                       f"(the previous layer's size), got {len(rows)}")
        if not isinstance(rows[0], list):
            check.fail(f"{field}[0]: expected a list of numbers, got {_type_name(rows[0])}")
        n_in, n_out = len(rows), len(rows[0])
        if n_out == 0:
            check.fail(f"{field}[0]: expected at least 1 number (a layer needs a neuron), got 0")
        _check_width(n_out, field, "columns (neurons)", check)
        total += block_size(n_in, n_out)
        _check_total(total, check)
        activation = _check_activation(layer["activation"], f"{where}.activation", l,
                                       n_layers, n_out, check)

        parsed = []
        for i, row in enumerate(rows):
            if not isinstance(row, list):
                check.fail(f"{field}[{i}]: expected a list of numbers, got {_type_name(row)}")
            if len(row) != n_out:
                check.fail(f"{field}[{i}]: expected {_plural(n_out, 'number')} "
                           f"(one per neuron, as in row 0), got {len(row)}")
            parsed.append(_number_row(row, f"{field}[{i}]", check))

        biases = layer["biases"]
        field = f"{where}.biases"
        if biases is None:
            b = [0.0] * n_out
        elif not isinstance(biases, list):
            check.fail(f"{field}: expected a list of {_plural(n_out, 'number')} or null, "
                       f"got {_type_name(biases)}")
        elif len(biases) != n_out:
            check.fail(f"{field}: expected {_plural(n_out, 'number')} (one per neuron), "
                       f"got {len(biases)}")
        else:
            b = _number_row(biases, field, check)
        parsed.append(b)

        if l == 0:
            sizes.append(n_in)
        sizes.append(n_out)
        activations.append(activation)
        use_bias.append(biases is not None)
        chunks.append(np.array(parsed, dtype=np.float64).ravel())

    inputs = _check_names(d["inputs"], "inputs", sizes[0],
                          "one per row of layers[0].weights", check)
    outputs = _check_names(d["outputs"], "outputs", sizes[-1],
                           f"one per column of layers[{n_layers - 1}].weights", check)
    meta = d.get("meta", {})
    _check_meta(meta, check)
    return _build(sizes, activations, use_bias, chunks, inputs, outputs, check), meta


def _build(sizes, activations, use_bias, chunks, inputs, outputs, check) -> Network:
    try:
        return Network(sizes, activations, params=np.concatenate(chunks), use_bias=use_bias,
                       inputs=inputs, outputs=outputs)
    except ValueError as e:  # the checks above should have caught everything
        check.fail(_one_line(str(e)))


def network_from_dict(d: dict, *, source: str = "weights") -> Network:
    """The network of a JSON document (as parsed); WeightsError naming the bad field,
    prefixed with ``source``."""
    return _from_dict(d, _Checker(source))[0]


def _reject_constant(name: str):
    raise WeightsError(f"{name} is not allowed (numbers must be finite)")


def _parse_json(data: bytes, check: _Checker) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        check.fail(f"not UTF-8 text (byte 0x{data[e.start]:02x} at position {e.start})")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except WeightsError as e:
        check.fail(f"not valid JSON: {e}")
    except json.JSONDecodeError as e:
        check.fail(f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})")
    except ValueError as e:  # e.g. an integer with more than 4300 digits
        check.fail(f"not valid JSON: {_one_line(str(e), 120)}")
    except RecursionError:
        check.fail("not valid JSON: nested too deeply")


def _npz_get(z, key: str, check: _Checker) -> np.ndarray:
    try:
        arr = z[key]
    except Exception as e:  # noqa: BLE001 - any failure inside numpy/zipfile means a bad file
        reason = "object arrays are not allowed" if "allow_pickle" in str(e) \
            else _one_line(f"{type(e).__name__}: {e}", 120)
        check.fail(f"{key}: cannot read the array ({reason})")
    if not isinstance(arr, np.ndarray):
        check.fail(f"{key}: not an .npy array")
    return arr


def _npz_scalar(z, key: str, kinds: str, what: str, check: _Checker):
    arr = _npz_get(z, key, check)
    if arr.ndim != 0 or arr.dtype.kind not in kinds:
        check.fail(f"{key}: expected a single {what}, got an array of {arr.dtype} "
                   f"with shape {arr.shape}")
    return arr[()].item()


def _npz_strings(z, key: str, check: _Checker) -> list[str]:
    arr = _npz_get(z, key, check)
    if arr.ndim != 1 or arr.dtype.kind != "U" or arr.size == 0:
        check.fail(f"{key}: expected a non-empty 1-d array of strings, got an array of "
                   f"{arr.dtype} with shape {arr.shape}")
    return [str(s) for s in arr.tolist()]


def _npz_floats(z, key: str, ndim: int, check: _Checker) -> np.ndarray:
    arr = _npz_get(z, key, check)
    if arr.dtype.kind != "f":
        check.fail(f"{key}: expected a float64 array, got {arr.dtype}")
    if arr.ndim != ndim:
        check.fail(f"{key}: expected a {ndim}-d array, got shape {arr.shape}")
    with np.errstate(over="ignore"):
        arr = arr.astype(np.float64)
    bad = np.argwhere(~np.isfinite(arr))
    if len(bad):
        check.fail(f"{key}{list(map(int, bad[0]))}: not a finite number")
    return arr


def _from_npz(data: bytes, check: _Checker) -> tuple[Network, dict]:
    if not data.startswith(_ZIP_MAGIC):
        check.fail("not an .npz file (not a zip archive)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except Exception as e:  # noqa: BLE001
        check.fail(f"not a valid .npz file ({_one_line(f'{type(e).__name__}: {e}', 120)})")
    if unpacked > MAX_FILE_BYTES:
        check.fail(f"the arrays are too large ({unpacked / 2**20:.0f} MB unpacked, "
                   f"at most {MAX_FILE_BYTES // 2**20} MB)")
    try:
        z = np.load(io.BytesIO(data), allow_pickle=False)
        keys = list(z.files)
    except Exception as e:  # noqa: BLE001
        check.fail(f"not a valid .npz file ({_one_line(f'{type(e).__name__}: {e}', 120)})")
    with z:
        return _validate_npz(z, keys, check)


def _validate_npz(z, keys: list[str], check: _Checker) -> tuple[Network, dict]:
    fixed = ("format", "version", "inputs", "outputs", "activations")
    layer_numbers: dict[str, set[int]] = {"W": set(), "b": set()}
    for key in keys:
        m = _NPZ_LAYER_KEY.fullmatch(key)
        if m:
            layer_numbers[m.group(1)].add(int(m.group(2)))
        elif key not in fixed and key not in ("use_bias", "meta"):
            check.fail(f"unexpected key {_show(key)}")
    for key in fixed:
        if key not in keys:
            check.fail(f"{key}: missing")

    fmt = _npz_scalar(z, "format", "U", "string", check)
    if fmt != FORMAT:
        check.fail(f"format: expected {FORMAT!r}, got {_show(fmt)}")
    version = _npz_scalar(z, "version", "iu", "integer", check)
    if version > VERSION:
        check.fail(f"version {version} is newer than this app understands ({VERSION})")
    if version != VERSION:
        check.fail(f"version: expected {VERSION}, got {version}")

    n_layers = len(layer_numbers["W"])
    if n_layers == 0:
        check.fail("W1: missing (a network needs at least one layer)")
    if n_layers > MAX_LAYERS:
        check.fail(f"too many layers ({n_layers} W arrays, at most {MAX_LAYERS})")
    for l in range(1, n_layers + 1):
        if l not in layer_numbers["W"]:
            check.fail(f"W{l}: missing (there is W{max(layer_numbers['W'])})")
    for l in sorted(layer_numbers["b"]):
        if l > n_layers:
            check.fail(f"b{l}: there is no W{l}")

    activations = _npz_strings(z, "activations", check)
    if len(activations) != n_layers:
        check.fail(f"activations: expected {_plural(n_layers, 'name')} "
                   f"(one per layer W1..W{n_layers}), got {len(activations)}")
    if "use_bias" in keys:
        ub = _npz_get(z, "use_bias", check)
        if ub.dtype.kind != "b" or ub.shape != (n_layers,):
            check.fail(f"use_bias: expected {_plural(n_layers, 'boolean')} (one per layer), "
                       f"got an array of {ub.dtype} with shape {ub.shape}")
        use_bias = [bool(u) for u in ub.tolist()]
    else:
        use_bias = [True] * n_layers

    sizes: list[int] = []
    chunks: list[np.ndarray] = []
    total = 0
    for l in range(1, n_layers + 1):
        key = f"W{l}"
        W = _npz_floats(z, key, 2, check)
        n_in, n_out = W.shape
        if l == 1:
            if n_in == 0:
                check.fail(f"{key}: expected at least 1 row (one per input), got 0")
            _check_width(n_in, key, "rows", check)
        elif n_in != sizes[-1]:
            check.fail(f"{key}: expected {_plural(sizes[-1], 'row')} "
                       f"(the previous layer's size), got {n_in}")
        if n_out == 0:
            check.fail(f"{key}: expected at least 1 column (a layer needs a neuron), got 0")
        _check_width(n_out, key, "columns (neurons)", check)
        total += block_size(n_in, n_out)
        _check_total(total, check)
        _check_activation(activations[l - 1], f"activations[{l - 1}]", l - 1, n_layers,
                          n_out, check)
        bkey = f"b{l}"
        if use_bias[l - 1]:
            if bkey not in keys:
                check.fail(f"{bkey}: missing" + (f" (use_bias says layer {l} has biases)"
                                                 if "use_bias" in keys else ""))
            b = _npz_floats(z, bkey, 1, check)
            if b.shape != (n_out,):
                check.fail(f"{bkey}: expected shape ({n_out},) (one per column of {key}), "
                           f"got {b.shape}")
        else:
            if bkey in keys:
                check.fail(f"{bkey}: present, but use_bias[{l - 1}] is false")
            b = np.zeros(n_out)
        if l == 1:
            sizes.append(n_in)
        sizes.append(n_out)
        chunks.append(np.vstack([W, b[None, :]]).ravel())

    inputs = _npz_strings(z, "inputs", check)
    if len(inputs) != sizes[0]:
        check.fail(f"inputs: expected a list of {_plural(sizes[0], 'string')} "
                   f"(one per row of W1), got {len(inputs)}")
    outputs = _npz_strings(z, "outputs", check)
    if len(outputs) != sizes[-1]:
        check.fail(f"outputs: expected a list of {_plural(sizes[-1], 'string')} "
                   f"(one per column of W{n_layers}), got {len(outputs)}")
    meta: Any = {}
    if "meta" in keys:
        text = _npz_scalar(z, "meta", "U", "string", check)
        try:
            meta = json.loads(text, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as e:
            check.fail(f"meta: not valid JSON ({_one_line(str(e), 120)})")
        _check_meta(meta, check)
    return _build(sizes, activations, use_bias, chunks, inputs, outputs, check), meta


def _read(path: Path, check: _Checker) -> bytes:
    return read_limited(path, WeightsError, MAX_FILE_BYTES, check.source)


def load_network_with_meta(path) -> tuple[Network, dict]:
    """The network saved at ``path`` (.json or .npz) and its ``meta`` object ({} if none).

    Raises WeightsError with a one-line message naming the file and the field.
    """
    path = Path(path)
    check = _Checker(_source_name(path))
    suffix = _suffix(path, check)
    data = _read(path, check)
    if suffix == ".npz":
        return _from_npz(data, check)
    return _from_dict(_parse_json(data, check), check)


def load_network(path) -> Network:
    """The network saved at ``path`` (.json or .npz); WeightsError if it cannot be read."""
    return load_network_with_meta(path)[0]
