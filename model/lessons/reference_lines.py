"""Which lines of the textbook backprop (``model.core.reference``) a lesson phase, or the
chain rule of one weight, computes: what "Show the code" puts beside the numbers.

The source is read from the reference module when asked (``inspect``), never copied, so the
code a learner reads is the code the fast engine is tested against. Lines are picked by their
label, "(R1)" … "(R7)", or by a short piece of their text for the branches that carry no label
(the matched loss/activation pairs, the optimizers' other rules); a test fails when a pick
finds nothing, so the reference cannot drift away from what the lessons show.
"""
from __future__ import annotations

import functools
import inspect
import re
from dataclasses import dataclass
from pathlib import Path

from model.core import reference

#: where the code comes from, as a learner would open it
PATH = Path(*reference.__name__.split(".")).with_suffix(".py").as_posix()
_LABEL = re.compile(r"\(R(\d)\)")
_MATCHED = (("sigmoid", "bce"), ("softmax", "cce"))


@dataclass(frozen=True)
class CodeLine:
    number: int  # the line's number in reference.py (1-based)
    text: str  # the source line, without its newline
    key: str | None = None  # the pick that marked it ("R1", "loss.value(") or None


@dataclass(frozen=True)
class Excerpt:
    """One function of the reference, with the lines the phase computes marked."""

    function: str  # its name, e.g. "forward"
    path: str  # "model/core/reference.py"
    lines: tuple[CodeLine, ...]

    @property
    def marked(self) -> tuple[CodeLine, ...]:
        return tuple(line for line in self.lines if line.key is not None)

    @property
    def labels(self) -> tuple[str, ...]:
        """The R-labels of the marked lines, in order ("R1", "R2")."""
        found = [f"R{m}" for line in self.marked for m in _LABEL.findall(line.text)]
        return tuple(dict.fromkeys(found))


def excerpt(fn, picks) -> Excerpt:
    """``fn``'s source with the lines of ``picks`` marked: "R4" marks the line labelled (R4)
    (and the statement under it when the label stands on a comment line of its own); any other
    pick marks the lines that contain it."""
    return _excerpt(fn, tuple(picks))


@functools.lru_cache(maxsize=128)  # a running module's source does not change; reading it
def _excerpt(fn, picks: tuple[str, ...]) -> Excerpt:  # costs ~1 ms, and the views refresh
    source, first = inspect.getsourcelines(fn)
    texts = [s.rstrip("\n") for s in source]
    keys: list[str | None] = [None] * len(texts)
    for pick in picks:
        label = re.fullmatch(r"R\d", pick)
        for k, text in enumerate(texts):
            if (f"({pick})" in text) if label else (pick in text):
                keys[k] = keys[k] or pick
                if label and text.lstrip().startswith("#") and k + 1 < len(texts):
                    keys[k + 1] = keys[k + 1] or pick  # the labelled statement itself
    return Excerpt(fn.__name__, PATH, tuple(CodeLine(first + k, t, key)
                                            for k, (t, key) in enumerate(zip(texts, keys))))


# ----------------------------------------------------------------------------- the picks
def output_delta_picks(activation: str, loss: str) -> tuple[str, ...]:
    """The branch of ``output_delta`` this output layer and loss take."""
    if (activation, loss) in _MATCHED:
        return ("if (f.name, loss.name) in", "return a - Y")
    if activation == "softmax":
        return ("dC_da = loss.grad_a", "f.jacobian")
    return ("dC_da = loss.grad_a", "R3")


def step_code(optimizer: str, regularization: str = "none") -> tuple[Excerpt, ...]:
    """The optimizer's step for one parameter (R7 for SGD), and the regularizer after it."""
    step = reference.STEPS[optimizer]
    out = [excerpt(step, ("←", "bias corrections"))]
    if regularization != "none":
        picks = ["r_prime =", "w = w_new - lr"] + (["np.where"] if regularization == "l1" else [])
        out.append(excerpt(reference.regularize, picks))
    return tuple(out)


def phase_code(kind: str, *, output: bool, activation: str, loss: str, optimizer: str,
               regularization: str = "none") -> tuple[Excerpt, ...]:
    """The reference code of a lesson phase. ``output``: the phase's layer is the output layer
    (backward); ``activation``: that layer's activation (the output layer's for the loss)."""
    if kind == "forward":
        return (excerpt(reference.forward, ("R1", "R2")),)
    if kind == "loss":
        return (excerpt(reference.mean_loss, ("forward(X, layers)", "loss.value(")),)
    if kind == "backward":
        if output:
            return (excerpt(reference.output_delta, output_delta_picks(activation, loss)),
                    excerpt(reference.backward, ("output_delta(", "R5", "R6")))
        return (excerpt(reference.backward, ("R4", "R5", "R6")),)
    if kind == "update":
        return step_code(optimizer, regularization)
    raise ValueError(f"unknown phase kind {kind!r}")


def edge_code(*, output: bool, bias: bool, activation: str, loss: str, optimizer: str,
              regularization: str = "none") -> tuple[Excerpt, ...]:
    """The reference code of one parameter's gradient and update (the chain-rule inspector):
    its layer's delta (R3 for an output neuron, R4 for a hidden one), its gradient (R5 for a
    weight, R6 for a bias) and its step. Biases are never regularized."""
    grad = "R6" if bias else "R5"
    if output:
        code = [excerpt(reference.output_delta, output_delta_picks(activation, loss)),
                excerpt(reference.backward, ("output_delta(", grad))]
    else:
        code = [excerpt(reference.backward, ("R4", grad))]
    return tuple(code) + step_code(optimizer, "none" if bias else regularization)
