"""The loss landscape view: the loss over a plane of weight space through the current weights,
the optimizer's path on it and the current point, updating while training runs.

The plane is two chosen weights (click edges or biases on the graph), two random
filter-normalised directions (Li et al. 2018) or the top two principal directions of the
path so far. Every frame is computed in the trainer's thread (``LandscapeProbe.frame`` through
``worker.call``) and arrives frozen; this controller only asks and draws. While training runs
it asks at the rate a ``RefreshThrottle`` allows, so that computing and drawing surfaces take
at most 15 % of the time (the issue allows training to slow by 20 %); while paused it asks
after every change. One request is in flight at a time; changes meanwhile are coalesced into
the next.

While paused, a click on the surface moves the weights to that point of the plane
(``Plane.params_at``) with the worker's ``set_params``: an edit, which the training history
keeps as a moment of its own, like an edge edited on the graph.

Help → Worked examples → "The loss surface of one neuron" puts the lesson in the window
(``show_lesson``): its paths for three learning rates and for momentum against plain SGD.

Entry point: ``install(window) -> LandscapeView``.
"""
from __future__ import annotations

import math
import time
from dataclasses import replace
from functools import partial

from PySide6.QtCore import QObject, QTimer

from model.core.naming import has_parameter
from model.lessons.landscape import RefreshThrottle

from gui.graph.graph_text import parameter_of
from gui.plots import palette
from gui.plots.ranges import format_value
from gui.shell.docks import (FutureRelay, add_dock, claim_highlight, frozen_by_others,
                             future_error, install_once, release_highlight)
from gui.views.landscape_panel import LandscapePanel, lesson_color
from gui.views.landscape_probe import (LESSON_PARAMS, LandscapeProbe, LandscapeRequest,
                                       lesson_overlay)

SHORTCUT = "Ctrl+Shift+A"
MAX_SHARE = 0.15  # of the time, at most, for surfaces while training runs (the issue allows 20 %:
# the margin covers what is not measured, the requests and the result going between threads)


def default_pair(sizes) -> tuple:
    """Two parameters worth a first look: two weights into the first output (or a weight and
    its bias when the last layer has one input)."""
    last = len(sizes) - 2
    if sizes[last] >= 2:
        return ((last, 0, 0), (last, 1, 0))
    return ((last, 0, 0), (last, -1, 0))


def _same_plane(a: LandscapeRequest, b: LandscapeRequest) -> bool:
    return (a.kind, a.params if a.kind == "weights" else None, a.seed if a.kind == "random"
            else None, a.split) == (b.kind, b.params if b.kind == "weights" else None,
                                    b.seed if b.kind == "random" else None, b.split)


def _fits(params, sizes) -> bool:
    return all(has_parameter(*key, sizes) for key in params)


def _ms(seconds: float) -> str:
    ms = 1000 * seconds
    return f"{ms:.1f} ms" if ms < 10 else f"{ms:.0f} ms"


