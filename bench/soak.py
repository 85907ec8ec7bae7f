"""Memory over a long flat-out run: does anything grow with the epochs?

Trains flat out for ``--minutes`` (headless, or in the real window with ``--window``, offscreen
unless QT_QPA_PLATFORM says otherwise), samples the process's resident memory (RSS) and the
number of Python objects the garbage collector tracks every ``--every`` seconds, and prints one
JSON line:

    rss_start_mb, rss_end_mb   RSS after the warm-up and at the end
    rss_slope_mb_per_hour      least-squares slope of RSS over the samples after the warm-up
    rss_growth_mb              largest RSS seen minus RSS after the warm-up
    objects_start, objects_end Python objects tracked by gc (after a collection), counting
                               those the window froze out of the collector's way
                               (gui/shell/collector.py)
    objects_slope_per_hour     their least-squares slope
    epochs                     epochs trained

The project's goal (issue 9, its own target): RSS flat within 5 MB over a 1-hour flat-out soak.

    python bench/soak.py --minutes 60 [--window] [--hidden 8x16]
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import pathlib
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from model.playground import Playground, Settings  # noqa: E402

WARM_UP_S = 20.0


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def sample() -> tuple[float, float, int]:
    gc.collect()
    return time.monotonic(), rss_mb(), len(gc.get_objects()) + gc.get_freeze_count()


def slope_per_hour(samples, column: int) -> float:
    t = np.array([s[0] for s in samples])
    y = np.array([s[column] for s in samples], dtype=float)
    if len(t) < 2 or np.ptp(t) == 0:
        return 0.0
    return float(np.polyfit(t - t[0], y, 1)[0] * 3600.0)


def headless(settings: Settings, seconds: float, every: float) -> tuple[list, int]:
    pg = Playground(settings)
    trainer, samples = pg.trainer, []
    t0 = time.monotonic()
    next_sample = t0 + WARM_UP_S
    while time.monotonic() - t0 < seconds:
        trainer.step_epoch()
        if trainer.diverged:
            raise SystemExit(f"the soak's run diverged: {trainer.diverged}")
        if time.monotonic() >= next_sample:
            samples.append(sample())
            next_sample += every
    return samples, trainer.epoch


def in_window(settings: Settings, seconds: float, every: float) -> tuple[list, int]:
    from PySide6.QtCore import QEventLoop, QStandardPaths, QTimer
    from PySide6.QtWidgets import QApplication

    from gui.shell.main_window import MainWindow
    from gui.shell.worker import FLAT_OUT

    app = QApplication.instance() or QApplication([])
    QStandardPaths.setTestModeEnabled(True)  # the autosave stays out of the user's folders
    window = MainWindow(settings)
    window.show()
    from gui.shell import collector
    collector.take_over(app)  # as gui.app.run_app does
    samples: list = []

    def take():
        samples.append(sample())

    def spin(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    spin(500)
    window.controls.speed.setValue(FLAT_OUT)
    window.play()
    spin(int(WARM_UP_S * 1000))
    timer = QTimer()
    timer.timeout.connect(take)
    timer.start(int(every * 1000))
    take()
    spin(int(max(seconds - WARM_UP_S, 0) * 1000))
    timer.stop()
    epochs = window.latest_snapshot.epoch
    window.pause()
    window.close()
    window.shutdown()
    return samples, epochs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--window", action="store_true", help="train in the real window")
    parser.add_argument("--hidden", default="4,2", help="e.g. 4,2 or 8x16")
    args = parser.parse_args()
    if "x" in args.hidden:
        n, width = (int(v) for v in args.hidden.split("x"))
        hidden = (width,) * n
    else:
        hidden = tuple(int(v) for v in args.hidden.split(","))
    settings = Settings(dataset="spiral", hidden=hidden, batch_size=10)
    run = in_window if args.window else headless
    samples, epochs = run(settings, args.minutes * 60.0, args.every)
    if len(samples) < 2:
        raise SystemExit("too short: give more --minutes than the 20 s warm-up")
    rss = [s[1] for s in samples]
    print(json.dumps({
        "mode": "window" if args.window else "headless", "hidden": list(hidden),
        "minutes": args.minutes, "samples": len(samples), "epochs": epochs,
        "rss_start_mb": round(rss[0], 2), "rss_end_mb": round(rss[-1], 2),
        "rss_growth_mb": round(max(rss) - rss[0], 2),
        "rss_slope_mb_per_hour": round(slope_per_hour(samples, 1), 2),
        "objects_start": samples[0][2], "objects_end": samples[-1][2],
        "objects_slope_per_hour": round(slope_per_hour(samples, 2), 1),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
