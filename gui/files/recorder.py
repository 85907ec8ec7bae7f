"""Record what you see: an animated GIF or an MP4 of the decision boundary, the network graph
or the whole window while training runs (File → Record animation…, Ctrl+R, or the Record
button under the output plane).

A timer on the GUI thread grabs the widget at the chosen frame rate (while the trainer stands
aside, as for any frame the window draws) and hands the picture to a ``FrameEncoder``, which
converts, scales and encodes it in its own thread behind a bounded queue. A capture never
takes more than half of the window's time: after one that took c seconds the next waits at
least c more (the frame slot is then skipped, and the frame before lasts longer). Progress is
a notice above the graph with Stop and Cancel; when the file is written it gives its size.
Ctrl+R again (or Stop) ends the recording early; Cancel leaves no file.

Entry point: ``install(window) -> Recorder``.
"""
from __future__ import annotations

import time
from collections import deque
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QImage, QKeySequence
from PySide6.QtWidgets import QToolButton

from gui.data.data_io import insert_before_quit
from gui.files.frame_encoder import EncodeOptions, EncoderError, FrameEncoder
from gui.files.record_dialog import SOURCES, RecordDialog, RecordPlan, output_size
from gui.shell.docks import install_once, menu_named

SHORTCUT = "Ctrl+R"
PROGRESS_MS = 200  # how often the notice shows the progress
JOIN_S = 30.0  # the longest the window waits on close for an encoder to stop


