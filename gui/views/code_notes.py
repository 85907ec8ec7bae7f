"""The numbers "Show the code" writes under the reference's lines: for each pick of
``model.lessons.reference_lines`` ("R1", "return a - Y", "←"), a few short lines with the
shapes and the first rows of what that line computes for the rows being walked.

Only formatting: every number is read off a frozen ``LessonBuild`` or ``InspectorResult``.
"""
from __future__ import annotations

import numpy as np

from model.lessons.reference_lines import edge_code, output_delta_picks, phase_code

from gui.graph.graph_text import short_number

ROWS = 3  # example rows shown per array
VALUES = 4  # values shown per row

_MATCHED_NOTE = "f′ cancels the loss's 1/(a(1−a)): R3's ∂C/∂a ⊙ f′(z) is exactly a − y"


def shape(a) -> str:
    return "(" + ", ".join(str(n) for n in np.shape(a)) + (",)" if np.ndim(a) == 1 else ")")


def values(v, limit: int = VALUES) -> str:
    v = np.ravel(v)
    text = "  ".join(short_number(x) for x in v[:limit])
    return text + ("  …" if len(v) > limit else "")


def rows_of(name: str, a, rows) -> list[str]:
    """'row #17: z1 = 0.1234  −0.5  …' for the first ROWS examples (one line each)."""
    out = [f"row #{int(r)}: {name} = {values(a[k])}" for k, r in enumerate(rows[:ROWS])]
    if len(rows) > ROWS:
        out.append(f"… {len(rows) - ROWS} more rows")
    return out


# ----------------------------------------------------------------------------- lesson mode
def lesson_code(build, index: int):
    """The reference excerpts of phase ``index`` of ``build``."""
    p, L = build.phases[index], len(build.weights)
    layer = L - 1 if p.layer is None else p.layer
    return phase_code(p.kind, output=layer == L - 1, activation=build.activations[layer],
                      loss=build.loss, optimizer=build.optimizer,
                      regularization=build.regularization)


def lesson_notes(build, index: int) -> dict[str, list[str]]:
    """{pick: lines} for phase ``index``."""
    phases, p = build.phases, build.phases[index]
    L, rows, n = len(build.weights), build.rows, len(build.rows)
    forward = {q.layer: q for q in phases if q.kind == "forward"}
    a_of = lambda c: build.x if c == 0 else forward[c - 1].a  # noqa: E731 - a0 = x
    name = lambda c: "x" if c == 0 else f"a{c}"  # noqa: E731
    if p.kind == "forward":
        c = p.layer + 1
        W, b = build.weights[p.layer], build.biases[p.layer]
        return {"R1": [f"z{c} = {name(c - 1)}·W{c} + b{c}:  {shape(a_of(c - 1))}·{shape(W)} + "
                       f"{shape(b)} → {shape(p.z)}", *rows_of(f"z{c}", p.z, rows)],
                "R2": [f"a{c} = {build.activations[p.layer]}(z{c}):  {shape(p.a)}",
                       *rows_of(f"a{c}", p.a, rows)]}
    if p.kind == "loss":
        return {"forward(X, layers)": [f"a{L}, the output: {shape(p.outputs)}",
                                       *rows_of(f"a{L}", p.outputs, rows)],
                "loss.value(": [f"{p.formula} over {n} example{'s' if n != 1 else ''} "
                                f"= {short_number(p.loss)}", *rows_of("y", p.targets, rows)]}
    if p.kind == "backward":
        c = p.layer + 1
        delta = [f"δ{c}: {shape(p.delta)}", *rows_of(f"δ{c}", p.delta, rows)]
        notes = {"R5": [f"∂C/∂W{c} = {name(c - 1)}ᵀ·δ{c} / {n}:  {shape(a_of(c - 1).T)}·"
                        f"{shape(p.delta)} → {shape(p.dW)}",
                        *[f"∂C/∂W{c}[{i}][:] = {values(p.dW[i])}" for i in range(min(ROWS, len(p.dW)))]],
                 "R6": [f"∂C/∂b{c} = Σ δ{c} / {n} → {shape(p.db)}:  {values(p.db)}"]}
        if p.layer < L - 1:
            nxt = build.weights[p.layer + 1]
            notes["R4"] = [f"δ{c} = (δ{c + 1}·W{c + 1}ᵀ) ⊙ f′(z{c}):  {shape(phases[index - 1].delta)}"
                           f"·{shape(nxt.T)} → {shape(p.delta)}", *rows_of(f"δ{c}", p.delta, rows)]
            return notes
        picks = output_delta_picks(build.activations[p.layer], build.loss)
        if "return a - Y" in picks:
            notes["if (f.name, loss.name) in"] = [f"{build.activations[p.layer]} + {build.loss}: "
                                                  + _MATCHED_NOTE]
            notes["return a - Y"] = delta
        else:
            notes[picks[-1]] = delta  # R3, or the softmax Jacobian's line
        return notes
    # the update: every parameter array takes the same rule
    lines = [f"{build.optimizer}, lr {short_number(build.lr)}, for every W and b:"]
    for l, (dW, db) in enumerate(zip(p.delta_W, p.delta_b)):
        big = lambda a: short_number(np.abs(a).max(initial=0.0))  # noqa: E731
        lines.append(f"ΔW{l + 1} {shape(dW)}: max |Δw| {big(dW)},  Δb{l + 1}: {big(db)}")
    notes = {"←": lines}
    if build.regularization != "none":
        rate = getattr(build.settings, "reg_rate", 0.0)
        notes["w = w_new - lr"] = [f"{build.regularization.upper()}, λ = {short_number(rate)}: "
                                   "weights only, biases are not regularized"]
    return notes


