"""A dense feed-forward network whose parameters live in one flat buffer.

Notation (the tutorials'): for layer l, z = a_prev·W + b, a = f(z), delta = dC/dz.
``W[i][j]`` is the weight from neuron i of the previous layer to neuron j of this one.

Why one flat buffer: the optimizer updates every parameter with two numpy calls instead of
two per tensor, and per-minibatch Python overhead is what dominates small networks. Each
layer stores W and b stacked as ``Wb`` of shape (n_in + 1, n_out) — rows 0..n_in−1 are W,
the last row is b — so z = [a_prev, 1]·Wb is one matrix product, and so is dWb = [a_prev, 1]ᵀ·delta.
``W``, ``b``, ``dW``, ``db`` are views into those buffers: writing ``layer.W[i, j] = v`` edits
the network.

Backward only *stores* gradients (``grads``, same layout as ``params``); optimizers apply them.
This is the fast path: ``reference.py`` is the same algorithm written to be read, and the
comments (R1)…(R7) below say which of its lines each step computes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from model.core.activations import Activation, get_activation
from model.core.initializers import get_initializer
from model.core.layout import ParamLayout
from model.core.losses import Loss, check_pairing, get_loss
from model.core.scaling import InputScaling
from model.core.targets import encode_targets

MAX_LAYERS = 64
MAX_WIDTH = 4096
MAX_PARAMS = 50_000_000


class Layer:
    """One dense layer: parameters, gradients and the activation, as views into the network."""

    def __init__(self, index: int, n_in: int, n_out: int, activation: Activation,
                 use_bias: bool, params: np.ndarray, grads: np.ndarray):
        self.index = index
        self.n_in = n_in
        self.n_out = n_out
        self.activation = activation
        self.use_bias = use_bias
        self.Wb = params.reshape(n_in + 1, n_out)
        self.W = self.Wb[:n_in]
        self.b = self.Wb[n_in]
        self.dWb = grads.reshape(n_in + 1, n_out)
        self.dW = self.dWb[:n_in]
        self.db = self.dWb[n_in]

    def __repr__(self):
        return f"<Layer {self.index}: {self.n_in}→{self.n_out} {self.activation.name}>"


@dataclass(frozen=True)
class Parameter:
    """A named parameter tensor: ``value`` and ``grad`` are live views into the network."""

    name: str  # "layer1.W", "layer1.b", ...
    layer: int  # 0-based index of the layer
    kind: str  # "W" or "b"
    value: np.ndarray
    grad: np.ndarray


class _Workspace:
    """Preallocated arrays for one batch size, so a training step allocates nothing.

    Every buffer is stored neuron-major, (k, n) C-contiguous, and used through its (n, k)
    transpose: that view is still contiguous (Fortran order), so the element-wise ufuncs of
    activations and losses run at full speed, and the ones row that carries the bias is a
    trailing *row* — dropping it leaves a contiguous block, where a trailing column would not.
    ``forward_plan``/``backward_plan`` hold what the hot loop needs per layer, so a step does
    no attribute look-ups or indexing of its own.
    """

    def __init__(self, net: "Network", n: int):
        self.n = n
        self.inv_n = 1.0 / n
        self.x_augT = np.ones((net.sizes[0] + 1, n))
        self.x_inT = self.x_augT
        self.z, self.a_augT, self.a, self.delta, self.scratch = [], [], [], [], []
        for layer in net.layers:
            a_augT = np.ones((layer.n_out + 1, n))
            self.z.append(np.empty((layer.n_out, n)).T)
            self.a_augT.append(a_augT)
            self.a.append(a_augT[:-1].T)
            self.delta.append(np.empty((layer.n_out, n)).T)
            self.scratch.append(np.empty((layer.n_out, n)).T)
        layers = net.layers
        self.forward_plan = [(layer.Wb.T, self.z[l].T, self.z[l], layer.activation.forward,
                              self.a[l], self.a_augT[l]) for l, layer in enumerate(layers)]
        # for l = L..1: what dW_l, db_l and delta_{l−1} need
        self.backward_plan = [
            (self.a_augT[l - 1], self.delta[l], self.delta[l].T, layers[l].dWb, layers[l].W,
             self.delta[l - 1].T, layers[l - 1].activation.backward, self.z[l - 1],
             self.a[l - 1], self.delta[l - 1], self.scratch[l - 1])
            for l in range(len(layers) - 1, 0, -1)]


class Network:
    """A dense network of any depth and width.

    Parameters
    ----------
    sizes : [n_inputs, hidden..., n_outputs]
    activations : one activation name per layer (len(sizes) − 1); softmax only last.
    params : optional flat initial parameters (see ``params`` layout), copied.
    use_bias : one bool per layer; a layer without bias keeps b = 0 and db = 0.
    inputs, outputs : names of the input features and of the outputs.
    input_scaling : optional ``InputScaling`` of the inputs, applied by ``predict`` (see there).
    """

    def __init__(self, sizes: Sequence[int], activations: Sequence[str], *,
                 params: np.ndarray | None = None, use_bias: Sequence[bool] | None = None,
                 inputs: Sequence[str] | None = None, outputs: Sequence[str] | None = None,
                 input_scaling: InputScaling | None = None):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2:
            raise ValueError("a network needs at least an input and an output size")
        if len(sizes) - 1 > MAX_LAYERS:
            raise ValueError(f"too many layers ({len(sizes) - 1}, at most {MAX_LAYERS})")
        for s in sizes:
            if not 1 <= s <= MAX_WIDTH:
                raise ValueError(f"layer size {s} out of range 1..{MAX_WIDTH}")
        if len(activations) != len(sizes) - 1:
            raise ValueError(f"{len(sizes) - 1} layers need {len(sizes) - 1} activations, "
                             f"got {len(activations)}")
        acts = [get_activation(a) for a in activations]
        if any(a.name == "softmax" for a in acts[:-1]):
            raise ValueError("softmax is only allowed on the output layer")
        if acts[-1].name == "softmax" and sizes[-1] < 2:
            raise ValueError("a softmax output layer needs at least 2 neurons")
        use_bias = [True] * len(acts) if use_bias is None else [bool(u) for u in use_bias]
        if len(use_bias) != len(acts):
            raise ValueError("use_bias needs one flag per layer")
        self.sizes = sizes
        self.inputs = list(inputs) if inputs is not None else [f"x{i + 1}" for i in range(sizes[0])]
        self.outputs = list(outputs) if outputs is not None else (
            ["y"] if sizes[-1] == 1 else [f"y{i + 1}" for i in range(sizes[-1])])
        if len(self.inputs) != sizes[0] or len(self.outputs) != sizes[-1]:
            raise ValueError("the number of input/output names must match the layer sizes")

        #: where each layer's W and b live in ``params`` (and in ``grads``, Δw, optimizer state)
        self.layout = layout = ParamLayout.from_sizes(sizes)
        if layout.n_params > MAX_PARAMS:
            raise ValueError(f"network too large ({layout.n_params} parameters)")
        self.n_params = layout.n_params
        self.params = np.zeros(self.n_params)
        self.grads = np.zeros(self.n_params)
        if params is not None:
            params = np.asarray(params, dtype=float).ravel()
            if params.shape != self.params.shape:
                raise ValueError(f"expected {self.n_params} parameters, got {params.size}")
            self.params[:] = params
        self.layers: list[Layer] = []
        for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            sl = layout.block(l)
            self.layers.append(Layer(l, n_in, n_out, acts[l], use_bias[l],
                                     self.params[sl], self.grads[sl]))
        # 1 for every weight, 0 for every bias: regularization never touches biases.
        self.weight_mask = layout.weight_mask()
        for layer in self.layers:
            if not layer.use_bias:
                layer.b[:] = 0.0
        self._no_bias = [layer for layer in self.layers if not layer.use_bias]
        self._workspaces: dict[int, _Workspace] = {}
        self._last: _Workspace | None = None
        self.input_scaling = input_scaling

    @property
    def input_scaling(self) -> InputScaling | None:
        """How raw inputs become what the first layer sees, x' = (x − offset) / scale, or None.

        Part of the network (saved with the weights, built into the exports) because the
        weights were trained on scaled inputs. ``predict`` applies it; ``forward``,
        ``forward_all``, ``backward`` and the losses take inputs that are already scaled."""
        return self._input_scaling

    @input_scaling.setter
    def input_scaling(self, scaling: InputScaling | None) -> None:
        if scaling is not None:
            if not isinstance(scaling, InputScaling):
                raise ValueError(f"input_scaling must be an InputScaling or None, "
                                 f"not {type(scaling).__name__}")
            if scaling.size != self.sizes[0]:
                raise ValueError(f"the input scaling has {scaling.size} columns, "
                                 f"the network {self.sizes[0]} inputs")
        self._input_scaling = scaling

    def scale_inputs(self, X) -> np.ndarray:
        """X (n, n_inputs) or (n_inputs,) with ``input_scaling`` applied (a float copy)."""
        X = np.asarray(X, dtype=float)
        return X.copy() if self._input_scaling is None else self._input_scaling.apply(X)

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_sizes(cls, sizes: Sequence[int], hidden: str = "tanh", output: str = "sigmoid",
                   init: str = "xavier", seed: int = 0, *, use_bias: bool = True,
                   inputs=None, outputs=None) -> "Network":
        """A network with ``hidden`` activation on every hidden layer and ``output`` last,
        initialised by the named scheme (tf, uniform, normal, xavier, he) from ``seed``."""
        n_layers = len(sizes) - 1
        net = cls(sizes, [hidden] * (n_layers - 1) + [output],
                  use_bias=[use_bias] * max(n_layers, 0), inputs=inputs, outputs=outputs)
        net.initialize(init, seed)
        return net

    def initialize(self, init: str = "xavier", seed: int = 0) -> None:
        """Draw new weights with the named scheme; the same seed gives the same weights."""
        scheme = get_initializer(init)
        rng = np.random.default_rng(seed)
        for layer in self.layers:
            W, b = scheme(layer.n_in, layer.n_out, rng)
            layer.W[:] = W
            layer.b[:] = b if layer.use_bias else 0.0
        self.grads.fill(0.0)

    def copy(self) -> "Network":
        net = Network(self.sizes, self.activation_names, params=self.params,
                      use_bias=[l.use_bias for l in self.layers],
                      inputs=self.inputs, outputs=self.outputs,
                      input_scaling=self.input_scaling)
        net.grads[:] = self.grads
        return net

    # ----------------------------------------------------------------- description
    @property
    def activation_names(self) -> list[str]:
        return [layer.activation.name for layer in self.layers]

    @property
    def output_activation(self) -> str:
        return self.layers[-1].activation.name

    def parameters(self) -> list[Parameter]:
        """The one ordered list of named parameters: layer1.W, layer1.b, layer2.W, ..."""
        out = []
        for layer in self.layers:
            out.append(Parameter(f"layer{layer.index + 1}.W", layer.index, "W", layer.W, layer.dW))
            out.append(Parameter(f"layer{layer.index + 1}.b", layer.index, "b", layer.b, layer.db))
        return out

    def param_index(self, layer: int, i: int | None, j: int) -> int:
        """Position in the flat ``params`` of W[i][j] of ``layer`` (i=None for the bias b[j])."""
        return self.layout.index(layer, i, j)

    def __repr__(self):
        return f"<Network {'-'.join(map(str, self.sizes))} {'/'.join(self.activation_names)}>"

    # ----------------------------------------------------------------- forward / backward
    def _workspace(self, n: int) -> _Workspace:
        ws = self._workspaces.get(n)
        if ws is None:
            if len(self._workspaces) > 8:  # odd batch sizes come and go; keep memory bounded
                self._workspaces.clear()
            ws = self._workspaces[n] = _Workspace(self, n)
        return ws

    def predict(self, X) -> np.ndarray:
        """Output activations for X (n, n_inputs) → (n, n_outputs), or for one row (n_inputs,)
        → (n_outputs,), as the exported ``predict`` does. X is raw: ``input_scaling`` (if any)
        is applied first. Keeps no cache."""
        a = np.asarray(X, dtype=float)
        single = a.ndim == 1
        if single:
            a = a[None, :]
        if a.ndim != 2 or a.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (n, {self.sizes[0]}) or ({self.sizes[0]},), "
                             f"got {np.shape(X)}")
        if self._input_scaling is not None:
            a = self._input_scaling.apply(a)
        for layer in self.layers:
            a = layer.activation.forward(a @ layer.W + layer.b)
        return a[0] if single else a

    def forward_all(self, X) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """z and a of every layer for X, as new arrays: (zs, activations) with
        activations[0] = X and activations[l + 1] = f(zs[l]). Keeps no cache."""
        a = np.asarray(X, dtype=float)
        zs, acts = [], [a]
        for layer in self.layers:
            z = a @ layer.W + layer.b
            a = layer.activation.forward(z)
            zs.append(z)
            acts.append(a)
        return zs, acts

    def forward(self, X) -> np.ndarray:
        """Forward pass keeping z and a of every layer in ``cache``; returns the output a."""
        X = np.asarray(X, dtype=float)
        ws = self._workspace(len(X))
        ws.x_augT[:-1] = X.T
        return self._forward(ws, ws.x_augT)

    def _forward(self, ws: _Workspace, x_augT: np.ndarray) -> np.ndarray:
        """x_augT: (n_inputs + 1, n), the inputs as columns with a last row of ones."""
        self._last = ws
        ws.x_inT = x_augT
        a_prev_augT = x_augT
        dot = np.dot
        for WbT, zT, z, f, a, a_augT in ws.forward_plan:
            dot(WbT, a_prev_augT, zT)  # (R1) z = a_prev·W + b, as zᵀ = Wbᵀ·[a_prev, 1]ᵀ
            f(z, a)  # (R2) a = f(z)
            a_prev_augT = a_augT
        return a

    def backward(self, Y, loss: Loss | str) -> None:
        """Fill ``grads`` (batch means) and the per-sample deltas of the last ``forward``.

        Y : (n, n_outputs) targets. Does not touch the weights.
        """
        loss = get_loss(loss) if isinstance(loss, str) else loss
        ws = self._last
        if ws is None:
            raise RuntimeError("backward() needs a forward() first")
        self._backward(ws, Y, loss)

    def _backward(self, ws: _Workspace, Y: np.ndarray, loss: Loss) -> None:
        out = self.layers[-1]
        # (R3) delta_L = dC/da ⊙ f′(z_L) (or a − y for the matched pairs)
        loss.output_delta(ws.z[-1], ws.a[-1], Y, out.activation,
                          out=ws.delta[-1], scratch=ws.scratch[-1])
        dot = np.dot
        for (a_prev_augT, delta, deltaT, dWb, W, d_prevT, f_backward, z_prev, a_prev, d_prev,
             scratch) in ws.backward_plan:
            dot(a_prev_augT, delta, dWb)  # (R5, R6) dW = a_prevᵀ·delta, db = Σ delta (ones row)
            dot(W, deltaT, d_prevT)  # (R4) delta_l·W_lᵀ, transposed: W·deltaᵀ ...
            f_backward(z_prev, a_prev, d_prev, d_prev, scratch)  # (R4) ... ⊙ f′(z_{l−1})
        dot(ws.x_inT, ws.delta[0], self.layers[0].dWb)  # (R5, R6) of the first layer
        self.grads *= ws.inv_n  # (R5, R6) the sums over the batch become means: / n
        for layer in self._no_bias:
            layer.db[:] = 0.0

    # ----------------------------------------------------------------- cache views
    @property
    def cache(self) -> dict:
        """z, a and delta of every layer from the last forward/backward (live views)."""
        ws = self._last
        if ws is None:
            return {"input": None, "z": [], "a": [], "delta": []}
        return {"input": ws.x_inT[:-1].T, "z": ws.z, "a": ws.a, "delta": ws.delta}

    # ----------------------------------------------------------------- public helpers
    def prepare_targets(self, Y, loss: Loss | str | None = None) -> np.ndarray:
        """Y as float (n, n_outputs). Integer class labels (n,) are encoded for this output
        layer by ``targets.encode_targets`` (one-hot rows; for one output class 0 is 0, or −1
        under tanh). Float targets (n,) or (n, k) pass through."""
        Y = np.asarray(Y)
        if Y.ndim == 1 and np.issubdtype(Y.dtype, np.integer):
            return encode_targets(Y, "classification", self.sizes[-1], self.output_activation)
        return encode_targets(Y, "regression", self.sizes[-1], self.output_activation)

    def loss_and_gradients(self, X, Y, loss: str = "mse"):
        """Mean loss over (X, Y) and its gradient: (loss, [(dW, db) per layer]).

        X : (n, n_inputs); Y : (n, n_outputs), for ``cce`` one-hot rows or integer labels (n,).
        dW has the shape of W (n_in, n_out), db of b (n_out,). The weights are not changed.
        """
        loss_obj = get_loss(loss) if isinstance(loss, str) else loss
        check_pairing(loss_obj, self.output_activation, self.sizes[-1])
        Y = self.prepare_targets(Y, loss_obj)
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.sizes[0] or len(X) != len(Y) or not len(X):
            raise ValueError(f"X must have shape ({len(Y)}, {self.sizes[0]}), got {X.shape}")
        a = self.forward(X)
        value = loss_obj.value(a, Y, self._last.z[-1])
        self.backward(Y, loss_obj)
        return value, [(layer.dW.copy(), layer.db.copy()) for layer in self.layers]

    def loss(self, X, Y, loss: str = "mse") -> float:
        """Mean loss over (X, Y) without touching the cache or the gradients."""
        loss_obj = get_loss(loss) if isinstance(loss, str) else loss
        Y = self.prepare_targets(Y, loss_obj)
        zs, acts = self.forward_all(X)
        return loss_obj.value(acts[-1], Y, zs[-1])
