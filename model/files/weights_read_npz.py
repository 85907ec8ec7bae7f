"""Reading the npz form of a weights file: every array checked for kind, shape and finiteness,
nothing unpickled (see ``weights_format`` for the format)."""
from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import numpy as np

from model.core.layout import block_size
from model.core.network import MAX_LAYERS, Network
from model.files import weights_format as fmt
from model.files.weights_format import (FORMAT, NPZ_LAYER_KEY, NPZ_SCALING, ZIP_MAGIC, Checker,
                                         check_meta, check_version, make_scaling, one_line,
                                         plural, show)
from model.files.weights_read import (build_network, check_activation, check_total, check_width,
                                       reject_constant)


def _npz_get(z, key: str, check: Checker) -> np.ndarray:
    try:
        arr = z[key]
    except Exception as e:  # noqa: BLE001 - any failure inside numpy/zipfile means a bad file
        reason = "object arrays are not allowed" if "allow_pickle" in str(e) \
            else one_line(f"{type(e).__name__}: {e}", 120)
        check.fail(f"{key}: cannot read the array ({reason})")
    if not isinstance(arr, np.ndarray):
        check.fail(f"{key}: not an .npy array")
    return arr


def _npz_scalar(z, key: str, kinds: str, what: str, check: Checker):
    arr = _npz_get(z, key, check)
    if arr.ndim != 0 or arr.dtype.kind not in kinds:
        check.fail(f"{key}: expected a single {what}, got an array of {arr.dtype} "
                   f"with shape {arr.shape}")
    return arr[()].item()


def _npz_strings(z, key: str, check: Checker) -> list[str]:
    arr = _npz_get(z, key, check)
    if arr.ndim != 1 or arr.dtype.kind != "U" or arr.size == 0:
        check.fail(f"{key}: expected a non-empty 1-d array of strings, got an array of "
                   f"{arr.dtype} with shape {arr.shape}")
    return [str(s) for s in arr.tolist()]


def _npz_floats(z, key: str, ndim: int, check: Checker) -> np.ndarray:
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


def from_npz(data: bytes, check: Checker) -> tuple[Network, dict]:
    if not data.startswith(ZIP_MAGIC):
        check.fail("not an .npz file (not a zip archive)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except Exception as e:  # noqa: BLE001
        check.fail(f"not a valid .npz file ({one_line(f'{type(e).__name__}: {e}', 120)})")
    if unpacked > fmt.MAX_FILE_BYTES:
        check.fail(f"the arrays are too large ({unpacked / 2**20:.0f} MB unpacked, "
                   f"at most {fmt.MAX_FILE_BYTES // 2**20} MB)")
    try:
        z = np.load(io.BytesIO(data), allow_pickle=False)
        keys = list(z.files)
    except Exception as e:  # noqa: BLE001
        check.fail(f"not a valid .npz file ({one_line(f'{type(e).__name__}: {e}', 120)})")
    with z:
        return _validate_npz(z, keys, check)


def _validate_npz(z, keys: list[str], check: Checker) -> tuple[Network, dict]:
    fixed = ("format", "version", "inputs", "outputs", "activations")
    layer_numbers: dict[str, set[int]] = {"W": set(), "b": set()}
    for key in keys:
        m = NPZ_LAYER_KEY.fullmatch(key)
        if m:
            layer_numbers[m.group(1)].add(int(m.group(2)))
        elif key not in fixed and key not in ("use_bias", "meta", *NPZ_SCALING.values()):
            check.fail(f"unexpected key {show(key)}")
    for key in fixed:
        if key not in keys:
            check.fail(f"{key}: missing")

    fmt = _npz_scalar(z, "format", "U", "string", check)
    if fmt != FORMAT:
        check.fail(f"format: expected {FORMAT!r}, got {show(fmt)}")
    version = check_version(_npz_scalar(z, "version", "iu", "integer", check), check)
    scaling_keys = [k for k in NPZ_SCALING.values() if k in keys]
    if scaling_keys and version < 2:
        check.fail(f"unexpected key {show(scaling_keys[0])} (input scaling needs version 2)")
    if scaling_keys and len(scaling_keys) < len(NPZ_SCALING):
        missing = next(k for k in NPZ_SCALING.values() if k not in keys)
        check.fail(f"{missing}: missing (the input scaling needs all of "
                   f"{', '.join(NPZ_SCALING.values())})")

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
        check.fail(f"activations: expected {plural(n_layers, 'name')} "
                   f"(one per layer W1..W{n_layers}), got {len(activations)}")
    if "use_bias" in keys:
        ub = _npz_get(z, "use_bias", check)
        if ub.dtype.kind != "b" or ub.shape != (n_layers,):
            check.fail(f"use_bias: expected {plural(n_layers, 'boolean')} (one per layer), "
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
            check_width(n_in, key, "rows", check)
        elif n_in != sizes[-1]:
            check.fail(f"{key}: expected {plural(sizes[-1], 'row')} "
                       f"(the previous layer's size), got {n_in}")
        if n_out == 0:
            check.fail(f"{key}: expected at least 1 column (a layer needs a neuron), got 0")
        check_width(n_out, key, "columns (neurons)", check)
        total += block_size(n_in, n_out)
        check_total(total, check)
        check_activation(activations[l - 1], f"activations[{l - 1}]", l - 1, n_layers,
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
        check.fail(f"inputs: expected a list of {plural(sizes[0], 'string')} "
                   f"(one per row of W1), got {len(inputs)}")
    outputs = _npz_strings(z, "outputs", check)
    if len(outputs) != sizes[-1]:
        check.fail(f"outputs: expected a list of {plural(sizes[-1], 'string')} "
                   f"(one per column of W{n_layers}), got {len(outputs)}")
    meta: Any = {}
    if "meta" in keys:
        text = _npz_scalar(z, "meta", "U", "string", check)
        try:
            meta = json.loads(text, parse_constant=reject_constant)
        except (ValueError, RecursionError) as e:
            check.fail(f"meta: not valid JSON ({one_line(str(e), 120)})")
        check_meta(meta, check)
    scaling = None
    if scaling_keys:
        method = _npz_scalar(z, NPZ_SCALING["method"], "U", "string", check)
        offset, scale = (_npz_floats(z, NPZ_SCALING[k], 1, check).tolist()
                         for k in ("offset", "scale"))
        scaling = make_scaling(method, offset, scale, sizes[0], check, NPZ_SCALING)
    return build_network(sizes, activations, use_bias, chunks, inputs, outputs, check,
                         scaling), meta
