"""The loss landscape: the loss over a 2-D slice of weight space around the current weights.

A plane is θ(α, β) = θ₀ + α·d₁ + β·d₂ in the flat parameter space (``net.params``'s layout),
with unit directions d₁, d₂, so α and β are distances in the weights' own units. Three ways to
choose it:

- ``weights_plane``: two chosen parameters (flat index or (layer, i, j), i=None for a bias); the
  axes then show those two weights' values, and for a network with exactly two parameters the
  plane is the whole weight space.
- ``random_plane``: two random directions, filter-normalised as in Li et al. 2018, "Visualizing
  the Loss Landscape of Neural Nets": per layer, each neuron's incoming weights in the direction
  (a column of W) are scaled to the norm of that neuron's weights, so that the slice looks the
  same whatever the scale of each neuron. Biases are zeroed in the directions (as Li et al. do
  for their 1-D parameters: a bias has no "filter" whose norm it could be scaled to). The
  direction is then made a unit vector; its length before that, ``Plane.scales``, is Li et al.'s
  unit (α = 1 in their plots).
- ``pca_plane``: the top two principal directions of the training path so far (parameter
  vectors from a ``PathRecorder``, bounded in memory), about the newest point, so that the path
  lies in the plane as far as two directions can hold it (``Plane.explained``).

``loss_surface`` evaluates the loss on a grid (default 41×41) vectorised across grid points: the
forward pass runs for a whole chunk of parameter vectors at once as batched matrix products,
with no Python loop per grid point; ``Surface.seconds`` is what it cost. ``Plane.project`` puts
the optimizer's path on the plane, and ``Plane.params_at`` gives the parameter vector of a point
of the plane (to move the weights there).
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

import numpy as np

from model.core.layout import ParamLayout
from model.core.losses import get_loss
from model.frozen import frozen_copy
from model.pause_points import pause_point

DEFAULT_RESOLUTION = 41
MAX_RESOLUTION = 201
CHUNK_FLOATS = 2_000_000  # the largest intermediate of one chunk: 16 MB


@dataclass(frozen=True, eq=False)
class Plane:
    origin: np.ndarray  # (P,) θ₀, where α = β = 0
    d1: np.ndarray  # (P,) unit direction of the first axis
    d2: np.ndarray  # (P,) unit direction of the second axis
    kind: str  # "weights" | "random" | "pca"
    labels: tuple[str, str]  # what each axis is, for the view
    axis_offsets: tuple[float, float] = (0.0, 0.0)  # the axis value at α (β) = 0
    scales: tuple[float, float] = (1.0, 1.0)  # random: Li et al.'s unit in weight units
    explained: tuple[float, float] | None = None  # pca: share of the path's variance

    def params_at(self, u: float, v: float) -> np.ndarray:
        """The parameter vector (a new array) at axis values (u, v): for two chosen weights,
        those weights set to u and v and every other parameter as at θ₀."""
        alpha, beta = u - self.axis_offsets[0], v - self.axis_offsets[1]
        return self.origin + alpha * self.d1 + beta * self.d2

    def project(self, thetas) -> tuple[np.ndarray, np.ndarray]:
        """Parameter vectors (m, P) → their axis values (m, 2) on the plane (least squares:
        the directions need not be orthogonal) and each one's distance from the plane (m,)."""
        T = np.atleast_2d(np.asarray(thetas, dtype=np.float64)) - self.origin
        D = np.stack([self.d1, self.d2], axis=1)  # (P, 2)
        coef, *_ = np.linalg.lstsq(D, T.T, rcond=None)  # (2, m)
        residual = np.linalg.norm(T - (D @ coef).T, axis=1)
        return coef.T + np.array(self.axis_offsets), residual

    def default_extent(self, path_uv: np.ndarray | None = None,
                       margin: float = 0.15) -> tuple[float, float, float, float]:
        """(u_min, u_max, v_min, v_max): around θ₀ (weights: ±max(1, 1.5·|w|); random: one
        of Li et al.'s units; pca: the path), widened to hold the projected path."""
        if self.kind == "weights":
            half = [max(1.0, 1.5 * abs(o)) for o in self.axis_offsets]
        elif self.kind == "random":
            half = list(self.scales)
        else:
            half = [1e-3, 1e-3]
        lo = [o - h for o, h in zip(self.axis_offsets, half)]
        hi = [o + h for o, h in zip(self.axis_offsets, half)]
        if path_uv is not None and len(path_uv):
            path_uv = np.asarray(path_uv)[np.all(np.isfinite(path_uv), axis=1)]
        if path_uv is not None and len(path_uv):
            p_lo, p_hi = path_uv.min(axis=0), path_uv.max(axis=0)
            pad = np.maximum((p_hi - p_lo) * margin, 1e-3)
            lo = np.minimum(lo, p_lo - pad).tolist()
            hi = np.maximum(hi, p_hi + pad).tolist()
        return (lo[0], hi[0], lo[1], hi[1])


