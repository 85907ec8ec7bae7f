"""Compiled training kernels (numba): the numpy engine's numbers, one example at a time.

Why a second path: at the tutorials' sizes (a few neurons, minibatches of 1 to 10) numpy
spends about a microsecond per call on arrays of a handful of numbers, and a step is a few
dozen calls. These kernels do the same arithmetic in loops compiled to machine code, for
many minibatches per call, and release the GIL meanwhile (``nogil``) so the window keeps
drawing. The numpy engine (network.py, optimizers.py) stays the reference; the tests hold
both paths to 1e-12 of each other.

This module holds the loops the engine calls (minibatches, epochs, the evaluation) and
``warm_up``; the steps they repeat, labelled with the reference's lines (R1)–(R7), and the
buffers' layout are in compiled_steps.py.
"""
from __future__ import annotations

import math

import numpy as np

from model.core.compiled_steps import (  # noqa: F401 - AVAILABLE is read through this module
    ADAM, AVAILABLE, BCE, L1, MSE, SIGMOID, SOFTMAX, TANH, _draw_order, _finite_sum, _inline,
    _kernel, _minibatch, _softmax, f)


@_kernel
def train_batches(params, grads, update, m, v, mask, X, Y, position, batch_size, max_batches,
                  stop_when_not_finite, sizes, offsets, units, acts, use_bias, loss, opt, lr,
                  mu, beta1, beta2, eps, t, reg, reg_rate, z, a, delta):
    """Train consecutive minibatches [position, position + batch_size), ... of the epoch in
    X, Y: at most ``max_batches``, never past the epoch's end (the last batch may be
    partial). With ``stop_when_not_finite``, stop after the first minibatch that leaves a
    parameter sum that is not finite (as a step-by-step caller would). Leaves the last
    minibatch's batch-mean gradient in ``grads`` and its Δw in ``update``.
    Returns the number of minibatches trained."""
    n = X.shape[1]
    done = 0
    while done < max_batches and position < n:
        stop = min(position + batch_size, n)
        _minibatch(params, grads, update, m, v, mask, X, Y, position, stop, sizes, offsets,
                   units, acts, use_bias, loss, opt, lr, mu, beta1, beta2, eps, t + done, reg,
                   reg_rate, z, a, delta)
        done += 1
        position = stop
        if stop_when_not_finite and not _finite_sum(params):
            break
    return done


@_inline
def _z_columns(params, n_in, n_out, off, prev, cur, n):
    """(R1) for n examples at once, stored one unit per row: cur[j, e] = b_j + Σ_i prev[i, e]·W[i][j].
    The long loop over examples runs innermost, where the compiler can use vector instructions."""
    b = off + n_in * n_out
    for j in range(n_out):
        row, bj = cur[j], params[b + j]
        for e in range(n):
            row[e] = bj
        for i in range(n_in):
            w, src = params[off + i * n_out + j], prev[i]
            for e in range(n):
                row[e] += w * src[e]


@_kernel
def evaluate(params, X, Y, classes, threshold, sizes, offsets, acts, loss, work, z, a):
    """Mean loss (no regularization term) and accuracy over the examples (columns) of X.

    classes: the true class per example, or empty for regression (accuracy NaN then);
    threshold: a single output's class boundary (0 under tanh, else 0.5); work: scratch of
    shape (2, ≥ widest layer, ≥ n); z, a: scratch for one example's outputs. Formulas as in
    losses.py: mse ½Σ(a − y)²; bce from z, max(z, 0) − z·y + log(1 + e^−|z|); cce as the
    log-softmax of z."""
    n, L = X.shape[1], len(acts)
    if n == 0:
        return math.nan, math.nan
    prev = X
    for l in range(L):  # every layer for all examples at once: (R1), then (R2) but the last
        cur = work[l % 2]
        _z_columns(params, sizes[l], sizes[l + 1], offsets[l], prev, cur, n)
        if l < L - 1:
            kind = acts[l]
            for j in range(sizes[l + 1]):
                row = cur[j]
                for e in range(n):
                    row[e] = f(kind, row[e])
        prev = cur
    k, act = sizes[L], acts[L - 1]
    total, correct = 0.0, 0
    for e in range(n):  # the output layer one example at a time: loss and class
        for j in range(k):
            z[j] = prev[j, e]
        if act == SOFTMAX:
            _softmax(z, a, 0, k)
        else:
            for j in range(k):
                a[j] = f(act, z[j])
        if loss == MSE:
            for j in range(k):
                diff = a[j] - Y[e, j]
                total += diff * diff
        elif loss == BCE:
            for j in range(k):
                total += max(z[j], 0.0) - z[j] * Y[e, j] + math.log1p(math.exp(-abs(z[j])))
        else:  # CCE
            mz = z[0]
            for j in range(1, k):
                mz = max(mz, z[j])
            s = 0.0
            for j in range(k):
                s += math.exp(z[j] - mz)
            lse = math.log(s)
            for j in range(k):
                total -= Y[e, j] * (z[j] - mz - lse)
        if len(classes):
            if k == 1:
                guess = 1 if a[0] > threshold else 0
            else:
                guess = 0
                for j in range(1, k):
                    if a[j] > a[guess]:
                        guess = j
            if guess == classes[e]:
                correct += 1
    value = 0.5 * total / n if loss == MSE else total / n
    return value, (correct / n if len(classes) else math.nan)


