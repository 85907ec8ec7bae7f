"""The loss-landscape lesson, in the spirit of the classic error-surface demos: one linear
neuron with two weights and no bias, a = w₁x₁ + w₂x₂, on eight points with mse. Its two weights
are the whole weight space, so the plane of the landscape view is exact: the surface is a bowl,
and every step of training is a point on it.

The data are built so that the bowl is an ellipse tilted by 45°: the Hessian of the loss,
H = XᵀX/n, has the eigenvalues λ_max = 1 (across the valley) and λ_min = 1/16 (along it). For
gradient descent on a quadratic, the offset from the minimum along an eigenvector shrinks by
1 − lr·λ per step, so:

- lr < 1/λ_max: it shrinks without changing sign, the path walks down into the valley;
- 1/λ_max < lr < 2/λ_max: the factor is negative: every step jumps to the other side of the
  valley, and still gets closer (it oscillates);
- lr > 2/λ_max: |1 − lr·λ| > 1, every jump is longer than the last: it diverges.

And a small learning rate crawls along the shallow floor of the valley, which momentum
crosses quickly. Every run is trained by the app's own ``Trainer`` (full batch, no shuffling).
``landscape_lesson()`` returns the data, the plane, the surface and the runs for the view.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.core.network import Network
from model.core.trainer import Trainer
from model.lessons.landscape import Plane, Surface, loss_surface, weights_plane

#: two orthogonal patterns over 8 rows, mean 0 and mean square 1; X mixes them along the
#: bowl's axes (45° apart), so the 8 points are distinct
_C1 = np.array([3, 1, -1, -3, 3, 1, -1, -3], dtype=np.float64) / math.sqrt(5)
_C2 = np.array([1, 3, -3, -1, -1, -3, 3, 1], dtype=np.float64) / math.sqrt(5)
LAMBDA_MAX, LAMBDA_MIN = 1.0, 1.0 / 16.0
W_STAR = (1.0, -0.5)  # the weights that fit the data exactly: the bottom of the bowl
W_START = (-2.0, 1.0)
STEPS = 25


def lesson_data() -> tuple[np.ndarray, np.ndarray]:
    """X (8, 2) with XᵀX/8 having eigenvalues 1 along (1, 1)/√2 and 1/16 along (1, −1)/√2;
    Y (8, 1) = X·w*, so the minimum loss is 0 at w*."""
    e1, e2 = np.array([1.0, 1.0]) / math.sqrt(2), np.array([1.0, -1.0]) / math.sqrt(2)
    X = np.outer(_C1, e1) * math.sqrt(LAMBDA_MAX) + np.outer(_C2, e2) * math.sqrt(LAMBDA_MIN)
    return X, X @ np.array(W_STAR)[:, None]


def neuron(weights=W_START) -> Network:
    """The single linear neuron without bias, at ``weights``."""
    net = Network([2, 1], ["linear"], use_bias=[False], inputs=["x1", "x2"], outputs=["y"])
    net.layers[0].W[:, 0] = weights
    return net


@dataclass(frozen=True, eq=False)
class LessonRun:
    title: str  # e.g. "lr 1.8: oscillates"
    optimizer: str
    lr: float
    path: np.ndarray  # (steps + 1, 2): (w₁, w₂) at the start and after every step
    losses: np.ndarray  # (steps + 1,): the loss at each point of the path
    sentence: str  # what to notice, for the learner


@dataclass(frozen=True, eq=False)
class LandscapeLesson:
    X: np.ndarray
    Y: np.ndarray
    plane: Plane  # w₁ and w₂: the whole weight space
    surface: Surface
    runs: tuple[LessonRun, ...]
    groups: tuple[tuple[str, tuple[int, ...]], ...]  # (heading, indices into runs)
    minimum: tuple[float, float]
    curvatures: tuple[float, float]  # (λ_max, λ_min) of the loss's Hessian
    intro: str


def train_path(optimizer: str, lr: float, steps: int = STEPS) -> LessonRun:
    """Full-batch training of the neuron from W_START: the path and the loss at each point."""
    X, Y = lesson_data()
    net = neuron()
    trainer = Trainer(net, X, Y, loss="mse", optimizer=optimizer, lr=lr, batch_size=len(X),
                      shuffle=False, task="regression")
    path = [net.layers[0].W[:, 0].copy()]
    for _ in range(steps):
        trainer.step_batch()
        path.append(net.layers[0].W[:, 0].copy())
    path = np.array(path)
    residual = path @ X.T - Y[:, 0]
    losses = 0.5 * np.mean(residual ** 2, axis=1)
    return LessonRun("", optimizer, lr, path, losses, "")


def landscape_lesson(resolution: int = 61) -> LandscapeLesson:
    X, Y = lesson_data()
    h = np.linalg.eigvalsh(X.T @ X / len(X))
    lam_max, lam_min = float(h[-1]), float(h[0])
    lrs = {"converges": 0.5 / lam_max, "oscillates": 1.8 / lam_max, "diverges": 2.1 / lam_max}
    said = {
        "converges": f"Below 1/λ_max = {1 / lam_max:.3g}, every step goes downhill without "
                     f"overshooting: the path walks into the valley, then slowly along its floor.",
        "oscillates": f"Between 1/λ_max and 2/λ_max = {2 / lam_max:.3g}, each step jumps across "
                      f"the valley to the other side, and still lands a little lower.",
        "diverges": f"Above 2/λ_max = {2 / lam_max:.3g}, each jump across the valley is longer "
                    f"than the last: the loss grows without bound.",
    }
    runs = []
    for what, lr in lrs.items():
        run = train_path("sgd", lr)
        runs.append(LessonRun(f"lr {lr:.3g}: {what}", "sgd", lr, run.path, run.losses, said[what]))
    slow = 0.1 / lam_max
    sgd, momentum = train_path("sgd", slow, 40), train_path("momentum", slow, 40)
    runs.append(LessonRun(f"plain SGD, lr {slow:.3g}", "sgd", slow, sgd.path, sgd.losses,
                          "Plain gradient descent with a small rate quickly crosses the steep "
                          "direction, then crawls along the shallow floor of the valley."))
    runs.append(LessonRun(f"momentum 0.9, lr {slow:.3g}", "momentum", slow, momentum.path,
                          momentum.losses,
                          "Momentum at the same rate keeps the velocity of past steps: along the "
                          "floor the steps add up, and it gets near the minimum in the same "
                          "number of steps."))
    net = neuron()
    plane = weights_plane(net, (0, 0, 0), (0, 1, 0))
    # The view shows the paths that stay near the bowl; the diverging one runs off it.
    shown = np.concatenate([r.path for r in runs if not r.title.endswith("diverges")])
    lo, hi = shown.min(axis=0), shown.max(axis=0)
    pad = 0.15 * (hi - lo)
    extent = (lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1])
    surface = loss_surface(net, X, Y, "mse", plane, extent=extent, resolution=resolution)
    intro = ("One linear neuron, a = w₁x₁ + w₂x₂, on 8 points: its two weights are the whole "
             "weight space, so this surface is exactly what gradient descent walks on. The bowl "
             f"is {lam_max / lam_min:.0f} times steeper across the valley than along it.")
    return LandscapeLesson(X, Y, plane, surface, tuple(runs),
                           (("Three learning rates", (0, 1, 2)), ("Momentum against plain SGD", (3, 4))),
                           W_STAR, (lam_max, lam_min), intro)
