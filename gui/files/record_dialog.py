"""The Record dialog: what to record, the format, frame rate, when to stop, size and file.

It checks everything before it closes (one line in red under the form otherwise, e.g. MP4
without imageio-ffmpeg, a folder that does not exist, a GIF too long for its size) and hands
back a ``RecordPlan``. Opened with ``open()`` (window-modal, never blocking a caller).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox,
                               QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget)

from gui.files.frame_encoder import MAX_FPS, gif_frame_limit, missing_for

#: what can be recorded: key → (title, the window's widget)
SOURCES = {
    "boundary": ("Decision boundary", lambda window: window.output_view.plot),
    "graph": ("Network graph", lambda window: window.network_view),
    "window": ("Whole window", lambda window: window),
}
WIDTHS = (800, 640, 480, 320)  # the size choices besides "as shown", in pixels
MAX_SECONDS = 600
MAX_EPOCHS = 100_000
ERROR = "#b3261e"


@dataclass(frozen=True)
class RecordPlan:
    source: str = "boundary"
    fmt: str = "gif"
    fps: int = 10
    limit: int = 10  # seconds or epochs
    unit: str = "seconds"  # "seconds" or "epochs"
    width: int | None = None  # None: as shown
    path: str = ""
    start_training: bool = True


def even(v: float) -> int:
    return max(2, int(round(v / 2)) * 2)


def output_size(shown: tuple[int, int], width: int | None) -> tuple[int, int]:
    """(w, h) of the frames: the widget's logical size, or ``width`` wide at its aspect;
    even numbers (MP4 needs them), never larger than shown."""
    w, h = max(2, shown[0]), max(2, shown[1])
    if width is None or width >= w:
        return even(w), even(h)
    return even(width), even(h * width / w)


class RecordDialog(QDialog):
    def __init__(self, window, plan: RecordPlan, folder: str):
        super().__init__(window)
        self.setWindowTitle("Record an animation")
        self.window_ = window
        self.plan: RecordPlan | None = None
        self._folder = folder

        self.source = QComboBox()
        for key, (title, _) in SOURCES.items():
            self.source.addItem(title, key)
        self.source.setCurrentIndex(max(0, self.source.findData(plan.source)))
        self.source.setToolTip("What the animation shows, as it looks in the window")
        self.gif, self.mp4 = QRadioButton("GIF"), QRadioButton("MP4")
        self.formats = QButtonGroup(self)
        for b in (self.gif, self.mp4):
            self.formats.addButton(b)
        (self.mp4 if plan.fmt == "mp4" else self.gif).setChecked(True)
        self.gif.setToolTip("An animated GIF: plays everywhere (256 colours per frame)")
        self.mp4_note = QLabel()
        problem = missing_for("mp4", quick=True)
        self.mp4.setToolTip("An H.264 video: small files, any length (needs imageio-ffmpeg)")
        if problem:
            self.mp4_note.setText("needs imageio-ffmpeg")
            self.mp4_note.setToolTip(problem)
        fmt_row = _row(self.gif, self.mp4, self.mp4_note)

        self.fps = QSpinBox()
        self.fps.setRange(1, MAX_FPS)
        self.fps.setValue(plan.fps)
        self.fps.setSuffix(" frames/s")
        self.fps.setToolTip("Frames captured (and played) per second of recording")
        self.limit = QSpinBox()
        self.unit = QComboBox()
        self.unit.addItem("seconds", "seconds")
        self.unit.addItem("epochs", "epochs")
        self.unit.setCurrentIndex(max(0, self.unit.findData(plan.unit)))
        self.unit.setToolTip("Stop after this much time, or after this many more epochs of "
                             "training (Ctrl+R or Stop ends it sooner)")
        self.unit.currentIndexChanged.connect(self._on_unit)
        self._on_unit()
        self.limit.setValue(plan.limit)
        self.size = QComboBox()
        self.size.setToolTip("Frame size in pixels; the height follows the shape of what is "
                             "recorded")
        self._source = self.source.currentData()
        self.source.currentIndexChanged.connect(self._on_source)
        self._fill_sizes(plan.width)

        self.path = QLineEdit()
        self.path.setToolTip("Where the animation is written (replaced atomically when done)")
        browse = QPushButton("Browse…")
        browse.setAutoDefault(False)  # Enter records; it never opens the file dialog
        browse.clicked.connect(self._browse)
        self.start_training = QCheckBox("Start training when recording starts")
        self.start_training.setChecked(plan.start_training)
        self.start_training.setToolTip("Press Play for you (and pause again when an epoch "
                                       "limit ends the recording)")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR};")
        self.error.hide()

        form = QFormLayout()
        form.addRow("Record:", self.source)
        form.addRow("Format:", fmt_row)
        form.addRow("Frame rate:", self.fps)
        form.addRow("Stop after:", _row(self.limit, self.unit))
        form.addRow("Size:", self.size)
        form.addRow("File:", _row(self.path, browse))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.record = buttons.addButton("Record", QDialogButtonBox.ButtonRole.AcceptRole)
        self.record.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.start_training)
        box.addWidget(self.error)
        box.addWidget(buttons)
        self.formats.buttonToggled.connect(lambda *_: self._fix_suffix())
        self.path.setText(plan.path or str(Path(folder) / f"{self.source.currentData()}.gif"))
        self._fix_suffix()

    # ----------------------------------------------------------------- widgets
    def fmt(self) -> str:
        return "mp4" if self.mp4.isChecked() else "gif"

    def shown_size(self) -> tuple[int, int]:
        widget = SOURCES[self.source.currentData()][1](self.window_)
        return widget.width(), widget.height()

    def _fill_sizes(self, width) -> None:
        w, h = self.shown_size()
        self.size.clear()
        self.size.addItem(f"As shown ({even(w)}×{even(h)})", None)
        for choice in WIDTHS:
            if choice < w:
                cw, ch = output_size((w, h), choice)
                self.size.addItem(f"{cw}×{ch}", choice)
        self.size.setCurrentIndex(max(0, self.size.findData(width)))

    def _on_source(self, _index: int) -> None:
        self._fill_sizes(self.size.currentData())
        path = Path(self.path.text().strip())
        if path.stem == self._source:  # the name it suggested: follow the new choice
            self.path.setText(str(path.with_name(self.source.currentData() + path.suffix)))
        self._source = self.source.currentData()

    def _on_unit(self, _index: int = 0) -> None:
        seconds = self.unit.currentData() == "seconds"
        self.limit.setRange(1, MAX_SECONDS if seconds else MAX_EPOCHS)
        self.limit.setToolTip("Seconds of recording" if seconds else
                              "Epochs of training to record")

    def _fix_suffix(self) -> None:
        text = self.path.text().strip()
        if text:
            p = Path(text)
            if p.suffix.lower() in (".gif", ".mp4", ""):
                self.path.setText(str(p.with_suffix("." + self.fmt())))

    def _browse(self) -> None:
        kind = "GIF animations (*.gif)" if self.fmt() == "gif" else "MP4 videos (*.mp4)"
        path, _ = QFileDialog.getSaveFileName(self, "Record to", self.path.text(), kind)
        if path:
            self.path.setText(path)
            self._fix_suffix()

    # ----------------------------------------------------------------- checking
    def problem(self) -> str | None:
        """What stops these choices from working, in one line, or None."""
        fmt = self.fmt()
        missing = missing_for(fmt)
        if missing:
            return missing
        text = self.path.text().strip()
        if not text:
            return "choose a file to record to"
        path = Path(text).expanduser()
        if path.suffix.lower() != "." + fmt:
            return f"the file name must end in .{fmt}"
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            return f"the folder {str(folder)!r} does not exist"
        if not os.access(folder, os.W_OK):
            return f"the folder {str(folder)!r} cannot be written to"
        if path.is_dir():
            return f"{str(path)!r} is a folder"
        if fmt == "gif" and self.unit.currentData() == "seconds":
            size = output_size(self.shown_size(), self.size.currentData())
            frames, cap = self.fps.value() * self.limit.value(), gif_frame_limit(size)
            if frames > cap:
                return (f"a GIF of {size[0]}×{size[1]} holds at most {cap} frames "
                        f"({cap // self.fps.value()} s at {self.fps.value()} frames/s): choose "
                        f"a smaller size, fewer frames a second, a shorter time or MP4")
        return None

    def accept(self) -> None:
        problem = self.problem()
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        self.plan = RecordPlan(self.source.currentData(), self.fmt(), self.fps.value(),
                               self.limit.value(), self.unit.currentData(),
                               self.size.currentData(),
                               str(Path(self.path.text().strip()).expanduser()),
                               self.start_training.isChecked())
        super().accept()


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        row.addWidget(w, 1 if isinstance(w, QLineEdit) else 0)
    row.addStretch(0)
    return box

