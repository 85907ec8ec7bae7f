"""Minibatch training: order, partial batches, determinism, history, divergence."""
import math

import numpy as np
import pytest

from model import Network
from model.core.trainer import Trainer, encode_targets

RNG = np.random.default_rng(7)
X = RNG.uniform(-3, 3, (23, 2))
Y = (X[:, :1] * X[:, 1:] > 0).astype(float)


def make(batch, shuffle=True, seed=0, **kw):
    net = Network.from_sizes([2, 5, 1], hidden="tanh", output="sigmoid", init="xavier", seed=1)
    return Trainer(net, X, Y, X[:5], Y[:5], loss=kw.pop("loss", "mse"), batch_size=batch,
                   shuffle=shuffle, seed=seed, **kw)


def reference_sgd(net, rows, lr, batch):
    """Plain per-formula SGD over rows in the given order: the independent reference."""
    Ws = [l.W.copy() for l in net.layers]
    bs = [l.b.copy() for l in net.layers]
    for s in range(0, len(rows), batch):
        x, y = X[rows[s:s + batch]], Y[rows[s:s + batch]]
        a1 = np.tanh(x @ Ws[0] + bs[0])
        a2 = 1 / (1 + np.exp(-(a1 @ Ws[1] + bs[1])))
        d2 = (a2 - y) * a2 * (1 - a2)
        d1 = (d2 @ Ws[1].T) * (1 - a1 ** 2)
        grads = [(x.T @ d1 / len(x), d1.mean(0)), (a1.T @ d2 / len(x), d2.mean(0))]
        for l, (dW, db) in enumerate(grads):
            Ws[l] -= lr * dW
            bs[l] -= lr * db
    return Ws, bs


@pytest.mark.parametrize("batch", [1, 4, 23])
def test_unshuffled_epoch_is_plain_sgd_in_the_data_order_with_the_partial_batch(batch):
    t = make(batch, shuffle=False, lr=0.1)
    Ws, bs = reference_sgd(t.net.copy(), np.arange(23), 0.1, batch)
    assert t.step_epoch()
    assert t.steps == math.ceil(23 / batch) and t.epoch == 1
    for l, layer in enumerate(t.net.layers):
        assert np.allclose(layer.W, Ws[l], atol=1e-13) and np.allclose(layer.b, bs[l], atol=1e-13)


def test_shuffled_epoch_follows_the_recorded_order_and_is_seeded():
    t = make(4, shuffle=True, seed=3, lr=0.1)
    before = t.net.copy()
    t.step_epoch()
    assert sorted(t.order) == list(range(23)) and list(t.order) != list(range(23))
    Ws, _ = reference_sgd(before, t.order, 0.1, 4)
    assert np.allclose(t.net.layers[0].W, Ws[0], atol=1e-13)
    again = make(4, shuffle=True, seed=3, lr=0.1)
    again.step_epoch()
    assert np.array_equal(again.net.params, t.net.params)
    other = make(4, shuffle=True, seed=4, lr=0.1)
    other.step_epoch()
    assert not np.array_equal(other.net.params, t.net.params)


def test_step_batch_runs_exactly_one_minibatch():
    t = make(5, shuffle=False, lr=0.2)
    net0 = t.net.copy()
    assert t.step_batch() is False
    assert t.steps == 1 and t.position == 5 and t.epoch == 0
    _, grads = net0.loss_and_gradients(X[:5], Y[:5], "mse")
    expected = np.concatenate([np.concatenate([dW.ravel(), db]) for dW, db in grads])
    assert np.allclose(t.net.params, net0.params - 0.2 * expected, atol=1e-15)
    for _ in range(4):
        t.step_batch()
    assert t.epoch == 1 and t.position == 0 and len(t.history) == 1


def test_history_losses_exclude_regularization_and_accuracy_is_reported():
    t = make(23, shuffle=False, lr=0.5, regularization="l2", reg_rate=0.1)
    t.step_epoch()
    assert t.history.train_loss[-1] == pytest.approx(t.net.loss(X, Y, "mse"))
    acc = np.mean((t.net.predict(X)[:, 0] > 0.5) == (Y[:, 0] == 1))
    assert t.history.train_accuracy[-1] == pytest.approx(acc)
    t.train(200)
    assert t.history.train_loss[-1] < t.history.train_loss[0]
    assert len(t.history) == 201


