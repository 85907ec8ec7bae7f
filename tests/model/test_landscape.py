"""The loss landscape: the surface against losses computed directly, the three planes (two
weights, filter-normalised random directions, the path's principal directions), the path on
the plane, the bounded path record, the refresh throttle, and the preset lesson."""
import numpy as np
import pytest

from model.core.network import Network
from model.lessons import landscape
from model.lessons.landscape import (PathRecorder, RefreshThrottle,
                                     filter_normalized, loss_surface, pca_plane,
                                     playground_surface, random_plane, weights_plane)
from model.lessons.landscape_lesson import W_START, W_STAR, landscape_lesson, lesson_data
from model.playground import Playground, Settings

SETUPS = {
    "binary bce, per-layer activations": Settings(
        dataset="xor", hidden=(5, 4), layer_activations=("elu", "gelu_tanh"), n_points=120),
    "3 classes softmax cce": Settings(dataset="blobs", hidden=(4,), activation="relu",
                                      n_points=90),
    "regression mse": Settings(dataset="sine_wave", hidden=(6, 3), activation="leaky_relu:0.2",
                               n_points=100),
}


def trained(settings, epochs=15):
    pg = Playground(settings)
    recorder = PathRecorder()
    recorder.on_new_run(pg)
    for _ in range(epochs):
        pg.trainer.step_epoch()
        recorder.on_epoch(pg)
    return pg, recorder


def planes(pg, recorder):
    path, _, _ = recorder.path()
    return {"weights": weights_plane(pg.net, (0, 1, 0), (1, None, 0)),
            "random": random_plane(pg.net, seed=3), "pca": pca_plane(path)}


