"""How figures are shown to people, in one place, so the command line and the window agree.

Accuracy is a percentage with one decimal ("98.8%", "100.0%"): never "1" next to "0.988".
Losses keep six significant digits. A missing figure (no test rows, no accuracy for a
regression) is "n/a". JSON output keeps the raw fractions; these are for text only.
"""
from __future__ import annotations

import math

MISSING = "n/a"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and not math.isfinite(x))


def format_accuracy(x: float | None) -> str:
    """A fraction 0..1 as a percentage with one decimal: 0.9876 → "98.8%"."""
    return MISSING if _missing(x) else f"{100.0 * float(x):.1f}%"


def format_loss(x: float | None) -> str:
    """A loss with six significant digits: 0.0123456789 → "0.0123457"."""
    return MISSING if _missing(x) else f"{float(x):.6g}"


def finite_or_none(x):
    """``x`` as a float for JSON, or None when it is missing, NaN or infinite."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None