class LandscapeView(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.probe = LandscapeProbe()
        self.panel = LandscapePanel()
        self.dock = add_dock(window, "Loss landscape", self.panel, SHORTCUT,
                             "Show the loss over a plane of weight space, with the path "
                             "training takes on it")
        self.throttle = RefreshThrottle(MAX_SHARE)
        self.params = None  # the two chosen parameters
        self.frame = None  # the frame drawn
        self.error: str | None = None
        self.lesson = None  # a LessonOverlay while the lesson is shown
        self._fixed_extent = None  # the lesson's extent, until Fit
        self.frames = 0  # frames received (for tests and the bench)
        self.draw_seconds = 0.0  # what drawing the last frame cost the GUI thread
        self._snap = None
        self._run_id = None
        self._grow = None
        self._busy = False
        self._dirty = False
        self._computed_key = None
        self._relay = FutureRelay(self, window.turns)
        self._relay.finished.connect(self._on_result)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.schedule)
        p = self.panel
        p.plane.currentIndexChanged.connect(self._on_plane_changed)
        p.swap.clicked.connect(self._on_swap)
        p.seed.valueChanged.connect(lambda _v: self._changed())
        p.new_directions.clicked.connect(lambda _checked=False: p.seed.setValue(
            (p.seed.value() + 1) % (p.seed.maximum() + 1)))
        p.grid.valueChanged.connect(lambda _v: self._changed(refit=False))
        p.split.currentIndexChanged.connect(lambda _i: self._changed(refit=False))
        p.fit.clicked.connect(self.fit)
        p.lesson_group.currentIndexChanged.connect(lambda _i: self._draw())
        scene = p.plot.scene()
        scene.sigMouseClicked.connect(self._on_click)
        scene.sigMouseMoved.connect(self._on_hover)
        window.worker.add_observer(self.probe)
        window.snapshot_feed.subscribe(self._on_snapshot)
        window.network_view.edge_selected.connect(self._on_edge_selected)
        self.dock.visibilityChanged.connect(self._on_visibility_changed)
        p.show_kind(self.kind)
        if window.latest_snapshot is not None:
            self._on_snapshot(window.latest_snapshot)

    # ------------------------------------------------------------------ public
    @property
    def kind(self) -> str:
        return self.panel.plane.currentData()

    def set_kind(self, kind: str) -> None:
        self.panel.plane.setCurrentIndex(self.panel.plane.findData(kind))

    def choose(self, a, b) -> None:
        """Put parameters ``a`` and ``b`` ((layer, i, j), i = -1 for a bias) on the axes."""
        self.params = (tuple(map(int, a)), tuple(map(int, b)))
        self._show_chosen()
        self._changed()

    def request(self) -> LandscapeRequest:
        p = self.panel
        return LandscapeRequest(self.kind, self.params, p.seed.value(), p.grid.value(),
                                p.split.currentData(), self._fixed_extent, self._grow)

    def fit(self) -> None:
        """Fit the extent to the path and the current point again (a lesson's extent too;
        its paths stay)."""
        self._fixed_extent = None
        self._changed()

    def show_lesson(self, overlay) -> None:
        """Show the lesson's paths (a LessonOverlay) on its neuron's two weights; None ends it."""
        self.lesson = overlay
        self._fixed_extent = overlay.extent if overlay is not None else None
        g = self.panel.lesson_group
        g.blockSignals(True)
        g.clear()
        if overlay is not None:
            for group, (heading, paths) in enumerate(overlay.groups):
                g.addItem(heading, (group, None))
                for k, path in enumerate(paths):
                    g.addItem(f"   {path.title}", (group, k))
            self.set_kind("weights")
            self.params = LESSON_PARAMS
            self._show_chosen()
        g.blockSignals(False)
        g.setVisible(overlay is not None)
        self._changed()

    def open_lesson(self) -> None:
        """Build the lesson's paths in the worker, then show them (the dock opens)."""
        self.window.views.show_dock(self.dock)
        self._relay.watch(self.window.worker.call(lesson_overlay), "lesson")

    # ------------------------------------------------------------------ scheduling
    def _changed(self, refit: bool = True) -> None:
        if refit:
            self._grow = None
        self._computed_key = None
        self.schedule()

    def schedule(self) -> None:
        """Ask the worker for a frame now, or when the throttle allows, or after the one in
        flight."""
        snap = self._snap
        if snap is None or not self.dock.isVisible():
            return
        request = self.request()
        # what is asked for: the extent to hold (grow) follows each frame, it asks nothing new
        key = (snap.run_id, snap.steps, snap.extras.get("seq"), replace(request, grow=None))
        if key == self._computed_key:
            return
        if self._busy:
            self._dirty = True
            return
        now = time.perf_counter()
        if snap.running and not self.throttle.due(now):
            if not self._timer.isActive():
                self._timer.start(max(1, round((self.throttle.next_due - now) * 1000)))
            return
        self._busy, self._dirty = True, False
        self._computed_key = key
        self._relay.watch(self.window.worker.call(partial(self.probe.frame, request)),
                          ("frame", snap.running, snap.run_id))

    def _on_result(self, tag, future) -> None:
        if tag == "lesson":
            error = future_error(future)
            if error:
                self.window.statusBar().showMessage(f"Loss landscape lesson: {error}")
            else:
                self.show_lesson(future.result())
            return
        _, running, run_id = tag
        self._busy = False
        error = future_error(future)
        if error:
            self.error = error
            self.panel.show_message(error)
            self.panel.cost.setText("")
        else:
            self.error = None
            self.frame = future.result()
            self.frames += 1
            if self.frame.request.extent is None and run_id == self._run_id and \
                    _same_plane(self.frame.request, self.request()):
                # the next frame holds this one's extent (not a frame of another plane's, which
                # was on its way when the plane changed)
                u0, u1 = self.frame.us[0], self.frame.us[-1]
                v0, v1 = self.frame.vs[0], self.frame.vs[-1]
                self._grow = (float(u0), float(u1), float(v0), float(v1))
            self.panel.show_message("")
            # Drawing costs the trainer too (the GUI thread holds the GIL meanwhile), so it
            # is painted now, with the trainer standing aside, and counted with the frame's
            # own cost: the share the throttle keeps is the view's whole cost.
            t0 = time.perf_counter()
            with self.window.worker.gui_frame():
                self._draw()
                self.panel.plot.viewport().repaint()
            self.draw_seconds = time.perf_counter() - t0
            self._show_cost()
            if running:
                self.throttle.done(self.frame.cost + self.draw_seconds, time.perf_counter())
        if self._dirty or (self._snap is not None and self._snap.running):
            self.schedule()

    # ------------------------------------------------------------------ drawing
    def _draw(self) -> None:
        f = self.frame
        if f is None:
            return
        paths, only = (), None
        chosen = self.panel.lesson_group.currentData()
        if self.lesson is not None and chosen is not None:
            group, only = chosen
            paths = self.lesson.groups[group][1]
        p = self.panel
        p.draw(f, paths, only)
        lo, hi = f.color_range
        p.scale_text.setText(f"{format_value(lo)} … {format_value(hi)}"
                             f"{'  (log scale)' if f.log else ''}")
        if f.plane.explained is not None:
            a, b = f.plane.explained
            p.explained.setText(f"The plane holds {100 * (a + b):.1f} % of the path's spread "
                                f"({100 * a:.1f} % + {100 * b:.1f} %).")
        p.legend.setText(self._legend(f, paths, only))

    def _show_cost(self) -> None:
        f = self.frame
        n = len(f.us)
        cost = f.cost + self.draw_seconds
        every = max(cost * (1 - MAX_SHARE) / MAX_SHARE, self.throttle.min_interval) + cost
        share = "" if not (self._snap and self._snap.running) else (
            f" · refreshed every {every:.2g} s (≤ {MAX_SHARE:.0%} of the time)")
        self.panel.cost.setText(f"{n}×{n} grid: {_ms(f.grid_seconds)} ({_ms(f.cost)} in all, "
                                f"{_ms(self.draw_seconds)} to draw){share}")

    def _legend(self, f, paths, only=None) -> str:
        def swatch(color, text):
            r, g, b = color
            return f"<span style='color:rgb({r},{g},{b})'>●</span>&nbsp;{text}"
        lines = [swatch(palette.CURRENT_COLOR, f"now: loss {format_value(f.current_loss)}"),
                 f"<span>━</span>&nbsp;the path so far ({len(f.path_uv)} points)",
                 f"✕&nbsp;lowest on the grid: {format_value(f.minimum[2])}"]
        if f.plane.kind != "weights" and len(f.path_off) > 1:
            lines.append(f"the path's farthest point lies {format_value(float(f.path_off.max()))}"
                         f" off the plane")
        shown = [(k, path) for k, path in enumerate(paths) if only is None or k == only]
        for k, path in shown:
            lines.append(swatch(lesson_color(k), path.title))
        lines += [f"<i>{path.sentence}</i>" for _, path in shown]
        return "<br>".join(lines)

    def _show_chosen(self) -> None:
        snap = self._snap
        if self.params is None or snap is None:
            self.panel.chosen.setText("Click two edges or biases on the graph.")
        else:
            a, b = (parameter_of(snap, *key) for key in self.params)
            self.panel.chosen.setText(f"→ {a}<br>↑ {b}")
        self._highlight()

    def _highlight(self) -> None:
        if self.dock.isVisible() and self.kind == "weights" and self.params is not None:
            claim_highlight(self.window, self, {key: 1.0 for key in self.params})
        else:
            release_highlight(self.window, self)

    # ------------------------------------------------------------------ slots
    def _on_snapshot(self, snap) -> None:
        self._snap = snap
        if snap.run_id != self._run_id:
            self._run_id = snap.run_id
            self._grow = None
            if self.lesson is not None and tuple(snap.sizes) != (2, 1):
                self.show_lesson(None)  # another network: the lesson's paths are not its
            if self.params is None or not _fits(self.params, snap.sizes):
                self.params = default_pair(snap.sizes)
            self._show_chosen()
        self.schedule()

    def _on_visibility_changed(self, visible: bool) -> None:
        self._highlight()
        if visible:
            self.schedule()

    def _on_plane_changed(self, _index: int) -> None:
        self.panel.show_kind(self.kind)
        self._highlight()
        if self.kind != "weights" and self.lesson is not None:
            self.show_lesson(None)
        self._changed()

    def _on_swap(self) -> None:
        if self.params is not None:
            self.choose(self.params[1], self.params[0])

    def _on_edge_selected(self, layer: int, i: int, j: int) -> None:
        if not self.dock.isVisible() or self.kind != "weights":
            return
        new = (int(layer), int(i), int(j))
        if self._snap is None or not _fits((new,), self._snap.sizes):
            return  # the graph still drew the network before the snapshot this view has
        if self.params is None:
            self.choose(new, default_pair(self._snap.sizes)[0])
        elif new not in self.params:
            self.choose(self.params[1], new)

    def _uv_at(self, scene_pos):
        vb = self.panel.plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos) or self.frame is None:
            return None
        point = vb.mapSceneToView(scene_pos)
        u, v = point.x(), point.y()
        f = self.frame
        if not (f.us[0] <= u <= f.us[-1] and f.vs[0] <= v <= f.vs[-1]):
            return None
        return u, v

    def _on_hover(self, scene_pos) -> None:
        uv = self._uv_at(scene_pos)
        if uv is None:
            self.panel.readout.setText("")
            return
        f = self.frame
        c = min(range(len(f.us)), key=lambda k: abs(f.us[k] - uv[0]))
        r = min(range(len(f.vs)), key=lambda k: abs(f.vs[k] - uv[1]))
        hint = "click: move the weights here" if not self._snap.running else \
            "pause to move the weights here"
        self.panel.readout.setText(f"({uv[0]:.3g}, {uv[1]:.3g}): loss ≈ "
                                   f"{format_value(float(f.loss[r, c]))}<br><i>{hint}</i>")

    def _on_click(self, event) -> None:
        uv = self._uv_at(event.scenePos())
        if uv is not None:
            self.move_to(*uv)

    def move_to(self, u: float, v: float) -> bool:
        """Move the weights to the point (u, v) of the plane drawn (paused only)."""
        snap, f = self._snap, self.frame
        if f is None or snap is None:
            return False
        if snap.running:
            self.window.statusBar().showMessage("Pause training (Space) to move the weights "
                                                "to a point of the loss landscape")
            return False
        if frozen_by_others(self.window, self, self.window.network_view):
            self.window.statusBar().showMessage("Leave lesson mode (or go back to Live in the "
                                                "training history) to move the weights")
            return False
        if self._busy or self._computed_key is None or (snap.run_id, snap.steps, snap.extras.get(
                "seq")) != self._computed_key[:3] or not (math.isfinite(u) and math.isfinite(v)):
            self.window.statusBar().showMessage("The loss landscape is being updated: click "
                                                "again in a moment")
            return False
        self.window.set_params(f.plane.params_at(u, v))
        self.window.statusBar().showMessage(f"Weights moved to ({u:.3g}, {v:.3g}) on the loss "
                                            f"landscape (kept in the training history)")
        return True


def install(window) -> LandscapeView:
    """Add the "Loss landscape" dock (View menu, Ctrl+Shift+A) to ``window``."""
    return install_once(window, "landscape", lambda: LandscapeView(window))
