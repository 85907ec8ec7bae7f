"""Lesson mode: one minibatch (or one example) taken through its phases, one at a time.

forward layer 1 … forward layer L → loss → backward layer L … backward layer 1 → update.
The numbers come from a copy of the network and optimizer, so walking back and forth changes
nothing; ``apply`` then lets the trainer take the real step (exactly the normal step), and
``discard`` leaves everything as it was.

Across threads: a ``PhaseStepper`` holds the live trainer, so it stays in the worker thread, in a
``LessonSteppers`` registry. What the GUI receives is a ``LessonBuild``: frozen dataclasses of
read-only arrays and a token; "Apply step" sends the token back and the registry finds the
stepper.
"""
from __future__ import annotations

import copy
import itertools
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from model.core.optimizers import apply_step
from model.core.trainer import Trainer
from model.snapshot import frozen_copy


@dataclass(frozen=True, eq=False)
class Phase:
    """One phase's numbers; every array is a read-only copy (safe to hand to another thread)."""

    kind: str  # "forward" | "loss" | "backward" | "update"
    layer: int | None  # 0-based layer for forward/backward phases
    title: str
    formula: str
    z: np.ndarray | None = None  # (n, units) of this layer (forward)
    a: np.ndarray | None = None
    delta: np.ndarray | None = None  # (n, units) (backward)
    dW: np.ndarray | None = None  # (n_in, units) batch-mean gradient (backward)
    db: np.ndarray | None = None
    loss: float | None = None  # (loss phase)
    outputs: np.ndarray | None = None
    targets: np.ndarray | None = None
    delta_W: tuple[np.ndarray, ...] | None = None  # per layer Δw (update)
    delta_b: tuple[np.ndarray, ...] | None = None


class PhaseStepper:
    """The phases of the trainer's next minibatch (``rows=None``) or of the given rows."""

    def __init__(self, trainer: Trainer, rows=None):
        self.trainer = trainer
        self.single = rows is not None
        self.rows = trainer.peek_next_rows() if rows is None else np.asarray(rows, dtype=np.int64)
        net = trainer.net.copy()
        X, Y = trainer.X_train[self.rows], trainer.Y_train[self.rows]
        with np.errstate(all="ignore"):
            loss, grads = net.loss_and_gradients(X, Y, trainer.loss)
            zs = [frozen_copy(z) for z in net.cache["z"]]
            acts = [frozen_copy(a) for a in net.cache["a"]]
            deltas = [frozen_copy(d) for d in net.cache["delta"]]
            opt = copy.deepcopy(trainer.optimizer)
            before = net.params.copy()
            apply_step(net.params, net.grads, opt, copy.deepcopy(trainer.regularizer))
        change = net.params - before
        phases = []
        L = len(net.layers)
        for l, layer in enumerate(net.layers):
            src = "x" if l == 0 else f"a{l}"
            phases.append(Phase("forward", l, f"Forward: layer {l + 1} of {L}",
                                f"z{l + 1} = {src}·W{l + 1} + b{l + 1},  a{l + 1} = {layer.activation.name}(z{l + 1})",
                                z=zs[l], a=acts[l]))
        phases.append(Phase("loss", None, f"Loss: {trainer.loss.name}", _loss_formula(trainer.loss.name),
                            loss=float(loss), outputs=acts[-1], targets=frozen_copy(Y)))
        for l in range(L - 1, -1, -1):
            if l == L - 1:
                formula = f"δ{l + 1} = ∂C/∂a{l + 1} ⊙ f′(z{l + 1})"
            else:
                formula = f"δ{l + 1} = (δ{l + 2}·W{l + 2}ᵀ) ⊙ f′(z{l + 1})"
            prev = "x" if l == 0 else f"a{l}"
            phases.append(Phase("backward", l, f"Backward: layer {l + 1} of {L}",
                                formula + f",  ∂C/∂W{l + 1} = mean {prev}ᵀ·δ{l + 1},  ∂C/∂b{l + 1} = mean δ{l + 1}",
                                delta=deltas[l], dW=frozen_copy(grads[l][0]),
                                db=frozen_copy(grads[l][1])))
        dW, db = [], []
        for l in range(len(net.layers)):
            W_change, b_change = net.layout.split(change, l)
            dW.append(frozen_copy(W_change))
            db.append(frozen_copy(b_change))
        phases.append(Phase("update", None, f"Update: {trainer.optimizer.name}, lr {trainer.lr:g}",
                            "w ← w + Δw  (SGD: Δw = −lr·∂C/∂w)", delta_W=tuple(dW), delta_b=tuple(db)))
        self.phases = phases
        self.index = 0
        self.predicted_params = net.params.copy()

    @property
    def current(self) -> Phase:
        return self.phases[self.index]

    def next(self) -> Phase:
        self.index = min(self.index + 1, len(self.phases) - 1)
        return self.current

    def previous(self) -> Phase:
        self.index = max(self.index - 1, 0)
        return self.current

    def apply(self) -> None:
        """Take the step for real: the trainer's normal step (or the single example's)."""
        if self.single:
            self.trainer.step_rows(self.rows)
        else:
            self.trainer.step_batch()

    def discard(self) -> None:
        """Nothing was changed; nothing to undo."""


