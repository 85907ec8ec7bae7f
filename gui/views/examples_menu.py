"""Help → Worked examples: the tutorial networks shipped in resources/examples/, loaded into the
window with a short explanation, the numbers a tutorial published beside the ones this app
computes (and, where none was published, what the app's number shows), and lesson mode ready on
the first training example.

Loading replaces the worker's playground (``worker.call(..., changes_state=True)``); the app's
numbers are then computed in the worker from the loaded network, on copies (one SGD step, or
training a copy for the examples whose tutorials show the trained result), so the network you
see is the untouched starting point.

"The loss surface of one neuron" is built in code (``model/lessons/landscape_lesson.py``), not
from files: it opens the loss landscape view with the lesson's paths instead of lesson mode.

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
from gui.views.landscape_probe import (LESSON_EXPLANATION, LESSON_FIGURES, LESSON_SETTINGS,
                                       LESSON_TITLE, lesson_figures, lesson_playground)
from gui.views.lesson import LessonController

EXAMPLES_DIR = resource("examples")  # the checkout's resources/ or the installed copy


@dataclass(frozen=True)
class Figure:
    """One figure of an example. ``published`` is the value as a tutorial printed it, or None
    when no tutorial published one: then ``shows`` says in words what the app's number is, and
    no agreement is claimed. A published figure agrees when the app's number is within one unit
    of its last printed digit."""

    name: str
    published: str | None = None
    shows: str = ""

    def agrees(self, app: float) -> bool | None:
        """True/False for a published figure, None for one that was not published."""
        if self.published is None:
            return None
        if not math.isfinite(app):
            return False
        return abs(app - float(self.published)) <= 10.0 ** -self.decimals + 1e-15

    @property
    def decimals(self) -> int:
        v = self.published or ""
        return len(v.split(".")[1]) if "." in v else 0

    def show(self, app: float) -> str:
        """The app's number at the published precision (4 significant digits otherwise)."""
        return f"{app:.{self.decimals}f}" if self.published is not None else f"{app:.4g}"

    @property
    def published_text(self) -> str:
        return self.published if self.published is not None else f"not published: {self.shows}"


@dataclass(frozen=True)
class Example:
    key: str
    title: str
    network: str
    data: str
    settings: Settings
    explanation: str
    figures: tuple[Figure, ...]
    then: str = "lesson"  # what opens once it is loaded: "lesson" mode or the "landscape" view

    @property
    def n_published(self) -> int:
        return sum(f.published is not None for f in self.figures)


#: "Understanding and coding neural networks from scratch" prints the mean error every 100 of
#: its 1000 epochs
ERROR_EPOCHS = tuple(range(0, 1000, 100))
_4_3_1_ERRORS = ("0.11553", "0.11082", "0.10606", "0.09845", "0.08483", "0.06396", "0.04206",
                 "0.02641", "0.01719", "0.01190")