def qimage_rgb(image: QImage) -> np.ndarray:
    """A captured QImage as an (h, w, 3) uint8 array (runs in the encoder's thread)."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, line = image.width(), image.height(), image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), np.uint8, count=line * h).reshape(h, line)
    return rows[:, :3 * w].reshape(h, w, 3).copy()  # the QImage's buffer goes with it


def file_size_text(n: int) -> str:
    """"830 bytes", "12.4 KB", "3.1 MB" (powers of 1000, as file managers show)."""
    if n < 1000:
        return f"{n} bytes"
    for unit in ("KB", "MB", "GB"):
        n /= 1000
        if n < 1000 or unit == "GB":
            return f"{n:.1f} {unit}"
    return f"{n:.1f} GB"


class Recorder(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.plan = RecordPlan()
        self.folder = str(Path.home())
        self.encoder: FrameEncoder | None = None
        self.last: FrameEncoder | None = None  # the last recording's encoder, once done
        self.dialog: RecordDialog | None = None
        self.widget = None
        self.capture_ms: deque = deque(maxlen=600)  # what each capture cost the GUI thread
        self.skipped = 0
        self._note = ""

        self.action = QAction("&Record animation…", window)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        tip = ("Record the decision boundary, the graph or the window as a GIF or an MP4 "
               f"while training runs; {SHORTCUT} again stops ({SHORTCUT})")
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)
        self.action.triggered.connect(self.toggle)
        window.addAction(self.action)
        insert_before_quit(menu_named(window, "&File"), window, [self.action])
        self.button = QToolButton()
        self.button.setToolTip(tip)
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space must still reach Play
        self.button.clicked.connect(self.toggle)
        metrics = self.button.fontMetrics()
        self.button.setMinimumWidth(max(metrics.horizontalAdvance(t) for t in
                                        ("● Record", "■ Stop", "Encoding…")) + 16)
        self._place_button()
        self._show_button("idle")

        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.progress = QTimer(self)
        self.progress.setInterval(PROGRESS_MS)
        self.progress.timeout.connect(self._show_progress)
        window.installEventFilter(self)

    def _place_button(self) -> None:
        """Under the output plane, at the end of the row of its check boxes."""
        view = self.window.output_view
        layout = view.layout()
        for k in range(layout.count()):
            row = layout.itemAt(k).layout()
            if row is not None and row.indexOf(view.discretize) >= 0:
                row.addWidget(self.button)
                # no taller than the check boxes: the row keeps its height, the plane its size
                self.button.setMaximumHeight(max(view.discretize.sizeHint().height(),
                                                 self.button.fontMetrics().height() + 4))
                return
        layout.addWidget(self.button)  # that row moved: under everything else

    # ----------------------------------------------------------------- state
    @property
    def recording(self) -> bool:
        return self.timer.isActive()

    @property
    def busy(self) -> bool:
        """Recording, or writing the last recording's file."""
        return self.encoder is not None

    def toggle(self) -> None:
        """Ctrl+R and the button: open the dialog, or stop the recording under way."""
        if self.recording:
            self.stop()
        elif self.busy:
            self._show_progress()  # still writing the last one: say so
        else:
            self.open_dialog()

    def open_dialog(self) -> RecordDialog:
        dialog = RecordDialog(self.window, self.plan, self.folder)
        dialog.accepted.connect(lambda: self.start(dialog.plan))
        self.dialog = dialog
        dialog.open()
        return dialog

    # ----------------------------------------------------------------- recording
    def start(self, plan: RecordPlan) -> bool:
        """Start recording as ``plan`` says; False (with a message) if it cannot."""
        if self.busy or plan is None:
            return False
        widget = SOURCES[plan.source][1](self.window)
        size = output_size((widget.width(), widget.height()), plan.width)
        try:
            encoder = FrameEncoder(EncodeOptions(Path(plan.path), plan.fmt, plan.fps, size),
                                   convert=qimage_rgb)
        except EncoderError as exc:
            self.window.warn("Record animation", f"Nothing was recorded:\n{exc}")
            return False
        self.plan, self.folder = plan, str(Path(plan.path).parent)
        self.encoder, self.widget, self.skipped, self._note = encoder, widget, 0, ""
        self.capture_ms.clear()
        snap = self.window.latest_snapshot
        self._epoch0 = snap.epoch if snap is not None else 0
        self._started_training = plan.start_training and not (snap is not None and snap.running)
        if self._started_training:
            self.window.play()
        encoder.start()
        self._t0 = time.perf_counter()
        self._last_tick, self._busy_until = -1, 0.0
        self._capture(self._t0)  # the first frame at once
        self.timer.start(max(1, round(1000 / plan.fps)))
        self.progress.start()
        self._show_button("recording")
        self._show_progress()
        return True

    def _tick_at(self, now: float) -> int:
        return int((now - self._t0) * self.plan.fps)

    def _tick(self) -> None:
        now, plan, enc = time.perf_counter(), self.plan, self.encoder
        if enc is None:
            return
        if enc.done.is_set():  # the encoder failed: the progress timer says why
            self.timer.stop()
            return
        if plan.unit == "seconds" and self._tick_at(now) >= plan.fps * plan.limit:
            self.stop(end_tick=plan.fps * plan.limit)
            return
        snap = self.window.latest_snapshot
        if plan.unit == "epochs" and snap is not None and snap.epoch >= self._epoch0 + plan.limit:
            self.stop(limit_reached=True)
            return
        if enc.full:
            self.stop(note=f"the GIF's frame limit ({enc.max_frames}) was reached")
            return
        if now < self._busy_until:
            self.skipped += 1  # the last capture was slow: give the window its time
            return
        self._capture(now)

    def _capture(self, now: float) -> None:
        tick = self._tick_at(now)
        if tick <= self._last_tick:
            return  # still the same frame slot
        start = time.perf_counter()
        with self.window.worker.gui_frame():  # the trainer stands aside, as for a frame
            image = self.widget.grab().toImage()
        cost = time.perf_counter() - start
        self.capture_ms.append(cost * 1000.0)
        # at most half of the GUI thread's time: the next capture waits as long again
        self._busy_until = start + 2.0 * cost
        self.encoder.offer(image, tick)
        self._last_tick = tick

    def stop(self, end_tick: int | None = None, limit_reached: bool = False,
             note: str = "") -> None:
        """Stop capturing and write the file (the last frame lasts until now)."""
        if not self.recording:
            return
        self.timer.stop()
        if end_tick is None:
            end_tick = max(self._tick_at(time.perf_counter()), self._last_tick + 1)
        self._end_tick = end_tick
        self._note = note
        self.encoder.finish(end_tick)
        if self._started_training and limit_reached:
            self.window.pause()  # "record 50 epochs": training stops with the film
        self._show_button("encoding")
        self._show_progress()

    def cancel(self) -> None:
        """Stop without writing anything (the file is not created or not replaced)."""
        if self.encoder is None:
            return
        self.timer.stop()
        self.encoder.cancel()
        self._show_progress()

    # ----------------------------------------------------------------- feedback
    def _show_button(self, state: str) -> None:
        text = {"idle": "● Record", "recording": "■ Stop", "encoding": "Encoding…"}[state]
        self.button.setText(text)
        self.button.setEnabled(state != "encoding")
        self.action.setText("Stop &recording" if state == "recording" else
                            "&Record animation…")

    def dropped_text(self, enc: FrameEncoder) -> str:
        parts = []
        if enc.dropped:
            parts.append(f"{enc.dropped} frame{'s' if enc.dropped != 1 else ''} dropped "
                         "(the encoder fell behind)")
        if self.skipped:
            parts.append(f"{self.skipped} skipped (capturing took longer than a frame)")
        return "; ".join(parts)

    def _show_progress(self) -> None:
        enc = self.encoder
        if enc is None:
            return
        w, plan = self.window, self.plan
        name = enc.options.path.name
        if self.recording:
            elapsed = time.perf_counter() - self._t0
            snap = w.latest_snapshot
            so_far = (f"{elapsed:.1f} s of {plan.limit} s" if plan.unit == "seconds" else
                      f"epoch {(snap.epoch if snap else 0) - self._epoch0} of {plan.limit}")
            dropped = enc.dropped + self.skipped
            text = (f"● Recording the {SOURCES[plan.source][0].lower()} to {name}: {so_far} · "
                    f"{enc.offered - enc.dropped} frames" +
                    (f" · {dropped} dropped" if dropped else ""))
            w.notify("recording", text, dismissable=False, actions=[
                ("Stop and save", self.stop, f"Write {name} now ({SHORTCUT})"),
                ("Cancel", self.cancel, "Stop and write nothing")])
        elif not enc.done.is_set():
            captured = enc.offered - enc.dropped
            text = (f"Writing {name} ({enc.written} frames)…" if enc.state == "writing" else
                    f"Encoding {name}: {enc.encoded} of {captured} frames…")
            w.notify("recording", text, dismissable=False, actions=[
                ("Cancel", self.cancel, "Stop and write nothing")])
        else:
            self._finished(enc)

    def _finished(self, enc: FrameEncoder) -> None:
        self.progress.stop()
        self.timer.stop()
        self.encoder, self.last, self.widget = None, enc, None
        self._show_button("idle")
        w, name = self.window, enc.options.path.name
        if enc.state == "done":
            seconds = self._end_tick / self.plan.fps
            details = "; ".join(p for p in (self._note, self.dropped_text(enc)) if p)
            text = (f"Saved {name}: {file_size_text(enc.size_bytes)}, {enc.written} frames, "
                    f"{seconds:.1f} s" + (f" ({details})" if details else ""))
            w.notify("recording", text, tooltip=str(enc.options.path))
            w.statusBar().showMessage(
                f"Saved {enc.options.path} ({file_size_text(enc.size_bytes)})")
        elif enc.state == "cancelled":
            w.notify("recording", "Recording cancelled: nothing was written")
        else:
            w.notify("recording", f"Recording failed, nothing was written: {enc.error}",
                     level="error")

    # ----------------------------------------------------------------- closing
    def eventFilter(self, obj, event) -> bool:
        if obj is self.window and event.type() == QEvent.Type.Close and self.encoder is not None:
            self.shutdown()
        return False

    def shutdown(self) -> None:
        """The window closes: stop capturing, throw the recording away, join the thread."""
        self.timer.stop()
        self.progress.stop()
        enc = self.encoder
        if enc is not None:
            enc.cancel()
            enc.join(JOIN_S)
            self.encoder, self.last = None, enc


def install(window) -> Recorder:
    """Add File → Record animation… (Ctrl+R) and the Record button; returns the controller."""
    return install_once(window, "recorder", lambda: Recorder(window))
