"""PlaneSpec as JSON (a session's meta.plane): round trip, and one-line refusals."""
import pytest

from model.data.plane import PlaneSpec


@pytest.mark.parametrize("spec", [PlaneSpec(), PlaneSpec("pca", (1, 3), ()),
                                  PlaneSpec("slice", (2, 0), (1.5, None, -3.0, None))])
def test_round_trip(spec):
    d = spec.to_dict()
    assert d == {"kind": spec.kind, "axes": list(spec.axes), "held": list(spec.held)}
    assert PlaneSpec.from_dict(d) == spec


@pytest.mark.parametrize("d, words", [
    ([0, 1], "expected an object"),
    ({"kind": "slice", "axes": [0, 1], "extra": 1}, "expected an object"),
    ({"kind": 3}, "kind must be a string"),
    ({"kind": "cube"}, "kind must be one of"),
    ({"axes": [0]}, "two input numbers"),
    ({"axes": [0, 1.5]}, "two input numbers"),
    ({"axes": [True, 1]}, "two input numbers"),
    ({"held": "mean"}, "numbers or null"),
    ({"held": [1, "x"]}, "numbers or null"),
    ({"held": [10 ** 400]}, "too large"),
    ({"held": [float("nan")]}, "finite"),
])
def test_anything_else_is_a_one_line_value_error(d, words):
    with pytest.raises(ValueError) as err:
        PlaneSpec.from_dict(d)
    assert words in str(err.value) and "\n" not in str(err.value)
