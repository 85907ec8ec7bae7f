"""The headless command line: ``backprop-playground train | predict | gradcheck | export ...``
(``python main.py ...`` from the source folder).

Every user error — a wrong option, a bad file, a bad value — ends as one line on stderr and
exit code 2, never a traceback; numpy's RuntimeWarnings never reach the terminal.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from difflib import get_close_matches

import numpy as np

from model.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, check_activation_name
from model.data.datasets import DATASETS, Data
from model.core.initializers import INITIALIZERS
from model.core.engine import ENGINES
from model.core.losses import LOSSES, default_loss
from model.core.optimizers import OPTIMIZERS
from model.cli_help import HelpFormatter, command_epilog, top_epilog, wrapped
from model.cli_output import EXPORT_FORMATS, Progress, check_export, write_export

EXIT_USAGE = 2
COMMANDS = ("train", "predict", "gradcheck", "export")
ONNX_DTYPES = ("float64", "float32")  # model.files.export_onnx.DTYPES, without importing onnx


def usage_hint(prog: str) -> str:
    """The usage line, appended to messages about unknown commands and options."""
    return f"(usage: {prog} [{'|'.join(COMMANDS)}] [options]; {prog} --help lists them)"


class UsageError(Exception):
    """A problem the user can fix; its message is printed as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints usage + error; we want one line
        raise UsageError(message)

    def unknown(self, extras: list[str]) -> UsageError:
        """The error for arguments this (sub)command does not know, with a suggestion."""
        known = [o for a in self._actions for o in a.option_strings]
        close = get_close_matches(extras[0].split("=")[0], known, n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]}?)" if close else ""
        what = "unknown option" if extras[0].startswith("-") else "unexpected argument"
        return UsageError(f"{what} {extras[0]!r}{hint} (usage: {self.prog} [options]; "
                          f"{self.prog} --help lists them)")


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


