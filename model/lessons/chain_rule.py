"""The chain rule for one weight or bias, with every factor's current value.

For the weight W[i][j] of layer l (from neuron i of the previous layer to neuron j):

    ∂C/∂w = ∂z_j/∂w · ∂a_j/∂z_j · ∂C/∂a_j = a_prev_i · f′(z_j) · ∂C/∂a_j

where ∂C/∂a_j comes from the loss for an output neuron (e.g. a − y for mse) and, for a hidden
neuron, from the next layer: ∂C/∂a_j = Σ_k W_next[j][k]·δ_k, one term per downstream path.
For a bias the first factor is 1. Over a minibatch the gradient is the mean of the
per-example products (not the product of the means), which is what the trainer uses.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.core.losses import get_loss
from model.core.network import Network
from model.core.optimizers import Optimizer, Regularizer


@dataclass(frozen=True)
class DownstreamTerm:
    """One path of ∂C/∂a_j = Σ_k W_next[j][k]·δ_k for a hidden neuron; for a softmax output,
    one term of δ_j = Σ_k ∂C/∂a_k·∂a_k/∂z_j (then ``weight`` is ∂a_k/∂z_j, ``delta`` ∂C/∂a_k)."""

    k: int  # neuron of the next layer (softmax: output k)
    weight: float  # W_next[j][k]
    delta: float  # δ_k (batch mean of per-example values when several examples)
    term: float  # mean over examples of W_next[j][k]·δ_k
    share: float  # |term| / Σ|terms|, for highlighting the path


@dataclass(frozen=True)
class ChainRule:
    """Every number of ∂C/∂w for one parameter, per example (arrays of length n)."""

    layer: int  # 0-based
    i: int | None  # None for the bias b[j]
    j: int
    is_output: bool
    activation: str
    loss: str
    source: np.ndarray  # ∂z_j/∂w = a_prev_i (1 for a bias)
    fprime: np.ndarray  # ∂a_j/∂z_j = f′(z_j); for softmax the diagonal term (see delta)
    dC_da: np.ndarray  # ∂C/∂a_j (per example; C is that example's loss)
    delta: np.ndarray  # δ_j = ∂C/∂z_j per example
    products: np.ndarray  # source·delta per example
    gradient: float  # mean of products: the chain rule's ∂C/∂w for the batch
    trainer_gradient: float  # the same entry of net.grads after backprop on the batch
    downstream: list[DownstreamTerm] = field(default_factory=list)
    output_formula: str = ""
    update: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"b[{self.j}]" if self.i is None else f"W[{self.i}][{self.j}]"


def _output_formula(loss: str, activation: str) -> str:
    if loss == "mse":
        return "∂C/∂a = a − y   (C = ½(y − a)²)"
    if loss == "bce":
        return "∂C/∂a = (a − y) / (a(1 − a));  with sigmoid, δ = a − y"
    return "∂C/∂a = −y / a;  with softmax, δ = a − y"


def chain_rule(net: Network, X, Y, loss: str, layer: int, i: int | None, j: int,
               optimizer: Optimizer | None = None, regularizer: Regularizer | None = None) -> ChainRule:
    """The chain rule for W[i][j] (or b[j] when i is None) of ``layer`` on the examples X (n, d),
    Y (n, k) encoded targets. Leaves the network's weights unchanged (the cache and grads are
    those of this batch afterwards)."""
    L = len(net.layers) - 1
    if not 0 <= layer <= L:
        raise ValueError(f"layer {layer} out of range 0..{L}")
    lay = net.layers[layer]
    if not 0 <= j < lay.n_out or (i is not None and not 0 <= i < lay.n_in):
        raise ValueError(f"no parameter ({i}, {j}) in layer {layer}")
    loss_obj = get_loss(loss)
    X = np.asarray(X, dtype=float)
    Y = net.prepare_targets(Y, loss_obj)
    net.forward(X)
    net.backward(Y, loss_obj)
    cache = net.cache
    z = np.array(cache["z"][layer][:, j])
    a = np.array(cache["a"][layer][:, j])
    delta = np.array(cache["delta"][layer][:, j])
    a_prev = cache["input"] if layer == 0 else cache["a"][layer - 1]
    source = np.ones(len(X)) if i is None else np.array(a_prev[:, i])
    act = lay.activation
    fprime = act.derivative(z[:, None], a[:, None])[:, 0]
    downstream: list[DownstreamTerm] = []
    if layer == L:
        a_all = np.array(cache["a"][layer])
        g_all = loss_obj.grad_a(a_all, Y)
        dC_da = g_all[:, j]
        formula = _output_formula(loss_obj.name, act.name)
        if act.name == "softmax":
            # softmax couples the outputs: δ_j = Σ_k ∂C/∂a_k · ∂a_k/∂z_j, ∂a_k/∂z_j = a_k(1[k=j] − a_j)
            jac = a_all * ((np.arange(lay.n_out) == j)[None, :] - a_all[:, j:j + 1])
            terms = g_all * jac
            means = terms.mean(axis=0)
            total = float(np.abs(means).sum()) or 1.0
            downstream = [DownstreamTerm(k, float(jac[:, k].mean()), float(g_all[:, k].mean()),
                                         float(means[k]), float(abs(means[k]) / total))
                          for k in range(lay.n_out)]
            formula += ";  softmax couples the outputs: δ_j = Σ_k ∂C/∂a_k·∂a_k/∂z_j"
    else:
        nxt = net.layers[layer + 1]
        d_next = np.array(cache["delta"][layer + 1])
        terms = nxt.W[j][None, :] * d_next  # (n, k): W_next[j][k]·δ_k per example
        dC_da = terms.sum(axis=1)
        means = terms.mean(axis=0)
        total = float(np.abs(means).sum()) or 1.0
        downstream = [DownstreamTerm(k, float(nxt.W[j][k]), float(d_next[:, k].mean()),
                                     float(means[k]), float(abs(means[k]) / total))
                      for k in range(nxt.n_out)]
        formula = "∂C/∂a_j = Σ_k W_next[j][k]·δ_k"
    products = source * delta
    index = net.param_index(layer, i, j)
    gradient = float(products.mean())
    trainer_gradient = float(net.grads[index])
    update = {}
    if optimizer is not None:
        update = next_update(net, index, trainer_gradient, optimizer, regularizer)
    return ChainRule(layer, i, j, layer == L, act.name, loss_obj.name, source, fprime, dC_da,
                     delta, products, gradient, trainer_gradient, downstream, formula, update)


def next_update(net: Network, index: int, g: float, optimizer: Optimizer,
                regularizer: Regularizer | None) -> dict:
    """What the next step does to params[index] given its gradient g: the optimizer's own
    terms, the regularization part, and the total Δw (before any L1 clipping to zero)."""
    lr = optimizer.lr
    w = float(net.params[index])
    out = {"lr": lr, "gradient": g, "weight": w, "optimizer": optimizer.name}
    if optimizer.name == "sgd":
        step = -lr * g
        out["terms"] = {"−lr·g": step}
    elif optimizer.name == "momentum":
        v = float(optimizer.velocity[index])
        step = optimizer.momentum * v - lr * g
        out["terms"] = {"velocity v": v, "μ·v": optimizer.momentum * v, "−lr·g": -lr * g,
                        "new v": step}
    else:  # adam
        t = optimizer.t + 1
        b1, b2 = optimizer.beta1, optimizer.beta2
        m = b1 * float(optimizer.m[index]) + (1 - b1) * g
        v = b2 * float(optimizer.v[index]) + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        step = -lr * m_hat / (np.sqrt(v_hat) + optimizer.eps)
        out["terms"] = {"m": m, "v": v, "m̂": m_hat, "v̂": v_hat, "−lr·m̂/(√v̂+ε)": float(step)}
    reg = 0.0
    if regularizer is not None and regularizer.active and net.weight_mask[index]:
        r_prime = float(np.sign(w)) if regularizer.kind == "l1" else w
        reg = -lr * regularizer.rate * r_prime
        out["regularization"] = {"kind": regularizer.kind, "rate": regularizer.rate,
                                 "R′(w)": r_prime, "−lr·λ·R′(w)": reg}
    out["step"] = float(step)
    out["reg"] = reg
    out["delta_w"] = float(step) + reg
    return out
