"""Data generators (ported from TF Playground's dataset.ts), the registry and the split."""
import math

import numpy as np
import pytest

from model.data.datasets import DATASETS, Data, generate, make_data, split

ALL = list(DATASETS)
CLASSIFICATION = [n for n, s in DATASETS.items() if s.task == "classification"]
REGRESSION = [n for n, s in DATASETS.items() if s.task == "regression"]
MULTICLASS = [n for n, s in DATASETS.items() if s.multiclass]


def sorted_rows(a):
    return a[np.lexsort(a.T[::-1])]


def same_points(a, b, tol=1e-9):
    """Equal as sets of points (any order), up to rounding."""
    d = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    return a.shape == b.shape and d.min(axis=1).max() < tol and d.min(axis=0).max() < tol


# --- registry and generate() --------------------------------------------------------------

def test_registry_lists_every_required_dataset():
    assert set(DATASETS) == {"circle", "xor", "gaussian", "spiral", "moons", "blobs",
                             "spiral_arms", "plane", "multi_gaussian", "curve_sin", "curve_cubic",
                             "curve_abs", "curve_formula", "sine_wave"}
    for name, spec in DATASETS.items():
        assert spec.name == name and spec.title
    assert set(REGRESSION) == {"plane", "multi_gaussian", "sine_wave"}
    assert set(MULTICLASS) == {"blobs", "spiral_arms"}
    assert all(DATASETS[n].n_classes == 2 for n in ("circle", "xor", "gaussian", "spiral", "moons",
                                                    "curve_sin", "curve_cubic", "curve_abs",
                                                    "curve_formula"))
    assert all(DATASETS[n].n_classes == 0 for n in REGRESSION)


@pytest.mark.parametrize("name", ALL)
def test_same_seed_same_arrays_other_seed_differs(name):
    X1, y1 = generate(name, 200, 0.2, seed=7)
    X2, y2 = generate(name, 200, 0.2, seed=7)
    X3, y3 = generate(name, 200, 0.2, seed=8)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("n", [1, 2, 301])
def test_shapes_and_dtypes(name, n):
    X, y = generate(name, n, 0.1, seed=0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    if DATASETS[name].task == "classification":
        assert y.shape == (n,) and y.dtype == np.int64
        assert y.min() >= 0 and y.max() < DATASETS[name].n_classes
    else:
        assert y.shape == (n, 1) and y.dtype == np.float64
    assert np.isfinite(X).all() and np.isfinite(y).all()


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_points_inside_the_playground_at_noise_zero(name, seed):
    X, _ = generate(name, 2000, 0.0, seed=seed)
    assert np.abs(X).max() <= 6.0


@pytest.mark.parametrize("name", ["circle", "spiral", "gaussian", "moons"])
def test_binary_sets_make_half_of_each_class(name):
    _, y = generate(name, 1000, 0.0, seed=3)
    assert np.bincount(y, minlength=2).tolist() == [500, 500]


def test_spiral_stays_balanced_with_noise_and_odd_counts():
    _, y = generate("spiral", 1001, 0.5, seed=3)
    assert sorted(np.bincount(y).tolist()) == [500, 501]


def test_xor_is_roughly_balanced():
    _, y = generate("xor", 4000, 0.0, seed=5)
    assert 0.45 < y.mean() < 0.55


def test_rows_are_shuffled_not_in_class_blocks():
    _, y = generate("circle", 400, 0.0, seed=0)
    assert np.count_nonzero(np.diff(y)) > 50


def test_xor_labels_are_the_sign_of_the_product_and_points_avoid_the_axes():
    X, y = generate("xor", 2000, 0.0, seed=1)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(np.int64))
    assert np.abs(X).min() >= 0.3  # TF's padding
    assert np.abs(X).max() <= 5.3


def test_xor_noise_flips_some_labels():
    X, y = generate("xor", 2000, 0.5, seed=1)
    agree = y == (X[:, 0] * X[:, 1] >= 0)
    assert 0.5 < agree.mean() < 0.98


def test_circle_labels_are_inside_radius_2_5_at_noise_zero():
    X, y = generate("circle", 2000, 0.0, seed=2)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.array_equal(y, (r < 2.5).astype(np.int64))
    # TF leaves a gap: inside points have r < 2.5, outside points 3.5 <= r <= 5.
    assert not ((r >= 2.5) & (r < 3.5)).any() and r.max() <= 5.0


def test_circle_noise_flips_some_labels():
    X, y = generate("circle", 2000, 0.5, seed=2)
    agree = y == (np.hypot(X[:, 0], X[:, 1]) < 2.5)
    assert 0.5 < agree.mean() < 0.98


def test_spiral_classes_are_point_reflections_of_each_other():
    X, y = generate("spiral", 600, 0.0, seed=4)
    assert same_points(X[y == 1], -X[y == 0])
    assert not same_points(X[y == 1], X[y == 0])


