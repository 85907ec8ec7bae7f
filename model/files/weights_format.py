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

Version 2 adds ``"input_scaling": {"method": "standard" | "minmax", "offset": [...],
"scale": [...]}`` (one number per input; x' = (x − offset) / scale before the first layer, see
``model.core.scaling``). A network without input scaling is still written as version 1, so that
older readers keep reading it; one with scaling is version 2, which they refuse instead of
feeding it unscaled inputs. Both versions are read.

The npz format holds the same content as arrays: ``format`` (0-d str), ``version`` (0-d int),
``inputs``, ``outputs``, ``activations`` (1-d str), ``W1``, ``b1``, ``W2``, ... (float64,
1-based layer numbers), and — only when some layer has no bias — ``use_bias`` (1-d bool, one
per layer; ``b{l}`` is absent for those layers); version 2 may add ``scaling_method`` (0-d str),
``scaling_offset`` and ``scaling_scale`` (1-d float64). ``meta``, when given, is a 0-d str array
holding the JSON text of the meta object.

Every problem with a file raises ``WeightsError`` with a one-line message that starts with
the file name and names the field, e.g.
``w.json: layers[1].weights: expected 4 rows (the previous layer's size), got 3``.
Writes are atomic: a temporary file in the same directory, fsync'ed, then os.replace.
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from model.files.reading import LIMITS

FORMAT = "backprop-playground/weights"
VERSION = 2  # the newest version this app reads and writes
VERSIONS = (1, 2)
SCALING_KEY = "input_scaling"
SCALING_KEYS = ("method", "offset", "scale")
NPZ_SCALING = {"method": "scaling_method", "offset": "scaling_offset", "scale": "scaling_scale"}
MAX_FILE_BYTES = LIMITS["weights"]
SUFFIXES = (".json", ".npz")

TOP_KEYS = ("format", "version", "inputs", "outputs", "layers")
LAYER_KEYS = ("activation", "weights", "biases")
NPZ_LAYER_KEY = re.compile(r"([Wb])([1-9][0-9]{0,5})")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


class WeightsError(ValueError):
    """A weights file that cannot be read or written; the message is one line."""


# ------------------------------------------------------------------------------- helpers

def show(value: Any, limit: int = 40) -> str:
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
    return one_line(text)


def one_line(text: str, limit: int = 200) -> str:
    """``text`` without line breaks or other unprintable characters, at most ``limit`` long."""
    text = " ".join(str(text).split())
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[:limit] + "…"


def type_name(value: Any) -> str:
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
    return one_line(type(value).__name__, 40)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class Checker:
    """Raises WeightsError prefixed with the source name."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, message: str):
        raise WeightsError(one_line(f"{self.source}: {message}", 400))


def check_meta(meta: Any, check: Checker, where: str = "meta") -> None:
    """Fail unless ``meta`` is an object of plain JSON data with finite numbers.

    Walks with an explicit stack, so deep nesting cannot exhaust the recursion limit.
    """
    if not isinstance(meta, dict):
        check.fail(f"{where}: expected an object, got {type_name(meta)}")
    stack = [(where, meta)]
    while stack:
        field, value = stack.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                if not isinstance(k, str):
                    check.fail(f"{field}: keys must be strings, got {type_name(k)}")
                stack.append((f"{field}.{one_line(k, 40)}", v))
        elif isinstance(value, list):
            stack.extend((f"{field}[{i}]", v) for i, v in enumerate(value))
        elif isinstance(value, float):
            if not math.isfinite(value):
                check.fail(f"{field}: not a finite number")
        elif not (value is None or isinstance(value, (str, int, bool))):
            check.fail(f"{field}: not JSON data ({type_name(value)})")


def check_version(version, check: Checker) -> int:
    """The version as an int, if this app reads it; the same message for JSON and npz."""
    if version > VERSION:
        check.fail(f"version {show(version)} is newer than this app understands ({VERSION})")
    if version not in VERSIONS:
        check.fail(f"version: expected 1 or {VERSION}, got {show(version)}")
    return int(version)


def make_scaling(method: Any, offset: list, scale: list, n_inputs: int, check: Checker,
                 where: str):
    """An InputScaling from checked parts; ``where`` names the fields in messages."""
    from model.core.scaling import METHODS, InputScaling
    if method not in METHODS:
        check.fail(f"{where['method']}: expected one of {', '.join(METHODS)}, got {show(method)}")
    for key, values in (("offset", offset), ("scale", scale)):
        if len(values) != n_inputs:
            check.fail(f"{where[key]}: expected {plural(n_inputs, 'number')} (one per input), "
                       f"got {len(values)}")
    bad = next((j for j, v in enumerate(scale) if not v > 0), None)
    if bad is not None:
        check.fail(f"{where['scale']}[{bad}]: must be positive")
    return InputScaling(method, offset, scale)


def check_suffix(path: Path, check: Checker) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        shown = repr(path.suffix) if path.suffix else "(none)"
        check.fail(f"unsupported file type {one_line(shown, 40)} (use .json or .npz)")
    return suffix