EXAMPLES = (
    Example("classic", "Classic 2-2-2, step by step", "classic_2_2_2.json",
            "classic_2_2_2.csv",
            Settings(hidden=(2,), activation="sigmoid", output_activation="sigmoid", loss="mse",
                     optimizer="sgd", lr=0.5, batch_size=1, shuffle=False, train_ratio=1.0,
                     scale="none"),
            "<p>The best-known hand calculation of backpropagation: two inputs (0.05, 0.1), "
            "two sigmoid hidden neurons h1, h2, two sigmoid outputs o1, o2 with targets 0.01 "
            "and 0.99, every weight w1…w8 and both biases given.</p><p>The tutorial runs the "
            "forward pass, adds up the squared errors (½(target − out)² per output), then "
            "pushes the error back with the chain rule and takes one gradient step with "
            "learning rate 0.5. Walk it in lesson mode: Forward 1 shows net and out of h1 "
            "and h2, Loss shows the total error, Backward 2 shows ∂E/∂w5…∂E/∂w8 on the edges "
            "and Update shows how far each weight moves.</p><p>Note: w1 is the edge "
            "x₁ → H1·1, w2 x₂ → H1·1, w3 x₁ → H1·2, w4 x₂ → H1·2, w5 H1·1 → y1, "
            "w6 H1·2 → y1, w7 H1·1 → y2, w8 H1·2 → y2.</p>",
            (Figure("net h1", "0.3775"), Figure("out h1", "0.593269992"),
             Figure("out h2", "0.596884378"), Figure("out o1", "0.75136507"),
             Figure("out o2", "0.772928465"), Figure("total error", "0.298371109"),
             Figure("w5 after one step", "0.35891648"),
             Figure("w6 after one step", "0.408666186"),
             Figure("w7 after one step", "0.511301270"),
             Figure("w8 after one step", "0.561370121"),
             Figure("w1 after one step", "0.149780716"),
             Figure("w2 after one step", "0.19956143"),
             Figure("w3 after one step", "0.24975114"),
             Figure("w4 after one step", "0.29950229"))),
    Example("4-3-1", "4-3-1 learns three patterns", "net_4_3_1_training.json",
            "net_4_3_1.csv",
            Settings(hidden=(3,), activation="sigmoid", output_activation="sigmoid", loss="mse",
                     optimizer="sgd", lr=0.3, batch_size=3, shuffle=False, train_ratio=1.0,
                     scale="none"),
            "<p>From <i>Understanding and coding neural networks from scratch</i> (numpy and R): "
            "four binary inputs, three sigmoid hidden neurons and one sigmoid output, no biases, "
            "trained on the whole batch of three rows [1,0,0,0], [1,0,1,1], [0,1,0,1] with "
            "targets 1, 1, 0. Its weights come from numpy's <code>RandomState(42)</code>, "
            "uniform on [0, 1): the first draws (4×3, then 3×1) are the untrained network, "
            "whose error ½(y − a)² the tutorial prints for each row; its training loop draws "
            "the next 4×3 and 3×1 and trains them for 1000 epochs with learning rate 0.1 on "
            "the <i>summed</i> gradients, printing the mean error every 100 epochs.</p>"
            "<p>This app averages the gradients over the batch, so the same steps take "
            "learning rate 0.3 here (3 rows × 0.1). Both weight sets are shipped "
            "(net_4_3_1.json, net_4_3_1_training.json); the window loads the second, ready to "
            "train. Four inputs leave no plane to draw: the graph and the lesson show "
            "everything.</p>",
            (Figure("row 1 error, untrained", "0.05013458"),
             Figure("row 2 error, untrained", "0.03727248"),
             Figure("row 3 error, untrained", "0.25388062"),
             *(Figure(f"mean error at epoch {e}", v) for e, v in zip(ERROR_EPOCHS,
                                                                     _4_3_1_ERRORS)))),
    Example("no-bias", "2-3-1 without biases", "no_bias_2_3_1.json",
            "no_bias_2_3_1.csv",
            Settings(hidden=(3,), activation="sigmoid", output_activation="sigmoid", loss="mse",
                     optimizer="sgd", lr=1.0, batch_size=1, shuffle=False, train_ratio=1.0,
                     scale="none"),
            "<p>A small network with no bias terms at all (so no bias squares on the graph): "
            "the input (1, 1) goes through three sigmoid hidden neurons to one sigmoid output "
            "whose target is 0.</p><p>Because the input is (1, 1), each hidden neuron's sum is "
            "just its two incoming weights added up: check it on the graph, then step the "
            "lesson to see the output and how each step pulls it towards 0. No tutorial "
            "published numbers for this network: the table shows what the app computes.</p>",
            (Figure("hidden sum 1", shows="the file's two weights into H1·1, added"),
             Figure("hidden sum 2", shows="the file's two weights into H1·2, added"),
             Figure("hidden sum 3", shows="the file's two weights into H1·3, added"),
             Figure("output before training", shows="the forward pass of these weights"),
             Figure("output after 500 steps", shows="training a copy, lr 1.0"))),
    Example("circle", "2-4-4-1 on a circle", "circle_2_4_4_1.json",
            "circle.csv",
            Settings(hidden=(4, 4), activation="tanh", output_activation="sigmoid", loss="bce",
                     optimizer="adam", lr=0.1, batch_size=10, shuffle=True, train_ratio=1.0,
                     scale="none"),
            "<p>Two tanh hidden layers of four neurons and a sigmoid output separate an inner "
            "disc of points from an outer ring, the TensorFlow-Playground way. Unlike the "
            "hand calculations this one is about the picture: watch the neuron thumbnails "
            "turn into edges and the output into a closed boundary.</p><p>No tutorial "
            "published numbers for it; the table shows the accuracy this app reaches after 150 "
            "epochs of Adam (lr 0.1, batches of 10, cross-entropy) on a copy.</p>",
            (Figure("train accuracy after 150 epochs", shows="this app's result"),
             Figure("test accuracy after 150 epochs", shows="this app's result"))),
    Example("landscape", LESSON_TITLE, "", "", LESSON_SETTINGS, LESSON_EXPLANATION,
            tuple(Figure(name, shows=shows) for name, shows in LESSON_FIGURES),
            then="landscape"),
)


# ----------------------------------------------------------------------------- worker side
def load_example(example: Example, pg) -> Playground:
    """Runs in the worker thread: the example's network and data in a new playground, which
    the worker adopts (``changes_state``); the GUI's Future holds None, not the playground."""
    if example.key == "landscape":
        return lesson_playground()
    return Playground(example.settings, data=load_csv(EXAMPLES_DIR / example.data),
                      network=load_network(EXAMPLES_DIR / example.network))


