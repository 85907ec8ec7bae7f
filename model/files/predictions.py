"""Predictions for the rows of a CSV file: what ``predict --init W.json --data D.csv`` does.

The CSV is either the app's own data file (its ``label``, ``y``/``y1..yk`` and ``split``
columns are ignored) or just the input columns, with a header. The columns the network takes
(``x1, x2`` for a network on feature transforms, else its input names) are picked by name;
when the names differ and exactly that many input columns remain, they are taken in order
(as training does). The result is CSV: one column per output (the network's output names)
and, for classification, a ``class`` column holding the class names from the weights' meta.
"""
from __future__ import annotations

import csv
import io
import re

import numpy as np

from model.core.targets import predicted_classes
from model.data import features as feats
from model.data.csvread import cell_problem, read_table, show  # the app's one CSV reader
from model.files.export_common import check_finite, feature_ids, raw_input_names

_TARGET = re.compile(r"y[0-9]*")
IGNORED = ("label", "split", "y", "y1..yk")


def _ignored(name: str) -> bool:
    return name in ("label", "split") or bool(_TARGET.fullmatch(name))


def read_inputs(path, names: list[str]) -> np.ndarray:
    """The raw input rows (n, len(names)) of the CSV at ``path``, read by the app's one CSV
    reader; CSVError (one line, naming the line) for anything malformed or missing."""
    table = read_table(path)
    fail, header = table.fail, list(table.names)
    if all(name in header for name in names):
        columns = [header.index(name) for name in names]
    else:
        columns = [j for j, name in enumerate(header) if not _ignored(name)]
        if len(columns) != len(names):
            fail(f"the weights take the columns {', '.join(names)}; the header has "
                 f"{', '.join(header[j] for j in columns) or 'none'} (besides "
                 f"{', '.join(IGNORED)}, which are ignored)", table.header_line)
    if not table.n_rows:
        fail("no data rows after the header", table.header_line + 1)
    for j in columns:
        column = table.columns[j]
        if column.problem is not None:
            line, text = column.problem
            fail(f"column {show(column.name)}: {cell_problem(text)}", line)
    return np.array(table.values[:, columns], dtype=np.float64)


def predict_rows(net, meta: dict, X_raw: np.ndarray) -> tuple[np.ndarray, list | None]:
    """(outputs (n, k), class names or indices per row | None for a regression)."""
    ids = feature_ids(net, meta)
    X = feats.transform(X_raw, ids) if ids is not None else X_raw
    with np.errstate(all="ignore"):
        Y = net.predict(X)
    task = meta.get("task")
    if task is None:  # weights saved without meta: judge by the output layer
        task = "classification" if net.output_activation in ("sigmoid", "softmax") else None
    if task != "classification":
        return Y, None
    classes = meta.get("classes")
    index = predicted_classes(Y, net.output_activation).tolist()
    if isinstance(classes, list) and len(classes) >= max(index, default=0) + 1:
        return Y, [classes[i] for i in index]
    return Y, index


def predictions_csv(net, meta: dict, X_raw: np.ndarray) -> str:
    """The CSV text: the output columns (full precision), then ``class`` if classifying."""
    Y, labels = predict_rows(net, meta, X_raw)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(net.outputs) + (["class"] if labels is not None else []))
    for r, y in enumerate(Y.tolist()):
        writer.writerow([repr(v) for v in y] + ([labels[r]] if labels is not None else []))
    return out.getvalue()


def predict_file(net, meta: dict, path) -> str:
    """The predictions CSV for the CSV file at ``path`` (see the module docstring)."""
    check_finite(net)
    return predictions_csv(net, meta, read_inputs(path, raw_input_names(net, meta)))
