"""The plane drawn for more than two inputs (model.data.plane) and its place in snapshots:
the grids are exactly ``predict`` on the plane's rows, which the tests build themselves."""
import numpy as np
import pytest

from model.data import plane as plane_mod
from model.data.bundled import bundled_path
from model.data.csvdata import load_csv
from model.data.datasets import split
from model.data.plane import PlaneSpec, make_plane
from model.playground import Playground, Settings
from model.snapshot import take_snapshot


@pytest.fixture(scope="module")
def iris():
    return load_csv(bundled_path("iris"))


@pytest.fixture
def pg(iris):
    p = Playground(Settings(hidden=(5,), seed=3), data=iris)
    for _ in range(30):
        p.trainer.step_batch()
    return p


def padded(values):
    lo, hi = values.min(), values.max()
    pad = max((hi - lo) * 0.1, 0.5)
    return lo - pad, hi + pad


def slice_rows(data, axes, held, r):
    """The slice's raw rows, built here from the definition: a meshgrid of the two inputs over
    their padded range (y slowest), every other input at ``held``."""
    X = np.concatenate([data.X_train, data.X_test])
    (x0, x1), (y0, y1) = padded(X[:, axes[0]]), padded(X[:, axes[1]])
    gx, gy = np.meshgrid(np.linspace(x0, x1, r), np.linspace(y0, y1, r))
    rows = np.tile(np.asarray(held, dtype=float), (r * r, 1))
    rows[:, axes[0]], rows[:, axes[1]] = gx.ravel(), gy.ravel()
    return rows, (x0, x1, y0, y1)


def components(X):
    """The first two principal components of X, standardised, each signed so that its
    largest entry is positive, and the variance shares: from numpy's SVD, here."""
    mean, std = X.mean(axis=0), X.std(axis=0)
    _, s, vt = np.linalg.svd((X - mean) / std, full_matrices=False)
    comps = vt[:2] * np.sign(vt[:2][np.arange(2), np.abs(vt[:2]).argmax(axis=1)])[:, None]
    return mean, std, comps, (s ** 2 / (s ** 2).sum())[:2]


def test_the_default_plane_is_the_slice_through_the_means_of_the_first_two(pg, iris):
    snap = take_snapshot(pg, 1, 20)
    plane = snap.plane
    assert plane.kind == "slice" and plane.axes == (0, 1)
    means = iris.X_train.mean(axis=0)
    assert np.isnan(plane.held[:2]).all() and np.allclose(plane.held[2:], means[2:])
    rows, extent = slice_rows(iris, (0, 1), means, 20)
    assert snap.extent == pytest.approx(extent)
    out = pg.predict(rows)  # (r·r, 3) from raw rows, as the exports compute it
    np.testing.assert_allclose(snap.neuron_grids[-1], out.T.reshape(3, 20, 20), atol=1e-12)
    # the points are drawn at their values of the two inputs
    np.testing.assert_array_equal(snap.points("train"), iris.X_train[:, :2])
    np.testing.assert_array_equal(snap.points("test"), iris.X_test[:, :2])
    assert plane.labels() == ("sepal length (cm)", "sepal width (cm)")


def test_a_chosen_slice_holds_the_chosen_values_and_matches_predict(pg, iris):
    spec = PlaneSpec("slice", (3, 1), (6.5, None, None, None))
    snap = take_snapshot(pg, 1, 16, plane=spec, fine_resolution=33)
    means = iris.X_train.mean(axis=0)
    held = [6.5, means[1], means[2], means[3]]
    rows, _ = slice_rows(iris, (3, 1), held, 16)
    np.testing.assert_allclose(snap.neuron_grids[-1], pg.predict(rows).T.reshape(3, 16, 16),
                               atol=1e-12)
    assert snap.plane.held[0] == 6.5 and snap.plane.held[2] == pytest.approx(means[2])
    # every layer over the slice, inputs first: the inputs are the scaled rows
    scaling = pg.net.input_scaling
    np.testing.assert_allclose(snap.neuron_grids[0],
                               scaling.apply(rows).T.reshape(4, 16, 16), atol=1e-12)
    # the fine grid of a paused window: the same slice, finer
    fine_rows, _ = slice_rows(iris, (3, 1), held, 33)
    np.testing.assert_allclose(snap.output_grid_fine, pg.predict(fine_rows).T.reshape(3, 33, 33),
                               atol=1e-12)
    # the same as the model's own slice_view
    view = pg.slice_view((3, 1), held, 16)
    np.testing.assert_allclose(snap.neuron_grids[-1], view.output, atol=1e-12)
    np.testing.assert_array_equal(snap.points("train"), iris.X_train[:, [3, 1]])


def test_the_pca_plane_projects_the_points_and_draws_the_slice_through_the_mean(pg, iris):
    snap = take_snapshot(pg, 1, 12, plane=PlaneSpec("pca"))
    X = iris.X_train
    mean, std, comps, explained = components(X)
    np.testing.assert_allclose(snap.points("train"), ((X - mean) / std) @ comps.T, atol=1e-9)
    np.testing.assert_allclose(snap.points("test"), ((iris.X_test - mean) / std) @ comps.T,
                               atol=1e-9)
    np.testing.assert_allclose(snap.plane.explained, explained)
    x0, x1, y0, y1 = snap.extent
    u, v = np.meshgrid(np.linspace(x0, x1, 12), np.linspace(y0, y1, 12))
    rows = mean + (np.column_stack([u.ravel(), v.ravel()]) @ comps) * std
    np.testing.assert_allclose(snap.neuron_grids[-1], pg.predict(rows).T.reshape(3, 12, 12),
                               atol=1e-9)
    assert snap.plane.labels()[0].startswith("PC1 (") and snap.plane.axes is None


