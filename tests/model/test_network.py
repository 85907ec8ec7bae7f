"""The network: forward formulas, backprop against centred differences, shapes, no weight changes."""
import math

import numpy as np
import pytest

from model import Network
from model.core.activations import ACTIVATIONS, get_activation
from model.lessons.gradcheck import gradient_check, relative_error

# (hidden, output, loss) pairings that make sense
PAIRINGS = [
    ("sigmoid", "sigmoid", "mse"), ("tanh", "tanh", "mse"), ("relu", "linear", "mse"),
    ("linear", "linear", "mse"), ("tanh", "sigmoid", "bce"), ("relu", "sigmoid", "bce"),
    ("sigmoid", "softmax", "cce"), ("tanh", "softmax", "cce"), ("relu", "softmax", "cce"),
    ("tanh", "softmax", "mse"), ("sigmoid", "relu", "mse"),
]


def _targets(rng, loss, k, n):
    if loss == "cce":
        return rng.integers(0, k, n)
    if loss == "bce":
        return rng.integers(0, 2, (n, k)).astype(float)
    return rng.uniform(-1, 1, (n, k)) if k else None


@pytest.mark.parametrize("hidden,output,loss", PAIRINGS)
@pytest.mark.parametrize("depth", [0, 1, 3])
def test_backprop_matches_centred_differences(hidden, output, loss, depth):
    rng = np.random.default_rng(depth)
    k = 3 if output == "softmax" else 2
    sizes = [3] + [5, 4, 3][:depth] + [k]
    net = Network.from_sizes(sizes, hidden=hidden, output=output, init="xavier", seed=depth)
    if "relu" in (hidden, output):
        net.layers[-1].b[:] += 0.3  # keep a relu output away from its kink
    X = rng.normal(size=(4, 3))
    # keep every pre-activation away from ReLU's kink, where the derivative is undefined
    zs, _ = net.forward_all(X)
    assert all(np.min(np.abs(z)) > 1e-4 for z in zs)
    before = net.params.copy()
    result = gradient_check(net, X, _targets(rng, loss, k, 4), loss)
    assert result.worst_error < 1e-6, (result.worst_name, result.worst_error)
    assert np.array_equal(net.params, before)  # checking never changes the weights


def test_gradient_check_names_the_worst_parameter_and_flags_a_broken_derivative():
    rng = np.random.default_rng(0)
    good = Network.from_sizes([2, 3, 1], hidden="tanh", output="sigmoid", seed=1)

    class WrongTanh(type(get_activation("tanh"))):
        def backward(self, z, a, grad_a, out=None, scratch=None):
            return np.multiply(grad_a, 1 - a, out=out)  # forgot the square

    broken = good.copy()
    broken.layers[0].activation = WrongTanh()
    broken._workspaces.clear()
    X, Y = rng.normal(size=(5, 2)), rng.random((5, 1))
    ok = gradient_check(good, X, Y, "mse")
    bad = gradient_check(broken, X, Y, "mse", network_for_numeric=good)
    assert ok.passed and not bad.passed
    assert bad.worst_name.startswith("layer1.")
    assert all(name.startswith("layer1.") for name in (bad.names[i] for i in bad.failing()))
    assert bad.per_layer(good)[1] < 1e-6 < bad.per_layer(good)[0]


def test_forward_is_the_tutorial_formula():
    """z = a_prev·W + b, a = f(z), W[i][j] from neuron i to neuron j, by explicit sums."""
    net = Network.from_sizes([3, 4, 2], hidden="tanh", output="sigmoid", init="normal", seed=3)
    x = np.array([0.3, -1.2, 2.0])
    L1, L2 = net.layers
    h = [math.tanh(sum(x[i] * L1.W[i][j] for i in range(3)) + L1.b[j]) for j in range(4)]
    o = [1 / (1 + math.exp(-(sum(h[i] * L2.W[i][j] for i in range(4)) + L2.b[j]))) for j in range(2)]
    assert np.allclose(net.predict(x[None]), [o], rtol=0, atol=1e-14)
    net.forward(x[None])
    assert np.allclose(net.cache["a"][0][0], h) and np.allclose(net.cache["z"][1][0], np.log(np.array(o) / (1 - np.array(o))))


def test_backward_stores_gradients_with_the_weights_shapes_and_touches_no_weight():
    net = Network.from_sizes([2, 4, 4, 1], hidden="tanh", output="sigmoid", seed=0)
    before = net.params.copy()
    X = np.random.default_rng(0).normal(size=(7, 2))
    loss, grads = net.loss_and_gradients(X, np.ones((7, 1)), loss="mse")
    assert np.array_equal(net.params, before)
    assert [(g.shape, b.shape) for g, b in grads] == [(l.W.shape, l.b.shape) for l in net.layers]
    assert [d.shape for d in net.cache["delta"]] == [(7, 4), (7, 4), (7, 1)]
    # batch means: the gradient of 7 samples is the mean of the 7 single-sample gradients
    singles = [net.loss_and_gradients(X[i:i + 1], np.ones((1, 1)), "mse")[1] for i in range(7)]
    for l in range(3):
        assert np.allclose(grads[l][0], np.mean([s[l][0] for s in singles], axis=0), atol=1e-15)
        assert np.allclose(grads[l][1], np.mean([s[l][1] for s in singles], axis=0), atol=1e-15)


