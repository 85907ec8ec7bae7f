"""Lesson mode: one minibatch (or one example) taken through its phases, one at a time.

forward layer 1 … forward layer L → loss → backward layer L … backward layer 1 → update.
The numbers come from a copy of the network and optimizer, so walking back and forth changes
nothing; ``apply`` then lets the trainer take the real step (exactly the normal step), and
``discard`` leaves everything as it was.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from model.core.optimizers import apply_step
from model.core.trainer import Trainer


@dataclass(frozen=True, eq=False)
class Phase:
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
            zs = [np.array(z) for z in net.cache["z"]]
            acts = [np.array(a) for a in net.cache["a"]]
            deltas = [np.array(d) for d in net.cache["delta"]]
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
                            loss=float(loss), outputs=acts[-1], targets=np.array(Y)))
        for l in range(L - 1, -1, -1):
            if l == L - 1:
                formula = f"δ{l + 1} = ∂C/∂a{l + 1} ⊙ f′(z{l + 1})"
            else:
                formula = f"δ{l + 1} = (δ{l + 2}·W{l + 2}ᵀ) ⊙ f′(z{l + 1})"
            prev = "x" if l == 0 else f"a{l}"
            phases.append(Phase("backward", l, f"Backward: layer {l + 1} of {L}",
                                formula + f",  ∂C/∂W{l + 1} = mean {prev}ᵀ·δ{l + 1},  ∂C/∂b{l + 1} = mean δ{l + 1}",
                                delta=deltas[l], dW=grads[l][0], db=grads[l][1]))
        dW, db = [], []
        for l in range(len(net.layers)):
            W_change, b_change = net.layout.split(change, l)
            dW.append(W_change.copy())
            db.append(b_change.copy())
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


def _loss_formula(name: str) -> str:
    return {"mse": "C = mean ½Σ(y − a)²",
            "bce": "C = −mean Σ[y·log a + (1 − y)·log(1 − a)]",
            "cce": "C = −mean Σ y·log a"}[name]
