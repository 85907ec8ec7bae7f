"""Real data (issue 14): input scaling from the training rows only and built into the network,
its files and exports; slices of more than two inputs; classification read-outs; the bundled
data sets. Expected values come from independent numpy computations, not from the app."""
import importlib.util
import json

import numpy as np
import pytest

from model.core.confusion import confusion_matrix, per_class_accuracy, row_normalised
from model.core.network import Network
from model.core.scaling import InputScaling, fit_scaling
from model.data.bundled import BUNDLED, bundled_path, data_path
from model.data.csvdata import load_csv, parse_csv
from model.data.datasets import make_data
from model.files.export_py import export_python
from model.files.serialize import WeightsError, load_network, save_network
from model.files.session import load_session, save_session
from model.playground import Playground, Settings

TOL = 1e-6


def csv_text(X, y, names):
    head = ",".join([*names, "label"])
    return head + "\n" + "".join(",".join([*map(repr, row), str(c)]) + "\n"
                                 for row, c in zip(X.tolist(), y.tolist()))


def separated(n=200, seed=0, d=5):
    """Two classes of rows in wildly different units (areas in the thousands, ratios < 1)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    units = np.array([1000.0, 0.01, 50.0, 1.0, 7.0])[:d]
    X = (rng.normal(size=(n, d)) + y[:, None] * 1.5) * units + units * 3
    return X, y


# --- scaling ------------------------------------------------------------------------------------

def test_scaling_statistics_come_from_the_training_rows_only():
    X, y = separated()
    data = parse_csv(csv_text(X, y, "abcde"), seed=1)
    # make the test rows very different so that any leak would move the mean and std
    assert len(data.X_test) == 40
    pg = Playground(Settings(hidden=(3,)), data=data)
    s = pg.net.input_scaling
    assert s is not None and s.method == "standard"
    np.testing.assert_array_equal(s.offset, data.X_train.mean(axis=0))
    np.testing.assert_array_equal(s.scale, data.X_train.std(axis=0))
    everything = np.concatenate([data.X_train, data.X_test])
    assert not np.allclose(s.offset, everything.mean(axis=0), rtol=1e-9, atol=0)
    # what the trainer sees is the training rows standardised
    Z = (data.X_train - data.X_train.mean(axis=0)) / data.X_train.std(axis=0)
    np.testing.assert_allclose(pg.trainer.X_train, Z, rtol=0, atol=1e-12)
    np.testing.assert_allclose(pg.trainer.X_train.mean(axis=0), 0, atol=1e-12)


def test_minmax_maps_the_training_rows_onto_minus_one_to_one():
    X, y = separated(seed=2)
    data = parse_csv(csv_text(X, y, "abcde"), seed=2)
    pg = Playground(Settings(hidden=(3,), scale="minmax"), data=data)
    Z = pg.trainer.X_train
    np.testing.assert_allclose(Z.min(axis=0), -1, atol=1e-12)
    np.testing.assert_allclose(Z.max(axis=0), 1, atol=1e-12)
    assert pg.scaling_method() == "minmax"


def test_a_constant_input_is_left_at_zero_not_divided_by_zero():
    s = fit_scaling(np.array([[3.0, 1.0], [3.0, 2.0], [3.0, 5.0]]), "standard")
    assert s.offset[0] == 3.0 and s.scale[0] == 1.0
    assert np.all(s.apply([[3.0, 1.0]])[:, 0] == 0)
    assert fit_scaling(np.zeros((2, 2)), "none") is None
    with pytest.raises(ValueError, match="unknown scaling"):
        fit_scaling(np.zeros((2, 2)), "robust")


def test_scaling_is_on_for_files_and_off_for_generated_sets_and_drawn_points():
    X, y = separated(40)
    assert Playground(Settings(hidden=(2,)), data=parse_csv(csv_text(X, y, "abcde"))) \
        .net.input_scaling is not None
    pg = Playground(Settings())  # generated: TF Playground's raw inputs
    assert pg.net.input_scaling is None and pg.scaling_method() == "none"
    assert pg.extent() == (-6.0, 6.0, -6.0, 6.0)
    drawn = make_data("xor", 30)
    drawn = type(drawn)(drawn.X_train, drawn.y_train, drawn.X_test, drawn.y_test, drawn.task,
                        drawn.input_names, drawn.target_names, name="custom", origin="drawn")
    assert Playground(Settings(), data=drawn).net.input_scaling is None
    # switchable both ways
    assert Playground(Settings(scale="standard")).net.input_scaling is not None
    pg = Playground(Settings(hidden=(2,), scale="none"), data=parse_csv(csv_text(X, y, "abcde")))
    assert pg.net.input_scaling is None
    assert pg.update(scale="standard") and pg.net.input_scaling.method == "standard"
    with pytest.raises(ValueError, match="settings.scale: expected one of .* got 'max'"):
        pg.update(scale="max")
    assert pg.net.input_scaling.method == "standard"  # a refused change leaves things as they were


def test_predict_takes_raw_rows_and_applies_the_scaling():
    X, y = separated(60)
    pg = Playground(Settings(hidden=(4,)), data=parse_csv(csv_text(X, y, "abcde")))
    pg.trainer.train(5)
    net = pg.net
    # by hand: standardise with the training statistics, then the layers
    Xtr = pg.data.X_train
    a = (X - Xtr.mean(axis=0)) / Xtr.std(axis=0)
    for layer in net.layers:
        a = layer.activation.forward(a @ layer.W + layer.b)
    np.testing.assert_allclose(pg.predict(X), a, rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.predict(X), a, rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.predict(X[0]), a[0], rtol=0, atol=1e-12)
    # forward takes what the first layer sees (scaled), as the trainer feeds it
    np.testing.assert_allclose(net.forward_all(pg.transform(X))[1][-1], a, rtol=0, atol=1e-12)


def test_loaded_weights_keep_the_scaling_they_were_trained_with(tmp_path):
    X, y = separated(60)
    data = parse_csv(csv_text(X, y, "abcde"))
    pg = Playground(Settings(hidden=(4,)), data=data)
    pg.trainer.train(3)
    for suffix in (".json", ".npz"):
        path = tmp_path / f"w{suffix}"
        save_network(pg.net, path, meta=pg.weights_meta())
        back = load_network(path)
        assert back.input_scaling.same_as(pg.net.input_scaling)
        assert np.array_equal(back.predict(X), pg.net.predict(X))  # bit for bit
        other = Playground(Settings(hidden=(4,), scale="minmax"), data=data, network=back)
        assert other.net.input_scaling.method == "standard"
    d = json.loads((tmp_path / "w.json").read_text())
    assert d["version"] == 2 and d["input_scaling"]["method"] == "standard"
    plain = Network.from_sizes([2, 2, 1])
    save_network(plain, tmp_path / "p.json")
    assert json.loads((tmp_path / "p.json").read_text())["version"] == 1  # old readers: fine


@pytest.mark.parametrize("change, expected", [
    (lambda s: s.update(method="robust"), "input_scaling.method: expected one of standard"),
    (lambda s: s.update(scale=[1.0, 0.0, 1, 1, 1]), "input_scaling.scale[1]: must be positive"),
    (lambda s: s.update(offset=[0.0]), "input_scaling.offset: expected 5 numbers"),
    (lambda s: s.pop("offset"), "input_scaling.offset: missing"),
    (lambda s: s.update(extra=1), "input_scaling: unexpected key 'extra'"),
    (lambda s: s.update(scale="1"), "input_scaling.scale: expected a list of numbers"),
])
def test_a_damaged_scaling_names_the_field(tmp_path, change, expected):
    net = Network.from_sizes([5, 2, 1])
    net.input_scaling = InputScaling("standard", np.zeros(5), np.ones(5))
    save_network(net, tmp_path / "w.json")
    d = json.loads((tmp_path / "w.json").read_text())
    change(d["input_scaling"])
    (tmp_path / "w.json").write_text(json.dumps(d))
    with pytest.raises(WeightsError) as info:
        load_network(tmp_path / "w.json")
    assert expected in str(info.value)


def test_sessions_keep_the_scaling_and_where_the_data_came_from(tmp_path):
    X, y = separated(50)
    pg = Playground(Settings(hidden=(3,), scale="minmax"), data=parse_csv(csv_text(X, y, "abcde")))
    pg.trainer.train(2)
    save_session(pg, tmp_path / "s.json")
    back = load_session(tmp_path / "s.json").playground
    assert back.data.origin == "file" and back.settings.scale == "minmax"
    assert back.net.input_scaling.same_as(pg.net.input_scaling)
    assert np.array_equal(back.predict(X), pg.predict(X))


# --- exports take raw rows ----------------------------------------------------------------------

def _trained(scale, name="wine", hidden=(5,)):
    data = load_csv(bundled_path(name), seed=0)
    pg = Playground(Settings(hidden=hidden, scale=scale, optimizer="adam", lr=0.01), data=data)
    pg.trainer.train(5)
    rows = np.concatenate([data.X_train, data.X_test])
    return pg, rows


def _import(path):
    spec = importlib.util.spec_from_file_location(f"exported_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("scale", ["standard", "minmax"])
def test_python_export_takes_raw_rows_and_matches_the_app(tmp_path, scale):
    pg, rows = _trained(scale)
    path = tmp_path / "wine_model.py"
    export_python(pg.net, path, meta=pg.weights_meta())
    m = _import(path)
    expected = pg.predict(rows)
    assert np.abs(m.predict(rows) - expected).max() <= TOL
    assert m.predict_label(rows[:3]) == [pg.data.target_names[c] for c in
                                         np.argmax(expected[:3], axis=1)]
    assert "Input scaling" in path.read_text()


def test_python_export_of_a_two_column_file_with_features_and_scaling(tmp_path):
    data = make_data("circle", 120, seed=3)
    text = csv_text(np.concatenate([data.X_train, data.X_test]) * 100 + 7,
                    np.concatenate([data.y_train, data.y_test]), ["x1", "x2"])
    data = parse_csv(text)
    pg = Playground(Settings(features=("x1", "x2", "x1^2", "sin_x2"), hidden=(3,)), data=data)
    assert pg.net.input_scaling.size == 4  # the features are scaled
    path = tmp_path / "circle_model.py"
    export_python(pg.net, path, meta=pg.weights_meta())
    rows = np.concatenate([data.X_train, data.X_test])
    assert np.abs(_import(path).predict(rows) - pg.predict(rows)).max() <= TOL


@pytest.mark.parametrize("scale", ["standard", "minmax"])
def test_onnx_export_takes_raw_rows_and_matches_the_app(tmp_path, scale):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from model.files.export_onnx import export_onnx
    pg, rows = _trained(scale)
    path = tmp_path / "wine.onnx"
    export_onnx(pg.net, path, meta=pg.weights_meta())
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {"X": rows.astype(np.float64)})[0]
    assert np.abs(got - pg.predict(rows)).max() <= TOL
    props = {p.key: p.value for p in __import__("onnx").load(str(path)).metadata_props}
    assert json.loads(props["input_scaling"])["method"] == scale
    assert json.loads(props["classes"]) == list(pg.data.target_names)


# --- slices and principal components -------------------------------------------------------------

def test_the_slice_boundary_equals_predict_on_the_slice_grid():
    pg, rows = _trained("standard", name="iris", hidden=(4,))
    r = 17
    view = pg.slice_view(axes=(2, 0), resolution=r)
    # the grid built independently: input 2 along x, input 0 along y, the others at the
    # training mean
    mean = pg.data.X_train.mean(axis=0)
    xs = np.linspace(view.extent[0], view.extent[1], r)
    ys = np.linspace(view.extent[2], view.extent[3], r)
    X = np.empty((r, r, 4))
    X[:] = mean
    X[:, :, 2] = xs[None, :]
    X[:, :, 0] = ys[:, None]
    expected = pg.net.predict(X.reshape(-1, 4))  # (r·r, k), rows with y slowest
    for k in range(expected.shape[1]):
        np.testing.assert_allclose(view.output[k], expected[:, k].reshape(r, r), rtol=0,
                                   atol=1e-12)
    np.testing.assert_array_equal(view.held[[1, 3]], mean[[1, 3]])
    assert np.isnan(view.held[[0, 2]]).all()
    # the extent spans the data of the two inputs
    both = np.concatenate([pg.data.X_train, pg.data.X_test])
    assert view.extent[0] < both[:, 2].min() and view.extent[1] > both[:, 2].max()
    # held values chosen by the user move the slice
    held = mean.copy()
    held[1] = 4.0
    moved = pg.slice_view(axes=(2, 0), held=held, resolution=r)
    X[:, :, 1] = 4.0
    np.testing.assert_allclose(moved.output[0], pg.net.predict(X.reshape(-1, 4))[:, 0]
                               .reshape(r, r), rtol=0, atol=1e-12)
    # every layer is there, inputs first (scaled, as the first layer sees them)
    assert [g.shape[0] for g in view.grids] == [4, 4, 3]


def test_slice_arguments_are_checked():
    pg, _ = _trained("standard", name="iris", hidden=(2,))
    for axes in [(0, 0), (0, 4), (1,)]:
        with pytest.raises(ValueError, match="two different inputs"):
            pg.slice_view(axes=axes)
    with pytest.raises(ValueError, match="held values"):
        pg.slice_view(held=[1.0, 2.0])


def test_the_principal_component_view_is_the_slice_through_the_mean():
    pg, rows = _trained("standard", name="wine", hidden=(3,))
    view = pg.pca_view(resolution=9)
    Xtr = pg.data.X_train
    mean, std = Xtr.mean(axis=0), Xtr.std(axis=0)
    Z = (Xtr - mean) / std
    # the components are the top two eigenvectors of the standardised covariance
    w, v = np.linalg.eigh(Z.T @ Z)
    for i in range(2):
        top = v[:, -1 - i]
        assert abs(abs(view.components[i] @ top) - 1) < 1e-9
    np.testing.assert_allclose(view.explained, w[::-1][:2] / w.sum(), rtol=1e-9)
    np.testing.assert_allclose(view.train_points, Z @ view.components.T, atol=1e-9)
    np.testing.assert_allclose(view.project(mean[None]), 0, atol=1e-12)
    # the grid's rows lie on the plane through the mean and the output is predict there
    np.testing.assert_allclose(view.project(view.inputs), view.project(view.to_raw(
        view.project(view.inputs))), atol=1e-9)
    expected = pg.net.predict(view.inputs)
    np.testing.assert_allclose(view.output[0], expected[:, 0].reshape(9, 9), atol=1e-12)
    assert view.test_points.shape == (len(pg.data.X_test), 2)


# --- classification read-outs ------------------------------------------------------------------

def test_confusion_matrix_counts_and_rates():
    true = np.array([0, 0, 0, 1, 1, 2])
    pred = np.array([0, 1, 0, 1, 1, 0])
    counts = confusion_matrix(true, pred, 4)
    expected = np.zeros((4, 4), int)
    for t, p in zip(true, pred):
        expected[t, p] += 1
    np.testing.assert_array_equal(counts, expected)
    rates = row_normalised(counts)
    np.testing.assert_allclose(rates[0], [2 / 3, 1 / 3, 0, 0])
    assert np.isnan(rates[3]).all()  # no rows of class 3
    np.testing.assert_allclose(per_class_accuracy(counts)[:3], [2 / 3, 1.0, 0.0])
    with pytest.raises(ValueError):
        confusion_matrix([0, 5], [0, 0], 3)


def test_playground_read_outs_agree_with_the_trainer_and_name_the_classes():
    pg, _ = _trained("standard", name="iris", hidden=(4,))
    reports = pg.confusion()
    m = pg.evaluate()
    for part in ("train", "test"):
        r = reports[part]
        assert r.class_names == ("setosa", "versicolor", "virginica")
        assert r.accuracy == pytest.approx(m[f"{part}_accuracy"], abs=1e-12)
        assert r.counts.sum(axis=1).tolist() == np.bincount(
            getattr(pg.data, f"y_{part}"), minlength=3).tolist()
    assert reports["train"].text()[0].startswith("setosa: ")
    assert pg.weights_meta()["classes"] == ["setosa", "versicolor", "virginica"]
    from model.snapshot import take_snapshot
    snap = take_snapshot(pg, 1, include_grids=False)
    np.testing.assert_array_equal(snap.confusion["test"], reports["test"].counts)
    assert not snap.confusion["test"].flags.writeable
    assert take_snapshot(Playground(Settings(dataset="plane")), 1,
                         include_grids=False).confusion is None


# --- bundled data sets ---------------------------------------------------------------------------

def test_bundled_sets_are_found_by_name_and_read_like_any_file():
    assert set(BUNDLED) == {"iris", "wine", "breast_cancer"}
    shapes = {"iris": (150, 4, 3), "wine": (178, 13, 3), "breast_cancer": (569, 30, 2)}
    for name, (n, d, c) in shapes.items():
        data = load_csv(data_path(name))
        assert len(data.X_train) + len(data.X_test) == n and len(data.input_names) == d
        assert data.n_classes == c and data.origin == "file" and data.name == name
        assert len(data.X_test) == round(0.2 * n)
    assert bundled_path("iris").parent.joinpath("SOURCES.md").exists()
    with pytest.raises(ValueError, match="unknown data set 'digits'"):
        bundled_path("digits")


# My thresholds (not published figures) for the default network (hidden 4,2, tanh, sgd lr 0.03,
# batch 10), 200 epochs, inputs standardised, seed 0. Measured at writing with seed 0: iris
# 0.967, wine 0.972, breast cancer 0.965 (seeds 0-4: 0.87-1.0, 0.92-1.0, 0.95-0.99).
THRESHOLDS = {"iris": 0.9, "wine": 0.9, "breast_cancer": 0.93}


@pytest.mark.parametrize("name", sorted(THRESHOLDS))
def test_bundled_sets_train_to_a_sensible_test_accuracy(name):
    pg = Playground(Settings(), data=load_csv(data_path(name)))
    pg.trainer.train(200)
    assert pg.evaluate()["test_accuracy"] >= THRESHOLDS[name]


def test_unscaled_breast_cancer_is_what_the_issue_saw_and_scaling_fixes_it():
    data = load_csv(data_path("breast_cancer"))
    raw = Playground(Settings(scale="none"), data=data)
    raw.trainer.train(60)
    scaled = Playground(Settings(), data=data)
    scaled.trainer.train(60)
    assert raw.evaluate()["test_accuracy"] < 0.8 < 0.93 <= scaled.evaluate()["test_accuracy"]


def test_read_outs_while_running_refresh_once_per_epoch():
    pg, _ = _trained("standard", name="iris", hidden=(4,))
    first = pg.confusion(fresh=False)
    pg.trainer.step_batch()  # within the same epoch
    assert pg.confusion(fresh=False) is first  # reused while running
    assert pg.confusion() is not first  # always fresh when asked (e.g. paused)
    pg.trainer.step_epoch()
    assert pg.confusion(fresh=False) is not first


def test_snapshots_say_whether_the_inputs_are_scaled():
    from model.snapshot import take_snapshot
    pg, _ = _trained("minmax", name="iris", hidden=(2,))
    assert take_snapshot(pg, 1, include_grids=False).input_scaling == "minmax"
    assert take_snapshot(Playground(Settings()), 1, include_grids=False).input_scaling is None
