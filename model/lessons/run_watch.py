"""Run watch: notices runs that go wrong without a NaN, from cheap measurements per epoch.

Three findings, checked in this order:

- **stuck** by the penalty: a regularization step lr·λ far larger than the weights while the
  loss stays flat at the level of a constant guess, or the output no longer depends on the
  input (e.g. L1 at rate 1e6: every step moves each weight by lr·λ, the loss sits at
  ln 2 = 0.693). The penalty, not the data, decides the weights.
- **exploding**: the weights' norm has grown by orders of magnitude since the run started and
  the loss is far above where it began (e.g. ReLU with Adam at learning rate 1e6: weights
  near 1e7, loss near 1e5, never a NaN).
- **stuck**: the loss stays flat at the level of a constant guess while a strong
  regularization step keeps moving the weights (e.g. L1 at rate 1e6: every step moves each
  weight by lr·λ, and the loss sits at ln 2 = 0.693).
- **dead**: the output no longer depends on the input, and the cause is one training cannot
  undo by itself: every ReLU of a layer outputs 0 for every example, every sigmoid/tanh unit
  of a layer sits in its flat tails, or the hidden layers get no gradient at all (e.g. circle
  with ReLU at learning rate 10).
- **stuck** (again, after dead): the loss is flat at a constant guess's level for many epochs
  for any other reason (steps too small, too large, or a model that cannot fit the data).

Each finding is a plain sentence with what to try. Nothing is changed: the user decides.
The thresholds below are this app's own choices, tuned on the examples above and on healthy
runs (tests/model/test_run_watch.py), not published figures.

Usage (one watch per run; ``observe`` after epochs: it measures only as often as its
``max_share`` of the training time allows)::

    watch = RunWatch()
    watch.start(trainer)
    for _ in range(epochs):
        trainer.step_epoch()
        finding = watch.observe(trainer)
"""
from __future__ import annotations

import math
import time
from collections import deque
from statistics import median
from dataclasses import dataclass

import numpy as np

#: rows of the training set the output and the units are measured on
SAMPLE_ROWS = 64
#: exploding: the weights' norm at least this many times its value at the start...
EXPLODE_GROWTH = 1e3
#: ...and the loss at least this many times the larger of its start and a constant guess's
EXPLODE_LOSS = 10.0
#: exploding is judged on the median of the latest measurements, at least this many
EXPLODE_RECORDS = 3
#: the output "does not depend on the input" when its spread over the sample rows is below
#: this (relative to 1 + |output|)
FLAT_OUTPUT = 1e-6
#: dead: that many latest measurements in a row
DEAD_RECORDS = 3
#: a sigmoid/tanh unit is saturated where f′(z) is below this share of its peak
SATURATION = 1e-3
#: stuck: the loss judged over at least this many epochs...
STUCK_EPOCHS = 30
#: ...and at least this many measurements
STUCK_RECORDS = 6
#: flat: the medians of the window's two halves differ by less than this share
STUCK_FLAT = 0.01
#: at a constant guess's level: the loss is at least this share of that guess's loss
STUCK_LEVEL = 0.98
#: once stuck, the run stays stuck until the loss moves by more than STUCK_FLAT_EXIT or
#: falls below STUCK_LEVEL_EXIT of the guess (so the notice does not flicker at a threshold)
STUCK_FLAT_EXIT, STUCK_LEVEL_EXIT = 0.03, 0.95
#: a regularization step lr·λ at least this large dominates the weights (they are ~1)
STRONG_PENALTY_STEP = 0.1
#: per-step ‖Δw‖/‖w‖ below this is a step too small to see
TINY_STEPS = 1e-5
#: the loss "jumps" when its interquartile range over the window exceeds this share of it
BOUNCE = 0.05
MAX_RECORDS = 256

KINDS = ("exploding", "stuck", "dead")
TITLES = {"exploding": "Exploding weights", "stuck": "Training is stuck",
          "dead": "Dead network"}
#: measurements take at most this share of the training time (None: measure every call)
MAX_SHARE = 0.05


@dataclass(frozen=True)
class Finding:
    kind: str  # "exploding" | "stuck" | "dead"
    message: str  # plain words: what is happening, then what to try
    epoch: int  # the epoch of the measurement that found it

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    def line(self) -> str:
        """One line, e.g. for stderr: "exploding weights: …"."""
        return f"{self.title.lower()}: {self.message}"


@dataclass(frozen=True)
class Record:
    epoch: float
    loss: float  # training loss (no regularization term)
    weight_norm: float
    step_ratio: float  # ‖Δw‖/‖w‖ of the last step
    output_spread: float  # max over outputs of (max − min) over the sample rows
    flat: bool  # the output does not depend on the input (on the sample rows)
    dead_cause: str | None  # why it cannot depend on the input any more (when flat)


