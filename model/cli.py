"""The headless command line: ``python main.py train | gradcheck | export ...``.

Every user error — a wrong option, a bad file, a bad value — ends as one line on stderr and
exit code 2, never a traceback.
"""
from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np

from model.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from model.data.datasets import DATASETS, Data
from model.core.initializers import INITIALIZERS
from model.core.engine import ENGINES
from model.core.losses import LOSSES, default_loss
from model.core.optimizers import OPTIMIZERS

EXIT_USAGE = 2


class UsageError(Exception):
    """A problem the user can fix; its message is printed as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints usage + error; we want one line
        raise UsageError(message)


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _float(lo=None, hi=None, lo_open=False):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if lo is not None and (value < lo or (lo_open and value == lo)):
            raise argparse.ArgumentTypeError(f"{text!r} must be {'>' if lo_open else '≥'} {lo:g}")
        if hi is not None and value > hi:
            raise argparse.ArgumentTypeError(f"{text!r} must be ≤ {hi:g}")
        return value
    return parse


def _hidden(text):
    text = text.strip()
    if text in ("", "none", "0"):
        return ()
    try:
        sizes = tuple(int(t) for t in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of sizes, e.g. 4,4") from None
    if any(not 1 <= s <= 4096 for s in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: every layer needs 1..4096 neurons")
    return sizes


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="main.py", description="Backprop Playground. Without a command: open the window.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    train = sub.add_parser("train", help="train a network headless")
    src = train.add_mutually_exclusive_group()
    src.add_argument("--dataset", choices=sorted(DATASETS), default=None, help="generated data (default circle)")
    src.add_argument("--data", metavar="FILE.csv", help="your own data (see README for the format)")
    train.add_argument("--features", default="x1,x2", help="input features, e.g. x1,x2,x1^2,sin_x1")
    train.add_argument("--hidden", type=_hidden, default=(4, 2), help="hidden layer sizes, e.g. 4,4")
    train.add_argument("--activation", choices=HIDDEN_ACTIVATIONS, default="tanh")
    train.add_argument("--output-activation", choices=OUTPUT_ACTIVATIONS, default=None)
    train.add_argument("--loss", choices=sorted(LOSSES), default=None)
    train.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="sgd")
    train.add_argument("--lr", type=_float(0, lo_open=True), default=0.03)
    train.add_argument("--batch-size", type=_positive_int, default=10)
    train.add_argument("--epochs", type=_positive_int, default=100)
    reg = train.add_mutually_exclusive_group()
    reg.add_argument("--l1", type=_float(0), default=None, metavar="RATE")
    reg.add_argument("--l2", type=_float(0), default=None, metavar="RATE")
    train.add_argument("--init-scheme", choices=sorted(INITIALIZERS), default="xavier")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--points", type=_positive_int, default=500)
    train.add_argument("--noise", type=_float(0, 1), default=0.0, help="0..1")
    train.add_argument("--classes", type=_positive_int, default=3, help="for blobs and spiral_arms (3..6)")
    train.add_argument("--train-ratio", type=_float(0, 1, lo_open=True), default=None,
                       help="share of rows used for training (default 0.5 generated, 1 for --data)")
    train.add_argument("--no-shuffle", action="store_true", help="keep the rows' order every epoch")
    train.add_argument("--engine", choices=ENGINES, default="auto",
                       help="auto (the faster for this network and batch size), numpy or compiled")
    train.add_argument("--init", metavar="WEIGHTS.json", help="start from these weights")
    train.add_argument("--export", metavar="OUT.json|.npz", help="save the trained weights")
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    check = sub.add_parser("gradcheck", help="backprop against numeric gradients")
    check.add_argument("--init", required=True, metavar="W.json")
    check.add_argument("--data", required=True, metavar="D.csv")
    check.add_argument("--loss", choices=sorted(LOSSES), default=None)
    check.add_argument("--epsilon", type=_float(0, 1, lo_open=True), default=1e-5)

    export = sub.add_parser("export", help="export weights as ONNX, a numpy-only .py, .npz or .json")
    export.add_argument("--init", required=True, metavar="W.json", help="the weights to export")
    export.add_argument("--to", required=True, metavar="OUT.onnx|.py|.npz|.json",
                        help="the file to write; its suffix picks the format")
    return parser


# --------------------------------------------------------------------------- helpers
def _load_weights(path):
    from model.files.serialize import load_network
    return load_network(path)


def _load_csv(path, train_ratio, seed):
    from model.data.csvdata import load_csv
    return load_csv(path, train_ratio=train_ratio, seed=seed)


def inputs_for(net, data: Data) -> tuple[np.ndarray, np.ndarray, tuple[str, ...] | None]:
    """The network's inputs for the data's rows: via feature transforms when the network's
    inputs are feature names and the data has two columns, else the columns as they are."""
    from model.data import features as feats
    if len(data.input_names) == 2 and feats.are_feature_ids(net.inputs):
        return (feats.transform(data.X_train, net.inputs), feats.transform(data.X_test, net.inputs),
                tuple(net.inputs))
    if data.X_train.shape[1] != net.sizes[0]:
        raise UsageError(f"the weights expect {net.sizes[0]} inputs ({', '.join(net.inputs)}) "
                         f"but the data has {data.X_train.shape[1]} ({', '.join(data.input_names)})")
    return data.X_train, data.X_test, None


class Progress:
    """A progress bar on stderr: redrawn in place on a terminal, a line per 10% otherwise."""

    def __init__(self, total, enabled=True, stream=None):
        self.total, self.enabled = total, enabled
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.next_report = 0.1
        self.last_draw = 0.0

    def update(self, done, loss):
        if not self.enabled:
            return
        frac = done / self.total
        now = time.monotonic()
        if self.tty:
            if now - self.last_draw < 0.05 and done != self.total:
                return
            self.last_draw = now
            bar = "#" * int(30 * frac)
            self.stream.write(f"\r[{bar:<30}] epoch {done}/{self.total}  loss {loss:.6g}")
            if done == self.total:
                self.stream.write("\n")
        elif frac >= self.next_report - 1e-9 or done == self.total:
            while self.next_report <= frac + 1e-9:
                self.next_report += 0.1
            self.stream.write(f"[{int(frac * 100):3d}%] epoch {done}/{self.total}  loss {loss:.6g}\n")
        self.stream.flush()


def _fmt(x):
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.6g}"


# --------------------------------------------------------------------------- commands
def cmd_train(args) -> int:
    from model.data import features as feats
    from model.playground import Playground, Settings
    from model.files.serialize import save_network

    reg, rate = ("l1", args.l1) if args.l1 is not None else ("l2", args.l2) if args.l2 is not None else ("none", 0.0)
    try:
        features = tuple(feats.parse_features(args.features))
    except ValueError as exc:
        raise UsageError(f"--features: {exc}") from None
    ratio = args.train_ratio if args.train_ratio is not None else (1.0 if args.data else 0.5)
    data = _load_csv(args.data, ratio, args.seed) if args.data else None
    network = _load_weights(args.init) if args.init else None
    if network is not None:
        if feats.are_feature_ids(network.inputs):
            features = tuple(network.inputs)
        out_act = network.output_activation
    else:
        out_act = args.output_activation
    task = data.task if data is not None else DATASETS[args.dataset or "circle"].task
    loss = args.loss or (default_loss(out_act, task) if out_act else None)
    settings = Settings(dataset=args.dataset or "circle", n_points=args.points, noise=args.noise,
                        train_ratio=ratio, data_seed=args.seed, n_classes=args.classes,
                        features=features, hidden=args.hidden, activation=args.activation,
                        output_activation=out_act, loss=loss, init_scheme=args.init_scheme,
                        seed=args.seed, optimizer=args.optimizer, lr=args.lr,
                        batch_size=args.batch_size, regularization=reg, reg_rate=rate,
                        shuffle=not args.no_shuffle, engine=args.engine)
    try:
        pg = Playground(settings, data=data, network=network)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    trainer = pg.trainer
    print(f"training {pg.net!r} on {pg.data.name} ({len(pg.X_train)} train / {len(pg.X_test)} test rows), "
          f"loss {trainer.loss.name}, {args.optimizer} lr {args.lr:g}", file=sys.stderr)
    progress = Progress(args.epochs, enabled=not args.quiet)
    t0 = time.perf_counter()
    trainer.train(args.epochs, callback=lambda t: progress.update(t.epoch, t.history.train_loss[-1]))
    elapsed = time.perf_counter() - t0
    if trainer.diverged:
        print(f"error: {trainer.diverged}", file=sys.stderr)
    m = trainer.evaluate()
    print(f"epochs {trainer.epoch}  ({trainer.epoch / max(elapsed, 1e-9):.0f} epochs/s, "
          f"engine {trainer.engine_description()})")
    print(f"train loss {_fmt(m['train_loss'])}  test loss {_fmt(m['test_loss'])}")
    if pg.data.task == "classification":
        print(f"train accuracy {_fmt(m['train_accuracy'])}  test accuracy {_fmt(m['test_accuracy'])}")
    if args.export:
        meta = {"loss": trainer.loss.name, "task": pg.data.task,
                "features": list(pg.feature_names()) if pg.uses_feature_transforms() else None,
                "classes": list(pg.data.target_names) if pg.data.task == "classification" else None}
        save_network(pg.net, args.export, meta=meta)
        print(f"weights saved to {args.export}")
    return 1 if trainer.diverged else 0


def cmd_gradcheck(args) -> int:
    from model.lessons.gradcheck import gradient_check
    from model.core.trainer import encode_targets

    net = _load_weights(args.init)
    data = _load_csv(args.data, 1.0, 0)
    X, _, _ = inputs_for(net, data)
    loss = args.loss or default_loss(net.output_activation, data.task)
    try:
        Y = encode_targets(data.y_train, data.task, net.sizes[-1], net.output_activation)
        result = gradient_check(net, X, Y, loss, epsilon=args.epsilon)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    for l, worst in enumerate(result.per_layer(net)):
        print(f"layer {l + 1}: worst relative error {worst:.3e}")
    print(f"{net.n_params} parameters; backprop {result.backprop_seconds * 1e3:.3f} ms, "
          f"numeric (2·{net.n_params} forward passes) {result.numeric_seconds * 1e3:.3f} ms")
    print(f"worst: {result.worst_name}  backprop {result.analytic[result.worst_index]:.10g}  "
          f"numeric {result.numeric[result.worst_index]:.10g}  relative error {result.worst_error:.3e}")
    print("PASS" if result.passed else "FAIL")
    return 0 if result.passed else 1


EXPORT_FORMATS = (".onnx", ".py", ".npz", ".json")


def cmd_export(args) -> int:
    from pathlib import Path

    from model.files.serialize import load_network_with_meta, save_network

    suffix = Path(args.to).suffix.lower()
    if suffix not in EXPORT_FORMATS:
        shown = repr(Path(args.to).suffix) if Path(args.to).suffix else "none"
        raise UsageError(f"--to: unknown file type ({shown}); use one of {', '.join(EXPORT_FORMATS)}")
    net, meta = load_network_with_meta(args.init)
    meta = meta or None
    if suffix == ".onnx":
        from model.files.export_onnx import export_onnx
        export_onnx(net, args.to, meta=meta)
    elif suffix == ".py":
        from model.files.export_py import export_python
        export_python(net, args.to, meta=meta)
    else:
        save_network(net, args.to, meta=meta)
    print(f"exported {args.to}")
    return 0


def run(argv) -> int:
    """Run a command; returns the exit code. Never raises for user errors."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "train":
            return cmd_train(args)
        if args.command == "gradcheck":
            return cmd_gradcheck(args)
        if args.command == "export":
            return cmd_export(args)
        parser.print_help()
        return 0
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except ValueError as exc:  # CSVError, WeightsError and friends: already one clear line
        print(f"error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return EXIT_USAGE
