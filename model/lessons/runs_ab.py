"""Comparing runs: what differs between them, and fair comparisons ("duplicate with a
change" and the tutorials' batch preset).

A fair A/B comparison changes one thing: the new run starts from the same initial weights (bit
for bit), the same data and the same seed (so the same shuffling) as the run it duplicates.
The preset "full batch vs minibatch vs SGD" trains three runs that differ only in the batch
size: all the training rows, 10, and 1.
"""
from __future__ import annotations

import dataclasses
import time

from model.lessons.runs import Run, RunLog, settings_changes, show_value
from model.playground import Playground, Settings

#: changes whose point is other initial weights: a duplicate then draws its own from the seed
NEW_WEIGHTS = frozenset({"seed", "init_scheme"})

BATCH_SENTENCE = (
    "Against epochs, SGD (batch 1) falls fastest: each epoch it takes one small, noisy step per "
    "example where full batch takes a single exact one; against steps, full batch falls the "
    "most and most smoothly per step, but every one of its steps looks at all the examples.")


def describe_changes(changes) -> str:
    """'lr 0.03 → 0.1, batch_size 10 → 1' (or 'no change')."""
    return ", ".join(f"{k} {show_value(a)} → {show_value(b)}" for k, a, b in changes) or "no change"


def legend_labels(runs) -> list[str]:
    """A legend entry per run naming what differs between the runs shown: the run's name and
    the settings (at their start) whose values are not all the same, e.g. 'Run 2: lr 0.1'."""
    runs = list(runs)
    keys = [f.name for f in dataclasses.fields(Settings)
            if len({repr(getattr(r.settings, f.name)) for r in runs}) > 1]
    out = []
    for r in runs:
        diff = ", ".join(f"{k} {show_value(getattr(r.settings, k))}" for k in keys)
        out.append(f"{r.name}: {diff}" if diff else r.name)
    return out


def playground_for(run: Run, data=None, **change) -> Playground:
    """A playground from ``run``'s settings with exactly one setting changed, the same data
    (``data`` if given, else the run's own points or its generator settings) and the same initial
    weights bit for bit, unless the change is the seed or the initialiser or changes the shape
    of the network: then the seed draws them."""
    if len(change) != 1:
        raise ValueError("duplicate with exactly one setting changed")
    (key, value), = change.items()
    if key not in {f.name for f in dataclasses.fields(Settings)}:
        raise ValueError(f"unknown setting {key!r}")
    settings = run.settings.replace(**{key: value})
    if getattr(settings, key) == getattr(run.settings, key):
        raise ValueError(f"{key} is already {show_value(getattr(run.settings, key))}: "
                         f"that is no change")
    data = data if data is not None else run.data
    if data is None and run.own_data:
        raise ValueError(f"{run.name} trained on your own points, which are not kept with it "
                         f"(open that data first)")
    fresh = Playground(settings, data=data)
    params = run.initial_params
    if key in NEW_WEIGHTS or params is None or params.shape != fresh.net.params.shape \
            or (run.sizes and tuple(fresh.net.sizes) != tuple(run.sizes)):
        return fresh
    net = fresh.net.copy()
    net.params[:] = params
    return Playground(settings, data=data, network=net)


def batch_preset(settings: Settings, data=None) -> list[tuple[str, Playground]]:
    """(label, playground) for batch sizes N (every training row), 10 and 1: the same data and
    the same initial weights, nothing else different."""
    base = Playground(settings, data=data)
    n = len(base.X_train)
    out = []
    for label, size in ((f"full batch ({n})", n), (f"minibatch ({min(10, n)})", min(10, n)),
                        ("SGD (1)", 1)):
        s = settings.replace(batch_size=size)
        out.append((label, Playground(s, data=base.custom_data, network=base.net.copy())))
    return out


def train_run(pg: Playground, epochs: int, name: str, origin: str = "preset",
              time_budget: float | None = None, stop=None) -> Run:
    """Train ``pg`` for ``epochs`` epochs (or until ``time_budget`` seconds, or until
    ``stop()`` is true, asked after every epoch) and return its record, timed epoch by epoch.
    The run is not in any log: ``RunLog.add`` it."""
    log = RunLog()
    run = log.start(pg, origin=origin, name=name)
    t_start = time.perf_counter()
    for _ in range(int(epochs)):
        t0 = time.perf_counter()
        ok = pg.trainer.step_epoch()
        log.record(pg, seconds=time.perf_counter() - t0)
        if not ok or (time_budget is not None and time.perf_counter() - t_start > time_budget) \
                or (stop is not None and stop()):
            break
    return run


def run_batch_preset(settings: Settings, epochs: int = 50, log: RunLog | None = None,
                     data=None) -> list[Run]:
    """The three runs of ``batch_preset`` trained for ``epochs`` epochs each, with the changes
    against the first named; added to ``log`` when given."""
    runs = []
    for label, pg in batch_preset(settings, data):
        run = train_run(pg, epochs, label)
        if runs:
            run.changes = settings_changes(runs[0].settings, run.settings)
        runs.append(log.add(run) if log is not None else run)
    return runs
