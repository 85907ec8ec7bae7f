"""The top bar's Activation box: one choice for every hidden layer.

The closed box is as narrow as the other boxes ("Tanh", "Leaky", "GELU"); its list names
each activation in full ("Leaky ReLU (α 0.2)", "GELU (tanh)"), its tooltips give the formula
beside the derivative. A leaky ReLU comes with a few slopes, and "Leaky
ReLU, other slope…" opens a small box under it to type any slope (a bad one is refused in one
line). While the hidden layers differ (chosen one by one on the graph) the box reads "Mixed";
picking an activation then sets every layer again.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QMenu, QStyledItemDelegate, QWidgetAction

from gui.graph import activation_text as words
from gui.graph.layer_activation import SlopeBox

LEAKY_PRESETS = ("leaky_relu", "leaky_relu:0.1", "leaky_relu:0.2")
OTHER_SLOPE = "other slope"  # the entry that opens the slope box
MIXED = "mixed"  # shown while the hidden layers differ
LONG_TEXT = Qt.ItemDataRole.UserRole + 1  # the list's text when it differs from the box's


class _LongText(QStyledItemDelegate):
    """Draws (and sizes) a list entry with its long text."""

    def initStyleOption(self, option, index):
        super().initStyleOption(option, index)
        long = index.data(LONG_TEXT)
        if long:
            option.text = long


def _choices() -> list[str]:
    kinds = list(words.HIDDEN_KINDS)
    i = kinds.index("leaky_relu")
    return kinds[:i] + list(LEAKY_PRESETS) + kinds[i + 1:]


class ActivationBox(QComboBox):
    chosen = Signal(str)  # an engine name, e.g. "leaky_relu:0.2"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setItemDelegate(_LongText(self))
        for name in _choices():
            self._add(name)
        # short in the box (never shown there: it opens the slope box), long in the list
        self.addItem("α…", OTHER_SLOPE)
        self.setItemData(self.count() - 1, "Leaky ReLU, other slope…", LONG_TEXT)
        self.setItemData(self.count() - 1, "Type the slope α of a leaky ReLU (0 < α < 1) for "
                         "every hidden layer", Qt.ItemDataRole.ToolTipRole)
        self.slope_menu: QMenu | None = None  # the open slope box's popup, for the tests
        self._shown = 0  # the index the settings say: "other slope…" goes back to it
        self._stepping = False
        self.currentIndexChanged.connect(self._on_index)
        self._fit_list()

    def _add(self, name: str, at: int | None = None) -> int:
        at = self.count() if at is None else at
        self.insertItem(at, words.box_text(name), name)
        self.setItemData(at, words.title(name), LONG_TEXT)
        self.setItemData(at, words.tooltip(name), Qt.ItemDataRole.ToolTipRole)
        return at

    def _fit_list(self) -> None:
        """The list as wide as its longest entry (a combo's list is only as wide as the box)."""
        metrics = self.view().fontMetrics()
        widest = max(metrics.horizontalAdvance(self.itemData(i, LONG_TEXT) or self.itemText(i))
                     for i in range(self.count()))
        self.view().setMinimumWidth(widest + 8 * metrics.averageCharWidth())

    # ----------------------------------------------------------------- the user's choice
    def keyPressEvent(self, event):
        self._stepping = True  # arrows on the closed box step over "other slope…"
        try:
            super().keyPressEvent(event)
        finally:
            self._stepping = False

    def wheelEvent(self, event):
        self._stepping = True
        try:
            super().wheelEvent(event)
        finally:
            self._stepping = False

    def _on_index(self, index: int) -> None:
        name = self.itemData(index)
        if name == OTHER_SLOPE and self._stepping:
            beyond = index + (1 if index > self._shown else -1)
            ok = 0 <= beyond < self.count() and self.model().item(beyond).isEnabled()
            self.setCurrentIndex(beyond if ok else self._shown)  # on to the next one
        elif name == OTHER_SLOPE:
            self._set_quietly(self._shown)  # the box keeps saying what the layers use
            self.open_slope_box()
        elif name not in (None, MIXED):
            self._shown = index
            self.chosen.emit(name)

    def open_slope_box(self) -> QMenu:
        """A popup under the box with the slope field (Enter applies, Esc closes)."""
        current = self.itemData(self._shown) or ""
        slope = words.slope_of(current) if current.startswith("leaky_relu") else 0.01
        menu = QMenu(self)

        def apply(name: str) -> None:
            menu.close()
            self.chosen.emit(name)

        box = SlopeBox(slope, apply)
        action = QWidgetAction(menu)
        action.setDefaultWidget(box)
        menu.addAction(action)
        menu.box = box
        self.slope_menu = menu
        menu.popup(self.mapToGlobal(self.rect().bottomLeft()))
        box.edit.setFocus()
        box.edit.selectAll()
        return menu

    # ----------------------------------------------------------------- the worker's settings
    def _set_quietly(self, index: int) -> None:
        was = self.blockSignals(True)
        self.setCurrentIndex(index)
        self.blockSignals(was)

    def show_settings(self, settings) -> None:
        """Show ``settings``' hidden activations without emitting ``chosen``."""
        was = self.blockSignals(True)
        try:
            mixed = self.findData(MIXED)
            if settings.layer_activations:
                if mixed < 0:
                    self.addItem("Mixed", MIXED)
                    mixed = self.count() - 1
                    # a state to show, not a choice: an activation picked sets every layer
                    self.model().item(mixed).setEnabled(False)
                self.setItemData(mixed, "The hidden layers differ: " + ", ".join(
                    words.compact(n) for n in settings.hidden_activations()) +
                    ". Pick one to set every layer.", Qt.ItemDataRole.ToolTipRole)
                self.setCurrentIndex(mixed)
            else:
                if mixed >= 0:
                    self.removeItem(mixed)
                for k in reversed(range(self.count())):  # a slope of its own no longer used
                    name = self.itemData(k)
                    if name.startswith("leaky_relu") and name not in LEAKY_PRESETS \
                            and name != settings.activation:
                        self.removeItem(k)
                i = self.findData(settings.activation)
                if i < 0:  # a slope of its own: listed after the presets while it is used
                    i = self._add(settings.activation, self.findData(LEAKY_PRESETS[-1]) + 1)
                    self._fit_list()
                self.setCurrentIndex(i)
            self._shown = self.currentIndex()
        finally:
            self.blockSignals(was)
