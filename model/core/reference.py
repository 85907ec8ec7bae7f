"""Backpropagation as the tutorials write it: short, plain, written to be read, not to be fast.

This is the textbook algorithm in the tutorials' notation, one step per line, each line labelled
(R1)…(R7). The fast engine (``network.py``'s workspaces, the compiled kernels) computes exactly
these numbers in a different order of operations, and the tests hold it to this reference to
1e-12. Lesson mode and the chain-rule inspector show this code beside their numbers.

    (R1) z = a_prev·W + b                          every layer, forward
    (R2) a = f(z)
    (R3) delta_L = dC/da ⊙ f′(z_L)                 the output layer
    (R4) delta_l = (delta_{l+1}·W_{l+1}ᵀ) ⊙ f′(z_l)   every hidden layer, backward
    (R5) dW = a_prevᵀ·delta / n                    the batch mean
    (R6) db = Σ delta / n
    (R7) w ← w − lr·dW,  b ← b − lr·db              plain SGD; other optimizers below

``layers`` is a list of (W, b, activation) with W of shape (n_in, n_out) — ``W[i][j]`` from
neuron i of the previous layer to neuron j — b of shape (n_out,), or None for a layer without
biases, and an activation from ``activations.py``; X is (n, n_inputs) and Y (n, n_outputs),
targets already encoded.
"""
from __future__ import annotations

import numpy as np

from model.core.losses import get_loss


def layers_of(net) -> list[tuple[np.ndarray, np.ndarray, object]]:
    """A network's (W, b, activation) per layer, as copies."""
    return [(layer.W.copy(), layer.b.copy() if layer.use_bias else None, layer.activation)
            for layer in net.layers]


def forward(X, layers):
    """(zs, activations): z of every layer and a of every layer, activations[0] = X."""
    a = np.asarray(X, dtype=float)
    zs, activations = [], [a]
    for W, b, f in layers:
        z = a @ W if b is None else a @ W + b  # (R1) z = a_prev·W + b
        a = f.forward(z)  # (R2) a = f(z)
        zs.append(z)
        activations.append(a)
    return zs, activations


def output_delta(z, a, Y, loss, f):
    """delta_L = dC/dz of the output layer, one row per example (C: that example's loss)."""
    if (f.name, loss.name) in (("sigmoid", "bce"), ("softmax", "cce")):
        return a - Y  # the matched pairs: f′ cancels the loss's denominator exactly
    dC_da = loss.grad_a(a, Y)
    if f.name == "softmax":  # a_k depends on every z_j: the full Jacobian, example by example
        return np.array([f.jacobian(a_n) @ g_n for a_n, g_n in zip(a, dC_da)])
    return dC_da * f.derivative(z, a)  # (R3) delta_L = dC/da ⊙ f′(z_L)


def backward(X, Y, layers, loss):
    """The batch-mean gradients [(dW, db) per layer] of ``loss`` at these weights."""
    loss = get_loss(loss) if isinstance(loss, str) else loss
    zs, activations = forward(X, layers)
    n = len(X)
    L = len(layers)
    grads = [None] * L
    delta = output_delta(zs[-1], activations[-1], Y, loss, layers[-1][2])
    for l in range(L - 1, -1, -1):
        a_prev = activations[l]
        dW = a_prev.T @ delta / n  # (R5) dW = a_prevᵀ·delta / n
        db = None if layers[l][1] is None else delta.sum(axis=0) / n  # (R6) db = Σ delta / n
        grads[l] = (dW, db)
        if l > 0:
            W, _, _ = layers[l]
            f_prev = layers[l - 1][2]
            # (R4) delta_l = (delta_{l+1}·W_{l+1}ᵀ) ⊙ f′(z_l)
            delta = (delta @ W.T) * f_prev.derivative(zs[l - 1], activations[l])
    return grads


def mean_loss(X, Y, layers, loss) -> float:
    loss = get_loss(loss) if isinstance(loss, str) else loss
    zs, activations = forward(X, layers)
    return loss.value(activations[-1], Y, zs[-1])


# --------------------------------------------------------------------------- optimizers
# One step for one parameter array w with gradient g; ``state`` holds what the optimizer keeps
# between steps (velocity, moments, the step count t).

def sgd_step(w, g, state, lr):
    return w - lr * g  # (R7) w ← w − lr·g


def momentum_step(w, g, state, lr, mu=0.9):
    v = mu * state.get("v", np.zeros_like(w)) - lr * g  # v ← μ·v − lr·g
    state["v"] = v
    return w + v  # w ← w + v


def adam_step(w, g, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", np.zeros_like(w)) + (1 - beta1) * g  # m ← β₁m + (1−β₁)g
    v = beta2 * state.get("v", np.zeros_like(w)) + (1 - beta2) * g * g  # v ← β₂v + (1−β₂)g²
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)  # bias corrections
    state.update(t=t, m=m, v=v)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps)  # w ← w − lr·m̂ / (√v̂ + ε)


STEPS = {"sgd": sgd_step, "momentum": momentum_step, "adam": adam_step}


def regularize(w_new, w_old, kind: str, rate: float, lr: float):
    """Weights only, after the optimizer's step and with the weight from before it (as TF
    Playground does): w ← w_new − lr·λ·R′(w_old), R′ = sign(w) for L1, w for L2. Under L1 a
    weight that this term pushes across zero stops at exactly 0."""
    if kind == "none" or rate == 0:
        return w_new
    r_prime = np.sign(w_old) if kind == "l1" else w_old
    w = w_new - lr * rate * r_prime
    if kind == "l1":
        w = np.where(w * w_new < 0, 0.0, w)
    return w


def train_step(X, Y, layers, loss, optimizer: str, lr: float, states: list,
               regularization: str = "none", rate: float = 0.0):
    """One minibatch step of the whole network: backward, then every W and b updated
    (biases are never regularized). ``states`` holds one dict per parameter array, in the order
    W1, b1, W2, b2, …, and is updated in place. Returns the new layers."""
    grads = backward(X, Y, layers, loss)
    step = STEPS[optimizer]
    new = []
    for l, ((W, b, f), (dW, db)) in enumerate(zip(layers, grads)):
        W_new = regularize(step(W, dW, states[2 * l], lr), W, regularization, rate, lr)
        b_new = None if b is None else step(b, db, states[2 * l + 1], lr)
        new.append((W_new, b_new, f))
    return new
