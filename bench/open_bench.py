"""Does opening a big session freeze the window? The longest stall of the GUI thread while a
session is read, parsed and checked in the background, and what it costs.

A session with your own points is written to a temporary folder (``--rows`` points of two
inputs: 1,000,000 rows is about 50 MB). Then, in this process:

- ``parse``: ``json.loads`` of the file's text, plain (json's C parser, which holds the
  interpreter lock for the whole document) against ``model.files.reading.json_loads`` (a
  Python hook per number, so that other threads get their turn), each while a second thread
  wakes every 2 ms and records the longest gap between its wake-ups;
- ``window``: the real main window opens the file with File → Open session (the Opener:
  background thread, progress dialog), while a 10 ms QTimer in the GUI thread records the
  longest gap between its ticks until the file is read and checked (drawing a million points
  afterwards is the plots' business, not the reader's); then the same with the parse as it
  was before (plain ``json.loads``, arrays converted in one piece) as the baseline.

Prints one JSON line per measurement: seconds (median of the rounds), the longest gap
(median of the rounds' longest gaps), and for ``parse`` the ratio of the yielding parse's
time to the plain one (stable on a busy machine, where the seconds are not).

    QT_QPA_PLATFORM=offscreen python bench/open_bench.py [--rows 1000000] [--rounds 3]
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def write_session(path: pathlib.Path, rows: int) -> None:
    import numpy as np

    from model.data.datasets import Data
    from model.files.session import save_session
    from model.playground import Playground, Settings

    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    k = int(rows * 0.8)
    pg = Playground(Settings())
    pg.set_data(Data(X[:k], y[:k], X[k:], y[k:], "classification", ("a", "b"), ("no", "yes"),
                     "big", "file"))
    save_session(pg, path, {})


def longest_gap_while(fn, period: float = 0.002) -> tuple[float, float]:
    """(seconds fn took, longest gap between a second thread's wake-ups meanwhile)."""
    gaps, stop = [0.0], threading.Event()

    def tick():
        last = time.perf_counter()
        while not stop.is_set():
            time.sleep(period)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
    t = threading.Thread(target=tick, daemon=True)
    t.start()
    t0 = time.perf_counter()
    fn()
    took = time.perf_counter() - t0
    stop.set()
    t.join()
    return took, max(gaps)


def bench_parse(path: pathlib.Path, rounds: int) -> list[dict]:
    from model.files.reading import json_loads

    text = path.read_text(encoding="utf-8")
    out = []
    results = {}
    for name, fn in (("plain json.loads", lambda: json.loads(text)),
                     ("reading.json_loads", lambda: json_loads(text))):
        runs = [longest_gap_while(fn) for _ in range(rounds)]
        results[name] = runs
    plain = statistics.median(t for t, _ in results["plain json.loads"])
    for name, runs in results.items():
        took = statistics.median(t for t, _ in runs)
        out.append({"case": f"parse: {name}", "seconds": round(took, 3),
                    "longest_gap_s": round(statistics.median(g for _, g in runs), 3),
                    "ratio_to_plain": round(took / plain, 2)})
    return out


def bench_window(path: pathlib.Path, rounds: int) -> list[dict]:
    """The window's open as it is, and with plain json.loads and one-piece array conversion
    (how sessions were read before: the baseline, in the same process)."""
    from model.files import session

    yielding = bench_window_once(path, rounds, "window: File → Open session")
    saved = session.json_loads, session.ROWS_PER_CHUNK
    session.json_loads = lambda text, **options: json.loads(text, **options)
    session.ROWS_PER_CHUNK = 10 ** 12
    try:
        plain = bench_window_once(path, rounds, "window: the same, plain parse (baseline)")
    finally:
        session.json_loads, session.ROWS_PER_CHUNK = saved
    return [yielding, plain]


def bench_window_once(path: pathlib.Path, rounds: int, case: str) -> dict:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gui.files import opening, sessions
    from gui.shell.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.show()
    opener = opening.install(window)
    ses = sessions.install(window)
    took, gaps = [], []
    for _ in range(rounds):
        settle = time.perf_counter() + 3.0  # the previous round's data is drawn meanwhile
        while time.perf_counter() < settle:
            app.processEvents()
            time.sleep(0.005)
        done = []
        opener.opened.connect(lambda *args: done.append(args))
        ticks = [time.perf_counter()]
        longest = [0.0]

        def tick():
            now = time.perf_counter()
            if not done:  # until the file is read and checked (drawing the data comes after)
                longest[0] = max(longest[0], now - ticks[0])
            ticks[0] = now
        timer = QTimer()
        timer.timeout.connect(tick)
        timer.start(10)
        t0 = time.perf_counter()
        ses.open_path(path)
        while not done:
            app.processEvents()
            time.sleep(0.001)
        took.append(time.perf_counter() - t0)
        timer.stop()
        gaps.append(longest[0])
        opener.opened.disconnect()
        assert done[0][2], done
    window.shutdown()
    window.close()
    return {"case": case, "seconds": round(statistics.median(took), 3),
            "longest_gui_gap_s": round(statistics.median(gaps), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "big.json"
        write_session(path, args.rows)
        print(json.dumps({"file_mb": round(path.stat().st_size / 2 ** 20, 1),
                          "rows": args.rows}))
        for line in bench_parse(path, args.rounds):
            print(json.dumps(line))
        for line in bench_window(path, args.rounds):
            print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
