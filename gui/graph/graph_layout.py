"""Where the network graph's neurons go: pure geometry, in pixels, free of Qt.

The canvas is the viewport times the zoom, but never smaller than the architecture needs
(columns ``MIN_DX`` apart, neurons ``MIN_NEURON`` wide): then the view scrolls rather than
squeezing things into each other. While neurons carry labels (a lesson phase, a data point)
the layout keeps a label's height free under each neuron if that costs the neurons at most
half their size; otherwise labels go beside the neurons or wait for a zoom.
"""
from __future__ import annotations

from dataclasses import dataclass

MIN_NEURON = 8.0  # px: below this a thumbnail shows nothing
MAX_NEURON = 54.0
MIN_DX = 44.0  # px between columns: a column's "+ −" buttons and short title need that
HEAD = 80.0  # px above the neurons: buttons, title, count, activation tag
SHORT_DX = 74.0  # columns closer than this get short titles ("H1", "16")


@dataclass(frozen=True)
class Layout:
    canvas: tuple[float, float]  # scene rect (0, 0, w, h)
    size: float  # neuron side
    short: bool  # short column titles
    column_x: tuple[float, ...]  # left edge of each column's neurons
    rows: tuple[tuple[float, ...], ...]  # top edge of each neuron, per column
    room: float  # px kept free under each neuron for its label (0: none)
    bottom: float  # px kept free at the bottom (for the "+N more" hints)


def compute_layout(sizes, viewport: tuple[float, float], zoom: float, name_widths: tuple[float, float],
                   name_height: float, label_height: float, neuron_labels: bool,
                   any_labels: bool) -> Layout:
    """The layout of a network ``sizes`` (inputs first) in a ``viewport`` (w, h) at ``zoom``;
    ``name_widths`` are the widest input and output names (drawn left of the inputs and
    right of the outputs), ``name_height`` their height, ``label_height`` an annotation's."""
    sizes = [int(n) for n in sizes]
    L, widest = len(sizes), max(sizes)
    room = label_height + 8.0 if neuron_labels else 0.0  # the bias square reaches below too
    bottom = 8.0 + (label_height + 4.0 if any_labels else 0.0)
    left, right = 12.0 + name_widths[0] + 6.0, 12.0 + name_widths[1] + 6.0
    cw = max(viewport[0] * zoom, left + right + MIN_NEURON + (L - 1) * MIN_DX)
    ch = max(viewport[1] * zoom, HEAD + bottom + widest * (MIN_NEURON + 2.0))
    avail = ch - HEAD - bottom
    pitch = avail / widest
    s = min(MAX_NEURON, pitch * 0.74, (cw - left - right) / (2.2 * L))
    if room and pitch - room >= max(1.5 * MIN_NEURON, 0.5 * s):
        s = min(s, pitch - room)  # smaller neurons, with their labels under them
    else:
        room = 0.0
    s = max(MIN_NEURON, s)
    dx = max(1.0, (cw - left - right - s) / max(1, L - 1))
    xs, rows = [], []
    for c, n in enumerate(sizes):
        xs.append(left + c * dx if L > 1 else (cw - s) / 2)
        want = max(s * 1.45, s + room)
        if c in (0, L - 1):
            want = max(want, name_height + 2.0)  # input and output names stay apart
        p = min(avail / n, want)
        # a neuron and the label room under it are centred in the neuron's slot
        y0 = HEAD + (avail - n * p) / 2 + max(0.0, p - s - room) / 2
        rows.append(tuple(y0 + u * p for u in range(n)))
    return Layout((cw, ch), s, dx < SHORT_DX, tuple(xs), tuple(rows), room, bottom)
