"""Immutable snapshots of a playground: what crosses from the trainer's thread to the GUI.

Every array in a Snapshot is a fresh copy made by ``take_snapshot`` in the worker and marked
read-only, so the GUI can keep and draw it while training goes on (a numpy array sent through a
Qt signal is the same object on the other side, not a copy).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from model.playground import Playground


def frozen_copy(a, dtype=float) -> np.ndarray:
    """A read-only copy of ``a``: safe to hand to another thread (what crosses threads is a
    copy no one else holds, and no one can change it)."""
    a = np.array(a, dtype=dtype, copy=True)
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class Snapshot:
    run_id: int  # changes whenever the network is rebuilt or reset: the GUI restarts its plots
    epoch: int  # completed epochs
    steps: int  # minibatches trained
    position: int  # rows of the current epoch already trained
    sizes: tuple[int, ...]  # [n_inputs, hidden..., n_outputs]
    activations: tuple[str, ...]  # per layer
    input_names: tuple[str, ...]  # the network's inputs (feature ids or CSV columns)
    output_names: tuple[str, ...]
    task: str  # "classification" | "regression"
    class_names: tuple[str, ...]
    # per layer l (0-based), W (n_in, n_out) — W[i][j] from neuron i of layer l's input to j
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    grad_weights: tuple[np.ndarray, ...]  # dC/dW of the last minibatch (batch mean)
    grad_biases: tuple[np.ndarray, ...]
    update_weights: tuple[np.ndarray, ...]  # Δw of the last step
    update_biases: tuple[np.ndarray, ...]
    # history, one entry per completed epoch (losses exclude regularization)
    history_epoch: np.ndarray
    history_train_loss: np.ndarray
    history_test_loss: np.ndarray
    history_train_accuracy: np.ndarray
    history_test_accuracy: np.ndarray
    metrics: dict  # train_loss, test_loss, train_accuracy, test_accuracy (nan when n/a)
    extent: tuple[float, float, float, float]  # x1_min, x1_max, x2_min, x2_max
    # every unit's value over the input plane, [units, x2, x1] per layer, inputs first;
    # None when the data has more than two inputs
    neuron_grids: tuple[np.ndarray, ...] | None
    # raw data points, for the output view
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    lr: float = 0.0
    message: str | None = None  # e.g. the divergence message
    running: bool = False
    epochs_per_s: float = 0.0
    engine: str = "numpy"  # which engine trains: "numpy" or "compiled" (model/core/engine.py)
    extras: dict = field(default_factory=dict)

    @property
    def output_grid(self) -> np.ndarray | None:
        """The output layer's values over the plane, (k, r, r), or None."""
        return None if self.neuron_grids is None else self.neuron_grids[-1]


def take_snapshot(pg: Playground, run_id: int, grid_resolution: int = 40, *,
                  running: bool = False, message: str | None = None, epochs_per_s: float = 0.0,
                  include_grids: bool = True, extras: dict | None = None) -> Snapshot:
    """Copy everything the GUI draws out of ``pg``. Call it in the thread that trains."""
    net, tr = pg.net, pg.trainer
    k = len(tr.history)
    h = tr.history
    metrics = ({"train_loss": h.train_loss[-1], "test_loss": h.test_loss[-1],
                "train_accuracy": h.train_accuracy[-1], "test_accuracy": h.test_accuracy[-1]}
               if k else tr.evaluate())
    grids = pg.neuron_grids(grid_resolution) if include_grids else None
    update = tr.optimizer.update
    upd_layers = []
    for l, layer in enumerate(net.layers):
        lo = net.param_index(l, 0, 0)
        block = update[lo:lo + (layer.n_in + 1) * layer.n_out].reshape(layer.n_in + 1, layer.n_out)
        upd_layers.append(block)
    data = pg.data
    return Snapshot(
        run_id=run_id, epoch=tr.epoch, steps=tr.steps, position=tr.position,
        sizes=tuple(net.sizes), activations=tuple(net.activation_names),
        input_names=tuple(net.inputs), output_names=tuple(net.outputs),
        task=data.task, class_names=tuple(data.target_names),
        weights=tuple(frozen_copy(l.W) for l in net.layers),
        biases=tuple(frozen_copy(l.b) for l in net.layers),
        grad_weights=tuple(frozen_copy(l.dW) for l in net.layers),
        grad_biases=tuple(frozen_copy(l.db) for l in net.layers),
        update_weights=tuple(frozen_copy(u[:-1]) for u in upd_layers),
        update_biases=tuple(frozen_copy(u[-1]) for u in upd_layers),
        history_epoch=frozen_copy(h.epoch), history_train_loss=frozen_copy(h.train_loss),
        history_test_loss=frozen_copy(h.test_loss), history_train_accuracy=frozen_copy(h.train_accuracy),
        history_test_accuracy=frozen_copy(h.test_accuracy),
        metrics={k2: float(v) for k2, v in metrics.items()},
        extent=pg.extent(),
        neuron_grids=None if grids is None else tuple(frozen_copy(g) for g in grids),
        X_train=frozen_copy(data.X_train), y_train=np.array(data.y_train, copy=True),
        X_test=frozen_copy(data.X_test), y_test=np.array(data.y_test, copy=True),
        lr=tr.lr, message=message or tr.diverged, running=running,
        epochs_per_s=0.0 if not math.isfinite(epochs_per_s) else epochs_per_s,
        engine=tr.engine,
        extras=dict(extras or {}),
    )
