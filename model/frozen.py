"""Read-only copies: what crosses threads (snapshots, planes, surfaces, records) is a copy no
one else holds, and no one can change it."""
from __future__ import annotations

import numpy as np


def frozen_copy(a, dtype=float) -> np.ndarray:
    """A read-only copy of ``a``: safe to hand to another thread."""
    a = np.array(a, dtype=dtype, copy=True)
    a.flags.writeable = False
    return a