def constant_guess_loss(trainer) -> float:
    """The training loss of the best constant output: the mean target (the class shares for
    cross-entropy). A network that learned nothing scores about this."""
    Y = trainer.Y_train
    a = np.broadcast_to(Y.mean(axis=0), Y.shape)
    name = trainer.loss.name
    with np.errstate(all="ignore"):
        if name == "bce":
            p = np.clip(a, 1e-12, 1 - 1e-12)
            z = np.log(p) - np.log1p(-p)
        elif name == "cce":
            z = np.log(np.clip(a, 1e-12, 1.0))
        else:
            z = None
        return float(trainer.loss.value(a, Y, z))


def _loss_now(trainer) -> float:
    h = trainer.history
    if len(h) and h.epoch[-1] == trainer.epoch:
        return float(h.train_loss[-1])
    return float(trainer.evaluate()["train_loss"])


def _dead_cause(net, X) -> str | None:
    """Why the hidden layers cannot pass anything on (first such layer), or None."""
    with np.errstate(all="ignore"):
        zs, acts = net.forward_all(X)
    last = len(net.layers) - 1
    for l, layer in enumerate(net.layers[:last]):
        name, z, a = layer.activation.name, zs[l], acts[l + 1]
        if name == "relu" and np.all(z <= 0):
            return f"every ReLU of layer {l + 1} outputs 0 for every example"
        if name == "tanh" and np.all(1 - a * a < SATURATION):
            return f"every tanh unit of layer {l + 1} is saturated at ±1"
        if name == "sigmoid" and np.all(4 * a * (1 - a) < SATURATION):
            return f"every sigmoid unit of layer {l + 1} is saturated at 0 or 1"
    if last > 0:
        lo = net.param_index(0, 0, 0)
        hi = net.param_index(last, 0, 0)
        if not np.any(net.grads[lo:hi]):
            return "no gradient reaches the hidden layers"
    return None


