"""The window's words for activation functions: titles, the formula beside its derivative, and
the short labels the graph's column heads have room for. No Qt: plain text.

Names are the engine's (``model.core.activations``): ``leaky_relu:0.2`` is a leaky ReLU of
slope 0.2, ``leaky_relu`` the default slope. The top bar and the graph's per-layer menus both
read their words here, so that one activation has one title everywhere.
"""
from __future__ import annotations

from model.core.activations import HIDDEN_ACTIVATIONS, LeakyReLU, get_activation, kind_of

#: kind → (title, compact label, f(z), f′(z)); a = f(z), σ the sigmoid
INFO: dict[str, tuple[str, str, str, str]] = {
    "tanh": ("Tanh", "tanh", "tanh z", "1 − a²"),
    "relu": ("ReLU", "ReLU", "max(0, z)", "1 if z > 0, else 0"),
    "sigmoid": ("Sigmoid", "sigmoid", "1 / (1 + e⁻ᶻ)", "a·(1 − a)"),
    "linear": ("Linear", "linear", "z", "1"),
    "leaky_relu": ("Leaky ReLU", "leaky", "z if z > 0, else α·z", "1 if z > 0, else α"),
    "elu": ("ELU", "ELU", "z if z > 0, else eᶻ − 1", "1 if z > 0, else eᶻ"),
    "softplus": ("Softplus", "softplus", "log(1 + eᶻ)", "σ(z)"),
    "silu": ("SiLU (swish)", "SiLU", "z·σ(z)", "σ(z)·(1 + z·(1 − σ(z)))"),
    "gelu_tanh": ("GELU (tanh)", "GELU", "½z·(1 + tanh(√(2/π)·(z + 0.044715·z³)))",
                  "½(1 + t) + ½z·(1 − t²)·√(2/π)·(1 + 0.134145·z²), t = the tanh"),
    "softmax": ("Softmax", "softmax", "e^z_j / Σ_k e^z_k", "a_j·(1 − a_j) on the diagonal"),
}
#: a menu's formula column, where the full one is too wide (the tooltip has it)
MENU_FORMULA = {"gelu_tanh": "≈ z·Φ(z), in tanh form"}
#: what "GELU (tanh)" means, for tooltips
GELU_NOTE = "GELU in its tanh approximation (as in GPT-2 and BERT), not the exact erf form"
#: the kinds the top bar and the per-layer menus offer, in their order
HIDDEN_KINDS = ("tanh", "relu", "sigmoid", "linear", "leaky_relu", "elu", "softplus", "silu",
                "gelu_tanh")
assert set(HIDDEN_KINDS) == set(HIDDEN_ACTIVATIONS), "a new hidden activation needs its words"


def slope_of(name: str) -> float:
    """The slope α of a leaky ReLU name (``leaky_relu`` → 0.01); ValueError for another name."""
    act = get_activation(name)
    if not isinstance(act, LeakyReLU):
        raise ValueError(f"{name!r} is not a leaky ReLU")
    return act.slope


def title(name: str) -> str:
    """"Tanh", "Leaky ReLU (α 0.2)", "GELU (tanh)"; an unknown name as it is."""
    info = INFO.get(kind_of(name))
    if info is None:
        return name
    if kind_of(name) == "leaky_relu":
        return f"{info[0]} (α {slope_of(name):g})"
    return info[0]


def box_text(name: str) -> str:
    """The top bar's closed box: "Tanh", "Leaky", "GELU" (its list says the rest)."""
    if kind_of(name) == "leaky_relu":
        return "Leaky"
    return title(name).split(" (")[0]


#: labels of four letters at most, for columns too close for ``compact``'s
TINY = {"tanh": "tanh", "relu": "ReLU", "sigmoid": "sigm", "linear": "lin", "leaky_relu": "LRe",
        "elu": "ELU", "softplus": "SP", "silu": "SiLU", "gelu_tanh": "GELU", "softmax": "smax"}


def compact(name: str, short: bool = False) -> str:
    """The label under a hidden column's title: "tanh", "leaky 0.2"; ``short`` (crowded
    columns): four letters at most ("sigm", "LRe"), the full name in the tooltip."""
    info = INFO.get(kind_of(name))
    if info is None:
        return name
    if short:
        return TINY.get(kind_of(name), info[1])
    if kind_of(name) == "leaky_relu":
        return f"{info[1]} {slope_of(name):g}"
    return info[1]


def menu_formula(kind: str) -> str:
    """The formula beside an activation's title in a menu."""
    return MENU_FORMULA.get(kind, INFO[kind][2])


def formula(name: str) -> str:
    """"f(z) = tanh z,  f′(z) = 1 − a²": the forward formula beside its derivative."""
    info = INFO.get(kind_of(name))
    if info is None:
        return name
    f, d = info[2], info[3]
    if kind_of(name) == "leaky_relu":
        alpha = f"{slope_of(name):g}"
        f, d = f.replace("α", alpha), d.replace("α", alpha)
    return f"f(z) = {f},  f′(z) = {d}"


def tooltip(name: str) -> str:
    """Title, formula and derivative on separate lines (and what GELU's name means)."""
    lines = [title(name), formula(name)]
    if kind_of(name) == "gelu_tanh":
        lines.append(GELU_NOTE)
    return "\n".join(lines)


def slope_error(text: str) -> tuple[str | None, str | None]:
    """(canonical leaky ReLU name, None) for a slope typed as ``text``, or (None, a one-line
    message saying what is wrong). A comma is read as a decimal point."""
    shown = text.strip()
    try:
        value = float(shown.replace(",", "."))
    except ValueError:
        return None, f"slope {shown[:20]!r} is not a number: type one between 0 and 1, e.g. 0.2"
    if not 0.0 < value < 1.0:  # NaN fails this too
        return None, f"slope must be between 0 and 1 (exclusive), got {shown[:20]}"
    try:
        return get_activation(f"leaky_relu:{value!r}").name, None
    except ValueError as exc:  # e.g. 1e-300 spelled in a way the engine refuses
        return None, str(exc)
