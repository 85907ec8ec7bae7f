"""What a snapshot costs with more than two inputs (the grids over a slice or the PCA plane),
against a two-input snapshot of a network of the same width, in the same process.

    python bench/plane_bench.py [--rounds 7]

The worker takes a snapshot about 33 times a second while training flat out (40² grids, no
fine grid): that is the fast path. For each bundled data set it prints the median time of such
a snapshot on the default slice, on a chosen slice with held values, and on the PCA plane, and
each one's ratio to the baseline: the circle data set (two inputs) with the same hidden layers.
The confusion matrix is left out of every figure (the worker refreshes it once an epoch while
running, not per snapshot), so the ratios are those of the plane alone.

Medians of ``--rounds`` alternating rounds; figures, not pass/fail.
"""
from __future__ import annotations

import argparse
import pathlib
import statistics
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from bench.timing import timed  # noqa: E402
from model.data.bundled import BUNDLED, bundled_path  # noqa: E402
from model.data.csvdata import load_csv  # noqa: E402
from model.data.plane import PlaneSpec  # noqa: E402
from model.playground import Playground, Settings  # noqa: E402
from model.snapshot import take_snapshot  # noqa: E402

SETTINGS = Settings(hidden=(8, 8))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    np.seterr(all="ignore")
    base = Playground(SETTINGS)
    base.trainer.step_epoch()
    base.confusion = lambda fresh=True: None
    for name in BUNDLED:
        pg = Playground(SETTINGS, data=load_csv(bundled_path(name)))
        pg.trainer.step_epoch()
        pg.confusion = lambda fresh=True: None  # the plane's cost alone (see the doc)
        d = len(pg.data.input_names)
        held = PlaneSpec("slice", (d - 1, 0), tuple(float(v) for v in pg.held_values() * 1.1))
        cases = {"default slice": None, "held values": held, "PCA plane": PlaneSpec("pca")}
        times: dict[str, list[float]] = {"baseline": [], **{k: [] for k in cases}}
        for _ in range(args.rounds):
            times["baseline"].append(timed(lambda: take_snapshot(base, 0, 40, running=True), 10))
            for label, spec in cases.items():
                # the worker draws one choice for many frames: one call first, as its first
                # frame, then the steady state
                take_snapshot(pg, 0, 40, running=True, plane=spec)
                times[label].append(timed(
                    lambda: take_snapshot(pg, 0, 40, running=True, plane=spec), 10))
        b = statistics.median(times["baseline"])
        parts = [f"{label} {statistics.median(times[label]) * 1e3:.2f} ms "
                 f"(×{statistics.median(times[label]) / b:.2f})" for label in cases]
        print(f"{name} ({d} inputs): two-input baseline {b * 1e3:.2f} ms; " + ", ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
