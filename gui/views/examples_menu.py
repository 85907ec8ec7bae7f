"""Help → Worked examples: the tutorial networks shipped in resources/examples/, loaded into the
window with a short explanation, the published numbers beside the ones this app computes, and
lesson mode ready on the first training example.

Loading replaces the worker's playground (``worker.call(..., changes_state=True)``); the app's
numbers are then computed in the worker from the loaded network, on copies (one SGD step, or
training a copy for the examples whose tutorials show the trained result), so the network you
see is the untouched starting point.

Entry point: ``install(window) -> WorkedExamples``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel,
                               QListWidget, QPushButton, QTableWidget, QTableWidgetItem,
                               QTextBrowser, QVBoxLayout)

from model.data.csvdata import load_csv
from model.playground import Playground, Settings
from model.files.bundled import resource
from model.files.serialize import load_network

from gui.shell.docks import FutureRelay, future_error, install_once, menu_named
from gui.views.lesson import LessonController

EXAMPLES_DIR = resource("examples")  # the checkout's resources/ or the installed copy


@dataclass(frozen=True)
class Published:
    """One published figure: ``value`` as printed; the app agrees when its number is within
    one unit of the last printed digit ("≈"), or within ``tolerance`` ("≈ ±"), or passes the
    bound ("<", "≥")."""

    name: str
    value: str
    check: str = "≈"
    tolerance: float = 0.0

    def agrees(self, app: float) -> bool:
        if not math.isfinite(app):
            return False
        v = float(self.value)
        if self.check == "<":
            return app < v
        if self.check == "≥":
            return app >= v
        decimals = len(self.value.split(".")[1]) if "." in self.value else 0
        return abs(app - v) <= (self.tolerance or 10.0 ** -decimals) + 1e-15

    def show(self, app: float) -> str:
        """The app's number at the published precision."""
        if self.check in ("<", "≥") or self.tolerance:
            return f"{app:.4g}"
        decimals = len(self.value.split(".")[1]) if "." in self.value else 0
        return f"{app:.{decimals}f}"


@dataclass(frozen=True)
class Example:
    key: str
    title: str
    network: str
    data: str
    settings: Settings
    explanation: str
    published: tuple[Published, ...]


EXAMPLES = (
    Example("classic", "Classic 2-2-2, step by step", "classic_2_2_2.json",
            "classic_2_2_2.csv",
            Settings(hidden=(2,), activation="sigmoid", output_activation="sigmoid", loss="mse",
                     optimizer="sgd", lr=0.5, batch_size=1, shuffle=False, train_ratio=1.0),
            "<p>The best-known hand calculation of backpropagation: two inputs (0.05, 0.1), "
            "two sigmoid hidden neurons h1, h2, two sigmoid outputs o1, o2 with targets 0.01 "
            "and 0.99, every weight w1…w8 and both biases given.</p><p>The tutorial runs the "
            "forward pass, adds up the squared errors (½(target − out)² per output), then "
            "pushes the error back with the chain rule and takes one gradient step with "
            "learning rate 0.5. Walk it in lesson mode: Forward 1 shows net and out of h1 "
            "and h2, Loss shows the total error, Backward 2 shows ∂E/∂w5…∂E/∂w8 on the edges "
            "and Update shows how far each weight moves.</p><p>Note: w1 is the edge "
            "x₁ → H1[0], w2 x₂ → H1[0], w3 x₁ → H1[1], w4 x₂ → H1[1], w5 H1[0] → y1, "
            "w6 H1[1] → y1, w7 H1[0] → y2, w8 H1[1] → y2.</p>",
            (Published("net h1", "0.3775"), Published("out h1", "0.593269992"),
             Published("out h2", "0.596884378"), Published("out o1", "0.75136507"),
             Published("out o2", "0.772928465"), Published("total error", "0.298371109"),
             Published("w5 after one step", "0.35891648"),
             Published("w6 after one step", "0.408666186"),
             Published("w7 after one step", "0.511301270"),
             Published("w8 after one step", "0.561370121"),
             Published("w1 after one step", "0.149780716"),
             Published("w2 after one step", "0.19956143"),
             Published("w3 after one step", "0.24975114"),
             Published("w4 after one step", "0.29950229"))),
    Example("4-3-1", "4-3-1 learns three patterns", "net_4_3_1.json",
            "net_4_3_1.csv",
            Settings(hidden=(3,), activation="sigmoid", output_activation="sigmoid", loss="mse",
                     optimizer="sgd", lr=0.5, batch_size=3, shuffle=False, train_ratio=1.0),
            "<p>The classic \"neural network in a few lines of numpy\" example: four binary "
            "inputs, three sigmoid hidden neurons, one sigmoid output, trained on the whole "
            "batch of three rows [1,0,1,0], [1,0,1,1], [0,1,0,1] with targets 1, 1, 0.</p>"
            "<p>The tutorial shows that after a few thousand steps the outputs sit close to "
            "the targets. The app trains a copy for 3000 epochs (lr 0.5, full batch) and "
            "reports its outputs. There is no input plane to draw with four inputs, so the "
            "output view stays empty; the graph and the lesson show everything.</p>",
            (Published("output for row 1 after training", "1", "≈ ±", 0.1),
             Published("output for row 2 after training", "1", "≈ ±", 0.1),
             Published("output for row 3 after training", "0", "≈ ±", 0.1))),
    Example("no-bias", "2-3-1 without biases", "no_bias_2_3_1.json",
            "no_bias_2_3_1.csv",
            Settings(hidden=(3,), activation="sigmoid", output_activation="sigmoid", loss="mse",
                     optimizer="sgd", lr=1.0, batch_size=1, shuffle=False, train_ratio=1.0),
            "<p>A small network with no bias terms at all (so no bias markers on the graph): "
            "the input (1, 1) goes through three sigmoid hidden neurons to one sigmoid output "
            "whose target is 0.</p><p>The tutorial works the forward pass out by hand — the "
            "hidden sums are 1.0, 1.3 and 0.8, the output 0.7744 — and then trains until the "
            "output approaches 0. The app trains a copy for 500 steps with lr 1.0.</p>",
            (Published("hidden sum 1", "1.0"), Published("hidden sum 2", "1.3"),
             Published("hidden sum 3", "0.8"), Published("output before training", "0.7744"),
             Published("output after training", "0.1", "<"))),
    Example("circle", "2-4-4-1 on a circle", "circle_2_4_4_1.json",
            "circle.csv",
            Settings(hidden=(4, 4), activation="tanh", output_activation="sigmoid", loss="bce",
                     optimizer="adam", lr=0.1, batch_size=10, shuffle=True, train_ratio=1.0),
            "<p>Two tanh hidden layers of four neurons and a sigmoid output separate an inner "
            "disc of points from an outer ring, the TensorFlow-Playground way. Unlike the "
            "hand calculations this one is about the picture: watch the neuron thumbnails "
            "turn into edges and the output into a closed boundary.</p><p>Figures: accuracy "
            "after 150 epochs of Adam (lr 0.1, batches of 10, cross-entropy) on a copy.</p>",
            (Published("train accuracy after 150 epochs", "0.95", "≥"),
             Published("test accuracy after 150 epochs", "0.9", "≥"))),
)


