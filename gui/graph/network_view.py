"""The network graph: input features, hidden layers with +/− controls, outputs, and edges
coloured by weight, gradient or last update (TF Playground's middle panel).

Items are built once per architecture; a snapshot only restyles them: edges take one of a fixed
set of cached pens (and only edges whose pen changed are touched), neurons get a new thumbnail
QImage. The layout is computed in viewport pixels, so labels stay readable at any size.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QTimer, Signal
from PySide6.QtGui import QPainter, QColor, QFont, QImage
from PySide6.QtWidgets import (QGraphicsScene, QGraphicsSimpleTextItem, QHBoxLayout,
                               QInputDialog, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget)

from model.playground import MAX_HIDDEN_LAYERS, MAX_NEURONS

from gui.plots import palette
from gui.graph.colors import (N_COLOR_BINS, N_WIDTH_BINS, PenCache, edge_strength, lut_index, pen_keys,
                     rgba, thumbnail_values)
from gui.graph.graph_items import (AnnotationLayer, BiasItem, EdgeItem, GraphView, NeuronItem, SceneButton,
                          column_count, column_title, item_tooltip, unit_name)

MODES = ("weights", "gradients", "updates")
MAX_EDIT = 1e6
NEW_LAYER_NEURONS = 2  # as TF Playground
LABEL = QColor(60, 64, 70)
MUTED = QColor(120, 125, 132)
NO_THUMBNAILS = "no thumbnails: more than two inputs"


class NetworkView(QWidget):
    hidden_changed = Signal(tuple)  # new hidden sizes after a +/− press
    weight_edited = Signal(int, int, int, float)  # layer, i, j, new W[i][j]
    bias_edited = Signal(int, int, float)  # layer, j, new b[j]
    neuron_hovered = Signal(int, int)  # (column, unit); (-1, -1) when the pointer leaves
    edge_selected = Signal(int, int, int)  # layer, i, j (i = -1: the bias of neuron j)
    annotations_changed = Signal(str)  # the owner named by the last set_annotations call

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = None
        self._mode = "weights"
        self._max_layers, self._max_neurons = MAX_HIDDEN_LAYERS, MAX_NEURONS
        self._arch = None
        self._pens = PenCache()
        self._highlight: dict | None = None
        self._hovered: list = []  # items under the pointer, for tooltip refreshes
        self._pending_edit = None
        self._notes = AnnotationLayer()  # texts over the graph (lesson, one data point)
        self._clear_items()

        self._scene = QGraphicsScene(self)
        # Pens change every frame; a BSP index would be rebuilt for nothing.
        self._scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self._view = GraphView(self._scene, self._layout)

        self._remove_layer = self._tool_button("−", "Remove the last hidden layer",
                                               self._remove_layer_pressed)
        self._add_layer = self._tool_button("+", "Add a hidden layer (2 neurons) at the end",
                                            self._add_layer_pressed)
        self._layers_label = QLabel("HIDDEN LAYERS")
        self._layers_label.setToolTip("Number of hidden layers (0 to the maximum)")
        self._message = QLabel()
        self._message.setStyleSheet("color: #b4501e;")
        self._message.setToolTip("Why the last edit was refused")
        self._note = QLabel(NO_THUMBNAILS)
        self._note.setStyleSheet("color: #787d84;")
        self._note.setToolTip("Neuron thumbnails show a unit's output over the (x₁, x₂) plane; "
                              "with more than two inputs there is no plane to draw.")
        self._note.hide()
        self._message_timer = QTimer(self, singleShot=True, interval=5000)
        self._message_timer.timeout.connect(self._message.clear)

        header = QHBoxLayout()
        header.setContentsMargins(6, 4, 6, 0)
        for w in (self._remove_layer, self._add_layer, self._layers_label):
            header.addWidget(w)
        header.addStretch(1)
        header.addWidget(self._message)
        header.addWidget(self._note)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(header)
        box.addWidget(self._view, 1)
        self._update_controls()

    def _tool_button(self, text, tip, slot) -> QToolButton:
        b = QToolButton(self)
        b.setText(text)
        b.setToolTip(tip)
        b.setAutoRaise(False)
        b.setFixedSize(24, 24)
        b.clicked.connect(slot)
        return b

    # ------------------------------------------------------------------ public interface
    def set_snapshot(self, snap) -> None:
        arch = (tuple(snap.sizes), tuple(snap.input_names), tuple(snap.output_names),
                snap.neuron_grids is None)
        self._snap = snap
        if arch != self._arch:
            self._arch = arch
            self._build(snap)
        self._restyle()
        self._update_thumbnails()
        self._update_controls()
        for item in self._hovered:
            item.setToolTip(item_tooltip(self._snap, item))

    def set_smooth(self, smooth: bool) -> None:
        """Antialiased edges (the default) or crisp ones. Antialiasing thick curves costs about
        half a frame; while training runs flat out the edges change every frame anyway."""
        hint = QPainter.RenderHint.Antialiasing
        if bool(self._view.renderHints() & hint) != smooth:
            self._view.setRenderHint(hint, smooth)

    def set_edge_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"edge mode must be one of {', '.join(MODES)}, not {mode!r}")
        if mode != self._mode:
            self._mode = mode
            if self._snap is not None:
                self._restyle()
                for item in self._hovered:
                    item.setToolTip(item_tooltip(self._snap, item))

    def set_max_hidden(self, layers: int, neurons: int) -> None:
        if layers < 0 or neurons < 1:
            raise ValueError(f"need layers >= 0 and neurons >= 1, got {layers}, {neurons}")
        self._max_layers, self._max_neurons = int(layers), int(neurons)
        self._update_controls()

    def highlight(self, edges: dict[tuple[int, int, int], float] | None) -> None:
        self._highlight = None if edges is None else dict(edges)
        self._apply_highlight()

    def set_annotations(self, neurons: dict | None = None, edges: dict | None = None,
                        active_column: int | None = None, *, owner: str = "") -> None:
        """Small texts over the graph: ``neurons[(column, unit)]`` under a neuron,
        ``edges[(layer, i, j)]`` on an edge (i = -1: beside the bias of neuron j), and a band
        behind ``active_column``. None (as a dict or a value) clears. Only the given edges get
        a label: pass a few dozen at most. ``owner`` names the feature that set them
        (``annotations_changed`` tells the others their labels are gone)."""
        self._notes.set(neurons, edges, active_column)
        self._place_notes()
        self.annotations_changed.emit(owner)

    def annotations(self) -> tuple[dict, dict, int | None]:
        """The labels shown: (neurons, edges, active column)."""
        return dict(self._notes.neurons), dict(self._notes.edges), self._notes.active

    def _place_notes(self) -> None:
        if not self._neurons:
            return
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        self._notes.place(self._scene, self._neurons, self._edge_item, self._bias_item, font)

    # ------------------------------------------------------------------ building and layout
    def _clear_items(self) -> None:
        self._neurons: list[list[NeuronItem]] = []
        self._biases: list[list[BiasItem]] = []  # per layer l: the neurons of column l + 1
        self._edges: list[EdgeItem] = []
        self._edge_offsets: list[int] = []
        self._edge_keys = np.empty(0, dtype=np.intp)
        self._bias_bins = np.empty(0, dtype=np.intp)
        self._titles: list[tuple[QGraphicsSimpleTextItem, QGraphicsSimpleTextItem]] = []
        self._unit_labels: list[tuple[int, int, QGraphicsSimpleTextItem]] = []
        self._neuron_buttons: dict[tuple[int, int], SceneButton] = {}
        self._buffers: list[np.ndarray] = []  # pixels behind the thumbnails' QImages
        self._hovered = []
        self._notes.forget()  # its items went with the scene's

    def _build(self, snap) -> None:
        hovered_neuron = any(item.kind == "neuron" for item in self._hovered)
        self._scene.clear()
        self._clear_items()
        if hovered_neuron:  # its hover-leave will never come
            self.neuron_hovered.emit(-1, -1)
        sizes = snap.sizes
        for c, n in enumerate(sizes):
            column = [NeuronItem(c, u, self) for u in range(n)]
            for item in column:
                self._scene.addItem(item)
            self._neurons.append(column)
            if c > 0:
                self._biases.append([BiasItem(c - 1, u, column[u], self) for u in range(n)])
        for l in range(len(sizes) - 1):
            self._edge_offsets.append(len(self._edges))
            for i in range(sizes[l]):
                for j in range(sizes[l + 1]):
                    edge = EdgeItem(l, i, j, self)
                    self._scene.addItem(edge)
                    self._edges.append(edge)
        self._edge_keys = np.full(len(self._edges), -1, dtype=np.intp)
        self._bias_bins = np.full(sum(sizes[1:]), -1, dtype=np.intp)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.9))
        bold = QFont(self.font())
        bold.setBold(True)
        for c, n in enumerate(sizes):
            pair = (QGraphicsSimpleTextItem(), QGraphicsSimpleTextItem())
            for t, font, color in zip(pair, (bold, small), (LABEL, MUTED)):
                t.setFont(font)
                t.setBrush(color)
                self._scene.addItem(t)
            self._titles.append(pair)
        for c in (0, len(sizes) - 1):
            for u in range(sizes[c]):
                t = QGraphicsSimpleTextItem(unit_name(self._snap, c, u))
                t.setFont(self.font())
                t.setBrush(LABEL)
                self._scene.addItem(t)
                self._unit_labels.append((c, u, t))
        for k in range(len(sizes) - 2):
            for delta, text, verb in ((+1, "+", "Add a neuron to"),
                                      (-1, "−", "Remove a neuron from")):
                b = SceneButton(text, f"{verb} hidden layer {k + 1}",
                                lambda k=k, d=delta: self._change_neurons(k, d))
                self._scene.addItem(b)
                self._neuron_buttons[(k, delta)] = b
        self._note.setVisible(snap.neuron_grids is None)
        self._layout()
        self._apply_highlight()

    def _layout(self) -> None:
        """Place everything in viewport pixels: neuron size and spacing follow the widget."""
        vw = max(240, self._view.viewport().width())
        vh = max(160, self._view.viewport().height())
        self._scene.setSceneRect(0, 0, vw, vh)
        if not self._neurons:
            return
        sizes = [len(col) for col in self._neurons]
        widths = {c: max((t.boundingRect().width() for cc, _, t in self._unit_labels if cc == c),
                         default=0.0) for c in (0, len(sizes) - 1)}
        head, bottom = 62.0, 10.0
        left, right = 12.0 + widths[0] + 6.0, 12.0 + widths[len(sizes) - 1] + 6.0
        avail = vh - head - bottom
        pitch = avail / max(sizes)
        s = max(10.0, min(54.0, pitch * 0.74, (vw - left - right) / (2.2 * len(sizes))))
        pitch = min(pitch, s * 1.45)
        dx = max(1.0, (vw - left - right - s) / max(1, len(sizes) - 1))
        short = dx < 74
        for c, column in enumerate(self._neurons):
            x = left + c * dx if len(sizes) > 1 else (vw - s) / 2
            y0 = head + (avail - len(column) * pitch) / 2 + (pitch - s) / 2
            for u, item in enumerate(column):
                item.set_size(s)
                item.setPos(x, y0 + u * pitch)
            if c > 0:
                for b in self._biases[c - 1]:
                    b.set_size(s, disc=self._arch[3])
            cx = x + s / 2
            title, count = self._titles[c]
            title.setText(column_title(self._snap, c, short))
            count.setText(column_count(self._snap, c, short))
            for t, y in ((title, 24.0), (count, 41.0)):
                t.setPos(cx - t.boundingRect().width() / 2, y)
            for delta, off in ((+1, -19.0), (-1, 2.0)):
                b = self._neuron_buttons.get((c - 1, delta))
                if b is not None:
                    b.setPos(cx + off, 3.0)
        for c, u, t in self._unit_labels:
            item = self._neurons[c][u]
            r = t.boundingRect()
            y = item.y() + s / 2 - r.height() / 2
            t.setPos(item.x() - 6 - r.width() if c == 0 else item.x() + s + 6, y)
        for edge in self._edges:
            a = self._neurons[edge.layer][edge.i].pos()
            b = self._neurons[edge.layer + 1][edge.j].pos()
            edge.set_ends(QPointF(a.x() + s, a.y() + s / 2), QPointF(b.x(), b.y() + s / 2))
        self._place_notes()

    # ------------------------------------------------------------------ per-snapshot styling
    def _mode_arrays(self):
        snap = self._snap
        if self._mode == "weights":
            return snap.weights, snap.biases
        if self._mode == "gradients":
            return snap.grad_weights, snap.grad_biases
        return snap.update_weights, snap.update_biases

    def _restyle(self) -> None:
        weights, biases = self._mode_arrays()
        if not self._edges:
            return
        t, m = edge_strength(np.concatenate([np.ravel(w) for w in weights]), self._mode)
        keys = pen_keys(t, m)
        old = self._edge_keys
        pens, edges, key_list = self._pens.pens, self._edges, keys.tolist()
        for k in np.flatnonzero(keys != old).tolist():
            edges[k].setPen(pens[key_list[k]])
        wbin = np.where(keys >= 0, keys % N_WIDTH_BINS, -1)
        z_list = (wbin / N_WIDTH_BINS).tolist()
        for k in np.flatnonzero(wbin != np.where(old >= 0, old % N_WIDTH_BINS, -1)).tolist():
            edges[k].setZValue(z_list[k])  # strong edges on top
        self._edge_keys = keys
        for item in self._hovered:
            if item.kind == "edge":
                self._restyle_edge(item)
        tb, _ = edge_strength(np.concatenate([np.ravel(b) for b in biases]), self._mode)
        bins = lut_index(tb, N_COLOR_BINS)
        flat = [b for layer in self._biases for b in layer]
        brushes, bin_list = self._pens.brushes, bins.tolist()
        for k in np.flatnonzero(bins != self._bias_bins).tolist():
            flat[k].setBrush(brushes[bin_list[k]])
        self._bias_bins = bins

    def _restyle_edge(self, edge: EdgeItem) -> None:
        k = self._edge_index(edge.layer, edge.i, edge.j)
        if k is not None and self._edge_keys[k] >= 0:
            edge.style(self._pens[int(self._edge_keys[k])])

    def _update_thumbnails(self) -> None:
        grids = self._snap.neuron_grids
        if grids is None:
            return
        buffers = []
        for c, grid in enumerate(grids):
            act = None if c == 0 else self._snap.activations[c - 1]
            # rows of the grid are x2 increasing; image rows go down, so flip for x2 up
            buf = (palette.class_ramps_rgba(grid[:, ::-1]) if c == len(grids) - 1 and palette.uses_class_ramps(self._snap.task, len(grid))
                   else rgba(thumbnail_values(grid[:, ::-1], act)))  # p(k): class k's own ramp
            buffers.append(buf)
            h, w = buf.shape[1], buf.shape[2]
            for u, item in enumerate(self._neurons[c]):
                item.set_image(QImage(buf[u].data, w, h, 4 * w, QImage.Format.Format_RGBA8888))
        self._buffers = buffers  # old buffers die only now that no image uses them

    def _apply_highlight(self) -> None:
        biases = [b for layer in self._biases for b in layer]
        dim = 1.0 if self._highlight is None else 0.12
        for item in self._edges + biases:
            item.setOpacity(dim)
        for (l, i, j), v in (self._highlight or {}).items():
            item = self._bias_item(l, j) if i == -1 else self._edge_item(l, i, j)
            if item is not None:
                v = float(v) if math.isfinite(v) else 0.0
                item.setOpacity(dim + (1.0 - dim) * min(1.0, max(0.0, v)))

    def _edge_item(self, l: int, i: int, j: int) -> EdgeItem | None:
        k = self._edge_index(l, i, j)
        return None if k is None else self._edges[k]

    def _bias_item(self, l: int, j: int) -> BiasItem | None:
        ok = 0 <= l < len(self._biases) and 0 <= j < len(self._biases[l])
        return self._biases[l][j] if ok else None

    def _edge_index(self, l: int, i: int, j: int) -> int | None:
        sizes = self._arch[0] if self._arch else ()
        if 0 <= l < len(sizes) - 1 and 0 <= i < sizes[l] and 0 <= j < sizes[l + 1]:
            return self._edge_offsets[l] + i * sizes[l + 1] + j
        return None

    # ------------------------------------------------------------------ hover, click, edit
    def _on_item_hovered(self, item, entered: bool) -> None:
        if self._snap is None:
            return
        if entered:
            item.setToolTip(item_tooltip(self._snap, item))
            self._hovered.append(item)
            if item.kind == "neuron":
                self.neuron_hovered.emit(item.column, item.unit)
        else:
            if item in self._hovered:
                self._hovered.remove(item)
            if item.kind == "neuron":
                self.neuron_hovered.emit(-1, -1)

    def _on_item_clicked(self, item) -> None:
        if self._snap is None or item.kind not in ("edge", "bias"):
            return
        l, i, j = (item.layer, item.i, item.j) if item.kind == "edge" else (item.layer, -1, item.unit)
        self.edge_selected.emit(l, i, j)
        # Open the editor after the mouse release has been handled, not inside it.
        self._pending_edit = (l, i, j, tuple(self._snap.sizes))
        QTimer.singleShot(0, self, self._run_pending_edit)

    def _run_pending_edit(self) -> None:
        pending, self._pending_edit = self._pending_edit, None
        if pending is None or self._snap is None or pending[3] != tuple(self._snap.sizes):
            return  # the network was rebuilt in between: the indices mean something else
        self._edit(*pending)

    def _edit(self, l: int, i: int, j: int, sizes: tuple[int, ...]) -> None:
        snap = self._snap
        if i < 0:
            current, title = snap.biases[l][j], f"Bias of {unit_name(self._snap, l + 1, j)}"
        else:
            current = snap.weights[l][i, j]
            title = f"Weight {unit_name(self._snap, l, i)} → {unit_name(self._snap, l + 1, j)}"
        value = self._ask_value(title, float(current))
        if value is None or self._snap is None or tuple(self._snap.sizes) != sizes:
            return  # cancelled, or the network was rebuilt while the dialog was open
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = math.nan
        if not math.isfinite(v) or abs(v) > MAX_EDIT:
            self._show_message(f"Not changed: {value!r} is not a finite number with |v| ≤ 1e6")
            return
        if i < 0:
            self.bias_edited.emit(l, j, v)
        else:
            self.weight_edited.emit(l, i, j, v)

    def _ask_value(self, title: str, current: float) -> float | None:
        """The value typed by the user; None when cancelled, NaN when it is not a number."""
        text, ok = QInputDialog.getText(self, title, "New value (|v| ≤ 1e6):",
                                        QLineEdit.EchoMode.Normal, f"{current:.6g}")
        if not ok:
            return None
        try:
            return float(text.strip().replace("−", "-"))
        except ValueError:
            return math.nan

    def _show_message(self, text: str) -> None:
        self._message.setText(text)
        self._message_timer.start()

    # ------------------------------------------------------------------ +/− controls
    def _hidden(self) -> tuple[int, ...]:
        return tuple(self._snap.sizes[1:-1]) if self._snap is not None else ()

    def _add_layer_pressed(self) -> None:
        hidden = self._hidden()
        if self._snap is not None and len(hidden) < self._max_layers:
            self.hidden_changed.emit(hidden + (min(NEW_LAYER_NEURONS, self._max_neurons),))

    def _remove_layer_pressed(self) -> None:
        hidden = self._hidden()
        if hidden:
            self.hidden_changed.emit(hidden[:-1])

    def _change_neurons(self, k: int, delta: int) -> None:
        hidden = list(self._hidden())
        if 0 <= k < len(hidden) and 1 <= hidden[k] + delta and (
                delta < 0 or hidden[k] + delta <= self._max_neurons):
            hidden[k] += delta
            self.hidden_changed.emit(tuple(hidden))

    def _update_controls(self) -> None:
        hidden = self._hidden()
        n = len(hidden)
        self._add_layer.setEnabled(self._snap is not None and n < self._max_layers)
        self._remove_layer.setEnabled(n > 0)
        self._layers_label.setText(f"{n} HIDDEN LAYER{'' if n == 1 else 'S'}")
        for (k, delta), b in self._neuron_buttons.items():
            if k < n:
                b.setEnabled(hidden[k] < self._max_neurons if delta > 0 else hidden[k] > 1)
