"""What the numbers on the graph cost: label placement and zoom relayout, per network.

For each network (2-4-2-1, 4 features 6-6, 8 × 16 with 7 features) in a 640 × 420 graph it
times, as medians over ``--repeat`` runs in this process:

    restyle_ms    a plain snapshot (the per-frame baseline: pens and thumbnails)
    labels_ms     set_annotations with every neuron and 40 edges labelled, as a lesson
                  phase or the data point view (4 times a second) does
    zoom_ms       one Ctrl + wheel notch: the whole layout on a larger canvas
    labels_ratio  labels_ms / restyle_ms

and prints one JSON line per network. Nothing here is asserted: it is a measurement.

    QT_QPA_PLATFORM=offscreen python bench/label_bench.py [--repeat 15]
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from model.playground import Playground, Settings  # noqa: E402
from model.snapshot import take_snapshot  # noqa: E402

NETWORKS = {
    "2-4-2-1": Settings(hidden=(4, 2)),
    "spiral-4f-6-6": Settings(dataset="spiral", features=("x1", "x2", "x1^2", "x2^2"),
                              hidden=(6, 6)),
    "8x16": Settings(hidden=(16,) * 8,
                     features=("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")),
}


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])
    from gui.graph.network_view import NetworkView

    for name, settings in NETWORKS.items():
        pg = Playground(settings)
        pg.trainer.step_batch()
        snaps = [take_snapshot(pg, run_id=1)]
        pg.trainer.step_batch()
        snaps.append(take_snapshot(pg, run_id=1))
        view = NetworkView()
        view.resize(640, 420)
        view.show()
        app.processEvents()
        view.set_snapshot(snaps[0])
        sizes = snaps[0].sizes
        flip = iter(range(10 ** 9))
        restyle = median_ms(lambda: view.set_snapshot(snaps[next(flip) % 2]), args.repeat)
        neurons = [{(c, u): (f"a={k}.{u}{c}21", f"{k}.{u}") for c, n in enumerate(sizes)
                    for u in range(n)} for k in (1, 2)]
        edges = {(1, i, j): (f"Δ+0.000{i}{j}1", f"+{i}e−4") for i in range(sizes[1])
                 for j in range(sizes[2])}
        edges = dict(list(edges.items())[:40])
        labels = median_ms(lambda: view.set_annotations(neurons[next(flip) % 2], edges, 1),
                           args.repeat)
        zoom = median_ms(lambda: view.set_zoom(1.2 if view.zoom < 1.1 else 1.0), args.repeat)
        print(json.dumps({"network": name, "edges": len(view._edges), "restyle_ms": restyle,
                          "labels_ms": labels, "zoom_ms": zoom,
                          "labels_ratio": round(labels / max(restyle, 1e-9), 2),
                          "hidden_labels": len(view.hidden_labels())}))
        view.close()


if __name__ == "__main__":
    main()
