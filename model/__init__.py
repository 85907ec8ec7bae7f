"""Backprop Playground's engine: a from-scratch numpy trainer. Never imports Qt.

    from model import Network, load_network, save_network
    net = Network.from_sizes([2, 4, 4, 1], hidden="tanh", output="sigmoid", init="xavier", seed=0)
    loss, grads = net.loss_and_gradients(X, Y, loss="mse")
    model.__version__  # e.g. "0.1.0", from pyproject.toml
"""
from model.core.network import Layer, Network, Parameter

__all__ = ["Network", "Layer", "Parameter", "load_network", "save_network", "__version__"]


def __getattr__(name):
    # serialize imports json/schema helpers; load it only when asked for.
    if name in ("load_network", "save_network"):
        from model.files import serialize
        return getattr(serialize, name)
    if name == "__version__":  # importlib.metadata costs a few ms: only when asked
        from model.version import version
        return version()
    raise AttributeError(name)
