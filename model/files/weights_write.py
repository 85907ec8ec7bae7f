"""Writing a network's weights: the JSON document, its JSON text and the npz arrays, saved
atomically (see ``weights_format`` for the formats)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from model.core.network import Network
from model.files import weights_format as fmt
from model.files.atomic import atomic_file
from model.files.reading import source_name
from model.files.weights_format import (FORMAT, NPZ_SCALING, SCALING_KEY, VERSION, Checker,
                                         check_meta, check_suffix,
                                         one_line, type_name)


def _network_to_dict(net: Network, meta: dict | None, check: Checker) -> dict:
    for field, names in (("inputs", net.inputs), ("outputs", net.outputs)):
        for i, name in enumerate(names):
            if not isinstance(name, str):
                check.fail(f"{field}[{i}]: names must be strings, got {type_name(name)}")
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
    scaling = net.input_scaling
    # version 1 unless there is a scaling: older readers then still read the file
    d = {"format": FORMAT, "version": VERSION if scaling is not None else 1,
         "inputs": list(net.inputs), "outputs": list(net.outputs), "layers": layers}
    if scaling is not None:
        d[SCALING_KEY] = scaling.to_dict()
    if meta is not None:
        check_meta(meta, check)
        try:
            d["meta"] = json.loads(json.dumps(meta))  # a deep copy of plain JSON data
        except (ValueError, TypeError, RecursionError) as e:
            check.fail(f"meta: not JSON data ({one_line(str(e), 120)})")
    return d


def network_to_dict(net: Network, meta: dict | None = None) -> dict:
    """The JSON document of ``net`` (see the module docstring), with ``meta`` if given.

    WeightsError if the network has non-finite parameters or ``meta`` is not plain JSON
    data (an object with string keys and finite numbers).
    """
    return _network_to_dict(net, meta, Checker("weights"))


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
    if SCALING_KEY in d:
        w(f',\n "{SCALING_KEY}": ' + dumps(d[SCALING_KEY], allow_nan=False))
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
    if SCALING_KEY in d:
        scaling = d[SCALING_KEY]
        arrays[NPZ_SCALING["method"]] = np.array(scaling["method"])
        for key in ("offset", "scale"):
            arrays[NPZ_SCALING[key]] = np.array(scaling[key], dtype=np.float64)
    if "meta" in d:
        arrays["meta"] = np.array(json.dumps(d["meta"], allow_nan=False))
    return arrays


def _check_size_before_writing(net: Network, d: dict, check: Checker) -> None:
    """Refuse, before a byte is written, a file that would pass the limit, naming the part that
    is too large: the meta, or the network (≈ 8 bytes per parameter in npz, more in JSON)."""
    limit = fmt.MAX_FILE_BYTES
    meta_bytes = len(json.dumps(d["meta"], allow_nan=False)) if "meta" in d else 0
    if meta_bytes > limit // 2:
        check.fail(f"meta too large to save ({meta_bytes / 2**20:.0f} MB; a weights file may "
                   f"have at most {limit // 2**20} MB in all)")
    if 8 * net.n_params + meta_bytes > limit:
        check.fail(f"network too large to save ({net.n_params} parameters, at least "
                   f"{8 * net.n_params / 2**20:.0f} MB; a weights file may have at most "
                   f"{limit // 2**20} MB)")


def save_network(net: Network, path, meta: dict | None = None) -> None:
    """Write ``net`` (and ``meta``) to ``path``: ``.json`` or ``.npz`` by the suffix.

    Atomic: the data goes to a temporary file in the same directory, is fsync'ed, then
    replaces ``path``; on any error the temporary file is removed and an existing file at
    ``path`` is left untouched. Raises WeightsError (one line, starting with the file name).
    """
    path = Path(path)
    check = Checker(source_name(path))
    suffix = check_suffix(path, check)
    d = _network_to_dict(net, meta, check)
    _check_size_before_writing(net, d, check)
    arrays = _npz_arrays(d) if suffix == ".npz" else None

    def cannot_write(e: OSError):
        check.fail(f"cannot write the file ({one_line(e.strerror or e, 120)})")

    try:
        with atomic_file(path, "wb") as f:
            if arrays is not None:
                np.savez(f, **arrays)
            else:
                _write_json(d, f)
            size = f.tell()
            if size > fmt.MAX_FILE_BYTES:
                check.fail(f"network too large to save: the file would be "
                           f"{size / 2**20:.0f} MB, a weights file may have at most "
                           f"{fmt.MAX_FILE_BYTES // 2**20} MB")
    except OSError as e:
        cannot_write(e)