# ----------------------------------------------------------------------------- worker side
def load_example(example: Example, pg) -> Playground:
    """Runs in the worker thread: the example's network and data in a new playground."""
    return Playground(example.settings, data=load_csv(EXAMPLES_DIR / example.data),
                      network=load_network(EXAMPLES_DIR / example.network))


def _trained_copy(pg, epochs: int) -> Playground:
    copy = Playground(pg.settings, data=pg.custom_data, network=pg.net.copy())
    copy.trainer.load_state(pg.trainer.state())
    copy.trainer.train(epochs)
    return copy


def compute_numbers(example: Example, pg) -> list[float]:
    """Runs in the worker thread: the app's value of each published figure, from the loaded
    network (on copies: the window's network is not trained)."""
    net, t = pg.net, pg.trainer
    if example.key == "classic":
        zs, acts = net.forward_all(t.X_train[:1])
        copy = _trained_copy(pg, 0)
        copy.trainer.step_batch()  # the app's own SGD step, lr 0.5
        W1, W2 = copy.net.layers[0].W, copy.net.layers[1].W
        return [zs[0][0, 0], acts[1][0, 0], acts[1][0, 1], acts[2][0, 0], acts[2][0, 1],
                net.loss(t.X_train, t.Y_train, "mse"),
                W2[0, 0], W2[1, 0], W2[0, 1], W2[1, 1], W1[0, 0], W1[1, 0], W1[0, 1], W1[1, 1]]
    if example.key == "4-3-1":
        copy = _trained_copy(pg, 3000)
        return list(copy.net.predict(t.X_train)[:, 0])
    if example.key == "no-bias":
        zs, acts = net.forward_all(t.X_train[:1])
        trained = _trained_copy(pg, 500).net.predict(t.X_train[:1])[0, 0]
        return [*zs[0][0], acts[-1][0, 0], trained]
    m = _trained_copy(pg, 150).evaluate()
    return [m["train_accuracy"], m["test_accuracy"]]


