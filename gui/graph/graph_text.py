"""The network graph's words: neuron and parameter names for a snapshot, column titles,
tooltips, and numbers formatted for a label.

Names come from ``model.core.naming`` (one name per neuron everywhere: "x₁", "H1·3", "p(1)");
this module only reads them off a snapshot.
"""
from __future__ import annotations

import math

from model.core.naming import neuron_name, neuron_role, parameter_name

from gui.graph.graph_header import NO_THUMBNAILS

EDIT_HINT = "Double-click, Enter or right-click ▸ Edit value… to change it"
SCALING_WORDS = {"standard": "x′ = (x − mean) / standard deviation",
                 "minmax": "the training range mapped onto [−1, 1]"}


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


def scaling_note(snap) -> str:
    """"scaled: standard" when the network scales its inputs, else ""."""
    method = getattr(snap, "input_scaling", None)
    return f"scaled: {method}" if method else ""


def input_tooltip(snap, unit: int) -> list[str]:
    """What an input neuron's thumbnail and values are: scaled or raw, and on a slice the
    value the input is held at."""
    lines = []
    method = getattr(snap, "input_scaling", None)
    if method:
        lines.append(f"values are scaled ({method}: {SCALING_WORDS.get(method, method)}, "
                     f"statistics of the training rows)")
    plane = getattr(snap, "plane", None)
    if plane is not None and plane.kind == "slice" and unit < len(plane.held):
        if unit in plane.axes:
            lines.append(f"varies along the output view's {'xy'[plane.axes.index(unit)]} axis")
        else:
            mean = " (its mean)" if plane.held[unit] == plane.means[unit] else ""
            lines.append(f"held at {short_number(plane.held[unit])}{mean} on this slice")
    return lines


def header_note(snap) -> tuple[str, str]:
    """(text, tooltip) of the note above the graph: whether the inputs are scaled and which
    plane the thumbnails show; ("", "") for raw inputs on the (x₁, x₂) plane."""
    parts, tips = [], []
    method = getattr(snap, "input_scaling", None)
    plane = getattr(snap, "plane", None)
    if method:
        # short: the note shares the graph's header row, the tooltip has the words
        parts.append(f"{'' if plane else 'inputs '}scaled: {method}")
        tips.append(f"The network scales its inputs before the first layer "
                    f"({SCALING_WORDS.get(method, method)}, statistics of the training rows "
                    f"only): the input thumbnails and values are the scaled ones.")
    if snap.neuron_grids is None:
        parts.append(NO_THUMBNAILS if len(snap.input_names) > 2 else "no thumbnails: one input")
        tips.append("Neuron thumbnails show a unit's output over a plane of two inputs.")
    elif plane is not None:
        where = "slice" if plane.kind == "slice" else "PCA plane"
        parts.append(where if method else f"thumbnails: {where}")
        tips.append("With more than two inputs the thumbnails show each unit over the plane "
                    "of the output view: a slice through the held values of the other inputs, "
                    "or the plane of the first two principal components through the mean.")
    return " · ".join(parts), "\n".join(tips)


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
        if c == 0 and item.kind == "neuron":
            lines += input_tooltip(snap, u)
        if c > 0:
            l = c - 1
            lines += [f"activation: {snap.activations[l]}", f"bias: {_fmt(snap.biases[l][u])}",
                      f"dC/db: {_fmt(snap.grad_biases[l][u])}",
                      f"last Δb: {_fmt(snap.update_biases[l][u])}"]
        if snap.neuron_grids is not None and item.kind == "neuron":
            g = snap.neuron_grids[c][u]
            where = "the plane" if getattr(snap, "plane", None) is None else (
                "the slice" if snap.plane.kind == "slice" else "the PCA plane")
            lines.append(f"output over {where}: {_fmt(g.min())} … {_fmt(g.max())}")
    if note:
        lines.append(f"on the graph: {note}")
    if item.kind != "neuron":
        lines.append(EDIT_HINT)
    return "\n".join(lines)
