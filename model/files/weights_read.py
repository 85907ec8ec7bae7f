"""Reading a weights file: the JSON form checked field by field into a Network (the npz form
is read by ``weights_read_npz``). Every problem is a one-line ``WeightsError`` naming the file and
the field (see ``weights_format``)."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from model.core.activations import ACTIVATIONS, get_activation
from model.core.layout import block_size
from model.core.network import MAX_LAYERS, MAX_PARAMS, MAX_WIDTH, Network
from model.files import weights_format as fmt
from model.files.reading import json_loads, read_limited
from model.files.reading import source_name
from model.files.weights_format import (FORMAT, LAYER_KEYS, SCALING_KEY, SCALING_KEYS, TOP_KEYS,
                                         VERSION, Checker, WeightsError, check_meta, check_suffix,
                                         check_version, is_number, make_scaling, one_line, plural,
                                         show, type_name)


def check_names(value: Any, field: str, n: int, what: str, check: Checker) -> list[str]:
    if not isinstance(value, list) or len(value) != n \
            or not all(isinstance(s, str) for s in value):
        got = (f"{plural(len(value), 'item')}" if isinstance(value, list)
               else type_name(value))
        if isinstance(value, list) and len(value) == n:
            bad = next(i for i, s in enumerate(value) if not isinstance(s, str))
            got = f"{field}[{bad}] is {type_name(value[bad])}"
            check.fail(f"{field}: expected a list of {plural(n, 'string')} ({what}), "
                       f"but {got}")
        check.fail(f"{field}: expected a list of {plural(n, 'string')} ({what}), got {got}")
    for i, s in enumerate(value):
        try:
            s.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate from a \udcxx escape: not text
            check.fail(f"{field}[{i}]: not valid Unicode text (a lone surrogate)")
    return list(value)


def check_activation(name: Any, field: str, l: int, n_layers: int, n_out: int,
                      check: Checker) -> str:
    choices = ", ".join(ACTIVATIONS)
    if not isinstance(name, str):
        check.fail(f"{field}: expected a string (one of: {choices}), got {type_name(name)}")
    if name not in ACTIVATIONS:
        try:  # a parameterised name such as leaky_relu:0.2, in its canonical spelling
            name = get_activation(name).name
        except ValueError as exc:
            if name.startswith("leaky_relu:"):  # what is wrong with the slope
                check.fail(f"{field}: {exc}")
            check.fail(f"{field}: unknown activation {show(name)} (choose from: {choices}; "
                       f"leaky_relu:SLOPE with 0 < SLOPE < 1)")
    if name == "softmax":
        if l != n_layers - 1:
            check.fail(f"{field}: softmax is only allowed on the last layer")
        if n_out < 2:
            check.fail(f"{field}: softmax needs at least 2 neurons, the layer has {n_out}")
    return name


def check_width(n: int, field: str, what: str, check: Checker) -> None:
    if n > MAX_WIDTH:
        check.fail(f"{field}: too many {what} ({n}, at most {MAX_WIDTH})")


def check_total(total: int, check: Checker) -> None:
    if total > MAX_PARAMS:
        check.fail(f"layers: network too large ({total} parameters, at most {MAX_PARAMS})")


def _number_row(row: list, field: str, check: Checker) -> list[float]:
    """The numbers of ``row`` as floats; fails naming the first bad element."""
    types = set(map(type, row))
    if types <= {float}:
        bad = next((j for j, v in enumerate(row) if not math.isfinite(v)), None)
        if bad is not None:
            check.fail(f"{field}[{bad}]: not a finite number")
        return row
    out = []
    for j, v in enumerate(row):
        if not is_number(v):
            check.fail(f"{field}[{j}]: expected a number, got {type_name(v)} {show(v)}"
                       if isinstance(v, (str, bool)) else
                       f"{field}[{j}]: expected a number, got {type_name(v)}")
        try:
            x = float(v)
        except (OverflowError, ValueError, TypeError):
            x = math.inf
        if not math.isfinite(x):
            check.fail(f"{field}[{j}]: not a finite number")
        out.append(x)
    return out


def _from_dict(d: Any, check: Checker) -> tuple[Network, dict]:
    if not isinstance(d, dict):
        check.fail(f"expected a JSON object at the top level, got {type_name(d)}")
    version = d.get("version")
    extra = ("meta", SCALING_KEY) if version == 2 else ("meta",)
    for key in d:
        if key not in TOP_KEYS and key not in extra:
            check.fail(f"unexpected key {show(key)} (expected: {', '.join(TOP_KEYS)}, "
                       f"{', '.join(extra)})")
    for key in TOP_KEYS:
        if key not in d:
            check.fail(f"{key}: missing")

    fmt = d["format"]
    if fmt != FORMAT or not isinstance(fmt, str):
        check.fail(f"format: expected {FORMAT!r}, got {show(fmt)}")
    version = d["version"]
    if not isinstance(version, int) or isinstance(version, bool):
        got = show(version) if isinstance(version, (float, bool)) else type_name(version)
        check.fail(f"version: expected the integer 1 or {VERSION}, got {got}")
    check_version(version, check)

    layers = d["layers"]
    if not isinstance(layers, list) or not layers:
        check.fail("layers: expected a non-empty list of layers, got "
                   + ("an empty list" if isinstance(layers, list) else type_name(layers)))
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
        check_object(layer, where, LAYER_KEYS, check)

        rows = layer["weights"]
        field = f"{where}.weights"
        if not isinstance(rows, list):
            check.fail(f"{field}: expected a list of rows, got {type_name(rows)}")
        if l == 0:
            if not rows:
                check.fail(f"{field}: expected at least 1 row (one per input), got 0")
            check_width(len(rows), field, "rows", check)
        elif len(rows) != sizes[-1]:
            check.fail(f"{field}: expected {plural(sizes[-1], 'row')} "
                       f"(the previous layer's size), got {len(rows)}")
        if not isinstance(rows[0], list):
            check.fail(f"{field}[0]: expected a list of numbers, got {type_name(rows[0])}")
        n_in, n_out = len(rows), len(rows[0])
        if n_out == 0:
            check.fail(f"{field}[0]: expected at least 1 number (a layer needs a neuron), got 0")
        check_width(n_out, field, "columns (neurons)", check)
        total += block_size(n_in, n_out)
        check_total(total, check)
        activation = check_activation(layer["activation"], f"{where}.activation", l,
                                       n_layers, n_out, check)

        parsed = []
        for i, row in enumerate(rows):
            if not isinstance(row, list):
                check.fail(f"{field}[{i}]: expected a list of numbers, got {type_name(row)}")
            if len(row) != n_out:
                check.fail(f"{field}[{i}]: expected {plural(n_out, 'number')} "
                           f"(one per neuron, as in row 0), got {len(row)}")
            parsed.append(_number_row(row, f"{field}[{i}]", check))

        biases = layer["biases"]
        field = f"{where}.biases"
        if biases is None:
            b = [0.0] * n_out
        elif not isinstance(biases, list):
            check.fail(f"{field}: expected a list of {plural(n_out, 'number')} or null, "
                       f"got {type_name(biases)}")
        elif len(biases) != n_out:
            check.fail(f"{field}: expected {plural(n_out, 'number')} (one per neuron), "
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

    inputs = check_names(d["inputs"], "inputs", sizes[0],
                          "one per row of layers[0].weights", check)
    outputs = check_names(d["outputs"], "outputs", sizes[-1],
                           f"one per column of layers[{n_layers - 1}].weights", check)
    meta = d.get("meta", {})
    check_meta(meta, check)
    scaling = _scaling(d[SCALING_KEY], sizes[0], check) if SCALING_KEY in d else None
    return build_network(sizes, activations, use_bias, chunks, inputs, outputs, check,
                         scaling), meta


def check_object(value: Any, where: str, keys, check: Checker) -> None:
    """Fail unless ``value`` is an object with exactly ``keys``, naming the first odd one."""
    if not isinstance(value, dict):
        check.fail(f"{where}: expected an object, got {type_name(value)}")
    for key in value:
        if key not in keys:
            check.fail(f"{where}: unexpected key {show(key)} (expected: {', '.join(keys)})")
    for key in keys:
        if key not in value:
            check.fail(f"{where}.{key}: missing")


def _scaling(raw: Any, n_inputs: int, check: Checker):
    check_object(raw, SCALING_KEY, SCALING_KEYS, check)
    parts = {}
    for key in ("offset", "scale"):
        if not isinstance(raw[key], list):
            check.fail(f"{SCALING_KEY}.{key}: expected a list of numbers, got "
                       f"{type_name(raw[key])}")
        parts[key] = _number_row(raw[key], f"{SCALING_KEY}.{key}", check)
    return make_scaling(raw["method"], parts["offset"], parts["scale"], n_inputs, check,
                        {k: f"{SCALING_KEY}.{k}" for k in SCALING_KEYS})


def build_network(sizes, activations, use_bias, chunks, inputs, outputs, check,
                  scaling=None) -> Network:
    try:
        return Network(sizes, activations, params=np.concatenate(chunks), use_bias=use_bias,
                       inputs=inputs, outputs=outputs, input_scaling=scaling)
    except ValueError as e:  # the checks above should have caught everything
        check.fail(one_line(str(e)))


def network_from_dict(d: dict, *, source: str = "weights") -> Network:
    """The network of a JSON document (as parsed); WeightsError naming the bad field,
    prefixed with ``source``."""
    return _from_dict(d, Checker(source))[0]


def reject_constant(name: str):
    raise WeightsError(f"{name} is not allowed (numbers must be finite)")


def _parse_json(data: bytes, check: Checker) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        check.fail(f"not UTF-8 text (byte 0x{data[e.start]:02x} at position {e.start})")
    try:
        return json_loads(text, parse_constant=reject_constant)  # yields while parsing
    except WeightsError as e:
        check.fail(f"not valid JSON: {e}")
    except json.JSONDecodeError as e:
        check.fail(f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})")
    except ValueError as e:  # e.g. an integer with more than 4300 digits
        check.fail(f"not valid JSON: {one_line(str(e), 120)}")
    except RecursionError:
        check.fail("not valid JSON: nested too deeply")


def _read(path: Path, check: Checker, progress=None) -> bytes:
    return read_limited(path, WeightsError, fmt.MAX_FILE_BYTES, check.source, progress)


def load_network_with_meta(path, progress=None) -> tuple[Network, dict]:
    """The network saved at ``path`` (.json or .npz) and its ``meta`` object ({} if none).
    ``progress(bytes_read)`` follows the reading (see ``reading.read_limited``).

    Raises WeightsError with a one-line message naming the file and the field.
    """
    path = Path(path)
    check = Checker(source_name(path))
    suffix = check_suffix(path, check)
    data = _read(path, check, progress)
    if suffix == ".npz":
        from model.files.weights_read_npz import from_npz
        return from_npz(data, check)
    return _from_dict(_parse_json(data, check), check)


def load_network(path, progress=None) -> Network:
    """The network saved at ``path`` (.json or .npz); WeightsError if it cannot be read."""
    return load_network_with_meta(path, progress)[0]
