"""What recording costs the window: the capture on the GUI thread, against drawing one frame.

Opens the real main window at 1280×800 (offscreen unless QT_QPA_PLATFORM says otherwise),
trains circle flat out, and for each source (decision boundary, network graph, whole window)
times the recorder's own capture (``widget.grab().toImage()`` with the trainer standing
aside) ``--frames`` times. The baseline, measured in the same process and the same state, is
the window drawing one snapshot (``MainWindow._on_draw_timer``). Then records 3 s of each
source as a GIF at 10 frames/s through the real Recorder and reports what it dropped.
Prints one JSON line per source:

    capture_ms_median / capture_ms_p90   one capture on the GUI thread (logical 1280×800)
    draw_ms_median                       one frame of the window (the baseline)
    capture_per_draw                     capture_ms_median / draw_ms_median
    duty_at_10fps                        the GUI thread's share spent capturing at 10 frames/s
    encode_ms_median                     the encoder thread's conversion + quantisation per
                                         frame (its own thread: it does not stall the window)
    recorded_frames, dropped, skipped    the 3 s GIF: frames kept, dropped by the bounded
                                         queue, skipped because a capture took too long

    QT_QPA_PLATFORM=offscreen python bench/record_bench.py [--frames 40]
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from model.playground import Settings  # noqa: E402


def pump(app, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.002)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=40, help="captures timed per source")
    args = parser.parse_args()

    from PIL import Image
    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QApplication

    from gui.files import frame_encoder, recorder
    from gui.files.record_dialog import SOURCES, RecordPlan, output_size
    from gui.shell.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    QStandardPaths.setTestModeEnabled(True)  # no autosaved session in the user's folders
    window = MainWindow(Settings(), restore_layout=False)
    window.resize(1280, 800)
    window.show()
    pump(app, 1.0)
    window.play()
    pump(app, 1.0)
    rec = recorder.install(window)
    out = pathlib.Path(tempfile.mkdtemp(prefix="bp-record-bench-"))
    try:
        for key in SOURCES:
            widget = SOURCES[key][1](window)
            captures, draws, encodes = [], [], []
            size = output_size((widget.width(), widget.height()), None)
            for _ in range(args.frames):
                pump(app, 0.03)
                if window.latest_snapshot is not None:  # the baseline: one frame drawn
                    window._pending = window.latest_snapshot
                    t = time.perf_counter()
                    window._on_draw_timer()
                    draws.append(time.perf_counter() - t)
                t = time.perf_counter()
                with window.worker.gui_frame():
                    image = widget.grab().toImage()
                captures.append(time.perf_counter() - t)
                t = time.perf_counter()
                array = frame_encoder.fit(recorder.qimage_rgb(image), size)
                Image.fromarray(array).quantize(colors=256)  # what the GIF writer does
                encodes.append(time.perf_counter() - t)
            plan = RecordPlan(source=key, fps=10, limit=3, path=str(out / f"{key}.gif"),
                              start_training=False)
            rec.start(plan)
            while rec.busy:
                pump(app, 0.05)
            enc = rec.last
            capture = float(np.median(captures)) * 1000
            draw = float(np.median(draws)) * 1000 if draws else float("nan")
            print(json.dumps({
                "source": key, "size": f"{size[0]}x{size[1]}",
                "capture_ms_median": round(capture, 2),
                "capture_ms_p90": round(float(np.percentile(captures, 90)) * 1000, 2),
                "draw_ms_median": round(draw, 2),
                "capture_per_draw": round(capture / draw, 2),
                "duty_at_10fps": round(capture / 100.0, 3),
                "encode_ms_median": round(float(np.median(encodes)) * 1000, 2),
                "recorded_frames": enc.written, "dropped": enc.dropped,
                "skipped": rec.skipped, "state": enc.state,
                "file_kb": round(enc.size_bytes / 1000, 1)}))
    finally:
        window.shutdown()
        window.close()
        for f in out.iterdir():
            f.unlink()
        out.rmdir()


if __name__ == "__main__":
    main()
