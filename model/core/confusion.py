"""Classification read-outs: the confusion matrix and the accuracy of each class.

``counts[i, j]`` is the number of rows of true class i that the network puts in class j, so a
row of the matrix is one true class and the diagonal holds the rows it gets right. Row-normalised,
row i tells where the rows of class i go; its diagonal entry is the accuracy of class i (its
recall). A class with no rows has a row of NaN (nothing to normalise), never a division warning.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def confusion_matrix(true, predicted, n_classes: int) -> np.ndarray:
    """counts (n_classes, n_classes) int64 from class indices true (n,) and predicted (n,)."""
    true = np.asarray(true, dtype=np.int64).ravel()
    predicted = np.asarray(predicted, dtype=np.int64).ravel()
    if true.shape != predicted.shape:
        raise ValueError(f"true {true.shape} and predicted {predicted.shape} differ in length")
    for name, a in (("true", true), ("predicted", predicted)):
        if a.size and (a.min() < 0 or a.max() >= n_classes):
            raise ValueError(f"{name} classes must be in 0..{n_classes - 1}")
    return np.bincount(true * n_classes + predicted,
                       minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def row_normalised(counts) -> np.ndarray:
    """Each row divided by its sum (the share of a true class put in each class); NaN rows for
    classes without rows."""
    counts = np.asarray(counts, dtype=np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    out = np.full_like(counts, np.nan)
    np.divide(counts, totals, out=out, where=totals > 0)
    return out


def per_class_accuracy(counts) -> np.ndarray:
    """(C,) the share of each true class predicted right (NaN for a class without rows)."""
    return np.diagonal(row_normalised(counts)).copy()


@dataclass(frozen=True, eq=False)
class ConfusionReport:
    """The read-outs of one part of the data (train or test)."""

    class_names: tuple[str, ...]
    counts: np.ndarray  # (C, C) int64, [true, predicted]

    @property
    def normalised(self) -> np.ndarray:
        return row_normalised(self.counts)

    @property
    def per_class(self) -> np.ndarray:
        return per_class_accuracy(self.counts)

    @property
    def n_rows(self) -> int:
        return int(self.counts.sum())

    @property
    def accuracy(self) -> float:
        """Overall share of rows predicted right (NaN without rows)."""
        n = self.n_rows
        return float(np.trace(self.counts)) / n if n else float("nan")

    def text(self) -> list[str]:
        """The accuracy of each class, one line each, with the class names."""
        return [f"{name}: {acc:.3f} ({int(self.counts[i].sum())} rows)" if acc == acc
                else f"{name}: n/a (no rows)"
                for i, (name, acc) in enumerate(zip(self.class_names, self.per_class))]


def report(true, predicted, class_names) -> ConfusionReport:
    names = tuple(class_names)
    return ConfusionReport(names, confusion_matrix(true, predicted, len(names)))
