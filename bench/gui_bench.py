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

Under load (issue 9.12; ``--hogs N`` starts N CPU-bound processes beside the window, e.g. 2 on a
2-core machine) it also prints:

    actions_max_stall_ms   longest GUI-thread stall during ``--actions-seconds`` of random
                           real actions (tests/gui/random_actions.py) while training flat out
    actions_p99_stall_ms   99th percentile of those gaps
    pause_ms               median time from Pause to the paused frame drawn, 8×16 network
                           trained flat out (``--pause-rounds`` presses), and every round
    pause_stop_ms          median time from Pause until the trainer stopped

The project's own targets for these (issue 9.12): the longest stall <= 250 ms with two hogs
(<= 50 ms on a quiet machine, issue 12), Pause <= 100 ms on 8×16. The script exits 1 when one is
short and names it.

    QT_QPA_PLATFORM=offscreen python bench/gui_bench.py [--seconds 10] [--hogs 2]
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


# ------------------------------------------------------------------ under load (issue 9.12)
#: the project's own targets (issue 9.12, issue 12): longest GUI-thread stall with and
#: without CPU hogs beside the window, and Pause on 8×16
QUIET_STALL_MS = 50.0
LOADED_STALL_MS = 250.0
PAUSE_MS = 100.0
PAUSE_SETTINGS = Settings(dataset="spiral", hidden=(16,) * 8, batch_size=10)


def start_hogs(n: int) -> list:
    """n CPU-bound processes (a plain Python busy loop each), to be stopped by stop_hogs."""
    import subprocess
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def stop_hogs(procs: list) -> None:
    for p in procs:
        p.kill()
    for p in procs:
        p.wait()


class StallMeter:
    """The gaps between the ticks of a 10 ms timer on the GUI thread: a gap far above 10 ms
    is a stall (the thread was busy, or waited for the GIL)."""

    def __init__(self):
        from PySide6.QtCore import Qt, QTimer
        self.gaps: list[float] = []
        self._last = 0.0
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> dict:
        self.timer.stop()
        ms = np.array(self.gaps) * 1000.0
        return {"max": float(ms.max()) if len(ms) else float("nan"),
                "p99": float(np.percentile(ms, 99)) if len(ms) else float("nan")}


