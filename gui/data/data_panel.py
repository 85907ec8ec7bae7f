"""The data panel: dataset picker with previews, data parameters and input feature toggles.

Reports through ``changed(name, value)`` with ``Settings`` field names (dataset, n_classes,
noise, train_ratio, batch_size, n_points, scale, features, formula) and "regenerate" for a new
draw of the points. ``sync`` shows the worker's settings without emitting.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QGridLayout, QHBoxLayout, QLabel,
                               QPushButton, QSizePolicy, QSlider, QSpinBox, QToolButton,
                               QVBoxLayout, QWidget)

from model.data.datasets import DATASETS, MAX_CLASSES, MIN_CLASSES, generate
from model.data.features import FEATURES, feature_label
from model.numbers import count_of

from gui import theme
from gui.data.formula_box import FormulaBox
from gui.plots import palette

ICON_SIZE = 52
FEATURE_TIPS = {"x1": "the first coordinate", "x2": "the second coordinate",
                "x1^2": "x₁ squared", "x2^2": "x₂ squared", "x1x2": "the product x₁·x₂",
                "sin_x1": "sine of x₁", "sin_x2": "sine of x₂"}


@lru_cache(maxsize=64)
def dataset_icon(name: str, formula: str | None = None) -> QIcon:
    """A small preview of data set ``name`` (its points, coloured by class or value);
    ``formula``: the curve of "curve_formula"."""
    # regression targets are a field, not classes: more points make it readable
    n = 1500 if DATASETS[name].task == "regression" else 300
    X, y = generate(name, n_points=n, noise=0.0, seed=1, formula=formula)
    img = np.ascontiguousarray(palette.scatter_image(X, y, DATASETS[name].task, ICON_SIZE))
    qimg = QImage(img.data, ICON_SIZE, ICON_SIZE, 4 * ICON_SIZE, QImage.Format.Format_RGBA8888)
    return QIcon(QPixmap.fromImage(qimg.copy()))  # copy: the numpy buffer goes away


def _fit(title: str, button: QToolButton, width: int = 60) -> str:
    """The title on two lines if it is too wide for a dataset button."""
    small = button.font()
    small.setPointSizeF(7)
    if " " in title and QFontMetrics(small).horizontalAdvance(title) > width:
        return title.replace(" ", "\n", 1)
    return title


def points_text(n: int) -> str:
    """ "1 point", "2 points"."""
    return count_of(n, "point")  # thin spaces, as every count (model.numbers)


#: the input scaling choices (``Settings.scale``) and their names in the combo box
SCALE_CHOICES = (("auto", "auto"), ("standard", "standard"), ("minmax", "min-max"),
                 ("none", "none"))
SCALE_TIP = ("How the inputs are scaled before the first layer: standard = z-scores (mean 0, "
             "standard deviation 1), min-max = the training range onto [−1, 1], none = the raw "
             "values.\nThe statistics come from the training rows only (the test rows stay "
             "unseen) and are part of the network: saved with its weights and built into the "
             "exports.\nauto: standard for data from a file, none for the generated sets and "
             "drawn points. Changing it starts a new run.")


def _heading(text: str) -> QLabel:
    label = QLabel(f"<b>{text}</b>")
    label.setStyleSheet("margin-top: 6px;")
    return label


class _LabelledSlider(QWidget):
    """A caption with the current value, above a slider that reports on release."""

    def __init__(self, caption: str, lo: int, hi: int, step: int, fmt, tooltip: str):
        super().__init__()
        self._caption, self._fmt = caption, fmt
        self.label = QLabel()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(lo, hi)
        self.slider.setSingleStep(step)
        self.slider.setPageStep(step)
        self.slider.setTracking(False)  # valueChanged once on release: one rebuild, not fifty
        self.slider.sliderMoved.connect(self._show)
        self.slider.valueChanged.connect(self._show)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.label)
        layout.addWidget(self.slider)
        for w in (self, self.label, self.slider):
            w.setToolTip(tooltip)

    def _show(self, value: int) -> None:
        self.label.setText(f"{self._caption}: <b>{self._fmt(value)}</b>")

    def set_value(self, value: int) -> None:
        was = self.slider.blockSignals(True)
        self.slider.setValue(value)
        self.slider.blockSignals(was)
        self._show(self.slider.value())


class DataPanel(QWidget):
    changed = Signal(str, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._syncing = False
        self._task = "classification"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 6)
        layout.setSpacing(4)

        layout.addWidget(_heading("Data"))
        self.dataset_buttons: dict[str, QToolButton] = {}
        self._datasets = QButtonGroup(self)
        self._datasets.setExclusive(True)
        grid = QGridLayout()
        grid.setSpacing(3)
        for name, spec in DATASETS.items():
            b = QToolButton()
            b.setCheckable(True)
            b.setIcon(dataset_icon(name))
            b.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
            b.setText(_fit(spec.title, b))
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            b.setToolTip(f"{spec.title}: " + (
                f"{spec.n_classes} classes (choose how many below)" if spec.multiclass
                else "regression: predict a number" if spec.task == "regression"
                else "two classes"))
            b.setFixedWidth(66)
            b.setStyleSheet("QToolButton { font-size: 7pt; padding: 1px; }"
                            + theme.selected_button_style(2))
            b.clicked.connect(lambda _c=False, n=name: self._emit("dataset", n))
            self._datasets.addButton(b)
            self.dataset_buttons[name] = b
        # one height for every data set button, whether its title takes one line or two
        height = max(b.sizeHint().height() for b in self.dataset_buttons.values())
        for b in self.dataset_buttons.values():
            b.setFixedHeight(height)
        self._grid = grid
        layout.addLayout(grid)
        # shown instead of a checked preview while training on your own (drawn or CSV) points
        self.custom_label = QLabel()
        self.custom_label.setToolTip("You are training on your own points; pick a dataset "
                                     "above to go back to a generated one")
        self.custom_label.setStyleSheet(f"color: {theme.accent()};")
        self.custom_label.hide()
        layout.addWidget(self.custom_label)
        # y = f(x) of "Above/below your formula", shown while that data set is chosen
        self.formula_box = FormulaBox()
        self.formula_box.submitted.connect(lambda text: self._emit("formula", text))
        self.formula_box.hide()
        layout.addWidget(self.formula_box)

        self.classes = QSpinBox()
        self.classes.setRange(MIN_CLASSES, MAX_CLASSES)
        self.classes.setPrefix("Classes: ")
        self.classes.setToolTip("Number of classes of the multi-class data sets")
        self.classes.valueChanged.connect(lambda v: self._emit("n_classes", v))
        layout.addWidget(self.classes)

        self.ratio = _LabelledSlider("Training data", 10, 90, 10, lambda v: f"{v}%",
                                     "Share of the points used for training; the rest are "
                                     "test points")
        self.noise = _LabelledSlider("Noise", 0, 50, 5, lambda v: f"{v}%",
                                     "How much the points are scattered (rebuilds the data)")
        self.batch = _LabelledSlider("Batch size", 1, 30, 1, str,
                                     "Points per gradient step (changing it keeps the weights)")
        self.ratio.slider.valueChanged.connect(lambda v: self._emit("train_ratio", v / 100))
        self.noise.slider.valueChanged.connect(lambda v: self._emit("noise", v / 100))
        self.batch.slider.valueChanged.connect(lambda v: self._emit("batch_size", v))
        for w in (self.ratio, self.noise, self.batch):
            layout.addWidget(w)

        self.points = QSpinBox()
        self.points.setRange(20, 5000)
        self.points.setSingleStep(50)
        self.points.setPrefix("Points: ")
        self.points.setKeyboardTracking(False)
        self.points.setToolTip("Number of points drawn (training and test together)")
        self.points.valueChanged.connect(lambda v: self._emit("n_points", v))
        layout.addWidget(self.points)

        self.regenerate = QPushButton("Regenerate")
        self.regenerate.setToolTip("Draw new points from the same data set (new data seed)")
        self.regenerate.clicked.connect(lambda _c=False: self._emit("regenerate", True))
        layout.addWidget(self.regenerate)

        # always shown: real measurements need it, and the generated sets must be able to
        # show that they do without (TF Playground's raw inputs)
        self.scale = QComboBox()
        for choice, text in SCALE_CHOICES:
            self.scale.addItem(text, choice)
        self.scale.setToolTip(SCALE_TIP)
        self.scale.currentIndexChanged.connect(
            lambda _i: self._emit("scale", self.scale.currentData()))
        scale_label = QLabel("Input scaling")
        scale_label.setToolTip(SCALE_TIP)
        scale_label.setBuddy(self.scale)
        row = QHBoxLayout()
        row.addWidget(scale_label)
        row.addWidget(self.scale, 1)
        layout.addLayout(row)

        layout.addWidget(_heading("Features"))
        hint = QLabel("Which properties of a point the network sees as inputs")
        hint.setWordWrap(True)
        hint.setStyleSheet(theme.caption_style())
        layout.addWidget(hint)
        self.feature_buttons: dict[str, QToolButton] = {}
        fgrid = QGridLayout()
        fgrid.setSpacing(3)
        for k, fid in enumerate(FEATURES):
            b = QToolButton()
            b.setCheckable(True)
            b.setText(feature_label(fid))
            b.setToolTip(f"Feed {FEATURE_TIPS.get(fid, fid)} to the network")
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            b.setStyleSheet(theme.selected_button_style(1))
            b.toggled.connect(self._on_feature_toggled)
            fgrid.addWidget(b, k // 2, k % 2)
            self.feature_buttons[fid] = b
        layout.addLayout(fgrid)
        layout.addStretch(1)
        self._layout_datasets()

    # ----------------------------------------------------------------- outputs
    def _emit(self, name: str, value) -> None:
        if not self._syncing:
            self.changed.emit(name, value)

    def _on_feature_toggled(self, _checked: bool) -> None:
        chosen = self.features()
        if not chosen:  # a network needs an input: keep the last one on
            sender = self.sender()
            was = sender.blockSignals(True)
            sender.setChecked(True)
            sender.blockSignals(was)
            return
        self._emit("features", chosen)

    def show_data(self, snap) -> None:
        """What the settings alone do not say about the current data: what "auto" scaling
        stands for ("auto (standard)"), and for your own data its real share of training
        rows (a file comes split 80/20 by class, whatever the slider said before)."""
        method = snap.extras.get("auto_scaling", "none")
        text = f"auto ({dict(SCALE_CHOICES).get(method, method)})"
        if self.scale.itemText(0) != text:
            self.scale.setItemText(0, text)
        n = len(snap.X_train) + len(snap.X_test)
        if snap.extras.get("custom") and n:
            self.ratio.set_value(round(100 * len(snap.X_train) / n))
        # feature transforms are of two inputs (x₁, x₂); wider data goes in column by column
        two = snap.X_train.ndim == 2 and snap.X_train.shape[1] == 2
        for fid, b in self.feature_buttons.items():
            if b.isEnabled() != two:
                b.setEnabled(two)
                b.setToolTip(f"Feed {FEATURE_TIPS.get(fid, fid)} to the network" if two else
                             "Feature transforms apply to data with two inputs; this data's "
                             "columns go in as they are")

    def features(self) -> tuple[str, ...]:
        return tuple(fid for fid, b in self.feature_buttons.items() if b.isChecked())

    # ----------------------------------------------------------------- inputs
    def _layout_datasets(self) -> None:
        """Show only the data sets of the current problem type, packed in a grid."""
        for b in self.dataset_buttons.values():
            self._grid.removeWidget(b)
            b.hide()
        shown = [n for n, s in DATASETS.items() if s.task == self._task]
        for k, name in enumerate(shown):
            self._grid.addWidget(self.dataset_buttons[name], k // 3, k % 3)
            self.dataset_buttons[name].show()

    def sync(self, settings, custom_points: int | None = None) -> None:
        """Show these settings (the worker's) without emitting ``changed``; with
        ``custom_points`` the data is your own and no generated dataset is checked."""
        self._syncing = True
        try:
            spec = DATASETS.get(settings.dataset)
            if spec is not None and spec.task != self._task:
                self._task = spec.task
                self._layout_datasets()
            if custom_points is not None:
                self._datasets.setExclusive(False)  # an exclusive group keeps one checked
                for b in self.dataset_buttons.values():
                    b.setChecked(False)
                self._datasets.setExclusive(True)
                self.custom_label.setText(f"Your data: {points_text(custom_points)}")
            elif spec is not None:
                self.dataset_buttons[settings.dataset].setChecked(True)
            custom = custom_points is not None
            self.custom_label.setVisible(custom)
            # only what applies: classes for the multi-class generators; point count, noise
            # and a new draw only for generated data (your own points are what they are)
            self.classes.setVisible(bool(spec and spec.multiclass) and not custom)
            for w in (self.points, self.noise, self.regenerate):
                w.setVisible(not custom)
            self.formula_box.setVisible(settings.dataset == "curve_formula" and not custom)
            self.formula_box.set_formula(settings.formula)
            if "curve_formula" in self.dataset_buttons:  # its preview shows your curve
                self.dataset_buttons["curve_formula"].setIcon(
                    dataset_icon("curve_formula", settings.formula))
            self.classes.setValue(settings.n_classes)
            self.ratio.set_value(round(settings.train_ratio * 100))
            self.noise.set_value(round(settings.noise * 100))
            self.batch.set_value(settings.batch_size)
            self.points.setValue(settings.n_points)
            self.scale.setCurrentIndex(max(0, self.scale.findData(settings.scale)))
            for fid, b in self.feature_buttons.items():
                b.blockSignals(True)
                b.setChecked(fid in settings.features)
                b.blockSignals(False)
        finally:
            self._syncing = False
