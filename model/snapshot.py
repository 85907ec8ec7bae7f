"""Immutable snapshots of a playground: what crosses from the trainer's thread to the GUI.

Every array in a Snapshot is a fresh copy made by ``take_snapshot`` in the worker and marked
read-only, so the GUI can keep and draw it while training goes on (a numpy array sent through a
Qt signal is the same object on the other side, not a copy).
"""
from __future__ import annotations

import math
from types import MappingProxyType
from dataclasses import dataclass, field

import numpy as np

from model.data.plane import Plane, PlaneSpec, make_plane
from model.frozen import frozen_copy  # noqa: F401 - the views import it from here
from model.playground import Playground


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
    metrics: MappingProxyType  # train_loss, test_loss, train_accuracy, test_accuracy (nan: n/a)
    # x1_min, x1_max, x2_min, x2_max; with more than two inputs, the extent of ``plane``
    extent: tuple[float, float, float, float]
    # every unit's value over the input plane, [units, x2, x1] per layer, inputs first; with
    # more than two inputs over ``plane`` (a slice or the principal components), [units, y, x];
    # None when there is no plane (a single input)
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
    extras: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    # the output layer on a finer grid, (k, R, R) [unit, x2, x1], when the worker has time
    # for it (paused, or training slowly): the big output view draws the boundary from it
    output_grid_fine: np.ndarray | None = None
    # classification: {"train": counts, "test": counts}, (C, C) int64 [true class, predicted]
    # (see model.core.confusion); C = len(class_names), or more in the rare case of a network
    # with more outputs than the data has classes (Playground.class_names pads the names)
    confusion: MappingProxyType | None = None
    # the network's input scaling ("standard", "minmax") or None: the input thumbnails and the
    # inspector show scaled values, and should say so
    input_scaling: str | None = None
    # more than two inputs: the plane the grids are drawn over and where the points are on it
    # (see model.data.plane); None for two inputs (the grids span x1, x2) or one
    plane: Plane | None = None

    def points(self, part: str) -> np.ndarray:
        """(n, 2) where the ``part`` ("train" or "test") rows are drawn on the output view:
        their two inputs, or their position on ``plane``."""
        if self.plane is not None:
            return self.plane.train_points if part == "train" else self.plane.test_points
        return (self.X_train if part == "train" else self.X_test)[:, :2]

    @property
    def output_grid(self) -> np.ndarray | None:
        """The output layer's values over the plane, (k, r, r), or None."""
        return None if self.neuron_grids is None else self.neuron_grids[-1]


#: rows of the fine grid evaluated between two checks of ``interrupted``
FINE_BLOCK_ROWS = 2048


def fine_output_grid(pg: Playground, resolution: int, interrupted=None,
                     plane: Plane | None = None) -> np.ndarray | None:
    """The output layer over a resolution² grid of the extent (or of ``plane``): (k, r, r),
    [unit, x2, x1].

    Evaluated in blocks of FINE_BLOCK_ROWS rows; returns None as soon as ``interrupted()``
    is true between two blocks (e.g. a command is waiting: the caller has better things to
    do than a smoother picture), or when the data is not 2-D and no plane is given."""
    r = int(resolution)
    # the features, not yet scaled: net.predict applies the input scaling itself
    if plane is not None:
        X = pg.features(plane.rows(r))
    elif len(pg.data.input_names) == 2:
        X = pg.features(pg.grid_inputs(r))
    else:
        return None
    out = np.empty((len(X), pg.net.sizes[-1]))
    for start in range(0, len(X), FINE_BLOCK_ROWS):
        if interrupted is not None and interrupted():
            return None
        out[start:start + FINE_BLOCK_ROWS] = pg.net.predict(X[start:start + FINE_BLOCK_ROWS])
    return out.T.reshape(-1, r, r)


