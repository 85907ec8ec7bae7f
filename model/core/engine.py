"""Which engine trains: numpy's batched products or the compiled per-example kernels.

The choice is made per configuration (network size and batch size) by ``faster_engine``,
the one place that knows where the crossover is (measured by bench/engine_bench.py). The
setting ``engine`` ("auto", "numpy", "compiled"; also the environment variable
BACKPROP_ENGINE, which applies where the setting says "auto") forces either one.

Compiling never blocks anyone: the kernels load (from the per-user disk cache, or compile
the first time) in a background thread, training starts on numpy meanwhile, and the
trainer switches between two minibatches once they are ready. Without numba (the optional
``fast`` extra) everything trains on numpy. Lessons, the inspector and the gradient check
always use numpy for their one-step analyses; the numbers agree to 1e-12.
"""
from __future__ import annotations

import atexit
import hashlib
import importlib
import importlib.metadata
import importlib.util
import math
import os
import pathlib
import subprocess
import sys
import threading
import time

import numpy as np

from model.core import kernel_ids as ids

ENGINES = ("auto", "numpy", "compiled")
ENV_VAR = "BACKPROP_ENGINE"


# ------------------------------------------------------------------------------ the rule
def faster_engine(sizes, batch_size: int, n_train: int = 250) -> str:
    """"compiled" or "numpy": whichever trains this configuration faster (an epoch, with the
    train and test loss after it).

    The compiled kernels go one example at a time: their cost grows with the weights and the
    units (every unit evaluates f and f′) of each example, plus a fixed cost per epoch.
    Numpy pays about a microsecond per call, a few calls per layer and minibatch, whatever
    the size, while its products and element-wise functions over whole batches are cheap per
    number. The constants are least-squares fits, in µs, to epochs measured on spiral (250
    training and 250 test rows) for 11 networks from [2] to 8×16 and 4×32 at batch sizes 1 to
    250 (bench/engine_bench.py --crossover shows the table): the rule picked the faster
    engine in 109 of 110 configurations, and was 2 % slower than the best in the other.
    """
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    units, layers, n = sum(sizes[1:]), len(sizes) - 1, max(int(n_train), 1)
    per_example = n / 250
    compiled = 44.5 + per_example * (0.52 * weights + 6.4 * units)
    numpy = (math.ceil(n / max(int(batch_size), 1)) * (2.66 + 3.76 * layers) + 32.9
             + per_example * (0.05 * weights + 2.03 * units))
    return "compiled" if compiled < numpy else "numpy"


def requested(setting: str = "auto") -> tuple[str, str]:
    """(choice, why) for a setting: an explicit "numpy"/"compiled" wins, then BACKPROP_ENGINE,
    then "auto". An unknown value in the environment is ignored (and said so in ``why``)."""
    if setting not in ENGINES:
        raise ValueError(f"unknown engine {setting!r} (choose from: {', '.join(ENGINES)})")
    if setting != "auto":
        return setting, "chosen in the settings"
    env = os.environ.get(ENV_VAR, "").strip().lower()
    if env in ("numpy", "compiled"):
        return env, f"forced by {ENV_VAR}={env}"
    if env not in ("", "auto"):
        return "auto", f"{ENV_VAR}={env!r} is not auto, numpy or compiled: ignored"
    return "auto", ""