class RunWatch:
    """Measures a run after epochs and says whether it is exploding, stuck or dead."""

    def __init__(self, sample_rows: int = SAMPLE_ROWS, max_share: float | None = MAX_SHARE):
        self.sample_rows = sample_rows
        self.max_share = max_share
        self._due = 0.0
        self.records: deque[Record] = deque(maxlen=MAX_RECORDS)
        self.finding: Finding | None = None
        self._X = None
        self._start_norm = 0.0
        self._start_loss = 0.0
        self._guess = math.nan

    def start(self, trainer) -> None:
        """A new run (new weights, data or settings that rebuild the network)."""
        X = trainer.X_train
        rows = np.random.default_rng(0).permutation(len(X))[:self.sample_rows]
        self._X = np.ascontiguousarray(X[np.sort(rows)])
        self.records.clear()
        self.finding = None
        self._due = 0.0
        self._start_norm = float(np.linalg.norm(trainer.net.params))
        with np.errstate(all="ignore"):
            self._guess = constant_guess_loss(trainer)
            self._start_loss = _loss_now(trainer)

    def observe(self, trainer, force: bool = False) -> Finding | None:
        """Measure the run now (after an epoch) and return the current finding, if any.

        With ``max_share`` set, a call that comes sooner than the measurements' budget allows
        returns the last finding without measuring (unless ``force``)."""
        now = time.perf_counter()
        if self.max_share is not None and now < self._due and not force:
            return self.finding
        if self._X is None:
            self.start(trainer)
        net = trainer.net
        epoch = trainer.epoch + trainer.position / max(len(trainer.X_train), 1)
        if self.records and epoch <= self.records[-1].epoch:
            return self.finding
        with np.errstate(all="ignore"):
            norm = float(np.linalg.norm(net.params))
            step = float(np.linalg.norm(trainer.optimizer.update))
            out = net.predict(self._X)
            spread = float(np.max(np.ptp(out, axis=0))) if len(out) else 0.0
            level = float(np.max(np.abs(out))) if len(out) else 0.0
            flat = spread < FLAT_OUTPUT * (1.0 + level) or not math.isfinite(spread)
            cause = _dead_cause(net, self._X) if flat else None
            self.records.append(Record(epoch, _loss_now(trainer), norm,
                                       step / norm if norm > 0 else math.inf, spread,
                                       flat, cause))
        self.finding = self._judge(trainer)
        if self.max_share is not None:
            end = time.perf_counter()
            self._due = end + (end - now) / self.max_share
        return self.finding

    # ----------------------------------------------------------------- judging
    def _judge(self, trainer) -> Finding | None:
        records = list(self.records)
        latest = records[-1]
        epoch = int(latest.epoch)
        lr = trainer.optimizer.lr
        level = self._stuck(records)
        tail = records[-DEAD_RECORDS:]
        flat_output = len(tail) == DEAD_RECORDS and all(r.flat for r in tail)

        reg = trainer.regularizer
        penalty = lr * reg.rate if reg.active else 0.0
        if penalty >= STRONG_PENALTY_STEP and (level is not None or flat_output):
            what = (f"the loss has stayed at {level:.3g} for {self._span(records):.0f} epochs, "
                    f"no better than a constant guess," if level is not None
                    else "the output no longer depends on the input")
            return Finding("stuck", (
                f"{what} while the {reg.kind.upper()} penalty moves every weight by "
                f"lr·λ = {penalty:.2g} each step: the penalty, not the data, sets the weights. "
                f"Lower the regularization rate (now {reg.rate:g})."), epoch)

        recent = records[-max(EXPLODE_RECORDS, 5):]
        if len(recent) >= EXPLODE_RECORDS:
            norm = median(r.weight_norm for r in recent)
            loss = median(r.loss for r in recent)
            reference = max(self._start_loss, self._guess, 1e-12)
            if (norm >= EXPLODE_GROWTH * max(self._start_norm, 1e-12)
                    and (loss >= EXPLODE_LOSS * reference or not math.isfinite(loss))):
                return Finding("exploding", (
                    f"the weights' norm grew from {self._start_norm:.2g} to {norm:.2g} and the "
                    f"loss is {loss:.2g} (it began at {self._start_loss:.2g}). The steps are "
                    f"far too large: lower the learning rate (now {lr:g}) and reset."), epoch)

        if flat_output and all(r.dead_cause for r in tail):
            return Finding("dead", (
                f"the output no longer depends on the input because {latest.dead_cause}; "
                f"training cannot undo that. Reset with a smaller learning rate (now "
                f"{lr:g}){self._activation_hint(trainer)}."), epoch)

        if level is not None:
            window = self._window(records)
            losses = sorted(r.loss for r in window)
            n = len(losses)
            bounce = (losses[(3 * n) // 4] - losses[n // 4]) / max(abs(level), 1e-12)
            ratio = median(r.step_ratio for r in window)
            if ratio < TINY_STEPS:
                advice = f"The steps are tiny: raise the learning rate (now {lr:g})."
            elif bounce > BOUNCE:
                advice = (f"The loss jumps from step to step: lower the learning rate (now "
                          f"{lr:g}).")
            else:
                advice = ("The network may not be able to fit this data: add neurons or "
                          "layers, other input features, or try another activation.")
            return Finding("stuck", (
                f"the loss has stayed at {level:.3g} for {self._span(records):.0f} epochs, no "
                f"better than a constant guess ({self._guess:.3g}). {advice}"), epoch)
        return None

    @staticmethod
    def _window(records) -> list:
        """The latest STUCK_EPOCHS epochs' records, at least STUCK_RECORDS of them."""
        latest = records[-1].epoch
        window = [r for r in records if r.epoch >= latest - STUCK_EPOCHS]
        return window if len(window) >= STUCK_RECORDS else records[-STUCK_RECORDS:]

    def _span(self, records) -> float:
        window = self._window(records)
        return window[-1].epoch - window[0].epoch

    def _stuck(self, records) -> float | None:
        """The loss's level if it has been flat at a constant guess's level, else None."""
        window = self._window(records)
        if len(window) < STUCK_RECORDS or window[-1].epoch - window[0].epoch < STUCK_EPOCHS:
            return None
        half = len(window) // 2
        first = median(r.loss for r in window[:half])
        second = median(r.loss for r in window[half:])
        if not (math.isfinite(first) and math.isfinite(second)):
            return None
        was = self.finding is not None and self.finding.kind == "stuck"
        flat, level = (STUCK_FLAT_EXIT, STUCK_LEVEL_EXIT) if was else (STUCK_FLAT, STUCK_LEVEL)
        if abs(second - first) > flat * max(abs(first), 1e-12):
            return None
        if not math.isfinite(self._guess) or second < level * self._guess:
            return None
        return second

    @staticmethod
    def _activation_hint(trainer) -> str:
        names = set(trainer.net.activation_names[:-1])
        if "relu" in names:
            return ", or tanh instead of ReLU"
        if names & {"tanh", "sigmoid"}:
            return ", or ReLU instead of sigmoid/tanh"
        return ""
