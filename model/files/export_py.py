"""Export a network as a standalone Python module that needs only numpy.

``export_python(net, path, meta)`` writes a readable ``.py`` file holding the weights as
Python float literals (written with repr(), so they load back bit for bit), the names of
the inputs and outputs, the feature transforms the network uses, the activation functions
and ``predict(X)`` / ``predict_class(X)``. Run as a script it reads CSV rows of raw inputs
from stdin (or a file) and prints the predictions as CSV.

The generated module imports nothing but numpy, sys and csv; it never reads data files or
evaluates anything it reads.

A network's inputs are either feature ids (``x1, x2, x1^2, ...``: the raw input is the 2-D
point (x1, x2) and the features are computed from it) or raw column names (the raw input is
those columns as they are); ``feature_ids(net, meta)`` decides, the same way the app does.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from model.files.atomic import write_bytes_atomically
from model.data.features import are_feature_ids

PRODUCER = "Backprop Playground"

# numpy expressions of the features, in terms of the raw columns x1 and x2. They compute
# exactly what ``features.FEATURES`` computes (x1 * x1, not x1 ** 2, to match bit for bit).
FEATURE_CODE = {
    "x1": "x1",
    "x2": "x2",
    "x1^2": "x1 * x1",
    "x2^2": "x2 * x2",
    "x1x2": "x1 * x2",
    "sin_x1": "np.sin(x1)",
    "sin_x2": "np.sin(x2)",
}

_ACTIVATION_CODE = {
    "sigmoid": '''\
def sigmoid(z):
    """1 / (1 + e^-z); the argument is clipped so that e^-z cannot overflow."""
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0)))
''',
    "tanh": '''\
def tanh(z):
    return np.tanh(z)
''',
    "relu": '''\
def relu(z):
    return np.maximum(z, 0.0)
''',
    "linear": '''\
def linear(z):
    return z
''',
    "softmax": '''\
def softmax(z):
    """e^z_j / sum_k e^z_k per row; the row maximum is subtracted first so exp stays finite."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
