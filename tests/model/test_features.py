"""Input feature transforms (TF Playground's seven features)."""
import math

import numpy as np
import pytest

from model.data.features import (DEFAULT_FEATURES, FEATURES, feature_label, parse_features,
                            transform)

IDS = ["x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2"]


def test_feature_ids_and_labels_in_order():
    assert list(FEATURES) == IDS
    labels = ["x₁", "x₂", "x₁²", "x₂²", "x₁x₂", "sin(x₁)", "sin(x₂)"]
    assert [FEATURES[i][0] for i in IDS] == labels
    label, fn = FEATURES["x1x2"]  # entries unpack as (label, function of x1, x2)
    assert label == "x₁x₂" and fn(np.array([3.0]), np.array([-2.0]))[0] == -6.0
    assert [feature_label(i) for i in IDS] == [FEATURES[i].label for i in IDS]
    assert DEFAULT_FEATURES == ("x1", "x2")


def test_transform_values_by_hand():
    X = np.array([[1.0, 2.0], [-0.5, 3.0], [0.0, -4.0]])
    out = transform(X, IDS)
    assert out.shape == (3, 7) and out.dtype == np.float64
    for row, (a, b) in zip(out, X):
        expected = [a, b, a * a, b * b, a * b, math.sin(a), math.sin(b)]
        assert row.tolist() == pytest.approx(expected, abs=1e-15)


def test_transform_columns_follow_the_requested_order():
    X = np.array([[2.0, 3.0]])
    assert transform(X, ["x2^2", "x1", "x1x2"]).tolist() == [[9.0, 2.0, 6.0]]
    assert transform(X, DEFAULT_FEATURES).tolist() == [[2.0, 3.0]]


def test_transform_handles_zero_rows_and_does_not_alias_input():
    assert transform(np.zeros((0, 2)), ["x1", "sin_x2"]).shape == (0, 2)
    X = np.array([[1.0, 2.0]])
    out = transform(X, ["x1"])
    out[0, 0] = 99.0
    assert X[0, 0] == 1.0


def test_unknown_feature_is_named_and_valid_ids_listed():
    with pytest.raises(ValueError, match=r"'x3'.*x1, x2, x1\^2, x2\^2, x1x2, sin_x1, sin_x2"):
        transform(np.zeros((2, 2)), ["x1", "x3"])


@pytest.mark.parametrize("ids", [[], ["x1", "x1"], "x1", ["x1", None]])
def test_bad_feature_lists_rejected(ids):
    with pytest.raises(ValueError):
        transform(np.zeros((2, 2)), ids)


@pytest.mark.parametrize("shape", [(4, 1), (4, 3), (4,), (2, 2, 2)])
def test_raw_inputs_must_have_two_columns(shape):
    with pytest.raises(ValueError, match="2"):
        transform(np.zeros(shape), ["x1"])


@pytest.mark.parametrize("text, expected", [
    ("x1,x2,x1^2", ("x1", "x2", "x1^2")),
    (" x1 , x2 ", ("x1", "x2")),
    ("x1*x2", ("x1x2",)),
    ("x1x2, x2*x1", None),  # same feature twice
    ("sin(x1), sinx2", ("sin_x1", "sin_x2")),
    ("x1², x2^2", ("x1^2", "x2^2")),
    ("sin(x₁), x₁x₂", ("sin_x1", "x1x2")),
    ("SIN_X1", ("sin_x1",)),
])
def test_parse_features(text, expected):
    if expected is None:
        with pytest.raises(ValueError, match="twice"):
            parse_features(text)
    else:
        assert parse_features(text) == expected


@pytest.mark.parametrize("text, match", [
    ("", "no features"),
    ("   ", "no features"),
    ("x1,,x2", "empty"),
    ("x1, cos(x1)", "cos"),
    ("x1, x1", "twice"),
])
def test_parse_features_errors(text, match):
    with pytest.raises(ValueError, match=match):
        parse_features(text)


def test_feature_label_unknown():
    with pytest.raises(ValueError, match="'nope'"):
        feature_label("nope")


def test_are_feature_ids_and_input_label():
    from model.data.features import are_feature_ids, input_label
    assert are_feature_ids(["x1", "x2", "sin_x1"])
    assert not are_feature_ids(["x1", "x1"])  # repeated: not a feature set
    assert not are_feature_ids(["a", "x1"])  # a CSV column
    assert input_label("x1^2") == "x₁²" and input_label("petal width") == "petal width"
