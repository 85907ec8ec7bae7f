"""The flat buffer's layout: one object answers where every parameter lives."""
import numpy as np
import pytest

from model import Network
from model.core.layout import ParamLayout


@pytest.fixture
def net():
    return Network.from_sizes([3, 4, 2, 1], hidden="tanh", output="sigmoid", seed=3)


def test_index_and_locate_agree_with_the_layers_views(net):
    layout = net.layout
    assert layout.n_params == net.n_params == 4 * 4 + 5 * 2 + 3 * 1
    for l, layer in enumerate(net.layers):
        for i in [*range(layer.n_in), None]:
            for j in range(layer.n_out):
                k = layout.index(l, i, j)
                assert layout.locate(k) == (l, i, j)
                expected = layer.b[j] if i is None else layer.W[i, j]
                assert net.params[k] == expected


def test_split_gives_views_of_any_buffer_in_the_same_layout(net):
    other = np.arange(net.n_params, dtype=float)
    for l, layer in enumerate(net.layers):
        W, b = net.layout.split(other, l)
        assert W.shape == layer.W.shape and b.shape == layer.b.shape
        assert np.shares_memory(W, other)
        W_net, b_net = net.layout.split(net.params, l)
        np.testing.assert_array_equal(W_net, layer.W)
        np.testing.assert_array_equal(b_net, layer.b)


def test_names_and_mask(net):
    names = net.layout.names()
    assert len(names) == net.n_params
    assert names[net.param_index(1, 2, 1)] == "layer2.W[2][1]"
    assert names[net.param_index(2, None, 0)] == "layer3.b[0]"
    assert [net.layout.name(k) for k in range(net.n_params)] == names
    mask = net.layout.weight_mask()
    assert all((m == 0.0) == n.split(".")[1].startswith("b") for m, n in zip(mask, names))


def test_out_of_range_is_an_index_error():
    layout = ParamLayout.from_sizes([2, 1])
    assert layout.n_params == 3
    with pytest.raises(IndexError):
        layout.locate(3)
    with pytest.raises(IndexError):
        layout.index(0, 2, 0)
