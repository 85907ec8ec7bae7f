"""Engine speed: every row of issue 12's table, for each engine path, beside a plain numpy loop.

Spiral, 250 training and 250 test points (inputs x1, x2), tanh on every layer, mse, SGD at
lr 0.03, shuffled every epoch, train and test loss computed after every epoch (as both this
app and TensorFlow Playground do). For every row it measures, in this process, in interleaved
rounds (medians, so that noise on a shared machine hits all alike):

    numpy      the numpy engine (Trainer, engine="numpy")
    compiled   the compiled kernels (engine="compiled"; needs numba, the `fast` extra)
    auto       what the app trains with: the engine ``engine.faster_engine`` picks
    plain      a plain numpy loop written as a competent numpy user would: in-place updates,
               one shuffle per epoch, sums divided by n (it trains the same numbers)

and prints TensorFlow Playground's nn.ts figures from issue 12 beside them. Those were measured
in node on another run; they cannot be measured here, and are labelled so. Then the kernels'
first compile and cached start-up, each in a fresh process with its own cache folder.

With --crossover it measures both paths over a grid of networks and batch sizes instead, and
prints how often ``engine.faster_engine`` (the rule "auto" follows) picks the faster one,
with the rule's constants fitted afresh to this machine's figures.

    python bench/engine_bench.py [--seconds 0.5] [--rounds 5] [--json] [--crossover]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model import Network  # noqa: E402
from model.core import engine  # noqa: E402
from model.core.trainer import Trainer, encode_targets  # noqa: E402
from model.data.datasets import make_data  # noqa: E402

LR = 0.03
#: (hidden layers, batch size, TF Playground nn.ts epochs/s as issue 12 published it)
ROWS = (((8, 8), 10, 1500), ((4, 2), 10, 4500), ((4, 2), 1, 4200), ((8, 8), 1, 1420),
        ((16,) * 8, 10, 97))
TARGET_VS_TF, TARGET_VS_PLAIN_AT_BATCH_1 = 1.5, 10.0


def spiral():
    data = make_data("spiral", n_points=500, noise=0.0, train_ratio=0.5, seed=1)
    Y = encode_targets(data.y_train, "classification", 1, "tanh")
    Y_test = encode_targets(data.y_test, "classification", 1, "tanh")
    return data.X_train, Y, data.X_test, Y_test


def make_trainer(hidden, batch, engine_name, data):
    X, Y, X_test, Y_test = data
    net = Network.from_sizes([2, *hidden, 1], hidden="tanh", output="tanh", init="tf", seed=1)
    return Trainer(net, X, Y, X_test, Y_test, loss="mse", optimizer="sgd", lr=LR,
                   batch_size=batch, seed=1, engine=engine_name)


class PlainLoop:
    """The baseline: the textbook loop in numpy, with the tweaks a competent user makes."""

    def __init__(self, net: Network, batch: int, data):
        self.Ws = [layer.W.copy() for layer in net.layers]
        self.bs = [layer.b.copy() for layer in net.layers]
        self.batch = batch
        self.X, self.Y, self.X_test, self.Y_test = data
        self.rng = np.random.default_rng(1)

    def epoch(self):
        Ws, bs, n = self.Ws, self.bs, len(self.X)
        perm = self.rng.permutation(n)  # one shuffle per epoch, then slices
        X, Y = self.X[perm], self.Y[perm]
        for start in range(0, n, self.batch):
            x, y = X[start:start + self.batch], Y[start:start + self.batch]
            acts = [x]
            for W, b in zip(Ws, bs):
                acts.append(np.tanh(acts[-1] @ W + b))
            delta = (acts[-1] - y) * (1 - acts[-1] ** 2)
            step = LR / len(x)  # sum/n folded into the step
            for l in range(len(Ws) - 1, -1, -1):
                dW = acts[l].T @ delta
                db = delta.sum(axis=0)
                if l:
                    delta = (delta @ Ws[l].T) * (1 - acts[l] ** 2)
                dW *= step  # in place
                db *= step
                Ws[l] -= dW
                bs[l] -= db
        losses = []
        for Xe, Ye in ((self.X, self.Y), (self.X_test, self.Y_test)):
            a = Xe
            for W, b in zip(Ws, bs):
                a = np.tanh(a @ W + b)
            d = a - Ye
            losses.append(0.5 * float(np.sum(d * d)) / len(Xe))
        return losses


def rate(fn, seconds: float) -> float:
    """Epochs per second of fn() over about ``seconds``."""
    fn()  # warm-up
    count, t0 = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - t0) < seconds:
        fn()
        count += 1
    return count / elapsed


def bench_row(hidden, batch, tf_rate, seconds, rounds, data, compiled_ok):
    paths = {"numpy": make_trainer(hidden, batch, "numpy", data).step_epoch}
    if compiled_ok:
        paths["compiled"] = make_trainer(hidden, batch, "compiled", data).step_epoch
    auto = make_trainer(hidden, batch, "auto", data)
    chosen = auto.engine
    plain = PlainLoop(make_trainer(hidden, batch, "numpy", data).net, batch, data)
    paths["plain"] = plain.epoch
    samples = {name: [] for name in paths}
    for _ in range(rounds):  # interleaved: every path once per round
        for name, fn in paths.items():
            samples[name].append(rate(fn, seconds))
    med = {name: statistics.median(v) for name, v in samples.items()}
    med["auto"] = med[chosen]
    return {"hidden": f"{len(hidden)}×{hidden[0]}" if len(hidden) > 2 else str(list(hidden)),
            "batch": batch, "auto_engine": chosen,
            **{f"{k}_epochs_per_s": round(v, 1) for k, v in med.items()},
            "tf_nn_ts_epochs_per_s_issue12": tf_rate,
            "auto_vs_tf": round(med["auto"] / tf_rate, 2),
            "auto_vs_plain": round(med["auto"] / med["plain"], 2),
            "compiled_vs_numpy": round(med["compiled"] / med["numpy"], 2) if compiled_ok else None}


def agreement(data) -> float:
    """Largest relative difference of the weights after 3 epochs: plain loop vs engine."""
    tr = make_trainer((8, 8), 10, "numpy", data)
    plain = PlainLoop(tr.net, 10, data)
    for _ in range(3):
        tr.step_epoch()
        plain.epoch()
    ours = np.concatenate([np.concatenate([l.W.ravel(), l.b]) for l in tr.net.layers])
    theirs = np.concatenate([np.concatenate([W.ravel(), b]) for W, b in zip(plain.Ws, plain.bs)])
    return float(np.abs(ours - theirs).max() / np.abs(ours).max())


STARTUP = ("import time; t0 = time.perf_counter(); from model.core import engine; "
           "ok = engine.LOADER.wait(600); import json; print(json.dumps({'ok': ok, "
           "'error': engine.LOADER.error, 'compiled': engine.LOADER.compiled, "
           "'load_s': engine.LOADER.seconds, 'total_s': time.perf_counter() - t0}))")


def startup_times() -> dict:
    """First compile (empty cache) and cached start-up, each in a fresh process."""
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for label in ("first_compile", "cached_start"):
            r = subprocess.run([sys.executable, "-c", STARTUP], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=900)
            try:
                out[label] = json.loads(r.stdout.strip().splitlines()[-1])
            except (IndexError, ValueError):
                out[label] = {"ok": False, "error": (r.stderr.strip().splitlines() or ["?"])[-1]}
    return out


CROSSOVER_NETS = ((2,), (4, 2), (8, 8), (16,), (16, 16), (8,) * 4, (16,) * 4, (32, 32),
                  (16,) * 8, (64,), (32,) * 4)
CROSSOVER_BATCHES = (1, 2, 3, 5, 10, 20, 30, 50, 100, 250)


def crossover(seconds: float, rounds: int, data) -> None:
    """Both paths over a grid (CPU time of this thread, medians): where each one wins, how
    the rule does, and its constants refitted to these figures."""
    def epoch_seconds(fn):
        fn()
        t0, count = time.thread_time(), 0
        while time.thread_time() - t0 < seconds:
            fn()
            count += 1
        return (time.thread_time() - t0) / count

    rows = []
    print("| hidden | batch | numpy µs/epoch | compiled µs/epoch | faster | rule picks |")
    print("|---|---|---|---|---|---|")
    for hidden in CROSSOVER_NETS:
        for batch in CROSSOVER_BATCHES:
            fns = {e: make_trainer(hidden, batch, e, data).step_epoch for e in ("numpy", "compiled")}
            t = {e: statistics.median(epoch_seconds(fn) for _ in range(rounds)) * 1e6
                 for e, fn in fns.items()}
            sizes = [2, *hidden, 1]
            pick = engine.faster_engine(sizes, batch, len(data[0]))
            best = min(t, key=t.get)
            rows.append((sizes, batch, t["numpy"], t["compiled"], pick, best))
            print(f"| {list(hidden)} | {batch} | {t['numpy']:.0f} | {t['compiled']:.0f} | {best} "
                  f"| {pick}{'' if pick == best else ' (miss)'} |", flush=True)
    misses = [r for r in rows if r[4] != r[5]]
    worst = max((r[2] if r[4] == "numpy" else r[3]) / min(r[2], r[3]) for r in rows)
    print(f"\nthe rule picks the faster engine in {len(rows) - len(misses)} of {len(rows)}; "
          f"at worst its pick is {worst:.2f}× slower than the best")
    # refit: compiled = c0 + per·(cw·W + cu·U); numpy = nb·(a0 + a1·L) + b0 + per·(bw·W + bu·U)
    feats_c, feats_n, tc, tn = [], [], [], []
    n = len(data[0])
    for sizes, batch, t_np, t_c, _, _ in rows:
        W = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        U, L, nb, per = sum(sizes[1:]), len(sizes) - 1, math.ceil(n / batch), n / 250
        feats_c.append([1, per * W, per * U])
        feats_n.append([nb, nb * L, 1, per * W, per * U])
        tc.append(t_c)
        tn.append(t_np)
    fits = []
    for A, y in ((feats_c, tc), (feats_n, tn)):
        A, y = np.array(A), np.array(y)
        w = 1 / y  # relative errors count alike
        fits.append(np.linalg.lstsq(A * w[:, None], y * w, rcond=None)[0])
    c, m = fits
    print(f"refitted: compiled = {c[0]:.1f} + n/250·({c[1]:.2f}·weights + {c[2]:.2f}·units); "
          f"numpy = batches·({m[0]:.2f} + {m[1]:.2f}·layers) + {m[2]:.1f} + "
          f"n/250·({m[3]:.2f}·weights + {m[4]:.2f}·units)  [µs; engine.faster_engine]")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="per measurement")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="JSON lines only")
    parser.add_argument("--no-startup", action="store_true",
                        help="skip the compile/start-up measurement")
    parser.add_argument("--crossover", action="store_true",
                        help="measure where each engine wins and check the rule")
    args = parser.parse_args(argv)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    compiled_ok = engine.LOADER.wait(600)
    if not compiled_ok:
        print(f"compiled path unavailable: {engine.LOADER.error}", file=sys.stderr)
    data = spiral()
    if args.crossover:
        if not compiled_ok:
            return 1
        crossover(min(args.seconds, 0.25), min(args.rounds, 3), data)
        return 0
    rows = []
    for hidden, batch, tf_rate in ROWS:
        row = bench_row(hidden, batch, tf_rate, args.seconds, args.rounds, data, compiled_ok)
        rows.append(row)
        if args.json:
            print(json.dumps(row), flush=True)
    startup = None if args.no_startup or not compiled_ok else startup_times()
    if args.json:
        if startup:
            print(json.dumps({"startup": startup}))
        return 0
    print(f"spiral 250/250, tanh, mse, sgd lr {LR}, train+test loss every epoch; "
          f"medians of {args.rounds} interleaved rounds of {args.seconds} s; epochs/s; "
          f"load average before: {load_before}\n")
    print("| hidden, batch | TF nn.ts (issue 12, not measured here) | numpy path | compiled "
          "path | plain numpy loop | auto (engine) | auto ÷ TF | auto ÷ plain |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        comp = r.get("compiled_epochs_per_s", "n/a")
        print(f"| {r['hidden']}, {r['batch']} | {r['tf_nn_ts_epochs_per_s_issue12']} | "
              f"{r['numpy_epochs_per_s']:.0f} | {comp if comp == 'n/a' else f'{comp:.0f}'} | "
              f"{r['plain_epochs_per_s']:.0f} | {r['auto_epochs_per_s']:.0f} ({r['auto_engine']}) "
              f"| {r['auto_vs_tf']:.2f} | {r['auto_vs_plain']:.2f} |")
    print()
    for r in rows:
        short = []
        if r["auto_vs_tf"] < TARGET_VS_TF:
            short.append(f"{r['auto_vs_tf']:.2f}× TF's published figure < {TARGET_VS_TF}×")
        if r["batch"] == 1 and r["auto_vs_plain"] < TARGET_VS_PLAIN_AT_BATCH_1:
            short.append(f"{r['auto_vs_plain']:.2f}× the plain loop < {TARGET_VS_PLAIN_AT_BATCH_1}×")
        print(f"{r['hidden']}, batch {r['batch']}: " + ("; ".join(short) or "targets met"))
    print(f"\nplain loop vs engine after 3 epochs ([8, 8], batch 10): max relative weight "
          f"difference {agreement(data):.1e} (same training)")
    if startup:
        for label, s in startup.items():
            if s.get("ok"):
                print(f"{label.replace('_', ' ')}: kernels ready in {s['load_s']:.2f} s "
                      f"({'compiled' if s['compiled'] else 'from the disk cache'}); "
                      f"{s['total_s']:.2f} s including importing numba")
            else:
                print(f"{label.replace('_', ' ')}: failed ({s.get('error')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