def _app_and_spin():
    from PySide6.QtCore import QEventLoop, QStandardPaths, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    QStandardPaths.setTestModeEnabled(True)  # the autosave stays out of the user's folders

    def spin(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
    return app, spin


def actions_stall(seconds: float, seed: int = 1) -> dict:
    """The longest GUI-thread stall while random real actions (tests/gui/random_actions.py)
    drive the window and training runs flat out, about one action every 50 ms."""
    import tempfile

    from gui.shell.main_window import MainWindow
    from gui.shell.worker import FLAT_OUT
    from tests.gui.random_actions import Problems, RandomActions

    app, spin = _app_and_spin()
    window = MainWindow(SETTINGS)
    window.show()
    spin(500)
    window.controls.speed.setValue(FLAT_OUT)
    window.play()
    spin(300)
    problems = Problems().install()
    with tempfile.TemporaryDirectory() as folder:
        driver = RandomActions(window, seed, pathlib.Path(folder), problems)
        driver.patch_dialogs()
        meter = StallMeter()
        meter.start()
        end, n = time.perf_counter() + seconds, 0
        try:
            while time.perf_counter() < end:
                driver.step()
                n += 1
                spin(50)  # the user's pace; the meter ticks meanwhile
        finally:
            stalls = meter.stop()
            driver.close_dialogs()
            driver.unpatch()
            problems.uninstall()
            window.shutdown()
            window.close()
    return {"actions": n, "actions_max_stall_ms": stalls["max"],
            "actions_p99_stall_ms": stalls["p99"], "problems": len(problems.items)}


def pause_latency(rounds: int, train_s: float = 0.7) -> dict:
    """Pause pressed while 8×16 trains flat out: the time until the trainer stopped (the
    paused snapshot arrived) and until that frame was drawn; medians over ``rounds``."""
    from gui.shell.main_window import MainWindow
    from gui.shell.worker import FLAT_OUT

    app, spin = _app_and_spin()
    window = MainWindow(PAUSE_SETTINGS)
    window.show()
    spin(800)
    window.controls.speed.setValue(FLAT_OUT)
    arrived: list[float] = []

    def on_snapshot(snap) -> None:  # connected after the window's own slot: runs after it
        if not snap.running and snap.extras.get("seq", 0) >= window._seq and not arrived:
            arrived.append(time.perf_counter())
    window.worker.snapshot_ready.connect(on_snapshot)
    stops, draws = [], []
    for _ in range(rounds):
        window.play()
        spin(int(train_s * 1000))
        arrived.clear()
        frames = window.frames_drawn
        t0 = time.perf_counter()
        window.actions_.play.trigger()  # what Space does
        # an event loop that sleeps between events, as the app's does (a processEvents()
        # loop would keep the GUI thread "busy" and the trainer standing aside)
        while not arrived or (window._pending is not None and window.frames_drawn == frames):
            spin(1)
        drawn = time.perf_counter()
        stops.append((arrived[0] - t0) * 1000.0)
        draws.append((drawn - t0) * 1000.0)
        spin(200)
    window.shutdown()
    window.close()
    return {"pause_ms": float(np.median(draws)), "pause_stop_ms": float(np.median(stops)),
            "pause_rounds_ms": [round(d, 1) for d in draws]}


def load_targets_short(out: dict, hogs: int) -> list[str]:
    """The targets of issue 9.12 (and issue 12's quiet stall) that ``out`` misses."""
    short = []
    limit = LOADED_STALL_MS if hogs else QUIET_STALL_MS
    for key in ("max_stall_ms", "actions_max_stall_ms"):
        if key in out and not out[key] <= limit:
            short.append(f"{key} {out[key]} > {limit:g} ({hogs} hogs)")
    if "pause_ms" in out and not out["pause_ms"] <= PAUSE_MS:
        short.append(f"pause_ms {out['pause_ms']} > {PAUSE_MS:g}")
    if out.get("problems"):
        short.append(f"{out['problems']} problems during the random actions")
    return short


def under_load(args) -> dict:
    """Stalls during random actions and Pause latency, with ``--hogs`` CPU hogs running."""
    hogs = start_hogs(args.hogs)
    try:
        out = actions_stall(args.actions_seconds) if args.actions_seconds > 0 else {}
        if args.pause_rounds > 0:
            out.update(pause_latency(args.pause_rounds))
    finally:
        stop_hogs(hogs)
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in out.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--headless-seconds", type=float, default=3.0)
    parser.add_argument("--hogs", type=int, default=0,
                        help="CPU-bound processes to run beside the window (e.g. 2)")
    parser.add_argument("--actions-seconds", type=float, default=20.0,
                        help="random real actions for this long (0: none)")
    parser.add_argument("--pause-rounds", type=int, default=9,
                        help="Pause presses on 8×16 to take the median of (0: none)")
    args = parser.parse_args()
    if args.hogs < 0 or args.seconds <= 0:
        parser.error("--hogs must be 0 or more and --seconds positive")
    # The machine's speed drifts (shared, turbo): measure headless before and after the
    # window and compare with the mean.
    hogs = start_hogs(args.hogs)
    try:
        before = headless_rate(args.headless_seconds)
        result = window_run(args.seconds)
        after = headless_rate(args.headless_seconds)
    finally:
        stop_hogs(hogs)
    headless = (before + after) / 2
    out = {"fps": round(result["fps"], 1), "epochs_per_s": round(result["epochs_per_s"], 1),
           "headless_epochs_per_s": round(headless, 1),
           "headless_before_after": [round(before, 1), round(after, 1)],
           "ratio": round(result["epochs_per_s"] / headless, 3),
           "max_stall_ms": round(result["max_stall_ms"], 1),
           "p99_stall_ms": round(result["p99_stall_ms"], 1),
           "seconds": args.seconds}
    out.update(under_load(args))
    out["hogs"] = args.hogs
    short = load_targets_short(out, args.hogs)
    out["short"] = short
    print(json.dumps(out))
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
