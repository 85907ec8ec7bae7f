"""A playground: data + features + network + trainer built from one settings object.

Both the command line and the GUI's worker drive training through this, so that what a
setting means (which changes rebuild the network, which only retune the trainer) is decided
in one place. Pure numpy: usable from a notebook.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from model.data import features as feats
from model.data.datasets import DATASETS, Data, make_data, split
from model.core.network import Network
from model.core.trainer import Trainer, encode_targets

#: settings that retune the running trainer without touching the weights
HOT_SETTINGS = frozenset({"lr", "optimizer", "regularization", "reg_rate", "batch_size", "shuffle",
                          "engine"})
MAX_HIDDEN_LAYERS = 8
MAX_NEURONS = 16


@dataclass(frozen=True)
class Settings:
    """Everything that defines a run. ``None`` for output_activation/loss means: chosen from
    the task (binary: sigmoid + bce, several classes: softmax + cce, regression: linear + mse)."""

    dataset: str = "circle"
    n_points: int = 500
    noise: float = 0.0
    train_ratio: float = 0.5
    data_seed: int = 0
    n_classes: int = 3  # for the multi-class generators
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    output_activation: str | None = None
    loss: str | None = None
    init_scheme: str = "xavier"
    seed: int = 0
    optimizer: str = "sgd"
    lr: float = 0.03
    batch_size: int = 10
    regularization: str = "none"
    reg_rate: float = 0.0
    shuffle: bool = True
    engine: str = "auto"  # "auto" (the faster), "numpy" or "compiled": model/core/engine.py

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)


def default_head(task: str, n_classes: int) -> tuple[str, str, int]:
    """(output activation, loss, number of outputs) for a task."""
    if task == "regression":
        return "linear", "mse", 0
    if n_classes <= 2:
        return "sigmoid", "bce", 1
    return "softmax", "cce", n_classes


class Playground:
    """Data, features, network and trainer for ``settings``.

    ``data`` overrides the generator (CSV or drawn points); ``network`` overrides the
    architecture and initial weights (e.g. loaded from a weights file).
    """

    def __init__(self, settings: Settings = Settings(), data: Data | None = None,
                 network: Network | None = None):
        self.settings = settings
        self.custom_data = data
        self.data = data if data is not None else self._generate(settings)
        self._build(network)

    # ----------------------------------------------------------------- building
    @staticmethod
    def _generate(s: Settings) -> Data:
        spec = DATASETS.get(s.dataset)
        n_classes = s.n_classes if spec is not None and spec.multiclass else None
        return make_data(s.dataset, n_points=s.n_points, noise=s.noise,
                         train_ratio=s.train_ratio, seed=s.data_seed, n_classes=n_classes)

    def uses_feature_transforms(self) -> bool:
        """Generated data and 2-input CSVs go through the feature toggles; wider CSVs don't."""
        return len(self.data.input_names) == 2

    def feature_names(self) -> list[str]:
        if self.uses_feature_transforms():
            return list(self.settings.features)
        return list(self.data.input_names)

    def transform(self, X_raw: np.ndarray) -> np.ndarray:
        """Raw inputs (n, d) → the network's inputs (n, n_features)."""
        if self.uses_feature_transforms():
            return feats.transform(X_raw, self.settings.features)
        return np.asarray(X_raw, dtype=float)

    def head(self) -> tuple[str, str, int]:
        s, data = self.settings, self.data
        act, loss, k = default_head(data.task, data.n_classes)
        if data.task == "regression":
            k = len(data.target_names)
        return s.output_activation or act, s.loss or loss, k

    def _build(self, network: Network | None) -> None:
        s = self.settings
        out_act, loss, k = self.head()
        names = self.feature_names()
        if network is None:
            if len(s.hidden) > MAX_HIDDEN_LAYERS or any(not 1 <= h <= MAX_NEURONS for h in s.hidden):
                raise ValueError(f"hidden layers: at most {MAX_HIDDEN_LAYERS} layers of "
                                 f"1..{MAX_NEURONS} neurons, got {list(s.hidden)}")
            if out_act == "softmax" and k < 2:
                k = 2  # binary data on a softmax head: one output per class
            network = Network.from_sizes([len(names), *s.hidden, k], hidden=s.activation,
                                         output=out_act, init=s.init_scheme, seed=s.seed,
                                         inputs=names, outputs=self._output_names(k))
        else:
            if network.sizes[0] != len(names):
                raise ValueError(
                    f"the weights expect {network.sizes[0]} inputs ({', '.join(network.inputs)}) "
                    f"but the data has {len(names)} ({', '.join(names)})")
            out_act = network.output_activation
        self.net = network
        self.X_train = self.transform(self.data.X_train)
        self.X_test = self.transform(self.data.X_test)
        task = self.data.task
        self.Y_train = encode_targets(self.data.y_train, task, network.sizes[-1], out_act)
        self.Y_test = encode_targets(self.data.y_test, task, network.sizes[-1], out_act)
        self.trainer = Trainer(network, self.X_train, self.Y_train, self.X_test, self.Y_test,
                               loss=loss, optimizer=s.optimizer, lr=s.lr, batch_size=s.batch_size,
                               shuffle=s.shuffle, seed=s.seed, regularization=s.regularization,
                               reg_rate=s.reg_rate, task=task, engine=s.engine)
        self.initial_params = network.params.copy()

    def _output_names(self, k: int) -> list[str]:
        if self.data.task == "regression":
            return list(self.data.target_names)
        if k == 1:
            return [f"p({self.data.target_names[-1] if self.data.target_names else '1'})"]
        return [f"p({c})" for c in self.data.target_names[:k]] + \
            [f"p({i})" for i in range(len(self.data.target_names), k)]

    # ----------------------------------------------------------------- changing settings
    def update(self, **changes) -> bool:
        """Apply setting changes. Learning rate, optimizer, regularization, batch size and
        shuffling retune the trainer and keep the weights; anything else rebuilds (data,
        features, architecture, activations, seed). Returns True if it rebuilt."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(Settings)}
        if unknown:
            raise ValueError(f"unknown setting {sorted(unknown)[0]!r}")
        old = self.settings
        new = old.replace(**changes)
        changed = {k for k in changes if getattr(old, k) != getattr(new, k)}
        if "dataset" in changes and self.custom_data is not None:
            changed.add("dataset")  # picking a generator again leaves your own data
        if not changed:
            return False
        if changed <= HOT_SETTINGS:
            self.settings = new
            t = self.trainer
            if "lr" in changed:
                t.lr = new.lr
            if "optimizer" in changed:
                t.set_optimizer(new.optimizer)
            if changed & {"regularization", "reg_rate"}:
                t.set_regularization(new.regularization, new.reg_rate)
            if "batch_size" in changed:
                t.set_batch_size(new.batch_size)
            if "shuffle" in changed:
                t.shuffle = new.shuffle
            if "engine" in changed:
                t.set_engine(new.engine)
            return False
        data_keys = {"dataset", "n_points", "noise", "train_ratio", "data_seed", "n_classes"}
        previous = (self.settings, self.data, self.custom_data, self.net, self.trainer)
        try:
            self.settings = new
            data_changes = changed & data_keys
            if self.custom_data is None or "dataset" in changed:
                self.custom_data = None
                if data_changes:
                    self.data = self._generate(new)
            elif data_changes and data_changes <= {"train_ratio", "data_seed"}:
                # your own points: a new split of them (the generator's settings do not apply)
                self.data = self._resplit(self.custom_data, new.train_ratio, new.data_seed)
            self._build(None)
        except Exception:
            self.settings, self.data, self.custom_data, self.net, self.trainer = previous
            raise
        return True

    @staticmethod
    def _resplit(data: Data, ratio: float, seed: int) -> Data:
        X = np.concatenate([data.X_train, data.X_test])
        y = np.concatenate([data.y_train, data.y_test])
        return split(X, y, ratio, seed, task=data.task, input_names=data.input_names,
                     target_names=data.target_names, name=data.name)

    def set_data(self, data: Data) -> None:
        """Train on these points from now on (CSV or drawn); rebuilds the network."""
        previous = (self.data, self.custom_data, self.net, self.trainer)
        try:
            self.custom_data = self.data = data
            self._build(None)
        except Exception:
            self.data, self.custom_data, self.net, self.trainer = previous
            raise

    def reset(self, seed: int | None = None) -> None:
        """Fresh weights (same seed unless given) and a fresh trainer, same data."""
        if seed is not None:
            self.settings = self.settings.replace(seed=seed)
        self._build(None)

    # ----------------------------------------------------------------- views of the model
    def extent(self) -> tuple[float, float, float, float]:
        """(x1_min, x1_max, x2_min, x2_max) of the input plane shown in the output view."""
        if self.custom_data is None and self.data.name in DATASETS:
            return (-6.0, 6.0, -6.0, 6.0)
        X = np.concatenate([self.data.X_train, self.data.X_test])[:, :2]
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = np.maximum((hi - lo) * 0.1, 0.5)
        lo, hi = lo - pad, hi + pad
        if self.data.name == "custom":
            # drawn points: keep the generators' plane so a first stroke does not shrink it
            lo, hi = np.minimum(lo, -6.0), np.maximum(hi, 6.0)
        return (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))

    def grid_inputs(self, resolution: int) -> np.ndarray:
        """Raw inputs on a resolution×resolution grid over ``extent``, (r·r, 2), row-major
        with x2 varying slowest: reshape outputs to (r, r) as [x2 index, x1 index]."""
        x1lo, x1hi, x2lo, x2hi = self.extent()
        x1 = np.linspace(x1lo, x1hi, resolution)
        x2 = np.linspace(x2lo, x2hi, resolution)
        g1, g2 = np.meshgrid(x1, x2)
        return np.column_stack([g1.ravel(), g2.ravel()])

    def neuron_grids(self, resolution: int = 40) -> list[np.ndarray] | None:
        """Every unit's value over the input plane: [features (F, r, r), layer 1 (n1, r, r), ...,
        output (k, r, r)], indexed [unit, x2, x1]. None when the data is not 2-D."""
        if len(self.data.input_names) != 2:
            return None
        X = self.transform(self.grid_inputs(resolution))
        _, acts = self.net.forward_all(X)
        return [a.T.reshape(-1, resolution, resolution) for a in acts]

    def evaluate(self) -> dict:
        return self.trainer.evaluate()