# ------------------------------------------------------------------------------ the loader
def cache_dir() -> pathlib.Path:
    """The per-user folder for compiled kernels: never site-packages, which may be read-only
    and is shared. $XDG_CACHE_HOME (or ~/.cache; %LOCALAPPDATA% on Windows)/backprop-playground."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base and sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
    if not base:
        base = str(pathlib.Path.home() / ".cache")
    return pathlib.Path(base) / "backprop-playground" / "numba"


def kernel_cache_dir() -> str:
    """Where numba keeps the kernels in this process: NUMBA_CACHE_DIR when the user set it."""
    return os.environ.get("NUMBA_CACHE_DIR") or str(cache_dir())


_SOURCES = ("compiled.py", "kernel_ids.py")


def _compiled_marker() -> pathlib.Path:
    """A file that says: these sources were compiled into the cache by this numba and Python."""
    digest = hashlib.sha256()
    for name in _SOURCES:
        digest.update((pathlib.Path(__file__).with_name(name)).read_bytes())
    try:
        numba_version = importlib.metadata.version("numba")
    except importlib.metadata.PackageNotFoundError:  # importable, yet not installed: a checkout
        numba_version = "?"
    digest.update(f"{numba_version} {sys.version}".encode())
    return pathlib.Path(kernel_cache_dir()) / f"compiled-{digest.hexdigest()[:20]}"


class KernelLoader:
    """Loads the compiled kernels once per process, in a background thread.

    The first time (no kernels in the cache for these sources), a child process compiles
    them into the cache: numba's compiler is mostly Python, and in a thread of this process
    it would hold the GIL for seconds while the window and the trainer wait. The thread
    then loads them from the cache (a few tenths of a second).

    ``state`` is "idle", "loading", "ready" or "failed" (``error`` says why);
    ``seconds`` is how long the load took and ``compiled`` whether it had to compile
    (False: loaded from the disk cache)."""

    def __init__(self, module: str = "model.core.compiled"):  # = _MODULE
        self._module_name = module
        self._lock = threading.Lock()
        self._done = threading.Event()
        self.state = "idle"
        self.error: str | None = None
        self.kernels = None
        self.seconds = math.nan
        self.compiled: bool | None = None

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    def start(self) -> None:
        """Begin loading unless it has begun; returns at once."""
        with self._lock:
            if self.state != "idle":
                return
            if importlib.util.find_spec("numba") is None:
                self._fail("numba is not installed (pip install '.[fast]')")
                return
            self.state = "loading"
        threading.Thread(target=self._load, name="compile-kernels", daemon=True).start()

    def wait(self, timeout: float | None = None) -> bool:
        """Start if needed and block until loaded (or failed): True when ready."""
        self.start()
        self._done.wait(timeout)
        return self.ready

    def _fail(self, message: str) -> None:
        self.state, self.error = "failed", message
        self._done.set()

    def _load(self) -> None:
        t0 = time.perf_counter()
        try:
            marker = _compiled_marker() if self._module_name == _MODULE else None
            child = marker is not None and not marker.exists() and self._compile_in_child()
            kernels = importlib.import_module(self._module_name)
            if not kernels.AVAILABLE:
                raise ImportError("numba could not be imported")
            kernels.warm_up()
            self.compiled = child or kernels.train_batches.stats.cache_misses.total() > 0
            if marker is not None:
                marker.touch()
        except Exception as exc:  # noqa: BLE001 - any failure means: stay on numpy
            self._fail(f"the compiled kernels did not load ({type(exc).__name__}: {exc})"
                       .splitlines()[0])
            return
        self.seconds = time.perf_counter() - t0
        self.kernels = kernels
        self.state = "ready"
        self._done.set()

    def _compile_in_child(self) -> bool:
        """Compile into the cache in a child process; True when it did (on failure this
        process compiles, in the background thread, as a last resort). The child ends with
        this process: what it compiled so far stays cached (numba caches each kernel)."""
        root = pathlib.Path(__file__).resolve().parents[2]  # the folder holding `model`
        env = {**os.environ, "NUMBA_CACHE_DIR": kernel_cache_dir(),
               "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
        # niced: on a small machine the window and the trainer come first
        code = f"import os\nif hasattr(os, 'nice'): os.nice(10)\nimport {_MODULE} as k; k.warm_up()"
        try:
            child = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=root,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            return False
        atexit.register(_end, child)
        try:
            return child.wait(timeout=900) == 0
        except subprocess.TimeoutExpired:
            _end(child)
            return False


def _end(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.kill()
        child.wait()


_MODULE = "model.core.compiled"
LOADER = KernelLoader()
#: while the window draws, a flat-out call goes on past its budget, up to this many times it
KEEP_GOING = 8


# ------------------------------------------------------------------------------ per trainer
class EngineChoice:
    """Decides, for one trainer, which path trains the next minibatch.

    ``path()`` is asked before every minibatch (an attribute test or two): it returns the
    trainer's ``CompiledPath`` or None for numpy, and makes the switch once the background
    load has finished."""

    def __init__(self, trainer, setting: str = "auto", loader: KernelLoader | None = None):
        self.trainer = trainer
        self.loader = loader or LOADER
        self.set(setting)

    def set(self, setting: str) -> None:
        self.setting = setting
        self.forced, self._why = requested(setting)
        self._path: CompiledPath | None = None
        self._decide()

    def _decide(self) -> None:
        tr = self.trainer
        # what the decision depends on that can change while training runs
        self._basis = (tr.batch_size, tr.optimizer, tr.regularizer)
        self._path = None
        self.wants = self.forced
        if self.wants == "auto":
            self.wants = faster_engine(tr.net.sizes, tr.batch_size, len(tr.X_train))
        self.unsupported = unsupported(tr) if self.wants == "compiled" else None
        if self.wants == "compiled" and self.unsupported is None:
            self.loader.start()

    def path(self) -> "CompiledPath | None":
        tr = self.trainer
        basis = self._basis
        if basis[0] != tr.batch_size or basis[1] is not tr.optimizer or basis[2] is not tr.regularizer:
            self._decide()
        if self._path is None and self.wants == "compiled" and self.unsupported is None \
                and self.loader.ready:
            self._path = CompiledPath(self.trainer, self.loader.kernels)
        return self._path

    @property
    def name(self) -> str:
        """"compiled" or "numpy": the path that trains the next minibatch."""
        return "numpy" if self.path() is None else "compiled"

    def describe(self) -> str:
        """One line for the status bar's tooltip and About: which engine, and why."""
        name = self.name
        if name == "compiled":
            why = self._why or "faster for this network and batch size"
        elif self.wants == "numpy":
            why = self._why or "faster for this network and batch size"
        elif self.unsupported:
            why = self.unsupported
        elif self.loader.state == "failed":
            why = self.loader.error
        else:
            why = "while the compiled kernels load"
        return f"{name}: {why}"