#: what ``train_epochs`` stopped on
RAN, WEIGHTS_NOT_FINITE, LOSS_NOT_FINITE = 0, 1, 2


@_kernel
def train_epochs(params, grads, update, m, v, mask, good, X_all, Y_all, classes, X_test, Y_test,
                 classes_test, X, Y, rng, shuffle, order, position, batch_size, max_batches,
                 keep_going, most_batches, check_each, sizes, offsets, units, acts, use_bias, loss, opt, lr,
                 mu, beta1, beta2, eps, t, reg, reg_rate, threshold, z, a, delta, columns,
                 metrics):
    """Minibatches across epoch ends, exactly as that many ``Trainer.step_batch`` calls would
    train them. With ``shuffle`` an epoch starts by drawing its order from the trainer's own
    generator ``rng`` into ``order`` (``_draw_order``: what Trainer._start_epoch draws) and
    putting the rows of X_all, Y_all in that order into X, Y. An epoch ends with its train and test loss and accuracy in
    ``metrics[k]`` (as Trainer.evaluate) and a copy of the weights in ``good``.

    Stops after ``max_batches`` minibatches, unless ``keep_going[0]`` is nonzero (the window
    is drawing a frame, which the trainer would otherwise wait for): then it goes on, up to
    ``most_batches``, or ``len(metrics)`` epochs. Also stops after a minibatch that leaves
    weights that are not finite (``check_each``; else only at an epoch's end, as
    ``Trainer.step_epoch`` checks), and at an epoch whose loss is not.

    Returns (minibatches trained, epochs completed, epochs started, position, start of the
    last minibatch, RAN or WEIGHTS_NOT_FINITE or LOSS_NOT_FINITE)."""
    n = X.shape[1]
    done, completed, started, last, status = 0, 0, 0, position, RAN
    while True:
        if position == 0:
            if completed == len(metrics):
                break
            if shuffle:
                _draw_order(rng, order)
                for p in range(n):
                    r = order[p]
                    for i in range(X.shape[0]):
                        X[i, p] = X_all[i, r]
                    for j in range(Y.shape[1]):
                        Y[p, j] = Y_all[r, j]
            started += 1
        last = position
        position = min(position + batch_size, n)
        _minibatch(params, grads, update, m, v, mask, X, Y, last, position, sizes, offsets,
                   units, acts, use_bias, loss, opt, lr, mu, beta1, beta2, eps, t + done, reg,
                   reg_rate, z, a, delta)
        done += 1
        if (check_each or position == n) and not _finite_sum(params):
            status = WEIGHTS_NOT_FINITE
            break
        if position == n:  # the epoch is complete: its figures, as Trainer.evaluate
            position = 0
            train_loss, train_accuracy = evaluate(params, X_all, Y_all, classes, threshold,
                                                  sizes, offsets, acts, loss, columns, z, a)
            test_loss, test_accuracy = evaluate(params, X_test, Y_test, classes_test, threshold,
                                                sizes, offsets, acts, loss, columns, z, a)
            if not math.isfinite(train_loss) or (X_test.shape[1] and not math.isfinite(test_loss)):
                status = LOSS_NOT_FINITE
                break
            metrics[completed, 0], metrics[completed, 1] = train_loss, test_loss
            metrics[completed, 2], metrics[completed, 3] = train_accuracy, test_accuracy
            completed += 1
            good[:] = params
        if done >= most_batches or (done >= max_batches and keep_going[0] == 0):
            break
    return done, completed, started, position, last, status


def warm_up() -> None:
    """Compile (or load from the disk cache) every kernel with the argument types the engine
    passes, on a tiny network, so that no training call ever waits for the compiler."""
    sizes = np.array([2, 3, 2], dtype=np.int64)
    offsets = np.array([0, 9, 17], dtype=np.int64)
    units = np.array([0, 2, 5, 7], dtype=np.int64)
    acts = np.array([TANH, SIGMOID], dtype=np.int64)
    bias = np.ones(2, dtype=np.int64)
    p = np.linspace(-1.0, 1.0, 17)
    g, u, m, v, mask = (np.zeros(17) for _ in range(5))
    X = np.ones((3, 4))
    Y = np.zeros((4, 2))
    z, a, delta = np.zeros(7), np.zeros(7), np.zeros(7)
    train_batches(p, g, u, m, v, mask, X, Y, 0, 2, 2, True, sizes, offsets, units, acts, bias,
                  MSE, ADAM, 0.1, 0.9, 0.9, 0.999, 1e-8, 0, L1, 0.001, z, a, delta)
    classes = np.zeros(4, dtype=np.int64)
    train_epochs(p, g, u, m, v, mask, p.copy(), X, Y, classes, X, Y, classes, X.copy(), Y.copy(),
                 np.random.default_rng(0), True, np.zeros(4, dtype=np.int64), 0, 3, 2,
                 np.zeros(1, dtype=np.int64), 4, True, sizes, offsets, units, acts, bias, MSE, ADAM, 0.1,
                 0.9, 0.9, 0.999, 1e-8, 0, L1, 0.001, 0.5, z, a, delta, np.zeros((2, 3, 4)),
                 np.zeros((2, 4)))
