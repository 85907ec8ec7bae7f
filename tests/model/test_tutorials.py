"""The tutorials' worked examples, shipped in resources/examples/, reproduce the published numbers."""
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


def test_4_3_1_sigmoid_network_learns_its_targets():
    net = load_network(EXAMPLES / "net_4_3_1.json")
    data = load_csv(EXAMPLES / "net_4_3_1.csv")
    pg = Playground(Settings(optimizer="sgd", lr=0.5, batch_size=3, loss="mse"), data=data, network=net)
    pg.trainer.train(3000)
    out = net.predict(data.X_train)[:, 0]
    assert np.all(np.abs(out - np.array([1, 1, 0])) < 0.1), out


def test_2_3_1_without_biases_forward_pass_and_learning():
    net = load_network(EXAMPLES / "no_bias_2_3_1.json")
    assert not any(layer.use_bias for layer in net.layers)
    sig = lambda v: 1 / (1 + math.exp(-v))
    # the tutorial's hand computation: hidden sums 1.0, 1.3, 0.8 for input (1, 1)
    hidden = [sig(1.0), sig(1.3), sig(0.8)]
    out = sig(0.3 * hidden[0] + 0.5 * hidden[1] + 0.9 * hidden[2])
    assert net.predict([[1.0, 1.0]])[0, 0] == pytest.approx(out, abs=1e-12)
    assert out == pytest.approx(0.7743, abs=1e-4)
    data = load_csv(EXAMPLES / "no_bias_2_3_1.csv")
    pg = Playground(Settings(lr=1.0, batch_size=1, loss="mse"), data=data, network=net)
    pg.trainer.train(500)
    assert net.predict([[1.0, 1.0]])[0, 0] < 0.1
    assert np.all(net.layers[0].b == 0) and np.all(net.layers[1].b == 0)


def test_2_4_4_1_two_hidden_layers_on_a_2d_dataset():
    net = load_network(EXAMPLES / "circle_2_4_4_1.json")
    data = load_csv(EXAMPLES / "circle.csv")
    pg = Playground(Settings(lr=0.1, batch_size=10, loss="bce", optimizer="adam"), data=data, network=net)
    pg.trainer.train(150)
    m = pg.evaluate()
    assert m["train_accuracy"] >= 0.95 and m["test_accuracy"] >= 0.9, m