@dataclass(frozen=True, eq=False)
class LessonBuild:
    """What the GUI shows of a PhaseStepper: frozen phases and read-only copies, no live object.
    ``token`` names the stepper kept in the worker (``LessonSteppers``)."""

    token: int
    phases: tuple[Phase, ...]
    single: bool  # one training example (its rows) rather than the next minibatch
    rows: np.ndarray
    x: np.ndarray  # the rows' network inputs (n, d)
    y: np.ndarray  # their encoded targets (n, k)
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    params: np.ndarray  # the network's parameters when built (to notice later changes)
    predicted_params: np.ndarray  # what they become when the step is applied
    steps: int
    epoch: int
    settings: object  # the playground's (frozen) Settings
    n_train: int
    activations: tuple[str, ...]  # per layer
    loss: str
    optimizer: str
    regularization: str
    lr: float


class LessonSteppers:
    """The live PhaseSteppers of the lessons shown, by token. Used only in the worker thread
    (every method is run through ``worker.call``); the newest ``keep`` are kept, so an Apply
    that was queued behind a rebuild still finds its stepper."""

    def __init__(self, keep: int = 4):
        self.keep = keep
        self._live: OrderedDict[int, PhaseStepper] = OrderedDict()
        self._tokens = itertools.count(1)

    def __len__(self) -> int:
        return len(self._live)

    def build(self, rows, pg) -> LessonBuild:
        """The phases of ``pg``'s next minibatch (rows None) or of ``rows`` (clamped to the
        training set), as frozen data."""
        t, net = pg.trainer, pg.net
        if rows is not None:
            rows = [min(max(int(r), 0), len(t.X_train) - 1) for r in rows]
        with np.errstate(all="ignore"):
            stepper = PhaseStepper(t, rows)
        token = next(self._tokens)
        self._live[token] = stepper
        while len(self._live) > self.keep:
            self._live.popitem(last=False)
        reg = t.regularizer
        return LessonBuild(
            token, tuple(stepper.phases), stepper.single, frozen_copy(stepper.rows, np.int64),
            frozen_copy(t.X_train[stepper.rows]), frozen_copy(t.Y_train[stepper.rows]),
            tuple(frozen_copy(layer.W) for layer in net.layers),
            tuple(frozen_copy(layer.b) for layer in net.layers), frozen_copy(net.params),
            frozen_copy(stepper.predicted_params), int(t.steps), int(t.epoch), pg.settings,
            len(t.X_train), tuple(net.activation_names), t.loss.name, t.optimizer.name,
            reg.kind if reg is not None and reg.active else "none", float(t.lr))

    def apply(self, token: int, pg) -> None:
        """The trainer takes the step of lesson ``token`` (as the Step button would)."""
        stepper = self._live.get(token)
        if stepper is None:
            raise RuntimeError("this lesson step is no longer available; nothing applied")
        if pg.trainer is not stepper.trainer:
            raise RuntimeError("the network was rebuilt since the lesson started; nothing applied")
        pg.trainer.reset_divergence()
        stepper.apply()
        self.discard(token)

    def discard(self, token: int, pg=None) -> None:
        """Forget lesson ``token`` (it changed nothing)."""
        stepper = self._live.pop(token, None)
        if stepper is not None:
            stepper.discard()


def _loss_formula(name: str) -> str:
    return {"mse": "C = mean ½Σ(y − a)²",
            "bce": "C = −mean Σ[y·log a + (1 − y)·log(1 − a)]",
            "cce": "C = −mean Σ y·log a"}[name]
