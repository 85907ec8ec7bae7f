"""The real data sets shipped with the app: iris, wine and the Wisconsin breast-cancer data.

Small, classic and public (sources and licences in ``resources/datasets/SOURCES.md``). They are
opened like any CSV file (same reader, same defaults: inputs standardised, 20 % test rows by
class); only where to find them is special. ``--data iris`` on the command line, File → Open
data example in the window.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from model.files.bundled import resource


@dataclass(frozen=True)
class BundledSet:
    name: str  # what --data takes
    title: str  # for menus
    file: str
    summary: str  # one line: what it is


BUNDLED: dict[str, BundledSet] = {s.name: s for s in (
    BundledSet("iris", "Iris flowers", "iris.csv",
               "150 flowers, 4 measurements, 3 species (Fisher 1936)"),
    BundledSet("wine", "Wine cultivars", "wine.csv",
               "178 wines, 13 chemical measurements, 3 cultivars"),
    BundledSet("breast_cancer", "Breast cancer (Wisconsin, diagnostic)", "breast_cancer.csv",
               "569 samples, 30 cell-nucleus features, malignant or benign"),
)}


def bundled_path(name: str) -> Path:
    """The CSV file of a bundled set; ValueError for an unknown name."""
    if name not in BUNDLED:
        raise ValueError(f"unknown data set {name!r} (bundled: {', '.join(BUNDLED)})")
    return resource("datasets", BUNDLED[name].file)


def data_path(text: str) -> Path:
    """What ``--data`` names: a bundled set (a bare name such as ``iris``, when no such file
    exists here) or a file path."""
    path = Path(text)
    if text in BUNDLED and not path.exists():
        return bundled_path(text)
    return path