def _activations(text):
    names = [t.strip() for t in text.split(",")]
    try:
        return tuple(check_activation_name(n, "hidden") for n in names)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _output_activation(text):
    try:
        return check_activation_name(text.strip(), "output")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser(prog: str = "main.py") -> argparse.ArgumentParser:
    from model.version import version
    parser = _Parser(prog=prog, formatter_class=HelpFormatter, epilog=top_epilog(prog),
                     description=wrapped("Backprop Playground: build a small neural network, "
                                         "train it, and watch backpropagation happen. Without a "
                                         "command it opens the window; the commands below run "
                                         "headless."))
    parser.add_argument("-V", "--version", action="version",
                        version=f"backprop-playground {version()}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND",
                                title="commands")

    def command(name, help_text):
        return sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".",
                              formatter_class=HelpFormatter,
                              epilog=command_epilog(prog, name))

    train = command("train", "train a network headless")
    src = train.add_mutually_exclusive_group()
    src.add_argument("--dataset", choices=sorted(DATASETS), default=None, help="generated data (default: circle)")
    src.add_argument("--data", metavar="FILE.csv|NAME",
                     help="your own data (see README for the format), or a bundled set: "
                          "iris, wine, breast_cancer")
    train.add_argument("--target", type=_columns, default=None, metavar="COLUMN",
                       help="the column to predict (default: label, y or y1..yk, else the last "
                            "column); several columns for a regression: a,b")
    cols = train.add_mutually_exclusive_group()
    cols.add_argument("--inputs", type=_columns, default=None, metavar="COL,...",
                      help="use only these columns as inputs")
    cols.add_argument("--drop", type=_columns, default=(), metavar="COL,...",
                      help="leave these columns out (e.g. an id or a text column)")
    train.add_argument("--task", choices=("classification", "regression"), default=None,
                       help="default: classes for text or a few integers, else a regression")
    train.add_argument("--scale", choices=("standard", "minmax", "none"), default=None,
                       help="input scaling, from the training rows (default: standard for "
                            "--data, none for generated data)")
    train.add_argument("--features", default="x1,x2", metavar="NAMES", help="input features, e.g. x1,x2,x1^2,sin_x1")
    train.add_argument("--hidden", type=_hidden, default=(4, 2), metavar="SIZES", help="hidden layer sizes, e.g. 4,4")
    train.add_argument("--activation", type=_activations, default=("tanh",), metavar="NAME[,NAME…]",
                       help=f"hidden activation, or one per hidden layer (e.g. tanh,relu): "
                            f"{', '.join(HIDDEN_ACTIVATIONS)}; leaky_relu:SLOPE for another slope")
    train.add_argument("--output-activation", type=_output_activation, default=None,
                       metavar="NAME",
                       help=f"{', '.join(OUTPUT_ACTIVATIONS)} (default: from the task: sigmoid, "
                            f"softmax or linear)")
    train.add_argument("--formula", default=None, metavar="F(x)",
                       help='the curve of --dataset curve_formula, e.g. "x^2/3 - 2" '
                            "(implies that data set)")
    train.add_argument("--loss", choices=sorted(LOSSES), default=None,
                       help="default: from the task (bce, cce or mse)")
    train.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="sgd",
                       help="how the gradients update the weights")
    train.add_argument("--lr", type=_float(0, lo_open=True), default=0.03, metavar="RATE",
                       help="learning rate")
    train.add_argument("--batch-size", type=_positive_int, default=10, metavar="N",
                       help="rows per step")
    train.add_argument("--epochs", type=_positive_int, default=100, metavar="N",
                       help="passes over the data")
    reg = train.add_mutually_exclusive_group()
    reg.add_argument("--l1", type=_float(0), default=None, metavar="RATE",
                     help="L1 regularization (default: none)")
    reg.add_argument("--l2", type=_float(0), default=None, metavar="RATE",
                     help="L2 regularization (default: none)")
    train.add_argument("--init-scheme", choices=sorted(INITIALIZERS), default="xavier",
                       help="how the first weights are drawn")
    train.add_argument("--seed", type=int, default=0, metavar="N", help="for the data, weights and shuffling")
    train.add_argument("--points", type=_positive_int, default=500, metavar="N",
                       help="generated points")
    train.add_argument("--noise", type=_float(0, 1), default=0.0, metavar="LEVEL",
                       help="0..1, generated data")
    train.add_argument("--classes", type=_positive_int, default=3, metavar="K",
                       help="for blobs and spiral_arms (3..6)")
    train.add_argument("--train-ratio", type=_float(0, 1, lo_open=True), default=None,
                       metavar="SHARE",
                       help="share of rows used for training (default: 0.5 generated, 0.8 for "
                            "--data, by class; refused if the file has a split column)")
    train.add_argument("--no-shuffle", action="store_true", help="keep the rows' order every epoch")
    train.add_argument("--engine", choices=ENGINES, default="auto",
                       help="auto (the faster for this network and batch size), numpy or compiled")
    train.add_argument("--init", metavar="WEIGHTS.json", help="start from these weights")
    train.add_argument("--export", metavar="OUT",
                       help="save the trained network; the suffix picks the format: "
                            f"{', '.join(EXPORT_FORMATS)} (checked before training starts)")
    train.add_argument("--dtype", choices=ONNX_DTYPES, default=None,
                       help="number type of an .onnx export (default: float64)")
    train.add_argument("--history", nargs="?", const="", default=None, metavar="FILE.csv",
                       help="save the loss and accuracy of every epoch as CSV; with --json, "
                            "the per-epoch history is also in the JSON (a file is optional)")
    train.add_argument("--json", action="store_true",
                       help="print the results as JSON on stdout instead of text")
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    predict = command("predict", "predict outputs and classes for the rows of a CSV file")
    predict.add_argument("--init", required=True, metavar="W.json", help="the trained weights")
    predict.add_argument("--data", required=True, metavar="D.csv",
                         help="the inputs: the app's data CSV (label, y and split columns are "
                              "ignored) or just the input columns")
    predict.add_argument("--out", metavar="OUT.csv",
                         help="write the predictions here (default: standard output)")

    check = command("gradcheck", "check backprop against numeric gradients")
    check.add_argument("--init", required=True, metavar="W.json", help="the weights to check")
    check.add_argument("--data", required=True, metavar="D.csv", help="the rows to check on")
    check.add_argument("--loss", choices=sorted(LOSSES), default=None,
                       help="default: from the task")
    check.add_argument("--epsilon", type=_float(0, 1, lo_open=True), default=1e-5, metavar="EPS",
                       help="step of the centred differences")

    export = command("export", "export weights as ONNX, a numpy-only .py, .npz or .json")
    export.add_argument("--init", required=True, metavar="W.json", help="the weights to export")
    export.add_argument("--to", required=True, metavar="OUT",
                        help=f"the file to write; its suffix picks the format: "
                             f"{', '.join(EXPORT_FORMATS)}")
    export.add_argument("--dtype", choices=ONNX_DTYPES, default=None,
                        help="number type of an .onnx export (default: float64)")
    return parser