def test_spiral_radius_grows_to_5():
    X, _ = generate("spiral", 600, 0.0, seed=4)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() == 0.0 and 4.9 < r.max() < 5.0


def test_gaussian_clusters_sit_at_plus_minus_two_and_spread_with_noise():
    X, y = generate("gaussian", 4000, 0.0, seed=0)
    assert np.allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.1)
    assert np.allclose(X[y == 0].mean(axis=0), [-2, -2], atol=0.1)
    # TF: variance 0.5 at noise 0, 4 at noise 0.5.
    assert X[y == 1].var(axis=0) == pytest.approx([0.5, 0.5], rel=0.1)
    X, y = generate("gaussian", 4000, 0.5, seed=0)
    assert X[y == 1].var(axis=0) == pytest.approx([4, 4], rel=0.1)


def test_moons_interleave():
    X, y = generate("moons", 2000, 0.0, seed=0)
    top, bottom = X[y == 0], X[y == 1]
    # Each moon reaches under/over the other one's tip: the classes overlap in x1 and x2
    # ranges, yet no straight line separates them (checked by a least squares classifier).
    assert top[:, 1].mean() > bottom[:, 1].mean()
    A = np.column_stack([X, np.ones(len(X))])
    w, *_ = np.linalg.lstsq(A, np.where(y == 1, 1.0, -1.0), rcond=None)
    linear_accuracy = ((A @ w > 0) == (y == 1)).mean()
    assert linear_accuracy < 0.95


def test_plane_targets_are_linear_in_the_inputs_at_noise_zero():
    X, y = generate("plane", 500, 0.0, seed=9)
    A = np.column_stack([X, np.ones(len(X))])
    w, *_ = np.linalg.lstsq(A, y[:, 0], rcond=None)
    assert np.abs(A @ w - y[:, 0]).max() < 1e-12
    assert np.allclose(w, [0.1, 0.1, 0.0])  # TF: (x + y) scaled from [-10, 10] to [-1, 1]


def test_plane_noise_perturbs_the_targets():
    X, y = generate("plane", 500, 0.3, seed=9)
    assert np.abs(y[:, 0] - X.sum(axis=1) / 10).max() > 0.05


def test_multi_gaussian_bumps():
    X, y = generate("multi_gaussian", 20000, 0.0, seed=1)
    assert np.abs(y).max() <= 1.0
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    far = np.ones(len(X), dtype=bool)
    for cx, cy, sign in bumps:
        d = np.hypot(X[:, 0] - cx, X[:, 1] - cy)
        near = d < 0.5
        assert near.any()
        # value 1 - d/2 at the centre's sign; the next bump is 4 away so does not compete.
        assert np.allclose(y[near, 0], sign * (1 - d[near] / 2))
        far &= d >= 2
    assert np.all(y[far, 0] == 0)


@pytest.mark.parametrize("name", MULTICLASS)
@pytest.mark.parametrize("c", [3, 4, 5, 6])
def test_multiclass_sets_make_n_classes_balanced(name, c):
    _, y = generate(name, 601, 0.1, seed=0, n_classes=c)
    counts = np.bincount(y)
    assert len(counts) == c and counts.max() - counts.min() <= 1


def test_multiclass_default_is_three_classes():
    _, y = generate("blobs", 90, 0.0, seed=0)
    assert set(y.tolist()) == {0, 1, 2}


@pytest.mark.parametrize("c", [3, 5, 6])
def test_blob_centres_evenly_spaced_on_radius_3_5(c):
    X, y = generate("blobs", 6000, 0.0, seed=0, n_classes=c)
    centres = np.array([X[y == k].mean(axis=0) for k in range(c)])
    assert np.allclose(np.hypot(centres[:, 0], centres[:, 1]), 3.5, atol=0.1)
    gaps = np.diff(np.unwrap(np.arctan2(centres[:, 1], centres[:, 0])))
    assert np.allclose(np.abs(gaps), 2 * math.pi / c, atol=0.05)


def test_spiral_arms_are_rotations_of_arm_zero():
    c = 3
    X, y = generate("spiral_arms", 300, 0.0, seed=0, n_classes=c)
    for k in range(1, c):
        a = -2 * math.pi * k / c  # TF's arm is (r sin t, r cos t): +delta turns clockwise
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        assert same_points(X[y == 0] @ rot.T, X[y == k])


@pytest.mark.parametrize("kwargs, match", [
    (dict(name="foo"), r"unknown dataset 'foo' \(choose from: circle, xor, "),
    (dict(name="circle", n_points=0), "n_points"),
    (dict(name="circle", n_points=100_001), "n_points"),
    (dict(name="circle", n_points=2.5), "n_points"),
    (dict(name="circle", noise=-0.1), "noise"),
    (dict(name="circle", noise=1.01), "noise"),
    (dict(name="circle", noise=float("nan")), "noise"),
    (dict(name="circle", seed=-1), "seed"),
    (dict(name="blobs", n_classes=2), "n_classes"),
    (dict(name="blobs", n_classes=7), "n_classes"),
    (dict(name="circle", n_classes=3), "n_classes"),
    (dict(name="plane", n_classes=3), "n_classes"),
])
def test_generate_validates(kwargs, match):
    with pytest.raises(ValueError, match=match):
        generate(**kwargs)