def test_two_inputs_keep_the_x1_x2_plane_and_one_input_has_none():
    pg = Playground(Settings())
    snap = take_snapshot(pg, 1, 20, plane=PlaneSpec("pca"))  # ignored for two inputs
    assert snap.plane is None and snap.extent == (-6.0, 6.0, -6.0, 6.0)
    for got, want in zip(snap.neuron_grids, pg.neuron_grids(20)):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(snap.points("train"), pg.data.X_train)
    X = np.linspace(-1, 1, 30)[:, None]
    one = split(X, (X[:, 0] > 0).astype(int), 0.8, 0, task="classification",
                input_names=("t",), target_names=("a", "b"))
    snap = take_snapshot(Playground(Settings(), data=one), 1, 20)
    assert snap.plane is None and snap.neuron_grids is None


def test_a_spec_for_other_data_falls_back_to_the_default_slice(pg):
    snap = take_snapshot(pg, 1, 10, plane=PlaneSpec("slice", (5, 7)))  # iris has 4 inputs
    assert snap.plane.spec == PlaneSpec()


@pytest.mark.parametrize("make, message", [
    (lambda: PlaneSpec("cube"), "plane kind"),
    (lambda: PlaneSpec("slice", (0, 1), (float("nan"),) * 4), "finite"),
    (lambda: PlaneSpec("slice", (1, 1)).check(4), "two different inputs"),
    (lambda: PlaneSpec("slice", (0, 4)).check(4), "two different inputs"),
    (lambda: PlaneSpec("slice", (0, 1), (1.0, 2.0)).check(4), "expected 4"),
    (lambda: PlaneSpec().check(2), "more than two inputs"),
])
def test_bad_specs_are_refused_in_one_line(make, message):
    with pytest.raises(ValueError, match=message) as info:
        make()
    assert "\n" not in str(info.value)


def test_with_held_sets_one_value_and_none_goes_back_to_the_mean():
    spec = PlaneSpec().with_held(2, 1.5, 4)
    assert spec.held == (None, None, 1.5, None) and spec.held_value(2) == 1.5
    assert spec.with_held(2, None, 4) == PlaneSpec()  # all at means: one spelling


def test_principal_components_are_those_of_the_current_data(iris):
    """The components are cached per data set: a new data set never gets the old ones."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3)) * [1.0, 5.0, 0.1]
    other = split(X, (X[:, 0] > 0).astype(int), 0.75, 0, task="classification",
                  input_names=("a", "b", "c"), target_names=("n", "y"))
    first = make_plane(iris, PlaneSpec("pca"))
    second = make_plane(other, PlaneSpec("pca"))
    again = make_plane(iris, PlaneSpec("pca"))
    np.testing.assert_allclose(first.components, components(iris.X_train)[2], atol=1e-12)
    np.testing.assert_allclose(second.components, components(other.X_train)[2], atol=1e-12)
    np.testing.assert_array_equal(first.components, again.components)
    assert plane_mod._pca_cache[0] is iris


def test_the_fine_grid_of_scaled_two_input_data_is_predict_on_raw_rows():
    """The paused view's fine boundary once scaled the inputs twice (transform, then predict
    again): on scaled data it must be exactly predict on the raw grid."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(120, 2)) * [30.0, 0.2] + [100.0, -3.0]
    data = split(X, (X[:, 0] - 100 > 0).astype(int), 0.8, 0, task="classification",
                 input_names=("a", "b"), target_names=("no", "yes"), origin="file")
    pg = Playground(Settings(), data=data)
    assert pg.net.input_scaling is not None  # auto: standard for a file
    snap = take_snapshot(pg, 1, 10, fine_resolution=15)
    x0, x1, y0, y1 = snap.extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, 15), np.linspace(y0, y1, 15))
    want = pg.predict(np.column_stack([gx.ravel(), gy.ravel()])).T.reshape(-1, 15, 15)
    np.testing.assert_allclose(snap.output_grid_fine, want, atol=1e-12)


def test_a_moment_of_the_history_is_drawn_on_the_chosen_plane(pg, iris):
    """The training history's preview of a past moment uses the live views' slice."""
    from model.lessons.recorder import TimelineRecorder
    recorder = TimelineRecorder()
    recorder.on_new_run(pg)
    entry = recorder.snapshot_entries()[0][0]
    spec = PlaneSpec("slice", (2, 0), (None, 3.0, None, None))
    snap = recorder.preview(entry, 12, pg, plane=spec)
    assert snap.plane.spec == spec
    rows, _ = slice_rows(iris, (2, 0), [0, 3.0, 0, iris.X_train[:, 3].mean()], 12)
    np.testing.assert_allclose(snap.neuron_grids[-1], pg.predict(rows).T.reshape(3, 12, 12),
                               atol=1e-12)  # the entry is the current state: same weights