# --------------------------------------------------------------------------- helpers
def _load_weights(path):
    from model.files.serialize import load_network
    return load_network(path)


def _columns(text):
    names = tuple(t.strip() for t in text.split(","))
    if not all(names):
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of column names")
    return names


def _load_csv(path, train_ratio, seed, **roles):
    """A CSV file, or a bundled set by name (iris, wine, breast_cancer)."""
    from model.data.bundled import data_path
    from model.data.csvdata import load_csv
    return load_csv(data_path(path), train_ratio=train_ratio, seed=seed, **roles)


def _data_line(pg) -> str:
    """What the data is, in one line: target, task, inputs, scaling."""
    data, scaling = pg.data, pg.net.input_scaling  # loaded weights bring their own
    what = (f"classes {', '.join(data.target_names[:6])}"
            + (f", … ({len(data.target_names)})" if len(data.target_names) > 6 else "")
            if data.task == "classification" else f"regression of {', '.join(data.target_names)}")
    scaled = f"inputs scaled ({scaling.method}, from the training rows)" if scaling \
        else "inputs not scaled"
    return f"data {data.name}: {what}; {len(data.input_names)} inputs; {scaled}"


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


# --------------------------------------------------------------------------- commands
def _dataset_and_formula(args) -> tuple[str, str]:
    """--formula implies --dataset curve_formula; with another --dataset it is an error."""
    from model.data.curves import DEFAULT_FORMULA
    if args.formula is None:
        return args.dataset or "circle", DEFAULT_FORMULA
    if args.data or args.dataset not in (None, "curve_formula"):
        raise UsageError("--formula is the curve of --dataset curve_formula, not of "
                         + ("--data" if args.data else f"--dataset {args.dataset}"))
    return "curve_formula", args.formula


def cmd_train(args) -> int:
    from model.data import features as feats
    from model.playground import Playground, Settings
    from model import cli_output as out
    from model.files.destination import check_destination

    # Everything that would fail after training is checked before it: a typo in a path must
    # not cost the run (and --json/--history must agree).
    if args.export:
        check_export(args.export, args.dtype, "--export")
    elif args.dtype is not None:
        raise UsageError("--dtype applies to ONNX exports only (--export FILE.onnx)")
    if args.history == "" and not args.json:
        raise UsageError("--history needs a file name (--history FILE.csv), or --json to "
                         "print the history")
    if args.history:
        check_destination(args.history, (".csv",), "--history")
    reg, rate = ("l1", args.l1) if args.l1 is not None else ("l2", args.l2) if args.l2 is not None else ("none", 0.0)
    try:
        features = tuple(feats.parse_features(args.features))
    except ValueError as exc:
        raise UsageError(f"--features: {exc}") from None
    ratio = args.train_ratio if args.train_ratio is not None else (None if args.data else 0.5)
    if not args.data and (args.target or args.inputs or args.drop or args.task):
        raise UsageError("--target, --inputs, --drop and --task need --data")
    data = _load_csv(args.data, ratio, args.seed, target=args.target, inputs=args.inputs,
                     drop=args.drop, task=args.task) if args.data else None
    network = _load_weights(args.init) if args.init else None
    if network is not None and args.scale is not None:
        raise UsageError("--scale: the weights from --init keep the input scaling they were "
                         "trained with")
    if network is not None:
        if feats.are_feature_ids(network.inputs):
            features = tuple(network.inputs)
        out_act = network.output_activation
    else:
        out_act = args.output_activation
    dataset, formula = _dataset_and_formula(args)
    task = data.task if data is not None else DATASETS[dataset].task
    loss = args.loss or (default_loss(out_act, task) if out_act else None)
    acts = args.activation
    if len(acts) > 1 and network is None and len(acts) != len(args.hidden):
        raise UsageError(f"--activation: {len(acts)} activations for {len(args.hidden)} hidden "
                         f"layer{'' if len(args.hidden) == 1 else 's'} (give one, or one per layer)")
    try:
        settings = Settings(
            dataset=dataset, n_points=args.points, noise=args.noise,
            train_ratio=ratio or 0.8, data_seed=args.seed, n_classes=args.classes,
            features=features, hidden=args.hidden, activation=acts[0],
            layer_activations=acts if len(acts) > 1 and network is None else (),
            output_activation=out_act, loss=loss, init_scheme=args.init_scheme,
            seed=args.seed, optimizer=args.optimizer, lr=args.lr,
            batch_size=args.batch_size, regularization=reg, reg_rate=rate,
            shuffle=not args.no_shuffle, scale=args.scale or "auto", formula=formula,
            engine=args.engine)
    except ValueError as exc:  # e.g. settings.formula: unexpected ')' at position 7
        field, _, rest = str(exc).removeprefix("settings.").partition(":")
        raise UsageError(f"--{field.replace('_', '-')}:{rest}") from None
    try:
        pg = Playground(settings, data=data, network=network)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    trainer = pg.trainer
    if data is not None:
        print(_data_line(pg), file=sys.stderr)
    print(f"training {pg.net!r} on {pg.data.name} ({len(pg.X_train)} train / {len(pg.X_test)} test rows), "
          f"loss {trainer.loss.name}, {args.optimizer} lr {args.lr:g}", file=sys.stderr)
    progress = Progress(args.epochs, enabled=not args.quiet)
    from model.lessons.run_watch import RunWatch
    watch = RunWatch()  # exploding, stuck or dead runs that never produce a NaN
    watch.start(trainer)
    t0 = time.perf_counter()
    trainer.train(args.epochs, callback=lambda t: (progress.update(t.epoch, t.history.train_loss[-1]),
                                                   watch.observe(t)))
    elapsed = time.perf_counter() - t0
    finding = None if trainer.diverged else watch.observe(trainer, force=True)
    if trainer.diverged:
        print(f"error: {trainer.diverged}", file=sys.stderr)
    elif finding is not None:
        print(f"{'error' if finding.kind == 'exploding' else 'warning'}: {finding.line()}",
              file=sys.stderr)
    if args.export:
        write_export(pg.net, pg.weights_meta(), args.export, args.dtype)
    if args.history:
        out.write_history(trainer.history.to_lists(), args.history)
    results = out.train_results(pg, elapsed, export=args.export, history_file=args.history,
                                with_history=args.json and args.history is not None)
    out.print_results(results, args.json)
    return 1 if trainer.diverged or (finding is not None and finding.kind == "exploding") else 0


