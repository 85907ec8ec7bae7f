"""The top bar: run buttons, the epoch counter, and the training hyperparameters.

Every setting widget reports through one signal, ``changed(name, value)``, with the name of
the ``Settings`` field it edits (plus "task" for the problem type, "speed" for the speed
slider). ``sync`` sets the widgets from the worker's actual settings without emitting.
"""
from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDoubleValidator, QFont
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QSizePolicy, QSlider,
                               QToolButton, QVBoxLayout, QWidget)

from gui import theme
from gui.shell.activation_box import ActivationBox
from gui.shell.flow_layout import FlowLayout
from gui.shell.worker import FLAT_OUT, SPEEDS
from model.core.losses import losses_for
from model.numbers import format_count

LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
OPTIMIZERS = (("sgd", "SGD"), ("momentum", "Momentum"), ("adam", "Adam"))
REGULARIZATIONS = (("none", "None"), ("l1", "L1"), ("l2", "L2"))
TASKS = (("classification", "Classification"), ("regression", "Regression"))
LOSS_TITLES = {"bce": "Cross-entropy", "cce": "Cross-entropy", "mse": "Squared error"}


def _caption(text: str, widget: QWidget, tooltip: str) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(1)
    label = QLabel(text)
    label.setStyleSheet(theme.caption_style())
    layout.addWidget(label)
    layout.addWidget(widget)
    widget.setToolTip(tooltip)
    label.setToolTip(tooltip)
    return box


