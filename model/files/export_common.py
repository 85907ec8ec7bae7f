"""What the ONNX and the standalone-Python exports share: which raw columns the exported model
takes (feature transforms of the point (x1, x2), or the data's own columns), the checks every
export makes, the text that describes the network, and the atomic write."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from model.data.features import are_feature_ids
from model.files.atomic import write_bytes_atomically
from model.files.reading import source_name


class ExportError(ValueError):
    """A network that cannot be exported, or a file that cannot be written; one line."""


def feature_ids(net, meta: dict | None = None) -> tuple[str, ...] | None:
    """The feature ids the network's inputs are computed from, or None for raw columns.

    ``meta["features"]`` (written by ``train --export``) decides when present: a list means
    feature transforms, null means raw columns. Without it, the inputs are features when
    every input name is a feature id (and none repeats), as the app reads them.
    """
    names = list(net.inputs)
    is_features = are_feature_ids(names)
    if meta and "features" in meta:
        if meta["features"] is None:
            return None
        if not (isinstance(meta["features"], list)
                and all(isinstance(f, str) for f in meta["features"])):
            raise ExportError(f"meta.features must be a list of feature names or null, "
                              f"not {_short(meta['features'])}")
        if is_features and meta["features"] == names:
            return tuple(names)
        raise ExportError(f"meta.features {_short(meta['features'])} does not match the "
                          f"network's inputs {_short(names)}")
    return tuple(names) if is_features else None


def raw_input_names(net, meta: dict | None = None) -> list[str]:
    """Names of the columns the exported model takes: x1, x2 for feature networks."""
    return ["x1", "x2"] if feature_ids(net, meta) is not None else list(net.inputs)


def check_finite(net) -> None:
    for l, layer in enumerate(net.layers):
        if not np.isfinite(layer.W).all() or (layer.use_bias and not np.isfinite(layer.b).all()):
            raise ExportError(f"layer {l + 1} contains NaN or infinite parameters "
                              "(a diverged network cannot be exported)")


def _short(value, limit: int = 80) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[:limit] + "…"


def write_atomic(path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same directory,
    fsync'ed, then os.replace. ExportError (one line) if it cannot be written."""
    path = Path(path)
    try:
        write_bytes_atomically(path, data)
    except OSError as e:
        raise ExportError(f"{source_name(path)}: cannot write the file "
                          f"({' '.join(str(e.strerror or e).split())})") from None


def describe(net, meta: dict | None = None) -> list[str]:
    """Lines describing the network: sizes, activations, inputs, outputs, classes."""
    meta = meta or {}
    feats = feature_ids(net, meta)
    lines = [f"Layer sizes: {' -> '.join(map(str, net.sizes))}",
             f"Activations: {', '.join(net.activation_names)}"]
    if not all(layer.use_bias for layer in net.layers):
        lines.append("Biases: " + ", ".join(
            f"layer {l + 1} {'yes' if layer.use_bias else 'none'}"
            for l, layer in enumerate(net.layers)))
    if feats is not None:
        lines.append(f"Inputs: the point (x1, x2); the network sees the features "
                     f"{', '.join(feats)}")
    else:
        lines.append(f"Inputs: {', '.join(map(repr, net.inputs))}")
    scaling = net.input_scaling
    if scaling is not None:
        lines.append(f"Input scaling: {scaling.method}, from the training rows: the inputs "
                     "are (x - offset) / scale before the first layer (built in: give raw rows)")
    lines.append(f"Outputs: {', '.join(map(repr, net.outputs))}")
    if isinstance(meta.get("task"), str):
        lines.append(f"Task: {meta['task']}")
    if isinstance(meta.get("loss"), str):
        lines.append(f"Trained with loss: {meta['loss']}")
    if isinstance(meta.get("classes"), list):
        lines.append(f"Classes: {', '.join(map(repr, meta['classes']))}")
    return lines