def test_hyperparameters_change_without_touching_weights():
    t = make(4, lr=0.1)
    t.step_epoch()
    before = t.net.params.copy()
    t.lr = 0.5
    t.set_optimizer("adam")
    t.set_regularization("l1", 0.01)
    t.set_batch_size(7)
    assert np.array_equal(t.net.params, before) and t.optimizer.lr == 0.5
    t.step_epoch()
    assert t.steps == 6 + 4


@pytest.mark.parametrize("hidden", ["relu", "linear"])
def test_divergence_stops_with_a_message_naming_a_layer_and_restores_weights(hidden):
    net = Network.from_sizes([2, 8, 8, 1], hidden=hidden, output="linear", seed=0)
    t = Trainer(net, X * 100, Y * 1e3, loss="mse", lr=1e3, batch_size=4, task="regression")
    t.train(50)
    assert t.diverged and "layer" in t.diverged and "smaller learning rate" in t.diverged
    assert np.all(np.isfinite(t.net.params))
    assert t.step_batch() is False  # stays stopped until reset
    t.reset_divergence()
    t.lr = 1e-6
    t.step_batch()
    assert np.all(np.isfinite(t.net.params))


def test_encode_targets():
    y = np.array([0, 1, 1])
    assert encode_targets(y, "classification", 1, "sigmoid").ravel().tolist() == [0, 1, 1]
    assert encode_targets(y, "classification", 1, "tanh").ravel().tolist() == [-1, 1, 1]
    assert encode_targets(np.array([2, 0]), "classification", 3, "softmax").tolist() == [[0, 0, 1], [1, 0, 0]]
    with pytest.raises(ValueError, match="3 classes need 3 outputs"):
        encode_targets(np.array([0, 1, 2]), "classification", 1, "sigmoid")


def test_bad_training_data_is_refused_clearly():
    net = Network.from_sizes([2, 1])
    with pytest.raises(ValueError, match="NaN"):
        Trainer(net, np.array([[np.nan, 0.0]]), np.zeros((1, 1)))
    with pytest.raises(ValueError, match="shape"):
        Trainer(net, np.zeros((3, 3)), np.zeros((3, 1)))


def test_network_and_trainer_encode_class_labels_the_same_way():
    """One encoding: for a tanh output class 0 is −1 in the network's helpers and the trainer."""
    y = np.array([0, 1, 1, 0])
    for act, low in (("tanh", -1.0), ("sigmoid", 0.0)):
        net = Network.from_sizes([2, 3, 1], output=act, seed=1)
        expected = np.array([[low], [1.0], [1.0], [low]])
        np.testing.assert_array_equal(net.prepare_targets(y), expected)
        np.testing.assert_array_equal(encode_targets(y, "classification", 1, act), expected)
        t = Trainer(net, np.zeros((4, 2)), y, loss="mse")
        np.testing.assert_array_equal(t.Y_train, expected)


def test_trainer_with_bce_accepts_1d_labels():
    net = Network.from_sizes([2, 2, 1], output="sigmoid", seed=0)
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t1 = Trainer(net.copy(), X, np.array([0, 1, 1]), loss="bce", batch_size=3)
    t2 = Trainer(net.copy(), X, np.array([[0.0], [1.0], [1.0]]), loss="bce", batch_size=3)
    t1.step_batch()
    t2.step_batch()
    np.testing.assert_array_equal(t1.net.params, t2.net.params)


def test_predict_takes_a_single_row():
    net = Network.from_sizes([3, 4, 2], output="softmax", seed=2)
    X = np.array([[0.1, -0.2, 0.3], [1.0, 2.0, -1.0]])
    np.testing.assert_array_equal(net.predict(X[1]), net.predict(X)[1])
    assert net.predict(X[0]).shape == (2,)
    with pytest.raises(ValueError, match=r"\(3,\)"):
        net.predict(np.zeros(4))


def test_data_out_of_range_is_named_as_such_not_as_a_learning_rate_problem():
    net = Network.from_sizes([1, 3, 1], hidden="tanh", output="linear", seed=0)
    X = np.linspace(-1, 1, 20)[:, None]
    t = Trainer(net, X, np.full((20, 1), 1e200), loss="mse", batch_size=5)
    t.train(3)
    assert t.diverged and "data is out of range" in t.diverged
    assert "1e+200" in t.diverged and "learning rate" not in t.diverged
    # a real learning-rate divergence still says so
    net2 = Network.from_sizes([1, 3, 1], hidden="relu", output="linear", seed=0)
    t2 = Trainer(net2, X, np.sin(3 * X), loss="mse", lr=1e6, batch_size=5)
    t2.train(50)
    assert t2.diverged and "smaller learning rate" in t2.diverged
