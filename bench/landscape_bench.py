"""The loss landscape's cost: a 41×41 grid computed vectorised (``loss_surface``) against the
same grid computed one grid point at a time (set the weights, ``net.loss``), in the same
process, and against training: how many epochs one grid costs.

Spiral (50 % of 500 points train), features x1, x2, sin x1, sin x2, tanh, batch 10; a random
filter-normalised plane. Prints one JSON line per configuration: grid_s (vectorised),
loop_s (a grid point at a time), ratio = loop_s / grid_s, epoch_s, grid_in_epochs, and the
refresh interval that keeps the landscape under 20 % of the time. Medians of alternating rounds.

    python bench/landscape_bench.py [--rounds 7]
"""
from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from bench.timing import timed  # noqa: E402
from model.lessons.landscape import (RefreshThrottle, playground_surface,  # noqa: E402
                                     random_plane)
from model.playground import Playground, Settings  # noqa: E402

RESOLUTION = 41


def per_point(pg, plane, surface):
    """The same grid, a parameter vector at a time through the network's own loss."""
    net, t = pg.net.copy(), pg.trainer
    for v in surface.vs:
        for u in surface.us:
            net.params[:] = plane.params_at(u, v)
            net.loss(t.X_train, t.Y_train, t.loss.name)


def bench(hidden, n_points, rounds):
    pg = Playground(Settings(dataset="spiral", n_points=n_points, hidden=tuple(hidden),
                             features=("x1", "x2", "sin_x1", "sin_x2")))
    pg.trainer.train(5)
    plane = random_plane(pg.net, seed=1)
    surface = playground_surface(pg, plane, resolution=RESOLUTION)  # warm-up
    grid, loop, epoch = [], [], []
    for _ in range(rounds):
        grid.append(timed(lambda: playground_surface(pg, plane, resolution=RESOLUTION)))
        loop.append(timed(lambda: per_point(pg, plane, surface)))
        epoch.append(timed(lambda: [pg.trainer.step_epoch() for _ in range(10)]) / 10)
    g, l, e = statistics.median(grid), statistics.median(loop), statistics.median(epoch)
    throttle = RefreshThrottle()
    throttle.done(g, 0.0)
    return {"config": f"spiral-{n_points} hidden={hidden} grid {RESOLUTION}x{RESOLUTION} "
                      f"({len(pg.X_train)} training rows, {pg.net.n_params} parameters)",
            "grid_s": round(g, 4), "loop_s": round(l, 4), "ratio": round(l / g, 2),
            "epoch_s": round(e, 5), "grid_in_epochs": round(g / e, 1),
            "refresh_every_s": round(throttle.next_due, 3)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    np.seterr(all="ignore")
    for hidden, n in (([8, 8], 500), ([4, 2], 500), ([8, 8], 40)):
        print(json.dumps(bench(hidden, n, args.rounds)), flush=True)


if __name__ == "__main__":
    main()
