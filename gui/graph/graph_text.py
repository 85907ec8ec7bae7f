"""The network graph's words: neuron and parameter names for a snapshot, column titles,
tooltips, and numbers formatted for a label.

Names come from ``model.core.naming`` (one name per neuron everywhere: "x₁", "H1·3", "p(1)");
this module only reads them off a snapshot.
"""
from __future__ import annotations

import math

from model.core.naming import neuron_name, neuron_role, parameter_name

EDIT_HINT = "Double-click, Enter or right-click ▸ Edit value… to change it"


def short_number(v: float) -> str:
    """A number for a label on the graph: 4 significant digits and a real minus sign."""
    v = float(v)
    if not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("∞" if v > 0 else "−∞")
    return f"{v:.4g}".replace("-", "−")


def tiny_number(v: float) -> str:
    """A number for a crowded graph: 2 significant digits, 1 with an exponent ("0.88",
    "−12", "1e−4"); the full value stays in the tooltip and the dock's table."""
    v = float(v)
    if not math.isfinite(v) or v == 0:
        return short_number(v)
    if 0.01 <= abs(v) < 100:
        return f"{v:.2g}".replace("-", "−")
    mantissa, exponent = f"{v:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}".replace("-", "−")


def full_text(label) -> str:
    """A label's full text: labels are a str or a tuple of alternatives, longest first."""
    return label if isinstance(label, str) else label[0]


def name_of(snap, column: int, unit: int) -> str:
    """The neuron's one name (``model.core.naming.neuron_name``) in the snapshot's network."""
    return neuron_name(column, unit, snap.sizes, snap.input_names, snap.output_names)


def parameter_of(snap, layer: int, i: int, j: int) -> str:
    """"x₁ → H1·3" for W[i][j] of ``layer``, "bias of H1·3" for i = -1."""
    return parameter_name(layer, i, j, snap.sizes, snap.input_names, snap.output_names)


def label_rows(snap, neurons: dict, edges: dict) -> list[tuple[str, str]]:
    """(where, text) for every label a feature puts on the graph — neurons by name, edges and
    biases as parameters — for the dock's table of all values (the graph may lack room)."""
    rows = [(name_of(snap, c, u), full_text(t)) for (c, u), t in sorted(neurons.items())]
    rows += [(parameter_of(snap, *key), full_text(t)) for key, t in edges.items()]
    return rows


def column_title(snap, c: int, short: bool) -> str:
    last = len(snap.sizes) - 1
    if c == 0:
        return "In" if short else "Input"
    if c == last:
        return "Out" if short else "Output"
    return f"H{c}" if short else f"Hidden {c}"


def column_count(snap, c: int, short: bool) -> str:
    n = snap.sizes[c]
    if c == len(snap.sizes) - 1:
        return snap.activations[-1]
    if short:
        return str(n)
    noun = "feature" if c == 0 else "neuron"
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def item_tooltip(snap, item, note: str | None = None) -> str:
    """The tooltip of a neuron, bias or edge item; ``note`` is the value a feature labels it
    with (a lesson phase, one data point), shown even when its label had no room."""
    if item.kind == "edge":
        l, i, j = item.layer, item.i, item.j
        lines = [f"W[{i}][{j}] of layer {l + 1}: {parameter_of(snap, l, i, j)}",
                 f"weight: {_fmt(snap.weights[l][i, j])}",
                 f"dC/dw: {_fmt(snap.grad_weights[l][i, j])}",
                 f"last Δw: {_fmt(snap.update_weights[l][i, j])}"]
    else:
        c, u = (item.column, item.unit) if item.kind == "neuron" else (item.layer + 1, item.unit)
        head = f"{name_of(snap, c, u)}: {neuron_role(c, u, snap.sizes)}"
        lines = [("Bias of " + head) if item.kind == "bias" else head]
        if c > 0:
            l = c - 1
            lines += [f"activation: {snap.activations[l]}", f"bias: {_fmt(snap.biases[l][u])}",
                      f"dC/db: {_fmt(snap.grad_biases[l][u])}",
                      f"last Δb: {_fmt(snap.update_biases[l][u])}"]
        if snap.neuron_grids is not None and item.kind == "neuron":
            g = snap.neuron_grids[c][u]
            lines.append(f"output over the plane: {_fmt(g.min())} … {_fmt(g.max())}")
    if note:
        lines.append(f"on the graph: {note}")
    if item.kind != "neuron":
        lines.append(EDIT_HINT)
    return "\n".join(lines)