# ----------------------------------------------------------------------------- the inspector
def inspector_code(result):
    c, u = result.chain, result.chain.update
    reg = u.get("regularization") if u else None
    return edge_code(output=c.is_output, bias=c.i is None, activation=c.activation,
                     loss=c.loss, optimizer=u.get("optimizer", "sgd") if u else "sgd",
                     regularization=reg["kind"] if reg else "none")


def inspector_notes(result) -> dict[str, list[str]]:
    """{pick: lines} for the chain rule of one parameter."""
    c, i, j, rows = result.chain, result.chain.i, result.chain.j, result.rows  # i None: a bias
    n = len(rows)
    per_row = lambda label, a: [f"row #{int(r)}: {label} = {short_number(a[k])}"  # noqa: E731
                                for k, r in enumerate(rows[:ROWS])] + (
        [f"… {n - ROWS} more rows"] if n > ROWS else [])
    delta = [f"δ_{j} = ∂C/∂a_{j} · f′(z_{j}):",
             *[f"row #{int(r)}: {short_number(c.dC_da[k])} · {short_number(c.fprime[k])} = "
               f"{short_number(c.delta[k])}" for k, r in enumerate(rows[:ROWS])]]
    notes: dict[str, list[str]] = {}
    if c.is_output:
        picks = output_delta_picks(c.activation, c.loss)
        if "return a - Y" in picks:
            notes["if (f.name, loss.name) in"] = [f"{c.activation} + {c.loss}: " + _MATCHED_NOTE]
            notes["return a - Y"] = [f"δ_{j} = a_{j} − y_{j}", *per_row(f"δ_{j}", c.delta)]
        elif c.activation == "softmax":
            notes["f.jacobian"] = [f"δ_{j} = Σ_k ∂C/∂a_k·∂a_k/∂z_{j}", *per_row(f"δ_{j}", c.delta)]
        else:
            notes["R3"] = delta
    else:
        notes["R4"] = [f"(δ_next·W_nextᵀ)_{j} = Σ_k W_next[{j}][k]·δ_k = ∂C/∂a_{j}"] + delta
    if i is None:
        notes["R6"] = [f"∂C/∂b[{j}] = Σ δ_{j} / {n} = {short_number(c.gradient)}"]
    else:
        notes["R5"] = [f"∂C/∂W[{i}][{j}] = Σ a_prev_{i}·δ_{j} / {n} = {short_number(c.gradient)}",
                       *[f"row #{int(r)}: {short_number(c.source[k])} · {short_number(c.delta[k])}"
                         f" = {short_number(c.products[k])}" for k, r in enumerate(rows[:ROWS])]]
    u = c.update
    if u:
        notes["←"] = [f"{u['optimizer']}, lr {short_number(u['lr'])}: Δw = "
                      f"{short_number(u['step'])},  w {short_number(u['weight'])} → "
                      f"{short_number(u['weight'] + u['delta_w'])}"]
        reg = u.get("regularization")
        if reg and i is not None:
            notes["w = w_new - lr"] = [f"{reg['kind'].upper()}: −lr·λ·R′(w) = {short_number(u['reg'])}"]
    return notes
