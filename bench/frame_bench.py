"""What one frame of the window costs per network size, without the trainer beside it.

``gui_bench.py`` measures frames while the trainer runs, where the other thread and the rest
of the machine move every figure by 10–20 %. This one first records real snapshots (the
window trains flat out for a second and keeps every snapshot it receives), pauses, and then
draws them again and again through the window's own frame (``MainWindow._on_draw_timer``:
the views' ``set_snapshot`` and the painting), so that every frame changes every edge and
thumbnail as in training. Per size it prints the median GUI-thread CPU time and wall time
of a frame, and the snapshot rate the cadence rule (``gui/shell/pacing.snapshot_interval``)
gives for that cost.

    QT_QPA_PLATFORM=offscreen python bench/frame_bench.py [--frames 300] [--sizes 8,8 16x8]

A size is hidden layers separated by commas, or ``NxK`` for K layers of N neurons.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from model.playground import Settings  # noqa: E402

SIZES = ("4,2", "8,8", "8x4", "16x8")


def parse_size(text: str) -> tuple[int, ...]:
    if "x" in text:
        n, k = text.split("x")
        return (int(n),) * int(k)
    return tuple(int(h) for h in text.split(",") if h)


def measure(hidden: tuple[int, ...], frames: int) -> dict:
    from PySide6.QtCore import QEventLoop, QObject, QTimer, Slot

    from gui.shell.main_window import MainWindow
    from gui.shell.pacing import snapshot_interval
    from gui.shell.worker import FLAT_OUT

    def spin(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    class Keep(QObject):
        def __init__(self):
            super().__init__()
            self.snaps = []

        @Slot(object)
        def take(self, snap):
            if snap.running:
                self.snaps.append(snap)

    window = MainWindow(Settings(dataset="spiral", hidden=hidden, batch_size=10))
    window.resize(1280, 800)
    window.show()
    spin(500)
    keep = Keep()
    window.worker.snapshot_ready.connect(keep.take)
    window.controls.speed.setValue(FLAT_OUT)
    window.play()
    spin(1500)
    window.pause()
    spin(300)
    snaps = keep.snaps[-30:]
    cpu, wall = [], []
    for k in range(frames):
        window._pending = snaps[k % len(snaps)]
        t0, c0 = time.perf_counter(), time.thread_time()
        window._on_draw_timer()
        cpu.append(time.thread_time() - c0)
        wall.append(time.perf_counter() - t0)
    window.shutdown()
    window.close()
    spin(100)
    wall_ms = statistics.median(wall) * 1000.0
    return {"hidden": list(hidden), "snapshots": len(snaps),
            "frame_cpu_ms": statistics.median(cpu) * 1000.0, "frame_wall_ms": wall_ms,
            "cadence_hz": 1.0 / snapshot_interval(wall_ms / 1000.0)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--sizes", nargs="*", default=list(SIZES))
    args = parser.parse_args()
    import pyqtgraph as pg
    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])  # noqa: F841 - kept alive
    QStandardPaths.setTestModeEnabled(True)  # the autosave stays out of the user's folders
    pg.setConfigOptions(antialias=True)
    load = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    print(f"load average before: {load}")
    print("| hidden | frame CPU ms (median) | frame wall ms (median) | cadence Hz |")
    print("|---|---|---|---|")
    for text in args.sizes:
        r = measure(parse_size(text), args.frames)
        print(f"| {r['hidden']} | {r['frame_cpu_ms']:.2f} | {r['frame_wall_ms']:.2f} | "
              f"{r['cadence_hz']:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
