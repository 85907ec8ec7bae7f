"""The window's smoothness while the trainer runs flat out, against headless training.

Opens the real main window (offscreen unless QT_QPA_PLATFORM says otherwise), trains spiral
with hidden [8, 8], batch 10, flat out for ``--seconds`` and prints one JSON line:

    fps                    frames the window actually drew per second
    epochs_per_s           epochs trained per second with the window open
    headless_epochs_per_s  the same training without the window (same process, same loop
                           as the command line: Trainer.step_epoch), the mean of a run
                           before and one after the window's
    ratio                  epochs_per_s / headless_epochs_per_s
    max_stall_ms           longest gap between two ticks of a 10 ms timer on the GUI thread
    p99_stall_ms           99th percentile of those gaps

Targets: fps >= 30, max_stall_ms <= 100, ratio >= 0.5.

    QT_QPA_PLATFORM=offscreen python bench/gui_bench.py [--seconds 10]
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from model.playground import Playground, Settings  # noqa: E402

SETTINGS = Settings(dataset="spiral", hidden=(8, 8), batch_size=10)


def headless_rate(seconds: float) -> float:
    pg = Playground(SETTINGS)
    trainer = pg.trainer
    trainer.step_epoch()  # warm-up
    start_epoch, t0 = trainer.epoch, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        trainer.step_epoch()
    return (trainer.epoch - start_epoch) / (time.perf_counter() - t0)


def window_run(seconds: float) -> dict:
    import pyqtgraph as pg
    from PySide6.QtCore import QEventLoop, QStandardPaths, QTimer
    from PySide6.QtWidgets import QApplication

    from gui.shell.main_window import MainWindow
    from gui.shell.worker import FLAT_OUT

    app = QApplication.instance() or QApplication([])
    # the window keeps an autosaved session on close: not in the user's own folders
    QStandardPaths.setTestModeEnabled(True)
    pg.setConfigOptions(antialias=True)
    window = MainWindow(SETTINGS)
    window.show()

    def spin(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    spin(500)  # first snapshot drawn, layout settled
    window.controls.speed.setValue(FLAT_OUT)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)

    def epoch_now() -> int:
        return window.worker.call(lambda p: p.trainer.epoch).result(timeout=10)

    window.play()
    spin(300)  # past the start-up
    frames0, epoch0 = window.frames_drawn, epoch_now()
    t0 = time.perf_counter()
    last[0] = t0
    timer.start()
    spin(int(seconds * 1000))
    timer.stop()
    elapsed = time.perf_counter() - t0
    frames, epochs = window.frames_drawn - frames0, epoch_now() - epoch0
    window.pause()
    window.close()
    gaps_ms = np.array(gaps[1:]) * 1000.0
    return {"fps": frames / elapsed, "epochs_per_s": epochs / elapsed,
            "max_stall_ms": float(gaps_ms.max()) if len(gaps_ms) else float("nan"),
            "p99_stall_ms": float(np.percentile(gaps_ms, 99)) if len(gaps_ms) else float("nan")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--headless-seconds", type=float, default=3.0)
    args = parser.parse_args()
    # The machine's speed drifts (shared, turbo): measure headless before and after the
    # window and compare with the mean.
    before = headless_rate(args.headless_seconds)
    result = window_run(args.seconds)
    after = headless_rate(args.headless_seconds)
    headless = (before + after) / 2
    out = {"fps": round(result["fps"], 1), "epochs_per_s": round(result["epochs_per_s"], 1),
           "headless_epochs_per_s": round(headless, 1),
           "headless_before_after": [round(before, 1), round(after, 1)],
           "ratio": round(result["epochs_per_s"] / headless, 3),
           "max_stall_ms": round(result["max_stall_ms"], 1),
           "p99_stall_ms": round(result["p99_stall_ms"], 1),
           "seconds": args.seconds}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
