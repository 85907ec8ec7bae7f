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

import math
import os

from model.core import kernel_ids as ids
from model.core.compiled_path import CompiledPath
from model.core.kernel_loader import LOADER, KernelLoader  # noqa: F401 - the engine's loader

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
    250 (bench/engine_bench.py --crossover shows the table and refits them): the rule
    picked the faster engine in 109 and 110 of the 110 configurations in two runs; its one
    miss was 2 % slower than the best.
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
