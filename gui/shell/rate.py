"""The training speed shown in the status bar, from the snapshots' own counters.

Flat out, "1 234 epochs/s" (thin spaces, as every count: model.numbers). Slower than an
epoch a second (the 1 or 5 steps/s speeds, a big data set), epochs/s would read "0", so the
speed is given in minibatch steps per second with the step count: "1.0 steps/s · step 37".
"""
from __future__ import annotations

from collections import deque

from model.numbers import format_count

WINDOW_S = 2.0  # the speed is averaged over the last this many seconds


class RateMeter:
    def __init__(self):
        self._samples: deque = deque()  # (time, steps) while running

    def text(self, snap, now: float) -> str:
        """The status text for ``snap`` (drawn at time ``now``, in seconds)."""
        if not snap.running:
            self._samples.clear()
            return "paused"
        samples = self._samples
        if samples and snap.steps < samples[-1][1]:
            samples.clear()  # a reset or a new run: the counters started again
        samples.append((now, snap.steps))
        while len(samples) > 2 and now - samples[0][0] > WINDOW_S:
            samples.popleft()
        if snap.epochs_per_s >= 1.0:
            return f"{format_count(round(snap.epochs_per_s))} epochs/s"
        (t0, s0), (t1, s1) = samples[0], samples[-1]
        if t1 - t0 < 0.5:  # not enough to measure yet
            return f"step {format_count(snap.steps)}"
        steps_per_s = (s1 - s0) / (t1 - t0)
        return f"{steps_per_s:.1f} steps/s · step {format_count(snap.steps)}"
