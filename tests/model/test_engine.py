"""The compiled path against the numpy engine: same numbers, same bookkeeping, same behaviour.

The numpy engine is the reference. Both paths shuffle with the trainer's generator, so the
same minibatches are trained in the same order; they differ only in the order of additions
inside a sum, so they agree to rounding (1e-12 relative), not bit for bit. Within one path,
every way of stepping (epoch, minibatch, several minibatches per call) is bit-identical.
"""
import importlib.util
import itertools
import json
import math
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from model import Network
from model.core import compiled_path, compiled_steps, engine, kernel_ids, kernel_loader
from model.core.optimizers import Regularizer, apply_step, make_optimizer
from model.core.trainer import Trainer
from model.playground import Playground, Settings
from model.snapshot import take_snapshot

ROOT = pathlib.Path(__file__).resolve().parents[2]

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
needs_numba = pytest.mark.skipif(not HAVE_NUMBA, reason="numba (the `fast` extra) not installed")

RNG = np.random.default_rng(11)
X = RNG.uniform(-2, 2, (37, 3))
X_TEST = RNG.uniform(-2, 2, (11, 3))
CLASSES, CLASSES_TEST = RNG.integers(0, 3, 37), RNG.integers(0, 3, 11)
TARGETS, TARGETS_TEST = RNG.normal(size=(37, 2)), RNG.normal(size=(11, 2))

HIDDEN = ("tanh", "sigmoid", "relu", "linear")
#: every output activation with every loss it may be paired with
HEADS = (("tanh", "mse"), ("sigmoid", "mse"), ("sigmoid", "bce"), ("softmax", "cce"),
         ("softmax", "mse"), ("linear", "mse"), ("relu", "mse"))
OPTIMIZERS = ("sgd", "momentum", "adam")
REGULARIZERS = ("none", "l1", "l2")


@pytest.fixture(scope="module")
def kernels():
    assert engine.LOADER.wait(600), engine.LOADER.error


def trainer(eng, hidden="tanh", out="sigmoid", loss="mse", optimizer="sgd", reg="none",
            batch=7, lr=0.01, sizes=(3, 5, 4), use_bias=True, seed=3, **kw):
    """A trainer on fixed data whose head decides the task: linear/relu outputs regress two
    targets, softmax classifies three classes, the rest two."""
    k = 3 if out == "softmax" else (2 if out in ("linear", "relu") else 1)
    if k == 3:
        Y, Yt, task = np.eye(3)[CLASSES], np.eye(3)[CLASSES_TEST], "classification"
    elif k == 2:
        Y, Yt, task = TARGETS, TARGETS_TEST, "regression"
    else:
        low = -1.0 if out == "tanh" else 0.0
        Y = np.where(CLASSES % 2 == 1, 1.0, low)[:, None]
        Yt, task = np.where(CLASSES_TEST % 2 == 1, 1.0, low)[:, None], "classification"
    net = Network.from_sizes([*sizes, k], hidden=hidden, output=out, seed=2, use_bias=use_bias)
    return Trainer(net, X, Y, X_TEST, Yt, loss=loss, optimizer=optimizer, lr=lr,
                   batch_size=batch, seed=seed, regularization=reg, reg_rate=0.01, task=task,
                   engine=eng, **kw)


