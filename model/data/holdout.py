"""Held-out test rows for data from a file: 20 % by default, stratified by class, seeded.

Generated sets keep TF Playground's plain random split (``datasets.split``); a file's classes
can be small or unbalanced, and a plain random split of 150 iris rows can leave a class with
few test rows. Here every class gives the same share of its rows: with n_train of n rows for
training, a class of n_c rows puts floor or ceil of n_train·n_c/n of them into training, so each
class's share of the test rows is within one row of its share of the data.
"""
from __future__ import annotations

import math

import numpy as np

from model.data.datasets import Data, check_seed, readonly, split

#: the share of a file's rows used for training unless a split column or the user says otherwise
DEFAULT_TRAIN_RATIO = 0.8


def n_train_rows(n: int, train_ratio: float) -> int:
    """round(train_ratio · n) clamped to [1, n], as ``datasets.split`` counts."""
    if not isinstance(train_ratio, (int, float)) or isinstance(train_ratio, bool) \
            or not (math.isfinite(train_ratio) and 0.0 < train_ratio <= 1.0):
        raise ValueError(f"train_ratio must be in (0, 1], got {train_ratio!r}")
    return min(max(round(float(train_ratio) * n), 1), n)


def stratified_train_mask(y, train_ratio: float, seed: int) -> np.ndarray:
    """(n,) bool: which rows train, the same share of every class (see the module doc).

    y: (n,) class indices. Which rows of a class train, and which classes take the rows left
    over after rounding down, is a seeded random choice.
    """
    y = np.asarray(y, dtype=np.int64).ravel()
    n = len(y)
    n_train = n_train_rows(n, train_ratio)
    classes, counts = np.unique(y, return_counts=True)
    exact = counts * (n_train / n)
    take = np.floor(exact).astype(np.int64)
    rng = np.random.default_rng([check_seed(seed), 0x5B117, 2])
    left = n_train - int(take.sum())
    if left:
        # largest remainders first; ties broken at random (not always the first class)
        order = np.lexsort((rng.random(len(classes)), -(exact - take)))
        take[order[:left]] += 1
    train = np.zeros(n, dtype=bool)
    for c, k in zip(classes, take):
        rows = np.flatnonzero(y == c)
        train[rng.choice(rows, size=int(k), replace=False)] = True
    return train


def holdout(X, y, train_ratio: float, seed: int, *, task: str, input_names, target_names,
            name: str, origin: str = "file") -> Data:
    """A Data with ``train_ratio`` of the rows for training: stratified by class for
    classification, plain seeded random (``datasets.split``) for regression. Both parts keep
    the rows' order."""
    if task != "classification":
        return split(X, y, train_ratio, seed, task=task, input_names=input_names,
                     target_names=target_names, name=name, origin=origin)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    if X.ndim != 2 or len(X) < 1 or y.shape != (len(X),):
        raise ValueError(f"need X (n, d) with n >= 1 and y (n,), got {X.shape}, {y.shape}")
    train = stratified_train_mask(y, train_ratio, seed)
    return Data(readonly(X[train], np.float64), readonly(y[train], np.int64),
                readonly(X[~train], np.float64), readonly(y[~train], np.int64),
                task=task, input_names=tuple(input_names), target_names=tuple(target_names),
                name=name, origin=origin)
