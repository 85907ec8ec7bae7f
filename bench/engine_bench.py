"""Engine speed against a plain numpy loop doing the same training in the same process.

Spiral, 500 points, 50% train, batch 10, lr 0.03, tanh everywhere, mse, shuffled each epoch,
train and test loss computed after every epoch (as the trainer does). Prints one JSON line
per configuration: config, epochs_per_s, baseline_epochs_per_s, ratio (medians of several
alternating rounds, so that noise on a small shared machine hits both alike).

    python bench/engine_bench.py [--seconds 1.0] [--rounds 7]
"""
from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from model import Network  # noqa: E402
from model.data.datasets import make_data  # noqa: E402
from model.core.trainer import Trainer, encode_targets  # noqa: E402

LR, BATCH = 0.03, 10


def baseline_epoch(Ws, bs, X, Y, X_test, Y_test, rng):
    """One epoch the plain way: one numpy call per formula, new arrays each time."""
    n = len(X)
    perm = rng.permutation(n)
    for start in range(0, n, BATCH):
        idx = perm[start:start + BATCH]
        x, y = X[idx], Y[idx]
        acts = [x]
        for W, b in zip(Ws, bs):
            acts.append(np.tanh(acts[-1] @ W + b))
        delta = (acts[-1] - y) * (1 - acts[-1] ** 2)
        for l in range(len(Ws) - 1, -1, -1):
            dW = acts[l].T @ delta / len(x)
            db = delta.mean(axis=0)
            if l:
                delta = (delta @ Ws[l].T) * (1 - acts[l] ** 2)
            Ws[l] -= LR * dW
            bs[l] -= LR * db
    losses = []
    for Xe, Ye in ((X, Y), (X_test, Y_test)):
        a = Xe
        for W, b in zip(Ws, bs):
            a = np.tanh(a @ W + b)
        losses.append(0.5 * np.mean(np.sum((a - Ye) ** 2, axis=1)))
    return losses


def rate(fn, seconds):
    """Epochs per second of fn() over about ``seconds``."""
    fn()  # warm-up
    count, t0 = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - t0) < seconds:
        fn()
        count += 1
    return count / elapsed


def bench(hidden, seconds, rounds):
    data = make_data("spiral", n_points=500, noise=0.0, train_ratio=0.5, seed=1)
    sizes = [2, *hidden, 1]
    net = Network.from_sizes(sizes, hidden="tanh", output="tanh", init="tf", seed=1)
    Y = encode_targets(data.y_train, "classification", 1, "tanh")
    Y_test = encode_targets(data.y_test, "classification", 1, "tanh")
    trainer = Trainer(net, data.X_train, Y, data.X_test, Y_test, loss="mse", optimizer="sgd",
                      lr=LR, batch_size=BATCH, seed=1)
    Ws = [layer.W.copy() for layer in net.layers]
    bs = [layer.b.copy() for layer in net.layers]
    rng = np.random.default_rng(1)
    ours, base = [], []
    for _ in range(rounds):
        ours.append(rate(trainer.step_epoch, seconds))
        base.append(rate(lambda: baseline_epoch(Ws, bs, data.X_train, Y, data.X_test, Y_test, rng),
                         seconds))
    ours_m, base_m = statistics.median(ours), statistics.median(base)
    return {"config": f"spiral-500 hidden={hidden} batch={BATCH} tanh sgd",
            "epochs_per_s": round(ours_m, 1), "baseline_epochs_per_s": round(base_m, 1),
            "ratio": round(ours_m / base_m, 2)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    for hidden in ([8, 8], [4, 2]):
        print(json.dumps(bench(hidden, args.seconds, args.rounds)), flush=True)


if __name__ == "__main__":
    main()