def _trained_copy(pg, epochs: int) -> Playground:
    copy = Playground(pg.settings, data=pg.custom_data, network=pg.net.copy())
    copy.trainer.load_state(pg.trainer.state())
    copy.trainer.train(epochs)
    return copy


def errors_4_3_1(pg) -> list[float]:
    """The 4-3-1 tutorial's printed figures, as this app computes them: ½(y − a)² of each row
    for the untrained weights, then the mean error at epochs 0, 100, …, 900 of training."""
    untrained = load_network(EXAMPLES_DIR / "net_4_3_1.json")
    t = pg.trainer
    a = untrained.predict(t.X_train)
    per_row = 0.5 * ((t.Y_train - a) ** 2).sum(axis=1)
    copy = _trained_copy(pg, 0)
    curve = [copy.net.loss(t.X_train, t.Y_train, "mse")]  # epoch 0: before any step
    copy.trainer.train(max(ERROR_EPOCHS))
    by_epoch = dict(zip(copy.trainer.history.epoch.tolist(), copy.trainer.history.train_loss))
    curve += [by_epoch[e] for e in ERROR_EPOCHS[1:]]
    return [*per_row, *curve]


def compute_numbers(example: Example, pg) -> tuple[float, ...]:
    """Runs in the worker thread: the app's value of each figure, from the loaded network
    (on copies: the window's network is not trained), as plain floats."""
    return tuple(float(v) for v in _figures(example, pg))


def _figures(example: Example, pg) -> list:
    net, t = pg.net, pg.trainer
    if example.key == "landscape":
        return list(lesson_figures())
    if example.key == "classic":
        zs, acts = net.forward_all(t.X_train[:1])
        copy = _trained_copy(pg, 0)
        copy.trainer.step_batch()  # the app's own SGD step, lr 0.5
        W1, W2 = copy.net.layers[0].W, copy.net.layers[1].W
        return [zs[0][0, 0], acts[1][0, 0], acts[1][0, 1], acts[2][0, 0], acts[2][0, 1],
                net.loss(t.X_train, t.Y_train, "mse"),
                W2[0, 0], W2[1, 0], W2[0, 1], W2[1, 1], W1[0, 0], W1[1, 0], W1[0, 1], W1[1, 1]]
    if example.key == "4-3-1":
        return errors_4_3_1(pg)
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
        self.table.setToolTip("The numbers a tutorial published beside the ones this app "
                              "computes; ✓ where they agree to the published precision. Where no "
                              "tutorial published a figure, the column says what it shows")
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
        source = (f"Files: resources/examples/{example.network}, {example.data}"
                  if example.network else "Built by model/lessons/landscape_lesson.py")
        self.explanation.setHtml(f"<h3>{example.title}</h3>{example.explanation}"
                                 f"<p style='color:#666'>{source}</p>")
        self.table.setRowCount(len(example.figures))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for r, f in enumerate(example.figures):
            app = values[r] if values is not None else None
            agrees = None if app is None else f.agrees(app)
            cells = [f.name, f.published_text, "–" if app is None else f.show(app),
                     "" if agrees is None else ("✓" if agrees else "✗")]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 1 and f.published is None:
                    item.setToolTip("No tutorial published this figure: the app's number is "
                                    "shown for what it is, with nothing to agree with")
                    item.setForeground(self.palette().placeholderText())
                elif c:
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
        self._relay = FutureRelay(self, window.turns)
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
        agree = sum(bool(f.agrees(v)) for f, v in zip(example.figures, self.values[example.key]))
        figures = (f"{agree} of {example.n_published} published figures agree"
                   if example.n_published else "no published figures; the table shows the app's")
        then = ("The loss landscape shows its paths." if example.then == "landscape" else
                "Lesson mode is on (N / B walk the phases).")
        text = f"{example.title} loaded: {figures}. {then}"
        self.window.statusBar().showMessage(text)
        if self.dialog is not None:
            self.dialog.load.setEnabled(True)
            self.dialog.status.setText(text)
            if self.dialog.list.currentRow() == EXAMPLES.index(example):
                self.dialog.show_example(example, self.values[example.key])
        if example.then == "landscape":
            landscape = self.window.views.get("landscape")
            if landscape is not None:
                landscape.open_lesson()
            return
        lesson = self.window.findChild(LessonController)
        if lesson is not None:
            lesson.start(rows=[0])


def install(window) -> WorkedExamples:
    return install_once(window, "worked_examples", lambda: WorkedExamples(window))
