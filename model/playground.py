"""A playground: data + features + network + trainer built from one settings object.

Both the command line and the GUI's worker drive training through this, so that what a
setting means (which changes rebuild the network, which only retune the trainer) is decided
in one place. Pure numpy: usable from a notebook.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from model.data import features as feats
from model.core.activations import check_activation_name
from model.core.initializers import INITIALIZERS
from model.core.losses import LOSSES
from model.core.optimizers import OPTIMIZERS, REGULARIZATIONS
from model.data.datasets import (DATASETS, MAX_CLASSES, MAX_POINTS, MIN_CLASSES, Data, is_int,
                                 is_real, make_data, split)
from model.data import slices
from model.data.holdout import holdout
from model.core import confusion
from model.core.losses import default_head
from model.data.curves import DEFAULT_FORMULA, check_formula
from model.core.network import Network
from model.core.engine import ENGINES as ENGINE_CHOICES
from model.core.scaling import CHOICES as SCALE_CHOICES, fit_scaling, resolve_method
from model.core.trainer import Trainer, encode_targets, predicted_classes

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
    # one entry per hidden layer overriding ``activation`` (None: that layer follows it); ()
    # when every hidden layer follows it
    layer_activations: tuple[str | None, ...] = ()
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
    # input scaling: "auto" (standard for data from a file, none for generated and drawn
    # points), "standard", "minmax" or "none" (see model.core.scaling)
    scale: str = "auto"
    formula: str = DEFAULT_FORMULA  # the curve of the "curve_formula" data set, y = f(x)

    engine: str = "auto"  # "auto" (the faster), "numpy" or "compiled": model/core/engine.py

    def __post_init__(self):
        for field in ("features", "hidden", "layer_activations"):  # a list from JSON is fine too
            if isinstance(getattr(self, field), list):
                object.__setattr__(self, field, tuple(getattr(self, field)))
        _validate(self)

    def replace(self, **changes) -> "Settings":
        """A copy with ``changes``. Changing ``hidden`` alone keeps the per-layer activations
        of the layers that remain (a removed layer takes its choice with it, an added one
        follows ``activation``)."""
        if "hidden" in changes and "layer_activations" not in changes and self.layer_activations:
            n = len(changes["hidden"]) if isinstance(changes["hidden"], (tuple, list)) else 0
            kept = self.layer_activations[:n] + (None,) * (n - len(self.layer_activations))
            changes["layer_activations"] = kept if any(a is not None for a in kept) else ()
        return dataclasses.replace(self, **changes)

    def hidden_activations(self) -> list[str]:
        """The activation of every hidden layer, first to last."""
        per_layer = self.layer_activations or (None,) * len(self.hidden)
        return [a or self.activation for a in per_layer]

    def with_hidden_activations(self, names) -> "Settings":
        """A copy whose hidden layers use ``names`` (one per layer), e.g. those of a loaded
        network: ``activation`` becomes the first, the others are per-layer choices where
        they differ."""
        names = tuple(names)
        if not names:
            return self.replace(layer_activations=())
        first = names[0]
        per_layer = () if all(n == first for n in names) else names
        return self.replace(activation=first, layer_activations=per_layer)


MAX_LEARNING_RATE = 1e12  # what the top bar's field accepts
MAX_BATCH_SIZE = MAX_POINTS


def _validate(s: Settings) -> None:
    """The rules the window's controls and the CLI enforce, for every field: a ValueError that
    names the field, in one line. A session file or a notebook gets the same checks."""
    def fail(field, message):
        raise ValueError(f"settings.{field}: {message}")

    def integer(field, lo, hi):
        v = getattr(s, field)
        if not is_int(v) or not lo <= v <= hi:
            fail(field, f"expected an integer in {lo}..{hi}, got {v!r}")

    def number(field, lo, hi, lo_open=False):
        v = getattr(s, field)
        if not is_real(v) or not math.isfinite(v) or v < lo or v > hi or (lo_open and v == lo):
            fail(field, f"expected a number in {'(' if lo_open else '['}{lo:g}, {hi:g}], got {v!r}")

    def choice(field, options, optional=False):
        v = getattr(s, field)
        if not (v is None and optional) and (not isinstance(v, str) or v not in options):
            fail(field, f"expected one of {', '.join(options)}{' or null' if optional else ''}, "
                        f"got {v!r}")

    choice("dataset", tuple(DATASETS))
    integer("n_points", 1, MAX_POINTS)
    number("noise", 0.0, 1.0)
    number("train_ratio", 0.0, 1.0, lo_open=True)
    integer("data_seed", 0, 2 ** 63 - 1)
    integer("seed", 0, 2 ** 63 - 1)
    integer("n_classes", MIN_CLASSES, MAX_CLASSES)
    try:
        feats.check_features(s.features)
    except (ValueError, TypeError) as exc:
        fail("features", str(exc))
    if not isinstance(s.hidden, tuple) or len(s.hidden) > MAX_HIDDEN_LAYERS \
            or not all(is_int(h) and 1 <= h <= MAX_NEURONS for h in s.hidden):
        fail("hidden", f"expected at most {MAX_HIDDEN_LAYERS} layers of 1..{MAX_NEURONS} "
                       f"neurons, got {s.hidden!r}")
    def activation(field, value, role, where=None):
        try:
            return check_activation_name(value, role)
        except ValueError as exc:
            fail(where or field, str(exc))

    # canonical spellings (leaky_relu:0.010 → leaky_relu), so that equal settings compare equal
    object.__setattr__(s, "activation", activation("activation", s.activation, "hidden"))
    if s.output_activation is not None:
        object.__setattr__(s, "output_activation",
                           activation("output_activation", s.output_activation, "output"))
    per_layer = s.layer_activations
    if not isinstance(per_layer, tuple) or (per_layer and len(per_layer) != len(s.hidden)):
        fail("layer_activations", f"expected () or one entry per hidden layer "
                                  f"({len(s.hidden)}), got {per_layer!r:.80}")
    per_layer = tuple(None if a is None else activation("layer_activations", a, "hidden",
                                                        f"layer_activations[{i}]")
                      for i, a in enumerate(per_layer))
    # one spelling per meaning: a layer that uses ``activation`` follows it (None), and () when
    # every layer does, so that settings meaning the same network compare equal
    per_layer = tuple(None if a == s.activation else a for a in per_layer)
    object.__setattr__(s, "layer_activations", per_layer if any(per_layer) else ())
    if not isinstance(s.formula, str):
        fail("formula", f"expected text, got {type(s.formula).__name__}")
    try:
        check_formula(s.formula)
    except ValueError as exc:
        fail("formula", str(exc).removeprefix("formula: "))
    choice("loss", tuple(LOSSES), optional=True)
    choice("init_scheme", tuple(INITIALIZERS))
    choice("optimizer", tuple(OPTIMIZERS))
    number("lr", 0.0, MAX_LEARNING_RATE, lo_open=True)
    integer("batch_size", 1, MAX_BATCH_SIZE)
    choice("regularization", REGULARIZATIONS)
    number("reg_rate", 0.0, MAX_LEARNING_RATE)
    choice("scale", SCALE_CHOICES)
    choice("engine", ENGINE_CHOICES)
    if not isinstance(s.shuffle, bool):
        fail("shuffle", f"expected true or false, got {s.shuffle!r}")


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
                         train_ratio=s.train_ratio, seed=s.data_seed, n_classes=n_classes,
                         formula=s.formula)

    def uses_feature_transforms(self) -> bool:
        """Generated data and 2-input CSVs go through the feature toggles; wider CSVs don't."""
        return len(self.data.input_names) == 2

    def feature_names(self) -> list[str]:
        if self.uses_feature_transforms():
            return list(self.settings.features)
        return list(self.data.input_names)

    def weights_meta(self) -> dict:
        """The ``meta`` object of a weights file saved from this playground: what the exporters
        and ``predict`` need besides the weights. ``features`` lists the feature transforms the
        inputs go through, or is None when the network takes the data's columns as they are."""
        data = self.data
        return {"loss": self.trainer.loss.name, "task": data.task,
                "features": list(self.settings.features) if self.uses_feature_transforms() else None,
                "classes": list(data.target_names) if data.task == "classification" else None}

    def scaling_method(self) -> str:
        """What the ``scale`` setting means for this data: "standard", "minmax" or "none"."""
        return resolve_method(self.settings.scale, self.data.origin == "file")

    def features(self, X_raw: np.ndarray) -> np.ndarray:
        """Raw inputs (n, d) → the network's inputs before scaling (n, n_features)."""
        if self.uses_feature_transforms():
            return feats.transform(X_raw, self.settings.features)
        return np.asarray(X_raw, dtype=float)

    def transform(self, X_raw: np.ndarray) -> np.ndarray:
        """Raw inputs (n, d) → what the first layer sees (n, n_features): the features, then
        the network's input scaling (if any)."""
        return self.net.scale_inputs(self.features(X_raw))

    def predict(self, X_raw) -> np.ndarray:
        """The network's outputs (n, k) for raw input rows (n, d), as the exports compute them."""
        return self.net.predict(self.features(np.asarray(X_raw, dtype=float)))

    def layer_values(self, X_raw: np.ndarray) -> list[np.ndarray]:
        """Every layer's values for raw rows, the (scaled) inputs first: [(n, F), (n, n1), …]."""
        return self.net.forward_all(self.transform(X_raw))[1]

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
            network = Network([len(names), *s.hidden, k], s.hidden_activations() + [out_act],
                              inputs=names, outputs=self._output_names(k))
            network.initialize(s.init_scheme, s.seed)
            # statistics of the training rows only: the test rows stay unseen
            network.input_scaling = fit_scaling(self.features(self.data.X_train),
                                                self.scaling_method())
        else:
            # loaded weights keep the scaling they were trained with
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
        data_keys = {"dataset", "n_points", "noise", "train_ratio", "data_seed", "n_classes",
                     "formula"}
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
        # a file's rows are split by class, as when it was opened; drawn points as TF does
        how = holdout if data.origin == "file" else split
        return how(X, y, ratio, seed, task=data.task, input_names=data.input_names,
                   target_names=data.target_names, name=data.name, origin=data.origin)

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
        if X.shape[1] < 2:  # one input: no plane, but a snapshot still names an extent
            X = np.column_stack([X, np.zeros(len(X))])
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = np.maximum((hi - lo) * 0.1, 0.5)
        lo, hi = lo - pad, hi + pad
        if self.data.origin == "drawn" and self.data.name == "custom":
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

    # ----------------------------------------------------------------- more than two inputs
    def held_values(self) -> np.ndarray:
        """(d,) the mean of each raw input over the training rows: a slice's default."""
        return self.data.X_train.mean(axis=0)

    def slice_view(self, axes=(0, 1), held=None, resolution: int = 40,
                   extent=None) -> slices.SliceView:
        """Every unit over a slice of the input space: inputs ``axes`` vary over ``extent`` (by
        default the data's range of each, padded), the others stay at ``held`` (by default
        ``held_values()``). See ``model.data.slices``."""
        d = len(self.data.input_names)
        axes = slices.check_axes(axes, d)
        held = self.held_values() if held is None else np.asarray(held, dtype=float)
        if held.shape != (d,):
            raise ValueError(f"held values: expected {d} numbers, one per input")
        if extent is None:
            X = np.concatenate([self.data.X_train, self.data.X_test])
            extent = (*slices.padded_range(X[:, axes[0]]), *slices.padded_range(X[:, axes[1]]))
        X_raw = slices.slice_inputs(axes, held, extent, resolution)
        held = held.copy()
        held[list(axes)] = np.nan  # varied, not held
        return slices.SliceView(axes, held, tuple(map(float, extent)), X_raw,
                                slices.unit_grids(self.layer_values, X_raw, resolution))

    def pca_view(self, resolution: int = 40) -> slices.PCAView:
        """The points on their first two principal components and the output over the plane
        through the mean they span (see ``model.data.slices``)."""
        return slices.pca_view(self.data.X_train, self.data.X_test, self.layer_values,
                               resolution)

    # ----------------------------------------------------------------- classification read-outs
    def class_names(self) -> tuple[str, ...]:
        """The classes the outputs can stand for: the data's names, padded when the network has
        more outputs (or a binary output on one class)."""
        names = tuple(self.data.target_names)
        k = self.net.sizes[-1]
        n = max(len(names), 2 if k == 1 else k)
        return names + tuple(str(i) for i in range(len(names), n))

    def confusion(self, fresh: bool = True) -> dict[str, confusion.ConfusionReport] | None:
        """Confusion matrix and per-class accuracy of the train and test rows; None for a
        regression. ``fresh=False`` may return the read-outs computed earlier in the same epoch
        of the same run (cheap while training runs)."""
        if self.data.task != "classification":
            return None
        key = (id(self.trainer), self.trainer.epoch)
        cached = self.__dict__.get("_confusion")
        if not fresh and cached is not None and cached[0] == key:
            return cached[1]
        names, act = self.class_names(), self.net.output_activation
        out = {}
        for part, X, y in (("train", self.X_train, self.data.y_train),
                           ("test", self.X_test, self.data.y_test)):
            # X is already scaled: forward_all, not predict (which would scale again)
            a = self.net.forward_all(X)[1][-1] if len(X) else np.zeros((0, self.net.sizes[-1]))
            out[part] = confusion.report(y, predicted_classes(a, act), names)
        self._confusion = (key, out)
        return out
