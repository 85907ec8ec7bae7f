"""The fast engine against the textbook reference (model/core/reference.py), to 1e-12 relative:
gradients of random networks for every activation and loss pairing, several depths and batch
sizes; training with every optimizer and regularizer over 50 steps."""
import itertools

import numpy as np
import pytest

from model import Network
from model.core import reference
from model.core.trainer import Trainer

HIDDEN = ("tanh", "sigmoid", "relu", "linear", "leaky_relu", "leaky_relu:0.2", "elu", "softplus",
          "silu", "gelu_tanh")
PAIRINGS = [(out, "mse") for out in ("sigmoid", "tanh", "linear", "relu", "softmax", "leaky_relu",
                                     "leaky_relu:0.3", "elu", "softplus")] + \
    [("sigmoid", "bce"), ("softmax", "cce")]
RTOL = 1e-12


def close(fast, ref, what):
    """max |fast − ref| ≤ 1e-12 · max |ref| over the whole tensor."""
    fast, ref = np.asarray(fast), np.asarray(ref)
    scale = max(float(np.max(np.abs(ref))), 1e-300)
    err = float(np.max(np.abs(fast - ref))) / scale
    assert err <= RTOL, f"{what}: relative error {err:.2e}"


def random_problem(hidden_sizes, hidden, out, loss, n, seed):
    rng = np.random.default_rng(seed)
    k = 3 if out == "softmax" else 2 if loss == "mse" else 1
    sizes = [3, *hidden_sizes, k]
    net = Network(sizes, [hidden] * len(hidden_sizes) + [out])
    net.params[:] = rng.normal(0, 0.8, net.n_params)
    X = rng.normal(0, 1.5, (n, 3))
    if loss == "cce":
        Y = np.eye(k)[rng.integers(0, k, n)]
    elif loss == "bce":
        Y = rng.integers(0, 2, (n, 1)).astype(float)
    else:
        Y = rng.normal(0, 1, (n, k))
    return net, X, Y


@pytest.mark.parametrize("depth", [0, 1, 3])
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("out, loss", PAIRINGS)
def test_gradients_match_the_textbook_reference(depth, hidden, out, loss):
    for n, seed in ((1, 0), (5, 1), (32, 2)):
        net, X, Y = random_problem([4, 3, 5][:depth], hidden, out, loss, n, seed)
        value, grads = net.loss_and_gradients(X, Y, loss)
        layers = reference.layers_of(net)
        close(value, reference.mean_loss(X, Y, layers, loss), "loss")
        for l, ((dW, db), (rW, rb)) in enumerate(zip(grads, reference.backward(X, Y, layers, loss))):
            close(dW, rW, f"layer {l + 1} dW (n={n})")
            close(db, rb, f"layer {l + 1} db (n={n})")


def test_a_layer_without_biases_has_no_bias_gradient():
    net = Network([2, 3, 1], ["tanh", "sigmoid"], use_bias=[False, True])
    net.params[:] = np.random.default_rng(4).normal(size=net.n_params) * net.weight_mask
    X = np.random.default_rng(5).normal(size=(6, 2))
    Y = np.array([[0.0], [1.0], [1.0], [0.0], [1.0], [0.0]])
    _, grads = net.loss_and_gradients(X, Y, "bce")
    ref = reference.backward(X, Y, reference.layers_of(net), "bce")
    assert ref[0][1] is None and np.all(grads[0][1] == 0)
    close(grads[0][0], ref[0][0], "dW1")
    close(grads[1][0], ref[1][0], "dW2")


@pytest.mark.parametrize("optimizer, regularization, rate",
                         [(o, r, 0.01) for o, r in itertools.product(("sgd", "momentum", "adam"),
                                                                     ("none", "l1", "l2"))]
                         + [("sgd", "l1", 0.5), ("adam", "l1", 0.5)])
def test_fifty_training_steps_match_the_reference(optimizer, regularization, rate):
    net, X, Y = random_problem([4, 3], "tanh", "sigmoid", "bce", 23, seed=7)
    lr, batch = 0.05, 7
    trainer = Trainer(net.copy(), X, Y, loss="bce", optimizer=optimizer, lr=lr, batch_size=batch,
                      shuffle=False, regularization=regularization, reg_rate=rate)
    layers = reference.layers_of(net)
    states = [{} for _ in range(2 * len(layers))]
    starts = [0, 7, 14, 21]  # 23 rows in batches of 7: the last one is partial (2 rows)
    for step in range(50):
        trainer.step_batch()
        s = starts[step % 4]
        layers = reference.train_step(X[s:s + batch], Y[s:s + batch], layers, "bce", optimizer,
                                      lr, states, regularization, rate)
    for l, (layer, (W, b, _)) in enumerate(zip(trainer.net.layers, layers)):
        close(layer.W, W, f"W{l + 1} after 50 steps")
        close(layer.b, b, f"b{l + 1} after 50 steps")
    if rate == 0.5:  # a strong L1: weights crossed zero and stopped there, in both
        zeros = np.flatnonzero(trainer.net.params * trainer.net.weight_mask == 0)
        assert len(zeros) > np.count_nonzero(trainer.net.weight_mask == 0)
        ref = np.concatenate([np.vstack([W, b]).ravel() for W, b, _ in layers])
        np.testing.assert_array_equal(trainer.net.params == 0, ref == 0)