def _group(*widgets: QWidget) -> QWidget:
    """Widgets side by side that stay on one row of the top bar."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(7)
    for w in widgets:
        row.addWidget(w, 0, Qt.AlignmentFlag.AlignBottom)
    return box


def _combo(items) -> QComboBox:
    combo = QComboBox()
    for data, text in items:
        combo.addItem(text, data)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


class ControlBar(QWidget):
    changed = Signal(str, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._syncing = False
        self._lr = 0.03

        self.reset_button = QToolButton()
        self.play_button = QToolButton()
        self.step_button = QToolButton()
        self.step_epoch_button = QToolButton()
        self.new_seed_button = QToolButton()
        for b in (self.reset_button, self.play_button, self.step_button,
                  self.step_epoch_button, self.new_seed_button):
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            b.setAutoRaise(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space must reach the play shortcut
        self.play_button.setMinimumWidth(56)

        self.epoch_label = QLabel()
        font = QFont()
        font.setPointSize(16)
        self.epoch_label.setFont(font)
        # A fixed size: a label whose size hint may change makes every new text relayout
        # (and repaint) the whole window.
        metrics = self.epoch_label.fontMetrics()
        self.epoch_label.setFixedSize(metrics.horizontalAdvance(format_count(0, 7)) + 4,
                                      metrics.height() + 2)
        self.set_epoch(0)

        self.lr = QComboBox()
        self.lr.setEditable(True)
        for v in LEARNING_RATES:
            self.lr.addItem(f"{v:g}", v)
        validator = QDoubleValidator(0.0, 1e12, 12, self.lr)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.lr.setValidator(validator)
        self.lr.setMinimumContentsLength(7)
        self.lr.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.lr.activated.connect(self._on_lr_activated)
        self.lr.lineEdit().editingFinished.connect(self._on_lr_edited)

        self.activation = ActivationBox()  # every hidden layer; the graph sets one
        self.activation.chosen.connect(lambda name: self._emit("activation", name))
        self.optimizer = _combo(OPTIMIZERS)
        self.regularization = _combo(REGULARIZATIONS)
        self.reg_rate = _combo([(v, f"{v:g}") for v in REG_RATES])
        self.task = _combo(TASKS)
        self.loss = QComboBox()
        self.loss.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for combo, name in ((self.optimizer, "optimizer"),
                            (self.regularization, "regularization"),
                            (self.reg_rate, "reg_rate"), (self.task, "task"),
                            (self.loss, "loss")):
            combo.currentIndexChanged.connect(
                lambda _i, c=combo, n=name: self._emit(n, c.currentData()))

        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(0, len(SPEEDS) - 1)
        self.speed.setPageStep(1)
        self.speed.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.speed.setFixedWidth(120)
        self.speed.setValue(FLAT_OUT)
        speed_box = _caption("", self.speed,
                             "Training speed: from one minibatch per second (to follow every "
                             "step) to flat out (training never waits; drawing is throttled)")
        self.speed_label = speed_box.findChild(QLabel)
        self._show_speed(FLAT_OUT)
        self.speed.valueChanged.connect(self._on_speed)

        run = _group(self.reset_button, self.play_button, self.step_button,
                     self.step_epoch_button, self.new_seed_button,
                     _caption("Epoch", self.epoch_label,
                              "Completed epochs (passes over the training set)"))
        hyper = _group(
            _caption("Learning rate", self.lr,
                     "Step size of gradient descent; type any value or pick one. "
                     "Changing it keeps the weights."),
            _caption("Activation", self.activation,
                     "Activation function of every hidden layer (rebuilds the network); "
                     "click a hidden column's activation on the graph to set one layer"),
            _caption("Optimizer", self.optimizer,
                     "How gradients become weight updates; changing it keeps the weights"),
            _caption("Regularization", self.regularization,
                     "Penalty on large weights (L1 pushes weights to exactly 0, L2 shrinks "
                     "them); keeps the weights"),
            _caption("Reg. rate", self.reg_rate, "Strength of the regularization penalty"))
        task = _group(
            _caption("Problem type", self.task,
                     "Classification (predict a class) or regression (predict a number); "
                     "picks the data sets on the left"),
            _caption("Loss", self.loss, "The loss the network minimises"))
        # Four groups that wrap as wholes: one row on a wide window, two at 1024 px, so the
        # window never has to be as wide as every control together.
        self.groups = (run, hyper, task, speed_box)
        flow = FlowLayout(self, spacing=18, row_spacing=2)
        flow.setContentsMargins(6, 4, 6, 4)
        for group in self.groups:
            flow.addWidget(group)
        self.flow = flow
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    # ----------------------------------------------------------------- outputs
    def _emit(self, name: str, value) -> None:
        if not self._syncing:
            self.changed.emit(name, value)

    def _on_lr_activated(self, index: int) -> None:
        self._commit_lr(self.lr.itemData(index))

    def _on_lr_edited(self) -> None:
        if self.lr.lineEdit().hasFocus():
            self.lr.lineEdit().clearFocus()  # typing is done: keys go back to the shortcuts
        try:
            value = float(self.lr.currentText().replace(",", "."))
        except ValueError:
            value = math.nan
        self._commit_lr(value)

    def _commit_lr(self, value) -> None:
        if value is None or not math.isfinite(value) or value <= 0:
            self._show_lr(self._lr)  # not a learning rate: put the current one back
            return
        if value != self._lr:
            self._lr = value
            self._show_lr(value)
            self._emit("lr", value)

    def _show_lr(self, value: float) -> None:
        i = self.lr.findData(value)
        was = self.lr.blockSignals(True)
        if i >= 0:
            self.lr.setCurrentIndex(i)
        self.lr.setEditText(f"{value:g}")
        self.lr.blockSignals(was)

    def _on_speed(self, index: int) -> None:
        self._show_speed(index)
        self._emit("speed", index)

    def _show_speed(self, index: int) -> None:
        self.speed_label.setText(f"Speed: {SPEEDS[index][0]}")

    # ----------------------------------------------------------------- inputs
    def set_epoch(self, epoch: int) -> None:
        text = format_count(epoch, 7)  # "0 001 234": thin spaces, as every count
        if text != self.epoch_label.text():
            self.epoch_label.setText(text)

    def sync(self, settings, task: str, n_classes: int, loss: str) -> None:
        """Show these settings (the worker's) without emitting ``changed``."""
        self._syncing = True
        try:
            self._lr = settings.lr
            self._show_lr(settings.lr)
            self.activation.show_settings(settings)
            for combo, value in ((self.optimizer, settings.optimizer),
                                 (self.regularization, settings.regularization),
                                 (self.reg_rate, settings.reg_rate), (self.task, task)):
                i = combo.findData(value)
                if i < 0 and combo is self.reg_rate:
                    combo.addItem(f"{value:g}", value)
                    i = combo.count() - 1
                if i >= 0 and i != combo.currentIndex():
                    combo.setCurrentIndex(i)
            self.reg_rate.setEnabled(settings.regularization != "none")
            options = losses_for(task, n_classes)
            if loss not in options:
                options = options + (loss,)
            if [self.loss.itemData(i) for i in range(self.loss.count())] != list(options):
                self.loss.clear()
                for name in options:
                    self.loss.addItem(LOSS_TITLES.get(name, name), name)
            self.loss.setCurrentIndex(self.loss.findData(loss))
        finally:
            self._syncing = False
