"""A trainer's arguments for the compiled kernels, and the bookkeeping after they ran.

The kernels (compiled.py) work on flat buffers and integers; this binds them to one Trainer:
the network's shape as integer arrays, scratch buffers, the optimizer's state arrays, and
after a call the trainer's position, step counts, history, shuffle order and divergence, so
that a compiled call leaves the trainer exactly as the same minibatches on numpy would.
"""
from __future__ import annotations

import time

import numpy as np

from model.core import kernel_ids as ids

#: while the window draws, a flat-out call goes on past its budget, up to this many times it
KEEP_GOING = 8


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
