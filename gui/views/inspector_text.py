"""The chain-rule inspector's text: rich-text tables of every factor, in the tutorials'
notation (z, a, delta, W[i][j])."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from model.lessons.chain_rule import ChainRule
from model.numbers import format_count

from gui.graph.graph_text import name_of, parameter_of

if TYPE_CHECKING:
    from gui.views.inspector import InspectorResult

TABLE_ROWS = 10  # per-example rows shown for a minibatch
BAR = 20  # characters of a full share bar
_TABLE = "<table cellspacing='0' cellpadding='3' border='1' style='border-color:#ccc'>"
_HEAD = "<tr style='background:rgba(128,128,128,48)'>"


def _n(v: float) -> str:
    """A number for reading: 5 significant digits and a real minus sign."""
    v = float(v)
    if not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("∞" if v > 0 else "−∞")
    text = f"{v:.4g}"
    if "e" in text:  # 1.234e-05 → 1.234e−5
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", "−")


def _p(v: float) -> str:
    """A factor in a product: negative numbers in parentheses."""
    text = _n(v)
    return f"({text})" if text.startswith("−") else text


def _names(snap, column: int, unit: int) -> str:
    try:
        return name_of(snap, column, unit) if snap is not None else f"{column}:{unit}"
    except (IndexError, AttributeError):
        return f"neuron {unit + 1}"


def parameter_title(selection, snap) -> str:
    """"<b>W[i][j]</b> of layer 1: x₁ → H1·3" (the graph's names), or "… bias of H1·3"."""
    layer, i, j = selection
    try:
        what = parameter_of(snap, layer, i, j) if snap is not None else f"{layer}:{i}:{j}"
    except (IndexError, AttributeError):
        what = "no longer in the network"
    symbol = f"b[{j}]" if i < 0 else f"W[{i}][{j}]"
    return f"<b>{symbol}</b> of layer {layer + 1}: {_escape(what)}"


def _row(cells, head: bool = False) -> str:
    tag = "th" if head else "td"
    return (_HEAD if head else "<tr>") + "".join(f"<{tag} align='right' nowrap>{c}</{tag}>"
                                                 for c in cells) + "</tr>"


def _formula(r: InspectorResult) -> str:
    c, (_, i, j) = r.chain, r.selection
    softmax = c.is_output and c.activation == "softmax"
    if i < 0:
        generic = "∂C/∂b[j] = ∂z_j/∂b[j] · ∂a_j/∂z_j · ∂C/∂a_j = 1 · f′(z_j) · ∂C/∂a_j"
        mine = f"∂C/∂b[{j}] = 1 · f′(z_{j}) · ∂C/∂a_{j}"
    else:
        generic = ("∂C/∂W[i][j] = ∂z_j/∂W[i][j] · ∂a_j/∂z_j · ∂C/∂a_j "
                   "= a_prev_i · f′(z_j) · ∂C/∂a_j")
        mine = f"∂C/∂W[{i}][{j}] = a_prev_{i} · f′(z_{j}) · ∂C/∂a_{j}"
    out = f"<p><i>{generic}</i><br><b>{mine}</b> = {'1' if i < 0 else f'a_prev_{i}'} · δ_{j}"
    if softmax:
        out += (f"<br><span style='color:#888'>softmax couples the outputs: δ_{j} = "
                f"Σ_k ∂C/∂a_k·∂a_k/∂z_{j}, not f′(z_{j})·∂C/∂a_{j} alone</span>")
    return out + "</p>"


def _values(r: InspectorResult, snap) -> str:
    c, (_, i, j) = r.chain, r.selection
    n = len(r.rows)
    src = "1" if i < 0 else f"a_prev_{i}"
    if r.mode == "example":
        names_in = snap.input_names if snap is not None else ()
        x = ", ".join(f"{name} = {_n(v)}" for name, v in zip(names_in, r.x[0])) or \
            ", ".join(_n(v) for v in r.x[0])
        y = ", ".join(_n(v) for v in r.y[0]) + _class_of(r.y[0], snap)
        scaled = _raw_row(int(r.rows[0]), snap)
        out = (f"<p>Training example #{int(r.rows[0])}: x{scaled[0]} = ({x}), target y = ({y})"
               f"{scaled[1]}</p>"
               f"<p style='font-size:large'>= {_p(c.source[0])} · {_p(c.fprime[0])} · "
               f"{_p(c.dC_da[0])}")
        if c.is_output and c.activation == "softmax":
            out += f"<br>= {_p(c.source[0])} · δ_{j} with δ_{j} = {_p(c.delta[0])}"
        return out + f"<br>= <b>{_n(c.products[0])}</b></p>"
    which = "just trained on" if r.mode == "last" else "trains on next"
    shown = ", ".join(f"#{int(k)}" for k in r.rows[:TABLE_ROWS])
    out = [f"<p>Mean over the {n} examples of the minibatch the trainer {which} "
           f"({shown}{', …' if n > TABLE_ROWS else ''}), at the current weights:</p>", _TABLE,
           _row(["example", src, f"f′(z_{j})", f"∂C/∂a_{j}", f"δ_{j}", "product"], head=True)]
    for k in range(min(n, TABLE_ROWS)):
        out.append(_row([f"#{int(r.rows[k])}", _n(c.source[k]), _n(c.fprime[k]),
                         _n(c.dC_da[k]), _n(c.delta[k]), _n(c.products[k])]))
    if n > TABLE_ROWS:
        out.append(_row([f"… {n - TABLE_ROWS} more", "", "", "", "", ""]))
    out.append(_row(["<b>mean</b>", "", "", "", "", f"<b>{_n(c.gradient)}</b>"]))
    out.append("</table><p style='color:#888'>The gradient is the mean of the products, not "
               "the product of the means.</p>")
    return "".join(out)


def _dC_da(r: InspectorResult, snap) -> str:
    c, (layer, _, j) = r.chain, r.selection
    if c.is_output and not c.downstream:
        return f"<p><b>∂C/∂a_{j}</b> of an output neuron comes from the loss: {c.output_formula}</p>"
    if c.is_output:
        head = (f"<p><b>δ_{j}</b> of a softmax output sums over every output k: "
                f"{c.output_formula}</p>")
        cols = ["k", "output", f"∂a_k/∂z_{j}", "∂C/∂a_k", "term", "share"]
        column = layer + 1
    else:
        head = (f"<p><b>∂C/∂a_{j}</b> of a hidden neuron collects the next layer's deltas along "
                f"every outgoing edge: {c.output_formula} (the paths are highlighted in the "
                f"graph by their share)</p>")
        cols = ["k", "to", f"W_next[{j}][k]", "δ_k", "term", "share"]
        column = layer + 2
    out = [head, _TABLE, _row(cols, head=True)]
    for t in c.downstream:
        bar = "█" * int(round(t.share * BAR)) if math.isfinite(t.share) else ""
        out.append(_row([str(t.k), _names(snap, column, t.k), _n(t.weight), _n(t.delta),
                         _n(t.term), f"<span style='color:#0877bd'>{bar}</span> "
                                     f"{100 * t.share:.0f}%"]))
    total = sum(t.term for t in c.downstream)
    out.append(_row(["<b>Σ</b>", "", "", "", f"<b>{_n(total)}</b>", ""]))
    return "".join(out) + "</table>"


def _comparison(c: ChainRule) -> str:
    diff = abs(c.gradient - c.trainer_gradient)
    same = diff <= 1e-9 * max(1.0, abs(c.trainer_gradient))
    mark = ("<span style='color:#2c7a2c'>✓ equal</span>" if same
            else "<span style='color:#b4501e'>✗ different</span>")
    return (f"<p>{_TABLE}{_row(['chain rule (mean of products)', 'trainer’s gradient (net.grads)', 'difference'], head=True)}"
            f"{_row([f'<b>{_n(c.gradient)}</b>', f'<b>{_n(c.trainer_gradient)}</b>', f'{diff:.1e} {mark}'])}"
            "</table></p>")


def _update(c: ChainRule) -> str:
    u = c.update
    if not u:
        return ""
    out = [f"<p><b>Next step</b> ({u['optimizer']}, lr = {_n(u['lr'])}, g = {_n(u['gradient'])}):"
           f"</p>", _TABLE, _row(["term", "value"], head=True)]
    out += [_row([name, _n(v)]) for name, v in u.get("terms", {}).items()]
    reg = u.get("regularization")
    if reg:
        out.append(_row([f"{reg['kind'].upper()} regularization −lr·λ·R′(w), λ = "
                         f"{_n(reg['rate'])}, R′(w) = {_n(reg['R′(w)'])}", _n(u["reg"])]))
    else:
        out.append(_row(["regularization", "none" if c.i is not None else "none (a bias)"]))
    out.append(_row(["<b>Δw</b>", f"<b>{_n(u['delta_w'])}</b>"]))
    out.append(_row(["w now → after", f"{_n(u['weight'])} → {_n(u['weight'] + u['delta_w'])}"]))
    return "".join(out) + "</table>"


def _class_of(y, snap) -> str:
    """": versicolor" for an encoded classification target (one-hot, or one 0/1 output)."""
    names = tuple(getattr(snap, "class_names", ()) or ())
    if snap is None or getattr(snap, "task", "") != "classification" or not names:
        return ""
    k = int(y[0] >= 0.5) if len(y) == 1 else int(max(range(len(y)), key=lambda u: y[u]))
    return f": {_escape(names[k])}" if k < len(names) else ""


def _raw_row(row: int, snap) -> tuple[str, str]:
    """(" (scaled: standard)", " — raw: name = value, …") for a network that scales its
    inputs: the values in the table are the scaled ones; ("", "") otherwise."""
    method = getattr(snap, "input_scaling", None)
    if not method:
        return "", ""
    X = getattr(snap, "X_train", None)
    if X is None or not 0 <= row < len(X):
        return f" (scaled: {method})", ""
    names = snap.input_names if X.shape[1] == len(snap.input_names) else ()
    raw = ", ".join(f"{name} = {_n(v)}" for name, v in zip(names, X[row])) or \
        ", ".join(_n(v) for v in X[row])
    return f" (scaled: {method})", f"<br><span style='color:#888'>raw row: {raw}</span>"


def scaling_html(snap) -> str:
    """A line saying the inputs are scaled, or ""."""
    method = getattr(snap, "input_scaling", None)
    if not method:
        return ""
    return (f" · inputs scaled ({method}): a_prev of layer 1 are the scaled inputs, "
            f"statistics of the training rows")


def render_html(r: InspectorResult, snap) -> tuple[str, str]:
    """The panel's two columns for one result, in the tutorials' notation: the factors and
    their product; then ∂C/∂a, the comparison with the trainer and the next update."""
    c = r.chain
    head = (f"<p style='color:#888'>layer {r.selection[0] + 1} · f = {c.activation} · "
            f"loss {c.loss} · epoch {format_count(r.epoch)}, step {format_count(r.steps)}"
            f"{scaling_html(snap)}</p>")
    return (head + _formula(r) + _values(r, snap),
            _comparison(c) + _dC_da(r, snap) + _update(c))


# ----------------------------------------------------------------------------- the view

def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


