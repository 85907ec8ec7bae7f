"""Compiled training kernels (numba), their steps: one example's forward and backward pass,
one optimizer step, one minibatch. The loops over minibatches and epochs: compiled.py.

Each step is labelled with the line of the textbook reference (model/core/reference.py)
it computes, in the tutorials' notation (delta = dC/dz, ``W[i][j]`` from neuron i of the
previous layer to neuron j):

    (R1) z = a_prev·W + b            (R2) a = f(z)
    (R3) delta_L = dC/da ⊙ f′(z_L)   (R4) delta_l = (delta_{l+1}·W_{l+1}ᵀ) ⊙ f′(z_l)
    (R5) dW = a_prevᵀ·delta / n      (R6) db = Σ delta / n
    (R7) the optimizer step (with L1/L2 as optimizers.apply_step orders it)

Buffers (all float64, C order; compiled_path.py builds them):
    params, grads, update: the network's flat buffer; layer l's block starts at
        offsets[l] and is (n_in + 1, n_out) row-major: W rows, then the b row.
    z, a, delta: one slot per unit; layer l's units start at units[l] (units[0]: inputs).
    X: (n_inputs + 1, n) the trainer's epoch buffer, one example per column (last row ones).
    Y: (n, n_outputs) encoded targets in the same order.

Adding an activation: an id in kernel_ids.py and its two formulas in ``f`` and ``f_prime``.
Anything without an id trains on numpy (engine.py decides).

Without numba this module still imports, but its kernels are then plain Python, far too
slow to train with: engine.py never picks them.
"""
from __future__ import annotations

import math
import os

import numpy as np

from model.core.kernel_loader import kernel_cache_dir
# the ids are compile-time constants inside the kernels
from model.core.kernel_ids import (  # noqa: F401 - the tables are read through this module too
    ACTIVATION_IDS, ADAM, BCE, CCE, L1, L2, LINEAR, LOSS_IDS, MOMENTUM, MSE, NO_REG,
    OPTIMIZER_IDS, REGULARIZATION_IDS, RELU, SGD, SIGMOID, SOFTMAX, TANH)


# numba reads NUMBA_CACHE_DIR when it is imported, so it is set first: the per-user cache
# folder (kernel_loader.cache_dir), unless the user set one.
os.environ["NUMBA_CACHE_DIR"] = kernel_cache_dir()

try:
    import numba
    from numba import njit
    # numba may have been imported earlier (a notebook): point this module's cache there anyway
    if not numba.config.CACHE_DIR:
        numba.config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"]
    AVAILABLE = True
except ImportError:  # the optional `fast` extra is not installed
    AVAILABLE = False

    def njit(*args, **kwargs):  # a stand-in that leaves the functions as plain Python
        if args and callable(args[0]):
            return args[0]
        return lambda fn: fn

try:  # numba's translation of numpy's random_interval: the draw Generator.shuffle makes
    from numba.np.random.random_methods import random_interval as _random_interval
except ImportError:  # (numba's own module; without it, its Generator.permutation, slower to compile)
    _random_interval = None

# nogil: the GUI thread runs while a kernel trains. error_model="numpy": x/0 gives inf or
# NaN as numpy does (divergence is detected by the trainer), never an exception.
# cache: compiled once per machine, into kernel_loader.cache_dir().
_kernel = njit(nogil=True, cache=True, error_model="numpy")
_inline = njit(nogil=True, cache=True, error_model="numpy", inline="always")


# ------------------------------------------------------------------------------ formulas
# tanh as the Cephes library computes it (public domain): within 2 ulp of numpy's tanh and
# about twice as fast as the C library's, which matters because tanh is most of the time a
# small tanh network's epoch takes. Small |z|: a rational approximation; else from e^{2|z|}.
_P = (-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3)
_Q = (1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3)


@_inline
def _tanh(z):
    az = abs(z)
    if az > 0.625:
        t = 1.0 - 2.0 / (math.exp(2.0 * az) + 1.0)
        return t if z > 0.0 else -t
    s = z * z  # (also for NaN, which passes through)
    return z + z * s * (((_P[0] * s + _P[1]) * s + _P[2]) / (((s + _Q[0]) * s + _Q[1]) * s + _Q[2]))


