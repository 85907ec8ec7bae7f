"""Runs → "Duplicate with a change…": pick a run, one setting and its new value.

The new run starts from that run's initial weights, data and seed (``runs_ab.playground_for``),
so the comparison is fair: only the chosen setting differs (the seed and the initialiser are
the changes whose point is other initial weights). Values are parsed here and checked by
``Settings`` itself; a bad one gets its one-line message under the field and the dialog stays.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QLabel, QLineEdit, QVBoxLayout)

from model.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from model.core.initializers import INITIALIZERS
from model.core.losses import LOSSES
from model.core.optimizers import OPTIMIZERS, REGULARIZATIONS
from model.lessons.runs import show_value

from gui import theme

AUTO = "auto"
#: key → (label, choices or None for typed text, help)
CHANGES = {
    "lr": ("learning rate", None, "a number > 0, e.g. 0.1"),
    "batch_size": ("batch size", None, "a whole number ≥ 1"),
    "optimizer": ("optimizer", tuple(OPTIMIZERS), ""),
    "activation": ("activation (hidden layers)", HIDDEN_ACTIVATIONS, ""),
    "output_activation": ("output activation", (AUTO,) + tuple(OUTPUT_ACTIVATIONS), ""),
    "loss": ("loss", (AUTO,) + tuple(LOSSES), ""),
    "hidden": ("hidden layers", None, "neurons per layer, e.g. 4-2 (empty: none)"),
    "regularization": ("regularization", REGULARIZATIONS, ""),
    "reg_rate": ("regularization rate", None, "a number ≥ 0"),
    "shuffle": ("shuffle each epoch", ("yes", "no"), ""),
    "init_scheme": ("initialiser (new weights)", tuple(INITIALIZERS), ""),
    "seed": ("seed (new weights)", None, "a whole number ≥ 0"),
}


def parse_value(key: str, text: str):
    """The setting's value from the field's text; ValueError with a one-line message."""
    text = text.strip()
    if key in ("lr", "reg_rate"):
        try:
            return float(text.replace(",", "."))
        except ValueError:
            raise ValueError(f"{CHANGES[key][0]}: expected {CHANGES[key][2]}") from None
    if key in ("batch_size", "seed"):
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{CHANGES[key][0]}: expected {CHANGES[key][2]}") from None
    if key == "hidden":
        parts = [p for p in text.replace(",", "-").replace(" ", "-").split("-") if p]
        try:
            return tuple(int(p) for p in parts)
        except ValueError:
            raise ValueError(f"hidden layers: expected {CHANGES[key][2]}") from None
    if key == "shuffle":
        return text == "yes"
    if key in ("output_activation", "loss") and text == AUTO:
        return None
    return text


def shown(key: str, value) -> str:
    """A setting's value as the field shows it."""
    if key == "shuffle":
        return "yes" if value else "no"
    if key == "hidden":
        return "-".join(map(str, value))
    return AUTO if value is None else show_value(value)


class DuplicateDialog(QDialog):
    """Asks which run, which setting and which value; ``change()`` is the answer."""

    def __init__(self, runs, selected_id: int | None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Duplicate with a change")
        self._runs = list(runs)  # RunViews
        self.run = QComboBox()
        for r in self._runs:
            self.run.addItem(r.name, r.id)
        if selected_id is not None and self.run.findData(selected_id) >= 0:
            self.run.setCurrentIndex(self.run.findData(selected_id))
        self.run.setToolTip("The run to duplicate: the new one starts from its initial weights, "
                            "data and seed")
        self.setting = QComboBox()
        for key, (label, _, _) in CHANGES.items():
            self.setting.addItem(label, key)
        self.setting.setToolTip("The one setting that differs in the new run")
        self.choice = QComboBox()
        self.choice.setToolTip("The setting's new value")
        self.text = QLineEdit()
        self.text.setToolTip("The setting's new value")
        self.train = QCheckBox("Start training at once")
        self.train.setChecked(True)
        self.train.setToolTip("Press Play for the new run as soon as it is set up")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(theme.caption_style(9))
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.verdict_color(False)};")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Duplicate")
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Run", self.run)
        form.addRow("Change", self.setting)
        form.addRow("to", self.choice)
        form.addRow("", self.text)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.train)
        box.addWidget(self.note)
        box.addWidget(self.error)
        box.addWidget(buttons)
        self.run.currentIndexChanged.connect(self._on_setting)
        self.setting.currentIndexChanged.connect(self._on_setting)
        self._answer = None
        self._on_setting()

    def _selected_run(self):
        return self._runs[max(0, self.run.currentIndex())]

    def _on_setting(self, *_args) -> None:
        key = self.setting.currentData()
        label, choices, help_text = CHANGES[key]
        current = getattr(self._selected_run().settings, key)
        form = self.layout().itemAt(0).layout()
        form.setRowVisible(2, choices is not None)
        form.setRowVisible(3, choices is None)
        if choices is not None:
            self.choice.clear()
            self.choice.addItems(list(choices))
            others = [c for c in choices if c != shown(key, current)]
            if others:
                self.choice.setCurrentText(others[0])
        else:
            self.text.setText(shown(key, current))
            self.text.setPlaceholderText(help_text)
            self.text.selectAll()
            self.text.setFocus()
        fresh = key in ("seed", "init_scheme")
        self.note.setText(
            f"Now: {label} {shown(key, current)}. "
            + ("The new run draws new initial weights (that is the change); the data stays."
               if fresh else "The new run starts from the same initial weights, data and seed: "
               "only this setting differs."))
        self.error.setText("")

    def _on_accept(self) -> None:
        key = self.setting.currentData()
        text = self.choice.currentText() if CHANGES[key][1] is not None else self.text.text()
        run = self._selected_run()
        try:
            value = parse_value(key, text)
            if value == getattr(run.settings, key):
                raise ValueError(f"{CHANGES[key][0]} is already {shown(key, value)}: "
                                 f"that is no change")
            run.settings.replace(**{key: value})  # the settings' own checks
        except ValueError as exc:
            self.error.setText(" ".join(str(exc).split()))
            return
        self._answer = (run.id, key, value, self.train.isChecked())
        self.accept()

    def change(self):
        """(run id, setting, value, train at once) once accepted, else None."""
        return self._answer