''',
}


class ExportError(ValueError):
    """A network that cannot be exported, or a file that cannot be written; one line."""


# ------------------------------------------------------------------------------ shared helpers

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


def _file_name(path: Path) -> str:
    name = path.name or str(path)
    return name if name.isprintable() else repr(name)[1:-1]


def write_atomic(path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same directory,
    fsync'ed, then os.replace. ExportError (one line) if it cannot be written."""
    path = Path(path)

    def fail(e: OSError):
        raise ExportError(f"{_file_name(path)}: cannot write the file "
                          f"({' '.join(str(e.strerror or e).split())})") from None

    try:
        write_bytes_atomically(path, data)
    except OSError as e:
        fail(e)


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
    lines.append(f"Outputs: {', '.join(map(repr, net.outputs))}")
    if isinstance(meta.get("task"), str):
        lines.append(f"Task: {meta['task']}")
    if isinstance(meta.get("loss"), str):
        lines.append(f"Trained with loss: {meta['loss']}")
    if isinstance(meta.get("classes"), list):
        lines.append(f"Classes: {', '.join(map(repr, meta['classes']))}")
    return lines


# ------------------------------------------------------------------------------ Python export

def _docstring_text(text: str) -> str:
    """``text`` safe inside a triple-quoted docstring: backslashes and quotes escaped,
    unprintable characters written as escapes (a source file cannot hold a NUL)."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return "".join(c if c == "\n" or c.isprintable() else repr(c)[1:-1] for c in text)


def _matrix_literal(rows: list[list[float]], indent: str) -> str:
    lines = [indent + "[" + ", ".join(map(repr, row)) + "]," for row in rows]
    return "[\n" + "\n".join(lines) + "\n" + indent[:-4] + "]"


def _is_classification(net, meta: dict) -> bool:
    task = meta.get("task")
    if task is not None:
        return task == "classification"
    return True  # unknown: offer predict_class; the caller knows what the outputs mean


def python_source(net, meta: dict | None = None) -> str:
    """The text of the standalone module for ``net`` (see ``export_python``)."""
    meta = dict(meta or {})
    check_finite(net)
    feats = feature_ids(net, meta)
    raw = raw_input_names(net, meta)
    classes = meta.get("classes") if isinstance(meta.get("classes"), list) else None
    task = meta.get("task") if isinstance(meta.get("task"), str) else None
    classify = _is_classification(net, meta)
    out_act = net.output_activation
    k = net.sizes[-1]
    d = len(raw)

    doc = [f"A neural network generated by {PRODUCER}.", ""]
    doc += describe(net, meta)
    doc += ["",
            "Needs only numpy. Use it as a module (predict takes a list or an array of raw",
            f"input rows (n, {d}), or a single row ({d},), and returns the outputs (n, {k})):",
            "",
            "    import numpy as np",
            "    import this_module",
            f"    X = np.zeros((3, {d}))  # columns: {', '.join(map(repr, raw))}",
            "    Y = this_module.predict(X)",
            ]
    if classify:
        doc.append("    labels = this_module.predict_class(X)  # class index per row")
    doc += ["",
            "or as a script: CSV rows of raw inputs on stdin (or in a file named as the",
            "argument; a header row naming the columns is optional) -> CSV predictions:",
            "",
            "    python this_file.py points.csv",
            ]
    out = ['"""' + _docstring_text("\n".join(doc)) + '\n"""', ""]
    out += ["import csv", "import sys", "", "import numpy as np", "", ""]
    out.append(f"INPUTS = {list(net.inputs)!r}  # what the network sees, one per row of W1")
    out.append(f"OUTPUTS = {list(net.outputs)!r}")
    out.append(f"FEATURES = {list(feats)!r}" if feats is not None else
               "FEATURES = None  # the inputs are raw columns, used as they are")
    out.append(f"RAW_INPUTS = {raw!r}  # the columns predict() takes")
    out.append(f"ACTIVATIONS = {net.activation_names!r}")
    out.append(f"TASK = {task!r}")
    out.append(f"CLASSES = {classes!r}")
    out += ["", ""]

    out.append("# Layer l computes a_l = f_l(a_{l-1} . W_l + b_l); W_l[i][j] is the weight from unit i")
    out.append("# of the previous layer to unit j of this one. A layer without biases has b_l = None.")
    for l, layer in enumerate(net.layers, start=1):
        out.append(f"# layer {l}: {layer.n_in} -> {layer.n_out}, {layer.activation.name}")
        out.append(f"W{l} = np.array({_matrix_literal(layer.W.tolist(), '    ')}, "
                   "dtype=np.float64)")
        if layer.use_bias:
            out.append(f"b{l} = np.array([{', '.join(map(repr, layer.b.tolist()))}], "
                       "dtype=np.float64)")
        else:
            out.append(f"b{l} = None")
    out += ["", ""]

    # feature transforms
    if feats is not None:
        used = {v for fid in feats for v in ("x1", "x2") if v in FEATURE_CODE[fid]}
        out.append("def features(X):")
        out.append(f'    """Raw points X (n, 2) = (x1, x2) -> the network\'s inputs (n, {len(feats)}): '
                   f'{", ".join(feats)}."""')
        if "x1" in used:
            out.append("    x1 = X[:, 0]")
        if "x2" in used:
            out.append("    x2 = X[:, 1]")
        out.append("    return np.stack([")
        for fid in feats:
            out.append(f"        {FEATURE_CODE[fid]},  # {fid}")
        out.append("    ], axis=1)")
    else:
        out.append("def features(X):")
        out.append('    """The inputs are raw columns: the network sees X as it is."""')
        out.append("    return X")
    out += ["", ""]

    for name in dict.fromkeys(net.activation_names):
        out.append(_ACTIVATION_CODE[name])
        out.append("")

    out.append("LAYERS = [" + ", ".join(
        f"(W{l}, b{l}, {layer.activation.name})" for l, layer in enumerate(net.layers, start=1))
        + "]  # (weights, biases, activation) per layer")
    out += ["", ""]

    out.append(f'''\
