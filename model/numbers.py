"""How figures are shown to people, in one place, so the command line and the window agree.

Accuracy is a percentage with one decimal ("98.8%", "100.0%"): never "1" next to "0.988".
Losses keep six significant digits. A missing figure (no test rows, no accuracy for a
regression) is "n/a". JSON output keeps the raw fractions; these are for text only.

Counts (epochs, steps, points, rows) group their digits by three with a thin space that never
breaks a line (U+202F): "1 234 567". The same in every language, unlike "," or "." (which
mean opposite things in English and German), and never mistaken for a decimal point. The
window uses ``format_count`` for every count; the command line keeps plain digits, which
scripts parse.
"""
from __future__ import annotations

import math

MISSING = "n/a"
#: the digit-group separator of counts: NARROW NO-BREAK SPACE, the thin space of typesetting
#: that a label never wraps at
GROUP = "\u202f"


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


def format_count(n, width: int = 0) -> str:
    """A whole number with its digits in groups of three: 1234567 → "1 234 567" (thin
    spaces). ``width`` pads with zeros to that many digits, so that a counter keeps its
    width: format_count(1234, 7) → "0 001 234"."""
    n = int(n)
    digits = f"{abs(n):0{max(int(width), 1)}d}"
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return ("-" if n < 0 else "") + GROUP.join(groups)


def count_of(n, noun: str, plural: str | None = None) -> str:
    """``n`` and its noun, singular for exactly one: count_of(1500, "point") → "1 500
    points"."""
    return f"{format_count(n)} {noun if int(n) == 1 else (plural or noun + 's')}"
