"""The strip above the network graph: − / + hidden layer, the layer count, what the graph has
no room for, the "no thumbnails" note and the fit-to-view button."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

NO_THUMBNAILS = "no thumbnails: more than two inputs"
MUTED_STYLE = "color: #787d84;"


class GraphHeader(QWidget):
    def __init__(self, remove_layer, add_layer, fit, parent=None):
        super().__init__(parent)
        self.remove_layer = self._tool_button("−", "Remove the last hidden layer", remove_layer)
        self.add_layer = self._tool_button("+", "Add a hidden layer (2 neurons) at the end",
                                           add_layer)
        self.fit = self._tool_button("⤢", "Fit the graph to the view (Ctrl+0, or double-click "
                                     "empty space); Ctrl + wheel or a pinch zooms", fit)
        self.layers = QLabel("HIDDEN LAYERS")
        self.layers.setToolTip("Number of hidden layers (0 to the maximum)")
        self.hidden = QLabel()
        self.hidden.setStyleSheet(MUTED_STYLE)
        # may be cut short rather than widen the window: the full text is its tooltip
        self.hidden.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.hidden.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.note = QLabel(NO_THUMBNAILS)
        self.note.setStyleSheet(MUTED_STYLE)
        self.note.setToolTip("Neuron thumbnails show a unit's output over the (x₁, x₂) plane; "
                             "with more than two inputs there is no plane to draw.")
        self.note.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 0)
        for w in (self.remove_layer, self.add_layer, self.layers):
            row.addWidget(w)
        row.addWidget(self.hidden, 1)
        row.addWidget(self.note)
        row.addWidget(self.fit)

    def _tool_button(self, text, tip, slot) -> QToolButton:
        b = QToolButton(self)
        b.setText(text)
        b.setToolTip(tip)
        b.setAutoRaise(False)
        b.setFixedSize(24, 24)
        b.clicked.connect(slot)
        return b

    def show_hidden(self, hidden: int, total: int) -> None:
        """Say how many of the labels asked for had no room (nothing when all fit)."""
        if hidden:
            self.hidden.setText(f"{hidden} of {total} values without room · hover or zoom")
            self.hidden.setToolTip(
                f"{hidden} of the {total} numbers had no room on the graph. Hover a neuron or "
                "an edge to read its value, see the dock's table, or zoom in (Ctrl + wheel, "
                "Ctrl + =) for more room.")
        else:
            self.hidden.clear()
            self.hidden.setToolTip("")

    def show_layers(self, n: int, can_add: bool) -> None:
        self.add_layer.setEnabled(can_add)
        self.remove_layer.setEnabled(n > 0)
        self.layers.setText(f"{n} HIDDEN LAYER{'' if n == 1 else 'S'}")