def relative(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.abs(b).max() if b.size else 0.0
    return float(np.abs(a - b).max() / scale) if scale else float(np.abs(a - b).max(initial=0.0))


def close(a, b, rtol, floor=0.0) -> bool:
    """|a − b| ≤ rtol · max(|b|, floor), elementwise maxima."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.abs(a - b).max(initial=0.0) <= rtol * max(np.abs(b).max(initial=0.0), floor))


def assert_same_run(a: Trainer, b: Trainer, rtol=1e-12):
    """a and b trained the same minibatches and reached the same numbers (to rtol).

    Weights and losses are compared relative to their size. The last minibatch's gradient
    and the optimizer's moments are sums of per-example terms (about 1e-2 here) that cancel
    near a minimum: their rounding error scales with those terms, not with the small result,
    so they are compared relative to at least that scale."""
    assert (a.epoch, a.position, a.steps, a.optimizer.t) == (b.epoch, b.position, b.steps,
                                                            b.optimizer.t)
    assert a.last_batch == b.last_batch and np.array_equal(a.order, b.order)
    assert a.rng.bit_generator.state == b.rng.bit_generator.state  # the same shuffles drawn
    # the weights a divergence would restore (saved at every epoch's end)
    assert relative(a.state()["good_params"], b.state()["good_params"]) <= rtol
    assert relative(a.net.params, b.net.params) <= rtol
    assert close(a.net.grads, b.net.grads, rtol, 1e-3)
    # the update is added to the weights: it agrees to rtol of the weights' size
    assert close(a.optimizer.update, b.optimizer.update, rtol, np.abs(b.net.params).max())
    for key, value in a.optimizer.state().items():
        assert close(value, b.optimizer.state()[key], rtol, 1e-6 if key == "v" else 1e-3), key
    for key in ("train_loss", "test_loss"):
        x, y = np.array(getattr(a.history, key)), np.array(getattr(b.history, key))
        assert x.shape == y.shape and np.all(np.abs(x - y) <= rtol * np.abs(y)), key
    for key in ("train_accuracy", "test_accuracy"):
        assert np.array_equal(getattr(a.history, key), getattr(b.history, key), equal_nan=True)


def run_steps(t: Trainer, steps: int) -> Trainer:
    for _ in range(steps):
        t.step_batch()
    return t


# ------------------------------------------------------------------------------ same numbers
@needs_numba
@pytest.mark.slow
@pytest.mark.parametrize("batch", [1, 7, 37])
def test_both_paths_agree_over_200_steps_for_every_combination(kernels, batch):
    """Every hidden activation × output/loss pairing × optimizer × regularizer, 200 minibatch
    steps each (several epochs, shuffled), to 1e-12 relative. lr 0.01: at lr 0.05 full-batch
    Adam amplifies any rounding difference far past 1e-12 within 200 steps, the numpy engine's
    own included (see the next test)."""
    for hidden, (out, loss), opt, reg in itertools.product(HIDDEN, HEADS, OPTIMIZERS,
                                                          REGULARIZERS):
        ours = run_steps(trainer("compiled", hidden, out, loss, opt, reg, batch), 200)
        ref = run_steps(trainer("numpy", hidden, out, loss, opt, reg, batch), 200)
        assert ours.engine == "compiled" and ref.engine == "numpy"
        assert len(ref.history) >= 5
        assert_same_run(ours, ref)


@needs_numba
@pytest.mark.parametrize("hidden,out,loss", [("tanh", "softmax", "cce"), ("relu", "sigmoid", "bce"),
                                             ("sigmoid", "linear", "mse")])
@pytest.mark.parametrize("opt,reg", [("sgd", "none"), ("momentum", "l1"), ("adam", "l2")])
def test_both_paths_agree_over_200_steps(kernels, hidden, out, loss, opt, reg):
    for batch in (1, 7, 37):
        assert_same_run(run_steps(trainer("compiled", hidden, out, loss, opt, reg, batch), 200),
                        run_steps(trainer("numpy", hidden, out, loss, opt, reg, batch), 200))


@needs_numba
@pytest.mark.parametrize("hidden,out,loss,reg", [("tanh", "softmax", "mse", "none"),
                                                 ("relu", "sigmoid", "mse", "l1"),
                                                 ("tanh", "softmax", "cce", "l1")])
def test_at_large_rates_the_paths_differ_as_little_as_numpy_from_itself(kernels, hidden, out,
                                                                         loss, reg):
    """Why the agreement tests use lr 0.01: at lr 0.05, 200 full-batch Adam steps amplify any
    rounding difference past 1e-12. One ulp on one starting weight moves the numpy engine's
    own run that far; the two paths stay within a small multiple of that (a wrong formula
    would differ by 1e-3 or more)."""
    def run(eng, nudge=None):
        t = trainer(eng, hidden, out, loss, "adam", reg, batch=37, lr=0.05)
        if nudge is not None:
            t.net.params[nudge] = np.nextafter(t.net.params[nudge], np.inf)
        return run_steps(t, 200).net.params

    ref = run("numpy")
    own = max(relative(run("numpy", i), ref) for i in (0, 7, 19))
    assert own > 1e-12
    assert relative(run("compiled"), ref) <= 100 * own


@needs_numba
def test_evaluation_agrees_for_every_loss_and_task(kernels):
    for hidden, (out, loss) in itertools.product(HIDDEN, HEADS):
        ours, ref = trainer("compiled", hidden, out, loss), trainer("numpy", hidden, out, loss)
        weights = RNG.normal(size=ours.net.n_params)
        ours.net.params[:] = weights
        ref.net.params[:] = weights
        m, r = ours.evaluate(), ref.evaluate()
        for key in ("train_loss", "test_loss"):
            assert abs(m[key] - r[key]) <= 1e-13 * abs(r[key]), (hidden, out, loss, key)
        for key in ("train_accuracy", "test_accuracy"):
            assert m[key] == r[key] or (math.isnan(m[key]) and math.isnan(r[key]))
        assert math.isnan(m["train_accuracy"]) == (out in ("linear", "relu"))


@needs_numba
def test_without_test_rows_the_test_figures_are_nan_on_both_paths(kernels):
    for eng in ("compiled", "numpy"):
        net = Network.from_sizes([3, 4, 1], hidden="tanh", output="sigmoid", seed=1)
        t = Trainer(net, X, (CLASSES % 2)[:, None].astype(float), loss="bce", engine=eng)
        t.step_epoch()
        assert t.engine == eng and math.isnan(t.history.test_loss[-1])
        assert math.isfinite(t.history.train_loss[-1])


@needs_numba
@pytest.mark.parametrize("opt", OPTIMIZERS)
@pytest.mark.parametrize("reg", REGULARIZERS)
def test_the_optimizer_step_is_bit_identical_to_apply_step(kernels, opt, reg):
    """(R7): the same operations in the same order, so the same bits. Weights near 0 and a
    large rate make L1 flip signs: those weights must land on exactly 0 in both."""
    n = 400
    rng = np.random.default_rng(5)
    mask = (rng.random(n) < 0.8).astype(float)
    params = rng.normal(scale=0.01, size=n)
    lr = 0.01 if opt == "adam" else 0.5  # Adam steps by about lr whatever the gradient
    ref_opt, our_opt = make_optimizer(opt, n, lr), make_optimizer(opt, n, lr)
    reg_obj = Regularizer(reg, 0.05 if opt != "adam" else 0.5, mask)
    ref_p, our_p = params.copy(), params.copy()
    kind = kernel_ids.OPTIMIZER_IDS[opt]
    for step in range(5):
        grads = rng.normal(scale=0.02, size=n)
        apply_step(ref_p, grads, ref_opt, reg_obj)
        m = our_opt.velocity if opt == "momentum" else (our_opt.m if opt == "adam" else np.zeros(0))
        v = our_opt.v if opt == "adam" else np.zeros(0)
        compiled_steps._optimizer_step(
            our_p, grads, our_opt.update, m, v, mask, kind, lr, getattr(our_opt, "momentum", 0.0),
            getattr(our_opt, "beta1", 0.0), getattr(our_opt, "beta2", 0.0),
            getattr(our_opt, "eps", 0.0), step, kernel_ids.REGULARIZATION_IDS[reg], reg_obj.rate)
        assert np.array_equal(our_p, ref_p), step
        assert np.array_equal(our_opt.update, ref_opt.update)
        for key, value in ref_opt.state().items():
            assert np.array_equal(getattr(our_opt, key), value)
    if reg == "l1":
        assert np.count_nonzero(ref_p == 0.0) >= 3  # the snapping did happen


@needs_numba
def test_layers_without_bias_keep_it_at_zero(kernels):
    t = run_steps(trainer("compiled", optimizer="adam", use_bias=False), 30)
    assert t.engine == "compiled"
    for layer in t.net.layers:
        assert np.all(layer.b == 0.0) and np.all(layer.db == 0.0)
    assert_same_run(t, run_steps(trainer("numpy", optimizer="adam", use_bias=False), 30))


# ------------------------------------------------------------------------------ bookkeeping
@needs_numba
def test_every_way_of_stepping_gives_the_same_bits_within_the_compiled_path(kernels):
    """The window trains flat out in calls of several minibatches, Step runs one, the command
    line whole epochs: the compiled path must give the same bits every way."""
    by_epoch = trainer("compiled", batch=5, optimizer="momentum", reg="l2")
    for _ in range(4):
        by_epoch.step_epoch()
    mixed = trainer("compiled", batch=5, optimizer="momentum", reg="l2")
    chunk = itertools.cycle([1, 3, 2, 8, 1, 5, 13])
    while mixed.steps < by_epoch.steps:
        if mixed.position % 3 == 1:
            mixed.step_batch()
        else:
            mixed.step_batches(min(next(chunk), by_epoch.steps - mixed.steps))
    assert_same_run(mixed, by_epoch, rtol=0.0)


@pytest.mark.parametrize("eng", ["numpy", "compiled"])
@pytest.mark.parametrize("out,loss", [("sigmoid", "bce"), ("tanh", "mse"), ("softmax", "cce"),
                                      ("linear", "mse")])
def test_step_batches_is_that_many_step_batch_calls_across_epochs(eng, out, loss):
    if eng == "compiled" and not engine.LOADER.wait(600):
        pytest.skip(engine.LOADER.error)
    # 37 rows: 8 minibatches an epoch
    t, ref = trainer(eng, out=out, loss=loss, batch=5), trainer(eng, out=out, loss=loss, batch=5)
    assert t.step_batches(3) == (3, 0) and t.position == 15
    assert t.step_batches(30) == (30, 4)  # through four epoch ends, the shuffles drawn in between
    run_steps(ref, 33)
    assert (t.epoch, t.position, t.last_batch) == (4, 5, slice(0, 5))
    assert_same_run(t, ref, rtol=0.0)
    if eng == "compiled":  # and to rounding, what the numpy engine does
        assert_same_run(t, run_steps(trainer("numpy", out=out, loss=loss, batch=5), 33))


@needs_numba
def test_while_the_window_draws_a_call_goes_on_past_its_budget(kernels):
    t = trainer("compiled", batch=5)
    drawing = np.ones(1, dtype=np.int64)
    assert t.step_batches(3, drawing)[0] == 3 * compiled_path.KEEP_GOING
    drawing[0] = 0
    assert t.step_batches(3, drawing)[0] == 3
    assert_same_run(t, run_steps(trainer("compiled", batch=5), 3 * compiled_path.KEEP_GOING + 3),
                    rtol=0.0)


@needs_numba
@pytest.mark.parametrize("eng", ["compiled", "numpy"])
def test_step_is_exactly_one_minibatch_and_the_last_one_is_partial(kernels, eng):
    t = trainer(eng, batch=10)
    ref = trainer("numpy", batch=10)
    for k, expected in enumerate((slice(0, 10), slice(10, 20), slice(20, 30), slice(30, 37))):
        before = t.net.params.copy()
        ended = t.step_batch()
        ref.step_batch()
        assert t.last_batch == expected and t.steps == k + 1 and t.engine == eng
        assert ended == (expected.stop == 37)
        assert not np.array_equal(before, t.net.params)
        assert_same_run(t, ref)


@needs_numba
def test_changing_the_batch_size_mid_epoch_finishes_it_the_same_way(kernels):
    runs = []
    for eng in ("compiled", "numpy"):
        t = trainer(eng, batch=4)
        t.step_batch()
        t.step_batch()
        t.set_batch_size(5)  # position 8 is no multiple of 5
        t.step_batches(4)
        t.step_epoch()
        t.step_epoch()
        runs.append(t)
    assert runs[0].engine == "compiled"
    assert_same_run(*runs)


@needs_numba
@pytest.mark.parametrize("stepping", ["epoch", "batch", "batches"])
def test_divergence_is_detected_the_same_way(kernels, stepping):
    """A rate that blows up: both paths stop at the same minibatch or epoch, say the same
    thing and restore the same weights."""
    runs = []
    for eng in ("compiled", "numpy"):
        t = trainer(eng, "linear", "linear", "mse", batch=5, lr=0.01)
        t.step_epoch()
        t.step_epoch()
        t.lr = 1.0  # blows up within a few minibatches
        for _ in range(300):
            if stepping == "epoch":
                t.step_epoch()
            elif stepping == "batch":
                t.step_batch()
            elif t.position % 5 == 0:
                t.step_batches(4)
            else:
                t.step_batch()
            if t.diverged:
                break
        runs.append(t)
    ours, ref = runs
    assert ref.diverged and ours.diverged == ref.diverged
    assert "weights restored to epoch 2" in ref.diverged
    assert ours.steps == ref.steps and ours.epoch == ref.epoch == 2
    assert ours.diverged_layer == ref.diverged_layer
    assert relative(ours.net.params, ref.net.params) <= 1e-12
    assert np.all(np.isfinite(ours.net.params))


@needs_numba
def test_a_session_saved_mid_epoch_continues_exactly(kernels):
    """state() halfway through an epoch on the compiled path, loaded into a fresh trainer of
    either path: compiled continues bit for bit, numpy to 1e-12."""
    whole = trainer("compiled", optimizer="adam", reg="l1", batch=6)
    for _ in range(17):
        whole.step_batch()
    state = whole.state()
    for _ in range(23):
        whole.step_batch()
    for eng, rtol in (("compiled", 0.0), ("numpy", 1e-12)):
        resumed = trainer(eng, optimizer="adam", reg="l1", batch=6)
        resumed.load_state(state)
        for _ in range(23):
            resumed.step_batch()
        assert resumed.engine == eng
        assert_same_run(resumed, whole, rtol=rtol)


@needs_numba
def test_settings_changes_while_training_reach_the_kernels(kernels):
    """lr, optimizer and regularization are read at every call; a new optimizer starts fresh."""
    runs = []
    for eng in ("compiled", "numpy"):
        t = trainer(eng, batch=3)
        run_steps(t, 10)
        t.lr = 0.02
        run_steps(t, 10)
        t.set_optimizer("adam")
        run_steps(t, 10)
        t.set_regularization("l1", 0.05)
        run_steps(t, 10)
        runs.append(t)
    assert runs[0].engine == "compiled"
    assert_same_run(*runs)


# ------------------------------------------------------------------------------ the choice
def test_the_rule_picks_compiled_at_the_tutorials_sizes_and_numpy_where_products_win():
    """Issue 12's rows: per-example kernels win at [4, 2] and [8, 8] for batches of 1 and 10;
    numpy's batched products win on 8×16 at batch 10 and on full batches."""
    for hidden in ((4, 2), (8, 8)):
        for batch in (1, 10):
            assert engine.faster_engine([2, *hidden, 1], batch) == "compiled"
    assert engine.faster_engine([2, *(16,) * 8, 1], 10) == "numpy"
    assert engine.faster_engine([2, 8, 8, 1], 250) == "numpy"


def test_a_setting_beats_the_environment_which_beats_auto(monkeypatch):
    monkeypatch.delenv(engine.ENV_VAR, raising=False)
    assert engine.requested("auto") == ("auto", "")
    monkeypatch.setenv(engine.ENV_VAR, "numpy")
    assert engine.requested("auto")[0] == "numpy"
    assert engine.requested("compiled") == ("compiled", "chosen in the settings")
    monkeypatch.setenv(engine.ENV_VAR, "Compiled ")
    assert engine.requested("auto")[0] == "compiled"
    monkeypatch.setenv(engine.ENV_VAR, "fortran")
    choice, why = engine.requested("auto")
    assert choice == "auto" and "'fortran'" in why and "ignored" in why
    with pytest.raises(ValueError, match="unknown engine 'fast'.*auto, numpy, compiled"):
        engine.requested("fast")
    with pytest.raises(ValueError, match="unknown engine"):
        trainer("fast")


@needs_numba
def test_forcing_either_engine(kernels, monkeypatch):
    monkeypatch.setenv(engine.ENV_VAR, "numpy")
    t = trainer("auto", batch=1)  # compiled would be faster here
    assert t.engine == "numpy" and "BACKPROP_ENGINE=numpy" in t.engine_description()
    t.set_engine("compiled")
    assert t.engine == "compiled" and "settings" in t.engine_description()
    monkeypatch.setenv(engine.ENV_VAR, "compiled")
    big = trainer("auto", batch=37, sizes=(3, 16, 16, 16))
    assert big.engine == "compiled"
    monkeypatch.delenv(engine.ENV_VAR)
    big.set_engine("auto")
    assert big.engine == "numpy" and "faster" in big.engine_description()


@needs_numba
def test_auto_follows_the_batch_size(kernels, monkeypatch):
    monkeypatch.delenv(engine.ENV_VAR, raising=False)
    t = trainer("auto", batch=1, sizes=(3, 16, 16))
    assert t.engine == "compiled"
    t.set_batch_size(37)
    assert t.engine == "numpy"
    t.step_batch()  # and trains on it
    t.set_batch_size(1)
    assert t.engine == "compiled"


def test_an_activation_the_kernels_lack_trains_on_numpy(monkeypatch):
    from model.core import activations

    class Softsign(activations.Activation):
        name = "softsign"

        def forward(self, z, out=None):
            return np.divide(z, 1.0 + np.abs(z), out=out)

        def derivative(self, z, a, out=None):
            return np.divide(1.0, (1.0 + np.abs(z)) ** 2, out=out)

    monkeypatch.setitem(activations.ACTIVATIONS, "softsign", Softsign())
    t = trainer("compiled", hidden="softsign")
    assert t.engine == "numpy"
    assert t.engine_description() == "numpy: the compiled kernels have no softsign activation"
    assert t.step_epoch() and math.isfinite(t.history.train_loss[-1])


# ------------------------------------------------------------------------------ loading
class GatedLoader(kernel_loader.KernelLoader):
    """The real kernels, but ready only when the test says so."""

    def __init__(self, gate):
        super().__init__()
        self.gate = gate

    def _load(self):
        self.gate.wait(60)
        super()._load()


@needs_numba
def test_training_starts_on_numpy_and_switches_between_minibatches(kernels, monkeypatch):
    import threading

    gate = threading.Event()
    loader = GatedLoader(gate)
    monkeypatch.setattr(engine, "LOADER", loader)
    t = trainer("compiled", batch=4)
    ref = trainer("numpy", batch=4)
    assert loader.state == "loading"  # started by the trainer, in the background
    assert t.engine == "numpy" and "while the compiled kernels load" in t.engine_description()
    run_steps(t, 5)
    run_steps(ref, 5)
    assert_same_run(t, ref, rtol=0.0)  # so far numpy, bit for bit
    gate.set()
    assert loader.wait(60)
    assert t.engine == "compiled"
    run_steps(t, 30)  # continues from minibatch 6, through the end of the epoch
    run_steps(ref, 30)
    assert t.steps == 35 and t.epoch == 3
    assert_same_run(t, ref)


def test_a_loader_without_numba_fails_with_the_reason(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    loader = kernel_loader.KernelLoader()
    assert not loader.wait(5)
    assert loader.state == "failed" and "numba is not installed" in loader.error


def test_a_loader_that_breaks_reports_one_line():
    loader = kernel_loader.KernelLoader(module="model.core.no_such_kernels")
    if not HAVE_NUMBA:
        pytest.skip("without numba the loader fails before importing")
    assert not loader.wait(30)
    assert loader.error.startswith("the compiled kernels did not load (ModuleNotFoundError")
    assert "\n" not in loader.error


def test_a_cache_folder_that_cannot_be_written_leaves_numpy_with_the_reason(monkeypatch,
                                                                           tmp_path):
    if not HAVE_NUMBA:
        pytest.skip("without numba the loader fails before looking at the folder")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(blocker / "kernels"))
    loader = kernel_loader.KernelLoader()
    assert not loader.wait(30)
    assert loader.error.startswith(f"the kernel cache folder {blocker / 'kernels'} cannot be "
                                   "written (")
    assert loader.error.endswith("set NUMBA_CACHE_DIR to another folder")


def test_the_cache_folder_is_the_users_and_honours_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert kernel_loader.cache_dir() == tmp_path / "backprop-playground" / "numba"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if sys.platform != "win32":
        assert kernel_loader.cache_dir() == tmp_path / "home" / ".cache" / "backprop-playground" / "numba"
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))  # a folder the user chose wins
    assert kernel_loader.kernel_cache_dir() == str(tmp_path / "mine")


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "BACKPROP_ENGINE")}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={**environ, **env})