# ------------------------------------------------------------------------- choosing a plane
def _index(layout: ParamLayout, which) -> int:
    if isinstance(which, (int, np.integer)) and not isinstance(which, bool):
        if not 0 <= which < layout.n_params:
            raise ValueError(f"parameter {which} out of range 0..{layout.n_params - 1}")
        return int(which)
    try:
        layer, i, j = which
        return layout.index(layer, i, j)
    except (TypeError, ValueError):
        raise ValueError(f"a parameter is a flat index or (layer, i, j), got {which!r:.40}") from None
    except IndexError as exc:
        raise ValueError(str(exc)) from None


def weights_plane(net, a, b) -> Plane:
    """The plane of two chosen parameters of ``net`` (flat index or (layer, i, j), 0-based,
    i=None for a bias) through its current weights."""
    ia, ib = _index(net.layout, a), _index(net.layout, b)
    if ia == ib:
        raise ValueError("choose two different parameters")
    for idx in (ia, ib):
        layer, i, _ = net.layout.locate(idx)
        if i is None and not net.layers[layer].use_bias:
            raise ValueError(f"{net.layout.name(idx)}: layer {layer + 1} has no biases")
    origin = frozen_copy(net.params)
    d1, d2 = np.zeros(net.n_params), np.zeros(net.n_params)
    d1[ia] = d2[ib] = 1.0
    return Plane(origin, frozen_copy(d1), frozen_copy(d2), "weights",
                 (net.layout.name(ia), net.layout.name(ib)),
                 (float(origin[ia]), float(origin[ib])))


def filter_normalized(direction: np.ndarray, params: np.ndarray, layout: ParamLayout) -> np.ndarray:
    """``direction`` (P,) with each neuron's incoming weights (column j of every layer's W)
    scaled to the norm of that neuron's weights in ``params``, and every bias zeroed."""
    out = np.array(direction, dtype=np.float64)
    for layer in range(layout.n_layers):
        d = layout.matrix(out, layer)
        w = layout.matrix(params, layer)[:-1]
        d_norm = np.linalg.norm(d[:-1], axis=0)
        w_norm = np.linalg.norm(w, axis=0)
        d[:-1] *= np.divide(w_norm, d_norm, out=np.zeros_like(w_norm), where=d_norm > 0)
        d[-1] = 0.0
    return out


def random_plane(net, seed: int = 0) -> Plane:
    """Two filter-normalised random directions (Gaussian, from ``seed``) through the weights."""
    params = np.asarray(net.params, dtype=np.float64)
    rng = np.random.default_rng(seed)
    dirs, scales = [], []
    for _ in range(2):
        d = filter_normalized(rng.standard_normal(net.n_params), params, net.layout)
        norm = float(np.linalg.norm(d))
        if not norm > 0 or not math.isfinite(norm):
            raise ValueError("every weight is zero: filter-normalised directions need weights "
                             "of some size (choose two weights instead)")
        dirs.append(d / norm)
        scales.append(norm)
    return Plane(frozen_copy(params), frozen_copy(dirs[0]), frozen_copy(dirs[1]), "random",
                 ("random direction 1", "random direction 2"), scales=(scales[0], scales[1]))


def pca_plane(path, origin=None) -> Plane:
    """The top two principal directions of ``path`` (m, P), parameter vectors oldest first,
    about ``origin`` (default: the newest one, the current weights). The directions are the
    top right-singular vectors of the path's offsets from the origin, as in Li et al."""
    path = np.asarray(path, dtype=np.float64)
    if path.ndim != 2 or len(path) < 3:
        raise ValueError("the training path needs at least 3 recorded points: train a little first")
    if not np.all(np.isfinite(path)):
        raise ValueError("the training path contains NaN or infinite weights")
    origin = path[-1] if origin is None else np.asarray(origin, dtype=np.float64)
    _, s, vt = np.linalg.svd(path - origin, full_matrices=False)
    if len(s) < 2 or s[0] == 0 or s[1] <= 1e-12 * s[0]:
        raise ValueError("the training path so far moves along one direction only: a plane "
                         "needs two (train a little longer, or choose two weights)")
    var = s * s
    explained = (float(var[0] / var.sum()), float(var[1] / var.sum()))
    return Plane(frozen_copy(origin), frozen_copy(vt[0]), frozen_copy(vt[1]), "pca",
                 ("principal direction 1", "principal direction 2"), explained=explained)


