"""Lesson mode's content: what each phase of a ``LessonBuild`` (frozen phases computed in the
worker by ``model.lessons.phases.LessonSteppers``) puts on the graph (``phase_view``) and in
the dock (``phase_html``)."""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from model.lessons.phases import LessonBuild
from model.snapshot import frozen_copy

from gui.graph.graph_text import label_rows, name_of, short_number, tiny_number

MAX_EDGE_LABELS = 40  # more labels than this are unreadable: the largest ones are shown


# ----------------------------------------------------------------------------- phase → graph
def _top(values: dict, n: int = MAX_EDGE_LABELS) -> dict:
    """The n entries of largest magnitude."""
    keep = sorted(values, key=lambda k: -abs(values[k]) if math.isfinite(values[k]) else 0)[:n]
    return {k: values[k] for k in keep}


def _layer_values(W, b, layer: int, with_biases: bool = True) -> dict:
    out = {(layer, i, j): float(W[i, j]) for i in range(W.shape[0]) for j in range(W.shape[1])}
    if with_biases:
        out.update({(layer, -1, j): float(b[j]) for j in range(len(b))})
    return out


def phase_view(build: LessonBuild, index: int) -> dict:
    """What the graph shows at phase ``index``: neuron and edge labels, the active column,
    the edge mode, the highlight, and the gradients/updates to colour the edges with."""
    phases = build.phases
    phase = phases[index]
    L = len(build.weights)
    mean = lambda a: np.mean(a, axis=0)  # noqa: E731 - a minibatch shows its mean
    acts = {0: mean(build.x)}
    zs, deltas, grads = {}, {}, {}
    for p in phases[:index + 1]:
        if p.kind == "forward":
            zs[p.layer + 1], acts[p.layer + 1] = mean(p.z), mean(p.a)
        elif p.kind == "backward":
            deltas[p.layer + 1], grads[p.layer] = mean(p.delta), (p.dW, p.db)
    neurons, edges, active, mode, highlight = {}, {}, None, "weights", None
    grad_w = [np.zeros_like(w) for w in build.weights]
    grad_b = [np.zeros_like(b) for b in build.biases]
    upd_w, upd_b = list(grad_w), list(grad_b)
    for layer, (dW, db) in grads.items():
        grad_w[layer], grad_b[layer] = dW, db
    # each label: its full text, then a short one for a crowded graph (``set_annotations``)
    if phase.kind in ("forward", "loss"):
        for c, a in acts.items():
            for u, v in enumerate(a):
                neurons[(c, u)] = _named("x" if c == 0 else "a", v)
    if phase.kind == "forward":
        c = active = phase.layer + 1
        for u in range(len(acts[c])):
            z, a = zs[c][u], acts[c][u]
            neurons[(c, u)] = (f"z={short_number(z)} a={short_number(a)}",
                               f"z={tiny_number(z)} a={tiny_number(a)}", f"a={tiny_number(a)}")
        l = phase.layer
        values = _layer_values(build.weights[l], build.biases[l], l)
        edges = {k: (short_number(v), tiny_number(v)) for k, v in _top(values).items()}
        highlight = {k: 1.0 for k in values}
    elif phase.kind == "loss":
        active = L
        y = mean(build.y)
        for u, v in enumerate(acts[L]):
            neurons[(L, u)] = (f"a={short_number(v)} y={short_number(y[u])}",
                               f"a={tiny_number(v)} y={tiny_number(y[u])}")
    elif phase.kind == "backward":
        mode, l = "gradients", phase.layer
        active = l + 1
        for c in range(1, L + 1):
            if c in deltas:
                for u, v in enumerate(deltas[c]):
                    neurons[(c, u)] = _named("δ", v)
            elif c <= l:
                for u, v in enumerate(acts[c]):
                    neurons[(c, u)] = _named("a", v)
        values = _layer_values(*grads[l], l)
        top = _top(values)
        edges = {k: _signed("", v) for k, v in top.items()}
        biggest = max((abs(v) for v in values.values() if math.isfinite(v)), default=0.0)
        highlight = {k: (abs(v) / biggest if biggest > 0 and math.isfinite(v) else 0.0)
                     for k, v in values.items()}
    else:  # update
        mode = "updates"
        upd_w, upd_b = list(phase.delta_W), list(phase.delta_b)
        values = {}
        for l in range(L):
            values.update(_layer_values(upd_w[l], upd_b[l], l))
        edges = {k: _signed("Δ", v) for k, v in _top(values).items()}
    return {"neurons": neurons, "edges": edges, "active": active, "mode": mode,
            "highlight": highlight, "grad": (grad_w, grad_b), "update": (upd_w, upd_b)}


def _named(name: str, v: float) -> tuple[str, str]:
    """"a=0.4501", and "0.45" when the graph is crowded."""
    return f"{name}={short_number(v)}", tiny_number(v)