def test_without_numba_the_app_trains_on_numpy():
    """numba missing (the `fast` extra not installed): everything imports, a run that asks for
    the compiled engine trains on numpy and says why."""
    r = run_python("""
import sys, json
sys.modules["numba"] = None  # what an interpreter without numba does on `import numba`
from model.core import compiled, engine
from model.playground import Playground, Settings
pg = Playground(Settings(engine="compiled", hidden=(4, 2)))
pg.trainer.train(3)
print(json.dumps([compiled.AVAILABLE, pg.trainer.engine, pg.trainer.engine_description(),
                  len(pg.trainer.history), engine.LOADER.state]))
""")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [False, "numpy",
                                    "numpy: numba is not installed (pip install '.[fast]')",
                                    3, "failed"]


@needs_numba
@pytest.mark.slow
def test_kernels_compile_into_the_user_cache_folder_not_the_package(tmp_path):
    """A first start with an empty cache compiles into $XDG_CACHE_HOME/backprop-playground,
    the next one loads from there; nothing lands beside the sources (site-packages)."""
    beside = lambda: sorted(p.name for p in (ROOT / "model").rglob("*.nbi"))  # noqa: E731
    before = beside()
    code = ("from model.core import engine; ok = engine.LOADER.wait(600); "
            "print(ok, engine.LOADER.compiled, engine.LOADER.error)")
    first = run_python(code, XDG_CACHE_HOME=str(tmp_path))
    assert first.stdout.split()[:2] == ["True", "True"], first.stdout + first.stderr
    cached = list((tmp_path / "backprop-playground" / "numba").rglob("compiled.*.nbi"))
    assert any("train_batches" in p.name for p in cached)
    second = run_python(code, XDG_CACHE_HOME=str(tmp_path))
    assert second.stdout.split()[:2] == ["True", "False"], second.stdout + second.stderr
    assert beside() == before


@needs_numba
def test_the_snapshot_and_the_settings_carry_the_engine(kernels):
    pg = Playground(Settings(engine="compiled"))
    assert take_snapshot(pg, 0, include_grids=False).engine == "compiled"
    weights = pg.net.params.copy()
    assert pg.update(engine="numpy") is False  # a hot setting: the weights stay
    assert np.array_equal(pg.net.params, weights)
    assert take_snapshot(pg, 0, include_grids=False).engine == "numpy"
    with pytest.raises(ValueError, match="settings.engine: expected one of auto, numpy, compiled"):
        Playground(Settings(engine="gpu"))


def test_the_command_line_takes_and_reports_the_engine(capsys):
    from model.cli import run

    assert run(["train", "--epochs", "2", "--quiet", "--engine", "numpy"]) == 0
    assert "engine numpy: chosen in the settings" in capsys.readouterr().out
    assert run(["train", "--engine", "gpu"]) == 2
    assert "--engine" in capsys.readouterr().err
