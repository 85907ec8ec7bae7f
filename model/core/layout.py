"""Where every parameter lives in a network's one flat buffer.

Layer l owns the block ``flat[offsets[l]:offsets[l + 1]]``, read as a matrix of shape
(n_in + 1, n_out): rows 0..n_in−1 are W (``W[i][j]`` from neuron i of the previous layer to
neuron j), the last row is b. The same layout holds for the parameters, their gradients, the
optimizer's state and the last update Δw, so one object answers "which slice is layer 2?",
"which index is W[1][0] of layer 1?" and "what is index 17?" for all of them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np


def block_size(n_in: int, n_out: int) -> int:
    """Parameters of one dense layer: (n_in weights + 1 bias) per neuron."""
    return (n_in + 1) * n_out


@dataclass(frozen=True)
class ParamLayout:
    sizes: tuple[int, ...]  # [n_inputs, hidden..., n_outputs]
    offsets: tuple[int, ...]  # start of every layer's block, and the total at the end

    @classmethod
    def from_sizes(cls, sizes: Sequence[int]) -> "ParamLayout":
        sizes = tuple(int(s) for s in sizes)
        offsets = [0]
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            offsets.append(offsets[-1] + block_size(n_in, n_out))
        return cls(sizes, tuple(offsets))

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    @property
    def n_params(self) -> int:
        return self.offsets[-1]

    def shape(self, layer: int) -> tuple[int, int]:
        """(n_in + 1, n_out): the block of ``layer`` as a matrix, W rows then the b row."""
        return self.sizes[layer] + 1, self.sizes[layer + 1]

    def block(self, layer: int) -> slice:
        """The slice of the flat buffer that belongs to ``layer`` (W and b)."""
        return slice(self.offsets[layer], self.offsets[layer + 1])

    def matrix(self, flat: np.ndarray, layer: int) -> np.ndarray:
        """``layer``'s block of ``flat`` as a (n_in + 1, n_out) view."""
        return flat[self.block(layer)].reshape(self.shape(layer))

    def split(self, flat: np.ndarray, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """(W (n_in, n_out), b (n_out,)) of ``layer`` as views into ``flat``."""
        m = self.matrix(flat, layer)
        return m[:-1], m[-1]

    def index(self, layer: int, i: int | None, j: int) -> int:
        """Position of W[i][j] of ``layer`` in the flat buffer (i=None for the bias b[j])."""
        n_in, n_out = self.sizes[layer], self.sizes[layer + 1]
        row = n_in if i is None else i
        if not (0 <= j < n_out and (i is None or 0 <= i < n_in)):
            raise IndexError(f"layer {layer + 1} has no parameter ({i}, {j})")
        return self.offsets[layer] + row * n_out + j

    def locate(self, index: int) -> tuple[int, int | None, int]:
        """(layer, i, j) of a flat position; i is None for a bias."""
        if not 0 <= index < self.n_params:
            raise IndexError(f"parameter {index} out of range 0..{self.n_params - 1}")
        for layer in range(self.n_layers):
            if index < self.offsets[layer + 1]:
                row, j = divmod(index - self.offsets[layer], self.sizes[layer + 1])
                return layer, (None if row == self.sizes[layer] else row), j
        raise AssertionError("unreachable")

    def name(self, index: int) -> str:
        """``layer1.W[0][2]`` or ``layer2.b[1]`` (0-based i and j, as in ``W[i][j]``)."""
        layer, i, j = self.locate(index)
        return f"layer{layer + 1}.b[{j}]" if i is None else f"layer{layer + 1}.W[{i}][{j}]"

    def names(self) -> list[str]:
        """One name per entry of the flat buffer, in its order."""
        out = []
        for layer in range(self.n_layers):
            n_in, n_out = self.sizes[layer], self.sizes[layer + 1]
            for i in range(n_in):
                out += [f"layer{layer + 1}.W[{i}][{j}]" for j in range(n_out)]
            out += [f"layer{layer + 1}.b[{j}]" for j in range(n_out)]
        return out

    def weight_mask(self) -> np.ndarray:
        """1.0 at every weight, 0.0 at every bias (regularization never touches biases)."""
        mask = np.ones(self.n_params)
        for layer in range(self.n_layers):
            self.matrix(mask, layer)[-1] = 0.0
        return mask
