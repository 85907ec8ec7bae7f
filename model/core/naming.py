"""One name per neuron, the same in every view and file: 1-based and short.

    inputs    by their feature label ("x₁", "sin(x₂)") or their data column ("age")
    hidden    "H<layer>·<neuron>"   e.g. "H1·3" is neuron 3 of hidden layer 1
    outputs   by the output's name ("p(1)", "p(setosa)", a regression target "y"),
              else "Out·<k>"

Columns are counted as in ``Network.sizes``: column 0 holds the inputs, column c > 0 the
neurons of layer c (``W`` of layer c - 1 feeds them), the last column the outputs.
"""
from __future__ import annotations

from typing import Sequence

from model.data.features import input_label

__all__ = ["neuron_name", "parameter_name", "neuron_role", "has_parameter"]


def _check(column: int, unit: int, sizes: Sequence[int]) -> None:
    if not 0 <= column < len(sizes) or not 0 <= unit < sizes[column]:
        raise IndexError(f"no neuron {unit} in column {column} of a network sized "
                         f"{list(sizes)}")


def neuron_name(column: int, unit: int, sizes: Sequence[int],
                inputs: Sequence[str] = (), outputs: Sequence[str] = ()) -> str:
    """The name of neuron ``unit`` (0-based) of ``column`` (0 = inputs) in a network of
    ``sizes``; ``inputs``/``outputs`` are the network's input and output names (feature ids
    or columns, output names such as "p(1)"), missing or empty names fall back to x₁…, Out·k.
    IndexError for a neuron the network does not have."""
    _check(column, unit, sizes)
    last = len(sizes) - 1
    if column == 0:
        name = inputs[unit] if unit < len(inputs) else ""
        return input_label(name) if name else "x" + _subscript(unit + 1)
    if column == last:
        name = outputs[unit] if unit < len(outputs) else ""
        return name if name else f"Out·{unit + 1}"
    return f"H{column}·{unit + 1}"


def neuron_role(column: int, unit: int, sizes: Sequence[int]) -> str:
    """What the neuron is, in words, 1-based: "input 2", "neuron 3 of hidden layer 1",
    "output 1"."""
    _check(column, unit, sizes)
    if column == 0:
        return f"input {unit + 1}"
    if column == len(sizes) - 1:
        return f"output {unit + 1}"
    return f"neuron {unit + 1} of hidden layer {column}"


def has_parameter(layer: int, i: int, j: int, sizes: Sequence[int]) -> bool:
    """Whether a network of ``sizes`` has W[i][j] of ``layer`` (i = -1: the bias b[j])."""
    return (0 <= layer < len(sizes) - 1 and -1 <= i < sizes[layer]
            and 0 <= j < sizes[layer + 1])


def parameter_name(layer: int, i: int, j: int, sizes: Sequence[int],
                   inputs: Sequence[str] = (), outputs: Sequence[str] = ()) -> str:
    """W[i][j] of ``layer`` as "from → to" ("x₁ → H1·3"); i = -1 names the bias of neuron j
    ("bias of H1·3")."""
    to = neuron_name(layer + 1, j, sizes, inputs, outputs)
    if i < 0:
        return f"bias of {to}"
    return f"{neuron_name(layer, i, sizes, inputs, outputs)} → {to}"


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _subscript(n: int) -> str:
    return str(n).translate(_SUB)