def cmd_gradcheck(args) -> int:
    from model.lessons.gradcheck import gradient_check
    from model.core.trainer import encode_targets

    net = _load_weights(args.init)
    data = _load_csv(args.data, None, 0)
    X_train, X_test, _ = inputs_for(net, data)
    # every row of the file (train and test alike), as the first layer sees it
    X = net.scale_inputs(np.concatenate([X_train, X_test]))
    y = np.concatenate([data.y_train, data.y_test])
    loss = args.loss or default_loss(net.output_activation, data.task)
    try:
        Y = encode_targets(y, data.task, net.sizes[-1], net.output_activation)
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


def cmd_export(args) -> int:
    from model.files.serialize import load_network_with_meta

    check_export(args.to, args.dtype, "--to")
    net, meta = load_network_with_meta(args.init)
    write_export(net, meta, args.to, args.dtype)
    print(f"exported {args.to}")
    return 0


def cmd_predict(args) -> int:
    from model.files.atomic import write_bytes_atomically
    from model.files.destination import check_destination
    from model.files.predictions import predict_file
    from model.files.serialize import load_network_with_meta

    if args.out:
        check_destination(args.out, (".csv",), "--out")
    net, meta = load_network_with_meta(args.init)
    text = predict_file(net, meta, args.data)
    if not args.out:
        sys.stdout.write(text)
        return 0
    try:
        write_bytes_atomically(args.out, text.encode("utf-8"))
    except OSError as e:
        raise UsageError(f"--out: cannot write {args.out} ({e.strerror or e})") from None
    print(f"{text.count(chr(10)) - 1} predictions saved to {args.out}")
    return 0


COMMAND_FUNCTIONS = {"train": cmd_train, "predict": cmd_predict, "gradcheck": cmd_gradcheck,
                     "export": cmd_export}


def run(argv, prog: str = "main.py") -> int:
    """Run a command; returns the exit code. Never raises for user errors, and numpy's
    RuntimeWarnings (overflow while a run diverges) never reach the terminal: the engine
    reports divergence itself, in one line."""
    parser = build_parser(prog)
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            raise (parser._subparsers._group_actions[0].choices[args.command]
                   if args.command else parser).unknown(extras)
        if args.command is None:
            parser.print_help()
            return 0
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return COMMAND_FUNCTIONS[args.command](args)
    except SystemExit as exc:  # --help and --version end here after printing
        return exc.code if isinstance(exc.code, int) else 0
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
