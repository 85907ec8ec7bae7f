"""The loss landscape's worker side: the training path, and the frame the view draws.

``LandscapeProbe`` is a worker observer: its ``PathRecorder`` keeps the training path
(bounded) after every epoch and step, and starts a new one with every run. ``probe.frame(
request, pg)`` runs in the worker thread through ``worker.call``: it chooses the plane through
the current weights (two chosen weights, two filter-normalised random directions, or the top
two principal directions of the path so far), computes the surface on the grid vectorised,
its contour lines, the path projected on the plane, and returns all of it frozen
(``LandscapeFrame``: read-only arrays, no engine object). The GUI thread only draws it.

The plane goes through the current weights at every refresh, so the current point always
lies on the surface drawn (the random directions keep their seed; filter normalisation follows
the weights as they grow). The extent shown only grows while a run goes on (``request.grow``)
so that the picture stays put; the view's Fit button starts it afresh.

``lesson_playground`` and ``lesson_overlay`` put the loss-landscape lesson
(``model.lessons.landscape_lesson``) in the window: its neuron and data, and its paths.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from model.core.naming import parameter_name
from model.data.datasets import Data
from model.lessons.landscape import (DEFAULT_RESOLUTION, MAX_RESOLUTION, PathRecorder, Plane,
                                     batched_losses, loss_surface, pca_plane, random_plane,
                                     weights_plane)
from model.lessons import landscape_lesson as lesson
from model.playground import Playground, Settings
from model.snapshot import frozen_copy

from gui.plots.contours import contour_levels, contour_segments

KINDS = ("weights", "random", "pca")
SPLITS = ("train", "test")
MIN_RESOLUTION = 5
CONTOURS = 8
#: colours and contours go log-scale when the largest loss is this many times the least
LOG_SPAN = 30.0


@dataclass(frozen=True)
class LandscapeRequest:
    kind: str = "weights"
    # the two chosen parameters (layer, i, j), i = -1 for the bias of neuron j
    params: tuple | None = None
    seed: int = 0
    resolution: int = DEFAULT_RESOLUTION
    split: str = "train"
    extent: tuple | None = None  # a fixed extent (u_min, u_max, v_min, v_max), e.g. a lesson's
    grow: tuple | None = None  # the extent shown now: the new one holds it (no jumping)

    def checked(self) -> "LandscapeRequest":
        if self.kind not in KINDS:
            raise ValueError(f"the plane is one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.split not in SPLITS:
            raise ValueError(f"the loss is on the training or the test set, not {self.split!r}")
        if not MIN_RESOLUTION <= int(self.resolution) <= MAX_RESOLUTION:
            raise ValueError(f"the grid has {MIN_RESOLUTION}..{MAX_RESOLUTION} points per axis")
        if self.kind == "weights" and (self.params is None or len(self.params) != 2):
            raise ValueError("click two weights or biases on the graph to choose the plane")
        return self


@dataclass(frozen=True, eq=False)
class LandscapeFrame:
    request: LandscapeRequest
    plane: Plane
    axis_names: tuple[str, str]
    us: np.ndarray  # (r,) axis values of the grid's columns, in the weights' units
    vs: np.ndarray  # (r,) of its rows
    loss: np.ndarray  # (r, r) [v index, u index]; NaN where it overflows
    log: bool  # colours and contours on a log scale
    color_range: tuple[float, float]  # in loss units
    contour_x: np.ndarray  # segment end points, in pairs
    contour_y: np.ndarray
    path_uv: np.ndarray  # (m, 2) the training path on the plane, oldest first, the last = now
    path_off: np.ndarray  # (m,) each point's distance from the plane (weight units)
    path_epochs: np.ndarray  # (m,)
    current: tuple[float, float]  # the current weights on the plane
    current_loss: float
    minimum: tuple[float, float, float]  # (u, v, loss) of the grid's lowest point
    epoch: int
    steps: int
    grid_seconds: float  # the surface alone
    cost: float  # the whole frame, in the worker
    evaluations: int


def _names(pg, params) -> tuple[str, str]:
    net = pg.net
    return tuple(parameter_name(layer, i, j, net.sizes, net.inputs, net.outputs)
                 for layer, i, j in params)


def _plane(request: LandscapeRequest, pg, path) -> tuple[Plane, tuple[str, str]]:
    if request.kind == "weights":
        (la, ia, ja), (lb, ib, jb) = request.params
        plane = weights_plane(pg.net, (la, None if ia < 0 else ia, ja),
                              (lb, None if ib < 0 else ib, jb))
        return plane, _names(pg, request.params)
    if request.kind == "random":
        return random_plane(pg.net, int(request.seed)), ("direction 1", "direction 2")
    return pca_plane(path), ("principal direction 1", "principal direction 2")


def _union(a, b):
    return (min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3]))


def _split(pg, split: str):
    t = pg.trainer
    X, Y = (t.X_train, t.Y_train) if split == "train" else (t.X_test, t.Y_test)
    if not len(X):
        raise ValueError("there are no test rows (the whole data set trains): show the "
                         "training loss")
    return X, Y


class LandscapeProbe:
    """The worker observer (the path) and the frame computation (``frame``, via worker.call)."""

    def __init__(self, recorder: PathRecorder | None = None):
        self.recorder = recorder or PathRecorder()

    # the worker's observer protocol: the path
    def on_new_run(self, pg) -> None:
        self.recorder.on_new_run(pg)

    def on_epoch(self, pg) -> None:
        self.recorder.on_epoch(pg)

    def on_step(self, pg) -> None:
        self.recorder.on_step(pg)

    # ------------------------------------------------------------------ worker.call
    def frame(self, request: LandscapeRequest, pg) -> LandscapeFrame:
        """The surface, its contours and the path for ``request`` on ``pg`` (worker thread)."""
        t0 = time.perf_counter()
        request = request.checked()
        X, Y = _split(pg, request.split)
        current = np.array(pg.net.params, dtype=np.float64)
        if not np.all(np.isfinite(current)):
            raise ValueError("the weights are not finite numbers (training diverged)")
        path, epochs, _ = self.recorder.path()
        if not len(path) or path.shape[1] != current.size:
            path, epochs = current[None], np.array([pg.trainer.epoch])
        elif not np.array_equal(path[-1], current):  # an edit, or steps not recorded yet
            path = np.vstack([path, current])
            epochs = np.append(epochs, pg.trainer.epoch)
        keep = np.all(np.isfinite(path), axis=1)
        path, epochs = path[keep], epochs[keep]
        plane, names = _plane(request, pg, path)
        uv, off = plane.project(path)
        cur_uv = plane.project(current)[0][0]
        if request.extent is not None:
            extent = tuple(map(float, request.extent))
        else:
            extent = plane.default_extent(uv)
            if request.grow is not None:
                extent = _union(extent, request.grow)
        surface = loss_surface(pg.net, X, Y, pg.trainer.loss, plane, extent=extent,
                               resolution=int(request.resolution))
        current_loss = float(batched_losses(pg.net, current[None], X, Y, pg.trainer.loss)[0])
        finite = surface.loss[np.isfinite(surface.loss)]
        if not len(finite):
            raise ValueError("the loss overflows everywhere on this plane: choose a smaller "
                             "extent (Fit) or other directions")
        lo, hi = float(finite.min()), float(finite.max())
        log = lo > 0 and hi / lo > LOG_SPAN
        cx, cy = contour_segments(surface.loss, surface.us, surface.vs,
                                  contour_levels(lo, hi, CONTOURS, log))
        return LandscapeFrame(
            request, plane, names, surface.us, surface.vs, surface.loss, log, (lo, hi),
            frozen_copy(cx), frozen_copy(cy), frozen_copy(uv), frozen_copy(off),
            frozen_copy(epochs, dtype=np.int64), (float(cur_uv[0]), float(cur_uv[1])),
            current_loss, surface.minimum, int(pg.trainer.epoch), int(pg.trainer.steps),
            surface.seconds, time.perf_counter() - t0, surface.evaluations)


# ---------------------------------------------------------------------------- the lesson
LESSON_SETTINGS = Settings(hidden=(), output_activation="linear", loss="mse", optimizer="sgd",
                           lr=round(0.5 / lesson.LAMBDA_MAX, 6), batch_size=8, shuffle=False,
                           train_ratio=1.0, scale="none")
#: the lesson's two weights: W[0][0] and W[1][0] of the only layer
LESSON_PARAMS = ((0, 0, 0), (0, 1, 0))
#: Help → Worked examples' entry for the lesson (its figures are the app's own: (name, what
#: it shows); no tutorial published them)
LESSON_TITLE = "The loss surface of one neuron"
LESSON_EXPLANATION = (
    "<p>In the spirit of the classic error-surface demos: one linear neuron without a "
    "bias, a = w₁x₁ + w₂x₂, on 8 points, with the mean squared error. Its two weights "
    "are the whole weight space, so the loss landscape view shows exactly the surface "
    "gradient descent walks on: a bowl, an ellipse tilted by 45° that is 16 times "
    "steeper across its valley than along it.</p><p>The view draws the lesson's paths "
    "from the same start (−2, 1), 25 full-batch steps each: a learning rate below "
    "1/λ_max walks down into the valley, one between 1/λ_max and 2/λ_max jumps across "
    "it at every step and still gets lower, one above 2/λ_max jumps further every "
    "time and diverges. The second comparison puts momentum (0.9) against plain SGD "
    "at a small rate for 40 steps: plain SGD crawls along the shallow floor, momentum "
    "adds its steps up.</p><p>Press Space to train the window's neuron (lr 0.5): its "
    "live path follows the first one. Change the learning rate and press Reset to "
    "walk the others. No tutorial published these numbers: the table shows what the "
    "app computes, from the lesson's own training.</p>")
LESSON_FIGURES = (
    ("curvature across the valley, λ_max", "the largest eigenvalue of the loss's Hessian XᵀX/n"),
    ("curvature along the valley, λ_min", "its smallest eigenvalue"),
    ("loss after 25 steps, lr 0.5", "below 1/λ_max: it converges"),
    ("loss after 25 steps, lr 1.8", "between 1/λ_max and 2/λ_max: it oscillates across the "
     "valley"),
    ("loss after 25 steps, lr 2.1", "above 2/λ_max: it diverges"),
    ("loss after 40 steps, plain SGD, lr 0.1", "this app's result"),
    ("loss after 40 steps, momentum 0.9, lr 0.1", "this app's result"),
)


def lesson_playground(_pg=None) -> Playground:
    """The lesson's single linear neuron (no bias) at its starting weights, on its 8 points,
    trained full batch with plain SGD (worker thread: the worker adopts it)."""
    X, Y = lesson.lesson_data()
    data = Data(X, Y, X[:0], Y[:0], "regression", ("x1", "x2"), ("y",), name="bowl",
                origin="file")
    return Playground(LESSON_SETTINGS, data=data, network=lesson.neuron())


@dataclass(frozen=True, eq=False)
class LessonPath:
    title: str
    optimizer: str
    lr: float
    path: np.ndarray  # (steps + 1, 2): (w₁, w₂), read-only
    losses: np.ndarray
    sentence: str


@dataclass(frozen=True, eq=False)
class LessonOverlay:
    intro: str
    groups: tuple  # ((heading, (LessonPath, ...)), ...)
    extent: tuple[float, float, float, float]
    minimum: tuple[float, float]
    curvatures: tuple[float, float]


def lesson_overlay(_pg=None) -> LessonOverlay:
    """The lesson's paths, grouped as the lesson tells them (worker thread, frozen)."""
    built = lesson.landscape_lesson(resolution=MIN_RESOLUTION)
    runs = [LessonPath(r.title, r.optimizer, float(r.lr), frozen_copy(r.path),
                       frozen_copy(r.losses), r.sentence) for r in built.runs]
    groups = tuple((heading, tuple(runs[k] for k in index)) for heading, index in built.groups)
    us, vs = built.surface.us, built.surface.vs
    extent = (float(us[0]), float(us[-1]), float(vs[0]), float(vs[-1]))
    return LessonOverlay(built.intro, groups, extent,
                         tuple(map(float, built.minimum)), tuple(map(float, built.curvatures)))


def lesson_figures(_pg=None) -> tuple[float, ...]:
    """The worked example's figures, as the app computes them: the two curvatures, the loss
    after the lesson's steps for each learning rate, and plain SGD against momentum."""
    built = lesson.landscape_lesson(resolution=MIN_RESOLUTION)
    out = [*built.curvatures]
    for run in built.runs:
        out.append(float(run.losses[-1]))
    return tuple(v if math.isfinite(v) else math.inf for v in out)