def unsupported(trainer) -> str | None:
    """Why the kernels cannot train this configuration, or None when they can."""
    net = trainer.net
    for name in net.activation_names:
        if name not in ids.ACTIVATION_IDS:
            return f"the compiled kernels have no {name} activation"
    if trainer.loss.name not in ids.LOSS_IDS:
        return f"the compiled kernels have no {trainer.loss.name} loss"
    if trainer.optimizer.name not in ids.OPTIMIZER_IDS:
        return f"the compiled kernels have no {trainer.optimizer.name} optimizer"
    if trainer.regularizer.kind not in ids.REGULARIZATION_IDS:
        return f"the compiled kernels have no {trainer.regularizer.kind} regularization"
    return None


class CompiledPath:
    """A trainer's arguments for the kernels: the network's shape as integer arrays and
    scratch buffers, built once; optimizer, learning rate and data are read at every call
    (they change while training runs)."""

    def __init__(self, trainer, kernels):
        self.k = kernels
        net = trainer.net
        L = len(net.layers)
        self.sizes = np.array(net.sizes, dtype=np.int64)
        self.offsets = np.array([net.param_index(l, 0, 0) for l in range(L)] + [net.n_params],
                                dtype=np.int64)
        self.units = np.concatenate([[0], np.cumsum(net.sizes)]).astype(np.int64)
        self.acts = np.array([ids.ACTIVATION_IDS[n] for n in net.activation_names],
                             dtype=np.int64)
        self.use_bias = np.array([layer.use_bias for layer in net.layers], dtype=np.int64)
        self.loss = ids.LOSS_IDS[trainer.loss.name]
        self.z, self.a, self.delta = (np.zeros(int(self.units[-1])) for _ in range(3))
        # evaluation runs a layer over all examples at once: two (widest layer, n) buffers
        n = max(len(trainer.X_train), len(trainer.X_test))
        self.columns = np.zeros((2, max(net.sizes[1:]), n))
        self.mask = np.ascontiguousarray(net.weight_mask, dtype=float)
        self.none = np.zeros(0)
        self.no_classes = np.zeros(0, dtype=np.int64)
        self.seconds_per_batch = 0.0  # measured, for batches_for
        # a single output's class boundary, as targets.predicted_classes draws it
        self.threshold = 0.0 if net.output_activation == "tanh" else 0.5
        self.X_test = np.ascontiguousarray(trainer._x_test_aug)
        self.Y_test = np.ascontiguousarray(trainer.Y_test)
        self.metrics = np.empty((0, 4))
        self.never = np.zeros(1, dtype=np.int64)
        self.order = np.zeros(len(trainer.X_train), dtype=np.int64)
        self.classes = self._classes(trainer._true_train)
        self.classes_test = self._classes(trainer._true_test)
        self._bound, self._args = None, ()

    def _optimizer_args(self, tr) -> tuple:
        """The optimizer's and the regularizer's kernel arguments but the learning rate and
        the step count (which change in place): built again only when they are replaced."""
        opt, reg = tr.optimizer, tr.regularizer
        if self._bound != (opt, reg):
            kind = ids.OPTIMIZER_IDS[opt.name]
            # momentum keeps its velocity in the kernels' first state array
            m = opt.velocity if kind == ids.MOMENTUM else (opt.m if kind == ids.ADAM else self.none)
            v = opt.v if kind == ids.ADAM else self.none
            adam = (opt.beta1, opt.beta2, opt.eps) if kind == ids.ADAM else (0.0, 0.0, 0.0)
            reg_kind = ids.REGULARIZATION_IDS[reg.kind] if reg.active else ids.NO_REG
            self._args = (m, v, kind, float(getattr(opt, "momentum", 0.0)),
                          *(float(x) for x in adam), reg_kind, float(reg.rate))
            self._bound = (opt, reg)
        return self._args

    def train(self, tr, max_batches: int, stop_when_not_finite: bool) -> int:
        """Run the kernel on the trainer's epoch buffers from ``tr.position``; returns the
        number of minibatches trained (bookkeeping is the trainer's)."""
        m, v, kind, mu, b1, b2, eps, reg_kind, reg_rate = self._optimizer_args(tr)
        net, opt = tr.net, tr.optimizer
        t0 = time.perf_counter()
        done = self.k.train_batches(
            net.params, net.grads, opt.update, m, v, self.mask, tr._x_epoch, tr._y_epoch,
            tr.position, tr.batch_size, int(max_batches), bool(stop_when_not_finite),
            self.sizes, self.offsets, self.units, self.acts, self.use_bias, self.loss, kind,
            float(opt.lr), mu, b1, b2, eps, opt.t, reg_kind, reg_rate, self.z, self.a,
            self.delta)
        self._timed(time.perf_counter() - t0, done)
        return done

    def run(self, tr, max_batches: int, keep_going: np.ndarray | None,
            check_each: bool = True) -> tuple[int, int]:
        """``max_batches`` minibatches across epoch ends (more while ``keep_going[0]`` is
        nonzero, up to KEEP_GOING times as many) in one kernel call, with the bookkeeping that
        as many ``step_batch`` calls would do. Returns (minibatches, epochs completed).
        The kernel draws each new epoch's order from the trainer's generator itself."""
        m, v, kind, mu, b1, b2, eps, reg_kind, reg_rate = self._optimizer_args(tr)
        net, opt, k = tr.net, tr.optimizer, self.k
        n, bs = len(tr._y_epoch), tr.batch_size
        max_batches = max(int(max_batches), 1)
        most = max_batches * KEEP_GOING if keep_going is not None else max_batches
        epochs = -(-most // tr.n_batches) + 1  # the most epochs that can end in this call
        if len(self.metrics) < epochs:
            self.metrics = np.empty((2 * epochs, 4))
        t0 = time.perf_counter()
        done, completed, started, position, last, status = k.train_epochs(
            net.params, net.grads, opt.update, m, v, self.mask, tr._good_params, tr._x_aug_all,
            tr.Y_train, self.classes, self.X_test, self.Y_test, self.classes_test, tr._x_epoch,
            tr._y_epoch, tr.rng, bool(tr.shuffle), self.order, tr.position, bs, max_batches,
            self.never if keep_going is None else keep_going, most, bool(check_each),
            self.sizes, self.offsets, self.units, self.acts, self.use_bias, self.loss, kind,
            float(opt.lr), mu, b1, b2, eps, opt.t, reg_kind, reg_rate, self.threshold, self.z,
            self.a, self.delta, self.columns, self.metrics[:epochs])
        self._timed(time.perf_counter() - t0, done)
        if started and tr.shuffle:
            tr.order = self.order.copy()
        opt.t += done
        tr.steps += done
        tr.last_batch = slice(last, min(last + bs, n))
        tr.position = position
        for train_loss, test_loss, train_accuracy, test_accuracy in self.metrics[:completed].tolist():
            tr.epoch += 1
            tr.history.append(tr.epoch, {"train_loss": train_loss, "test_loss": test_loss,
                                         "train_accuracy": train_accuracy,
                                         "test_accuracy": test_accuracy})
        if status == k.WEIGHTS_NOT_FINITE:
            tr._diverge("weight")
        elif status == k.LOSS_NOT_FINITE:
            tr.position, tr.epoch = 0, tr.epoch + 1  # as _end_epoch_if_done: the failed epoch
            tr._diverge("loss")
        return done, completed

    def _classes(self, classes):
        return self.no_classes if classes is None else classes

    def _timed(self, seconds: float, batches: int) -> None:
        if batches:
            per = seconds / batches
            self.seconds_per_batch = per if not self.seconds_per_batch else \
                0.8 * self.seconds_per_batch + 0.2 * per

    def evaluate_all(self, tr) -> dict:
        """Trainer.evaluate on the compiled path: train and test loss and accuracy."""
        out = {}
        for part, X_aug, Y, classes in (("train", tr._x_aug_all, tr.Y_train, self.classes),
                                        ("test", self.X_test, self.Y_test, self.classes_test)):
            out[f"{part}_loss"], out[f"{part}_accuracy"] = self.k.evaluate(
                tr.net.params, X_aug, Y, classes, self.threshold, self.sizes,
                self.offsets, self.acts, self.loss, self.columns, self.z, self.a)
        return out

    def batches_for(self, seconds: float) -> int:
        """How many minibatches take about ``seconds`` (one until measured)."""
        per = self.seconds_per_batch
        return 1 if per <= 0.0 else max(1, int(seconds / per))