def take_snapshot(pg: Playground, run_id: int, grid_resolution: int = 40, *,
                  running: bool = False, message: str | None = None, epochs_per_s: float = 0.0,
                  include_grids: bool = True, extras: dict | None = None,
                  fine_resolution: int | None = None, interrupted=None,
                  plane: PlaneSpec | None = None) -> Snapshot:
    """Copy everything the GUI draws out of ``pg``. Call it in the thread that trains.

    With ``fine_resolution`` (and grids included) the output layer is also evaluated on a
    fine_resolution² grid over the same extent (``output_grid_fine``), unless
    ``interrupted()`` becomes true meanwhile (see ``fine_output_grid``). Data with more than
    two inputs is drawn over ``plane`` (default: the slice through the means of the first two
    inputs); a spec that does not fit the data falls back to that default."""
    net, tr = pg.net, pg.trainer
    h = tr.history
    metrics = h.last if len(h) else tr.evaluate()
    metrics.pop("epoch", None)
    resolved = plane_of(pg, plane)
    if not include_grids:
        grids = None
    elif resolved is None:
        grids = pg.neuron_grids(grid_resolution)
    else:
        grids = resolved.unit_grids(pg.layer_values, grid_resolution)
    fine = (fine_output_grid(pg, fine_resolution, interrupted, resolved)
            if grids is not None and fine_resolution else None)
    upd_layers = [net.layout.split(tr.optimizer.update, l) for l in range(len(net.layers))]
    data = pg.data
    # while running, the read-outs are refreshed once per epoch (a large data set would
    # otherwise be predicted in full for every frame); when paused, always
    reports = pg.confusion(fresh=not running)
    return Snapshot(
        run_id=run_id, epoch=tr.epoch, steps=tr.steps, position=tr.position,
        sizes=tuple(net.sizes), activations=tuple(net.activation_names),
        input_names=tuple(net.inputs), output_names=tuple(net.outputs),
        task=data.task, class_names=tuple(data.target_names),
        weights=tuple(frozen_copy(l.W) for l in net.layers),
        biases=tuple(frozen_copy(l.b) for l in net.layers),
        grad_weights=tuple(frozen_copy(l.dW) for l in net.layers),
        grad_biases=tuple(frozen_copy(l.db) for l in net.layers),
        update_weights=tuple(frozen_copy(W) for W, _ in upd_layers),
        update_biases=tuple(frozen_copy(b) for _, b in upd_layers),
        history_epoch=frozen_copy(h.epoch), history_train_loss=frozen_copy(h.train_loss),
        history_test_loss=frozen_copy(h.test_loss), history_train_accuracy=frozen_copy(h.train_accuracy),
        history_test_accuracy=frozen_copy(h.test_accuracy),
        metrics=MappingProxyType({k2: float(v) for k2, v in metrics.items()}),
        extent=pg.extent() if resolved is None else resolved.extent,
        neuron_grids=None if grids is None else tuple(frozen_copy(g) for g in grids),
        X_train=frozen_copy(data.X_train), y_train=frozen_copy(data.y_train, data.y_train.dtype),
        X_test=frozen_copy(data.X_test), y_test=frozen_copy(data.y_test, data.y_test.dtype),
        lr=tr.lr, message=message or tr.diverged, running=running,
        epochs_per_s=0.0 if not math.isfinite(epochs_per_s) else epochs_per_s,
        engine=tr.engine,
        extras=MappingProxyType(dict(extras or {})),
        output_grid_fine=None if fine is None else frozen_copy(fine),
        confusion=None if reports is None else MappingProxyType({
            part: frozen_copy(r.counts, np.int64) for part, r in reports.items()}),
        input_scaling=None if net.input_scaling is None else net.input_scaling.method,
        plane=resolved,
    )


def plane_of(pg: Playground, spec: PlaneSpec | None) -> Plane | None:
    """The plane to draw ``pg``'s data on: None for one or two inputs; ``spec`` resolved
    against the data, or the default slice when it does not fit (a spec chosen for other
    data arriving after the data changed)."""
    if len(pg.data.input_names) < 3:
        return None
    try:
        return make_plane(pg.data, spec)
    except ValueError:
        return make_plane(pg.data, None)