def _as_rows(X):
    """X as float64 (n, {d}); a single row ({d},) becomes (1, {d}). ValueError otherwise."""
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"X must be numbers of shape (n, {d}) or ({d},): {{e}}") from None
    if X.ndim == 1:
        X = X[None, :]
    if X.ndim != 2 or X.shape[1] != {d}:
        raise ValueError(f"X must have shape (n, {d}) or ({d},) with the columns "
                         f"{{', '.join(RAW_INPUTS)}}, got shape {{np.shape(X)}}")
    return X


def predict(X):
    """Outputs (n, {k}) for raw inputs X: (n, {d}) rows, or one row ({d},) -> (1, {k})."""
    a = features(_as_rows(X))
    for W, b, f in LAYERS:
        z = a @ W if b is None else a @ W + b
        a = f(z)
    return a
''')
    if classify:
        if k > 1:
            rule, expr = "the output with the largest value", "np.argmax(a, axis=1)"
        else:
            threshold = "0.0" if out_act == "tanh" else "0.5"
            rule = f"1 where the output is > {threshold}, else 0"
            expr = f"(a[:, 0] > {threshold}).astype(np.int64)"
        out.append(f'''
def predict_class(X):
    """Class index per row (n,): {rule}."""
    a = predict(X)
    return {expr}
''')
    out.append(f'''
def _read_rows(f):
    """Rows of floats from CSV text; a first row that is not numbers is a header."""
    rows, header = [], None
    for lineno, row in enumerate(csv.reader(f), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        try:
            values = [float(c) for c in cells]
        except ValueError:
            if header is None and not rows:
                header = cells
                continue
            raise ValueError(f"line {{lineno}}: not a number in {{row!r}}") from None
        rows.append(values)
    if header is not None:
        if all(name in header for name in RAW_INPUTS):
            columns = [header.index(name) for name in RAW_INPUTS]
        elif len(header) == {d}:
            columns = list(range({d}))
        else:
            raise ValueError(f"the header names {{header!r}}, expected the columns "
                             f"{{', '.join(RAW_INPUTS)}}")
        try:
            rows = [[r[c] for c in columns] for r in rows]
        except IndexError:
            raise ValueError("a row has fewer cells than the header") from None
    for i, r in enumerate(rows):
        if len(r) != {d}:
            raise ValueError(f"row {{i + 1}}: expected {d} numbers ({{', '.join(RAW_INPUTS)}}), "
                             f"got {{len(r)}}")
    return np.array(rows, dtype=np.float64).reshape(-1, {d})


def main(argv=None):
    """CSV of raw inputs (stdin, or the file named by the argument) -> CSV of predictions."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) > 1 or (argv and argv[0] in ("-h", "--help")):
        print("usage: python " + sys.argv[0] + " [INPUTS.csv]  (reads stdin without a file)",
              file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        if argv and argv[0] != "-":
            with open(argv[0], newline="", encoding="utf-8-sig") as f:
                X = _read_rows(f)
        else:
            X = _read_rows(sys.stdin)
    except (OSError, ValueError) as e:
        print(f"error: {{e}}", file=sys.stderr)
        return 2
    Y = predict(X)
    writer = csv.writer(sys.stdout, lineterminator="\\n")''')
    if classify and task == "classification":
        out.append('''\
    labels = predict_class(X)
    writer.writerow(OUTPUTS + ["class"])
    for y, c in zip(Y.tolist(), labels.tolist()):
        name = CLASSES[c] if CLASSES is not None and c < len(CLASSES) else c
        writer.writerow([repr(v) for v in y] + [name])
    return 0
''')
    else:
        out.append('''\
    writer.writerow(OUTPUTS)
    for y in Y.tolist():
        writer.writerow([repr(v) for v in y])
    return 0
''')
    out.append('''
if __name__ == "__main__":
    sys.exit(main())
''')
    return "\n".join(out)


def export_python(net, path, meta: dict | None = None) -> None:
    """Write ``net`` as a standalone numpy-only Python module to ``path`` (atomically).

    ``meta`` (as saved in a weights file: task, loss, features, classes) is described in the
    module's docstring and decides whether ``predict_class`` is offered. ExportError (one
    line) if the network has non-finite parameters or the file cannot be written.
    """
    write_atomic(path, python_source(net, meta).encode("utf-8"))