@pytest.mark.parametrize("setup", list(SETUPS))
@pytest.mark.parametrize("kind", ["weights", "random", "pca"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_the_surface_equals_losses_computed_directly(setup, kind, split):
    pg, recorder = trained(SETUPS[setup])
    plane = planes(pg, recorder)[kind]
    uv, _ = plane.project(recorder.path()[0])
    surface = playground_surface(pg, plane, split=split, resolution=(17, 13), path_uv=uv)
    assert surface.loss.shape == (13, 17) and surface.evaluations == 221
    net = pg.net.copy()
    t = pg.trainer
    X, Y = (t.X_train, t.Y_train) if split == "train" else (t.X_test, t.Y_test)
    rng = np.random.default_rng(0)
    for r, c in zip(rng.integers(0, 13, 12), rng.integers(0, 17, 12)):
        net.params[:] = plane.params_at(surface.us[c], surface.vs[r])
        direct = net.loss(X, Y, t.loss.name)
        assert surface.loss[r, c] == pytest.approx(direct, rel=1e-12, abs=1e-300)
    # the current weights are the plane's origin: the loss there is the trainer's own
    u0, v0 = plane.project(pg.net.params)[0][0]
    assert np.allclose(plane.params_at(u0, v0), pg.net.params, rtol=0, atol=1e-12)


def test_chunks_do_not_change_the_numbers(monkeypatch):
    pg, recorder = trained(SETUPS["3 classes softmax cce"], epochs=3)
    plane = random_plane(pg.net, 1)
    whole = playground_surface(pg, plane, resolution=9)
    monkeypatch.setattr(landscape, "CHUNK_FLOATS", 1)  # one grid point per chunk
    pieces = playground_surface(pg, plane, resolution=9)
    np.testing.assert_array_equal(whole.loss, pieces.loss)
    assert whole.seconds > 0


def test_the_pca_plane_contains_a_path_that_lies_in_a_plane():
    rng = np.random.default_rng(5)
    P = 57
    c, u, v = rng.normal(size=P), rng.normal(size=P), rng.normal(size=P)
    a, b = np.cumsum(rng.normal(size=40)), np.cumsum(rng.normal(size=40))
    path = c + a[:, None] * u + b[:, None] * v  # an affine 2-D subspace of R^57
    plane = pca_plane(path)
    uv, residual = plane.project(path)
    assert residual.max() < 1e-10 * np.abs(path).max()
    assert np.allclose(uv[-1], 0.0, atol=1e-12)  # about the newest point
    # distances on the plane are distances in weight space (unit, orthogonal directions)
    d_plane = np.linalg.norm(uv[:, None] - uv[None], axis=2)
    d_space = np.linalg.norm(path[:, None] - path[None], axis=2)
    np.testing.assert_allclose(d_plane, d_space, rtol=1e-9, atol=1e-9)
    assert sum(plane.explained) == pytest.approx(1.0)
    assert abs(plane.d1 @ plane.d2) < 1e-12


def test_a_real_path_on_its_pca_plane():
    pg, recorder = trained(SETUPS["binary bce, per-layer activations"], epochs=30)
    path = recorder.path()[0]
    plane = pca_plane(path)
    uv, residual = plane.project(path)
    assert 0.5 < plane.explained[0] < 1.0 and plane.explained[0] >= plane.explained[1]
    total = np.linalg.norm(path - path[-1], axis=1).max()
    # what two directions cannot hold is at most the share the others explain
    assert residual.max() <= total * np.sqrt(max(0.0, 1 - sum(plane.explained))) * 3 + 1e-12
    extent = plane.default_extent(uv)
    assert extent[0] < uv[:, 0].min() and uv[:, 0].max() < extent[1]
    assert extent[2] < uv[:, 1].min() and uv[:, 1].max() < extent[3]


def test_pca_needs_a_path_that_moves_in_two_directions():
    with pytest.raises(ValueError, match="at least 3 recorded points"):
        pca_plane(np.zeros((2, 5)))
    line = np.outer(np.arange(6.0), np.ones(5))
    with pytest.raises(ValueError, match="one direction only"):
        pca_plane(line)
    with pytest.raises(ValueError, match="NaN"):
        pca_plane(np.array([[0, 1], [np.nan, 2], [3, 4.0]]))


def test_filter_normalisation_per_neuron_and_zero_biases():
    net = Network([3, 4, 2], ["tanh", "linear"])
    net.params[:] = np.random.default_rng(1).normal(size=net.n_params) * np.arange(1, 1 + net.n_params)
    d = filter_normalized(np.random.default_rng(2).normal(size=net.n_params), net.params, net.layout)
    for layer in range(2):
        D, db = net.layout.split(d, layer)
        W, _ = net.layout.split(net.params, layer)
        np.testing.assert_allclose(np.linalg.norm(D, axis=0), np.linalg.norm(W, axis=0), rtol=1e-13)
        assert np.all(db == 0)
    plane = random_plane(net, seed=4)
    for direction, scale in ((plane.d1, plane.scales[0]), (plane.d2, plane.scales[1])):
        assert np.linalg.norm(direction) == pytest.approx(1.0)
        for layer in range(2):
            D, _ = net.layout.split(direction * scale, layer)
            W, _ = net.layout.split(net.params, layer)
            np.testing.assert_allclose(np.linalg.norm(D, axis=0), np.linalg.norm(W, axis=0),
                                       rtol=1e-12)
    # Li et al.'s unit: the filter-normalised direction is as long as all the weights together
    weights_only = net.params * net.weight_mask
    assert plane.scales[0] == pytest.approx(np.linalg.norm(weights_only))
    # a dead neuron (all weights zero) gets no direction; no weights at all is an error
    net.layers[0].W[:, 1] = 0.0
    d = filter_normalized(np.ones(net.n_params), net.params, net.layout)
    assert np.all(net.layout.split(d, 0)[0][:, 1] == 0)
    net.params[:] = 0.0
    with pytest.raises(ValueError, match="every weight is zero"):
        random_plane(net)


def test_two_chosen_weights():
    net = Network([2, 3, 1], ["tanh", "sigmoid"], use_bias=[True, False])
    net.initialize("xavier", 2)
    plane = weights_plane(net, (0, 1, 2), net.param_index(1, 0, 0))
    assert plane.labels == ("layer1.W[1][2]", "layer2.W[0][0]")
    assert plane.axis_offsets == (net.layers[0].W[1, 2], net.layers[1].W[0, 0])
    theta = plane.params_at(0.25, -3.0)  # the axes are the weights' own values
    expected = net.params.copy()
    expected[net.param_index(0, 1, 2)] = 0.25
    expected[net.param_index(1, 0, 0)] = -3.0
    np.testing.assert_array_equal(theta, expected)
    uv, residual = plane.project(theta)
    assert uv[0] == pytest.approx([0.25, -3.0]) and residual[0] == pytest.approx(0.0)
    for a, b, says in (((0, 0, 0), (0, 0, 0), "two different"),
                       ((0, 0, 0), (1, None, 0), "layer 2 has no biases"),
                       ((0, 5, 0), (0, 0, 0), "no parameter"), (99, 0, "out of range"),
                       ("w", 0, "flat index or")):
        with pytest.raises(ValueError, match=says):
            weights_plane(net, a, b)


def test_grid_arguments_are_checked():
    pg, recorder = trained(SETUPS["regression mse"], epochs=2)
    plane = random_plane(pg.net)
    for kwargs, says in (({"resolution": 1}, "2..201"), ({"resolution": 500}, "2..201"),
                         ({"extent": (1, 0, 0, 1)}, "u_min < u_max"),
                         ({"extent": (0, np.inf, 0, 1)}, "finite")):
        with pytest.raises(ValueError, match=says):
            playground_surface(pg, plane, **kwargs)
    with pytest.raises(ValueError, match="split"):
        playground_surface(pg, plane, split="validation")
    pg1 = Playground(Settings(dataset="plane", train_ratio=1.0, n_points=30))
    with pytest.raises(ValueError, match="no test rows"):
        playground_surface(pg1, random_plane(pg1.net), split="test")


def test_overflowing_losses_are_nan_not_errors():
    net = Network([1, 1], ["linear"])
    X, Y = np.array([[1e200]]), np.array([[0.0]])
    plane = weights_plane(net, 0, 1)
    surface = loss_surface(net, X, Y, "mse", plane, extent=(1e150, 2e150, -1, 1), resolution=3)
    assert np.isnan(surface.loss).all()


def test_the_path_record_is_bounded():
    rec = PathRecorder(capacity=50, keep_first=10)
    for step in range(1, 2001):
        rec.record(np.full(4, float(step)), epoch=step, steps=step)
    params, epochs, steps = rec.path()
    assert len(rec) <= 50 and params.shape == (len(rec), 4)
    assert list(steps[:10]) == list(range(1, 11)) and steps[-1] == 2000
    assert np.all(np.diff(steps) > 0) and np.all(params[:, 0] == steps)
    big = PathRecorder(capacity=400, keep_first=10, max_bytes=8 * 1000 * 30)
    for step in range(1, 200):
        big.record(np.zeros(1000), steps=step)
    assert len(big) <= 30
    rec.record(np.zeros(7), steps=1)  # another architecture starts another path
    assert rec.path()[0].shape == (1, 7)


def test_the_refresh_throttle_keeps_the_cost_under_its_share():
    throttle = RefreshThrottle(max_share=0.2, min_interval=0.0)
    assert throttle.due(0.0)
    throttle.done(cost=0.5, now=10.0)
    assert not throttle.due(11.9) and throttle.due(12.0)  # 0.5 s of work, then 2 s of training
    with pytest.raises(ValueError):
        RefreshThrottle(max_share=1.0)


# ------------------------------------------------------------------------- the lesson
@pytest.fixture(scope="module")
def lesson():
    return landscape_lesson()


def test_the_lesson_plane_is_the_whole_weight_space(lesson):
    X, Y = lesson_data()
    w = np.stack(np.meshgrid(lesson.surface.us, lesson.surface.vs), axis=-1)  # (r, r, 2)
    by_hand = 0.5 * np.mean((w @ X.T - Y[:, 0]) ** 2, axis=-1)
    np.testing.assert_allclose(lesson.surface.loss, by_hand, rtol=1e-12, atol=1e-15)
    for run in lesson.runs:
        thetas = [lesson.plane.params_at(*p) for p in run.path]
        uv, residual = lesson.plane.project(thetas)
        assert residual.max() == 0.0  # nothing of the path is off the plane
        np.testing.assert_allclose(uv, run.path, rtol=0, atol=1e-13)
        np.testing.assert_allclose(run.losses, 0.5 * np.mean((run.path @ X.T - Y[:, 0]) ** 2, 1),
                                   rtol=1e-12)
        assert tuple(run.path[0]) == W_START
    u, v, low = lesson.surface.minimum
    assert abs(u - W_STAR[0]) < 0.1 and abs(v - W_STAR[1]) < 0.1 and low < 1e-3


def _across(run, X):
    """Offset from the minimum along the steepest direction of the bowl, per step."""
    eigenvalues, vectors = np.linalg.eigh(X.T @ X / len(X))
    top = vectors[:, -1]
    return (run.path - np.array(W_STAR)) @ top, eigenvalues


def test_three_learning_rates_converge_oscillate_and_diverge(lesson):
    X, _ = lesson_data()
    converge, oscillate, diverge = lesson.runs[:3]
    across, eigenvalues = _across(converge, X)
    assert converge.lr < 1 / eigenvalues[-1] < oscillate.lr < 2 / eigenvalues[-1] < diverge.lr
    assert np.all(np.sign(across[1:]) == np.sign(across[0]))  # stays on its side
    assert np.all(np.diff(converge.losses) < 0)
    across, _ = _across(oscillate, X)
    assert np.all(np.sign(across[1:]) == -np.sign(across[:-1]))  # alternates sides every step
    assert oscillate.losses[-1] < 0.01 * oscillate.losses[0]
    across, _ = _across(diverge, X)
    assert np.all(np.sign(across[1:]) == -np.sign(across[:-1]))
    assert np.all(np.abs(across[1:]) > np.abs(across[:-1]))  # every jump longer
    assert np.all(np.diff(diverge.losses[3:]) > 0) and diverge.losses[-1] > 50 * diverge.losses[0]
    heading, indices = lesson.groups[0]
    assert indices == (0, 1, 2) and "learning rate" in heading.lower()


def test_momentum_beats_plain_sgd_on_the_same_surface(lesson):
    sgd, momentum = lesson.runs[3:5]
    assert sgd.optimizer == "sgd" and momentum.optimizer == "momentum" and sgd.lr == momentum.lr
    assert len(sgd.path) == len(momentum.path)
    assert momentum.losses[-1] < 0.1 * sgd.losses[-1]
    assert all(run.sentence and run.title for run in lesson.runs)
