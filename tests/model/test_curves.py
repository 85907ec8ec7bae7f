"""Points above/below a curve (sin x, x³ − x, |x|, a formula) and the sine-wave regression:
labels on the right side, an empty band around the curve, noise that flips labels only near it,
the [−6, 6] plane, a formula that is used as given, and the settings and CLI that reach them."""
import math
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from model.data import curves
from model.data.datasets import DATASETS, generate, make_data
from model.data.formula import FormulaError
from model.playground import Playground, Settings

ROOT = pathlib.Path(__file__).resolve().parents[2]

# The curves written again by hand, from the module's description of them.
BY_HAND = {
    "curve_sin": lambda x: 3 * np.sin(math.pi * x / 3),
    "curve_cubic": lambda x: 4 * ((x / 4.5) ** 3 - x / 4.5),
    "curve_abs": lambda x: np.abs(x) - 3,
    "curve_formula": lambda x: x ** 2 / 3 - 2,  # the default formula
}


@pytest.mark.parametrize("name", list(BY_HAND))
def test_labels_say_which_side_of_the_curve(name):
    X, y = generate(name, 800, 0.0, seed=4)
    f = BY_HAND[name]
    np.testing.assert_array_equal(y, (X[:, 1] > f(X[:, 0])).astype(np.int64))
    assert 0.2 < y.mean() < 0.8  # both sides are populated
    assert np.abs(X).max() <= 6.0 and np.abs(X).max() > 5.9  # the whole [−6, 6] plane


@pytest.mark.parametrize("name", list(BY_HAND))
def test_a_band_around_the_curve_stays_empty(name):
    X, _ = generate(name, 800, 0.0, seed=5)
    f = BY_HAND[name]
    # vertically the band is at least the margin wide
    assert np.min(np.abs(X[:, 1] - f(X[:, 0]))) >= curves.MARGIN
    # and the true distance to the curve (dense polyline) is close to the margin or more
    xs = np.linspace(-6.5, 6.5, 26001)
    line = np.column_stack([xs, f(xs)])
    nearest = np.min(np.hypot(X[:, None, 0] - line[None, :, 0], X[:, None, 1] - line[None, :, 1]),
                     axis=1)
    assert nearest.min() >= 0.8 * curves.MARGIN
    # without the band (margin 0) points come much closer: the band is what keeps them away
    X0, _ = curves.above_below(f, 800, 0.0, np.random.default_rng(5), margin=0.0)
    assert np.min(np.abs(X0[:, 1] - f(X0[:, 0]))) < 0.05


def test_noise_flips_labels_only_near_the_curve():
    X, y = generate("curve_sin", 2000, 0.3, seed=6)
    f = BY_HAND["curve_sin"]
    clean = (X[:, 1] > f(X[:, 0])).astype(np.int64)
    flipped = y != clean
    assert 0.02 < flipped.mean() < 0.3
    shift = curves.NOISE_SHIFT * 0.3  # each coordinate moves at most this much
    vertical = np.abs(X[:, 1] - f(X[:, 0]))[flipped]
    assert vertical.max() <= shift + math.pi * shift  # |Δy| ≤ shift + max|f′|·shift


def test_the_formula_set_uses_the_formula_given():
    X, y = generate("curve_formula", 600, 0.0, seed=2, formula="2*sin(x) - x/3")
    expected = X[:, 1] > 2 * np.sin(X[:, 0]) - X[:, 0] / 3
    np.testing.assert_array_equal(y, expected.astype(np.int64))
    X_default, _ = generate("curve_formula", 600, 0.0, seed=2)
    X_same, _ = generate("curve_formula", 600, 0.0, seed=2, formula=curves.DEFAULT_FORMULA)
    assert np.array_equal(X_default, X_same) and not np.array_equal(X_default, X)
    # other sets ignore a formula
    assert np.array_equal(generate("curve_sin", 50, 0.1, 3, formula="x")[0],
                          generate("curve_sin", 50, 0.1, 3)[0])


def test_undefined_parts_of_a_formula_and_a_wild_formula():
    X, y = generate("curve_formula", 400, 0.0, seed=1, formula="sqrt(x)")
    assert np.all(y[X[:, 0] < 0] == 0)  # no point is above an undefined curve
    assert np.array_equal(y[X[:, 0] > 0], (X[X[:, 0] > 0, 1] > np.sqrt(X[X[:, 0] > 0, 0])))
    X, y = generate("curve_formula", 300, 0.0, seed=1, formula="6*sin(40*x)")
    assert X.shape == (300, 2) and np.isfinite(X).all()
    with pytest.raises(FormulaError, match="not a finite number anywhere"):
        generate("curve_formula", 10, 0.0, seed=1, formula="log(-1 - x^2)")


def test_sine_wave_targets():
    X, y = generate("sine_wave", 500, 0.0, seed=3)
    assert y.shape == (500, 1)
    np.testing.assert_allclose(y[:, 0], np.sin(X[:, 0]) * np.cos(X[:, 1]), rtol=1e-15)
    Xn, yn = generate("sine_wave", 500, 0.5, seed=3)
    assert np.array_equal(Xn, X) and not np.allclose(yn, y)
    assert np.abs(yn).max() <= 1.0


def test_registry_and_playground():
    for name in ("curve_sin", "curve_cubic", "curve_abs", "curve_formula"):
        assert DATASETS[name].task == "classification" and DATASETS[name].n_classes == 2
    assert DATASETS["sine_wave"].task == "regression"
    data = make_data("curve_formula", 100, 0.0, 0.5, seed=1, formula="x")
    assert data.name == "curve_formula" and data.target_names == ("0", "1")
    pg = Playground(Settings(dataset="curve_formula", formula="x/2 + 1", n_points=200))
    assert pg.extent() == (-6.0, 6.0, -6.0, 6.0)
    X = np.concatenate([pg.data.X_train, pg.data.X_test])
    y = np.concatenate([pg.data.y_train, pg.data.y_test])
    np.testing.assert_array_equal(y, X[:, 1] > X[:, 0] / 2 + 1)
    assert pg.update(formula="-x/2 + 1")  # a new formula is new data: the network rebuilds
    y2 = np.concatenate([pg.data.y_train, pg.data.y_test])
    X2 = np.concatenate([pg.data.X_train, pg.data.X_test])
    np.testing.assert_array_equal(y2, X2[:, 1] > -X2[:, 0] / 2 + 1)
    with pytest.raises(ValueError, match=r"^settings\.formula: unexpected '\)' "
                                         r"\(no '\(' to close\) at position 4$"):
        Settings(formula="x+1)")


def run(*args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "train", "--quiet", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_trains_on_a_formula_and_refuses_a_bad_one():
    r = run("--formula", "x^2/3 - 2", "--epochs", "5", "--points", "100")
    assert r.returncode == 0, r.stderr
    assert "on curve_formula" in r.stderr
    r = run("--dataset", "curve_abs", "--epochs", "3", "--points", "100")
    assert r.returncode == 0 and "on curve_abs" in r.stderr, r.stderr
    r = run("--dataset", "sine_wave", "--epochs", "3", "--points", "100")
    assert r.returncode == 0 and "loss mse" in r.stderr and "accuracy" not in r.stdout
    for args, says in ((["--formula", "x + )"], "error: --formula: unexpected ')' at position 5"),
                       (["--formula", "eval(x)"], "error: --formula: unknown name 'eval'"),
                       (["--formula", "x", "--dataset", "xor"],
                        "error: --formula is the curve of --dataset curve_formula, not of "
                        "--dataset xor")):
        r = run(*args)
        assert r.returncode == 2 and r.stderr.strip().startswith(says), r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