# ----------------------------------------------------------------------------- the dialog
class ExamplesDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Worked examples")
        self.resize(900, 640)
        self.list = QListWidget()
        self.list.addItems([e.title for e in EXAMPLES])
        self.list.setToolTip("The tutorial networks shipped with the app")
        self.list.setMaximumWidth(self.list.sizeHintForColumn(0) + 24)
        self.explanation = QTextBrowser()
        self.explanation.setToolTip("What the example is and what to look at")
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["figure", "published", "this app", ""])
        self.table.setToolTip("The tutorial's numbers beside the ones this app computes; ✓ "
                              "where they agree to the published precision")
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2, 3):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.status = QLabel("Pick an example and press Load.")
        self.status.setToolTip("What the dialog is doing")
        self.load = QPushButton("Load into the window")
        self.load.setToolTip("Replace the window's network and data by this example (paused), "
                             "compute its figures and start lesson mode on its first example")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close this dialog")
        right = QVBoxLayout()
        right.addWidget(self.explanation, 2)
        right.addWidget(self.table, 3)
        main = QHBoxLayout()
        main.addWidget(self.list)
        main.addLayout(right, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.load)
        bottom.addWidget(buttons)
        box = QVBoxLayout(self)
        box.addLayout(main, 1)
        box.addLayout(bottom)

    def show_example(self, example: Example, values: list[float] | None) -> None:
        self.explanation.setHtml(f"<h3>{example.title}</h3>{example.explanation}"
                                 f"<p style='color:#666'>Files: resources/examples/"
                                 f"{example.network}, {example.data}</p>")
        self.table.setRowCount(len(example.published))
        for r, p in enumerate(example.published):
            app = values[r] if values is not None else None
            shown = (p.value if p.check == "≈" else f"{p.value} ± {p.tolerance:g}"
                     if p.tolerance else f"{p.check} {p.value}")
            cells = [p.name, shown,
                     "–" if app is None else p.show(app),
                     "" if app is None else ("✓" if p.agrees(app) else "✗")]
            right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(right)
                if c == 3 and text:
                    item.setForeground(Qt.GlobalColor.darkGreen if text == "✓" else
                                       Qt.GlobalColor.red)
                self.table.setItem(r, c, item)

    def rows(self) -> list[tuple[str, str, str, str]]:
        """The table's text, row by row (for tests)."""
        return [tuple(self.table.item(r, c).text() for c in range(4))
                for r in range(self.table.rowCount())]


class WorkedExamples(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog: ExamplesDialog | None = None
        self.values: dict[str, list[float]] = {}  # example key → the app's figures
        self.loading: Example | None = None
        self._relay = FutureRelay(self)
        self._relay.finished.connect(self._on_result)
        self.action = QAction("&Worked examples…", window)
        self.action.setToolTip("Load the tutorials' networks with their published numbers")
        self.action.setStatusTip(self.action.toolTip())
        self.action.triggered.connect(self.open)
        menu_named(window, "&Help").addAction(self.action)

    def open(self) -> ExamplesDialog:
        if self.dialog is None:
            self.dialog = ExamplesDialog(self.window)
            self.dialog.list.currentRowChanged.connect(self._on_row)
            self.dialog.load.clicked.connect(self.load_selected)
            self.dialog.list.setCurrentRow(0)
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def load_selected(self) -> None:
        self.load(EXAMPLES[max(0, self.dialog.list.currentRow())])

    def load(self, example: Example) -> None:
        """Put ``example`` in the window, compute its figures, start lesson mode."""
        if self.loading is not None:
            return
        self.loading = example
        if self.dialog is not None:
            self.dialog.status.setText(f"Loading {example.title} and computing its figures…")
            self.dialog.load.setEnabled(False)
        lesson = self.window.findChild(LessonController)
        if lesson is not None and lesson.active:
            lesson.discard()  # the lesson belongs to the network being replaced
        worker = self.window.worker
        self._relay.watch(worker.call(partial(load_example, example), changes_state=True),
                          ("load", example))
        self._relay.watch(worker.call(partial(compute_numbers, example)), ("numbers", example))

    def _on_row(self, row: int) -> None:
        if 0 <= row < len(EXAMPLES):
            e = EXAMPLES[row]
            self.dialog.show_example(e, self.values.get(e.key))

    def _on_result(self, tag, future) -> None:
        kind, example = tag
        error = future_error(future)
        if error:
            self.loading = None
            message = f"{example.title} was not loaded: {error}"
            self.window.statusBar().showMessage(message)
            if self.dialog is not None:
                self.dialog.status.setText(message)
                self.dialog.load.setEnabled(True)
            return
        if kind == "load" or self.loading is not example:
            return
        self.loading = None
        self.values[example.key] = [float(v) for v in future.result()]
        agree = sum(p.agrees(v) for p, v in zip(example.published, self.values[example.key]))
        text = (f"{example.title} loaded: {agree} of {len(example.published)} figures agree. "
                f"Lesson mode is on (N / B walk the phases).")
        self.window.statusBar().showMessage(text)
        if self.dialog is not None:
            self.dialog.load.setEnabled(True)
            self.dialog.status.setText(text)
            if self.dialog.list.currentRow() == EXAMPLES.index(example):
                self.dialog.show_example(example, self.values[example.key])
        lesson = self.window.findChild(LessonController)
        if lesson is not None:
            lesson.start(rows=[0])


def install(window) -> WorkedExamples:
    return install_once(window, "worked_examples", lambda: WorkedExamples(window))