@_inline
def f(kind, z):
    """(R2) a = f(z) for the element-wise activations (softmax: ``_softmax``)."""
    if kind == TANH:
        return _tanh(z)
    if kind == SIGMOID:
        # clipped as activations.Sigmoid does: e^-z stays finite, NaN passes through
        if z < -500.0:
            z = -500.0
        elif z > 500.0:
            z = 500.0
        return 1.0 / (1.0 + math.exp(-z))
    if kind == RELU:
        return z if (z > 0.0 or z != z) else 0.0  # np.maximum(z, 0) keeps a NaN
    return z  # LINEAR


@_inline
def f_prime(kind, z, a):
    """f′(z), given z and a = f(z), written as activations.py writes it."""
    if kind == TANH:
        return 1.0 - a * a
    if kind == SIGMOID:
        return (1.0 - a) * a
    if kind == RELU:
        return 1.0 if z > 0.0 else 0.0  # 0 at the kink, as TF Playground
    return 1.0  # LINEAR


@_inline
def _draw_order(rng, order):
    """order = rng.permutation(len(order)), the very numbers numpy draws (and the same state
    left behind): numpy shuffles 0..n−1 from the end, swapping i with random_interval(i)."""
    if _random_interval is None:
        order[:] = rng.permutation(len(order))
        return
    for i in range(len(order)):
        order[i] = i
    for i in range(len(order) - 1, 0, -1):
        j = np.int64(_random_interval(rng.bit_generator, i))
        if i != j:
            order[i], order[j] = order[j], order[i]


@_inline
def _softmax(z, a, lo, hi):
    """(R2) for a softmax layer: a_j = e^{z_j − max} / Σ_k e^{z_k − max} over units lo..hi."""
    m = z[lo]
    for j in range(lo + 1, hi):
        if z[j] > m:
            m = z[j]
    s = 0.0
    for j in range(lo, hi):
        a[j] = math.exp(z[j] - m)
        s += a[j]
    for j in range(lo, hi):
        a[j] = a[j] / s


@_inline
def _forward(params, sizes, offsets, units, acts, z, a):
    """(R1), (R2) for every layer; the inputs are already in a[units[0]:units[1]]."""
    for l in range(len(acts)):
        n_in, n_out = sizes[l], sizes[l + 1]
        off, i0, j0 = offsets[l], units[l], units[l + 1]
        b = off + n_in * n_out
        for j in range(n_out):  # (R1) z = a_prev·W + b, one row of W at a time
            z[j0 + j] = params[b + j]
        for i in range(n_in):
            ai, row = a[i0 + i], off + i * n_out
            for j in range(n_out):
                z[j0 + j] += ai * params[row + j]
        if acts[l] == SOFTMAX:
            _softmax(z, a, j0, j0 + n_out)
        else:
            kind = acts[l]
            for j in range(j0, j0 + n_out):  # (R2) a = f(z)
                a[j] = f(kind, z[j])


@_inline
def _backward(params, grads, sizes, offsets, units, acts, loss, z, a, delta, y):
    """(R3)–(R6) for one example: add its dW, db to ``grads`` (divided by n later)."""
    L = len(acts)
    out, k, act = units[L], sizes[L], acts[L - 1]
    # (R3) delta_L = dC/da ⊙ f′(z_L); for the matched pairs (sigmoid + bce, softmax + cce)
    # that product is exactly a − y (losses.py). mse: dC/da = a − y.
    if loss != MSE:
        for j in range(k):
            delta[out + j] = a[out + j] - y[j]
    elif act == SOFTMAX:  # softmax couples the outputs: delta_j = a_j (g_j − Σ_k g_k a_k)
        inner = 0.0
        for j in range(k):
            inner += (a[out + j] - y[j]) * a[out + j]
        for j in range(k):
            delta[out + j] = ((a[out + j] - y[j]) - inner) * a[out + j]
    else:
        for j in range(out, out + k):
            delta[j] = (a[j] - y[j - out]) * f_prime(act, z[j], a[j])
    for l in range(L - 1, -1, -1):
        n_in, n_out = sizes[l], sizes[l + 1]
        off, i0, j0 = offsets[l], units[l], units[l + 1]
        b = off + n_in * n_out
        for j in range(n_out):  # (R6) db += delta
            grads[b + j] += delta[j0 + j]
        for i in range(n_in):
            ai, row = a[i0 + i], off + i * n_out
            back = 0.0
            for j in range(n_out):
                grads[row + j] += ai * delta[j0 + j]  # (R5) dW += a_prevᵀ·delta
                back += params[row + j] * delta[j0 + j]
            if l:  # (R4) delta_l = (delta_{l+1}·W_{l+1}ᵀ) ⊙ f′(z_l)
                delta[i0 + i] = back * f_prime(acts[l - 1], z[i0 + i], a[i0 + i])


