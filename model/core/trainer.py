"""Minibatch training: the loop the GUI steps one minibatch or one epoch at a time.

The trainer owns the order of the data, the optimizer and the history; the network owns
the maths. ``step_batch`` runs exactly one minibatch (forward, backward, update); an epoch
is ceil(n_train / batch_size) such steps, the last partial batch included.
"""
from __future__ import annotations

import math

import numpy as np

from model.core.history import History
from model.core.engine import EngineChoice
from model.core.losses import check_pairing, get_loss
from model.core.network import Network
from model.core.optimizers import SGD, Regularizer, apply_step, make_optimizer
# encode_targets is re-exported: callers build a Trainer's Y with it
from model.core.targets import encode_targets, predicted_classes  # noqa: F401


class TrainingDiverged(ArithmeticError):
    pass


def _data_range(trainer) -> str:
    """'largest |input| 3.1, largest |target| 1e+200' for a message."""
    def largest(a):
        return f"{float(np.max(np.abs(a))):.3g}" if a.size else "none"
    return (f"largest |input| {largest(trainer.X_train)}, "
            f"largest |target| {largest(trainer.Y_train)}")


class Trainer:
    """Trains ``net`` on (X_train, Y_train); X already through the feature transforms,
    Y encoded for the output layer (see ``encode_targets``)."""

    def __init__(self, net: Network, X_train, Y_train, X_test=None, Y_test=None, *,
                 loss: str = "mse", optimizer: str = "sgd", lr: float = 0.03,
                 batch_size: int = 10, shuffle: bool = True, seed: int = 0,
                 regularization: str = "none", reg_rate: float = 0.0,
                 task: str = "classification", engine: str = "auto"):
        self.net = net
        self.loss = get_loss(loss)
        check_pairing(self.loss, net.output_activation, net.sizes[-1])
        self.task = task
        d, k = net.sizes[0], net.sizes[-1]
        self.X_train = np.ascontiguousarray(X_train, dtype=float)
        # 1-D labels (class indices, or one target per row) are encoded for the output layer
        self.Y_train = np.ascontiguousarray(net.prepare_targets(Y_train), dtype=float)
        if self.X_train.ndim != 2 or self.X_train.shape[1] != d or not len(self.X_train):
            raise ValueError(f"training inputs must have shape (n ≥ 1, {d}), got {self.X_train.shape}")
        if self.Y_train.shape != (len(self.X_train), k):
            raise ValueError(f"training targets must have shape ({len(self.X_train)}, {k}), "
                             f"got {self.Y_train.shape}")
        self.X_test = np.zeros((0, d)) if X_test is None else np.asarray(X_test, dtype=float).reshape(-1, d)
        self.Y_test = np.zeros((0, k)) if Y_test is None else \
            np.asarray(net.prepare_targets(Y_test), dtype=float).reshape(-1, k)
        for name, arr in (("training inputs", self.X_train), ("training targets", self.Y_train),
                          ("test inputs", self.X_test), ("test targets", self.Y_test)):
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{name} contain NaN or infinite values")
        self.optimizer = make_optimizer(optimizer, net.n_params, lr)
        self.regularizer = Regularizer(regularization, reg_rate, net.weight_mask)
        self.shuffle = shuffle
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.set_batch_size(batch_size)
        n = len(self.X_train)
        # The epoch's rows in training order, with a column of ones for the bias row of Wb;
        # a minibatch is then a slice (a view), not a copy.
        # Stored as columns, (d + 1, n), as the network's workspaces are (see network.py).
        self._x_aug_all = np.ones((d + 1, n))
        self._x_aug_all[:-1] = self.X_train.T
        self._x_epoch = self._x_aug_all.copy()
        self._y_epoch = self.Y_train.copy()
        self.order = np.arange(n)  # row of X_train at each position of this epoch
        self.epoch = 0  # completed epochs
        self.position = 0  # rows of the current epoch already trained
        self.steps = 0  # minibatches trained in total
        self.history = History()
        self.diverged: str | None = None  # the message once training has diverged
        self._good_params = net.params.copy()
        self.last_batch = slice(0, 0)  # positions (in this epoch's order) of the last minibatch
        self._plan = None
        self._plan_size = 0
        # Evaluation reuses preallocated inputs with the ones column and true classes.
        self._x_test_aug = np.ones((d + 1, len(self.X_test)))
        self._x_test_aug[:-1] = self.X_test.T
        act = net.output_activation
        self._true_train = predicted_classes(self.Y_train, act) if task == "classification" else None
        self._true_test = predicted_classes(self.Y_test, act) if task == "classification" else None
        # numpy or the compiled kernels, per configuration (model/core/engine.py)
        self._engine = EngineChoice(self, engine)

    # ----------------------------------------------------------------- settings
    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = float(value)

    def set_batch_size(self, batch_size: int) -> None:
        n = len(self.X_train)
        if not 1 <= int(batch_size):
            raise ValueError("batch size must be at least 1")
        self.batch_size = min(int(batch_size), n)

    def set_optimizer(self, name: str) -> None:
        """Switch optimizer keeping the weights (its own state starts fresh)."""
        self.optimizer = make_optimizer(name, self.net.n_params, self.optimizer.lr)

    def set_regularization(self, kind: str, rate: float) -> None:
        self.regularizer = Regularizer(kind, rate, self.net.weight_mask)

    @property
    def engine(self) -> str:
        """The engine that trains the next minibatch: "numpy" or "compiled"."""
        return self._engine.name

    def engine_description(self) -> str:
        """Which engine trains, and why, in one line (for the status bar and About)."""
        return self._engine.describe()

    def set_engine(self, setting: str) -> None:
        """"auto" (the faster for this configuration), "numpy" or "compiled"."""
        self._engine.set(setting)

    @property
    def n_batches(self) -> int:
        return math.ceil(len(self.X_train) / self.batch_size)

    # ----------------------------------------------------------------- stepping
    def _start_epoch(self) -> None:
        if self.shuffle:
            self.order = self.rng.permutation(len(self.X_train))
            np.take(self._x_aug_all, self.order, axis=1, out=self._x_epoch)
            np.take(self.Y_train, self.order, axis=0, out=self._y_epoch)
        self.position = 0

    def _batch_plan(self) -> list:
        """(start, stop, x view, y view, workspace) of every minibatch of an epoch.

        The views stay valid across epochs because shuffling rewrites the same buffers."""
        if self._plan is None or self._plan_size != self.batch_size:
            n, bs = len(self._y_epoch), self.batch_size
            self._plan = [(s, min(s + bs, n), self._x_epoch[:, s:min(s + bs, n)],
                           self._y_epoch[s:min(s + bs, n)], self.net._workspace(min(s + bs, n) - s))
                          for s in range(0, n, bs)]
            self._plan_size = bs
        return self._plan

    def step_batch(self, *, errors_ignored: bool = False) -> bool:
        """Train on exactly one minibatch. Returns True when it completed an epoch.

        Raises nothing on divergence: sets ``diverged`` to a message and returns False.
        ``errors_ignored=True`` skips setting numpy's error state per call, for a caller
        (the GUI's worker thread) that has already done ``np.seterr(all="ignore")``.
        """
        if self.diverged:
            return False
        if errors_ignored:
            return self._step_one()
        with np.errstate(all="ignore"):  # overflow is detected below, not warned about
            return self._step_one()

    def _step_one(self) -> bool:
        if self.position == 0:
            self._start_epoch()
        bs = self.batch_size
        if self.position % bs:  # batch size changed mid-epoch: finish it off
            start, stop = self.position, min(self.position + bs, len(self._y_epoch))
            batch = (start, stop, self._x_epoch[:, start:stop], self._y_epoch[start:stop],
                     self.net._workspace(stop - start))
        else:
            plan = self._plan if self._plan_size == bs else self._batch_plan()
            batch = plan[self.position // bs]
        self._train_batches((batch,))
        if not math.isfinite(np.add.reduce(self.net.params)):
            self._diverge("weight")
            return False
        return self.position >= len(self._y_epoch) and self._end_epoch_if_done()

    def step_epoch(self) -> bool:
        """Train until the current epoch is complete. Returns False if training diverged."""
        if self.diverged:
            return False
        fast = self._engine.path()
        if fast is not None:  # one compiled call: the shuffle, the minibatches, the figures
            with np.errstate(all="ignore"):
                left = math.ceil((len(self._y_epoch) - self.position) / self.batch_size)
                # mid-minibatch (the batch size changed) it is step_batch after step_batch
                return fast.run(self, left, None, bool(self.position % self.batch_size))[1] > 0
        if self.position % self.batch_size:
            while not self.step_batch():
                if self.diverged:
                    return False
            return True
        with np.errstate(all="ignore"):
            if self.position == 0:
                self._start_epoch()
            self._train_batches(self._batch_plan()[self.position // self.batch_size:])
            # A non-finite weight makes the sum non-finite. A whole epoch checks once, at its
            # end: checking every step costs a few percent of a small network's step.
            if not math.isfinite(np.add.reduce(self.net.params)):
                self._diverge("weight")
                return False
            return self._end_epoch_if_done()

    def step_batches(self, max_batches: int, keep_going=None) -> tuple[int, int]:
        """Train ``max_batches`` minibatches, across epoch ends, exactly as that many
        ``step_batch`` calls would (stopping early on divergence). Returns (minibatches
        trained, epochs completed).

        On the compiled path they run in one call that releases the GIL, for the window's
        flat-out loop: while ``keep_going[0]`` (an int64 array the window sets while it
        draws) is nonzero, the call goes on past ``max_batches`` rather than come back for
        the GIL mid-frame (compiled_path.KEEP_GOING)."""
        fast = self._engine.path()
        if fast is None or self.diverged:
            done = epochs = 0
            while done < max_batches and not self.diverged:
                epochs += self.step_batch()
                done += 1
            return done, epochs
        with np.errstate(all="ignore"):  # overflow is detected by the trainer, not warned about
            return fast.run(self, max_batches, keep_going)

    def batches_for(self, seconds: float) -> int:
        """How many minibatches ``step_batches`` should be given to take about ``seconds``
        (1 on numpy, where the caller checks for commands after every minibatch)."""
        fast = self._engine.path()
        return 1 if fast is None else fast.batches_for(seconds)

    def peek_next_rows(self) -> np.ndarray:
        """Rows of X_train the next ``step_batch`` will train on, without changing anything
        (at an epoch's start this draws the coming shuffle and puts the generator back)."""
        n = len(self.X_train)
        if self.position == 0:
            if not self.shuffle:
                order = np.arange(n)
            else:
                saved = self.rng.bit_generator.state
                order = self.rng.permutation(n)
                self.rng.bit_generator.state = saved
        else:
            order = self.order
        return order[self.position:min(self.position + self.batch_size, n)].copy()

    def step_rows(self, rows) -> None:
        """One optimizer step on the given rows of X_train only (a lesson's single example);
        the epoch's position does not move."""
        rows = np.asarray(rows, dtype=np.int64)
        net = self.net
        with np.errstate(all="ignore"):
            ws = net._workspace(len(rows))
            ws.x_augT[:-1] = self.X_train[rows].T
            net._forward(ws, ws.x_augT)
            net._backward(ws, self.Y_train[rows], self.loss)
            apply_step(net.params, net.grads, self.optimizer, self.regularizer)
        self.steps += 1

    def _train_batches(self, batches) -> None:
        """The hot loop: forward, backward, update for each (start, stop, x, y, ws)."""
        fast = self._engine.path()
        if fast is not None:  # the same minibatches in one compiled call
            self._train_compiled(fast, len(batches), stop_when_not_finite=False)
            return
        net, loss, opt, reg = self.net, self.loss, self.optimizer, self.regularizer
        forward, backward, params, grads = net._forward, net._backward, net.params, net.grads
        plain_sgd = type(opt) is SGD and not reg.active
        for start, stop, x, y, ws in batches:
            forward(ws, x)
            backward(ws, y, loss)
            if plain_sgd:  # apply_step inlined for the commonest case
                np.multiply(grads, -opt.lr, opt.update)
                params += opt.update
                opt.t += 1
            else:
                apply_step(params, grads, opt, reg)
        self.steps += len(batches)
        self.last_batch = slice(start, stop)
        self.position = stop

    def _train_compiled(self, fast, max_batches: int, stop_when_not_finite: bool) -> int:
        """Consecutive minibatches from ``position`` on the compiled path, with the
        bookkeeping ``_train_batches`` does."""
        done = fast.train(self, max_batches, stop_when_not_finite)
        n, bs = len(self._y_epoch), self.batch_size
        start = self.position + (done - 1) * bs
        self.optimizer.t += done
        self.steps += done
        self.last_batch = slice(start, min(start + bs, n))
        self.position = self.last_batch.stop
        return done

    def _end_epoch_if_done(self) -> bool:
        if self.position < len(self._y_epoch):
            return False
        self.position = 0
        self.epoch += 1
        metrics = self.evaluate()
        if not (math.isfinite(metrics["train_loss"])
                and (math.isfinite(metrics["test_loss"]) or not len(self.X_test))):
            self._diverge("loss")
            return False
        self.history.append(self.epoch, metrics)
        np.copyto(self._good_params, self.net.params)
        return True

    def train(self, epochs: int, callback=None) -> History:
        """Train ``epochs`` more epochs; ``callback(trainer)`` after each. Stops on divergence."""
        for _ in range(int(epochs)):
            if not self.step_epoch():
                break
            if callback is not None:
                callback(self)
        return self.history

    def _diverge(self, what: str) -> None:
        net = self.net
        bad_layer = next((l.index + 1 for l in net.layers
                          if not (np.all(np.isfinite(l.W)) and np.all(np.isfinite(l.b)))), None)
        if bad_layer is None:  # weights finite but the loss overflowed: find the first bad z
            zs, _ = net.forward_all(self.X_train)
            bad_layer = next((i + 1 for i, z in enumerate(zs) if not np.all(np.isfinite(z))),
                             len(net.layers))
        stopped_at = self.epoch + (0 if what == "loss" else 1)
        net.params[:] = self._good_params
        net.grads.fill(0.0)
        self.position = 0
        self.epoch = self._last_good_epoch()
        self.diverged_layer = bad_layer
        restored = f"weights restored to epoch {self.epoch}"
        if not math.isfinite(self.evaluate()["train_loss"]):
            # not the learning rate: the loss is not finite even where training started from
            self.diverged = (f"training stopped at epoch {stopped_at}: the loss is NaN or "
                             f"infinite even at the weights it started from ({restored}): the "
                             f"data is out of range ({_data_range(self)}). Scale the data "
                             f"(standardise the inputs, rescale the targets).")
            return
        self.diverged = (
            f"training stopped at epoch {stopped_at}: "
            f"the {'loss' if what == 'loss' else 'weights'} became NaN or infinite in layer "
            f"{bad_layer}; {restored}. Try a smaller learning rate (now {self.optimizer.lr:g})."
        )

    def _last_good_epoch(self) -> int:
        return int(self.history.epoch[-1]) if len(self.history) else 0

    def reset_divergence(self) -> None:
        self.diverged = None

    # ----------------------------------------------------------------- state
    def state(self, include_history: bool = True) -> dict:
        """Everything needed to continue training exactly from here (copies): weights,
        optimizer state, the shuffling generator, the position in the epoch, the history
        (unless ``include_history`` is False: a timeline truncates the live one instead)."""
        opt = self.optimizer
        state = {
            "params": self.net.params.copy(),
            "optimizer": opt.name, "lr": opt.lr, "optimizer_t": opt.t,
            "optimizer_state": opt.state(), "last_update": opt.update.copy(),
            "rng": self.rng.bit_generator.state,
            "epoch": self.epoch, "position": self.position, "steps": self.steps,
            "order": self.order.copy(),
            "good_params": self._good_params.copy(),
            "diverged": self.diverged,
        }
        if include_history:
            state["history"] = self.history.to_lists()
        return state

    def load_state(self, state: dict) -> None:
        """Continue from a ``state()``: the next steps are exactly those that followed it."""
        params = np.asarray(state["params"], dtype=float)
        if params.shape != self.net.params.shape:
            raise ValueError(f"the saved state has {params.size} parameters, "
                             f"the network {self.net.n_params}")
        order = np.asarray(state["order"], dtype=np.int64)
        if sorted(order.tolist()) != list(range(len(self.X_train))):
            raise ValueError("the saved epoch order does not match the training data")
        position = int(state["position"])
        if not 0 <= position < len(self.X_train):
            raise ValueError(f"the saved position {position} is outside the epoch")
        if state["optimizer"] != self.optimizer.name:
            self.set_optimizer(state["optimizer"])
        self.optimizer.lr = float(state["lr"])
        self.optimizer.load_state(state.get("optimizer_state", {}), state.get("optimizer_t", 0))
        if "last_update" in state:
            self.optimizer.update[:] = state["last_update"]
        self.net.params[:] = params
        self.rng.bit_generator.state = state["rng"]
        self.epoch, self.position, self.steps = int(state["epoch"]), position, int(state["steps"])
        self.order = order
        np.take(self._x_aug_all, order, axis=1, out=self._x_epoch)
        np.take(self.Y_train, order, axis=0, out=self._y_epoch)
        if "history" in state:  # a timeline's states leave the history as it is
            self.history = History.from_lists(state["history"])
        self._good_params[:] = state.get("good_params", params)
        self.diverged = state.get("diverged")

    # ----------------------------------------------------------------- metrics
    def evaluate(self) -> dict:
        """Train/test loss (no regularization term) and accuracy (classification only)."""
        fast = self._engine.path()
        if fast is not None:
            return fast.evaluate_all(self)
        net = self.net
        last = net._last  # evaluation must not replace the minibatch cache the GUI shows
        out = {}
        parts = (("train", self._x_aug_all, self.Y_train, self._true_train),
                 ("test", self._x_test_aug, self.Y_test, self._true_test))
        with np.errstate(all="ignore"):
            for part, x_aug, Y, true in parts:
                if not len(Y):
                    out[f"{part}_loss"] = out[f"{part}_accuracy"] = math.nan
                    continue
                ws = net._workspace(len(Y))
                a = net._forward(ws, x_aug)
                out[f"{part}_loss"] = self.loss.value(a, Y, ws.z[-1])
                if true is not None:
                    pred = predicted_classes(a, net.output_activation)
                    out[f"{part}_accuracy"] = float(np.count_nonzero(pred == true)) / len(true)
                else:
                    out[f"{part}_accuracy"] = math.nan
        net._last = last
        return out
