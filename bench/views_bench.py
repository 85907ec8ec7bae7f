"""What the loss landscape and the Runs panel cost training, measured in the same process.

1. The window (offscreen unless QT_QPA_PLATFORM says otherwise) trains flat out with the
   loss landscape dock closed, then open (two chosen weights, 41×41 grid, refreshed as the
   view's throttle allows), alternating, ``--rounds`` times each for ``--seconds``. Prints
   epochs/s closed and open (medians), the median of each round's ratio (open / closed: at
   least 0.8), the refreshes per second, and the view's share of the time: computing frames
   in the worker plus drawing them (the trainer stands aside meanwhile), which the view's
   throttle keeps at or under 0.2. On a busy machine the epochs/s ratio is noisy (the window
   and the trainer share two cores with everything else); the share is what the view does.
2. Headless: ``Trainer.step_epoch`` alone against the same loop that also calls the
   observers the window always has for these views (the Runs panel's ``RunLog`` and the
   landscape's ``PathRecorder``) after every epoch, as the worker does: short alternating
   chunks on the same trainer, medians; ratio = with / without.

    QT_QPA_PLATFORM=offscreen python bench/views_bench.py [--seconds 4] [--rounds 3]
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="bp-bench-home-")
os.environ["HOME"] = _HOME
for _var, _sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                   ("XDG_CACHE_HOME", ".cache")):
    os.environ[_var] = os.path.join(_HOME, _sub)
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from model.playground import Playground, Settings  # noqa: E402

SETTINGS = {"circle 4-2": Settings(),
            "spiral 8-8": Settings(dataset="spiral", hidden=(8, 8),
                                   features=("x1", "x2", "sin_x1", "sin_x2"))}


def headless(settings: Settings, seconds: float, rounds: int) -> dict:
    from model.lessons.landscape import PathRecorder
    from model.lessons.runs import RunLog

    pg = Playground(settings)
    observers = [RunLog(), PathRecorder()]
    for o in observers:
        o.on_new_run(pg)
    t = pg.trainer

    def rate(notify: bool, chunk: float) -> float:
        t0, e0 = time.perf_counter(), t.epoch
        while time.perf_counter() - t0 < chunk:
            t.step_epoch()
            if notify:
                for o in observers:
                    o.on_epoch(pg)
        return (t.epoch - e0) / (time.perf_counter() - t0)

    # short alternating chunks on the same trainer: the machine's drift hits both alike
    plain, observed = [], []
    for _ in range(rounds * 10):
        plain.append(rate(False, seconds / 10))
        observed.append(rate(True, seconds / 10))
    ratios = [b / a for a, b in zip(plain, observed)]
    return {"without_epochs_per_s": round(statistics.median(plain), 1),
            "with_epochs_per_s": round(statistics.median(observed), 1),
            "ratio": round(statistics.median(ratios), 3)}


def in_window(settings: Settings, seconds: float, rounds: int) -> dict:
    import pyqtgraph as pg
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from gui.shell.main_window import MainWindow
    from gui.shell.worker import FLAT_OUT

    QApplication.instance() or QApplication([])
    pg.setConfigOptions(antialias=True)
    window = MainWindow(settings, restore_layout=False)
    window.resize(1280, 800)
    window.show()

    def spin(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def epoch_now() -> int:
        return window.worker.call(lambda p: p.trainer.epoch).result(timeout=10)

    spin(500)
    window.controls.speed.setValue(FLAT_OUT)
    view = window.views["landscape"]
    costs: list[float] = []
    relay = view._relay
    # connected after the view's own slot: draw_seconds is this frame's by then
    relay.finished.connect(lambda tag, f: costs.append(f.result().cost + view.draw_seconds)
                           if tag[0] == "frame" and not f.exception() else None)

    def one(open_: bool) -> tuple[float, float, float]:
        if open_:
            window.views.show_dock(view.dock)
        else:
            view.dock.hide()
        spin(300)
        window.play()
        spin(300)  # past the start-up
        costs.clear()
        e0, t0 = epoch_now(), time.perf_counter()
        spin(int(seconds * 1000))
        elapsed = time.perf_counter() - t0
        epochs = epoch_now() - e0
        window.pause()
        spin(300)
        return epochs / elapsed, len(costs) / elapsed, sum(costs) / elapsed

    closed, opened, refresh, share = [], [], [], []
    try:
        for _ in range(rounds):
            closed.append(one(False)[0])
            rate, per_s, busy = one(True)
            opened.append(rate)
            refresh.append(per_s)
            share.append(busy)
    finally:
        window.shutdown()
        window.close()
    a, b = statistics.median(closed), statistics.median(opened)
    ratios = [o / c for c, o in zip(closed, opened)]  # each round's pair
    return {"closed_epochs_per_s": round(a, 1), "open_epochs_per_s": round(b, 1),
            "ratio": round(statistics.median(ratios), 3),
            "refreshes_per_s": round(statistics.median(refresh), 2),
            "view_share_of_time": round(statistics.median(share), 3),
            "grid": f"{view.panel.grid.value()}x{view.panel.grid.value()}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for name, settings in SETTINGS.items():
        print(json.dumps({"bench": "landscape in the window", "network": name,
                          **in_window(settings, args.seconds, args.rounds)}), flush=True)
        print(json.dumps({"bench": "observers headless", "network": name,
                          **headless(settings, args.seconds / 2, args.rounds)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