# ------------------------------------------------------------------------- the surface
def batched_losses(net, thetas, X, Y, loss) -> np.ndarray:
    """The mean loss at each parameter vector of ``thetas`` (G, P), on X (n, d) and encoded
    targets Y (n, k), for ``net``'s architecture and activations: (G,). Vectorised: one batched
    matrix product per layer for a chunk of parameter vectors at once.

    Arrays are neuron-major, (g, k, n), as in the network's workspaces: the bias add and the
    activations then run over n contiguous numbers at a time instead of k."""
    loss = get_loss(loss) if isinstance(loss, str) else loss
    thetas = np.atleast_2d(np.asarray(thetas, dtype=np.float64))
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    layout = net.layout
    chunk = max(1, int(CHUNK_FLOATS // max(1, len(X) * max(layout.sizes))))
    out = np.empty(len(thetas))
    XT = np.ascontiguousarray(X.T)
    with np.errstate(all="ignore"):
        for start in range(0, len(thetas), chunk):
            pause_point()  # a busy window goes first (model/pause_points.py)
            T = thetas[start:start + chunk]
            g = len(T)
            aT = XT  # (d, n), broadcast against (g, k, d) below
            for l, layer in enumerate(net.layers):
                block = T[:, layout.block(l)].reshape(g, *layout.shape(l))
                WT = np.ascontiguousarray(block[:, :-1, :].transpose(0, 2, 1))  # (g, k, d)
                zT = np.matmul(WT, aT)  # (g, k, n): z = a_prev·W, transposed ...
                if layer.use_bias:
                    zT += block[:, -1, :, None]  # ... + b
                if layer.activation.elementwise:
                    aT = layer.activation.forward(zT, out=np.empty_like(zT))  # a = f(z)
                else:  # softmax (the output layer): rows of k
                    rows = np.ascontiguousarray(zT.transpose(0, 2, 1))
                    aT = layer.activation.forward(rows.reshape(-1, rows.shape[-1])).reshape(
                        rows.shape).transpose(0, 2, 1)
            k = zT.shape[1]
            a = aT.transpose(0, 2, 1).reshape(-1, k)
            z = zT.transpose(0, 2, 1).reshape(-1, k)
            per = loss.per_sample(a, np.tile(Y, (g, 1)), z)
            out[start:start + g] = per.reshape(g, -1).mean(axis=1)
    return out


@dataclass(frozen=True, eq=False)
class Surface:
    us: np.ndarray  # (r_u,) axis values of the columns
    vs: np.ndarray  # (r_v,) axis values of the rows
    loss: np.ndarray  # (r_v, r_u), indexed [v index, u index]; NaN where it overflows
    seconds: float  # what computing it cost
    evaluations: int  # grid points evaluated

    @property
    def minimum(self) -> tuple[float, float, float]:
        """(u, v, loss) of the lowest grid point."""
        i = int(np.nanargmin(self.loss))
        r, c = divmod(i, self.loss.shape[1])
        return float(self.us[c]), float(self.vs[r]), float(self.loss[r, c])


def loss_surface(net, X, Y, loss, plane: Plane, extent=None, resolution=DEFAULT_RESOLUTION,
                 path_uv=None) -> Surface:
    """The loss on a resolution×resolution grid of ``plane`` over ``extent`` (u_min, u_max,
    v_min, v_max; default ``plane.default_extent(path_uv)``). ``resolution`` is one int or
    (r_u, r_v), each 2..201."""
    r_u, r_v = (resolution, resolution) if np.isscalar(resolution) else resolution
    for r in (r_u, r_v):
        if not isinstance(r, (int, np.integer)) or not 2 <= r <= MAX_RESOLUTION:
            raise ValueError(f"the grid needs 2..{MAX_RESOLUTION} points per axis, got {r!r}")
    extent = plane.default_extent(path_uv) if extent is None else tuple(map(float, extent))
    if len(extent) != 4 or not all(map(math.isfinite, extent)) \
            or not (extent[0] < extent[1] and extent[2] < extent[3]):
        raise ValueError(f"extent must be finite (u_min < u_max, v_min < v_max), got {extent}")
    t0 = time.perf_counter()
    us = np.linspace(extent[0], extent[1], r_u)
    vs = np.linspace(extent[2], extent[3], r_v)
    alphas, betas = np.meshgrid(us - plane.axis_offsets[0], vs - plane.axis_offsets[1])
    thetas = (plane.origin + alphas.reshape(-1, 1) * plane.d1 + betas.reshape(-1, 1) * plane.d2)
    values = batched_losses(net, thetas, X, Y, loss).reshape(r_v, r_u)
    values[~np.isfinite(values)] = np.nan
    # a copy: a read-only view of the writable grid would not be frozen
    return Surface(frozen_copy(us), frozen_copy(vs), frozen_copy(values),
                   time.perf_counter() - t0, r_u * r_v)


def playground_surface(pg, plane: Plane, split: str = "train", **kwargs) -> Surface:
    """``loss_surface`` on a playground's training (or test) set with its loss."""
    t = pg.trainer
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    X, Y = (t.X_train, t.Y_train) if split == "train" else (t.X_test, t.Y_test)
    if not len(X):
        raise ValueError("there are no test rows (the whole data set trains)")
    return loss_surface(pg.net, X, Y, t.loss, plane, **kwargs)


# ------------------------------------------------------------------------- the path
class PathRecorder:
    """The training path in bounded memory: parameter vectors with their epoch and step count.

    The first ``keep_first`` points and the newest ones stay; when full, every other point in
    between is dropped (so older parts are kept at a doubling spacing). Capacity shrinks for
    large networks so the record never holds more than ``max_bytes``. Thread-safe: the worker
    records (as an observer: ``on_new_run``, ``on_epoch``, ``on_step``), a view reads copies.
    """

    def __init__(self, capacity: int = 400, keep_first: int = 20, max_bytes: int = 64 * 2 ** 20):
        if capacity < keep_first + 8:
            raise ValueError("capacity must exceed keep_first by at least 8")
        self.capacity, self.keep_first, self.max_bytes = capacity, keep_first, max_bytes
        self._lock = threading.Lock()
        self._points: list[tuple[int, int, np.ndarray]] = []

    def __len__(self) -> int:
        return len(self._points)

    def record(self, params, epoch: int = 0, steps: int = 0) -> None:
        params = np.array(params, dtype=np.float64, copy=True)
        with self._lock:
            if self._points and self._points[-1][1] == steps and steps:
                return
            if self._points and self._points[-1][2].shape != params.shape:
                self._points.clear()  # another architecture: another path
            self._points.append((int(epoch), int(steps), params))
            limit = max(self.keep_first + 8, min(self.capacity,
                                                 self.max_bytes // max(1, params.nbytes)))
            if len(self._points) > limit:
                head, tail = self._points[:self.keep_first], self._points[self.keep_first:]
                self._points = head + tail[:-8][::2] + tail[-8:]

    def path(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(params (m, P), epochs (m,), steps (m,)) as copies, oldest first."""
        with self._lock:
            points = list(self._points)
        if not points:
            return np.zeros((0, 0)), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return (np.stack([p for _, _, p in points]), np.array([e for e, _, _ in points]),
                np.array([s for _, s, _ in points]))

    def clear(self) -> None:
        with self._lock:
            self._points.clear()

    # the worker's observer protocol
    def on_new_run(self, pg) -> None:
        self.clear()
        self.record(pg.net.params, pg.trainer.epoch, pg.trainer.steps)

    def on_epoch(self, pg) -> None:
        self.record(pg.net.params, pg.trainer.epoch, pg.trainer.steps)

    on_step = on_epoch


class RefreshThrottle:
    """When to recompute a surface while training runs, so that computing it takes at most
    ``max_share`` of the time (0.2: training slows by at most 20 %): after a refresh that cost
    c seconds, the next is due c·(1 − share)/share later."""

    def __init__(self, max_share: float = 0.2, min_interval: float = 0.25):
        if not 0 < max_share < 1:
            raise ValueError("max_share must be between 0 and 1")
        self.max_share, self.min_interval = max_share, min_interval
        self.next_due = 0.0

    def due(self, now: float) -> bool:
        return now >= self.next_due

    def done(self, cost: float, now: float) -> None:
        wait = cost * (1.0 - self.max_share) / self.max_share
        self.next_due = now + max(wait, self.min_interval)
