"""The controls of the plane drawn for data with more than two inputs (widgets only).

``PlaneBar`` sits above the output plane: the two inputs on the axes, the principal-component
toggle, a button that opens the held values, and one line saying which slice is shown.
``HeldPanel`` is the "Slice" dock's contents: one slider (and a number box) per held input,
over the data's range of that input, with its mean, and "Reset to means".

Both only show and report: ``gui/views/slice_controls.py`` keeps the chosen ``PlaneSpec`` and
sends it to the worker. Words for a plane come from ``caption``.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QGridLayout, QHBoxLayout,
                               QLabel, QPushButton, QScrollArea, QSizePolicy, QSlider,
                               QToolButton, QVBoxLayout, QWidget)

from gui import theme
from gui.graph.graph_text import short_number

SLIDER_STEPS = 1000  # a slider runs over the input's range in this many steps
COMBO_CHARS = 6  # an axis combo is this many characters wide, whatever the names
NAME_WIDTH = 130  # px: a held input's name (elided; the full name is its tooltip)
TWO_COLUMNS_PX = 420  # px per column of held inputs before the dock shows two
LISTED = 3  # held values named in the caption; the others are counted


def _value(v: float) -> str:
    return short_number(v)


def caption(names, spec, explained=None) -> str:
    """One line for the plane ``spec`` over inputs ``names``: "Slice through petal width =
    1.2, sepal width = mean", or the principal components (and their share of the variance,
    when ``explained`` is known)."""
    if spec.kind == "pca":
        share = "" if explained is None else \
            f" ({100 * float(np.sum(explained)):.0f} % of the variance)"
        return (f"Principal components 1 and 2{share}; the boundary is that of the slice "
                f"through the mean")
    held = [k for k in range(len(names)) if k not in spec.axes]
    chosen = [k for k in held if spec.held_value(k) is not None]
    at_mean = [k for k in held if spec.held_value(k) is None]
    parts = [f"{names[k]} = {_value(spec.held_value(k))}" for k in chosen[:LISTED]]
    if len(chosen) > LISTED:
        parts.append(f"{len(chosen) - LISTED} more set")
    if len(at_mean) <= LISTED and len(chosen) + len(at_mean) <= LISTED + 1:
        parts += [f"{names[k]} = mean" for k in at_mean]
    elif at_mean:
        parts.append(f"the means of the other {len(at_mean)}")
    return "Slice through " + ", ".join(parts)


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" instead of widening its panel; the
    full text is in the tooltip."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(40)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        if text != self._full:
            self._full = text
            self.setToolTip(text)
            self.update()

    def full_text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.fontMetrics().height() + 2)

    def minimumSizeHint(self) -> QSize:
        return QSize(40, self.fontMetrics().height() + 2)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight,
                                              self.width())
        painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignLeft
                                          | Qt.AlignmentFlag.AlignVCenter), shown)


def _axis_combo(tip: str) -> QComboBox:
    combo = QComboBox()
    combo.setToolTip(tip)
    # long column names must not widen the output panel (and with it the window)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(COMBO_CHARS)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return combo


class PlaneBar(QWidget):
    """x / y input pickers, the PCA toggle, the held values' button and the slice's caption."""

    axes_changed = Signal(int, int)  # the inputs on x and y (picked by the user)
    pca_toggled = Signal(bool)
    held_requested = Signal()  # "Held…": show the held values

    def __init__(self, parent=None):
        super().__init__(parent)
        self.x_axis = _axis_combo("The input along the plane's x axis")
        self.y_axis = _axis_combo("The input along the plane's y axis")
        self.pca = QCheckBox("PCA")
        self.pca.setToolTip("Project the points onto their first two principal components "
                            "(each input divided by its standard deviation) and draw the "
                            "output on the plane through the mean that they span")
        self.held = QToolButton()
        self.held.setText("Held values…")
        self.held.setAutoRaise(True)
        self.held.setToolTip("The values the other inputs are held at: one slider each "
                             "(the Slice view)")
        self.caption = ElidedLabel()
        self.caption.setStyleSheet(theme.caption_style())
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for text, combo in (("x", self.x_axis), ("y", self.y_axis)):
            label = QLabel(text)
            label.setBuddy(combo)
            row.addWidget(label)
            row.addWidget(combo, 1)
        row.addWidget(self.pca)
        below = QHBoxLayout()
        below.setContentsMargins(0, 0, 0, 0)
        below.setSpacing(4)
        below.addWidget(self.caption, 1)
        below.addWidget(self.held)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addLayout(row)
        box.addLayout(below)
        self._names: tuple[str, ...] = ()
        self._axes = (0, 1)  # shown now
        self.x_axis.activated.connect(lambda i: self._on_picked(0, i))
        self.y_axis.activated.connect(lambda i: self._on_picked(1, i))
        self.pca.toggled.connect(self.pca_toggled)
        self.held.clicked.connect(lambda _checked=False: self.held_requested.emit())

    def set_names(self, names) -> None:
        """The inputs to pick from (a new data set)."""
        names = tuple(names)
        if names == self._names:
            return
        self._names = names
        for combo in (self.x_axis, self.y_axis):
            was = combo.blockSignals(True)
            combo.clear()
            for k, name in enumerate(names):
                combo.addItem(name, k)
                combo.setItemData(k, name, Qt.ItemDataRole.ToolTipRole)
            combo.blockSignals(was)

    def show_spec(self, spec, text: str) -> None:
        """Show ``spec`` (without reporting it) and the caption ``text``."""
        self._axes = tuple(spec.axes)
        for combo, k, other in ((self.x_axis, *spec.axes), (self.y_axis, *spec.axes[::-1])):
            if combo.currentIndex() != k:
                was = combo.blockSignals(True)
                combo.setCurrentIndex(k)
                combo.blockSignals(was)
            # the other axis' input is greyed out: stepping through the list with the arrow
            # keys skips it instead of swapping the axes at every step
            model = combo.model()
            for j in range(combo.count()):
                model.item(j).setEnabled(j != other)
            combo.setEnabled(spec.kind == "slice")
        if self.pca.isChecked() != (spec.kind == "pca"):
            was = self.pca.blockSignals(True)
            self.pca.setChecked(spec.kind == "pca")
            self.pca.blockSignals(was)
        self.caption.set_full_text(text)

    def _on_picked(self, which: int, index: int) -> None:
        axes = list(self._axes)
        if index == axes[1 - which]:  # the other axis' input: the two axes swap
            axes[1 - which] = axes[which]
        axes[which] = index
        self.axes_changed.emit(*axes)


class _HeldRow:
    """One held input: its name, a slider over its range and a number box."""

    def __init__(self, k: int, name: str, panel: "HeldPanel"):
        self.k = k
        self.lo, self.hi, self.mean = 0.0, 1.0, 0.0
        self.name = ElidedLabel(name)
        self.name.setFixedWidth(NAME_WIDTH)
        self.name.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setMinimumWidth(80)
        self.box = QDoubleSpinBox()
        self.box.setKeyboardTracking(False)  # a value once typed, not at every digit
        self.box.setDecimals(4)
        self.box.setMinimumWidth(90)
        self.range = QLabel()
        self.range.setStyleSheet(theme.caption_style())
        self.slider.valueChanged.connect(lambda v: panel._on_slider(self.k, v))
        self.box.valueChanged.connect(lambda v: panel._on_box(self.k, v))

    def widgets(self):
        return (self.name, self.slider, self.box, self.range)

    def set_range(self, lo: float, hi: float, mean: float) -> None:
        self.lo, self.hi, self.mean = float(lo), float(hi), float(mean)
        constant = not float(hi) > float(lo)
        self.slider.setEnabled(not constant)
        digits = max(0, 3 - int(math.floor(math.log10(max(abs(hi - lo), 1e-12)))))
        was = self.box.blockSignals(True)
        self.box.setDecimals(min(digits, 6))
        self.box.setRange(lo, hi)
        self.box.setSingleStep((hi - lo) / 100 if not constant else 1.0)
        self.box.blockSignals(was)
        self.range.setText(f"{_value(lo)} … {_value(hi)}")
        tip = (f"{self.name.full_text()}: held at this value on the slice; the data ranges "
               f"over {_value(lo)} … {_value(hi)}, its training mean is {_value(mean)}")
        for w in self.widgets():
            w.setToolTip(tip)
        self.name.setToolTip(tip)

    def to_position(self, value: float) -> int:
        if not self.hi > self.lo:
            return 0
        return round((value - self.lo) / (self.hi - self.lo) * SLIDER_STEPS)

    def to_value(self, position: int) -> float:
        return self.lo + (self.hi - self.lo) * position / SLIDER_STEPS

    def show(self, value: float, is_mean: bool) -> None:
        for w, v in ((self.slider, self.to_position(value)), (self.box, value)):
            was = w.blockSignals(True)
            w.setValue(v)
            w.blockSignals(was)
        self.box.setSuffix(" (mean)" if is_mean else "")


class HeldPanel(QWidget):
    """The held inputs: one row each (see ``_HeldRow``), two columns in a wide dock."""

    held_changed = Signal(int, float)  # input k held at a value (by the user)
    reset_requested = Signal()
    layout_changed = Signal()  # the rows were rearranged for the width: show the values again

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.reset = QPushButton("Reset to means")
        self.reset.setToolTip("Hold every input at its mean over the training rows again")
        self.reset.clicked.connect(lambda _checked=False: self.reset_requested.emit())
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.reset)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(2)
        scroll = QScrollArea()
        scroll.setWidget(self.grid_host)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 2, 4, 4)
        box.addLayout(top)
        box.addWidget(scroll, 1)
        self.rows: dict[int, _HeldRow] = {}
        self._columns = 0
        self._names: tuple[str, ...] = ()
        self._axes: tuple[int, int] | None = None
        self.show_message("Slices are for data with more than two inputs: with two, the output "
                          "view shows the whole (x₁, x₂) plane.")

    def sizeHint(self) -> QSize:
        return QSize(700, 200)

    def show_message(self, text: str) -> None:
        self.title.setText(text)
        self.reset.setEnabled(False)
        self._set_rows((), None)

    def show_plane(self, plane, spec) -> None:
        """Rows for the inputs ``spec`` holds, showing its values (a mean where it says None)."""
        names = plane.input_names
        axes = spec.axes
        self._set_rows(names, axes)
        pca = spec.kind == "pca"
        held = [k for k in range(len(names)) if k not in axes]
        if pca:
            self.title.setText("The PCA plane goes through the mean of every input; these "
                               "values apply when you go back to a slice.")
        else:
            self.title.setText(f"The slice through {names[axes[0]]} (x) and {names[axes[1]]} "
                               f"(y) holds the other {len(held)} inputs at these values:")
        self.reset.setEnabled(not pca and any(spec.held_value(k) is not None for k in held))
        for k in held:
            row = self.rows[k]
            row.set_range(plane.lo[k], plane.hi[k], plane.means[k])
            value = spec.held_value(k)
            row.show(plane.means[k] if value is None else value, value is None)
            for w in row.widgets():
                w.setEnabled(bool(not pca and (w is not row.slider or plane.hi[k] > plane.lo[k])))

    def _set_rows(self, names, axes) -> None:
        columns = self._wanted_columns()
        if (tuple(names), axes, columns) == (self._names, self._axes, self._columns):
            return
        self._names, self._axes, self._columns = tuple(names), axes, columns
        for row in self.rows.values():
            for w in row.widgets():
                self.grid.removeWidget(w)
                w.hide()  # gone now, not only once the event loop deletes it
                w.deleteLater()
        self.rows = {}
        for r in range(self.grid.rowCount()):
            self.grid.setRowStretch(r, 0)
        held = [k for k in range(len(names)) if axes is None or k not in axes]
        for n, k in enumerate(held):
            row = _HeldRow(k, names[k], self)
            self.rows[k] = row
            r, c = divmod(n, columns)
            for col, w in enumerate(row.widgets()):
                self.grid.addWidget(w, r, c * 4 + col)
        for c in range(2):
            self.grid.setColumnStretch(c * 4 + 1, 1 if c < columns else 0)
        self.grid.setRowStretch((len(held) + columns - 1) // columns, 1)  # rows at the top

    def _wanted_columns(self) -> int:
        return 2 if self.width() >= 2 * TWO_COLUMNS_PX else 1

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._wanted_columns() != self._columns and self._names:
            self.layout_changed.emit()  # the controller shows the plane again

    def _on_slider(self, k: int, position: int) -> None:
        row = self.rows[k]
        value = row.to_value(position)
        was = row.box.blockSignals(True)
        row.box.setValue(value)
        row.box.blockSignals(was)
        row.box.setSuffix("")
        self.held_changed.emit(k, value)

    def _on_box(self, k: int, value: float) -> None:
        row = self.rows[k]
        was = row.slider.blockSignals(True)
        row.slider.setValue(row.to_position(value))
        row.slider.blockSignals(was)
        row.box.setSuffix("")
        self.held_changed.emit(k, float(value))
