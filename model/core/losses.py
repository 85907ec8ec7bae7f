"""Loss functions C(a, y) over a batch, beside their gradient dC/da.

Conventions (also in the README):

- ``mse``: C = mean over samples of ½·Σ_outputs (y − a)², the tutorials' C = ½‖y − a‖².
  Per sample dC/da = a − y.
- ``bce``: binary cross-entropy with sigmoid outputs,
  C = −mean over samples of Σ_outputs [y·log a + (1 − y)·log(1 − a)].
  Computed from z (log-sum-exp form) so a saturated sigmoid never gives log(0).
- ``cce``: categorical cross-entropy with a softmax output and one-hot y,
  C = −mean over samples of Σ_k y_k·log a_k, computed as a stable log-softmax of z.

For the matching pairs (sigmoid+bce, softmax+cce) the output delta dC/dz simplifies to
a − y per sample; ``output_delta`` uses that form, which is both exact and stable.
"""
from __future__ import annotations

import numpy as np

from model.core.activations import Activation


class Loss:
    name = "?"
    #: the output activation this loss requires, or None for any
    requires_output: str | None = None

    def value(self, a, y, z=None) -> float:
        """Mean loss over the batch. a, y, z: (n, k)."""
        raise NotImplementedError

    def per_sample(self, a, y, z=None):
        """Loss of each sample, (n,)."""
        raise NotImplementedError

    def grad_a(self, a, y, out=None):
        """dC_sample/da for each sample, (n, k) (not divided by n)."""
        raise NotImplementedError

    def output_delta(self, z, a, y, activation: Activation, out=None, scratch=None):
        """delta = dC_sample/dz of the output layer, (n, k)."""
        g = self.grad_a(a, y, out=out)
        return activation.backward(z, a, g, out=g, scratch=scratch)

    def __repr__(self):
        return f"<loss {self.name}>"


class MSE(Loss):
    name = "mse"

    def per_sample(self, a, y, z=None):
        return 0.5 * np.sum((y - a) ** 2, axis=1)

    def value(self, a, y, z=None):
        d = a - y
        return 0.5 * float(np.vdot(d, d)) / max(len(a), 1)

    def grad_a(self, a, y, out=None):
        # d/da ½(y − a)² = a − y
        return np.subtract(a, y, out=out)


class BinaryCrossEntropy(Loss):
    name = "bce"
    requires_output = "sigmoid"

    def per_sample(self, a, y, z=None):
        if z is None:
            eps = 1e-12
            a = np.clip(a, eps, 1 - eps)
            return -np.sum(y * np.log(a) + (1 - y) * np.log1p(-a), axis=1)
        # −[y log σ(z) + (1−y) log(1−σ(z))] = max(z,0) − z·y + log(1 + e^−|z|)
        return np.sum(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))), axis=1)

    def value(self, a, y, z=None):
        return float(np.mean(self.per_sample(a, y, z))) if len(a) else 0.0

    def grad_a(self, a, y, out=None):
        # d/da −[y log a + (1−y) log(1−a)] = (a − y) / (a (1 − a))
        eps = 1e-12
        denom = np.clip(a * (1 - a), eps, None)
        return np.divide(a - y, denom, out=out)

    def output_delta(self, z, a, y, activation, out=None, scratch=None):
        if activation.name == "sigmoid":
            return np.subtract(a, y, out=out)  # (a−y)/(a(1−a)) · a(1−a)
        return super().output_delta(z, a, y, activation, out, scratch)


class CategoricalCrossEntropy(Loss):
    name = "cce"
    requires_output = "softmax"

    def per_sample(self, a, y, z=None):
        if z is None:
            return -np.sum(y * np.log(np.clip(a, 1e-300, None)), axis=1)
        # log softmax(z)_k = z_k − max − log Σ e^{z − max}
        m = z.max(axis=1, keepdims=True)
        log_a = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
        return -np.sum(y * log_a, axis=1)

    def value(self, a, y, z=None):
        return float(np.mean(self.per_sample(a, y, z))) if len(a) else 0.0

    def grad_a(self, a, y, out=None):
        # d/da_k −Σ y log a = −y_k / a_k
        return np.divide(-y, np.clip(a, 1e-300, None), out=out)

    def output_delta(self, z, a, y, activation, out=None, scratch=None):
        if activation.name == "softmax":
            return np.subtract(a, y, out=out)  # the Jacobian of softmax cancels −y/a
        return super().output_delta(z, a, y, activation, out, scratch)


LOSSES: dict[str, Loss] = {cls.name: cls() for cls in (MSE, BinaryCrossEntropy, CategoricalCrossEntropy)}


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r} (choose from: {', '.join(LOSSES)})") from None


def check_pairing(loss: Loss, output_activation: str, n_outputs: int) -> None:
    """ValueError if the loss cannot be used with this output layer."""
    if loss.requires_output and output_activation != loss.requires_output:
        raise ValueError(
            f"loss {loss.name!r} needs a {loss.requires_output} output layer, "
            f"not {output_activation!r}"
        )
    if output_activation == "softmax" and n_outputs < 2:
        raise ValueError("a softmax output layer needs at least 2 neurons")


def default_head(task: str, n_classes: int) -> tuple[str, str, int]:
    """(output activation, loss, number of outputs) a task gets by default: regression a linear
    output with mse (0 outputs: as many as targets), two classes one sigmoid with bce, more a
    softmax with cce."""
    if task == "regression":
        act, k = "linear", 0
    elif n_classes <= 2:
        act, k = "sigmoid", 1
    else:
        act, k = "softmax", n_classes
    return act, default_loss(act, task), k


def losses_for(task: str, n_classes: int) -> tuple[str, ...]:
    """Losses that fit the output layer the task gets by default; the first is its default."""
    return tuple(dict.fromkeys((default_head(task, n_classes)[1], "mse")))


def default_loss(output_activation: str, task: str) -> str:
    """The usual loss for an output layer: softmax → cce, sigmoid on classes → bce, else mse."""
    if output_activation == "softmax":
        return "cce"
    if output_activation == "sigmoid" and task == "classification":
        return "bce"
    return "mse"
