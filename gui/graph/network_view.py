"""The network graph: input features, hidden layers with +/− controls, outputs, and edges
coloured by weight, gradient or last update (TF Playground's middle panel).

Items are built once per architecture; a snapshot only restyles them (``graph_style``: cached
pens, thumbnails). The layout is computed in pixels on a canvas the size of the viewport times the zoom
(``graph_view``), so texts keep their size at every zoom; every text (titles, names, the numbers
of ``annotations``) is placed so that none covers another, a neuron or a bias square.
Selecting and editing a value in place is ``graph_edit``.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontInfo, QPainter
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSimpleTextItem, QVBoxLayout, QWidget

from model.playground import MAX_HIDDEN_LAYERS, MAX_NEURONS

from gui.graph.annotations import AnnotationLayer, Geometry, text_size
from gui.graph.graph_edit import EdgeEditing
from gui.graph.graph_header import NO_THUMBNAILS, GraphHeader  # noqa: F401 (the tests' name)
from gui.graph.graph_items import BiasItem, EdgeItem, NeuronItem, SceneButton
from gui.graph.graph_layout import compute_layout
from gui.graph.graph_style import GraphStyle
from gui.graph.graph_text import (column_count, column_title, header_note, item_tooltip,
                                  name_of, parameter_of)
from gui.graph.graph_view import GraphView
from gui.graph.layer_activation import LayerTags
from gui.graph.placement import Placer

MODES = ("weights", "gradients", "updates")
NEW_LAYER_NEURONS = 2  # as TF Playground
LABEL = QColor(60, 64, 70)
MUTED = QColor(120, 125, 132)
MIN_FONT_PX = 10  # logical px: no text on the graph is smaller


_NO_ENDS = (np.nan,) * 4  # a new edge: no path yet


def _rect(r) -> tuple[float, float, float, float]:
    return (r.left(), r.top(), r.right(), r.bottom())


class NetworkView(QWidget):
    hidden_changed = Signal(tuple)  # new hidden sizes after a +/− press
    weight_edited = Signal(int, int, int, float)  # layer, i, j, new W[i][j]
    bias_edited = Signal(int, int, float)  # layer, j, new b[j]
    neuron_hovered = Signal(int, int)  # (column, unit); (-1, -1) when the pointer leaves
    edge_selected = Signal(int, int, int)  # layer, i, j (i = -1: the bias of neuron j)
    selection_cleared = Signal()  # Esc on the graph, or a click on empty space
    annotations_changed = Signal(str)  # the owner named by the last set_annotations call
    layer_activation_chosen = Signal(int, object)  # hidden layer k, a name or None (top bar's)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = None
        self._mode = "weights"
        self._max_layers, self._max_neurons = MAX_HIDDEN_LAYERS, MAX_NEURONS
        self._arch = None
        self._style = GraphStyle()  # pens, brushes, thumbnails of a snapshot
        self._highlight: dict | None = None
        self._hovered: list = []  # items under the pointer, for tooltip refreshes
        self._notes = AnnotationLayer()  # numbers over the graph (lesson, one data point)
        self._geometry: Geometry | None = None
        self._tags = LayerTags(self)  # the per-layer activation tags under the column titles
        self._short = False
        self._clear_items()

        # A resize lays the graph out again in the next turn, not inside the window's layout
        # pass: the layout, the re-pathing of every edge and the scene's own update were one
        # uninterrupted stretch of ~0.2 s on a busy machine (issue 9.12); the resizes of a
        # drag come together into one layout.
        self._relayout_timer = QTimer(self)
        self._relayout_timer.setSingleShot(True)
        self._relayout_timer.setInterval(0)
        self._relayout_timer.timeout.connect(self._layout)

        self._scene = QGraphicsScene(self)
        # Pens change every frame; a BSP index would be rebuilt for nothing.
        self._scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self._view = GraphView(self._scene, self)
        self._editing = EdgeEditing(self)
        self._zoom_actions = self._view.make_zoom_actions(self)

        self._header = GraphHeader(self._remove_layer_pressed, self._add_layer_pressed,
                                   self.fit_to_view, self)
        h = self._header  # the names the tests and older code use
        self._remove_layer, self._add_layer, self._fit = h.remove_layer, h.add_layer, h.fit
        self._layers_label, self._note = h.layers, h.note
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(self._header)
        box.addWidget(self._view, 1)
        self._update_controls()

    # ------------------------------------------------------------------ public interface
    def set_snapshot(self, snap) -> None:
        arch = (tuple(snap.sizes), tuple(snap.input_names), tuple(snap.output_names),
                snap.neuron_grids is None)
        self._snap = snap
        if arch != self._arch:
            self._arch = arch
            self._build(snap)
        elif self._tags.update(self._short) and self._geometry is not None:
            self._tags.place(self._geometry.column_x)  # a new activation, same architecture
            self._place_labels()
        self._restyle()
        self._update_thumbnails()
        self._update_controls()
        self._refresh_tooltips()
        self._update_note(snap)

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
                self._refresh_tooltips()

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
        """Small texts over the graph: ``neurons[(column, unit)]`` by a neuron,
        ``edges[(layer, i, j)]`` on an edge (i = -1: beside the bias of neuron j), and a band
        behind ``active_column``. None (as a dict or a value) clears. Labels that find no free
        spot are hidden (earlier edges win: pass the most important first) and counted in a
        "+N more" hint; every text stays in the items' tooltips. ``owner`` names the feature
        that set them (``annotations_changed`` tells the others their labels are gone)."""
        before = (self._notes.any(), self._notes.has_neuron_labels())
        self._notes.set(neurons, edges, active_column)
        if (self._notes.any(), self._notes.has_neuron_labels()) != before:
            self._layout()  # the layout keeps room for labels only while there are some
        else:
            self._place_labels()
        self._refresh_tooltips()
        self.annotations_changed.emit(owner)

    def annotations(self) -> tuple[dict, dict, int | None]:
        """The labels asked for: (neurons, edges, active column); ``hidden_labels`` says which
        of them had no room."""
        return dict(self._notes.neurons), dict(self._notes.edges), self._notes.active

    def hidden_labels(self) -> list[tuple]:
        """Keys of the labels with no room: ("n", column, unit) or ("e", layer, i, j)."""
        return list(self._notes.hidden)

    # ------------------------------------------------------------------ zoom (graph_view)
    @property
    def zoom(self) -> float:
        return self._view.zoom

    def set_zoom(self, zoom: float, anchor: QPoint | None = None) -> None:
        """Lay the graph out on a canvas ``zoom`` × the viewport (1 = fit), keeping the neuron
        nearest viewport point ``anchor`` (default: the centre) under the same point."""
        self._view.set_zoom(zoom, anchor)

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        self._view.set_zoom(self._view.zoom * factor, anchor)

    def fit_to_view(self) -> None:
        self._view.set_zoom(1.0)

    def zoom_actions(self) -> list[QAction]:
        """Zoom in, zoom out, fit (Ctrl+=, Ctrl+−, Ctrl+0), for a View menu; their shortcuts
        work anywhere in the window."""
        return list(self._zoom_actions)

    # ------------------------------------------------------------------ selection, editing
    def selection(self) -> tuple[int, int, int] | None:
        """The selected parameter (layer, i, j), i = -1 for the bias of neuron j, or None."""
        return self._editing.selected

    def select(self, layer: int, i: int, j: int, emit: bool = True) -> None:
        """Select W[i][j] of ``layer`` (i = -1: a bias): mark it and (``emit``) say so with
        ``edge_selected``, as a click does."""
        self._editing.select((int(layer), int(i), int(j)), emit)

    def clear_selection(self) -> None:
        """Forget the selection (no signal: the caller knows)."""
        self._editing.clear()

    def edit(self, layer: int, i: int, j: int) -> bool:
        """Open the in-place editor on W[i][j] of ``layer`` (i = -1: the bias b[j])."""
        return self._editing.edit((int(layer), int(i), int(j)))

    def edit_selected(self) -> bool:
        sel = self._editing.selected
        return sel is not None and self._editing.edit(sel)

    def _context_menu(self, pos: QPoint, global_pos: QPoint):
        return self._editing.context_menu(pos, global_pos)

    # ------------------------------------------------------------------ building and layout
    def _clear_items(self) -> None:
        self._neurons: list[list[NeuronItem]] = []
        self._biases: list[list[BiasItem]] = []  # per layer l: the neurons of column l + 1
        self._edges: list[EdgeItem] = []
        self._edge_offsets: list[int] = []
        self._edge_ends: np.ndarray | None = None  # (edges, 4) where _place_edges put them
        self._titles: list[tuple[QGraphicsSimpleTextItem, QGraphicsSimpleTextItem]] = []
        self._unit_labels: list[tuple[int, int, QGraphicsSimpleTextItem]] = []
        self._neuron_buttons: dict[tuple[int, int], SceneButton] = {}
        self._hovered = []
        self._notes.forget()  # its items went with the scene's
        self._tags.tags = []  # went with the scene too

    def _fonts(self) -> dict[str, QFont]:
        """The graph's fonts, none under MIN_FONT_PX logical pixels."""
        px = QFontInfo(self.font()).pixelSize()

        def sized(scale: float, bold: bool = False) -> QFont:
            f = QFont(self.font())
            f.setPixelSize(max(MIN_FONT_PX, round(px * scale)))
            f.setBold(bold)
            return f
        return {"title": sized(1.0, True), "count": sized(0.9), "name": sized(1.0),
                "note": sized(0.85)}

    def _take_back_edges(self) -> tuple[dict, dict]:
        """Empty the scene but for the edges, and return them and where they end, by
        (layer, i, j). A new architecture keeps most edges (a neuron more or less, new
        names): ~2000 edge items made again cost tens of ms, twice that on a busy machine."""
        edges = {(e.layer, e.i, e.j): e for e in self._edges}
        ends = {} if self._edge_ends is None else dict(zip(edges, self._edge_ends))
        for item in self._scene.items():
            if item.parentItem() is None and not isinstance(item, EdgeItem):
                self._scene.removeItem(item)  # ours again: deleted with its last reference
        return edges, ends

    def _build(self, snap) -> None:
        hovered = [item for item in self._hovered if item.kind == "edge"]
        hovered_neuron = any(item.kind == "neuron" for item in self._hovered)
        self._editing.scene_rebuilt()
        old_edges, old_ends = self._take_back_edges()
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
        ends = []  # where each edge ended before (NaN: a new one), for _place_edges
        for l in range(len(sizes) - 1):
            self._edge_offsets.append(len(self._edges))
            for i in range(sizes[l]):
                for j in range(sizes[l + 1]):
                    edge = old_edges.pop((l, i, j), None)
                    if edge is None:
                        edge = EdgeItem(l, i, j, self)
                        self._scene.addItem(edge)
                    self._edges.append(edge)
                    ends.append(old_ends.get((l, i, j), _NO_ENDS))
        for edge in old_edges.values():  # the edges the network no longer has
            self._scene.removeItem(edge)
        self._edge_ends = np.array(ends, dtype=float).reshape(-1, 4)
        self._hovered = [item for item in hovered if item in self._edges]
        self._style.reset(len(self._edges), sum(sizes[1:]))
        fonts = self._fonts()
        for c, n in enumerate(sizes):
            pair = (QGraphicsSimpleTextItem(), QGraphicsSimpleTextItem())
            for t, font, color in zip(pair, (fonts["title"], fonts["count"]), (LABEL, MUTED)):
                t.setFont(font)
                t.setBrush(color)
                t.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # a click is on empty space
                self._scene.addItem(t)
            self._titles.append(pair)
        for c in (0, len(sizes) - 1):
            for u in range(sizes[c]):
                t = QGraphicsSimpleTextItem(name_of(self._snap, c, u))
                t.setFont(fonts["name"])
                t.setBrush(LABEL)
                t.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
                self._scene.addItem(t)
                self._unit_labels.append((c, u, t))
        for k in range(len(sizes) - 2):
            for delta, text, verb in ((+1, "+", "Add a neuron to"),
                                      (-1, "−", "Remove a neuron from")):
                b = SceneButton(text, f"{verb} hidden layer {k + 1}",
                                lambda k=k, d=delta: self._change_neurons(k, d))
                self._scene.addItem(b)
                self._neuron_buttons[(k, delta)] = b
        self._tags.build(self._scene, len(sizes) - 2, fonts["count"])
        self._layout()
        self._apply_highlight()

    def relayout_soon(self) -> None:
        """Lay the graph out again in the next turn (the viewport's size changed)."""
        self._relayout_timer.start()

    def _layout(self) -> None:
        """Place everything (``graph_layout``), then the texts and the selection."""
        self._relayout_timer.stop()  # laid out now: a pending one would repeat it
        vp = self._view.viewport()
        vw, vh = max(1, vp.width()), max(1, vp.height())
        if not self._neurons:
            self._scene.setSceneRect(0, 0, vw, vh)
            return
        last = len(self._neurons) - 1
        names = {c: [t.boundingRect() for cc, _, t in self._unit_labels if cc == c]
                 for c in (0, last)}
        lay = compute_layout(
            [len(col) for col in self._neurons], (vw, vh), self._view.zoom,
            tuple(max((r.width() for r in names[c]), default=0.0) for c in (0, last)),
            max((r.height() for c in names for r in names[c]), default=0.0),
            text_size(self._fonts()["note"], "0")[1], self._notes.has_neuron_labels(),
            self._notes.any())
        cw, ch = lay.canvas
        s = lay.size
        self._short = lay.short
        self._scene.setSceneRect(0, 0, cw, ch)
        column_x = []
        for c, column in enumerate(self._neurons):
            x = lay.column_x[c]
            for item, y in zip(column, lay.rows[c]):
                item.set_size(s)
                item.setPos(x, y)
            if c > 0:
                for b in self._biases[c - 1]:
                    b.set_size(s, disc=self._arch[3])
            cx = x + s / 2
            column_x.append(cx)
            title, count = self._titles[c]
            title.setText(column_title(self._snap, c, lay.short))
            count.setText(column_count(self._snap, c, lay.short))
            for t, y in ((title, 24.0), (count, 41.0)):
                t.setPos(cx - t.boundingRect().width() / 2, y)
            for delta, off in ((+1, -19.0), (-1, 2.0)):
                b = self._neuron_buttons.get((c - 1, delta))
                if b is not None:
                    b.setPos(cx + off, 3.0)
        self._tags.update(lay.short)
        self._tags.place(column_x)
        for c, u, t in self._unit_labels:
            item = self._neurons[c][u]
            r = t.boundingRect()
            y = item.y() + s / 2 - r.height() / 2
            t.setPos(item.x() - 6 - r.width() if c == 0 else item.x() + s + 6, y)
        self._place_edges(s)
        squares = [np.array([(n.x(), n.y(), n.x() + s, n.y() + s) for n in col])
                   for col in self._neurons]
        biases = [np.array([_rect(b.mapRectToScene(b.rect())) for b in layer])
                  for layer in self._biases]
        self._geometry = Geometry(squares, biases, column_x, (0.0, 0.0, cw, ch),
                                  ch - lay.bottom)
        self._place_labels()
        self._editing.refresh()
        self._fit.setEnabled(self._view.zoom > 1.0 or self._view.pannable())

    def _place_edges(self, s: float) -> None:
        """Each edge from its neurons' right side to the next ones' left side. Only edges whose
        ends moved get a new path: a relayout that moved nothing (a notice, labels shown
        again) kept ~2000 edges' paths and their cached pick shapes instead of rebuilding
        them all on the GUI thread."""
        pos = [np.array([(n.x(), n.y()) for n in col], dtype=float) for col in self._neurons]
        parts = []
        for l in range(len(pos) - 1):
            a = np.repeat(pos[l] + (s, s / 2), len(pos[l + 1]), axis=0)  # i-major, as built
            b = np.tile(pos[l + 1] + (0.0, s / 2), (len(pos[l]), 1))
            parts.append(np.concatenate([a, b], axis=1))
        ends = np.concatenate(parts) if parts else np.empty((0, 4))
        old = self._edge_ends
        if old is None or old.shape != ends.shape:
            moved = range(len(ends))
        else:
            moved = np.flatnonzero((ends != old).any(axis=1)).tolist()
        for k in moved:
            ax, ay, bx, by = ends[k].tolist()
            self._edges[k].set_ends(QPointF(ax, ay), QPointF(bx, by))
        self._edge_ends = ends

    def _describe(self, key) -> str:
        """What a label (("n", column, unit) or ("e", layer, i, j)) is on, by name."""
        if key[0] == "n":
            return name_of(self._snap, *key[1:])
        return parameter_of(self._snap, *key[1:])

    def _place_labels(self) -> None:
        """Every text on the graph without overlaps: titles, counts and names where the
        layout put them (one that would cover something is hidden; its words are in the
        tooltips), then the annotations where they find room."""
        geo = self._geometry
        if geo is None or not self._neurons:
            return
        placer = Placer(geo.bounds)
        for col in geo.neurons:
            placer.add_many(col)
        for layer in geo.biases:
            placer.add_many(layer)
        for b in self._neuron_buttons.values():
            placer.add(_rect(b.sceneBoundingRect()))
        texts = [t for pair in self._titles for t in pair] + list(self._tags.tags) + \
            [t for _, _, t in self._unit_labels]
        for t in texts:
            t.setVisible(placer.place([_rect(t.sceneBoundingRect())]) is not None)
        self._notes.place(self._scene, placer, geo, self._fonts()["note"], self._describe)
        self._header.show_hidden(len(self._notes.hidden),
                                 len(self._notes.neurons) + len(self._notes.edges))

    # ------------------------------------------------------------------ per-snapshot styling
    def _mode_arrays(self):
        snap = self._snap
        if self._mode == "weights":
            return snap.weights, snap.biases
        if self._mode == "gradients":
            return snap.grad_weights, snap.grad_biases
        return snap.update_weights, snap.update_biases

    def _restyle(self) -> None:
        if self._edges:
            self._style.restyle(self, *self._mode_arrays(), self._mode)

    def _restyle_edge(self, edge: EdgeItem) -> None:
        self._style.restyle_edge(self, edge)

    def _update_thumbnails(self) -> None:
        self._style.thumbnails(self, self._snap)

    def _update_note(self, snap) -> None:
        """The header's note: scaled inputs, the plane the thumbnails show (or none)."""
        text, tip = header_note(snap)
        if text != self._note.text():
            self._note.setText(text)
            self._note.setToolTip(tip)
        if self._note.isVisible() != bool(text):
            self._note.setVisible(bool(text))

    def _apply_highlight(self) -> None:
        self._style.highlight(self, self._highlight)

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
    def _tooltip(self, item) -> str:
        if item.kind == "edge":
            note = self._notes.note_for("edge", (item.layer, item.i, item.j))
        elif item.kind == "bias":
            note = self._notes.note_for("edge", (item.layer, -1, item.unit))
        else:
            note = self._notes.note_for("neuron", (item.column, item.unit))
        return item_tooltip(self._snap, item, note)

    def _refresh_tooltips(self) -> None:
        if self._snap is not None:
            for item in self._hovered:
                item.setToolTip(self._tooltip(item))

    def _on_item_hovered(self, item, entered: bool) -> None:
        if self._snap is None:
            return
        if entered:
            item.setToolTip(self._tooltip(item))
            self._hovered.append(item)
            if item.kind == "neuron":
                self.neuron_hovered.emit(item.column, item.unit)
        else:
            if item in self._hovered:
                self._hovered.remove(item)
            if item.kind == "neuron":
                self.neuron_hovered.emit(-1, -1)

    @staticmethod
    def _key(item) -> tuple[int, int, int] | None:
        if item.kind == "edge":
            return item.layer, item.i, item.j
        if item.kind == "bias":
            return item.layer, -1, item.unit
        return None

    def _on_item_clicked(self, item) -> None:
        """A click selects (the inspector shows its chain rule); it never edits."""
        key = self._key(item)
        if self._snap is not None and key is not None:
            self._editing.select(key)

    def _on_item_double_clicked(self, item) -> None:
        key = self._key(item)
        if self._snap is not None and key is not None:
            # The editor opens under the pointer and takes the button's release, so the item
            # would stay the scene's mouse grabber and swallow the next clicks meant for
            # other items: let go of it now.
            grabber = self._scene.mouseGrabberItem()
            if grabber is not None:
                grabber.ungrabMouse()
            self._editing.edit(key)

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
        self._header.show_layers(n, self._snap is not None and n < self._max_layers)
        for (k, delta), b in self._neuron_buttons.items():
            if k < n:
                b.setEnabled(hidden[k] < self._max_neurons if delta > 0 else hidden[k] > 1)