def _signed(prefix: str, v: float) -> tuple[str, ...]:
    """"Δ+0.0001234" (a gradient or a change shows its sign), then "Δ+1e−4" and "+1e−4"
    for a crowded graph."""
    sign = "+" if v > 0 else ""
    short = (f"{prefix}{sign}{tiny_number(v)}",) if prefix else ()
    return (f"{prefix}{sign}{short_number(v)}",) + short + (f"{sign}{tiny_number(v)}",)


def preview_snapshot(base, build: LessonBuild, view: dict):
    """The base snapshot with the lesson's weights, gradients and updates (read-only copies)."""
    t = lambda arrays: tuple(frozen_copy(a) for a in arrays)  # noqa: E731
    return dataclasses.replace(base, weights=t(build.weights), biases=t(build.biases),
                               grad_weights=t(view["grad"][0]), grad_biases=t(view["grad"][1]),
                               update_weights=t(view["update"][0]),
                               update_biases=t(view["update"][1]))


# ----------------------------------------------------------------------------- the dock's text
def _table(head, rows) -> str:
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td align='right'>{c}</td>" for c in r) + "</tr>"
                   for r in rows)
    return (f"<table cellspacing='0' cellpadding='2' border='1' style='border-color:#ccc'>"
            f"<tr style='background:rgba(128,128,128,48)'>{cells}</tr>{body}</table>")


def phase_html(build: LessonBuild, index: int, snap) -> str:
    p = build.phases[index]
    name = lambda c, u: name_of(snap, c, u) if snap is not None else f"{c}:{u}"  # noqa: E731
    n = len(build.rows)
    where = ("one example" if build.single else
             f"the mean over the minibatch's {n} examples" if n > 1 else "the minibatch's example")
    out = [f"<p style='color:#888'>Numbers on the graph: {where}.</p>"]
    if p.kind == "forward":
        c = p.layer + 1
        out.append(_table(["neuron", "z", "a"], [(name(c, u), short_number(z), short_number(a)) for u, (z, a) in
                                                enumerate(zip(p.z.mean(0), p.a.mean(0)))]))
    elif p.kind == "loss":
        out.append(f"<p><b>C = {short_number(p.loss)}</b></p>")
        k = p.outputs.shape[1]
        rows = [(f"row {r}",) + tuple(f"{short_number(p.outputs[e, u])} / {short_number(p.targets[e, u])}"
                                      for u in range(k)) for e, r in enumerate(build.rows[:8])]
        out.append(_table(["example"] + [f"{name(len(build.weights), u)}: a / y"
                                         for u in range(k)], rows))
    elif p.kind == "backward":
        c = p.layer + 1
        out.append(_table(["neuron", "δ", "∂C/∂b"], [(name(c, u), short_number(d), short_number(g)) for u, (d, g) in
                                                      enumerate(zip(p.delta.mean(0), p.db))]))
        if p.dW.size <= 64:
            out.append("<p>∂C/∂W (row: from, column: to)</p>")
            out.append(_table([""] + [name(c, j) for j in range(p.dW.shape[1])],
                              [(name(c - 1, i),) + tuple(short_number(v) for v in p.dW[i])
                               for i in range(p.dW.shape[0])]))
    else:
        big = lambda a: short_number(np.abs(a).max(initial=0.0))  # noqa: E731
        rows = [(f"layer {l + 1}", big(dw), big(db))
                for l, (dw, db) in enumerate(zip(p.delta_W, p.delta_b))]
        out.append(_table(["", "largest |Δw|", "largest |Δb|"], rows))
        out.append("<p>Apply the step to make these changes; Discard leaves the network as it "
                   "is.</p>")
    if snap is not None:
        view = phase_view(build, index)
        rows = label_rows(snap, view["neurons"], view["edges"])
        if rows:
            out.append("<p>Every number on the graph (the largest first for the edges; hover "
                       "an item on the graph for its value):</p>")
            out.append(_table(["where", "value"], [(_html(w), _html(t)) for w, t in rows]))
    return "".join(out)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def progress_html(build: LessonBuild, index: int) -> str:
    chips = []
    for k, p in enumerate(build.phases):
        text = {"forward": f"F{(p.layer or 0) + 1}", "backward": f"B{(p.layer or 0) + 1}",
                "loss": "Loss", "update": "Update"}[p.kind]
        style = ("background:#fde7a9; font-weight:bold; color:#222" if k == index else
                 "color:#888" if k > index else "")
        chips.append(f"<span style='{style}'>&nbsp;{text}&nbsp;</span>")
    return " › ".join(chips) + f"&nbsp;&nbsp;<span style='color:#888'>(phase {index + 1} of " \
                               f"{len(build.phases)})</span>"


