"""Selecting and editing a weight or a bias on the graph.

A click selects (the view emits ``edge_selected``; the chain-rule inspector listens) and an
outline marks the selection. Double-click, Enter (or F2) on the selection, or right-click ▸
Edit value… opens the in-place ``ValueEditor`` over the item: no dialog. A committed value is
emitted as ``weight_edited(layer, i, j, v)`` or ``bias_edited(layer, j, v)``.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from gui.graph.graph_items import SelectionMark
from gui.graph.graph_text import parameter_of
from gui.graph.value_editor import ValueEditor


class EdgeEditing:
    """The selection, its mark, the editor and the context menu of one NetworkView."""

    def __init__(self, view):
        self.view = view
        self.selected: tuple[int, int, int] | None = None  # (layer, i, j), i = -1: a bias
        self.editing: tuple | None = None  # (layer, i, j, sizes) the editor is open for
        self.mark: SelectionMark | None = None
        self.menu: QMenu | None = None
        self.editor = ValueEditor(view._view.viewport())
        self.editor.focus_back = view._view  # after Enter or Esc the graph keeps the keys
        self.editor.committed.connect(self._on_committed)
        self.editor.closed.connect(self._on_closed)

    # ------------------------------------------------------------------ selection
    def item(self, key):
        l, i, j = key
        return self.view._bias_item(l, j) if i < 0 else self.view._edge_item(l, i, j)

    def select(self, key, emit: bool = True) -> None:
        if self.item(key) is None:
            return
        self.selected = tuple(key)
        self.refresh()
        if emit:
            self.view.edge_selected.emit(*self.selected)

    def clear(self, emit: bool = False) -> None:
        """Forget the selection; ``emit``: the user did (``selection_cleared`` tells the
        inspector)."""
        was = self.selected
        self.selected = None
        self.refresh()
        if emit and was is not None:
            self.view.selection_cleared.emit()

    def scene_rebuilt(self) -> None:
        """The scene was cleared (a new architecture): the old indices mean nothing now."""
        self.mark = None
        self.selected = None
        self.editor.cancel()

    def refresh(self) -> None:
        """Follow the layout: the mark around the selection, the editor over its item."""
        item = self.item(self.selected) if self.selected is not None else None
        if self.mark is None and item is not None:
            self.mark = SelectionMark()
            self.view._scene.addItem(self.mark)
        if self.mark is not None:
            self.mark.follow(item)
        if self.editor.isVisible() and self.editing is not None:
            target = self.item(self.editing[:3])
            if target is None:
                self.editor.cancel()
            else:
                self.editor.place(self._anchor(target))

    # ------------------------------------------------------------------ editing
    def edit(self, key) -> bool:
        """Open the editor over W[i][j] of layer (i = -1: the bias b[j]); False if there is
        no such parameter."""
        snap = self.view._snap
        item = self.item(key)
        if snap is None or item is None:
            return False
        l, i, j = key
        if self.selected != tuple(key):
            self.select(key)
        value = snap.biases[l][j] if i < 0 else snap.weights[l][i, j]
        what = f"b[{j}]" if i < 0 else f"W[{i}][{j}]"
        self.editing = (l, i, j, tuple(snap.sizes))
        self.editor.open(f"{what} · {parameter_of(snap, l, i, j)}", float(value),
                         self._anchor(item))
        return True

    def _anchor(self, item) -> QPoint:
        if item.kind == "edge":
            p = item.path().pointAtPercent(0.5)
        else:
            r = item.mapRectToScene(item.rect())
            p = QPointF(r.left() - 60.0, r.center().y())  # left of the square, clear of it
        return self.view._view.mapFromScene(p)

    def _on_committed(self, value: float) -> None:
        target, self.editing = self.editing, None
        view = self.view
        if target is None or view._snap is None or tuple(view._snap.sizes) != target[3]:
            return  # the network was rebuilt while the editor was open
        l, i, j, _ = target
        if i < 0:
            view.bias_edited.emit(l, j, value)
        else:
            view.weight_edited.emit(l, i, j, value)

    def _on_closed(self) -> None:
        if not self.editor.isVisible():
            self.editing = None

    # ------------------------------------------------------------------ context menu
    def context_menu(self, pos: QPoint, global_pos: QPoint) -> QMenu:
        """Right-click: Edit value… on an edge or bias (selecting it), and the zoom commands.
        Shown with popup() (not exec), so nothing blocks."""
        view = self.view
        target = next((it for it in view._view.items(pos)
                       if getattr(it, "kind", None) in ("edge", "bias")), None)
        menu = QMenu(view)
        if target is not None:
            key = ((target.layer, target.i, target.j) if target.kind == "edge"
                   else (target.layer, -1, target.unit))
            self.select(key)
            edit = QAction("Edit value…\tEnter", menu)  # the view handles the key itself
            edit.setToolTip("Change this value in place")
            edit.triggered.connect(lambda: self.edit(key))
            menu.addAction(edit)
            menu.addSeparator()
        neuron = next((it for it in view._view.items(pos) if getattr(it, "kind", None) == "neuron"
                       and 0 < it.column < len(view._neurons) - 1), None)
        if target is None and neuron is not None:  # a hidden neuron: its layer's activation
            view._tags.add_submenu(menu, neuron.column - 1)
            menu.addSeparator()
        menu.addActions(view.zoom_actions())
        self.menu = menu
        menu.popup(global_pos)
        return menu
