"""Gradient health per layer: gradient norm, update/weight ratio, saturated and dead units,
with plain-language warnings when gradients vanish or explode."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
    """Per-layer curves over epochs, bounded: when full, every other old record is dropped."""

    def __init__(self, max_records: int = MAX_RECORDS):
        self.max_records = max_records
        self.epochs: list[int] = []
        self.records: list[list[LayerHealth]] = []

    def append(self, epoch: int, health: list[LayerHealth]) -> None:
        if self.epochs and self.records and len(self.records[-1]) != len(health):
            self.clear()  # the architecture changed
        self.epochs.append(epoch)
        self.records.append(health)
        if len(self.epochs) > self.max_records:
            self.epochs = self.epochs[::2]
            self.records = self.records[::2]

    def clear(self) -> None:
        self.epochs.clear()
        self.records.clear()

    def series(self, attribute: str) -> np.ndarray:
        """(records, layers) array of one LayerHealth attribute."""
        if not self.records:
            return np.zeros((0, 0))
        return np.array([[getattr(h, attribute) for h in rec] for rec in self.records])
