"""The timer the bench scripts share: figures, not pass/fail (medians are each script's)."""
from __future__ import annotations

import time


def timed(fn, repeat: int = 1) -> float:
    """Seconds per call of ``fn()``, over ``repeat`` calls in a row."""
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat
