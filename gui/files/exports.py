"""Exports from the window: File → Export ▸ ONNX model (float64, the default, or float32),
standalone Python file, images of the decision boundary, the network graph and the loss plot,
and the loss history as CSV.

The network is copied in the worker thread between two steps (with what the exporters need to
know: task, loss, the feature transforms or None for raw columns, the class names) and written
there by the engine's exporters; images are grabbed in the GUI thread and written in the worker
too. The GUI thread never waits: the status bar says "Saving …" until the reply arrives
(``gui/shell/replies.py``), then ``finished`` tells how it went. Every file is written
atomically: a failed export never leaves a broken file where a good one was.

Entry point: ``install(window) -> Exports``.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from model.files.history_csv import COLUMNS as HISTORY_COLUMNS, history_csv
from model.files.export_onnx import DEFAULT_DTYPE, DTYPES, export_onnx
from model.files.export_py import ExportError, export_python, write_atomic

from gui.data.data_io import insert_before_quit
from gui.files.remembered import save_file_name
from gui.shell.docks import install_once, menu_named
from gui.shell.replies import ask_worker

#: ONNX export kind → its number type: "onnx" is the default type, one more entry per other
#: type of model.files.export_onnx.DTYPES ("onnx_float32")
ONNX_KINDS = {("onnx" if d == DEFAULT_DTYPE else f"onnx_{d}"): d
              for d in sorted(DTYPES, key=lambda d: d != DEFAULT_DTYPE)}


def _onnx_entry(dtype: str) -> tuple[str, str, str, str]:
    default = dtype == DEFAULT_DTYPE
    text = f"&ONNX model ({dtype}, default)…" if default else f"ONNX model (&{dtype})…"
    why = ("exact: the engine's own precision" if default else
           "the type most ONNX tools and runtimes expect; weights rounded to float32")
    name = "network.onnx" if default else f"network_{dtype}.onnx"
    return (text, f"The trained network as an ONNX model, {dtype} in, out and weights ({why}); "
            "computes the feature transforms itself", name, "ONNX models (*.onnx)")


#: kind → (menu text, tooltip, default file name, filter)
KINDS = {
    **{kind: _onnx_entry(dtype) for kind, dtype in ONNX_KINDS.items()},
    "python": ("&Python file (numpy only)…", "A standalone .py with the weights inside and "
               "predict(X); needs only numpy", "network.py", "Python files (*.py)"),
    "boundary": ("&Decision boundary image…", "The output plane with the data, as PNG",
                 "boundary.png", "PNG images (*.png)"),
    "graph": ("Network &graph image…", "The network graph as shown, as PNG", "network.png",
              "PNG images (*.png)"),
    "loss": ("&Loss plot image…", "The loss plot as shown, as PNG", "loss.png",
             "PNG images (*.png)"),
    "history": ("Loss &history (CSV)…", "Loss and accuracy after every epoch, as CSV "
                f"({', '.join(HISTORY_COLUMNS)})", "loss_history.csv", "CSV files (*.csv)"),
}


def network_and_meta(pg):
    """Worker thread: a copy of the network and the meta the exporters need."""
    return pg.net.copy(), pg.weights_meta()


def history_of(pg) -> dict:
    """Worker thread: the loss history as plain lists."""
    return pg.trainer.history.to_lists()


def png_bytes(widget) -> bytes:
    """The widget as shown, encoded as PNG."""
    pixmap = widget.grab()
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    ok = pixmap.save(buffer, "PNG")
    buffer.close()
    if not ok or array.isEmpty():
        raise ExportError("the image could not be encoded as PNG")
    return bytes(array.data())


class Exports(QObject):
    """The File → Export submenu."""

    finished = Signal(str, str, bool)  # kind, path, written

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.menu = QMenu("E&xport", window)
        self.menu.setToolTipsVisible(True)
        self.actions: dict[str, QAction] = {}
        for kind, (text, tip, _, _) in KINDS.items():
            if kind in ("boundary", "history"):
                self.menu.addSeparator()
            a = self.menu.addAction(text)
            a.setToolTip(tip)
            a.setStatusTip(tip)
            a.triggered.connect(lambda _checked=False, k=kind: self.export(k))
            self.actions[kind] = a
        insert_before_quit(menu_named(window, "&File"), window, [self.menu])

    def export(self, kind: str) -> None:
        """Ask for a file name, then write ``kind`` there."""
        text, _, default, filters = KINDS[kind]
        title = "Export " + text.replace("&", "").rstrip("…")
        path, _ = save_file_name(self.window, "exports", title, default, filters)
        if not path:
            return
        suffix = Path(default).suffix
        if Path(path).suffix.lower() != suffix:
            path += suffix
        self.export_to(kind, path)

    def export_to(self, kind: str, path) -> None:
        """Write ``kind`` to ``path`` in the worker thread (this returns at once); then
        ``finished(kind, path, written)``, and a one-line message (and no file change) on
        failure."""
        path = Path(path)
        try:
            job = self._job(kind, path)
        except Exception as exc:  # noqa: BLE001 - reported, never fatal
            self._failed(kind, path, exc)
            return
        ask_worker(self.window, job, lambda _: self._written(kind, path),
                   lambda exc: self._failed(kind, path, exc), busy=f"Saving {path.name}…")

    def _written(self, kind: str, path: Path) -> None:
        self.window.statusBar().showMessage(f"Saved {path}")
        self.finished.emit(kind, str(path), True)

    def _failed(self, kind: str, path: Path, exc: BaseException) -> None:
        title = "Export " + KINDS[kind][0].replace("&", "").rstrip("…")
        text = " ".join(str(exc).split())
        if not isinstance(exc, ExportError):
            text = f"{type(exc).__name__}: {text}"
        self.window.warn(title, f"Nothing was written:\n{text}")
        self.finished.emit(kind, str(path), False)

    def _job(self, kind: str, path: Path):
        """GUI thread: what only it can do (grab an image, check the snapshot); returns the
        function that writes the file in the worker thread."""
        if kind in ONNX_KINDS or kind in ("python", "history"):
            return lambda pg: self._write(kind, path, pg)
        if kind == "boundary":
            snap = self.window.latest_snapshot
            if snap is not None and snap.neuron_grids is None:
                raise ExportError("the decision boundary cannot be drawn: the data has "
                                  "more than two inputs")
            widget = self.window.output_view.plot
        else:
            widget = self.window.network_view if kind == "graph" else self.window.loss_plot
        image = png_bytes(widget)
        return lambda pg: write_atomic(path, image)

    @staticmethod
    def _write(kind: str, path: Path, pg) -> None:
        """Worker thread: the network's or the history's file."""
        if kind in ONNX_KINDS:
            net, meta = network_and_meta(pg)
            export_onnx(net, path, meta, dtype=ONNX_KINDS[kind])
        elif kind == "python":
            net, meta = network_and_meta(pg)
            export_python(net, path, meta)
        else:
            write_atomic(path, history_csv(history_of(pg)).encode("utf-8"))


def install(window) -> Exports:
    """Add File → Export ▸ to the window; returns the controller."""
    return install_once(window, "exports", lambda: Exports(window))