def test_noise_bounds_are_accepted():
    X0, y0 = generate("circle", 10, 0, 0)
    for noise in (0.0, 1, 1.0):
        X, y = generate("circle", 10, noise, 0)
        # as in TF Playground, circle's noise leaves the points and moves the point its label
        # is decided from: at the bounds nothing changes, or some labels flip
        np.testing.assert_array_equal(X, X0)
        assert set(y.tolist()) <= {0, 1}
        assert np.array_equal(y, y0) == (noise == 0)


# --- split and make_data ------------------------------------------------------------------

def _split(n=10, ratio=0.7, seed=0, task="classification"):
    X = np.column_stack([np.arange(n), -np.arange(n)]).astype(float)
    y = np.arange(n) % 2 if task == "classification" else np.arange(n, dtype=float)[:, None]
    names = ("0", "1") if task == "classification" else ("y",)
    return split(X, y, ratio, seed, task=task, input_names=("a", "b"), target_names=names,
                 name="t")


@pytest.mark.parametrize("n, ratio", [(10, 0.7), (7, 0.5), (100, 0.33), (3, 0.01), (5, 1.0)])
def test_split_sizes_order_and_partition(n, ratio):
    d = _split(n, ratio)
    n_train = min(max(round(ratio * n), 1), n)
    assert len(d.X_train) == len(d.y_train) == n_train
    assert len(d.X_test) == len(d.y_test) == n - n_train
    train_ids, test_ids = d.X_train[:, 0], d.X_test[:, 0]
    assert np.all(np.diff(train_ids) > 0) and np.all(np.diff(test_ids) > 0)  # original order
    assert sorted([*train_ids, *test_ids]) == list(range(n))
    assert np.array_equal(d.y_train, train_ids.astype(int) % 2)  # rows stay paired
    assert np.array_equal(d.X_train[:, 1], -train_ids)


def test_split_ratio_one_keeps_everything_in_order():
    d = _split(6, 1.0)
    assert np.array_equal(d.X_train[:, 0], np.arange(6))
    assert d.X_test.shape == (0, 2) and d.y_test.shape == (0,)
    r = _split(6, 1.0, task="regression")
    assert r.y_train.shape == (6, 1) and r.y_test.shape == (0, 1)


def test_split_is_seeded():
    a, b, c = _split(50, 0.5, seed=1), _split(50, 0.5, seed=1), _split(50, 0.5, seed=2)
    assert np.array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.X_train, c.X_train)


def test_split_arrays_are_read_only_copies():
    X = np.zeros((4, 2))
    d = split(X, np.zeros(4, int), 0.5, 0, task="classification", input_names=("a", "b"),
              target_names=("0",), name="t")
    X[:] = 5
    assert (d.X_train == 0).all()
    for a in (d.X_train, d.y_train, d.X_test, d.y_test):
        assert not a.flags.writeable
    with pytest.raises(ValueError):
        d.X_train[0, 0] = 1.0


@pytest.mark.parametrize("ratio", [0, -0.5, 1.5, float("nan")])
def test_split_rejects_bad_ratio(ratio):
    with pytest.raises(ValueError, match="train_ratio"):
        _split(10, ratio)


def test_make_data():
    d = make_data("spiral_arms", 200, 0.1, train_ratio=0.75, seed=3, n_classes=4)
    assert isinstance(d, Data)
    assert d.task == "classification" and d.n_classes == 4
    assert d.target_names == ("0", "1", "2", "3") and d.input_names == ("x1", "x2")
    assert len(d.X_train) == 150 and len(d.X_test) == 50 and d.name == "spiral_arms"
    X, y = generate("spiral_arms", 200, 0.1, seed=3, n_classes=4)
    assert sorted_rows(np.vstack([d.X_train, d.X_test])).tolist() == sorted_rows(X).tolist()
    r = make_data("plane", 100, 0.0, train_ratio=0.5, seed=0)
    assert r.task == "regression" and r.n_classes == 0 and r.target_names == ("y",)
    assert r.y_train.shape == (50, 1)


def test_data_rejects_inconsistent_arrays():
    with pytest.raises(ValueError):
        Data(np.zeros((3, 2)), np.zeros(2, int), np.zeros((0, 2)), np.zeros(0, int),
             task="classification", input_names=("a", "b"), target_names=("0", "1"))
    with pytest.raises(ValueError):
        Data(np.zeros((3, 2)), np.array([0, 1, 2]), np.zeros((0, 2)), np.zeros(0, int),
             task="classification", input_names=("a", "b"), target_names=("0", "1"))
