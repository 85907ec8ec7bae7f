"""What the paused window's finer boundary and the run watch cost, against their baselines.

    python bench/snapshot_bench.py [--rounds 7]

Prints, per network (the default 2-4-2-1 and a big 8×16), the median time of:

- a snapshot as taken while training flat out (40² grids only) and one as taken paused or
  slow (plus the output on a FINE_GRID² grid), and their ratio;
- one epoch of training, and one epoch plus one run-watch measurement (``RunWatch.observe``
  without its time budget: every call measures), and their ratio. In the window and the
  command line the watch keeps to ``MAX_SHARE`` of the training time on top of this.

Medians of ``--rounds`` alternating rounds in one process; figures, not pass/fail.
"""
from __future__ import annotations

import argparse
import pathlib
import statistics
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from bench.timing import timed  # noqa: E402
from model.lessons.run_watch import RunWatch  # noqa: E402
from model.playground import Playground, Settings  # noqa: E402
from model.snapshot import take_snapshot  # noqa: E402

FINE_GRID = 121  # as gui/shell/worker.py (not imported: that module needs Qt)
NETWORKS = {"2-4-2-1": Settings(), "8x16": Settings(hidden=(16,) * 8)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    np.seterr(all="ignore")
    for name, settings in NETWORKS.items():
        pg = Playground(settings)
        pg.trainer.step_epoch()
        watch = RunWatch(max_share=None)
        watch.start(pg.trainer)
        coarse, fine, epoch, watched = [], [], [], []
        for _ in range(args.rounds):
            coarse.append(timed(lambda: take_snapshot(pg, 0, 40), 5))
            fine.append(timed(lambda: take_snapshot(pg, 0, 40, fine_resolution=FINE_GRID), 5))
            epoch.append(timed(pg.trainer.step_epoch, 5))

            def epoch_and_watch():
                pg.trainer.step_epoch()
                watch.observe(pg.trainer)
            watched.append(timed(epoch_and_watch, 5))
        c, f = statistics.median(coarse), statistics.median(fine)
        e, w = statistics.median(epoch), statistics.median(watched)
        print(f"{name}: snapshot {c * 1e3:.2f} ms, with the {FINE_GRID}² output grid "
              f"{f * 1e3:.2f} ms (×{f / c:.2f}); epoch {e * 1e3:.2f} ms, epoch + run watch "
              f"{w * 1e3:.2f} ms (×{w / e:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