def test_integer_labels_equal_one_hot_rows_for_cce():
    net = Network.from_sizes([2, 3, 3], hidden="relu", output="softmax", seed=2)
    X = np.random.default_rng(1).normal(size=(4, 2))
    labels = np.array([0, 2, 1, 2])
    l1, g1 = net.loss_and_gradients(X, labels, "cce")
    l2, g2 = net.loss_and_gradients(X, np.eye(3)[labels], "cce")
    assert l1 == l2 and all(np.array_equal(a[0], b[0]) for a, b in zip(g1, g2))


def test_losses_follow_their_documented_conventions():
    net = Network([1, 2], ["linear"], params=[1.0, 2.0, 0.0, 0.0])  # a = [x, 2x]
    X, Y = np.array([[1.0], [2.0]]), np.array([[0.0, 0.0], [1.0, 1.0]])
    # mse = mean over samples of ½ Σ (y − a)²: sample 1: ½(1 + 4), sample 2: ½(1 + 9)
    assert net.loss(X, Y, "mse") == pytest.approx((2.5 + 5.0) / 2)
    sig = Network([1, 1], ["sigmoid"], params=[0.0, 0.0])  # a = 0.5 everywhere
    assert sig.loss(np.zeros((3, 1)), np.array([[0.0], [1.0], [1.0]]), "bce") == pytest.approx(math.log(2))
    soft = Network([1, 4], ["softmax"], params=np.zeros(8))  # uniform over 4 classes
    assert soft.loss(np.zeros((2, 1)), np.array([1, 3]), "cce") == pytest.approx(math.log(4))


def test_stable_losses_with_saturated_outputs():
    net = Network([1, 2], ["softmax"], params=[800.0, -800.0, 0.0, 0.0])
    loss, grads = net.loss_and_gradients([[1.0]], [1], "cce")
    assert loss == pytest.approx(1600.0) and all(np.all(np.isfinite(g)) for pair in grads for g in pair)
    sig = Network([1, 1], ["sigmoid"], params=[-1000.0, 0.0])
    assert sig.loss([[1.0]], [[1.0]], "bce") == pytest.approx(1000.0)


def test_seeded_initialisers_are_deterministic_and_follow_their_ranges():
    for scheme in ("tf", "uniform", "normal", "xavier", "he"):
        a = Network.from_sizes([2, 8, 8, 1], init=scheme, seed=5)
        b = Network.from_sizes([2, 8, 8, 1], init=scheme, seed=5)
        c = Network.from_sizes([2, 8, 8, 1], init=scheme, seed=6)
        assert np.array_equal(a.params, b.params) and not np.array_equal(a.params, c.params)
    tf = Network.from_sizes([2, 50, 1], init="tf", seed=0)
    assert np.all(np.abs(tf.layers[0].W) <= 0.5) and np.all(tf.layers[0].b == 0.1)
    uni = Network.from_sizes([2, 50, 1], init="uniform", seed=0)
    assert uni.layers[0].W.min() >= 0 and uni.layers[0].W.max() < 1
    xav = Network.from_sizes([30, 50, 1], init="xavier", seed=0)
    assert np.abs(xav.layers[0].W).max() <= math.sqrt(6 / 80)
    he = Network.from_sizes([200, 300, 1], init="he", seed=0)
    assert he.layers[0].W.std() == pytest.approx(math.sqrt(2 / 200), rel=0.05)


def test_softmax_only_on_the_output_and_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="softmax"):
        Network([2, 3, 2], ["softmax", "softmax"])
    with pytest.raises(ValueError, match="unknown activation"):
        Network([2, 1], ["swish"])
    net = Network.from_sizes([2, 3, 1])
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        net.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="needs a sigmoid output"):
        Network.from_sizes([2, 1], output="tanh").loss_and_gradients([[0, 0]], [[1]], "bce")


def test_parameters_are_views_in_one_ordered_list():
    net = Network.from_sizes([2, 3, 1], seed=0)
    names = [p.name for p in net.parameters()]
    assert names == ["layer1.W", "layer1.b", "layer2.W", "layer2.b"]
    net.parameters()[2].value[1, 0] = 42.0
    assert net.layers[1].W[1, 0] == 42.0 and net.params[net.param_index(1, 1, 0)] == 42.0
    assert net.params[net.param_index(0, None, 2)] == net.layers[0].b[2]


def test_every_activation_derivative_matches_a_difference_quotient():
    z = np.linspace(-3, 3, 13)[None, :] + 1e-3  # off the ReLU kink
    for name, act in ACTIVATIONS.items():
        if name == "softmax":
            continue
        a = act.forward(z)
        eps = 1e-6
        numeric = (act.forward(z + eps) - act.forward(z - eps)) / (2 * eps)
        assert np.max(relative_error(act.derivative(z, a), numeric)) < 1e-6, name
