"""The tutorials' worked examples, shipped in resources/examples/, reproduce the published numbers."""
import json
import math

import numpy as np
import pytest

from model import load_network
from model.data.csvdata import load_csv
from model.files.bundled import resource
from model.playground import Playground, Settings

EXAMPLES = resource("examples")


def test_classic_2_2_2_total_error_and_one_sgd_step():
    net = load_network(EXAMPLES / "classic_2_2_2.json")
    data = load_csv(EXAMPLES / "classic_2_2_2.csv")
    loss, grads = net.loss_and_gradients(data.X_train, data.y_train, "mse")
    assert loss == pytest.approx(0.298371109, abs=1e-9)
    # the tutorial updates only the weights, with lr 0.5
    W1 = net.layers[0].W - 0.5 * grads[0][0]
    W2 = net.layers[1].W - 0.5 * grads[1][0]
    # w5, w6 into output 1 from hidden 1, 2; w7, w8 into output 2
    assert W2[0][0] == pytest.approx(0.35891648, abs=1e-8)
    assert W2[1][0] == pytest.approx(0.408666186, abs=1e-9)
    assert W2[0][1] == pytest.approx(0.511301270, abs=1e-9)
    assert W2[1][1] == pytest.approx(0.561370121, abs=1e-9)
    # w1, w2 into hidden 1 from inputs 1, 2; w3, w4 into hidden 2
    assert W1[0][0] == pytest.approx(0.149780716, abs=1e-9)
    assert W1[1][0] == pytest.approx(0.19956143, abs=1e-8)
    assert W1[0][1] == pytest.approx(0.24975114, abs=1e-8)
    assert W1[1][1] == pytest.approx(0.29950229, abs=1e-8)


def test_4_3_1_reproduces_the_published_errors():
    """"Understanding and coding neural networks from scratch" (numpy/R): weights from
    RandomState(42).uniform; it prints ½(y − a)² per row for the first draws, then trains the next
    draws full batch for 1000 epochs (lr 0.1 on summed gradients = lr 0.3 on this app's mean)."""
    rs = np.random.RandomState(42)
    draws = [(rs.uniform(size=(4, 3)), rs.uniform(size=(3, 1))) for _ in range(2)]
    untrained = load_network(EXAMPLES / "net_4_3_1.json")
    start = load_network(EXAMPLES / "net_4_3_1_training.json")
    for net, (W1, W2) in zip((untrained, start), draws):  # the shipped files are those draws
        np.testing.assert_array_equal(net.layers[0].W, W1)
        np.testing.assert_array_equal(net.layers[1].W, W2)
        assert not any(layer.use_bias for layer in net.layers)
    data = load_csv(EXAMPLES / "net_4_3_1.csv")
    np.testing.assert_array_equal(data.X_train, [[1, 0, 0, 0], [1, 0, 1, 1], [0, 1, 0, 1]])
    np.testing.assert_array_equal(data.y_train[:, 0], [1, 1, 0])
    errors = 0.5 * (data.y_train[:, 0] - untrained.predict(data.X_train)[:, 0]) ** 2
    np.testing.assert_allclose(errors, [0.05013458, 0.03727248, 0.25388062], atol=5e-9)

    pg = Playground(Settings(hidden=(3,), activation="sigmoid", output_activation="sigmoid",
                             loss="mse", lr=0.3, batch_size=3, shuffle=False, train_ratio=1.0),
                    data=data, network=start)
    curve = [pg.net.loss(data.X_train, data.y_train, "mse")]
    pg.trainer.train(900)
    curve += [pg.trainer.history.train_loss[e - 1] for e in range(100, 1000, 100)]
    published = [0.11553, 0.11082, 0.10606, 0.09845, 0.08483, 0.06396, 0.04206, 0.02641,
                 0.01719, 0.01190]
    np.testing.assert_allclose(curve, published, atol=5e-6)


def test_2_3_1_without_biases_forward_pass_and_learning():
    """No tutorial published numbers for this network: the expectation is an independent
    computation, the forward pass in plain Python from the file's weights."""
    net = load_network(EXAMPLES / "no_bias_2_3_1.json")
    assert not any(layer.use_bias for layer in net.layers)
    doc = json.loads((EXAMPLES / "no_bias_2_3_1.json").read_text())
    W1, W2 = (layer["weights"] for layer in doc["layers"])
    sig = lambda v: 1 / (1 + math.exp(-v))
    x = (1.0, 1.0)
    hidden = [sig(sum(x[i] * W1[i][j] for i in range(2))) for j in range(3)]
    out = sig(sum(hidden[j] * W2[j][0] for j in range(3)))
    assert net.predict([list(x)])[0, 0] == pytest.approx(out, abs=1e-12)
    data = load_csv(EXAMPLES / "no_bias_2_3_1.csv")
    pg = Playground(Settings(lr=1.0, batch_size=1, loss="mse"), data=data, network=net)
    pg.trainer.train(500)
    assert net.predict([list(x)])[0, 0] < out / 5  # pulled towards its target 0
    assert np.all(net.layers[0].b == 0) and np.all(net.layers[1].b == 0)


def test_2_4_4_1_two_hidden_layers_on_a_2d_dataset():
    net = load_network(EXAMPLES / "circle_2_4_4_1.json")
    data = load_csv(EXAMPLES / "circle.csv")
    pg = Playground(Settings(lr=0.1, batch_size=10, loss="bce", optimizer="adam"), data=data, network=net)
    pg.trainer.train(150)
    m = pg.evaluate()
    # no published figures: the bar is this project's own
    assert m["train_accuracy"] >= 0.95 and m["test_accuracy"] >= 0.9, m
