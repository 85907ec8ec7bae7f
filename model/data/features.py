"""Input feature transforms: TF Playground's x1, x2, x1², x2², x1x2, sin(x1), sin(x2).

A network sees ``transform(X_raw, ids)`` instead of the raw (x1, x2) points, so a single
neuron on x1² and x2² can already separate the circle data set.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Callable, Mapping, NamedTuple, Sequence

import numpy as np


class Feature(NamedTuple):
    label: str  # display label, with sub/superscripts
    fn: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (x1 (n,), x2 (n,)) -> (n,)


FEATURES: Mapping[str, Feature] = MappingProxyType({
    "x1": Feature("x₁", lambda x1, x2: x1),
    "x2": Feature("x₂", lambda x1, x2: x2),
    "x1^2": Feature("x₁²", lambda x1, x2: x1 * x1),
    "x2^2": Feature("x₂²", lambda x1, x2: x2 * x2),
    "x1x2": Feature("x₁x₂", lambda x1, x2: x1 * x2),
    "sin_x1": Feature("sin(x₁)", lambda x1, x2: np.sin(x1)),
    "sin_x2": Feature("sin(x₂)", lambda x1, x2: np.sin(x2)),
})

DEFAULT_FEATURES: tuple[str, ...] = ("x1", "x2")

# Spellings people type, after _normalize (lower case, no spaces, plain digits, ^2 for ²).
_ALIASES = {
    "x1*x2": "x1x2", "x2*x1": "x1x2", "x2x1": "x1x2",
    "x1**2": "x1^2", "x2**2": "x2^2", "x1*x1": "x1^2", "x2*x2": "x2^2",
    "sin(x1)": "sin_x1", "sinx1": "sin_x1", "sin(x2)": "sin_x2", "sinx2": "sin_x2",
}
_PLAIN = str.maketrans({"₁": "1", "₂": "2", "²": "^2", "·": "*", "×": "*"})


def _valid() -> str:
    return ", ".join(FEATURES)


def _normalize(text: str) -> str:
    return "".join(text.split()).lower().translate(_PLAIN)


def feature_label(feature_id: str) -> str:
    """Display label of a feature id, e.g. "x1^2" -> "x₁²"."""
    if feature_id not in FEATURES:
        raise ValueError(f"unknown feature {feature_id!r} (valid: {_valid()})")
    return FEATURES[feature_id].label


def input_label(name: str) -> str:
    """How to show a network input: a feature's label ("x₁²"), any other column as named."""
    return FEATURES[name].label if name in FEATURES else name


def are_feature_ids(names: Sequence[str]) -> bool:
    """True when ``names`` are distinct feature ids: the network's inputs are then computed
    from a raw point (x1, x2), otherwise they are columns taken as they are."""
    names = list(names)
    return all(isinstance(n, str) and n in FEATURES for n in names) and len(set(names)) == len(names)


def check_features(feature_ids: Sequence[str]) -> tuple[str, ...]:
    """The ids as a tuple; ValueError if empty, unknown or repeated."""
    if isinstance(feature_ids, str):
        # A bare string would be read one character at a time.
        raise ValueError(f"feature ids must be a sequence such as ('x1', 'x2'), not the string "
                         f"{feature_ids!r}; use parse_features() for text")
    ids = tuple(feature_ids)
    if not ids:
        raise ValueError(f"at least one input feature is needed (valid: {_valid()})")
    seen = set()
    for fid in ids:
        if not isinstance(fid, str) or fid not in FEATURES:
            raise ValueError(f"unknown feature {fid!r} (valid: {_valid()})")
        if fid in seen:
            raise ValueError(f"feature {fid!r} is listed twice")
        seen.add(fid)
    return ids


def transform(X_raw: np.ndarray, feature_ids: Sequence[str]) -> np.ndarray:
    """Feature matrix (n, len(feature_ids)) float64 from raw points X_raw (n, 2).

    Column j is feature ``feature_ids[j]`` of (x1, x2) = (X_raw[:, 0], X_raw[:, 1]).
    """
    ids = check_features(feature_ids)
    X = np.asarray(X_raw, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"feature transforms need raw inputs (n, 2) = (x1, x2), got shape "
                         f"{X.shape}")
    out = np.empty((X.shape[0], len(ids)), dtype=np.float64)
    x1, x2 = X[:, 0], X[:, 1]
    for j, fid in enumerate(ids):
        out[:, j] = FEATURES[fid].fn(x1, x2)
    return out


def parse_features(text: str) -> tuple[str, ...]:
    """Canonical ids from comma-separated text, e.g. "x1, x2, x1*x2, sin(x1)".

    Accepts the ids, their display labels and aliases (x1*x2, x1², x1**2, sinx1, ...).
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"no features given (valid: {_valid()})")
    ids = []
    for part in text.split(","):
        key = _normalize(part)
        if not key:
            raise ValueError(f"empty entry in the feature list {text!r}")
        fid = key if key in FEATURES else _ALIASES.get(key)
        if fid is None:
            raise ValueError(f"unknown feature {part.strip()!r} (valid: {_valid()})")
        if fid in ids:
            raise ValueError(f"feature {fid!r} is given twice in {text!r}")
        ids.append(fid)
    return tuple(ids)
