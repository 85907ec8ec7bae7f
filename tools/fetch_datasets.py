"""Write resources/datasets/*.csv from the copies scikit-learn ships in its wheel.

The three classic sets are public (UCI Machine Learning Repository, CC BY 4.0; see
resources/datasets/SOURCES.md). scikit-learn's wheel carries them as CSV files in
``sklearn/datasets/data/`` (a count line, then rows of numbers ending in a class index) and the
column names in ``sklearn/datasets/_base.py``. This script reads both straight from the wheel
(nothing is installed or imported from it; the column-name lists are read with ``ast``, never
executed) and writes each set as a plain CSV with a header and the class names, the numbers
copied as they are written in the wheel.

    pip download scikit-learn --no-deps --only-binary=:all: -d /tmp/wheel
    python tools/fetch_datasets.py /tmp/wheel/scikit_learn-*.whl
"""
from __future__ import annotations

import ast
import csv
import io
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "resources" / "datasets"

# file in the wheel, the loader whose feature_names to use, our file, our target column
SETS = [
    ("iris.csv", "load_iris", "iris.csv", "species"),
    ("wine_data.csv", "load_wine", "wine.csv", "cultivar"),
    ("breast_cancer.csv", "load_breast_cancer", "breast_cancer.csv", "diagnosis"),
]


def feature_names(base_py: str, loader: str) -> list[str]:
    """The literal list assigned to ``feature_names`` inside ``loader`` (maybe in np.array)."""
    for node in ast.walk(ast.parse(base_py)):
        if isinstance(node, ast.FunctionDef) and node.name == loader:
            for stmt in ast.walk(node):
                if isinstance(stmt, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == "feature_names" for t in stmt.targets):
                    value = stmt.value
                    if isinstance(value, ast.Call):
                        value = value.args[0]
                    return list(ast.literal_eval(value))
    raise SystemExit(f"feature_names of {loader} not found")


def convert(text: str, names: list[str], target: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    n, d, *classes = rows[0]
    body = rows[1:]
    if int(n) != len(body) or int(d) != len(names):
        raise SystemExit(f"unexpected shape: header says {n}×{d}, found {len(body)}×{len(names)}")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([*names, target])
    for row in body:
        if len(row) != len(names) + 1:
            raise SystemExit(f"a row has {len(row)} fields")
        w.writerow([*row[:-1], classes[int(row[-1])]])
    return out.getvalue()


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as z:
        base = z.read("sklearn/datasets/_base.py").decode("utf-8")
        OUT.mkdir(parents=True, exist_ok=True)
        for src, loader, dst, target in SETS:
            text = z.read(f"sklearn/datasets/data/{src}").decode("utf-8")
            (OUT / dst).write_text(convert(text, feature_names(base, loader), target), "utf-8")
            print(f"wrote {OUT / dst}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