@_inline
def _optimizer_step(params, grads, update, m, v, mask, kind, lr, mu, beta1, beta2, eps, t,
                    reg, reg_rate):
    """(R7) one step of SGD, momentum or Adam, then L1/L2 as optimizers.apply_step does:
    the regularization term uses the weight from before the step, and under L1 a weight
    whose sign that term flips becomes exactly 0. ``t``: steps taken before this one.
    Momentum keeps its velocity in ``m``. Leaves Δw in ``update``."""
    if kind == SGD:
        for p in range(len(params)):
            update[p] = grads[p] * -lr  # w ← w − lr·g
    elif kind == MOMENTUM:
        for p in range(len(params)):
            m[p] = m[p] * mu - grads[p] * lr  # v ← μ·v − lr·g;  w ← w + v
            update[p] = m[p]
    else:  # ADAM, both bias corrections folded into scalars, as optimizers.Adam
        c2 = 1.0 / math.sqrt(1.0 - math.pow(beta2, t + 1.0))
        c1 = -lr / (1.0 - math.pow(beta1, t + 1.0))
        for p in range(len(params)):
            g = grads[p]
            m[p] = m[p] * beta1 + (1.0 - beta1) * g
            v[p] = v[p] * beta2 + g * g * (1.0 - beta2)
            update[p] = m[p] / (math.sqrt(v[p]) * c2 + eps) * c1
    if reg == NO_REG:
        for p in range(len(params)):
            params[p] += update[p]
        return
    scale = lr * reg_rate
    for p in range(len(params)):
        old = params[p]
        if reg == L1:  # R′(w_old) = sign(w_old), masked to weights
            r = (1.0 if old > 0.0 else (-1.0 if old < 0.0 else old)) * mask[p] * scale
        else:  # L2: R′(w_old) = w_old
            r = old * mask[p] * scale
        after = old + update[p]  # the gradient step
        w = after - r
        if reg == L1 and after * w < 0.0:
            w = 0.0  # the L1 term pushed it across zero: it stops at exactly 0
        params[p] = w
        update[p] = w - old


@_kernel
def _minibatch(params, grads, update, m, v, mask, X, Y, start, stop, sizes, offsets, units,
               acts, use_bias, loss, opt, lr, mu, beta1, beta2, eps, t, reg, reg_rate, z, a,
               delta):
    """One minibatch, the examples (columns) start..stop−1 of X: the gradient, then the step."""
    d, L, x0 = sizes[0], len(acts), units[0]
    grads[:] = 0.0
    for k in range(start, stop):
        for i in range(d):
            a[x0 + i] = X[i, k]
        _forward(params, sizes, offsets, units, acts, z, a)
        _backward(params, grads, sizes, offsets, units, acts, loss, z, a, delta, Y[k])
    inv_n = 1.0 / (stop - start)  # (R5), (R6): sums over the batch → means
    for p in range(len(grads)):
        grads[p] *= inv_n
    for l in range(L):
        if not use_bias[l]:
            b = offsets[l] + sizes[l] * sizes[l + 1]
            grads[b:b + sizes[l + 1]] = 0.0
    _optimizer_step(params, grads, update, m, v, mask, opt, lr, mu, beta1, beta2, eps, t, reg,
                    reg_rate)


@_inline
def _finite_sum(params):
    """Whether the weights' sum is finite: what the trainer checks after a minibatch."""
    total = 0.0
    for p in range(len(params)):
        total += params[p]
    return math.isfinite(total)
