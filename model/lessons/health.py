"""Gradient health per layer: gradient norm, update/weight ratio, saturated and dead units,
with plain-language warnings when gradients vanish or explode."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.core.history import thinned
from model.core.network import Network

#: a unit is saturated where f′(z) is below this share of its largest value
SATURATION = 0.1
MAX_RECORDS = 4000


@dataclass(frozen=True)
class LayerHealth:
    layer: int
    grad_norm: float  # ‖∂C/∂W, ∂C/∂b‖ of the last minibatch
    update_ratio: float  # ‖Δw‖ / ‖w‖ of the last step
    saturated: float  # share of (example, unit) pairs with a sigmoid/tanh in its flat tails
    dead: float  # share of ReLU units that output 0 for every example


#: the per-layer figures of a LayerHealth, in the order HealthHistory stores them
FIELDS = ("grad_norm", "update_ratio", "saturated", "dead")


#: output activation + loss pairs whose output delta is a − y: f′(z) never shrinks it
MATCHED = {("sigmoid", "bce"), ("softmax", "cce")}


def layer_health(net: Network, X, last_update: np.ndarray, loss: str | None = None) -> list[LayerHealth]:
    """Health of every layer from the stored gradients, the last Δw (flat) and the
    activations on X (a sample of training inputs). With ``loss`` given, a saturated output
    layer whose delta is a − y (sigmoid+bce, softmax+cce) is not counted as saturated: a
    confident output blocks no gradient there."""
    zs, acts = net.forward_all(X)
    out = []
    for l, layer in enumerate(net.layers):
        block = net.layout.block(l)
        g = float(np.linalg.norm(net.grads[block]))
        w = float(np.linalg.norm(net.params[block]))
        u = float(np.linalg.norm(last_update[block]))
        a, z = acts[l + 1], zs[l]
        name = layer.activation.name
        if name == "tanh":
            saturated = float(np.mean(1 - a * a < SATURATION))
        elif name == "sigmoid":
            saturated = float(np.mean(4 * a * (1 - a) < SATURATION))
        else:
            saturated = 0.0
        if l == len(net.layers) - 1 and (name, loss) in MATCHED:
            saturated = 0.0
        dead = float(np.mean(np.all(z <= 0, axis=0))) if name == "relu" else 0.0
        out.append(LayerHealth(l, g, u / w if w > 0 else 0.0, saturated, dead))
    return out


def warnings_for(health: list[LayerHealth], diverged_layer: int | None = None,
                 activations: tuple[str, ...] | list[str] | None = None) -> list[str]:
    """Plain-language warnings for a list of LayerHealth (first layer first).

    ``diverged_layer`` (1-based) is where a NaN started; ``activations`` (one per layer) tunes
    the advice (never "try ReLU" to a ReLU network). The warnings never contradict each other:
    gradients that explode somewhere (or a NaN) are not also called vanishing or stalled."""
    msgs = []
    hidden = set(activations[:-1]) if activations else set()
    if diverged_layer is not None:
        msgs.append(f"The loss became NaN: it started in layer {diverged_layer}. "
                    "Lower the learning rate and press Play (the weights were restored).")
    exploding = next((h for h in health if h.grad_norm > 1e2 or h.update_ratio > 0.5), None)
    norms = [h.grad_norm for h in health]
    if exploding is None and diverged_layer is None:
        if len(norms) > 1 and norms[-1] > 0 and norms[0] < 1e-3 * norms[-1]:
            if hidden & {"sigmoid", "tanh"} and "relu" not in hidden:
                fix = "Try ReLU, fewer layers, or Xavier/He initialisation."
            elif "relu" in hidden:
                fix = "Try fewer layers or He initialisation (dead ReLUs pass no gradient)."
            else:
                fix = "Try fewer layers, ReLU or tanh, or Xavier/He initialisation."
            msgs.append(f"Vanishing gradients: layer 1 gets {norms[0] / norms[-1]:.1e} of the "
                        f"output layer's gradient, so the first layers barely learn. {fix}")
        elif norms and max(norms) > 0 and max(norms) < 1e-7:
            msgs.append("Gradients are almost zero everywhere: training has stalled.")
    if exploding is not None:
        h = exploding
        msgs.append(f"Exploding gradients in layer {h.layer + 1} (norm {h.grad_norm:.2g}, "
                    f"updates {h.update_ratio:.0%} of the weights per step): lower the "
                    "learning rate.")
    for h in health:
        if h.saturated > 0.5:
            msgs.append(f"Layer {h.layer + 1}: {h.saturated:.0%} of its units are saturated "
                        "(flat sigmoid/tanh tails pass almost no gradient back).")
        if h.dead > 0.3:
            msgs.append(f"Layer {h.layer + 1}: {h.dead:.0%} of its ReLUs are dead (output 0 for "
                        "every example, so they never learn again). Lower the learning rate "
                        "or use He init.")
    return msgs


class HealthHistory:
    """Per-layer curves over the epochs, in bounded memory (as ``model/core/history.py``).

    One record per measurement: its x (epochs, fractional for a step within an epoch) and
    every layer's four figures. Records live in preallocated numpy arrays; when full, the first
    ``keep_first`` and the last ``keep_last`` stay dense and every other record between them is
    dropped, so a day of training takes the memory of an hour and the curves still span the
    whole run. (Lists of LayerHealth objects grew by 1,200 objects per 30 s of training.)
    A new architecture (another number of layers) starts the record afresh.
    """

    def __init__(self, max_records: int = MAX_RECORDS, keep_first: int | None = None,
                 keep_last: int | None = None):
        keep_first = max_records // 40 if keep_first is None else keep_first
        keep_last = max_records // 4 if keep_last is None else keep_last
        if max_records < keep_first + keep_last + 2:
            raise ValueError("max_records must exceed keep_first + keep_last by at least 2")
        self.max_records, self.keep_first, self.keep_last = max_records, keep_first, keep_last
        self._x = np.zeros(max_records)
        self._values = np.zeros((len(FIELDS), max_records, 0))  # [field, record, layer]
        self._n = 0

    def __len__(self) -> int:
        return self._n

    @property
    def layers(self) -> int:
        return self._values.shape[2]

    @property
    def epochs(self) -> np.ndarray:
        """x of every kept record, oldest first (a read-only view)."""
        return _read_only(self._x[:self._n])

    def series(self, attribute: str) -> np.ndarray:
        """(records, layers) read-only view of one LayerHealth attribute."""
        return _read_only(self._values[FIELDS.index(attribute), :self._n])

    def latest(self) -> tuple[LayerHealth, ...]:
        """The newest record as LayerHealth per layer (empty before the first)."""
        if not self._n:
            return ()
        row = self._values[:, self._n - 1]
        return tuple(LayerHealth(l, *(float(v) for v in row[:, l])) for l in range(self.layers))

    def append(self, epoch: float, health) -> None:
        if len(health) != self.layers:  # the architecture changed: a new record
            self._values = np.zeros((len(FIELDS), self.max_records, len(health)))
            self._n = 0
        if self._n == self.max_records:
            self._thin()
        i = self._n
        self._x[i] = epoch
        for h in health:
            self._values[:, i, h.layer] = (h.grad_norm, h.update_ratio, h.saturated, h.dead)
        self._n += 1

    def _thin(self) -> None:
        keep = thinned(self._n, self.keep_first, self.keep_last)
        m = len(keep)
        self._x[:m] = self._x[keep]
        self._values[:, :m] = self._values[:, keep]
        self._n = m

    def clear(self) -> None:
        self._n = 0


def _read_only(a: np.ndarray) -> np.ndarray:
    view = a.view()
    view.flags.writeable = False
    return view
